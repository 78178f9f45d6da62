"""The "Brief this" gesture where the link was seen: a Slack message shortcut, a Discord context menu.

Each briefs the message's first link for the asker alone, with a "Share in channel" button whose click
posts the brief for everyone. The store is real (the shipped samples ingested), the page a new one on
the loopback server; Slack's side is the real Bolt app given signed ``message_action`` and
``block_actions`` requests, Discord's the real discord.py client given the INTERACTION_CREATE
payloads of the context menu (type 2, data type 3) and of the button (type 3), against the fakes.
"""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlencode

import pytest

from bot.adapters.discord_bot import (
    BRIEF_THIS,
    SHARE_ID_PREFIX,
    ShareButton,
)
from bot.adapters.discord_bot import NO_LINK as DISCORD_NO_LINK
from bot.adapters.discord_bot import (
    first_link as discord_first_link,
)
from bot.adapters.slack_app import (
    BRIEF_THIS_CALLBACK,
    NO_LINK,
    SHARE_ACTION_ID,
    first_link,
)
from bot.core import CommandCore
from config import StorageSettings
from storage.db import open_database
from storage.store import Store
from summarizer import Summarizer
from tests import discord_api as fake_discord
from tests import loopback
from tests.discord_api import FakeDiscordAPI, Shown
from tests.harness_discord import DiscordHarness, flatten
from tests.harness_discord import open_harness as open_discord
from tests.harness_slack import CHANNEL, FORM, MEMBER, SlackHarness
from tests.harness_slack import open_harness as open_slack
from tests.slack_api import BOT_USER_ID, DOWNLOAD_METHOD, TEAM_ID, Call
from tests.test_actor_links_chat import component_interaction, served_message
from tests.test_chat_files import report
from tests.test_delivery import samples
from tests.test_office_documents import TITLE as PDF_TITLE

loopback_server = loopback.loopback_server  # the fixture, found by pytest under this name
discord_api = fake_discord.discord_api

TITLE = "Harbour Town Opens Tidal Power Station"
WAIT = 20.0
CONTEXT_MENU_MESSAGE = 3  # an application command's data.type for a message context menu


def page(platform: str) -> str:
    """A news page never stored before, one per platform so each test briefs a new URL."""
    paragraphs = (
        "Harbour Town opened a tidal power station on its northern breakwater on Monday, officials said.",
        f"The {platform} station will supply some 12,000 homes with electricity from the tides.",
        "Engineer Mira Osei said the turbines cost $40 million and took two years to install.",
    )
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    head = f"<head><title>{TITLE}</title></head>"
    return f"<html>{head}<body><article><h1>{TITLE}</h1>{body}</article></body></html>"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    path: Path = tmp_path_factory.mktemp("brief-this") / "briefbot.db"
    engine, sessions = open_database(f"sqlite:///{path}")
    opened = Store(engine=engine, sessions=sessions, summarizer=Summarizer())
    assert all(stored.article is not None for stored in opened.ingest(samples()))
    return opened


def core(store: Store) -> CommandCore:
    # Loopback is refused to chat users by default; the tests' own page server is allowed here.
    return CommandCore(store=store, storage_settings=StorageSettings(allow_hosts=("127.0.0.1",)))


def stored_id(store: Store, url: str) -> int:
    [article] = [a for a in store.articles(limit=100) if a.url == url]
    return article.id


# -- what counts as the message's link ----------------------------------------------------------------


def test_the_first_link_is_found_as_each_platform_writes_it() -> None:
    assert first_link("see <https://a.example/x?a=1&amp;b=2|this> and <https://b.example>") == (
        "https://a.example/x?a=1&b=2"
    )
    assert first_link("<https://b.example/y>") == "https://b.example/y"
    assert first_link("plain https://c.example/z then more") == "https://c.example/z"
    assert first_link("<@U123> no link, <#C1|general>, <mailto:a@b.example|mail>") is None
    assert discord_first_link("read this: <https://d.example/a>.") == "https://d.example/a"
    assert discord_first_link("(https://e.example/b), says who") == "https://e.example/b"
    assert discord_first_link("nothing here") is None


# -- Slack ---------------------------------------------------------------------------------------------


def message_action(
    text: str, *, response_url: str, thread_ts: str | None = None, files: list[dict[str, Any]] | None = None
) -> str:
    """The form body Slack POSTs when ``MEMBER`` chooses "Brief this" on a message saying ``text``
    (with ``files``: one that shares them)."""
    message: dict[str, Any] = {
        "type": "message",
        "user": "UAUTHOR01",
        "ts": "1700000300.000100",
        "text": text,
    }
    if thread_ts:
        message["thread_ts"] = thread_ts
    if files:
        message["files"], message["upload"] = files, True
    payload = {
        "type": "message_action",
        "callback_id": BRIEF_THIS_CALLBACK,
        "trigger_id": "1337.42.shortcut",
        "action_ts": "1700000400.000200",
        "token": "deprecated-verification-token",
        "team": {"id": TEAM_ID, "domain": "briefbot-test"},
        "user": {"id": MEMBER, "username": MEMBER.lower(), "name": MEMBER.lower(), "team_id": TEAM_ID},
        "channel": {"id": CHANNEL, "name": "briefing"},
        "is_enterprise_install": False,
        "enterprise": None,
        "message_ts": message["ts"],
        "message": message,
        "response_url": response_url,
    }
    return urlencode({"payload": json.dumps(payload)})


