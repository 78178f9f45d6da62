"""A digest's key actors, each a way into its ``actor`` view: buttons on Slack and Discord whose click
answers the clicker alone, a ``More:`` line at a terminal.

The store is the real one, the shipped samples ingested (the store links their actors); the digest is
the deliverer's. Slack's and Discord's clients are the real slack_sdk, slack_bolt and discord.py ones
against the loopback fakes: a click reaches Bolt as a signed ``block_actions`` request, and discord.py
as a component interaction (type 3) handed to the gateway's INTERACTION_CREATE parser.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlencode

import pytest

from bot.adapters.console import chat
from bot.adapters.discord_bot import (
    ACTOR_ID_PREFIX,
    CUSTOM_ID_LIMIT,
    ActorButton,
    DiscordPoster,
    actor_custom_id,
    resolve_cut_name,
)
from bot.adapters.slack_app import slack_poster
from bot.core import CommandCore, DigestReply, Incoming, Reply
from bot.delivery import Deliverer
from bot.render.blocks import ACTOR_ACTION, BUTTON_TEXT, MAX_BLOCKS, actor_buttons
from bot.render.blocks import to_messages as slack_messages
from bot.render.embeds import to_messages as discord_messages
from bot.render.limits import ELLIPSIS
from bot.render.text import more_line, render_text
from bot.render.view import ACTOR_LINKS, Section, View, to_view
from bot.secrets import Secrets
from storage.channels import ensure_channel, subscribe
from storage.db import open_database
from storage.store import Store
from summarizer import Summarizer
from tests import discord_api as fake_discord
from tests.discord_api import FakeDiscordAPI, Shown
from tests.harness_discord import CHANNEL_ID, GUILD_ID, DiscordHarness, flatten
from tests.harness_discord import open_harness as open_discord
from tests.harness_slack import CHANNEL, FORM, MEMBER
from tests.harness_slack import open_harness as open_slack
from tests.slack_api import BOT_USER_ID, RESPONSE_URL_METHOD, TEAM_ID, Call, visible_text
from tests.storage_backends import Clock
from tests.test_delivery import samples

discord_api = fake_discord.discord_api

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
ASSAD = "Bashar al-Assad"  # named in the Iraqi militias sample, among the digest's first key actors
COMPONENT, BUTTON, ACTION_ROW = 3, 2, 1  # interaction type; component types
WAIT = 20.0


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    path: Path = tmp_path_factory.mktemp("actor-links") / "briefbot.db"
    engine, sessions = open_database(f"sqlite:///{path}")
    clock = Clock(NOW - timedelta(hours=1))
    opened = Store(engine=engine, sessions=sessions, summarizer=Summarizer(), clock=clock)
    assert all(stored.article is not None for stored in opened.ingest(samples()))
    clock.now = NOW
    return opened


class Recording:
    """The real core, keeping what came in and, in a queue, what it answered: how many messages a
    click's answer is, and what a digest the console printed held."""

    def __init__(self, store: Store) -> None:
        self.core = CommandCore(store=store, clock=lambda: NOW)
        self.store = store
        self.incoming: list[Incoming] = []
        self.handled: asyncio.Queue[list[Reply]] = asyncio.Queue()

    async def handle(self, incoming: Incoming) -> list[Reply]:
        self.incoming.append(incoming)
        replies = await self.core.handle(incoming)
        self.handled.put_nowait(replies)
        return replies

    async def first_time(self, platform: str, event_id: str) -> bool:
        return await self.core.first_time(platform, event_id)


async def deliver(store: Store, platform: str, channel_key: str, poster: Any) -> DigestReply:
    """Today's digest for a new channel, posted by ``poster`` through the real deliverer."""
    channel = ensure_channel(store, platform, channel_key)
    subscribe(store, channel, digest_time="09:00", timezone="UTC")
    deliverer = Deliverer(store=store, posters={platform: poster}, owner=channel_key, retry_pause=0)
    reply = await deliverer.deliver(channel, NOW)
    assert isinstance(reply, DigestReply) and ASSAD in reply.digest.actors[:ACTOR_LINKS]
    return reply


