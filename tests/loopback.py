"""A real HTTP server on 127.0.0.1 for tests that fetch: no test ever needs the internet.

Each test gets its own server on a free port (``loopback_server`` fixture, or ``serve()`` as a
context manager) and sets its routes: a fixed ``Reply`` (status, headers, body, with or without
Content-Length, optionally trickled or held back), a redirect, or a function of the request. The
server records every request it received, headers included, so a test can assert what was sent.

A reply that hangs (for timeout tests) waits on the server's ``released`` event, which teardown
sets: a hung handler never outlives its test, and nothing sleeps in a polling loop.

A test module makes the fixture visible to pytest with ``loopback_server = loopback.loopback_server``
(an assignment rather than a bare import, so linters do not flag the test parameters that use it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.httpfake import ThreadedHTTPFake

HANG_LIMIT = 60.0  # a hung reply gives up on its own after this long, should teardown never come


@dataclass(frozen=True)
class Reply:
    """What a route answers. ``hang`` holds the reply until teardown; ``delay`` holds it that long.

    ``chunk_size``/``chunk_delay`` send the body in pieces with a pause after each (a trickling
    server); ``content_length=False`` leaves the header out, so the body ends when the connection
    closes.
    """

    status: int = 200
    body: bytes | str = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    content_type: str | None = "text/html; charset=utf-8"
    content_length: bool = True
    hang: bool = False
    delay: float = 0.0
    chunk_size: int | None = None
    chunk_delay: float = 0.0

    @property
    def data(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


@dataclass(frozen=True)
class Seen:
    """A request the server received; header names are lower-cased."""

    method: str
    path: str
    headers: Mapping[str, str]

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


Route = Reply | Callable[[Seen], Reply]


class LoopbackServer(ThreadedHTTPFake):
    """The running server: set routes, read back the requests it saw."""

    methods = frozenset({"GET", "HEAD", "POST"})
    quiet_errors = (ConnectionError, TimeoutError)  # a client that hung up early (a limit under test)

    def __init__(self) -> None:
        self.released = threading.Event()
        self._routes: dict[str, Route] = {}
        self._seen: list[Seen] = []
        super().__init__()

    def url(self, path: str = "/") -> str:
        return f"{self.base_url}{path}"

    def route(self, path: str, route: Route) -> str:
        """Answer GETs of ``path`` (the query string is ignored) with ``route``; returns its URL."""
        with self._changed:
            self._routes[path] = route
        return self.url(path)

    def reply(self, path: str, body: bytes | str = b"", **options: Any) -> str:
        """Shorthand for ``route(path, Reply(body=body, **options))``."""
        return self.route(path, Reply(body=body, **options))

    def redirect(self, path: str, location: str, *, status: int = 302) -> str:
        return self.route(path, Reply(status=status, headers={"Location": location}, content_type=None))

    def requests(self, path: str | None = None) -> list[Seen]:
        """Requests received so far, oldest first; only those for ``path`` when given."""
        with self._changed:
            seen = list(self._seen)
        return [s for s in seen if path is None or urlsplit(s.path).path == path]

    def count(self, path: str | None = None) -> int:
        return len(self.requests(path))

    def close(self) -> None:
        self.released.set()
        super().close()

    # -- answering (server threads) --------------------------------------------------------------

    def respond(self, handler: BaseHTTPRequestHandler) -> None:
        request = self.read_request(handler)
        seen = Seen(method=request.method, path=request.target, headers=request.headers)
        with self._changed:
            self._seen.append(seen)
            route = self._routes.get(request.path)
            self._changed.notify_all()
        if route is None:
            reply = Reply(status=404, body=b"no such route", content_type="text/plain")
        elif isinstance(route, Reply):
            reply = route
        else:
            reply = route(seen)
        if reply.hang:
            self.released.wait(HANG_LIMIT)
            return
        if reply.delay and self.released.wait(reply.delay):
            return
        data = reply.data
        headers: dict[str, str] = {"Content-Type": reply.content_type} if reply.content_type else {}
        headers.update(reply.headers)
        if reply.content_length:
            headers["Content-Length"] = str(len(data))
        try:
            self.send(handler, reply.status, None, headers)
            if request.method == "HEAD" or reply.status in (204, 304):
                return
            step = reply.chunk_size or len(data) or 1
            for start in range(0, len(data), step):
                handler.wfile.write(data[start : start + step])
                handler.wfile.flush()
                if reply.chunk_delay and self.released.wait(reply.chunk_delay):
                    return
        except (ConnectionError, TimeoutError):
            return  # the client gave up (a limit under test); nothing to report


@contextmanager
def serve() -> Iterator[LoopbackServer]:
    """A loopback server for the duration of the ``with`` block."""
    with LoopbackServer() as server:
        yield server


@pytest.fixture
def loopback_server() -> Iterator[LoopbackServer]:
    """A fresh loopback server per test; its address is ``loopback_server.base_url``."""
    with serve() as server:
        yield server
