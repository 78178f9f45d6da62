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

A view's chart goes after its messages as a file shared in the same channel and thread, uploaded with
``files_upload_v2`` (``files.getUploadURLExternal``, the bytes, ``files.completeUploadExternal``),
which needs the app's ``files:write`` scope. Slack has no ephemeral file: a private view's chart is
not uploaded (see :func:`without_chart`).

A digest's key actors are buttons under its last message (:func:`bot.render.blocks.actor_buttons`). A
click arrives as a ``block_actions`` payload, which needs Interactivity on in the Slack app: with Socket
Mode it comes over the same socket; in HTTP mode, set the Interactivity Request URL to the events
URL (Bolt serves both at one path). The click is acknowledged at once and answered as ``actor <name>``
typed by the clicker, shown to the clicker alone: the message is the channel's, the curiosity theirs.

"Brief this", a message shortcut (``message_action``, :data:`BRIEF_THIS_CALLBACK`, in the manifest's
``features.shortcuts``), briefs the first link of the message it was used on: ``brief <url>`` for the
user who chose it, shown to them alone, as a click's answer is, with a "Share in channel" button
(:func:`share_button`) whose click posts ``brief <id>`` of the stored article to the channel, for all.
A message with no link but a file has the file briefed; one with neither gets :data:`NO_LINK`.

A file shared in a message that mentions the bot (a PDF, Word, text or HTML file) is briefed instead of
the mention's command: the first file's size is checked against ``storage.max_bytes`` before anything
is downloaded, then its ``url_private_download`` is fetched with the bot token (``files:read``) and read
by :func:`storage.documents.document_from_bytes`, as ``briefbot ingest`` reads a file; the brief goes
to the message's thread. See :func:`read_slack_file` for which URLs the token is ever sent to.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import html
import logging
import os
import re
import shlex
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.core import BriefReply, CommandCore, Incoming, Reply, TextReply
from bot.core.posting import Poster, Progress, post_in_order
from bot.render.blocks import ACTOR_ACTION_ID, MAX_BLOCKS, SlackMessage, to_messages
from bot.render.chart import Chart
from bot.render.view import Section, View, to_view
from bot.secrets import SLACK_BOT_TOKEN, Secrets
from config import ConfigError, SlackSettings, StorageSettings
from storage.documents import Document, document_from_bytes, too_large
from summarizer.textfile import UnreadableFile

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
FILES_SCOPE = "files:write"  # what files_upload_v2 needs of the app's bot token
FILES_READ_SCOPE = "files:read"  # what files.info and a file's url_private_download need
DOWNLOAD_TIMEOUT = 60.0  # seconds for a shared file's bytes
# The bot token's scopes, each with the calls that need it: slack-app-manifest.yml asks for exactly these
# (tests/test_slack_manifest.py checks it), so a new Web API call or event adds its scope here first.
SLACK_SCOPES: dict[str, str] = {
    "commands": "the /briefbot slash command",
    "app_mentions:read": "the app_mention event (@briefbot <command>)",
    "chat:write": "chat.postMessage and chat.postEphemeral: every answer and digest",
    "chat:write.public": "chat.postMessage in a public channel briefbot was not invited to (a digest "
    "subscribed there); optional: without it, /invite @briefbot in each channel",
    "users:read": "users.info: whether the asker is a workspace admin or owner (Managers)",
    FILES_SCOPE: "files_upload_v2: the trending and weekly charts, shared as files",
    FILES_READ_SCOPE: "files.info and url_private_download: a file shared in a message mentioning @briefbot",
}
PRIVATE_CHART = (
    "The chart goes only with an answer posted to the channel: Slack cannot show a file to one person."
)
NOT_A_MEMBER_CHART = (
    "The chart is posted only where briefbot is a member: invite it to this channel to get it."
)
# The message shortcut "Brief this" (slack-app-manifest.yml names this callback id) and the button under
# its private answer that shares the brief with the channel; the button's value is the article's id.
BRIEF_THIS_CALLBACK = "briefbot_brief_this"
SHARE_ACTION_ID = "briefbot_share_brief"
SHARE_BLOCK_ID = "briefbot_share"
SHARE_TEXT = "Share in channel"
NO_LINK = "There is no link or file in that message to brief."
FILE_REFUSED = "Could not read that file: {}"
# Slack writes a link in a message's text as <https://…|label> or <https://…>; a bare one is a fallback
# for text Slack did not format (a bot's message, say).
_SLACK_LINK = re.compile(r"<(https?://[^|>\s]+)(?:\|[^>]*)?>")
_BARE_LINK = re.compile(r"https?://[^\s<>|]+")


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


