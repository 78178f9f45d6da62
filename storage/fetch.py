"""Fetching one web page or feed for the store: bounded in time and size, and never inside the network.

Every hop of a redirect chain goes through ``netguard.check_url`` (a public page that redirects to
``http://127.0.0.1/`` is refused), and the connection itself is made only to addresses vetted at
connect time, so a host name that changes its answer between the check and the connection (DNS
rebinding) gains nothing. Environment proxies and ``.netrc`` are ignored for the same reason: what
is fetched, and from where, is decided here alone.

A slow server cannot hold a worker: ``timeout`` bounds the whole fetch, redirects, headers and body
included, not just each read (``_DeadlineStream``). A huge or endless body is cut off at ``max_bytes``,
counted after decompression; a gzip or deflate body is unpacked at most ``max_bytes`` at a time
(``_unpacked``), since httpx unpacks each compressed read whole, and 200 kB of gzip can hold 200 MB.
"""

from __future__ import annotations

import functools
import re
import ssl
import time
import zlib
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from storage.netguard import (
    Allowlist,
    RefusedHost,
    RefusedURL,
    UnresolvableHost,
    check_url,
    parse_allow,
    vet_host,
)

USER_AGENT = "briefbot/0.1 (+https://github.com/briefbot/briefbot)"
DEFAULT_ACCEPT = (
    "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
    "application/xml;q=0.9,text/*;q=0.8,*/*;q=0.1"
)
# Only what ``_unpacked`` unpacks in bounded steps is asked for (httpx would also offer br and zstd).
ACCEPT_ENCODING = "gzip, deflate"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({408, 425, 429})  # client errors that mean "not now", not "never"


@dataclass(frozen=True)
class Fetched:
    """One fetched response. ``url`` is the final URL after redirects; ``body`` is empty on a 304.

    ``etag`` and ``last_modified`` are what to send next time; on a 304 without them they are the
    values that were sent, so a caller never loses its validators.
    """

    url: str
    status: int
    content_type: str
    body: bytes
    etag: str | None
    last_modified: str | None
    not_modified: bool


class FetchError(RuntimeError):
    """The page could not be fetched; ``str(error)`` is one line for the user.

    ``permanent``: asking again would get the same answer (a 404, too big, not text), so a feed poll
    takes the entry as seen; otherwise (a timeout, a 5xx) the next poll tries it again.
    """

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def fetch(
    url: str,
    *,
    timeout: float = 10.0,
    max_bytes: int = 5_000_000,
    allow: Collection[str] | Allowlist = (),
    etag: str | None = None,
    last_modified: str | None = None,
    max_redirects: int = 5,
    accept: str = DEFAULT_ACCEPT,
    also_read: Collection[str] = (),
) -> Fetched:
    """GET ``url``, following up to ``max_redirects`` redirects by hand so each hop is checked.

    ``etag`` and ``last_modified`` (from an earlier ``Fetched``) make the request conditional; an
    unchanged resource comes back as ``not_modified=True`` with an empty body. Only text, HTML and
    XML responses are read, and those of the media types in ``also_read`` (a caller with a reader
    for them: PDF and Word documents for ``storage.web``). Raises ``RefusedURL`` for a URL that may
    not be fetched and ``FetchError`` for everything that went wrong on the way (an unresolvable host
    included); ``ValueError`` only for bad arguments, such as an ``allow`` entry that is no host or network.
    """
    if timeout <= 0:
        raise ValueError(f"timeout must be greater than 0, got {timeout!r}")
    if max_redirects < 0:
        raise ValueError(f"max_redirects must be 0 or more, got {max_redirects!r}")
    allowlist = parse_allow(allow)
    deadline = time.monotonic() + timeout
    headers = {"User-Agent": USER_AGENT, "Accept": accept, "Accept-Encoding": ACCEPT_ENCODING}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified

    current = url
    with _client(allowlist, deadline) as client:
        for _hop in range(max_redirects + 1):
            try:
                check_url(current, allow=allowlist)
            except UnresolvableHost as exc:
                raise FetchError(str(exc)) from None
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise FetchError(_timed_out(timeout, url))
            try:
                with client.stream("GET", current, headers=headers, timeout=remaining) as response:
                    target = _redirect_target(response, current)
                    if target is None:
                        return _read(
                            response,
                            current,
                            deadline=deadline,
                            timeout=timeout,
                            max_bytes=max_bytes,
                            sent_etag=etag,
                            sent_last_modified=last_modified,
                            also_read=also_read,
                        )
            except RefusedHost as exc:
                raise RefusedURL(f"refused {current}: {exc}") from None
            except UnresolvableHost as exc:
                raise FetchError(str(exc)) from None
            except httpx.TimeoutException:
                raise FetchError(_timed_out(timeout, url)) from None
            except httpx.ConnectError as exc:
                host = urlsplit(current).hostname or current
                raise FetchError(f"cannot connect to {host}: {_detail(exc)}") from None
            except httpx.RemoteProtocolError as exc:
                raise FetchError(f"broken HTTP response from {current} ({_detail(exc)})") from None
            except httpx.DecodingError as exc:
                raise FetchError(f"cannot decode the response from {current} ({_detail(exc)})") from None
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                raise FetchError(f"cannot fetch {current}: {_detail(exc)}") from None
            current = target
    raise FetchError(f"too many redirects (more than {max_redirects}) from {url}", permanent=True)


