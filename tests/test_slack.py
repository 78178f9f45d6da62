"""The Slack adapter beyond the shared contract: signatures, retries, rate limits, limits, formatting.

Requests reach Bolt's real aiohttp server signed as Slack signs them; replies go to the loopback fake
of the Web API (:mod:`tests.slack_api`). The core is a stand-in here, so no test needs the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, cast
from urllib.parse import parse_qsl

import pytest
from slack_sdk.errors import SlackApiError

from bot.adapters.slack_app import build_app, mention_text, run_slack, slack_poster
from bot.core import CommandCore, Incoming, Reply, TextReply
from bot.render.blocks import (
    MAX_BLOCKS,
    MESSAGE_CHARS,
    SECTION_TEXT,
    block_chars,
    date_token,
    escape,
    mrkdwn,
    to_messages,
)
from bot.render.view import Moment, Section, View
from bot.secrets import Secrets
from config import ConfigError, SlackSettings
from tests.harness_slack import (
    CHANNEL,
    FORM,
    JSON,
    MANAGER,
    MEMBER,
    command_body,
    mention_event,
    open_harness,
    signed_headers,
)
from tests.slack_api import BOT_USER_ID, FakeSocketMode, block_texts, fake_slack_api, visible_text

Answer = Callable[[Incoming], Awaitable[list[Reply]]]


class StubCore:
    """Stands in for CommandCore: answers with ``answer(incoming)``."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.events: set[str] = set()

    async def handle(self, incoming: Incoming) -> list[Reply]:
        return await self.answer(incoming)

    async def first_time(self, platform: str, event_id: str) -> bool:
        """As the core answers it, for one instance (the core's own test covers several)."""
        new = event_id not in self.events
        self.events.add(event_id)
        return new


def replying(*replies: Reply) -> StubCore:
    async def answer(incoming: Incoming) -> list[Reply]:
        return list(replies)

    return StubCore(answer)


def echoing() -> StubCore:
    async def answer(incoming: Incoming) -> list[Reply]:
        return [TextReply(text=f"echo: {incoming.text} (manager={incoming.is_manager})")]

    return StubCore(answer)


def sentences(count: int, *, words: int = 12) -> list[str]:
    filler = " ".join(["word"] * (words - 4))
    return [f"Sentence number {n} says {filler}." for n in range(1, count + 1)]


def assert_within_limits(messages: list[list[dict[str, Any]]]) -> None:
    for blocks in messages:
        assert 0 < len(blocks) <= MAX_BLOCKS
        assert sum(block_chars(block) for block in blocks) <= MESSAGE_CHARS
        for block in blocks:
            if block["type"] == "section" and "text" in block:
                assert len(block["text"]["text"]) <= SECTION_TEXT
            if block["type"] == "header":
                assert len(block["text"]["text"]) <= 150


# -- requests Slack did not sign ----------------------------------------------------------------------


async def test_forged_signature_and_stale_timestamp_are_refused_before_the_core() -> None:
    async with open_harness(echoing()) as harness:
        body = command_body("help", response_url=harness.api.response_url())
        forged = {"X-Slack-Signature": "v0=" + "0" * 64}
        assert (await harness.post(body, FORM, headers=forged))[0] == 401
        stale = signed_headers(body, timestamp=int(time.time()) - 6 * 60)
        assert (await harness.post(body, FORM, headers=stale))[0] == 401
        wrong_secret = signed_headers(body, secret="not-the-signing-secret")
        assert (await harness.post(body, FORM, headers=wrong_secret))[0] == 401
        tampered = command_body("subscribe 07:00", response_url=harness.api.response_url())
        assert (await harness.post(tampered, FORM, headers=signed_headers(body)))[0] == 401
        assert harness.core.incoming == []
        assert harness.api.calls() == []  # not even auth.test: verification comes first
        # the same body, signed right, is answered
        assert (await harness.command("help"))[0].posted().text.startswith("echo: help")


# -- slash commands -----------------------------------------------------------------------------------