def command_text(text: str) -> str:
    """A command as its user typed it: Slack writes a typed link as ``<https://…|label>`` and escapes
    ``&``, ``<`` and ``>``, so ``sources remove example.com/feed`` and ``search AT&T`` would otherwise
    reach the core as markup no feed or article matches. Other markup (``<@U123>``) is left as it is."""
    unwrapped = _SLACK_LINK.sub(lambda link: link.group(1), text)
    # Slack escapes these three only, so only these are undone ("&copy" typed stays as typed).
    return unwrapped.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def mention_text(text: str, bot_user_id: str | None = None) -> str:
    """What follows the bot's mention, as typed: ``<@U123> brief <https://a.example|a.example>`` ->
    ``brief https://a.example``."""
    if bot_user_id and f"<@{bot_user_id}" in text:
        after = text.split(f"<@{bot_user_id}", 1)[1]
        return command_text(after.split(">", 1)[1].lstrip(" :,").strip()) if ">" in after else ""
    return command_text(_MENTION.sub("", text, count=1).strip())


def first_link(text: str) -> str | None:
    """The first web link in a Slack message's text, as the browser would open it (``&amp;`` undone)."""
    found = _SLACK_LINK.search(text) or _BARE_LINK.search(text)
    return html.unescape(found.group(1) if found.re is _SLACK_LINK else found.group(0)) if found else None


def share_button(article_id: int) -> dict[str, Any]:
    """The actions block under a private brief: one button whose click posts ``brief <id>`` to the channel.

    The id, not the URL, travels in the value: the article is stored by then, and its id briefs it
    without fetching the page again.
    """
    return {
        "type": "actions",
        "block_id": SHARE_BLOCK_ID,
        "elements": [
            {
                "type": "button",
                "text": {"type": "plain_text", "text": SHARE_TEXT, "emoji": False},
                "action_id": SHARE_ACTION_ID,
                "value": str(article_id),
            }
        ],
    }


