"""A loopback fake of Discord's HTTP API, for the real discord.py client to talk to.

The server runs in a thread on 127.0.0.1, port 0, and answers the routes briefbot uses: logging in
(``GET /users/@me``, ``GET /oauth2/applications/@me``), interaction callbacks
(``POST /interactions/{id}/{token}/callback``), followups (``POST /webhooks/{app}/{token}``), the
original response (``PATCH``/``DELETE /webhooks/{app}/{token}/messages/@original``), command
registration (``PUT /applications/{app}[/guilds/{guild}]/commands``) and channel posts
(``POST /channels/{id}/messages``). Every request is recorded with its JSON body and the status it got.

A message with files comes as discord.py sends it, ``multipart/form-data``: the JSON in a
``payload_json`` part, each file in a ``files[n]`` part. The fake reads it back into the same JSON
body and an :class:`Attachment` per file (its name, its bytes exactly as they arrived, and the
description the JSON's ``attachments`` gave it), on the :class:`Call` and on what the channel shows.

It keeps what each interaction shows the way Discord does: after a deferred answer (callback type 5)
the first followup replaces the "thinking…" placeholder and keeps the *defer's* visibility, whatever
its own flags say (discord-api-docs #2742, #2866); deleting the placeholder lets a followup choose.

An attachment a user adds to a slash command is served from the fake, as Discord's CDN would serve it:
:meth:`FakeDiscordAPI.attachment` keeps the bytes and returns the ``resolved.attachments`` entry whose
``url`` discord.py's ``Attachment.read()`` fetches.

``rate_limit_once(method, pattern)`` answers the next matching request with a 429 carrying
``Retry-After``, the ``X-RateLimit-*`` headers and ``Via`` (discord.py takes a 429 without ``Via``
for a Cloudflare ban and gives up), as Discord does. Tests wait on :meth:`FakeDiscordAPI.wait_for`,
a condition notified on every request, never on a sleep loop.

:func:`serve_discord_api` points discord.py at the fake by setting ``discord.http.Route.BASE`` (which
every REST and webhook route is built from) and restores it afterwards.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from email.parser import HeaderParser
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl

import discord.http
import pytest

from tests.httpfake import ThreadedHTTPFake

API_PREFIX = "/api/v10"
APPLICATION_ID = 1_100_000_000_000_000_001
BOT_USER_ID = 1_100_000_000_000_000_002
EPHEMERAL = 1 << 6
DEFERRED = 5  # DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE
CHANNEL_MESSAGE = 4  # CHANNEL_MESSAGE_WITH_SOURCE
CHANNEL_FILES = 1_200_000_000_000_000_001  # the channel id in an attachment's CDN path
AUTOCOMPLETE_RESULT = 8  # APPLICATION_COMMAND_AUTOCOMPLETE_RESULT

_CALLBACK = re.compile(r"^/interactions/(\d+)/([^/]+)/callback$")
_FOLLOWUP = re.compile(r"^/webhooks/(\d+)/([^/]+)$")
_ORIGINAL = re.compile(r"^/webhooks/(\d+)/([^/]+)/messages/@original$")
_COMMANDS = re.compile(r"^/applications/(\d+)(?:/guilds/(\d+))?/commands$")
_CHANNEL_MESSAGES = re.compile(r"^/channels/(\d+)/messages$")
_MESSAGE_THREAD = re.compile(r"^/channels/(\d+)/messages/(\d+)/threads$")
THREAD_EXISTS = 160004
MISSING_PERMISSIONS = 50013


@dataclass(frozen=True, slots=True)
class Attachment:
    """One file of a multipart message: ``field`` is its form field (``files[0]``)."""

    field: str
    filename: str
    content: bytes
    content_type: str
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Call:
    """One request the fake received: the path is Discord's (without ``/api/v10``), query split."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    at: float = 0.0  # time.monotonic() when it arrived
    files: tuple[Attachment, ...] = ()  # a multipart request's files, in the order sent
    answer: Any = None  # the JSON the fake answered with


@dataclass(frozen=True, slots=True)
class Shown:
    """A message as the channel shows it: ``private`` when only the asker sees it (ephemeral)."""

    content: str
    embeds: tuple[dict[str, Any], ...]
    private: bool
    original: bool = False  # the interaction's own response rather than a followup
    files: tuple[Attachment, ...] = ()


