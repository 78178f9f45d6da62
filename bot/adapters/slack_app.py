"""The Slack adapter: Bolt payloads in, Block Kit messages out; the command core does the rest.

A slash command ``/briefbot <command>`` and a mention ``@briefbot <command>`` both become an
:class:`~bot.core.Incoming`; each reply is rendered by :func:`bot.render.blocks.to_messages` and posted.

Replies go out through the Web API (``chat.postMessage`` for the channel, ``chat.postEphemeral`` for
the asker) rather than the slash command's ``response_url``: the Web API client carries the
rate-limit retry handler (``slack_sdk`` does not retry a 429 without one, FIELD-NOTES), has no
5-replies-in-30-minutes cap (a long digest is several messages) and is the one path mentions and the
scheduler use too. Where the bot may not post (a DM or a private channel it was not invited to:
``not_in_channel``, ``channel_not_found``), a slash command's replies fall back to ``response_url``,
which Slack accepts anywhere the command was typed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.core import CommandCore, Incoming, Reply, TextReply
from bot.core.posting import PartlyPosted, Poster, Progress
from bot.render.blocks import SlackMessage, to_messages
from bot.render.view import to_view
from bot.secrets import SLACK_BOT_TOKEN, Secrets
from config import ConfigError, SlackSettings

COMMAND = "/briefbot"
PLATFORM = "slack"
RATE_LIMIT_RETRIES = 3  # each waits the Retry-After Slack sent
MANAGER_TTL = 300.0  # seconds a users.info answer (admin/owner or not) is trusted
MANAGER_CACHE = 1024
# Bolt reads these from the environment and, finding both, switches to its multi-workspace OAuth install
# flow: SLACK_BOT_TOKEN is then ignored and every request fails authorization.
BOLT_OAUTH_VARIABLES = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET")
CANNOT_POST_HERE = frozenset({"not_in_channel", "channel_not_found"})
FAILED = "Sorry, something went wrong while answering that. Please try again."


_MENTION = re.compile(r"^\s*<@[A-Z0-9]+(?:\|[^>]*)?>[\s:,]*")

log = logging.getLogger("briefbot.slack")


class Managers:
    """Who may change a channel's subscription and sources: configured ids, or workspace admins/owners.

    ``users.info`` is asked once per user and trusted for :data:`MANAGER_TTL` seconds, so a burst of
    commands costs one call and a promotion or demotion shows within minutes.
    """

    def __init__(
        self,
        *,
        client: AsyncWebClient,
        managers: Sequence[str],
        ttl: float = MANAGER_TTL,
        size: int = MANAGER_CACHE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._managers = frozenset(managers)
        self._ttl = ttl
        self._size = size
        self._clock = clock
        self._cache: OrderedDict[str, tuple[float, bool]] = OrderedDict()

    async def is_manager(self, user: str) -> bool:
        if user in self._managers:
            return True
        now = self._clock()
        cached = self._cache.get(user)
        if cached and now - cached[0] < self._ttl:
            return cached[1]
        try:
            info = (await self._client.users_info(user=user)).get("user") or {}
            admin = bool(info.get("is_admin") or info.get("is_owner") or info.get("is_primary_owner"))
        except SlackApiError as error:  # e.g. missing users:read: nobody is an admin, say so in the log
            log.warning("users.info for %s failed: %s", user, error.response.get("error"))
            admin = False
        except (aiohttp.ClientError, TimeoutError) as error:  # Slack unreachable: not cached, asked again
            log.warning("users.info for %s failed: %s", user, error)
            return False
        self._cache[user] = (now, admin)
        self._cache.move_to_end(user)
        if len(self._cache) > self._size:
            self._cache.popitem(last=False)
        return admin


def mention_text(text: str, bot_user_id: str | None = None) -> str:
    """What follows the bot's mention: ``<@U123> brief 4`` -> ``brief 4``."""
    if bot_user_id and f"<@{bot_user_id}" in text:
        after = text.split(f"<@{bot_user_id}", 1)[1]
        return after.split(">", 1)[1].lstrip(" :,").strip() if ">" in after else ""
    return _MENTION.sub("", text, count=1).strip()