def with_block(messages: list[SlackMessage], block: dict[str, Any]) -> list[SlackMessage]:
    """``block`` under the last message, or in a message of its own when that one is full already."""
    if not messages:
        return messages
    last = messages[-1]
    if len(last.blocks) >= MAX_BLOCKS:
        return [*messages, SlackMessage(text=last.text, blocks=(block,))]
    return [*messages[:-1], dataclasses.replace(last, blocks=(*last.blocks, block))]


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
            text=command_text(command.get("text", "")),
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
        files = event.get("files") or []
        if files and isinstance(files[0], dict):
            await self._brief_file(incoming, files[0], thread_ts=event.get("thread_ts") or event.get("ts"))
            return
        await self._answer(incoming, thread_ts=event.get("thread_ts"))

    async def _brief_file(
        self,
        incoming: Incoming,
        file: Mapping[str, Any],
        *,
        thread_ts: str | None,
        respond: AsyncRespond | None = None,
        private: bool = False,
        share: bool = False,
    ) -> None:
        """A shared file briefed in the message's thread, or the one line saying why it was not;
        ``private``/``share`` as for :meth:`_answer` (the "Brief this" shortcut's).

        The core gets a ``Document`` and never learns where it came from; the download is Slack's
        business, here.
        """
        settings: StorageSettings = self.core.storage_settings
        try:
            document = await read_slack_file(self.client, file, settings)
            replies = await self.core.brief_document(incoming, document)
        except UnreadableFile as error:
            replies = [TextReply(text=FILE_REFUSED.format(error), private=True)]
        except Exception:
            log.exception("briefing the file %r failed", file.get("name"))
            replies = [TextReply(text=FAILED, private=True)]
        await self._post_all(
            replies, incoming, thread_ts=thread_ts, respond=respond, private=private, share=share
        )

    async def on_actor_button(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond
    ) -> None:
        """A click on an actor's button: ``actor <name>`` for the clicker, answered to them alone.

        Acknowledged first (Slack shows an error after 3 seconds without it). The answer goes by
        ``chat.postEphemeral`` where the bot may post, else by the payload's ``response_url``, as a
        slash command's does; the clicked message is left as it is (``replace_original`` false).
        """
        await ack()
        name = str(action.get("value") or "").strip()
        channel = body.get("channel") or {}
        container = body.get("container") or {}
        channel_id = channel.get("id") or container.get("channel_id")
        user = (body.get("user") or {}).get("id")
        if not name or not channel_id or not user:
            log.warning("ignored an actor button click without a name, channel or user")
            return
        quoted = shlex.quote(name)  # a name is one argument, whatever it holds
        incoming = await self._clicked(channel_id, user, channel, f"actor {quoted}")
        await self._answer(
            incoming,
            thread_ts=container.get("thread_ts"),
            respond=respond if body.get("response_url") else None,
            private=True,
        )

    async def on_brief_this(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        """The "Brief this" shortcut: ``brief <the message's first link>`` (a message with no link but
        a file: that file), for the user who chose it alone.

        Acknowledged first (Slack shows an error after 3 seconds; fetching a page takes longer). The
        brief carries a "Share in channel" button: the message is someone's, the choice to show its
        brief to everyone the asker's. Posted in the message's thread when it is in one.
        """
        await ack()
        channel = body.get("channel") or {}
        message = body.get("message") or {}
        channel_id, user = channel.get("id"), (body.get("user") or {}).get("id")
        if not channel_id or not user:
            log.warning("ignored a Brief this shortcut without a channel or user")
            return
        link = first_link(str(message.get("text") or ""))
        files = [f for f in message.get("files") or [] if isinstance(f, dict)]
        named = f"brief {files[0].get('name') or 'file'}" if files else ""
        text = f"brief {link}" if link else named
        incoming = await self._clicked(channel_id, user, channel, text)
        thread_ts = message.get("thread_ts")
        fallback = respond if body.get("response_url") else None
        if link is None and files:  # a message with a file and no link: the file is what to brief
            await self._brief_file(
                incoming, files[0], thread_ts=thread_ts, respond=fallback, private=True, share=True
            )
            return
        if link is None:
            reply = TextReply(text=NO_LINK, private=True)
            await self._post(reply, incoming, thread_ts=thread_ts, respond=fallback, private=True)
            return
        await self._answer(incoming, thread_ts=thread_ts, respond=fallback, private=True, share=True)

    async def on_share_button(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond
    ) -> None:
        """A click on "Share in channel" under a private brief: ``brief <id>`` posted to the channel.

        By the clicker (the brief was theirs alone), for everyone: the same path as a slash command's
        answer, ``response_url`` where the bot may not post.
        """
        await ack()
        article_id = str(action.get("value") or "").strip()
        channel = body.get("channel") or {}
        container = body.get("container") or {}
        channel_id = channel.get("id") or container.get("channel_id")
        user = (body.get("user") or {}).get("id")
        if not article_id.isdigit() or not channel_id or not user:
            log.warning("ignored a share button click without an article id, channel or user")
            return
        incoming = await self._clicked(channel_id, user, channel, f"brief {article_id}")
        await self._answer(
            incoming,
            thread_ts=container.get("thread_ts"),
            respond=respond if body.get("response_url") else None,
        )

    async def _clicked(
        self, channel_id: object, user: object, channel: dict[str, Any], text: str
    ) -> Incoming:
        """The command a click or a shortcut means, from the channel and user its payload names."""
        return Incoming(
            platform=PLATFORM,
            channel=str(channel_id),
            user=str(user),
            text=text,
            channel_name=channel.get("name"),
            is_manager=await self.managers.is_manager(str(user)),
        )

    async def _answer(
        self,
        incoming: Incoming,
        *,
        thread_ts: str | None = None,
        respond: AsyncRespond | None = None,
        private: bool = False,
        share: bool = False,
    ) -> None:
        """The core's replies to ``incoming`` posted; ``private``: every one to the asker alone;
        ``share``: a brief with the button that posts it to the channel."""
        try:
            replies = await self.core.handle(incoming)
        except Exception:
            log.exception("command %r failed", incoming.text)
            replies = [TextReply(text=FAILED, private=True)]
        await self._post_all(
            replies, incoming, thread_ts=thread_ts, respond=respond, private=private, share=share
        )

    async def _post_all(
        self,
        replies: Sequence[Reply],
        incoming: Incoming,
        *,
        thread_ts: str | None,
        respond: AsyncRespond | None,
        private: bool,
        share: bool,
    ) -> None:
        """Each reply posted in turn; with ``share``, a brief gets the button that shares it."""
        for reply in replies:
            extra = share_button(reply.article.id) if share and isinstance(reply, BriefReply) else None
            await self._post(
                reply, incoming, thread_ts=thread_ts, respond=respond, private=private, extra=extra
            )

    async def _post(
        self,
        reply: Reply,
        incoming: Incoming,
        *,
        thread_ts: str | None,
        respond: AsyncRespond | None,
        private: bool = False,
        extra: dict[str, Any] | None = None,
    ) -> None:
        """``reply`` posted; ``extra``, a block (the share button), under its last message."""
        view = to_view(reply)
        if private and not view.private:
            view = dataclasses.replace(view, private=True)
        chart = None if view.private else view.chart
        fell_back = False
        messages = to_messages(without_chart(view))
        for message in with_block(messages, extra) if extra is not None else messages:
            try:
                await self._send(message, incoming, private=view.private, thread_ts=thread_ts)
            except SlackApiError as error:
                code = error.response.get("error")
                if respond is None or code not in CANNOT_POST_HERE:
                    log.error("posting to %s failed: %s", incoming.channel, code)
                    return
                fell_back = True
                await respond(
                    text=message.text,
                    blocks=list(message.blocks),
                    response_type="ephemeral" if view.private else "in_channel",
                    replace_original=False,
                )
            except (aiohttp.ClientError, TimeoutError) as error:  # Slack unreachable: the rest would fail too
                log.error("posting to %s failed: %s", incoming.channel, error)
                return
        if chart is None:
            return
        if fell_back and respond is not None:  # not a member: no file can be shared there either
            await respond(text=NOT_A_MEMBER_CHART, response_type="ephemeral", replace_original=False)
            return
        try:
            await upload_chart(self.client, incoming.channel, chart, thread_ts=thread_ts)
        except SlackApiError as error:
            log.error("%s", upload_refused(incoming.channel, error))
        except (aiohttp.ClientError, TimeoutError, SlackRequestError) as error:
            log.error("uploading the chart to %s failed (%s); the messages stand", incoming.channel, error)

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
) -> str | None:
    """One message to a channel; link previews off, since a digest of five links would grow five cards.
    Returns the posted message's ``ts``, which a reply in its thread names."""
    response = await client.chat_postMessage(
        channel=channel,
        text=message.text,
        blocks=list(message.blocks),
        thread_ts=thread_ts,
        unfurl_links=False,
        unfurl_media=False,
    )
    ts = response.get("ts")
    return str(ts) if ts else None


