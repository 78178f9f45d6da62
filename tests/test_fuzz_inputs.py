"""Whatever a file, a page, a configuration or a platform hands us gets a clear answer, never a crash:
article text (empty, binary, hostile HTML) through ingest, configuration files and variables through
the loader, and Slack payloads with missing or odd fields through the signed Bolt endpoint. Bounded by
the suite's hypothesis profile; the store is checked afterwards."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.core import CommandCore
from config import ConfigError, load_settings
from storage.documents import Document
from storage.extract import ExtractError, extract_html
from storage.feeds import FeedError, poll_feed
from storage.fetch import FetchError
from storage.store import Store
from tests import loopback
from tests.harness_slack import FORM, JSON, command_body, open_harness
from tests.storage_backends import assert_intact, stores

loopback_server = loopback.loopback_server  # the fixture, found by pytest under this name

HTML_PIECES = st.sampled_from(
    [
        "<html>",
        "</html>",
        "<body>",
        "<article>",
        "<p>",
        "</p>",
        "<div>" * 50,
        "<script>alert(1)</script>",
        "<!--",
        "-->",
        "<![CDATA[",
        "]]>",
        "&amp;",
        "&#0;",
        "&#xFFFFFF;",
        "<?xml version='1.0'?>",
        '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>',
        "&a;",
        "<title>",
        "</title>",
        "<meta charset='utf-16'>",
        "The council voted on Tuesday. ",
        "\x00",
        "\ufffd",
    ]
)
article_texts = st.one_of(
    st.text(max_size=2000),
    st.binary(max_size=2000).map(lambda b: b.decode("latin-1")),
    st.lists(st.one_of(HTML_PIECES, st.text(max_size=30)), max_size=60).map("".join),
)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """Each database: PostgreSQL refuses what SQLite stores (a NUL in a title raised there)."""
    for store in stores(request.param, tmp_path_factory.mktemp(f"fuzz-{request.param}")):
        yield store
        assert_intact(store)


@example(body="")
@example(body="<div>" * 10_000)
@given(body=article_texts)
def test_any_article_text_is_stored_or_refused_in_one_line(store: Store, body: str) -> None:
    try:
        extracted: str = extract_html(body).text
    except ExtractError:
        extracted = body
    [result] = store.ingest([Document(location="fuzz.html", text=extracted)])
    assert (result.article is None) != (result.error is None) or result.duplicate_of is not None
    if result.error is not None:
        assert "\n" not in result.error.strip()


toml_values = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.floats(allow_nan=True).map(lambda f: repr(f).replace("inf", "inf").replace("nan", "nan")),
    st.text(max_size=20).map(json.dumps),
    st.sampled_from(["true", "[]", "[1, 2]", '["a", 3]', "{}", '"07:30"', '"UTC"', '"10.0.0.0/33"']),
)
sections = st.sampled_from(["summarizer", "storage", "slack", "discord", "chat", "logging", "nowhere"])
keys = st.sampled_from(
    [
        "spacy_model",
        "algorithm",
        "sentences",
        "max_chars",
        "database_url",
        "allow_hosts",
        "fetch_timeout",
        "max_bytes",
        "feed_interval",
        "mode",
        "port",
        "api_url",
        "guilds",
        "level",
        "format",
        "typo",
    ]
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lines=st.lists(st.tuples(sections, keys, toml_values), max_size=6),
    garbage=st.one_of(st.just(""), st.text(max_size=40)),
)
def test_any_configuration_file_loads_or_says_what_is_wrong_in_one_line(
    tmp_path: Path, lines: list[tuple[str, str, str]], garbage: str
) -> None:
    path = tmp_path / "briefbot.toml"
    body = "".join(f"[{section}]\n{key} = {value}\n" for section, key, value in lines) + garbage
    path.write_text(body, encoding="utf-8")
    try:
        load_settings(path, env={})
    except ConfigError as error:
        assert str(error).strip() and "\n" not in str(error).strip()


def nested(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)


slack_bodies = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20)), nested, max_leaves=12
)
event_fields = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["event_callback", "url_verification", "block_actions", "x"]),
        "event_id": st.text(max_size=12),
        "team_id": st.text(max_size=12),
        "event": st.fixed_dictionaries(
            {},
            optional={
                "type": st.sampled_from(["app_mention", "message", ""]),
                "text": st.text(max_size=40),
                "user": st.text(max_size=12),
                "channel": st.text(max_size=12),
                "ts": st.text(max_size=12),
                "thread_ts": slack_bodies,
            },
        ),
        "challenge": st.text(max_size=12),
        "extra": slack_bodies,
    },
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60)
@given(
    event=event_fields,
    form=st.dictionaries(st.sampled_from(["text", "user_id", "channel_id", "command"]), st.text(max_size=20)),
)
def test_slack_payloads_with_missing_or_odd_fields_never_break_the_app(
    store: Store, event: dict[str, Any], form: dict[str, str]
) -> None:
    async def exchange() -> None:
        async with open_harness(CommandCore(store=store)) as harness:
            status, _ = await harness.post(json.dumps(event), JSON)
            assert status < 500, event
            status, _ = await harness.post(
                command_body(form.get("text", "help")) + "&" + "&".join(f"{k}={v}" for k, v in form.items()),
                FORM,
            )
            assert status < 500, form
            [answer] = await harness.command("help")  # and it still serves
            assert answer.ok

    asyncio.run(exchange())


LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 2 else "") + ";") * 10}">' for n in range(2, 10)
    )
    + ']><rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title>'
    "<link>https://news.example/1</link></item></channel></rss>"
)


@pytest.mark.parametrize(
    ("name", "body", "outcome"),
    [
        ("laughs", LAUGHS, "read"),  # entities are not expanded: a title of "&lol9;", not gigabytes
        ("broken", "<rss><channel><item><title>cut off mid-", "read"),
        (
            "huge",
            "<rss><channel>" + "<item><title>T</title><link>https://x.example/1</link></item>" * 100_000,
            "refused",
        ),
        ("binary", "\x00\xff\xfe" * 1000, "refused"),
    ],
)
def test_hostile_feeds_are_read_safely_or_refused_in_one_line(
    loopback_server: loopback.LoopbackServer,
    name: str,
    body: str,
    outcome: str,
) -> None:
    url = loopback_server.reply(f"/{name}.xml", body, content_type="application/rss+xml")
    try:
        result = poll_feed(url, timeout=10, max_bytes=2_000_000, allow=("127.0.0.1",))
    except (FeedError, FetchError) as error:
        assert outcome == "refused" and "\n" not in str(error), error
        return
    assert outcome == "read"
    assert all(len(entry.title or "") < 10_000 for entry in result.entries)