def share_click(answer: Call, button: dict[str, Any], *, response_url: str) -> str:
    """The form body Slack POSTs when ``MEMBER`` clicks ``button`` under the ephemeral ``answer``."""
    payload = {
        "type": "block_actions",
        "user": {"id": MEMBER, "username": MEMBER.lower(), "name": MEMBER.lower(), "team_id": TEAM_ID},
        "api_app_id": "A0BRIEF",
        "token": "deprecated-verification-token",
        "container": {
            "type": "message",
            "message_ts": str(answer.answer["message_ts"]),
            "channel_id": CHANNEL,
            "is_ephemeral": True,
        },
        "trigger_id": "1337.42.shared",
        "team": {"id": TEAM_ID, "domain": "briefbot-test"},
        "channel": {"id": CHANNEL, "name": "briefing"},
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": button["action_id"],
                "block_id": "briefbot_share",
                "text": button["text"],
                "value": button["value"],
                "action_ts": "1700000500.000300",
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)})


def share_buttons(call: Call) -> list[dict[str, Any]]:
    return [
        element
        for block in call.blocks()
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == SHARE_ACTION_ID
    ]


async def test_slack_brief_this_answers_the_asker_alone_and_a_click_shares_it(
    store: Store, loopback_server: loopback.LoopbackServer
) -> None:
    url = loopback_server.reply("/slack-tidal.html", page("slack"), content_type="text/html")
    async with open_slack(core(store)) as harness:
        text = f"worth a read <{url}|tidal power> and <https://elsewhere.example/later>"
        body = message_action(text, response_url=harness.api.response_url("shortcut"), thread_ts="1699.1")
        calls = await harness.answers_to(body, FORM)  # signed, acknowledged with a 200, then answered
        [incoming] = harness.core.incoming
        assert incoming.text == f"brief {url}" and (incoming.channel, incoming.user) == (CHANNEL, MEMBER)
        assert calls and all(c.method == "chat.postEphemeral" and c.body["user"] == MEMBER for c in calls)
        assert all(c.body["channel"] == CHANNEL and c.body["thread_ts"] == "1699.1" for c in calls)
        shown = "\n".join(c.posted().text for c in calls)
        assert TITLE in shown and "12,000 homes" in shown
        article_id = stored_id(store, url)
        [button] = share_buttons(calls[-1])  # under the brief's last message, once
        assert button["value"] == str(article_id) and button["text"]["text"] == "Share in channel"
        assert not [c for c in calls[:-1] if share_buttons(c)]
        assert loopback_server.count("/slack-tidal.html") == 1

        click = share_click(calls[-1], button, response_url=harness.api.response_url("share"))
        shared = await harness.answers_to(click, FORM)
    assert harness.core.incoming[-1].text == f"brief {article_id}"
    assert shared and all(c.method == "chat.postMessage" and c.body["channel"] == CHANNEL for c in shared)
    assert TITLE in "\n".join(c.posted().text for c in shared)
    assert not [c for c in shared if share_buttons(c)]  # the channel's copy offers no second share
    assert loopback_server.count("/slack-tidal.html") == 1  # shared from the store, not fetched again


async def slack_no_link(harness: SlackHarness, text: str) -> list[Call]:
    """The shortcut on a message without a link: what the asker was shown (the core is not asked)."""
    before = len(harness.api.delivered())
    status, _ = await harness.post(message_action(text, response_url=harness.api.response_url()), FORM)
    assert status == 200
    await harness.api.until(lambda api: len(api.delivered()) > before)
    await asyncio.sleep(0.1)  # room for a second message, should one wrongly follow
    return harness.api.delivered()[before:]


async def test_slack_brief_this_on_a_message_without_a_link_says_so_in_one_line(store: Store) -> None:
    async with open_slack(core(store)) as harness:
        [answer] = await slack_no_link(harness, f"see the attached report, <@{BOT_USER_ID}>")
        assert harness.core.incoming == []
    assert answer.method == "chat.postEphemeral" and answer.body["user"] == MEMBER
    assert answer.posted().text == NO_LINK and not share_buttons(answer)


async def test_slack_brief_this_on_a_message_with_only_a_file_briefs_the_file_for_the_asker(
    store: Store,
) -> None:
    async with open_slack(core(store)) as harness:
        file = harness.api.share_file("harbour.pdf", report("Brief-this Slack"), mimetype="application/pdf")
        body = message_action("the board's report", response_url=harness.api.response_url(), files=[file])
        calls = await harness.answers_to(body, FORM)
        [download] = harness.api.calls(DOWNLOAD_METHOD)
    assert download.body["authorized"] is True  # fetched from Slack's file host with the bot token
    assert calls and all(c.method == "chat.postEphemeral" and c.body["user"] == MEMBER for c in calls)
    assert PDF_TITLE in "\n".join(c.posted().text for c in calls)
    [button] = share_buttons(calls[-1])
    assert button["value"].isdigit() and store.brief_of(int(button["value"])) is not None