@dataclasses.dataclass(frozen=True, slots=True)
class PostPart:
    """One part of a reply as the poster posts it: a message, or a chart's upload after its view's
    messages; ``in_thread``: a reply in the thread of the reply's first message."""

    message: SlackMessage | None = None
    chart: Chart | None = None
    in_thread: bool = False


def post_parts(view: View) -> list[PostPart]:
    """The parts of ``view`` in posting order: its own messages (and chart), then each reply in its
    thread with its own. The numbering is what the ledger counts, so it depends on the view alone."""
    parts: list[PostPart] = []
    for index, shown in enumerate((view.unthreaded(), *view.thread)):
        chart = None if shown.private else shown.chart
        parts.extend(PostPart(message=m, in_thread=index > 0) for m in to_messages(without_chart(shown)))
        if chart is not None:
            parts.append(PostPart(chart=chart, in_thread=index > 0))
    return parts


def without_chart(view: View) -> View:
    """The view as its messages show it: a private view's chart replaced by a line saying why.

    Slack cannot upload a file ephemerally (a shared file is seen by every member of the channel), and
    a chart in the asker's DM would need another scope (``im:write``) and leave the channel's answer
    without it. So a private answer with a chart (a ``digest`` preview carrying the week's chart) tells
    the asker, in its last line, that the chart goes only with an answer posted to the channel; a
    public view keeps its chart, which :func:`upload_chart` sends after the messages.
    """
    if not view.private or view.chart is None:
        return view
    note = Section(lines=(PRIVATE_CHART,))
    return dataclasses.replace(view, sections=(*view.sections, note), chart=None)