async def test_slash_command_is_acknowledged_before_the_core_answers() -> None:
    release = asyncio.Event()

    async def slow(incoming: Incoming) -> list[Reply]:
        await release.wait()
        return [TextReply(text="done at last")]

    async with open_harness(StubCore(slow)) as harness:
        body = command_body("digest", response_url=harness.api.response_url())
        status, _ = await asyncio.wait_for(harness.post(body, FORM), timeout=3)  # Slack's 3-second rule
        assert status == 200 and harness.api.delivered() == []
        release.set()
        await asyncio.wait_for(harness.core.handled.get(), timeout=10)
        await harness.api.until(lambda api: len(api.delivered()) == 1)
        assert harness.api.delivered()[0].posted().text == "done at last"


async def test_public_replies_go_to_the_channel_and_private_ones_to_the_asker() -> None:
    core = replying(TextReply(text="for everyone"), TextReply(text="only for you", private=True))
    async with open_harness(core) as harness:
        public, private = await harness.command("subscribe", user=MEMBER)
    assert public.method == "chat.postMessage" and public.body["channel"] == CHANNEL
    assert public.body["unfurl_links"] is False and public.body["text"] == "for everyone"
    assert private.method == "chat.postEphemeral" and private.body["user"] == MEMBER
    assert private.posted().private and private.posted().text == "only for you"
    [incoming] = harness.core.incoming
    assert (incoming.platform, incoming.channel, incoming.user, incoming.text) == (
        "slack",
        CHANNEL,
        MEMBER,
        "subscribe",
    )
    assert incoming.channel_name == "briefing"


async def test_when_the_bot_cannot_post_in_the_channel_the_reply_goes_to_response_url() -> None:
    async with open_harness(replying(TextReply(text="from a DM"))) as harness:
        harness.api.script("chat.postMessage", answer={"ok": False, "error": "not_in_channel"})
        [call] = await harness.command("digest")
    assert call.method == "response_url" and call.body["response_type"] == "in_channel"
    assert call.posted().text == "from a DM"


async def test_a_failing_core_tells_the_asker_privately() -> None:
    async def broken(incoming: Incoming) -> list[Reply]:
        raise RuntimeError("database is locked")

    async with open_harness(StubCore(broken)) as harness:
        body = command_body("search x", response_url=harness.api.response_url())
        assert (await harness.post(body, FORM))[0] == 200
        await harness.api.until(lambda api: len(api.delivered()) == 1)
        [call] = harness.api.delivered()
    assert call.method == "chat.postEphemeral" and "something went wrong" in call.posted().text


# -- managers -------------------------------------------------------------------------------------------


async def test_managers_are_the_configured_ids_or_workspace_admins_asked_once() -> None:
    async with open_harness(echoing(), admins=("UADMIN001",)) as harness:
        assert "manager=True" in (await harness.send("x", user=MANAGER))[0].text
        assert harness.api.calls("users.info") == []  # configured: no need to ask Slack
        assert "manager=True" in (await harness.send("x", user="UADMIN001"))[0].text
        assert "manager=True" in (await harness.send("x", user="UADMIN001"))[0].text
        assert "manager=False" in (await harness.send("x", user=MEMBER))[0].text
        asked = [call.body["user"] for call in harness.api.calls("users.info")]
    assert asked == ["UADMIN001", MEMBER]  # cached: the admin was asked once


# -- events: mentions and Slack's retries ------------------------------------------------------------


async def test_a_mention_is_answered_in_its_channel_and_a_retried_delivery_is_not_answered_twice() -> None:
    async with open_harness(echoing()) as harness:
        first = json.dumps(mention_event(f"<@{BOT_USER_ID}> search port strike", event_id="Ev01"))
        [answer] = await harness.answers_to(first, JSON)
        assert answer.method == "chat.postMessage" and answer.body["channel"] == CHANNEL
        assert answer.posted().text.startswith("echo: search port strike")

        status, _ = await harness.mention(f"<@{BOT_USER_ID}> search port strike", event_id="Ev01", retry=1)
        assert status == 200  # acknowledged, so Slack stops retrying
        # A new event after the retry: answered, and by then the retry would have reached the core.
        second = json.dumps(mention_event(f"<@{BOT_USER_ID}> help", event_id="Ev02"))
        [later] = await harness.answers_to(second, JSON)
        assert later.posted().text.startswith("echo: help")
        assert [incoming.text for incoming in harness.core.incoming] == ["search port strike", "help"]
        assert len(harness.api.delivered()) == 2


