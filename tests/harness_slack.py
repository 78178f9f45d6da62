"""The Slack adapter driven as Slack drives it: signed HTTP requests to Bolt's own aiohttp server.

``send()`` POSTs a ``/briefbot`` slash command, signed with the signing secret exactly as Slack signs
(``X-Slack-Request-Timestamp``, ``X-Slack-Signature: v0=HMAC-SHA256``), to the app's real web server
on 127.0.0.1, checks the 200 acknowledgement, then waits until the replies reach the fake Web API
(:mod:`tests.slack_api`) and returns them as the channel or the asker saw them.

How many messages to wait for is known, not guessed: the core is wrapped so the harness sees the
replies it returned, and each reply becomes ``len(to_messages(to_view(reply)))`` messages.
"""

from __future__ import annotations

import asyncio
import json
import time
import zlib
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any, cast
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from bot.adapters.slack_app import COMMAND, build_app, slack_poster
from bot.core import CommandCore, Incoming, Reply
from bot.core.posting import Poster
from bot.render.blocks import to_messages
from bot.render.view import to_view
from bot.secrets import Secrets
from config import SlackSettings
from tests.chat_harness import Posted
from tests.slack_api import BOT_USER_ID, TEAM_ID, Call, FakeSlackApi, fake_slack_api

SIGNING_SECRET = "test-signing-secret-8f1c"
MANAGER = "UMANAGER1"  # listed in SlackSettings.managers
MEMBER = "UMEMBER01"  # not listed, and users.info says not an admin
CHANNEL = "CBRIEFING"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
WAIT = 20.0
SECRETS = Secrets(slack_bot_token="xoxb-test-token", slack_signing_secret=SIGNING_SECRET)


def signed_headers(
    body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None
) -> dict[str, str]:
    """The two headers Slack adds to every HTTP request, computed as slack_sdk's verifier checks them."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    assert signature is not None
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}


class RecordingCore:
    """The core (or a stand-in) with every call seen: what came in, and each answer as it is returned."""

    def __init__(self, core: Any) -> None:
        self.core = core
        self.incoming: list[Incoming] = []
        self.handled: asyncio.Queue[list[Reply]] = asyncio.Queue()

    async def handle(self, incoming: Incoming) -> list[Reply]:
        self.incoming.append(incoming)
        replies: list[Reply] = await self.core.handle(incoming)
        self.handled.put_nowait(replies)
        return replies

    async def first_time(self, platform: str, event_id: str) -> bool:
        new: bool = await self.core.first_time(platform, event_id)
        return new

    def __getattr__(self, name: str) -> Any:
        """What the adapter reads of the core beyond its calls (its storage settings, its store)."""
        return getattr(self.core, name)

    async def brief_document(self, incoming: Incoming, document: Any) -> list[Reply]:
        self.incoming.append(incoming)
        replies: list[Reply] = await self.core.brief_document(incoming, document)
        self.handled.put_nowait(replies)
        return replies


class SlackHarness:
    platform = "slack"

    def __init__(
        self, *, api: FakeSlackApi, url: str, session: aiohttp.ClientSession, core: RecordingCore
    ) -> None:
        self.api = api
        self.url = url
        self.session = session
        self.core = core
        self.posted_to_channel = 0  # messages the poster (the deliverer's) posted so far

    def poster(self) -> Poster:
        """The scheduler's real Slack poster on the fake API, as ``briefbot run`` gives the deliverer;
        what it posts while a command is answered is part of that command's answer."""
        post = slack_poster(SECRETS, client=self.api.client())

        async def counted(channel: str, reply: Reply, **options: Any) -> None:
            await post(channel, reply, **options)
            self.posted_to_channel += len(to_messages(to_view(reply))) - options.get("start", 0)

        return counted

    def link(self, url: str) -> str:
        """Slack's markup for a typed link, labelled with what was typed, its ``&`` escaped."""
        escaped = url.replace("&", "&amp;")
        return f"<{escaped}|{escaped.split('://', 1)[-1]}>"

    async def send(self, text: str, *, manager: bool = False, user: str | None = None) -> list[Posted]:
        calls = await self.command(text, user=user or (MANAGER if manager else MEMBER))
        return [call.posted() for call in calls]

    async def command(self, text: str, *, user: str = MEMBER) -> list[Call]:
        """``/briefbot text`` typed by ``user``; the fake API's calls that delivered the answer."""
        body = command_body(text, user=user, response_url=self.api.response_url())
        return await self.answers_to(body, FORM)

    async def post(
        self, body: str, content_type: str, *, headers: Mapping[str, str] | None = None
    ) -> tuple[int, str]:
        """POST ``body`` to the app; signed correctly unless ``headers`` says otherwise."""
        sent = {"Content-Type": content_type, **signed_headers(body), **(headers or {})}
        async with self.session.post(self.url, data=body.encode(), headers=sent) as response:
            return response.status, await response.text()

    async def answers_to(
        self, body: str, content_type: str, *, headers: Mapping[str, str] | None = None
    ) -> list[Call]:
        """Send one request the core will answer; the fake API's calls that delivered its answer."""
        before, posted_before = len(self.api.delivered()), self.posted_to_channel
        status, text = await self.post(body, content_type, headers=headers)
        assert status == 200, f"Slack would show an error: {status} {text}"
        replies = await asyncio.wait_for(self.core.handled.get(), timeout=WAIT)
        expected = before + sum(len(to_messages(to_view(reply))) for reply in replies)
        expected += self.posted_to_channel - posted_before
        await self.api.until(lambda api: len(api.delivered()) >= expected)
        return self.api.delivered()[before:expected]

    async def mention(
        self, text: str, *, event_id: str, user: str = MANAGER, retry: int | None = None
    ) -> tuple[int, str]:
        """Deliver an ``app_mention`` event (a retry when ``retry`` is set), without waiting for answers."""
        body = json.dumps(mention_event(text, event_id=event_id, user=user))
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else None
        return await self.post(body, JSON, headers=headers)