async def upload_chart(
    client: AsyncWebClient, channel: str, chart: Chart, *, thread_ts: str | None = None
) -> None:
    """Share ``chart`` in ``channel`` (in the thread ``thread_ts``) as a file: titled, with alt text.

    ``files_upload_v2`` takes Slack's three steps: ``files.getUploadURLExternal`` (a file id and an
    upload URL), the bytes POSTed there, ``files.completeUploadExternal`` to share it. It needs the
    ``files:write`` scope; without it Slack answers ``missing_scope`` (a SlackApiError).
    """
    await client.files_upload_v2(
        channel=channel,
        thread_ts=thread_ts,
        file=chart.png,
        filename=chart.filename,
        title=chart.title,
        alt_txt=chart.alt_text,
    )


def upload_refused(channel: str, error: SlackApiError) -> str:
    """The one log line for an upload Slack refused: the scope to add, when that is what it lacks."""
    code = error.response.get("error")
    if code == "missing_scope":
        return (
            f"uploading the chart to {channel} failed: the Slack app lacks the {FILES_SCOPE} scope "
            "(add it under OAuth & Permissions and reinstall the app); the messages stand"
        )
    return f"uploading the chart to {channel} failed: {code}; the messages stand"


def download_allowed(url: str, api_url: str) -> bool:
    """Whether the bot token may be sent to ``url``: https on slack.com or a subdomain, or the Web API's
    own origin (the configured ``slack.api_url``, where the token goes anyway).

    A file's URL comes from the event payload, and the download carries ``Authorization: Bearer`` with
    the bot token: a forged or mistaken URL must not make briefbot hand its token to, or fetch from,
    anywhere else (another host, a private address, plain http).
    """
    parts, api = urlsplit(url), urlsplit(api_url)
    host = (parts.hostname or "").lower()
    if parts.username or parts.password:
        return False
    if parts.scheme == "https" and (host == "slack.com" or host.endswith(".slack.com")):
        return True
    return bool(host) and (parts.scheme, host, parts.port) == (
        api.scheme,
        (api.hostname or "").lower(),
        api.port,
    )