def test_mention_text_is_what_follows_the_bot_mention() -> None:
    assert mention_text(f"<@{BOT_USER_ID}> brief 4", BOT_USER_ID) == "brief 4"
    assert mention_text(f"hey <@{BOT_USER_ID}>: ask who?", BOT_USER_ID) == "ask who?"
    assert mention_text("<@U0OTHER|someone>   help") == "help"
    assert mention_text(f"<@{BOT_USER_ID}>", BOT_USER_ID) == ""
    assert (
        mention_text(f"<@{BOT_USER_ID}> sources remove <https://a.example/rss?x=1&amp;y=2|a.example/rss>")
        == "sources remove https://a.example/rss?x=1&y=2"
    )


async def test_commands_reach_the_core_as_typed_not_as_slacks_markup() -> None:
    """Slack escapes ``&``, ``<`` and ``>`` and wraps a typed link; the core gets what the user typed,
    from a slash command and from a mention alike. A user's or channel's markup is kept."""
    async with open_harness(echoing()) as harness:
        await harness.command("search AT&amp;T &lt;5G&gt; &amp;lt; &copy")
        await harness.command("brief <https://b.example/a?p=1&amp;q=2|b.example/a?p=1&amp;q=2>")
        event = mention_event(
            f"<@{BOT_USER_ID}> sources add <https://c.example/feed> for <#C1|news>", event_id="Ev9"
        )
        await harness.answers_to(json.dumps(event), JSON)
    assert [incoming.text for incoming in harness.core.incoming] == [
        "search AT&T <5G> &lt; &copy",  # what was typed: an escaped "&lt;" is kept, "&copy" too
        "brief https://b.example/a?p=1&q=2",
        "sources add https://c.example/feed for <#C1|news>",
    ]


# -- rate limits ----------------------------------------------------------------------------------------


async def test_a_rate_limited_post_waits_for_retry_after_and_is_delivered_once() -> None:
    async with open_harness(replying(TextReply(text="posted once"))) as harness:
        harness.api.rate_limit_once("chat.postMessage", retry_after=1)
        started = time.monotonic()
        [call] = await harness.command("digest")
        waited = time.monotonic() - started
        attempts = harness.api.calls("chat.postMessage")
    assert [a.status for a in attempts] == [429, 200]
    assert waited >= 1.0  # Retry-After was honoured
    assert call.posted().text == "posted once"
    assert [c.posted().text for c in harness.api.delivered()] == ["posted once"]


async def test_the_schedulers_poster_posts_to_the_channel_and_raises_what_slack_refused() -> None:
    with fake_slack_api() as api:
        post = slack_poster(Secrets(), client=api.client())
        await post("CDIGEST01", TextReply(text="Digest for today"))
        [call] = api.delivered()
        assert call.body["channel"] == "CDIGEST01" and call.posted().text == "Digest for today"
        api.script("chat.postMessage", answer={"ok": False, "error": "channel_not_found"})
        with pytest.raises(SlackApiError):
            await post("CGONE0001", TextReply(text="nobody home"))
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN"):
        slack_poster(Secrets())


# -- limits: splitting long content ---------------------------------------------------------------------