def command_body(text: str, *, user: str = MEMBER, response_url: str = "") -> str:
    """A slash command's form body, with the fields Slack sends."""
    return urlencode(
        {
            "token": "deprecated-verification-token",
            "team_id": TEAM_ID,
            "team_domain": "briefbot-test",
            "channel_id": CHANNEL,
            "channel_name": "briefing",
            "user_id": user,
            "user_name": user.lower(),
            "command": COMMAND,
            "text": text,
            "api_app_id": "A0BRIEF",
            "response_url": response_url,
            "trigger_id": "1337.42.abcdef",
        }
    )


def mention_event(text: str, *, event_id: str, user: str = MANAGER, channel: str = CHANNEL) -> dict[str, Any]:
    ts = f"1700000100.{zlib.crc32(event_id.encode()) % 10**6:06d}"
    return {
        "token": "deprecated-verification-token",
        "team_id": TEAM_ID,
        "api_app_id": "A0BRIEF",
        "type": "event_callback",
        "event_id": event_id,
        "event_time": 1700000100,
        "event": {
            "type": "app_mention",
            "user": user,
            "text": text,
            "ts": ts,
            "channel": channel,
            "event_ts": ts,
        },
        "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
    }


@asynccontextmanager
async def open_harness(
    core: CommandCore | Any, *, admins: tuple[str, ...] = (), settings: SlackSettings | None = None
) -> AsyncIterator[SlackHarness]:
    """The Bolt app of ``build_app`` on Bolt's aiohttp server at 127.0.0.1, a free port, over the fake API."""
    settings = settings or SlackSettings(mode="http", managers=(MANAGER,))
    recording = RecordingCore(core)
    with fake_slack_api(admins=admins) as api:
        app = build_app(
            cast(CommandCore, recording),
            settings=settings,
            secrets=SECRETS,
            client=api.client(),
        )
        runner = web.AppRunner(app.web_app(path=settings.path))
        await runner.setup()
        try:
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            host, port = runner.addresses[0][:2]
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=WAIT)) as session:
                yield SlackHarness(
                    api=api, url=f"http://{host}:{port}{settings.path}", session=session, core=recording
                )
        finally:
            await runner.cleanup()