async def read_slack_file(
    client: AsyncWebClient, file: Mapping[str, Any], settings: StorageSettings
) -> Document:
    """The document in a file shared on Slack, or ``UnreadableFile`` with the one-line reason.

    The size Slack states is checked before downloading, and the bytes are counted again as they
    arrive (a size is only a claim). A file the event describes only by id (``file_access:
    check_file_info``) is looked up with ``files.info``. Slack answers a download it will not allow
    (no ``files:read``) with its sign-in page, not an error: that is refused as such rather than briefed.
    """
    if not file.get("url_private_download") and file.get("id"):
        try:
            file = (await client.files_info(file=str(file["id"]))).get("file") or {}
        except SlackApiError as error:
            raise UnreadableFile(
                f"Slack would not say what the file is ({error.response.get('error')})"
            ) from None
    name = str(file.get("name") or file.get("title") or "file")
    size = int(file.get("size") or 0)
    if size > settings.max_bytes:
        raise UnreadableFile(too_large(name, size, settings.max_bytes))
    url = str(file.get("url_private_download") or file.get("url_private") or "")
    if not download_allowed(url, client.base_url):
        raise UnreadableFile(f"{name}: not a file on Slack's file host, so it was not downloaded")
    headers = {"Authorization": f"Bearer {client.token}"}
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=DOWNLOAD_TIMEOUT)) as session,
            session.get(url, headers=headers, allow_redirects=False) as response,
        ):
            if response.status != 200:
                raise UnreadableFile(f"{name}: Slack answered the download with HTTP {response.status}")
            served = response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
            if served == "text/html" and "html" not in str(file.get("mimetype") or ""):
                raise UnreadableFile(
                    f"{name}: Slack sent a sign-in page, not the file (the app needs {FILES_READ_SCOPE})"
                )
            data = bytearray()
            async for chunk in response.content.iter_chunked(65536):
                data += chunk
                if len(data) > settings.max_bytes:
                    raise UnreadableFile(too_large(name, len(data), settings.max_bytes))
    except (aiohttp.ClientError, TimeoutError) as error:
        raise UnreadableFile(
            f"{name}: the download from Slack failed ({error or type(error).__name__})"
        ) from None
    return await asyncio.to_thread(document_from_bytes, bytes(data), name, settings)


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
    A threaded digest's first message is the thread's parent, its ``ts`` told to ``sent`` for the
    ledger, and its other parts replies in that thread. A chart (the weekly digest's) is the part
    after its view's messages, so a retry after a failed
    upload posts no message again and still sends the chart. An upload Slack refuses (``missing_scope``:
    no ``files:write``; the bot not in the channel) is logged and counted as done, since no retry can
    mend it and the digest is posted; one that failed on the way (Slack unreachable, a 5xx) is raised
    as :class:`PartlyPosted` for the deliverer to retry.
    """
    if client is None:
        if not secrets.slack_bot_token:
            raise ConfigError(f"posting to Slack needs {SLACK_BOT_TOKEN} in the environment")
        client = web_client(settings or SlackSettings(), secrets)
    client = with_rate_limit_retries(client)

    async def post(
        channel: str,
        reply: Reply,
        *,
        start: int = 0,
        sent: Progress | None = None,
        thread: str | None = None,
    ) -> None:
        view = to_view(reply)
        parts = post_parts(view)

        async def send(number: int, thread: str | None) -> str | None:
            part = parts[number]
            # A thread's parent lost to an old ledger row (none recorded) leaves its replies in the channel.
            thread_ts = thread if part.in_thread else None
            if part.message is not None:
                return await post_message(client, channel, part.message, thread_ts=thread_ts)
            if part.chart is not None:
                await _upload_or_log(client, channel, part.chart, thread_ts=thread_ts)
            return None

        await post_in_order(
            len(parts), send, start=start, sent=sent, thread=thread, threaded=bool(view.thread)
        )

    return post


async def _upload_or_log(
    client: AsyncWebClient, channel: str, chart: Chart, *, thread_ts: str | None = None
) -> None:
    """The chart uploaded; refused by Slack (no retry can mend a missing scope), logged instead.
    A 5xx, or a 429 still there after the client's retries, is raised: a later retry may succeed."""
    try:
        await upload_chart(client, channel, chart, thread_ts=thread_ts)
    except SlackApiError as error:
        if error.response.status_code >= 500 or error.response.status_code == 429:
            raise
        log.error("%s", upload_refused(channel, error))


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
    """A Bolt app answering ``/briefbot``, mentions, actor buttons and "Brief this"; HTTP requests are
    signature-checked.

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
    app.action(ACTOR_ACTION_ID)(bridge.on_actor_button)
    app.shortcut(BRIEF_THIS_CALLBACK)(bridge.on_brief_this)
    app.action(SHARE_ACTION_ID)(bridge.on_share_button)
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
    "BRIEF_THIS_CALLBACK",
    "COMMAND",
    "NO_LINK",
    "SHARE_ACTION_ID",
    "SLACK_SCOPES",
    "Managers",
    "build_app",
    "download_allowed",
    "first_link",
    "mention_text",
    "missing_secrets",
    "post_message",
    "read_slack_file",
    "run_slack",
    "share_button",
    "slack_poster",
    "upload_chart",
    "upload_refused",
    "web_client",
    "with_block",
    "with_rate_limit_retries",
    "without_chart",
]
