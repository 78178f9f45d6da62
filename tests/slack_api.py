"""A fake of Slack's Web API on 127.0.0.1: what the Slack adapter talks to in tests.

A real ``AsyncWebClient(base_url=api.base_url)`` posts to it, so the SDK's own request building,
error raising and retry handlers run as they would against slack.com. The fake answers
``chat.postMessage``, ``chat.postEphemeral``, ``users.info`` and ``auth.test`` (Bolt calls it once,
on the first request, to learn the bot's user id), ``apps.connections.open`` (Socket Mode's
WebSocket URL, see :class:`FakeSocketMode`), plus slash commands' ``response_url`` posts;
it records every call's body and can be scripted to answer one call of a method differently
(a 429 with ``Retry-After``, an ``ok: false`` error).

File uploads take Slack's three steps, as ``files_upload_v2`` makes them: ``files.getUploadURLExternal``
hands out a file id and an upload URL on the fake itself; the bytes are POSTed there (recorded
exactly as they arrive, as the :data:`UPLOAD_METHOD` call); ``files.completeUploadExternal`` shares
the files in a channel (or thread). :meth:`FakeSlackApi.uploads` reads back the files shared.

Files shared in a message: :meth:`FakeSlackApi.share_file` keeps a file's bytes and returns its file
object as an event carries it; ``files.info`` answers it by id, and its ``url_private_download`` on the
fake serves the bytes only with ``Authorization: Bearer <bot token>``; without it, as Slack does, a
200 with a sign-in page. Each download is recorded as the :data:`DOWNLOAD_METHOD` call.

Tests wait on a condition the server signals on every call (:meth:`FakeSlackApi.until`), never by
sleeping and polling.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import threading
from collections import defaultdict, deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs

from aiohttp import WSMsgType, web
from slack_sdk.web.async_client import AsyncWebClient

from tests.chat_harness import Posted
from tests.httpfake import Request, ThreadedHTTPFake

BOT_USER_ID = "UBOTBRIEF"
TEAM_ID = "T0BRIEF"
RESPONSE_URL_METHOD = "response_url"  # how a post to a response_url is recorded
UPLOAD_METHOD = "upload"  # how a file's bytes POSTed to an upload URL are recorded
DOWNLOAD_METHOD = "download"  # how a GET of a shared file's url_private_download is recorded
SIGN_IN_PAGE = b"<!DOCTYPE html><html><head><title>Slack</title></head><body>Sign in</body></html>"
POSTING = ("chat.postMessage", "chat.postEphemeral", RESPONSE_URL_METHOD)


@dataclass(frozen=True)
class Call:
    """One request the fake received and what it answered; ``body`` merges query, form and JSON."""

    method: str
    body: Mapping[str, Any]
    status: int
    answer: Mapping[str, Any]
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.answer.get("ok", True))

    @property
    def private(self) -> bool:
        return self.method == "chat.postEphemeral" or self.body.get("response_type") == "ephemeral"

    def blocks(self) -> list[dict[str, Any]]:
        blocks = self.body.get("blocks") or []
        return json.loads(blocks) if isinstance(blocks, str) else list(blocks)

    def posted(self) -> Posted:
        return Posted(
            text=visible_text(self.blocks()) or unformat(str(self.body.get("text", ""))),
            private=self.private,
            bold=tuple(m for text in block_texts(self.blocks()) for m in _BOLD.findall(text)),
        )


@dataclass(frozen=True, slots=True)
class Upload:
    """A file shared by ``files.completeUploadExternal``: what each of the three steps said of it."""

    file_id: str
    filename: str
    length: int  # as announced to files.getUploadURLExternal
    alt_text: str | None
    content: bytes  # as POSTed to the upload URL, byte for byte
    content_type: str
    title: str | None
    channel: str | None
    thread_ts: str | None
    initial_comment: str | None


@dataclass(frozen=True)
class Scripted:
    status: int = 200
    answer: Mapping[str, Any] = field(default_factory=lambda: {"ok": True})
    headers: Mapping[str, str] = field(default_factory=dict)
    hold: threading.Event | None = None  # the answer waits for it: a platform that hangs


class FakeSlackApi(ThreadedHTTPFake):
    """The running fake: its URL for clients, the calls it saw, and answers to script."""

    methods = frozenset({"GET", "POST"})

    def __init__(self, *, admins: tuple[str, ...] = (), token: str = "xoxb-test-token") -> None:
        self.admins = frozenset(admins)
        self.token = token  # the bot token a file download must carry
        self._files: dict[str, tuple[dict[str, Any], bytes]] = {}
        self.socket_url: str | None = None  # what apps.connections.open hands a Socket Mode client
        self._calls: list[Call] = []
        self._scripts: dict[str, deque[Scripted]] = defaultdict(deque)
        self._passing: dict[str, int] = defaultdict(int)  # usual answers before the next scripted one
        self._ts = itertools.count(1)
        super().__init__()

    @property
    def base_url(self) -> str:
        return f"{self.origin}/api/"

    def response_url(self, name: str = "command") -> str:
        return f"{self.origin}/response/{name}"

    def client(self, token: str = "xoxb-test-token") -> AsyncWebClient:
        return AsyncWebClient(token=token, base_url=self.base_url, timeout=10)

    def script(
        self,
        method: str,
        *,
        status: int = 200,
        answer: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        hold: threading.Event | None = None,
        after: int = 0,
    ) -> None:
        """The next call of ``method`` (``after``: the one after that many more usual answers) gets
        this answer instead of the usual one (once); with ``hold``, only once that event is set (or
        after a minute)."""
        with self._changed:
            if not self._scripts[method]:
                self._passing[method] = after
            self._scripts[method].append(
                Scripted(status, answer or {"ok": status == 200}, headers or {}, hold)
            )

    def rate_limit_once(self, method: str, *, retry_after: int = 1) -> None:
        self.script(
            method,
            status=429,
            answer={"ok": False, "error": "ratelimited"},
            headers={"Retry-After": str(retry_after)},
        )

    def share_file(self, name: str, data: bytes, *, mimetype: str, size: int | None = None) -> dict[str, Any]:
        """A file shared in a message: its object as the event's ``files`` carries it (``size`` as
        Slack states it, the real length unless given), downloadable from the fake."""
        file_id = f"F{next(self._ts):08d}"
        url = f"{self.origin}/files-pri/{TEAM_ID}-{file_id}/download/{name}"
        file = {
            "id": file_id,
            "name": name,
            "title": name,
            "mimetype": mimetype,
            "size": len(data) if size is None else size,
            "url_private": url,
            "url_private_download": url,
        }
        with self._changed:
            self._files[file_id] = (file, data)
        return dict(file)

    def calls(self, method: str | None = None) -> list[Call]:
        with self._changed:
            return [c for c in self._calls if method is None or c.method == method]

    def uploads(self) -> list[Upload]:
        """Files shared in a channel, in order: each completed upload whose bytes arrived."""
        calls = self.calls()
        asked = {
            c.answer["file_id"]: c.body for c in calls if c.method == "files.getUploadURLExternal" and c.ok
        }
        sent = {c.body["file_id"]: c.body for c in calls if c.method == UPLOAD_METHOD and c.ok}
        shared = []
        for call in calls:
            if call.method != "files.completeUploadExternal" or not call.ok:
                continue
            for entry in json.loads(str(call.body.get("files", "[]"))):
                ask, upload = asked.get(entry["id"]), sent.get(entry["id"])
                if ask is None or upload is None:
                    continue
                shared.append(
                    Upload(
                        file_id=entry["id"],
                        filename=str(ask.get("filename")),
                        length=int(ask.get("length", -1)),
                        alt_text=ask.get("alt_txt"),
                        content=upload["content"],
                        content_type=upload["content_type"],
                        title=entry.get("title"),
                        channel=call.body.get("channel_id"),
                        thread_ts=call.body.get("thread_ts"),
                        initial_comment=call.body.get("initial_comment"),
                    )
                )
        return shared

    def delivered(self) -> list[Call]:
        """Messages that reached the channel or the user, in order: accepted posts only."""
        return [c for c in self.calls() if c.method in POSTING and c.ok]

    async def until(self, condition: Callable[[FakeSlackApi], bool], *, timeout: float = 20.0) -> None:
        """Wait (off the event loop) until ``condition`` holds; fail the test after ``timeout`` seconds."""
        if not await asyncio.to_thread(self.wait_for, condition, timeout):
            raise AssertionError(f"Slack fake: condition not met in {timeout}s; calls: {self.calls()}")

    # -- answering (server threads) --------------------------------------------------------------

    def respond(self, handler: BaseHTTPRequestHandler) -> None:
        request = self.read_request(handler)
        if request.path.startswith("/upload/"):
            self._receive_file(handler, request)
            return
        if request.path.startswith("/files-pri/"):
            self._serve_file(handler, request)
            return
        body: dict[str, Any] = {k: v[0] for k, v in parse_qs(request.query).items()}
        raw = request.body.decode("utf-8")
        if "json" in request.headers.get("content-type", ""):
            body.update(json.loads(raw or "{}"))
        else:
            body.update({k: v[0] for k, v in parse_qs(raw).items()})
        if request.path.startswith("/api/"):
            method = request.path.removeprefix("/api/")
        elif request.path.startswith("/response/"):
            method = RESPONSE_URL_METHOD
        else:
            method = request.path
        answer = self._answer(method, body, request.headers)
        if answer.hold is not None:
            answer.hold.wait(60)
        # A response_url answers plain "ok" (as Slack's webhooks do); the Web API answers JSON.
        if method == RESPONSE_URL_METHOD:
            data, content_type = b"ok", "text/plain"
        else:
            data, content_type = json.dumps(answer.answer).encode(), "application/json"
        self.send(handler, answer.status, data, {"Content-Type": content_type, **answer.headers})

    def _serve_file(self, handler: BaseHTTPRequestHandler, request: Request) -> None:
        """A shared file's bytes, for the bot token only; anyone else gets Slack's sign-in page."""
        file_id = request.path.split("/")[2].rsplit("-", 1)[-1]
        with self._changed:
            file, data = self._files.get(file_id, ({}, b""))
        authorized = request.headers.get("authorization") == f"Bearer {self.token}"
        answer = self._answer(
            DOWNLOAD_METHOD, {"file_id": file_id, "authorized": authorized}, request.headers
        )
        if not file:
            self.send(handler, 404, b"not found", {"Content-Type": "text/plain"})
        elif authorized:
            self.send(handler, answer.status, data, {"Content-Type": str(file["mimetype"])})
        else:
            self.send(handler, 200, SIGN_IN_PAGE, {"Content-Type": "text/html; charset=utf-8"})

    def _receive_file(self, handler: BaseHTTPRequestHandler, request: Request) -> None:
        """A file's bytes POSTed to the URL files.getUploadURLExternal gave: Slack's upload host
        answers plain text, "OK - <bytes>"."""
        body = {
            "file_id": request.path.removeprefix("/upload/"),
            "content": request.body,
            "content_type": request.headers.get("content-type", ""),
        }
        answer = self._answer(UPLOAD_METHOD, body, request.headers)
        if answer.hold is not None:
            answer.hold.wait(60)
        text = f"OK - {len(request.body)}" if answer.status == 200 else str(answer.answer.get("error", ""))
        self.send(handler, answer.status, text.encode(), {"Content-Type": "text/plain", **answer.headers})

    def _answer(self, method: str, body: Mapping[str, Any], headers: Mapping[str, str]) -> Scripted:
        with self._changed:
            scripted = None
            if self._passing[method]:
                self._passing[method] -= 1
            elif self._scripts[method]:
                scripted = self._scripts[method].popleft()
        answer = scripted or Scripted(answer=self._usual(method, body))
        with self._changed:
            self._calls.append(Call(method, dict(body), answer.status, dict(answer.answer), dict(headers)))
            self._changed.notify_all()
        return answer

    def _usual(self, method: str, body: Mapping[str, Any]) -> dict[str, Any]:
        ts = f"1700000000.{next(self._ts):06d}"
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://briefbot-test.slack.com/",
                "team": "Briefbot Test",
                "user": "briefbot",
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": "B0BRIEF",
            }
        if method == "chat.postMessage":
            return {
                "ok": True,
                "channel": body.get("channel"),
                "ts": ts,
                "message": {"text": body.get("text")},
            }
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if method == "users.info":
            user = str(body.get("user", ""))
            return {"ok": True, "user": {"id": user, "is_admin": user in self.admins, "is_owner": False}}
        if method == RESPONSE_URL_METHOD:
            return {"ok": True}
        if method == "apps.connections.open" and self.socket_url:
            return {"ok": True, "url": self.socket_url}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts):08d}"
            return {"ok": True, "upload_url": f"{self.origin}/upload/{file_id}", "file_id": file_id}
        if method in (UPLOAD_METHOD, DOWNLOAD_METHOD):
            return {"ok": True}
        if method == "files.info":
            known = self._files.get(str(body.get("file", "")))
            return {"ok": True, "file": known[0]} if known else {"ok": False, "error": "file_not_found"}
        if method == "files.completeUploadExternal":
            files = json.loads(str(body.get("files", "[]")))
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}
        return {"ok": False, "error": "unknown_method"}


@contextmanager
def fake_slack_api(*, admins: tuple[str, ...] = ()) -> Iterator[FakeSlackApi]:
    with FakeSlackApi(admins=admins) as api:
        yield api


class FakeSocketMode:
    """Slack's Socket Mode end on 127.0.0.1: says hello, sends envelopes, collects the acknowledgements.

    It runs on the test's event loop (aiohttp), as the Socket Mode client does; a test reads
    ``acks`` (an asyncio queue) to wait for each acknowledgement.
    """

    def __init__(self) -> None:
        self.acks: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> str:
        app = web.Application()
        app.router.add_get("/link", self._link)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"ws://{host}:{port}/link"
        return self.url

    def send(self, envelope: dict[str, Any]) -> None:
        self._outbox.put_nowait(envelope)

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _link(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        await socket.send_json({"type": "hello", "num_connections": 1, "debug_info": {"host": "fake"}})
        reader = asyncio.ensure_future(self._read(socket))
        try:
            while not socket.closed:
                sending = asyncio.ensure_future(self._outbox.get())
                done, _ = await asyncio.wait({sending, reader}, return_when=asyncio.FIRST_COMPLETED)
                if sending not in done:
                    sending.cancel()
                    break
                await socket.send_json(sending.result())
        finally:
            reader.cancel()
        return socket

    async def _read(self, socket: web.WebSocketResponse) -> None:
        async for message in socket:
            if message.type == WSMsgType.TEXT:
                self.acks.put_nowait(json.loads(message.data))


# -- what a reader sees ------------------------------------------------------------------------------

_DATE = re.compile(r"<!date\^\d+\^[^|>]*\|([^>]*)>")
_LINK = re.compile(r"<([^|>]+)\|([^>]*)>")
_BARE = re.compile(r"<(https?://[^>]+)>")


_BOLD = re.compile(r"(?<![\w*])\*(\S(?:.*?\S)?)\*(?![\w*])")


def unformat(mrkdwn: str) -> str:
    """mrkdwn as Slack shows it: dates and links by their labels, bold without stars, entities decoded."""
    text = _DATE.sub(lambda m: m.group(1), mrkdwn)
    text = _LINK.sub(lambda m: m.group(2), text)
    text = _BARE.sub(lambda m: m.group(1), text)
    text = _BOLD.sub(r"\1", text)
    return html.unescape(text)


def block_texts(blocks: list[dict[str, Any]]) -> Iterator[str]:
    """Every text a block shows: header and section text, section fields, context elements, and
    the labels of an actions block's buttons."""
    for block in blocks:
        for item in [block.get("text"), *block.get("fields", []), *block.get("elements", [])]:
            text = item.get("text") if isinstance(item, dict) else None
            if isinstance(text, dict):  # a button's label
                text = text.get("text")
            if isinstance(text, str):
                yield text


def visible_text(blocks: list[dict[str, Any]]) -> str:
    return "\n".join(unformat(text) for text in block_texts(blocks))
