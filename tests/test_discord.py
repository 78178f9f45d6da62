"""The Discord adapter against a loopback fake of Discord's API, and the embeds within Discord's limits."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import discord
import pytest

from bot.adapters import discord_bot
from bot.adapters.discord_bot import (
    DiscordPoster,
    build_client,
    command_text,
    intents,
    run_discord,
    sync_commands,
    timezone_choices,
)
from bot.cli import samples_dir
from bot.core import COMMANDS, CommandCore, Incoming, Reply, TextReply
from bot.render.embeds import (
    CONTENT_LIMIT,
    DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    EMBEDS_PER_MESSAGE,
    FIELD_VALUE_LIMIT,
    TITLE_LIMIT,
    embed_size,
    to_messages,
)
from bot.render.view import Moment, Section, View, to_view
from bot.secrets import Secrets
from config import ConfigError, DiscordSettings
from storage.db import open_database
from storage.documents import Document, iter_documents
from storage.store import Store
from summarizer import Summarizer
from tests import discord_api as fake_api
from tests.discord_api import FakeDiscordAPI
from tests.harness_discord import AUTOCOMPLETE, CHANNEL_ID, DiscordHarness, open_harness

discord_api = fake_api.discord_api

FOLLOWUP = r"^/webhooks/\d+/[^/]+$"
CALLBACK = r"^/interactions/\d+/[^/]+/callback$"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    path: Path = tmp_path_factory.mktemp("discord") / "briefbot.db"
    engine, sessions = open_database(f"sqlite:///{path}")
    opened = Store(engine=engine, sessions=sessions, summarizer=Summarizer())
    opened.ingest([d for d in iter_documents([samples_dir()]) if isinstance(d, Document)])
    return opened


@pytest.fixture
async def harness(store: Store, discord_api: FakeDiscordAPI) -> AsyncIterator[DiscordHarness]:
    async with open_harness(CommandCore(store=store), api=discord_api) as opened:
        yield opened


async def until(api: FakeDiscordAPI, check: Callable[[FakeDiscordAPI], bool], timeout: float = 10.0) -> None:
    """Wait (in a thread, on the fake's condition) until ``check`` holds."""
    assert await asyncio.to_thread(api.wait_for, check, timeout), f"never happened; calls: {api.calls()}"


# -- slash commands -----------------------------------------------------------------------------


async def test_brief_autocomplete_offers_stored_titles_matching_what_was_typed(
    harness: DiscordHarness, store: Store
) -> None:
    payload = harness.payload("brief militias aleppo", kind=AUTOCOMPLETE, focused="article")
    token = payload["token"]
    harness.dispatch(payload)
    await until(harness.api, lambda api: api.choices(token) is not None)
    assert harness.api.callbacks(token) == [8]  # APPLICATION_COMMAND_AUTOCOMPLETE_RESULT
    choices = harness.api.choices(token) or []
    militias = next(a for a in store.articles(limit=50) if "Iraqi Militias" in a.title)
    assert choices == [{"name": militias.title[:100], "value": str(militias.id)}]

    nothing_typed = harness.payload("brief", kind=AUTOCOMPLETE, focused="article")
    harness.dispatch(nothing_typed)
    await until(harness.api, lambda api: api.choices(nothing_typed["token"]) is not None)
    recent = harness.api.choices(nothing_typed["token"]) or []
    assert 1 < len(recent) <= 25 and all(len(c["name"]) <= 100 for c in recent)

    # The picked value is the article's id, and /brief with it is "brief <id>" to the core.
    posted = await harness.send(f"brief {choices[0]['value']}")
    assert "Iran-Backed Iraqi Militias" in posted[0].text and not posted[0].private


async def test_timezone_autocomplete_finds_zones_by_city() -> None:
    assert [c.value for c in timezone_choices("berlin")] == ["Europe/Berlin"]
    assert len(timezone_choices("")) == 25


async def test_slow_command_is_deferred_at_once_then_followed_up(harness: DiscordHarness) -> None:
    payload = harness.payload("search hezbollah")
    shown = await harness.run(payload)
    token = payload["token"]
    callback = harness.api.calls("POST", CALLBACK)
    followups = harness.api.calls("POST", FOLLOWUP)
    assert [c.body["type"] for c in callback] == [5]  # DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE, public
    assert not (callback[0].body.get("data") or {}).get("flags")
    assert followups and callback[0].at <= followups[0].at
    assert token in followups[0].path
    assert len(shown) == 1 and not shown[0].private
    description = shown[0].embeds[0]["description"]
    assert "**Hezbollah**" in description
    assert re.search(r"<t:\d+:f>", description)  # each reader sees the time in their own zone
    assert followups[0].body["allowed_mentions"] == {"parse": []}  # article text never pings anyone


async def test_private_answer_after_a_public_defer_is_ephemeral(harness: DiscordHarness) -> None:
    """Discord keeps the defer's visibility for the first followup, so the placeholder goes first."""
    shown = await harness.run(harness.payload("brief 9999"))
    assert [(c.method, c.status) for c in harness.api.calls()[-3:]] == [
        ("POST", 200),
        ("DELETE", 204),
        ("POST", 200),
    ]
    assert harness.api.calls("POST", FOLLOWUP)[-1].body["flags"] == 64
    assert len(shown) == 1 and shown[0].private and "No stored article #9999" in shown[0].content


async def test_quick_command_answers_directly(harness: DiscordHarness) -> None:
    payload = harness.payload("help")
    shown = await harness.run(payload)
    assert harness.api.callbacks(payload["token"]) == [4]  # CHANNEL_MESSAGE_WITH_SOURCE
    assert not harness.api.calls("POST", FOLLOWUP)
    assert shown[0].private and shown[0].content.startswith("Commands:")


async def test_quick_command_defers_when_the_core_is_slow(
    harness: DiscordHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(discord_bot, "QUICK_REPLY_SECONDS", 0.01)

    async def slow(incoming: Incoming) -> list[Reply]:
        await asyncio.sleep(0.2)  # the store being slow, well past the (shortened) budget
        return [TextReply(text="Daily digest stopped for this channel.")]

    harness.client.core.handle = slow  # type: ignore[method-assign]
    payload = harness.payload("unsubscribe", manager=True)
    shown = await harness.run(payload)
    assert harness.api.callbacks(payload["token"]) == [5]
    assert [(s.content, s.private) for s in shown] == [("Daily digest stopped for this channel.", False)]


async def test_rate_limited_followup_waits_retry_after_and_posts_once(harness: DiscordHarness) -> None:
    harness.api.rate_limit_once("POST", FOLLOWUP, retry_after=0.3)
    shown = await harness.run(harness.payload("ask who commands al-Nujaba?"))
    followups = harness.api.calls("POST", FOLLOWUP)
    assert [c.status for c in followups] == [429, 200]
    assert followups[1].at - followups[0].at >= 0.3
    assert len(shown) == 1 and "Hashem al-Mosawwi" in shown[0].embeds[0]["description"]


async def test_a_failing_command_tells_its_user(store: Store, discord_api: FakeDiscordAPI) -> None:
    class Broken(CommandCore):
        async def handle(self, incoming: Incoming) -> list[Reply]:
            raise RuntimeError("database gone")

    async with open_harness(Broken(store=store), api=discord_api) as broken:
        payload = broken.payload("search anything")
        broken.dispatch(payload)
        await until(discord_api, lambda api: bool(api.shown(payload["token"])))
    [shown] = discord_api.shown(payload["token"])
    assert "`/search` failed" in shown.content


async def test_incoming_carries_channel_user_and_manager(harness: DiscordHarness) -> None:
    seen: list[Incoming] = []

    async def record(incoming: Incoming) -> list[Reply]:
        seen.append(incoming)
        return [TextReply(text="ok")]

    harness.client.core.handle = record  # type: ignore[method-assign]
    await harness.send("sources add https://example.com/feed?a=1&b=2", manager=True)
    await harness.send("digest now")
    await harness.send("subscribe 07:30 Europe/Berlin")
    assert [i.text for i in seen] == [
        "sources add 'https://example.com/feed?a=1&b=2'",
        "digest now",
        "subscribe 07:30 Europe/Berlin",
    ]
    assert seen[0].platform == "discord" and seen[0].channel == str(CHANNEL_ID)
    assert seen[0].channel_name == "newsroom"
    assert [i.is_manager for i in seen] == [True, False, False]


def test_command_text_drops_options_left_empty() -> None:
    assert command_text("brief", None) == "brief"
    assert command_text("subscribe", " 07:30 ", "", None) == "subscribe 07:30"


def test_every_core_command_is_a_slash_command() -> None:
    client = build_client(CommandCore(store=None), settings=DiscordSettings())  # type: ignore[arg-type]
    slash = client.tree.get_commands(type=discord.AppCommandType.chat_input)  # not the message menu
    assert {c.name for c in slash} == {c.name for c in COMMANDS}


def test_no_privileged_intents() -> None:
    used = intents()
    assert not (used.members or used.presences or used.message_content)
    assert used.value == discord.Intents(guilds=True).value
    client = build_client(CommandCore(store=None), settings=DiscordSettings())  # type: ignore[arg-type]
    assert client.intents == used


# -- registering, running, posting ----------------------------------------------------------------


async def test_commands_are_registered_in_listed_guilds_else_globally(discord_api: FakeDiscordAPI) -> None:
    core = CommandCore(store=None)  # type: ignore[arg-type]
    async with open_harness(core, api=discord_api) as opened:
        await sync_commands(opened.client, ["42"])
        await sync_commands(opened.client, [])
        with pytest.raises(ConfigError, match=r"^discord\.guilds: "):
            await sync_commands(opened.client, ["general"])
    guild, global_ = discord_api.calls("PUT")
    app = discord_api.application_id
    assert guild.path == f"/applications/{app}/guilds/42/commands"
    assert global_.path == f"/applications/{app}/commands"
    assert {c["name"] for c in guild.body if c.get("type", 1) == 1} == {c.name for c in COMMANDS}
    assert [c["name"] for c in guild.body if c.get("type") == 3] == ["Brief this"]  # the message menu


async def test_run_discord_without_a_token_says_so_in_one_line() -> None:
    with pytest.raises(ConfigError) as raised:
        await run_discord(CommandCore(store=None), DiscordSettings(), Secrets.from_env({}))  # type: ignore[arg-type]
    message = str(raised.value)
    assert "DISCORD_BOT_TOKEN" in message and "\n" not in message


async def test_run_discord_with_a_refused_token_says_so(discord_api: FakeDiscordAPI) -> None:
    discord_api.refuse_token("reset-token")
    secrets = Secrets.from_env({"DISCORD_BOT_TOKEN": "reset-token"})
    with pytest.raises(ConfigError, match="DISCORD_BOT_TOKEN was refused"):
        await run_discord(CommandCore(store=None), DiscordSettings(), secrets)  # type: ignore[arg-type]
    assert not discord_api.calls("PUT")  # nothing registered with a bad token


async def test_poster_posts_a_reply_to_a_channel_and_rides_out_a_429(discord_api: FakeDiscordAPI) -> None:
    poster = DiscordPoster("poster-token")
    discord_api.rate_limit_once("POST", r"^/channels/\d+/messages$", retry_after=0.2)
    try:
        await poster("555", TextReply(text="Digest for Monday: nothing new since the last digest."))
    finally:
        await poster.close()
    posts = discord_api.calls("POST", r"^/channels/555/messages$")
    assert [c.status for c in posts] == [429, 200]
    assert posts[1].at - posts[0].at >= 0.2
    assert posts[1].body["content"].startswith("Digest for Monday")
    with pytest.raises(ValueError, match="not a Discord channel id"):
        await poster("dm:1", TextReply(text="x"))


async def test_poster_reports_each_message_of_a_long_reply_and_continues_from_one(
    discord_api: FakeDiscordAPI,
) -> None:
    """The deliverer records each message as the poster reports it, and a retry starts after them."""
    long = TextReply(text="\n".join(_sentences(400, "long")))
    poster = DiscordPoster("poster-token")
    reported: list[int] = []

    async def sent(parts: int, thread: str | None = None) -> None:
        reported.append(parts)

    try:
        await poster("556", long, start=2, sent=sent)
    finally:
        await poster.close()
    posts = discord_api.calls("POST", r"^/channels/556/messages$")
    total = len(to_messages(to_view(long)))
    assert total >= 4 and len(posts) == total - 2  # the first two were posted before
    assert reported == list(range(3, total + 1))


# -- embeds within Discord's limits ---------------------------------------------------------------


def _sentences(count: int, tag: str) -> list[str]:
    return [
        f"Sentence {tag}-{n} says something about the port strike and its effects on trade."
        for n in range(count)
    ]


def test_long_views_split_into_messages_within_every_limit_and_lose_no_sentence() -> None:
    long_lines = _sentences(130, "long")  # about 10,000 characters in one section
    assert sum(len(line) + 1 for line in long_lines) > 10_000
    sections = [
        Section(title="T" * 300, url="https://example.com/long", lines=tuple(long_lines), footer="#1")
    ]
    expected = list(long_lines)
    for n in range(25):
        lines = _sentences(4, f"s{n}")
        expected.extend(lines)
        sections.append(
            Section(
                title=f"Story {n}",
                url=f"https://example.com/{n}",
                lines=tuple(lines),
                fields=(("Actors", "; ".join(_sentences(15, f"f{n}"))),),  # > 1024: split, not cut
                footer=f"#{n} · example.com",
                moment=Moment(datetime(2026, 1, 2, 9, 30, tzinfo=UTC)),
            )
        )
        expected.extend(_sentences(15, f"f{n}"))
    view = View(heading="H" * 4500, sections=tuple(sections))

    messages = to_messages(view)

    assert len(messages) > 3
    text = []
    for message in messages:
        assert len(message.content) <= CONTENT_LIMIT
        assert len(message.embeds) <= EMBEDS_PER_MESSAGE
        assert sum(embed_size(e) for e in message.embeds) <= EMBED_TOTAL_LIMIT
        # discord.py's own count of an embed's characters agrees with ours.
        as_sent = [discord.Embed.from_dict(dict(e)) for e in message.embeds]
        assert sum(len(e) for e in as_sent) <= EMBED_TOTAL_LIMIT
        for embed in message.embeds:
            assert len(embed.get("title", "")) <= TITLE_LIMIT
            assert len(embed.get("description", "")) <= DESCRIPTION_LIMIT
            assert all(
                len(f["value"]) <= FIELD_VALUE_LIMIT and len(f["name"]) <= 256
                for f in embed.get("fields", [])
            )
            assert len(embed.get("fields", [])) <= 25
            text.append(embed.get("description", ""))
            text.extend(f["value"] for f in embed.get("fields", []))
    joined = "\n".join(text)
    missing = [s for s in expected if s not in joined]
    assert not missing, missing[:3]
    assert "".join(m.content for m in messages) == "H" * 4500
    assert joined.count("<t:1767346200:f>") == 25


def test_a_short_view_is_one_message() -> None:
    messages = to_messages(View(heading="Only channel managers can use `subscribe`."))
    assert [(m.content, m.embeds) for m in messages] == [("Only channel managers can use `subscribe`.", ())]
    [message] = to_messages(
        View(heading="Results", sections=(Section(title="A", url="https://a", lines=("x",)),))
    )
    assert message.content == "Results" and message.embeds == (
        {"title": "A", "url": "https://a", "description": "x"},
    )