@dataclass
class _Interaction:
    """What one interaction token shows: a pending placeholder, the messages, the choices offered."""

    placeholder_flags: int | None = None
    messages: list[Shown] = field(default_factory=list)
    choices: list[dict[str, Any]] | None = None
    callbacks: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Limit:
    method: str
    pattern: re.Pattern[str]
    retry_after: float


@dataclass(slots=True)
class _Failure:
    method: str
    pattern: re.Pattern[str]
    status: int
    passing: int  # matching requests still answered as usual before the failures
    times: int


@dataclass(frozen=True, slots=True)
class Thread:
    """A thread opened from a message: Discord gives it the message's id."""

    id: int
    parent_id: int
    name: str


class FakeDiscordAPI(ThreadedHTTPFake):
    """The running fake: read back calls and what each interaction shows; arm one-off 429s."""

    def __init__(self) -> None:
        self.application_id = APPLICATION_ID
        self._calls: list[Call] = []
        self._interactions: dict[str, _Interaction] = {}
        self._limits: list[_Limit] = []
        self._refused_tokens: set[str] = set()
        self._ids = itertools.count(1_200_000_000_000_000_000)
        self._attachments: dict[str, tuple[bytes, str]] = {}  # CDN path: bytes, content type
        self._failures: list[_Failure] = []
        self._threads: dict[int, Thread] = {}
        self._no_threads: set[int] = set()  # channels where the bot may not open threads
        super().__init__()

    @property
    def api_url(self) -> str:
        return f"{self.origin}{API_PREFIX}"

    def next_id(self) -> int:
        with self._changed:
            return next(self._ids)

    # -- arming ---------------------------------------------------------------------------------

    def rate_limit_once(self, method: str, pattern: str, *, retry_after: float = 0.05) -> None:
        """The next ``method`` request whose path matches ``pattern`` (a regex) gets a 429."""
        with self._changed:
            self._limits.append(_Limit(method.upper(), re.compile(pattern), retry_after))

    def fail(self, method: str, pattern: str, *, status: int = 503, times: int = 1, after: int = 0) -> None:
        """After ``after`` more, the next ``times`` ``method`` requests whose path matches ``pattern``
        get ``status`` (503: a server error discord.py raises at once; it retries a 500 for seconds)."""
        with self._changed:
            self._failures.append(_Failure(method.upper(), re.compile(pattern), status, after, times))

    def refuse_threads(self, channel: int) -> None:
        """Opening a thread in ``channel`` gets 403, as it does without Create Public Threads."""
        with self._changed:
            self._no_threads.add(channel)

    def refuse_token(self, token: str) -> None:
        """Logging in with ``token`` gets 401, as a reset or mistyped token does."""
        with self._changed:
            self._refused_tokens.add(token)

    # -- reading back -----------------------------------------------------------------------------

    def calls(self, method: str | None = None, pattern: str | None = None) -> list[Call]:
        with self._changed:
            seen = list(self._calls)
        return [
            c
            for c in seen
            if (method is None or c.method == method.upper())
            and (pattern is None or re.search(pattern, c.path))
        ]

    def threads(self) -> list[Thread]:
        with self._changed:
            return list(self._threads.values())

    def posted(self, channel: int) -> list[Call]:
        """The messages created in a channel or thread, in order (those the fake accepted)."""
        return [c for c in self.calls("POST", rf"^/channels/{channel}/messages$") if c.status == 200]

    def shown(self, token: str) -> list[Shown]:
        """The messages an interaction left in the channel, in order, as Discord would show them."""
        with self._changed:
            return list(self._interactions.get(token, _Interaction()).messages)

    def choices(self, token: str) -> list[dict[str, Any]] | None:
        with self._changed:
            state = self._interactions.get(token)
            return None if state is None or state.choices is None else list(state.choices)

    def callbacks(self, token: str) -> list[int]:
        """The callback types an interaction was answered with (5 deferred, 4 message, 8 choices)."""
        with self._changed:
            state = self._interactions.get(token)
            return [] if state is None else list(state.callbacks)

    # -- serving (called from the server thread) --------------------------------------------------

    def attachment(
        self, filename: str, data: bytes, *, content_type: str, size: int | None = None
    ) -> dict[str, Any]:
        """An attachment's payload (``size`` as Discord states it, the real length unless given); its
        ``url`` on the fake serves ``data``."""
        attachment_id = self.next_id()
        url = f"{self.origin}/attachments/{CHANNEL_FILES}/{attachment_id}/{filename}"
        with self._changed:
            self._attachments[f"/attachments/{CHANNEL_FILES}/{attachment_id}/{filename}"] = (
                data,
                content_type,
            )
        return {
            "id": str(attachment_id),
            "filename": filename,
            "size": len(data) if size is None else size,
            "url": url,
            "proxy_url": url,
            "content_type": content_type,
        }

    def respond(self, handler: BaseHTTPRequestHandler) -> None:
        request = self.read_request(handler)
        with self._changed:
            served = self._attachments.get(request.path)
        if served is not None:
            self.send(handler, 200, served[0], {"Content-Type": served[1]})
            return
        content_type = request.headers.get("content-type", "")
        files: tuple[Attachment, ...] = ()
        if content_type.startswith("multipart/form-data"):
            body, files = read_multipart(request.body, content_type)
        else:
            is_json = bool(request.body) and "json" in content_type
            body = json.loads(request.body) if is_json else None
        path = request.path.removeprefix(API_PREFIX)
        answer = self._serve(
            request.method, path, dict(parse_qsl(request.query)), request.headers, body, files
        )
        if answer.status == 204:
            self.send(handler, answer.status, None, answer.headers)
        else:
            data = b"" if answer.body is None else json.dumps(answer.body).encode("utf-8")
            self.send(handler, answer.status, data, {**answer.headers, "Content-Type": "application/json"})

    def _serve(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        headers: dict[str, str],
        body: Any,
        files: tuple[Attachment, ...] = (),
    ) -> _Answer:
        with self._changed:
            answer = (
                self._limited(method, path)
                or self._failed(method, path)
                or self._route(method, path, headers, body, files)
            )
            self._calls.append(
                Call(method, path, query, body, answer.status, headers, time.monotonic(), files, answer.body)
            )
            self._changed.notify_all()
            return answer

    def _failed(self, method: str, path: str) -> _Answer | None:
        for failure in self._failures:
            if failure.method == method and failure.pattern.search(path):
                if failure.passing:
                    failure.passing -= 1
                    return None
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.remove(failure)
                message = f"{failure.status}: Service Unavailable"
                return _Answer(failure.status, {"message": message, "code": 0})
        return None

    def _limited(self, method: str, path: str) -> _Answer | None:
        for limit in self._limits:
            if limit.method == method and limit.pattern.search(path):
                self._limits.remove(limit)
                return _Answer(
                    429,
                    {
                        "message": "You are being rate limited.",
                        "retry_after": limit.retry_after,
                        "global": False,
                    },
                    {
                        "Retry-After": f"{limit.retry_after}",
                        "X-RateLimit-Limit": "5",
                        "X-RateLimit-Remaining": "0",
                        "X-RateLimit-Reset-After": f"{limit.retry_after}",
                        "X-RateLimit-Bucket": "fake-bucket",
                        "X-RateLimit-Scope": "user",
                        "Via": "1.1 google",
                    },
                )
        return None

    def _route(
        self, method: str, path: str, headers: dict[str, str], body: Any, files: tuple[Attachment, ...] = ()
    ) -> _Answer:
        if method == "GET" and path == "/users/@me":
            token = headers.get("authorization", "").removeprefix("Bot ")
            if token in self._refused_tokens:
                return _Answer(401, {"message": "401: Unauthorized", "code": 0})
            return _Answer(200, _user(BOT_USER_ID, "briefbot", bot=True))
        if method == "GET" and path == "/oauth2/applications/@me":
            return _Answer(200, self._application())
        if match := _CALLBACK.match(path):
            return self._callback(int(match.group(1)), match.group(2), body, files)
        if match := _ORIGINAL.match(path):
            return self._original(method, match.group(2), body)
        if method == "POST" and (match := _FOLLOWUP.match(path)):
            return self._followup(match.group(2), body, files)
        if method == "PUT" and (match := _COMMANDS.match(path)):
            guild = match.group(2)
            return _Answer(200, [self._command(c, guild) for c in body or []])
        if method == "POST" and (match := _MESSAGE_THREAD.match(path)):
            return self._open_thread(int(match.group(1)), int(match.group(2)), body or {})
        if method == "POST" and (match := _CHANNEL_MESSAGES.match(path)):
            return _Answer(200, self._message(body or {}, int(match.group(1)), private=False, files=files))
        return _Answer(404, {"message": "404: Not Found", "code": 0})

    def _open_thread(self, channel: int, message: int, body: dict[str, Any]) -> _Answer:
        if channel in self._no_threads:
            return _Answer(403, {"message": "Missing Permissions", "code": MISSING_PERMISSIONS})
        if message in self._threads:
            return _Answer(
                400, {"message": "A thread has already been created for this message", "code": THREAD_EXISTS}
            )
        thread = Thread(id=message, parent_id=channel, name=str(body.get("name", "")))
        self._threads[message] = thread
        return _Answer(
            201,
            {
                "id": str(thread.id),
                "type": 11,
                "guild_id": "1",
                "parent_id": str(channel),
                "owner_id": str(BOT_USER_ID),
                "name": thread.name,
                "thread_metadata": {
                    "archived": False,
                    "auto_archive_duration": int(body.get("auto_archive_duration") or 1440),
                    "archive_timestamp": "2026-01-01T00:00:00+00:00",
                    "locked": False,
                },
                "message_count": 0,
                "member_count": 1,
                "rate_limit_per_user": 0,
            },
        )

    def _callback(
        self, interaction_id: int, token: str, body: dict[str, Any], files: tuple[Attachment, ...] = ()
    ) -> _Answer:
        state = self._interactions.setdefault(token, _Interaction())
        kind = body["type"]
        data = body.get("data") or {}
        flags = int(data.get("flags", 0))
        state.callbacks.append(kind)
        if kind == DEFERRED:
            state.placeholder_flags = flags
        elif kind == CHANNEL_MESSAGE:
            state.messages.append(_shown(data, private=bool(flags & EPHEMERAL), original=True, files=files))
        elif kind == AUTOCOMPLETE_RESULT:
            state.choices = list(data.get("choices", []))
        return _Answer(
            200,
            {
                "interaction": {
                    "id": str(interaction_id),
                    "type": 2,
                    "response_message_loading": kind == DEFERRED,
                    "response_message_ephemeral": bool(flags & EPHEMERAL),
                }
            },
        )

    def _followup(self, token: str, body: dict[str, Any], files: tuple[Attachment, ...] = ()) -> _Answer:
        state = self._interactions.setdefault(token, _Interaction())
        if state.placeholder_flags is not None:
            # The first followup resolves "thinking…" and keeps the defer's visibility.
            private, original = bool(state.placeholder_flags & EPHEMERAL), True
            state.placeholder_flags = None
        else:
            private, original = bool(int(body.get("flags", 0)) & EPHEMERAL), False
        state.messages.append(_shown(body, private=private, original=original, files=files))
        return _Answer(200, self._message(body, 1, private=private, files=files))

    def _original(self, method: str, token: str, body: Any) -> _Answer:
        state = self._interactions.setdefault(token, _Interaction())
        if method == "DELETE":
            state.placeholder_flags = None
            state.messages = [m for m in state.messages if not m.original]
            return _Answer(204, None)
        if method == "PATCH":
            if state.placeholder_flags is not None:
                private = bool(state.placeholder_flags & EPHEMERAL)
                state.placeholder_flags = None
            else:
                previous = next((m for m in state.messages if m.original), None)
                private = previous.private if previous else False
                state.messages = [m for m in state.messages if not m.original]
            state.messages.insert(0, _shown(body or {}, private=private, original=True))
            return _Answer(200, self._message(body or {}, 1, private=private))
        return _Answer(405, {"message": "405: Method Not Allowed", "code": 0})

    def _application(self) -> dict[str, Any]:
        return {
            "id": str(self.application_id),
            "name": "briefbot",
            "icon": None,
            "description": "",
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "owner": _user(BOT_USER_ID + 1, "owner"),
            "flags": 0,
        }

    def _command(self, command: dict[str, Any], guild: str | None) -> dict[str, Any]:
        # A context-menu command is sent without a description; Discord answers with an empty one.
        return {
            "description": "",
            **command,
            "id": str(next(self._ids)),
            "application_id": str(self.application_id),
            "version": "1",
            **({"guild_id": guild} if guild else {}),
        }

    def _message(
        self, body: dict[str, Any], channel_id: int, *, private: bool, files: tuple[Attachment, ...] = ()
    ) -> dict[str, Any]:
        return {
            "id": str(next(self._ids)),
            "channel_id": str(channel_id),
            "type": 0,
            "content": body.get("content") or "",
            "embeds": body.get("embeds") or [],
            "attachments": [self._attachment(file, channel_id) for file in files],
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": False,
            "flags": EPHEMERAL if private else 0,
            "timestamp": "2026-01-01T00:00:00+00:00",
            "edited_timestamp": None,
            "author": _user(BOT_USER_ID, "briefbot", bot=True),
            "webhook_id": str(self.application_id),
            "application_id": str(self.application_id),
        }

    def _attachment(self, file: Attachment, channel_id: int) -> dict[str, Any]:
        """An attachment as a created message lists it (discord.py reads these fields back)."""
        attachment_id = next(self._ids)
        url = f"{self.origin}/attachments/{channel_id}/{attachment_id}/{file.filename}"
        return {
            "id": str(attachment_id),
            "filename": file.filename,
            "size": len(file.content),
            "url": url,
            "proxy_url": url,
            "content_type": "image/png" if file.filename.endswith(".png") else file.content_type,
            **({"description": file.description} if file.description is not None else {}),
        }