# -- Slack ---------------------------------------------------------------------------------------------


def actions_blocks(call: Call) -> list[dict[str, Any]]:
    return [block for block in call.blocks() if block["type"] == "actions"]


def block_actions(message: Call, button: dict[str, Any], *, user: str, response_url: str) -> str:
    """The form body Slack POSTs when ``user`` clicks ``button`` under the posted ``message``."""
    ts = str(message.answer["ts"])
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM_ID},
        "api_app_id": "A0BRIEF",
        "token": "deprecated-verification-token",
        "container": {"type": "message", "message_ts": ts, "channel_id": CHANNEL, "is_ephemeral": False},
        "trigger_id": "1337.42.clicked",
        "team": {"id": TEAM_ID, "domain": "briefbot-test"},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": CHANNEL, "name": "briefing"},
        "message": {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": "B0BRIEF",
            "ts": ts,
            "text": message.body["text"],
            "blocks": message.blocks(),
        },
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": button["action_id"],
                "block_id": "briefbot_actors",
                "text": button["text"],
                "value": button["value"],
                "action_ts": "1700000200.000100",
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)})


async def test_a_slack_digest_has_its_key_actors_as_buttons_under_its_last_message(store: Store) -> None:
    async with open_slack(Recording(store)) as harness:
        poster = slack_poster(Secrets(slack_bot_token="xoxb-test-token"), client=harness.api.client())
        reply = await deliver(store, "slack", "CDIGEST01", poster)
        posts = harness.api.calls("chat.postMessage")
    expected = slack_messages(to_view(reply))
    assert [p.body["text"] for p in posts] == [m.text for m in expected]  # the fallback text as before
    assert all(not actions_blocks(p) for p in posts[:-1])
    [actions] = actions_blocks(posts[-1])
    assert posts[-1].blocks()[-1] == actions
    names = reply.digest.actors[:ACTOR_LINKS]
    assert [b["value"] for b in actions["elements"]] == list(names)
    assert [b["text"]["text"] for b in actions["elements"]] == list(names)
    assert [b["action_id"] for b in actions["elements"]] == [f"{ACTOR_ACTION}{n}" for n in range(len(names))]
    assert all(b["type"] == "button" for b in actions["elements"])


async def test_a_click_on_a_slack_button_shows_the_clicker_alone_the_actor_view(store: Store) -> None:
    core = Recording(store)
    async with open_slack(core) as harness:
        poster = slack_poster(Secrets(slack_bot_token="xoxb-test-token"), client=harness.api.client())
        await deliver(store, "slack", CHANNEL, poster)
        digest = harness.api.calls("chat.postMessage")[-1]
        [actions] = actions_blocks(digest)
        [button] = [b for b in actions["elements"] if b["value"] == ASSAD]
        body = block_actions(digest, button, user=MEMBER, response_url=harness.api.response_url("actions"))
        calls = await harness.answers_to(body, FORM)  # signed, acknowledged with a 200, then answered
    [incoming] = core.incoming
    assert (incoming.platform, incoming.channel, incoming.user) == ("slack", CHANNEL, MEMBER)
    assert incoming.text == "actor 'Bashar al-Assad'"
    assert calls and all(c.method == "chat.postEphemeral" and c.body["user"] == MEMBER for c in calls)
    assert all(c.body["channel"] == CHANNEL for c in calls)
    text = "\n".join(c.posted().text for c in calls)
    assert "Bashar al-Assad (person)" in text and "Latest stories" in text
    assert "Aleppo" in text  # the militias story, one of those naming him
    assert not [c for c in calls if actions_blocks(c)]  # the actor view offers no buttons of its own


