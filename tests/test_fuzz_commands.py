"""No command text can make the core raise: random and hostile lines through ``CommandCore.handle``
(any unicode, control characters, mentions and channel links, code blocks, every filter and id with
extreme values), each answered with at least one reply that renders on every platform and that is not
the last-resort apology, and the store intact afterwards. Bounded by the suite's hypothesis profile."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import text

from bot.core import CommandCore, Incoming, TextReply
from bot.core.commands import COMMANDS
from bot.render.blocks import to_messages as slack_messages
from bot.render.embeds import to_messages as discord_messages
from bot.render.text import render_text
from bot.render.view import to_view
from config import StorageSettings
from storage.db import open_database
from storage.store import Store
from tests.storage_backends import assert_intact, stores
from tests.test_delivery import samples

NAMES = [c.name for c in COMMANDS] + ["digest now", "sources add", "sources remove", "sources all", "feeds"]
HUGE = ["0", "-1", "99999999999999999999999", str(2**63), str(2**64), "²", "٣", "1e9", "0x10", "NaN"]
FILTERS = ["since", "until", "actor", "source"]
UNITS = ["h", "d", "w", "m", "y", ""]

numbers = st.one_of(st.sampled_from(HUGE), st.integers(min_value=-(10**30), max_value=10**30).map(str))
filters = st.builds(
    lambda key, value: f"{key}:{value}",
    st.sampled_from(FILTERS),
    st.one_of(
        st.builds(lambda n, u: f"{n}{u}", numbers, st.sampled_from(UNITS)),
        st.sampled_from(["9999-12-31", "0001-01-01", "2026-13-01", "2026-02-30", "today", "yesterday", '"']),
        st.text(max_size=20),
    ),
)
hostile = st.sampled_from(
    [
        "<@U0123ABCD>",
        "<#C0123|general>",
        "<!channel>",
        "```select * from articles```",
        "\x00",
        "\u202e",
        "\ufeff",
        "'",
        '"',
        "\\",
        "%s%n",
        "Europe/../../etc/passwd",
        "Etc/GMT+99",
        "25:61",
        "07:30",
        "quiet",
        "quiet:off",
        "#1",
        "x" * 3000,
    ]
)
words = st.one_of(numbers, filters, hostile, st.text(max_size=40))
lines = st.one_of(
    st.text(max_size=300),
    st.builds(
        lambda name, args: " ".join([name, *args]),
        st.sampled_from(NAMES),
        st.lists(words, max_size=6),
    ),
)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def core(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CommandCore]:
    """The core over each database: PostgreSQL refuses what SQLite stores (a NUL in a text)."""
    for store in stores(request.param, tmp_path_factory.mktemp(f"fuzz-{request.param}")):
        store.ingest(samples())
        yield CommandCore(store=store, storage_settings=StorageSettings(fetch_timeout=0.5))
        assert_intact(store)  # and the store came through intact
        assert store.count() == len(samples())


# Each line that once raised out of the core, tried on every run besides the random ones.
@example(line="search port since:1000000000d", manager=False, platform="slack")
@example(line="search port until:99999999y", manager=False, platform="console")
@example(line="brief 99999999999999999999999", manager=False, platform="discord")
@example(line="brief ²", manager=False, platform="console")
@example(line="sources remove 99999999999999999999999", manager=True, platform="slack")
@example(line="subscribe 07:30 Etc/GMT+99", manager=True, platform="console")
@example(line="subscribe ٠٧:٣٠", manager=True, platform="console")
@example(line="brief a\x00b", manager=False, platform="slack")  # PostgreSQL refuses a NUL in a text
@example(line="SEARCH \x00", manager=False, platform="discord")
@example(line="actor I\x00DU", manager=False, platform="console")
@given(line=lines, manager=st.booleans(), platform=st.sampled_from(["console", "slack", "discord"]))
def test_no_command_line_makes_the_core_raise(
    core: CommandCore, line: str, manager: bool, platform: str
) -> None:
    incoming = Incoming(platform=platform, channel="fuzz", user="u", text=line, is_manager=manager)
    replies = asyncio.run(core.handle(incoming))
    assert replies, f"no answer to {line!r}"
    for reply in replies:
        assert not (isinstance(reply, TextReply) and "error id" in reply.text), f"{line!r}: {reply.text}"
        view = to_view(reply)
        assert slack_messages(view) and discord_messages(view) and render_text(view)


def test_an_unforeseen_failure_is_answered_with_an_error_id_that_the_log_names(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine, sessions = open_database(f"sqlite:///{tmp_path / 'briefbot.db'}")
    store = Store(engine=engine, sessions=sessions)
    core = CommandCore(store=store)
    with engine.begin() as connection:  # a store broken under the bot: no command foresees it
        connection.execute(text("DROP TABLE article_sentences"))
    asker = Incoming(platform="slack", channel="C1", user="U1", text="ask who leads the strike?")
    [reply] = asyncio.run(core.handle(asker))
    assert isinstance(reply, TextReply) and reply.private
    error_id = reply.text.split("error id ")[1].split(";")[0]
    assert len(error_id) == 8
    assert any(error_id in record.getMessage() and record.exc_info for record in caplog.records)
    [help_reply] = asyncio.run(core.handle(Incoming(platform="slack", channel="C1", user="U1", text="help")))
    assert "brief" in getattr(help_reply, "text", "")  # and the next command is answered as usual
    engine.dispose()