def test_a_long_view_is_split_into_messages_within_every_limit_and_nothing_is_lost() -> None:
    summary = sentences(160)
    assert sum(len(s) + 3 for s in summary) > 10_000
    sections = [
        Section(title="The long one", url="https://news.example/long", lines=tuple(f"• {s}" for s in summary))
    ]
    for n in range(1, 61):
        sections.append(
            Section(
                title=f"Story {n} & friends",
                url=f"https://news.example/story/{n}?a=1&b=2",
                lines=(f"• Story {n} first point.", f"• Story {n} second point."),
                fields=(("Actors", f"Actor {n}A, Actor {n}B"), ("Figures", f"{n},000 troops")),
                footer=f"#{n} · Wire",
                moment=Moment(datetime(2024, 5, 1, 7, 30, tzinfo=UTC), "Europe/Berlin"),
            )
        )
    view = View(heading="Digest for Wednesday 01 May 2024 — 61 new articles", sections=tuple(sections))
    messages = to_messages(view)
    assert len(messages) > 1
    assert_within_limits([list(m.blocks) for m in messages])
    assert all(m.text.endswith(f"/{len(messages)})") for m in messages)
    text = "\n".join(visible_text(list(m.blocks)) for m in messages)
    positions = [text.index(s) for s in summary]
    assert positions == sorted(positions)  # every sentence, in order
    for n in range(1, 61):
        for piece in (f"Story {n} & friends", f"Story {n} second point.", f"Actor {n}A", f"{n},000 troops"):
            assert piece in text
    assert text.count("2024-05-01 09:30 CEST") == 60
    assert "Digest for Wednesday" in visible_text(list(messages[0].blocks))


def test_a_single_line_longer_than_a_section_is_split_between_words() -> None:
    line = " ".join(sentences(400))  # about 20,000 characters on one line
    messages = to_messages(View(heading=line))
    assert_within_limits([list(m.blocks) for m in messages])
    text = re.sub(r"\s+", " ", " ".join(visible_text(list(m.blocks)) for m in messages))
    assert all(s in text for s in sentences(400))


def test_escaping_cannot_push_a_section_past_its_limit() -> None:
    messages = to_messages(View(heading="R&D <tag> " * 900))  # every & < > grows four or five times
    assert_within_limits([list(m.blocks) for m in messages])
    text = re.sub(r"\s+", " ", " ".join(visible_text(list(m.blocks)) for m in messages))
    assert text.count("R&D <tag>") == 900  # split between words only


async def test_a_long_reply_arrives_as_several_messages_in_order() -> None:
    lines = sentences(2500, words=6)
    async with open_harness(replying(TextReply(text="\n".join(lines)))) as harness:
        calls = await harness.command("help")
    assert len(calls) > 1
    assert_within_limits([call.blocks() for call in calls])
    text = "\n".join(call.posted().text for call in calls)
    positions = [text.index(line + "\n") if line != lines[-1] else text.index(line) for line in lines]
    assert positions == sorted(positions)


# -- formatting -------------------------------------------------------------------------------------------


def test_markdown_becomes_escaped_mrkdwn() -> None:
    assert escape("a & b < c > d") == "a &amp; b &lt; c &gt; d"
    assert mrkdwn("**Hezbollah** & <allies>") == "*Hezbollah* &amp; &lt;allies&gt;"
    assert mrkdwn("see [the <report>](https://x.example/a?b=1&c=2) now") == (
        "see <https://x.example/a?b=1&amp;c=2|the &lt;report&gt;> now"
    )
    assert mrkdwn("use `more` for more") == "use `more` for more"


def test_a_section_shows_a_linked_title_bullets_fields_and_a_footer() -> None:
    view = View(
        heading="Digest for Wednesday 01 May 2024",
        sections=(
            Section(
                title="Rates <cut> & markets",
                url="https://news.example/rates",
                lines=("• The bank **cut** rates.",),
                fields=(("Actors", "Central Bank"), ("Figures", "0.25 percentage points")),
                footer="#7 · Wire",
                moment=Moment(datetime(2024, 5, 1, 7, 30, tzinfo=UTC), "Europe/Berlin"),
            ),
            Section(lines=("• A cited sentence.",), footer="Some Title (#3)", url="https://news.example/3"),
        ),
    )
    [message] = to_messages(view)
    assert [b["type"] for b in message.blocks] == [
        "header",
        "divider",
        "section",
        "section",
        "section",
        "context",
        "divider",
        "section",
        "context",
    ]
    texts = list(block_texts(list(message.blocks)))
    assert texts[1] == "*<https://news.example/rates|Rates &lt;cut&gt; &amp; markets>*"
    assert texts[2] == "• The bank *cut* rates."
    assert texts[3:5] == ["*Actors*\nCentral Bank", "*Figures*\n0.25 percentage points"]
    assert texts[5] == "<!date^1714548600^{date_short_pretty} {time}|2024-05-01 09:30 CEST> · #7 · Wire"
    assert texts[7] == "<https://news.example/3|Some Title (#3)>"
    assert message.text == "Digest for Wednesday 01 May 2024"