async def test_where_the_bot_may_not_post_the_click_is_answered_by_its_response_url(store: Store) -> None:
    core = Recording(store)
    async with open_slack(core) as harness:
        poster = slack_poster(Secrets(slack_bot_token="xoxb-test-token"), client=harness.api.client())
        await deliver(store, "slack", "CDIGEST02", poster)
        digest = harness.api.calls("chat.postMessage")[-1]
        [button] = [b for b in actions_blocks(digest)[0]["elements"] if b["value"] == ASSAD]
        body = block_actions(digest, button, user=MEMBER, response_url=harness.api.response_url("actions"))
        harness.api.script("chat.postEphemeral", answer={"ok": False, "error": "not_in_channel"})
        calls = await harness.answers_to(body, FORM)
    assert calls and all(c.method == RESPONSE_URL_METHOD for c in calls)
    assert all(c.body["response_type"] == "ephemeral" and c.body["replace_original"] is False for c in calls)
    assert "Bashar al-Assad (person)" in visible_text(calls[0].blocks())


def test_slack_buttons_keep_to_block_kits_limits_and_never_crowd_a_full_message() -> None:
    long = "The " + "Very " * 30 + "Long Name of an Organisation"
    [actions_block] = [actor_buttons((long, ASSAD, ASSAD, " "))]
    assert actions_block is not None
    [first, second] = actions_block["elements"]  # a name once; a blank one gets no button
    assert len(first["text"]["text"]) <= BUTTON_TEXT and first["text"]["text"].endswith(ELLIPSIS)
    assert first["value"] == long and second["value"] == ASSAD
    assert actor_buttons(("x" * 2001,)) is None  # too long for a value: a cut one would open another
    # A last message holding Slack's 50 blocks already: the buttons go in a message of their own.
    sections = (*(Section(lines=(f"line {n}",)) for n in range(23)), Section(title="Last", lines=("end",)))
    full = View(heading="Full", sections=sections)
    [message] = slack_messages(full)
    assert len(message.blocks) == MAX_BLOCKS  # header, 23 dividers, 23 sections, a title and its lines
    first_part, buttons = slack_messages(replace(full, actor_links=(ASSAD,)))
    assert first_part.blocks == message.blocks
    assert [block["type"] for block in buttons.blocks] == ["actions"]
    # Room left: they join the last message, whose fallback text stays the view's.
    [short] = slack_messages(View(heading="Short", sections=(Section(lines=("one",)),), actor_links=(ASSAD,)))
    assert short.blocks[-1]["type"] == "actions" and short.text == "Short"


# -- Discord -------------------------------------------------------------------------------------------