class _Bridge:
    """Bolt listeners: each turns a payload into an Incoming, asks the core, posts what it answers."""

    def __init__(self, core: CommandCore, *, client: AsyncWebClient, managers: Managers) -> None:
        self.core = core
        self.client = client
        self.managers = managers

    async def on_command(self, ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()  # first: Slack shows the user an error unless acknowledged within 3 seconds
        channel, user = command["channel_id"], command["user_id"]
        incoming = Incoming(
            platform=PLATFORM,
            channel=channel,
            user=user,
            text=command.get("text", ""),
            channel_name=command.get("channel_name"),
            is_manager=await self.managers.is_manager(user),
        )
        await self._answer(incoming, respond=respond if command.get("response_url") else None)

    async def on_mention(
        self, event: dict[str, Any], body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        # Bolt has already acknowledged the event; a retry of one we started is dropped here, by
        # whichever instance it reaches (the deployment remembers, in its database).
        event_id = body.get("event_id") or f"{event.get('channel')}:{event.get('ts')}"
        if "user" not in event or not await self.core.first_time(PLATFORM, str(event_id)):
            return
        user = event["user"]
        incoming = Incoming(
            platform=PLATFORM,
            channel=event["channel"],
            user=user,
            text=mention_text(event.get("text", ""), context.bot_user_id),
            is_manager=await self.managers.is_manager(user),
        )
        await self._answer(incoming, thread_ts=event.get("thread_ts"))

    async def _answer(
        self, incoming: Incoming, *, thread_ts: str | None = None, respond: AsyncRespond | None = None
    ) -> None:
        try:
            replies = await self.core.handle(incoming)
        except Exception:
            log.exception("command %r failed", incoming.text)
            replies = [TextReply(text=FAILED, private=True)]
        for reply in replies:
            await self._post(reply, incoming, thread_ts=thread_ts, respond=respond)

    async def _post(
        self, reply: Reply, incoming: Incoming, *, thread_ts: str | None, respond: AsyncRespond | None
    ) -> None:
        view = to_view(reply)
        for message in to_messages(view):
            try:
                await self._send(message, incoming, private=view.private, thread_ts=thread_ts)
            except SlackApiError as error:
                code = error.response.get("error")
                if respond is None or code not in CANNOT_POST_HERE:
                    log.error("posting to %s failed: %s", incoming.channel, code)
                    return
                await respond(
                    text=message.text,
                    blocks=list(message.blocks),
                    response_type="ephemeral" if view.private else "in_channel",
                    replace_original=False,
                )
            except (aiohttp.ClientError, TimeoutError) as error:  # Slack unreachable: the rest would fail too
                log.error("posting to %s failed: %s", incoming.channel, error)
                return

    async def _send(
        self, message: SlackMessage, incoming: Incoming, *, private: bool, thread_ts: str | None
    ) -> None:
        if not private:
            await post_message(self.client, incoming.channel, message, thread_ts=thread_ts)
            return
        await self.client.chat_postEphemeral(
            channel=incoming.channel,
            user=incoming.user,
            text=message.text,
            blocks=list(message.blocks),
            thread_ts=thread_ts,
        )


async def post_message(
    client: AsyncWebClient, channel: str, message: SlackMessage, *, thread_ts: str | None = None
) -> None:
    """One message to a channel; link previews off, since a digest of five links would grow five cards."""
    await client.chat_postMessage(
        channel=channel,
        text=message.text,
        blocks=list(message.blocks),
        thread_ts=thread_ts,
        unfurl_links=False,
        unfurl_media=False,
    )


def with_rate_limit_retries(client: AsyncWebClient) -> AsyncWebClient:
    """``client`` retrying a 429 after the Retry-After Slack sent (slack_sdk does not, by default)."""
    if not any(isinstance(h, AsyncRateLimitErrorRetryHandler) for h in client.retry_handlers):
        client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES))
    return client


def web_client(settings: SlackSettings, secrets: Secrets) -> AsyncWebClient:
    """The Web API client on the bot token, at the configured API URL, retrying 429s."""
    base_url = settings.api_url if settings.api_url.endswith("/") else settings.api_url + "/"
    return with_rate_limit_retries(AsyncWebClient(token=secrets.slack_bot_token, base_url=base_url))