def read_multipart(body: bytes, content_type: str) -> tuple[Any, tuple[Attachment, ...]]:
    """A ``multipart/form-data`` body as discord.py sends one: the ``payload_json`` part's JSON, and
    each file part as an :class:`Attachment`, described from the JSON's ``attachments`` by its index."""
    boundary = _headers(f"Content-Type: {content_type}").get_param("boundary")
    assert isinstance(boundary, str), f"no boundary in {content_type!r}"
    payload: Any = None
    parts: list[tuple[Message, bytes]] = []
    for chunk in body.split(b"--" + boundary.encode("latin-1"))[1:]:
        if chunk.startswith(b"--"):  # the closing delimiter
            break
        head, _, content = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        headers = _headers(head.decode("utf-8"))
        if headers.get_param("name", header="content-disposition") == "payload_json":
            payload = json.loads(content.removesuffix(b"\r\n"))
        else:
            parts.append((headers, content.removesuffix(b"\r\n")))
    message = payload.get("data", payload) if isinstance(payload, dict) else {}
    described = {int(a["id"]): a.get("description") for a in message.get("attachments") or [] if "id" in a}
    files = []
    for headers, content in parts:
        name = str(headers.get_param("name", "", header="content-disposition"))
        index = int(name[len("files[") : -1]) if re.fullmatch(r"files\[\d+\]", name) else -1
        filename = str(headers.get_param("filename", "", header="content-disposition"))
        files.append(Attachment(name, filename, content, headers.get_content_type(), described.get(index)))
    return payload, tuple(files)


def _headers(text: str) -> Message:
    return HeaderParser().parsestr(text.replace("\r\n", "\n") + "\n\n")


def _user(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {
        "id": str(user_id),
        "username": name,
        "discriminator": "0",
        "global_name": None,
        "avatar": None,
        "bot": bot,
    }


def _shown(
    data: dict[str, Any], *, private: bool, original: bool, files: tuple[Attachment, ...] = ()
) -> Shown:
    return Shown(
        content=data.get("content") or "",
        embeds=tuple(data.get("embeds") or ()),
        private=private,
        original=original,
        files=files,
    )


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


@contextmanager
def serve_discord_api() -> Iterator[FakeDiscordAPI]:
    """The fake, with discord.py's routes pointed at it for the ``with`` block."""
    with FakeDiscordAPI() as fake:
        previous = discord.http.Route.BASE
        discord.http.Route.BASE = fake.api_url
        try:
            yield fake
        finally:
            discord.http.Route.BASE = previous


@pytest.fixture
def discord_api() -> Iterator[FakeDiscordAPI]:
    """A fresh fake per test, discord.py pointed at it; made visible with ``discord_api = discord_api``."""
    with serve_discord_api() as fake:
        yield fake