def test_a_notice_is_a_section_and_a_heading_with_markup_is_never_a_header() -> None:
    [notice] = to_messages(View(heading="Usage: brief <id | url>", private=True))
    assert [b["type"] for b in notice.blocks] == ["section"]
    assert notice.blocks[0]["text"]["text"] == "Usage: brief &lt;id | url&gt;"
    [results] = to_messages(View(heading="Results — say `more`", sections=(Section(title="A"),)))
    assert results.blocks[0]["type"] == "section"


def test_dates_are_shown_in_each_readers_zone_with_the_channels_as_fallback() -> None:
    moment = Moment(datetime(2024, 1, 15, 23, 5, tzinfo=UTC), "America/New_York")
    assert date_token(moment) == "<!date^1705359900^{date_short_pretty} {time}|2024-01-15 18:05 EST>"
    naive = Moment(datetime(2024, 1, 15, 23, 5))
    assert date_token(naive).endswith("|2024-01-15 23:05 UTC>")


# -- configuration ----------------------------------------------------------------------------------------


async def test_run_slack_names_the_missing_variables_in_one_line() -> None:
    core = CommandCore.__new__(CommandCore)  # never used: the check comes first
    only_bot = Secrets(slack_bot_token="xoxb-1")
    with pytest.raises(ConfigError) as socket_error:
        await run_slack(core, SlackSettings(mode="socket"), only_bot)
    assert "SLACK_APP_TOKEN" in str(socket_error.value) and "\n" not in str(socket_error.value)
    with pytest.raises(ConfigError) as http_error:
        await run_slack(core, SlackSettings(mode="http"), only_bot)
    assert "SLACK_SIGNING_SECRET" in str(http_error.value) and "SLACK_APP_TOKEN" not in str(http_error.value)
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN and SLACK_APP_TOKEN"):
        await run_slack(core, SlackSettings(mode="socket"), Secrets())
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET"):
        build_app(core, settings=SlackSettings(mode="http"), secrets=only_bot)


async def test_socket_mode_acknowledges_an_envelope_and_posts_the_answer() -> None:
    socket = FakeSocketMode()
    with fake_slack_api() as api:
        api.socket_url = await socket.start()
        secrets = Secrets(slack_bot_token="xoxb-test-token", slack_app_token="xapp-test-token")
        running = asyncio.ensure_future(
            run_slack(
                cast(CommandCore, echoing()), SlackSettings(mode="socket"), secrets, client=api.client()
            )
        )
        try:
            socket.send(
                {
                    "envelope_id": "env-1",
                    "type": "slash_commands",
                    "accepts_response_payload": True,
                    "payload": dict(parse_qsl(command_body("ask who?", user=MEMBER))),
                }
            )
            ack = await asyncio.wait_for(socket.acks.get(), timeout=10)
            assert ack["envelope_id"] == "env-1"
            await api.until(lambda api: len(api.delivered()) == 1)
            assert api.delivered()[0].posted().text.startswith("echo: ask who?")
            assert api.calls("apps.connections.open")[0].headers["authorization"] == "Bearer xapp-test-token"
        finally:
            running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await running
            await socket.close()


async def test_oauth_variables_in_the_environment_do_not_turn_the_app_multi_workspace(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Bolt turns on its OAuth install flow (and a file installation store) when it finds these; the bot
    # is a single-workspace app whose token is SLACK_BOT_TOKEN, so they must change nothing.
    monkeypatch.setenv("SLACK_CLIENT_ID", "111.222")
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "not-ours")
    async with open_harness(echoing()) as harness:
        assert (await harness.command("help"))[0].posted().text.startswith("echo: help")
        assert len(harness.api.calls("auth.test")) == 1  # the bot token, checked once
    assert os.environ["SLACK_CLIENT_ID"] == "111.222"  # left as they were for anything else