def slack_poster(
    secrets: Secrets, *, settings: SlackSettings | None = None, client: AsyncWebClient | None = None
) -> Poster:
    """What ``briefbot run`` gives the scheduler for Slack channels: a reply posted to a channel id.

    Errors are raised, not logged: the deliverer retries and, failing, records the digest as not sent.
    """
    if client is None:
        if not secrets.slack_bot_token:
            raise ConfigError(f"posting to Slack needs {SLACK_BOT_TOKEN} in the environment")
        client = web_client(settings or SlackSettings(), secrets)
    client = with_rate_limit_retries(client)

    async def post(channel: str, reply: Reply, *, start: int = 0, sent: Progress | None = None) -> None:
        messages = to_messages(to_view(reply))
        for number in range(start, len(messages)):
            try:
                await post_message(client, channel, messages[number])
            except Exception as error:
                if number == 0:
                    raise
                raise PartlyPosted(number) from error
            if sent is not None:
                await sent(number + 1)

    return post


def missing_secrets(settings: SlackSettings, secrets: Secrets) -> ConfigError | None:
    """The one-line error for what Slack still needs in the configured mode, or None."""
    missing = secrets.slack_missing(settings.mode)
    if not missing:
        return None
    return ConfigError(
        f"slack.mode={settings.mode} needs {' and '.join(missing)} in the environment "
        "(README: Connect a Slack app)"
    )


@contextlib.contextmanager
def _single_workspace() -> Iterator[None]:
    """Hide Bolt's OAuth variables while the app is built, so it stays a one-workspace app on its token.

    Slack's app settings page shows a client id and secret beside the bot token, and people export all
    of them; Bolt has no switch to ignore them, only this. Called once, at start-up, before any thread.
    """
    hidden = {name: os.environ.pop(name) for name in BOLT_OAUTH_VARIABLES if name in os.environ}
    if len(hidden) == len(BOLT_OAUTH_VARIABLES):
        log.warning("ignoring %s: briefbot uses SLACK_BOT_TOKEN in one workspace", " and ".join(hidden))
    try:
        yield
    finally:
        os.environ.update(hidden)


def build_app(
    core: CommandCore,
    *,
    settings: SlackSettings,
    secrets: Secrets,
    client: AsyncWebClient | None = None,
) -> AsyncApp:
    """A Bolt app answering ``/briefbot`` and mentions; HTTP requests are signature-checked.

    ``client`` defaults to :func:`web_client`; whichever is used gets the rate-limit
    retry handler. The app is served by :func:`run_slack` (or, in tests, by ``app.web_app()``).
    """
    error = missing_secrets(settings, secrets)
    if error:
        raise error
    client = with_rate_limit_retries(client or web_client(settings, secrets))
    with _single_workspace():
        app = AsyncApp(
            name="briefbot",
            client=client,
            logger=log,
            # Never read from os.environ by Bolt: secrets come from Secrets only. Socket Mode needs no
            # signing secret (Bolt skips verification there); HTTP mode refused to start without one above.
            signing_secret=secrets.slack_signing_secret or "",
            request_verification_enabled=True,
        )
    bridge = _Bridge(core, client=client, managers=Managers(client=client, managers=settings.managers))
    app.command(COMMAND)(bridge.on_command)
    app.event("app_mention")(bridge.on_mention)
    return app


async def run_slack(
    core: CommandCore, settings: SlackSettings, secrets: Secrets, *, client: AsyncWebClient | None = None
) -> None:
    """Serve Slack until cancelled: Socket Mode (no public URL) or the HTTP Events API endpoint.

    ``client`` is for tests, which point it at a fake Web API; Socket Mode asks it for its WebSocket URL.
    """
    error = missing_secrets(settings, secrets)
    if error:
        raise error
    app = build_app(core, settings=settings, secrets=secrets, client=client)
    if settings.mode == "socket":
        handler = AsyncSocketModeHandler(app, secrets.slack_app_token)
        try:
            await handler.start_async()  # connects, then sleeps until cancelled
        finally:
            await handler.close_async()
        return
    runner = web.AppRunner(app.web_app(path=settings.path, port=settings.port))
    await runner.setup()
    try:
        await web.TCPSite(runner, host=settings.host, port=settings.port).start()
        log.info("Slack events endpoint on port %d at %s", settings.port, settings.path)
        await asyncio.Event().wait()  # until cancelled
    finally:
        await runner.cleanup()


__all__ = [
    "COMMAND",
    "Managers",
    "build_app",
    "mention_text",
    "missing_secrets",
    "post_message",
    "run_slack",
    "slack_poster",
    "web_client",
    "with_rate_limit_retries",
]