def _redirect_target(response: httpx.Response, current: str) -> str | None:
    if response.status_code not in REDIRECT_STATUSES:
        return None
    location = response.headers.get("location", "").strip()
    if not location:
        raise FetchError(
            f"HTTP {response.status_code} redirect without a Location from {current}", permanent=True
        )
    return urljoin(current, location)


def _read(
    response: httpx.Response,
    url: str,
    *,
    deadline: float,
    timeout: float,
    max_bytes: int,
    sent_etag: str | None,
    sent_last_modified: str | None,
    also_read: Collection[str] = (),
) -> Fetched:
    status = response.status_code
    content_type = response.headers.get("content-type", "").strip()
    etag = response.headers.get("etag")
    last_modified = response.headers.get("last-modified")
    if status == 304:
        return Fetched(
            url=url,
            status=status,
            content_type=content_type,
            body=b"",
            etag=etag or sent_etag,
            last_modified=last_modified or sent_last_modified,
            not_modified=True,
        )
    if not 200 <= status < 300:
        lasting = 400 <= status < 500 and status not in RETRY_STATUSES
        raise FetchError(f"HTTP {status} from {url}", permanent=lasting)
    media_type = content_type.split(";", 1)[0].strip().lower()
    if not is_text_type(media_type) and media_type not in also_read:
        raise FetchError(f"{url} is not text or HTML ({media_type})", permanent=True)
    declared = response.headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"{url} is larger than the {_size(max_bytes)} limit", permanent=True)

    body = bytearray()
    for chunk in _unpacked(response, max_bytes + 1):
        body += chunk
        if len(body) > max_bytes:
            raise FetchError(f"{url} is larger than the {_size(max_bytes)} limit", permanent=True)
        if time.monotonic() > deadline:
            raise FetchError(_timed_out(timeout, url))
    return Fetched(
        url=url,
        status=status,
        content_type=content_type,
        body=bytes(body),
        etag=etag,
        last_modified=last_modified,
        not_modified=False,
    )


def _unpacked(response: httpx.Response, step: int) -> Iterator[bytes]:
    """The body as sent, decompressed at most ``step`` bytes at a time, so that the caller's size cap
    holds in memory too. gzip and deflate (zlib-wrapped, or raw as some servers send it) are unpacked
    here from the raw stream; any other encoding a server sends unasked is left to httpx."""
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding in ("gzip", "x-gzip"):
        wbits = zlib.MAX_WBITS | 16
    elif encoding == "deflate":
        wbits = 0  # set from the first bytes: a zlib header, else raw deflate
    else:
        yield from response.iter_bytes()
        return
    decompressor: Any = None
    try:
        for raw in response.iter_raw():
            if decompressor is None:
                if wbits == 0:
                    wbits = zlib.MAX_WBITS if _zlib_header(raw) else -zlib.MAX_WBITS
                decompressor = zlib.decompressobj(wbits)
            data = raw
            while data:
                yield decompressor.decompress(data, step)
                data = decompressor.unconsumed_tail
        if decompressor is not None:
            yield decompressor.flush()
    except zlib.error as error:
        raise httpx.DecodingError(f"{encoding}: {error}") from None


