"""The threaded HTTP server on 127.0.0.1 that the tests' fakes are built on.

:class:`ThreadedHTTPFake` starts a ``ThreadingHTTPServer`` on a free loopback port (port 0) in a
daemon thread and hands every request to its :meth:`~ThreadedHTTPFake.respond`, which a subclass
writes with :meth:`~ThreadedHTTPFake.read_request` and :meth:`~ThreadedHTTPFake.send`. Its state
is guarded by one condition, ``_changed``: a subclass records under it and notifies it, and tests
block on :meth:`~ThreadedHTTPFake.wait_for` rather than sleeping in a polling loop.

Used by ``tests/loopback.py`` (pages to fetch), ``tests/slack_api.py`` and ``tests/discord_api.py``.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Self
from urllib.parse import urlsplit


@dataclass(frozen=True, slots=True)
class Request:
    """A request as a fake reads it: ``target`` as sent, split into ``path`` and ``query`` (unparsed).

    Header names are lower-cased; ``body`` is the ``Content-Length`` bytes (empty when there are none).
    """

    method: str
    target: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


class ThreadedHTTPFake:
    """A server on ``host``:``port`` from construction until :meth:`close` (or the ``with`` block's end)."""

    host: ClassVar[str] = "127.0.0.1"
    methods: ClassVar[frozenset[str]] = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
    """What :meth:`respond` answers; any other method gets 501, as from a plain ``BaseHTTPRequestHandler``."""
    quiet_errors: ClassVar[tuple[type[BaseException], ...]] = ()
    """Errors a handler may end in that are expected (a client hanging up), so left unreported."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._httpd = _Server((self.host, 0), _Handler)
        self._httpd.fake = self
        self.port: int = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def origin(self) -> str:
        """``http://host:port``, with nothing after it."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """Where a client points; a subclass adds its API's prefix."""
        return self.origin

    def respond(self, handler: BaseHTTPRequestHandler) -> None:
        """Answer one request (on a server thread): read it, record it, send the answer."""
        raise NotImplementedError

    @staticmethod
    def read_request(handler: BaseHTTPRequestHandler) -> Request:
        split = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        return Request(
            method=handler.command,
            target=handler.path,
            path=split.path,
            query=split.query,
            headers={name.lower(): value for name, value in handler.headers.items()},
            body=handler.rfile.read(length) if length else b"",
        )

    @staticmethod
    def send(
        handler: BaseHTTPRequestHandler,
        status: int,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Send the status and ``headers``; then, when ``body`` is given, its ``Content-Length`` and itself.

        With ``body=None`` only the status and ``headers`` go out, and the caller writes any body
        itself. A HEAD request gets the headers without the body.
        """
        handler.send_response(status)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        if body is not None:
            handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if body and handler.command != "HEAD":
            handler.wfile.write(body)

    def wait_for(self, predicate: Callable[[Self], bool], timeout: float = 10.0) -> bool:
        """Block until ``predicate(self)`` holds (checked on every notify of ``_changed``) or ``timeout``."""
        with self._changed:
            return self._changed.wait_for(lambda: predicate(self), timeout=timeout)

    def close(self) -> None:
        with self._changed:
            self._changed.notify_all()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _dispatch(self, handler: BaseHTTPRequestHandler) -> None:
        if handler.command not in self.methods:
            handler.send_error(HTTPStatus.NOT_IMPLEMENTED, f"Unsupported method ({handler.command!r})")
            return
        self.respond(handler)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: ThreadedHTTPFake

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], self.fake.quiet_errors):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self.server.fake._dispatch(self)

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: a failing test shows its assertion and the recorded requests, not an access log."""