# -- Discord -------------------------------------------------------------------------------------------


def context_menu(
    harness: DiscordHarness, content: str, attachments: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The INTERACTION_CREATE Discord sends when a member chooses "Brief this" on a message saying
    ``content`` (with ``attachments``): an application command (type 2) of data type 3, the message
    resolved by its id."""
    payload = cast(dict[str, Any], harness.payload("help"))  # the member, guild and channel of a command
    message_id = harness.api.next_id()
    message = served_message({"content": content}, message_id=message_id)
    message["attachments"] = attachments or []
    message["author"] = {
        "id": "1300000000000000077",
        "username": "writer",
        "discriminator": "0",
        "avatar": None,
    }
    payload["data"] = {
        "id": str(harness.api.next_id()),
        "name": BRIEF_THIS,
        "type": CONTEXT_MENU_MESSAGE,
        "target_id": str(message_id),
        "resolved": {"messages": {str(message_id): message}},
    }
    return payload


def components_sent(api: FakeDiscordAPI, token: str) -> list[dict[str, Any]]:
    """The buttons of every message sent for the interaction ``token`` (response or followup)."""
    return [
        component
        for call in api.calls("POST")
        if token in call.path and isinstance(call.body, dict)
        for body in (call.body.get("data", call.body),)
        for row in body.get("components") or []
        for component in row["components"]
    ]


async def test_discord_brief_this_is_ephemeral_and_its_button_posts_it_for_the_channel(
    store: Store,
    discord_api: FakeDiscordAPI,
    loopback_server: loopback.LoopbackServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = loopback_server.reply("/discord-tidal.html", page("discord"), content_type="text/html")
    async with open_discord(core(store), api=discord_api) as harness:
        payload = context_menu(harness, f"worth a read: <{url}>, and https://elsewhere.example/later")
        shown = await harness.run(cast(Any, payload))
        assert shown and all(s.private for s in shown)
        assert TITLE in "\n".join(flatten(s) for s in shown)
        callback = discord_api.calls("POST", rf"^/interactions/{payload['id']}/")[0]
        assert callback.body["data"]["flags"] & fake_discord.EPHEMERAL  # private from the first answer
        article_id = stored_id(store, url)
        [button] = [c for c in components_sent(discord_api, payload["token"]) if c.get("custom_id")]
        assert (
            button["custom_id"] == f"{SHARE_ID_PREFIX}{article_id}" and button["label"] == "Share in channel"
        )

        message = served_message(
            {"content": "", "components": [{"type": 1, "components": [button]}]},
            message_id=discord_api.next_id(),
            flags=fake_discord.EPHEMERAL,
        )
        click = component_interaction(harness, custom_id=button["custom_id"], message=message)
        harness.dispatch(cast(Any, click))
        name = f"discord-ui-dynamic-item-{ShareButton.__name__}-{button['custom_id']}"
        [answering] = [task for task in asyncio.all_tasks() if task.get_name() == name]
        await asyncio.wait_for(answering, timeout=WAIT)
        shared: list[Shown] = discord_api.shown(click["token"])
    assert shared and not any(s.private for s in shared)  # for the channel to see
    assert TITLE in "\n".join(flatten(s) for s in shared)
    assert not [c for c in components_sent(discord_api, click["token"]) if c.get("custom_id")]
    assert loopback_server.count("/discord-tidal.html") == 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_discord_brief_this_on_a_message_without_a_link_says_so_in_one_line(
    store: Store, discord_api: FakeDiscordAPI
) -> None:
    async with open_discord(core(store), api=discord_api) as harness:
        payload = context_menu(harness, "the report is attached, have a look")
        shown = await harness.run(cast(Any, payload))
    assert [(s.content, s.private) for s in shown] == [(DISCORD_NO_LINK, True)]


async def test_discord_brief_this_on_a_message_with_only_a_file_briefs_the_file_for_the_asker(
    store: Store, discord_api: FakeDiscordAPI
) -> None:
    async with open_discord(core(store), api=discord_api) as harness:
        attachment = discord_api.attachment(
            "harbour.pdf", report("Brief-this Discord"), content_type="application/pdf"
        )
        payload = context_menu(harness, "the board's report", attachments=[attachment])
        shown = await harness.run(cast(Any, payload))
        [button] = [c for c in components_sent(discord_api, payload["token"]) if c.get("custom_id")]
    assert shown and all(s.private for s in shown)
    assert PDF_TITLE in "\n".join(flatten(s) for s in shown)
    assert button["custom_id"].startswith(SHARE_ID_PREFIX) and button["label"] == "Share in channel"
    assert store.brief_of(int(button["custom_id"].removeprefix(SHARE_ID_PREFIX))) is not None