def _zlib_header(data: bytes) -> bool:
    """Whether ``data`` opens with a zlib header (RFC 1950: method 8, a check that divides by 31)."""
    return len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0


def is_text_type(media_type: str) -> bool:
    """Whether a response of this media type is worth reading: text, HTML, XML (feeds), or unlabelled.

    Images, PDFs and archives are refused before their body is downloaded.
    """
    media_type = media_type.strip().lower()
    return (
        not media_type
        or media_type.startswith("text/")
        or media_type in ("application/xml", "application/xhtml+xml")
        or media_type.endswith("+xml")
    )


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the fetch's deadline, not only after ``timeout``.

    httpx's timeouts are per read: a server that drips its headers a byte every 0.2 s, or a compressed
    body of empty deflate blocks (bytes that decode to nothing, so the body loop in ``_read`` never
    runs), would otherwise hold the fetch forever. Here each operation gets at most the time left, and
    none starts once it is gone; httpx reports that as a timeout like any other.
    """

    def __init__(self, stream: httpcore.NetworkStream, deadline: float) -> None:
        self._stream = stream
        self._deadline = deadline

    def _left(self, timeout: float | None) -> float:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise httpcore.ReadTimeout("the fetch's deadline passed")
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._left(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        secure = self._stream.start_tls(ssl_context, server_hostname, self._left(timeout))
        return _DeadlineStream(secure, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _GuardedBackend(httpcore.SyncBackend):
    """Connects only to addresses ``vet_host`` approved at connect time, trying them in order; the
    connection it makes ends by the fetch's ``deadline`` (``_DeadlineStream``)."""

    def __init__(self, allow: Allowlist, deadline: float) -> None:
        self._allow = allow
        self._deadline = deadline

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = vet_host(host, port, allow=self._allow)
        failure: httpcore.ConnectError | None = None
        for address in addresses:
            try:
                stream = super().connect_tcp(str(address), port, timeout, local_address, socket_options)
                return _DeadlineStream(stream, self._deadline)
            except httpcore.ConnectError as exc:  # refused or unreachable: the next address may answer
                failure = exc
        assert failure is not None  # vet_host never returns an empty tuple
        raise failure


class _GuardedTransport(httpx.HTTPTransport):
    """httpx's own transport, with its connection pool built on ``_GuardedBackend``.

    httpx offers no public hook for the network backend, so the pool it built is replaced; the
    request/response plumbing and exception mapping stay httpx's own.
    """

    def __init__(self, allow: Allowlist, deadline: float) -> None:
        super().__init__(verify=_ssl_context(), trust_env=False, retries=0)
        self._pool = httpcore.ConnectionPool(
            ssl_context=_ssl_context(),
            max_connections=4,
            retries=0,
            network_backend=_GuardedBackend(allow, deadline),
        )


def _client(allow: Allowlist, deadline: float) -> httpx.Client:
    return httpx.Client(
        transport=_GuardedTransport(allow, deadline),
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": USER_AGENT},
    )


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """Built once: loading the CA bundle takes longer than many fetches."""
    return httpx.create_ssl_context(trust_env=False)


def _timed_out(timeout: float, url: str) -> str:
    return f"timed out after {timeout:g} s fetching {url}"


def _size(limit: int) -> str:
    if limit >= 1_000_000:
        return f"{limit / 1e6:.1f} MB"
    if limit >= 1000:
        return f"{limit / 1e3:.1f} kB"
    return f"{limit} bytes"


def _detail(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    text = re.sub(r"^\[Errno -?\d+\]\s*", "", text)
    return text or type(exc).__name__