def buttons_of(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The buttons of a sent message's JSON: each action row's components."""
    rows = body.get("components") or []
    assert all(row["type"] == ACTION_ROW for row in rows)
    return [component for row in rows for component in row["components"]]


def component_interaction(
    harness: DiscordHarness, *, custom_id: str, message: dict[str, Any]
) -> dict[str, Any]:
    """The INTERACTION_CREATE Discord sends when a member clicks the button ``custom_id`` under
    ``message`` (a message as Discord serves it, its components included)."""
    # The member, guild and channel of a slash command's payload; a click's own type, data and message.
    payload = cast(dict[str, Any], harness.payload("help"))
    payload["type"] = COMPONENT
    payload["data"] = {"custom_id": custom_id, "component_type": BUTTON}
    payload["message"] = message
    return payload


def served_message(body: dict[str, Any], *, message_id: int, flags: int = 0) -> dict[str, Any]:
    """The message Discord keeps for a POSTed ``body``: what a component interaction carries."""
    return {
        "id": str(message_id),
        "channel_id": str(CHANNEL_ID),
        "guild_id": str(GUILD_ID),
        "type": 0,
        "content": body.get("content") or "",
        "embeds": body.get("embeds") or [],
        "components": body.get("components") or [],
        "attachments": [],
        "mentions": [],
        "mention_roles": [],
        "mention_everyone": False,
        "pinned": False,
        "tts": False,
        "flags": flags,
        "timestamp": "2026-11-24T10:00:00+00:00",
        "edited_timestamp": None,
        "author": {
            "id": str(fake_discord.BOT_USER_ID),
            "username": "briefbot",
            "discriminator": "0",
            "global_name": None,
            "avatar": None,
            "bot": True,
        },
    }


async def click(
    harness: DiscordHarness, core: Recording, payload: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> list[Shown]:
    """Dispatch the click as the gateway does and wait for discord.py's task answering it (the one it
    names after the item and the custom_id) to end; what the clicker was shown, every reply whole."""
    harness.dispatch(cast(Any, payload))
    name = f"discord-ui-dynamic-item-{ActorButton.__name__}-{payload['data']['custom_id']}"
    [answering] = [task for task in asyncio.all_tasks() if task.get_name() == name]
    await asyncio.wait_for(answering, timeout=WAIT)
    replies = core.handled.get_nowait()
    shown = harness.api.shown(payload["token"])
    assert len(shown) == sum(len(discord_messages(to_view(reply))) for reply in replies)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], "the click failed"
    return shown


async def test_a_discord_digest_carries_its_key_actors_as_buttons_on_its_last_message(
    store: Store, discord_api: FakeDiscordAPI
) -> None:
    poster = DiscordPoster("poster-token")
    try:
        reply = await deliver(store, "discord", "778", poster)
    finally:
        await poster.close()
    posts = discord_api.calls("POST", r"^/channels/778/messages$")
    assert len(posts) == len(discord_messages(to_view(reply))) and all(p.status == 200 for p in posts)
    assert all(not p.body.get("components") for p in posts[:-1])
    names = reply.digest.actors[:ACTOR_LINKS]
    [row] = posts[-1].body["components"]  # one row: five buttons at most
    buttons = buttons_of(posts[-1].body)
    assert row["type"] == ACTION_ROW and [b["type"] for b in buttons] == [BUTTON] * len(names)
    assert [b["label"] for b in buttons] == list(names)
    assert [b["custom_id"] for b in buttons] == [f"{ACTOR_ID_PREFIX}{name}" for name in names]
    assert posts[-1].body["embeds"]  # on the message that shows the digest's last part


async def test_a_click_on_a_discord_button_answers_the_clicker_ephemerally_with_the_actor_view(
    store: Store, discord_api: FakeDiscordAPI, caplog: pytest.LogCaptureFixture
) -> None:
    poster = DiscordPoster("poster-token")
    try:
        await deliver(store, "discord", "779", poster)  # not the harness's channel: its digest stays new
    finally:
        await poster.close()
    [*_, last] = discord_api.calls("POST", r"^/channels/779/messages$")
    [button] = [b for b in buttons_of(last.body) if b["label"] == ASSAD]
    core = Recording(store)
    # A client started after the digest was posted: the registered class answers, no view was kept.
    async with open_discord(cast(CommandCore, core), api=discord_api) as harness:
        message = served_message(last.body, message_id=discord_api.next_id())
        payload = component_interaction(harness, custom_id=button["custom_id"], message=message)
        shown = await click(harness, core, payload, caplog)
    [incoming] = core.incoming
    assert incoming.text == "actor 'Bashar al-Assad'" and incoming.channel == str(CHANNEL_ID)
    callback = discord_api.calls("POST", rf"^/interactions/{payload['id']}/")[0]
    assert callback.body["type"] == fake_discord.DEFERRED  # "actor" reads the store: deferred at once
    assert callback.body["data"]["flags"] & fake_discord.EPHEMERAL  # and the placeholder is private
    assert shown and all(s.private for s in shown)
    text = flatten(shown[0])
    assert "Bashar al-Assad (person)" in text and "Latest stories" in text
    assert not discord_api.calls("DELETE")  # the private placeholder was not deleted, but answered


async def test_the_digest_preview_answered_in_discord_carries_the_buttons_too(
    store: Store, discord_api: FakeDiscordAPI
) -> None:
    core = Recording(store)
    async with open_discord(cast(CommandCore, core), api=discord_api) as harness:
        payload = harness.payload("digest")
        shown = await harness.run(payload)
    assert shown[0].content.startswith("Digest for") and all(s.private for s in shown)
    followups = discord_api.calls("POST", r"^/webhooks/\d+/[^/]+$")
    assert all(not f.body.get("components") for f in followups[:-1])
    assert ASSAD in [b["label"] for b in buttons_of(followups[-1].body)]


async def test_a_name_too_long_for_a_custom_id_is_cut_at_a_word_and_still_found(
    store: Store, discord_api: FakeDiscordAPI, caplog: pytest.LogCaptureFixture
) -> None:
    long = "The International Federation of " + "Very " * 20 + "Long Names"
    custom_id = actor_custom_id(long)
    assert len(custom_id) <= CUSTOM_ID_LIMIT and custom_id.endswith(ELLIPSIS)
    assert long.startswith(custom_id.removeprefix(ACTOR_ID_PREFIX).removesuffix(ELLIPSIS))
    assert ActorButton(long).custom_id == custom_id and len(ActorButton(long).item.label or "") <= 80
    assert actor_custom_id(ASSAD) == f"{ACTOR_ID_PREFIX}{ASSAD}"
    # What a cut id names is the actor whose name it began (here a known one, cut as a long one is).
    assert resolve_cut_name(store, f"Bashar al-{ELLIPSIS}") == ASSAD
    assert resolve_cut_name(store, ASSAD) == ASSAD  # not cut: as it is
    assert resolve_cut_name(store, f"Nobody Stored{ELLIPSIS}") == f"Nobody Stored{ELLIPSIS}"
    core = Recording(store)
    async with open_discord(cast(CommandCore, core), api=discord_api) as harness:
        cut = f"{ACTOR_ID_PREFIX}Bashar al-{ELLIPSIS}"
        components = [
            {
                "type": ACTION_ROW,
                "components": [{"type": BUTTON, "style": 2, "label": "Bashar al-Assad", "custom_id": cut}],
            }
        ]
        message = served_message(
            {"content": "Digest", "components": components}, message_id=discord_api.next_id()
        )
        shown = await click(
            harness, core, component_interaction(harness, custom_id=cut, message=message), caplog
        )
    assert core.incoming[0].text == "actor 'Bashar al-Assad'"
    assert "Bashar al-Assad (person)" in flatten(shown[0]) and shown[0].private


# -- the console ---------------------------------------------------------------------------------------


async def test_the_console_names_the_actor_commands_after_the_digest(store: Store) -> None:
    stdout = io.StringIO()
    core = Recording(store)
    await chat(cast(CommandCore, core), stdin=io.StringIO("digest\n"), stdout=stdout, channel="actors")
    lines = stdout.getvalue().rstrip("\n").splitlines()
    assert lines[0].startswith("Digest for")
    [digest] = [r for r in answered(core) if isinstance(r, DigestReply)]
    names = digest.digest.actors[:ACTOR_LINKS]
    assert lines[-1] == "More: " + " · ".join(f"actor {name}" for name in names)
    assert lines[-2] == "" and any(line.strip().startswith("Key actors:") for line in lines)


def answered(core: Recording) -> list[Reply]:
    """Every reply the core gave so far, in order."""
    replies: list[Reply] = []
    while not core.handled.empty():
        replies.extend(core.handled.get_nowait())
    return replies


def test_the_more_line_quotes_only_a_name_that_needs_it() -> None:
    assert more_line((ASSAD, "O'Brien", ASSAD)) == 'More: actor Bashar al-Assad · actor "O\'Brien"'
    assert more_line(()) is None and more_line((" ",)) is None
    view = View(heading="Heading", actor_links=("IDU",))
    assert render_text(view) == "Heading\n\nMore: actor IDU"
    assert "More:" not in render_text(View(heading="Heading"))
