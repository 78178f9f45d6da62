"""Fetching over a real loopback HTTP server: redirects, conditional GETs, limits and the guard."""

from __future__ import annotations

import gzip
import re
import socket
import time
import tracemalloc
import zlib
from collections.abc import Callable
from typing import Any

import pytest

from storage.fetch import USER_AGENT, FetchError, fetch
from storage.netguard import RefusedURL
from tests import loopback
from tests.loopback import LoopbackServer, Reply, Seen

loopback_server = loopback.loopback_server  # the fixture, found by pytest under this name

LOCAL = ("127.0.0.1",)  # the loopback server is inside the network: tests allow it explicitly
PAGE = "<html><head><title>Hello</title></head><body><p>Hello, world.</p></body></html>"


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[list[str]]]:
    """Names under .test answer from this table, one answer per lookup (the last one repeats)."""
    table: dict[str, list[list[str]]] = {}
    real: Callable[..., list[tuple[Any, ...]]] = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
        if isinstance(host, str) and host.endswith(".test"):
            answers = table.get(host)
            if not answers:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            addresses = answers.pop(0) if len(answers) > 1 else answers[0]
            return [info for address in addresses for info in real(address, port, *args, **kwargs)]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return table


def test_ok_page_with_its_validators(loopback_server: LoopbackServer) -> None:
    url = loopback_server.reply(
        "/page",
        PAGE,
        headers={"ETag": '"v1"', "Last-Modified": "Tue, 05 Mar 2024 10:00:00 GMT"},
    )
    fetched = fetch(url, allow=LOCAL)
    assert fetched.url == url
    assert fetched.status == 200
    assert fetched.content_type == "text/html; charset=utf-8"
    assert fetched.body == PAGE.encode()
    assert fetched.etag == '"v1"'
    assert fetched.last_modified == "Tue, 05 Mar 2024 10:00:00 GMT"
    assert not fetched.not_modified
    (seen,) = loopback_server.requests("/page")
    assert seen.header("user-agent") == USER_AGENT == "briefbot/0.1 (+https://github.com/briefbot/briefbot)"
    assert seen.header("if-none-match") is None
    assert seen.header("if-modified-since") is None
    assert "text/html" in (seen.header("accept") or "")


def test_the_loopback_server_is_refused_unless_allowed(loopback_server: LoopbackServer) -> None:
    url = loopback_server.reply("/page", PAGE)
    with pytest.raises(RefusedURL, match=r"127\.0\.0\.1 is a loopback address"):
        fetch(url)
    assert loopback_server.count() == 0


MODIFIED = "Tue, 05 Mar 2024 10:00:00 GMT"


def _conditional(seen: Seen) -> Reply:
    if seen.header("if-none-match") == '"v1"' or seen.header("if-modified-since") == MODIFIED:
        return Reply(status=304, headers={"ETag": '"v1"'}, content_type=None)
    return Reply(body=PAGE, headers={"ETag": '"v1"', "Last-Modified": MODIFIED})


def test_304_when_the_etag_still_matches(loopback_server: LoopbackServer) -> None:
    url = loopback_server.route("/cond", _conditional)
    first = fetch(url, allow=LOCAL)
    second = fetch(url, allow=LOCAL, etag=first.etag)
    assert second.not_modified
    assert second.status == 304
    assert second.body == b""
    assert second.etag == '"v1"'
    sent = loopback_server.requests("/cond")[1]
    assert sent.header("if-none-match") == '"v1"'
    assert sent.header("if-modified-since") is None


def test_304_when_not_modified_since(loopback_server: LoopbackServer) -> None:
    url = loopback_server.route("/cond", _conditional)
    fetched = fetch(url, allow=LOCAL, last_modified=MODIFIED)
    assert fetched.not_modified
    assert fetched.last_modified == MODIFIED  # kept from the request: the 304 did not repeat it
    assert loopback_server.requests("/cond")[0].header("if-modified-since") == MODIFIED


@pytest.mark.parametrize("status", [500, 404, 403])
def test_http_errors(loopback_server: LoopbackServer, status: int) -> None:
    url = loopback_server.reply("/broken", "oops", status=status)
    with pytest.raises(FetchError) as caught:
        fetch(url, allow=LOCAL)
    assert str(caught.value) == f"HTTP {status} from {url}"


def test_a_server_that_never_answers_times_out(loopback_server: LoopbackServer) -> None:
    url = loopback_server.route("/slow", Reply(hang=True))
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"^timed out after 0\.5 s fetching http://127\.0\.0\.1"):
        fetch(url, allow=LOCAL, timeout=0.5)
    assert time.monotonic() - started < 3


def test_a_trickling_body_cannot_outlast_the_timeout(loopback_server: LoopbackServer) -> None:
    url = loopback_server.route("/drip", Reply(body=b"x" * 100, chunk_size=1, chunk_delay=0.1))
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"timed out after 0\.5 s"):
        fetch(url, allow=LOCAL, timeout=0.5)
    assert time.monotonic() - started < 3


@pytest.mark.parametrize("content_length", [True, False])
def test_a_body_over_the_size_cap(loopback_server: LoopbackServer, content_length: bool) -> None:
    url = loopback_server.route("/big", Reply(body=b"a" * 300_000, content_length=content_length))
    with pytest.raises(FetchError) as caught:
        fetch(url, allow=LOCAL, max_bytes=100_000)
    assert str(caught.value) == f"{url} is larger than the 100.0 kB limit"


def test_the_default_cap_reads_in_megabytes(loopback_server: LoopbackServer) -> None:
    url = loopback_server.route("/huge", Reply(body=b"a" * 5_000_001, content_length=False))
    with pytest.raises(FetchError, match=r"larger than the 5\.0 MB limit"):
        fetch(url, allow=LOCAL)


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_a_compressed_bomb_is_refused_without_unpacking_it_in_memory(
    loopback_server: LoopbackServer, encoding: str
) -> None:
    """200 MB of one letter, compressed to some 200 kB: refused at the 1 MB cap, and the fetch never
    holds much more than the cap (tracemalloc's peak), however much one compressed read unpacks to."""
    plain = b"a" * 200_000_000
    body = gzip.compress(plain, compresslevel=9) if encoding == "gzip" else zlib.compress(plain, 9)
    url = loopback_server.route(
        "/bomb", Reply(body=body, headers={"Content-Encoding": encoding}, content_type="text/html")
    )
    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match=r"larger than the 1\.0 MB limit"):
            fetch(url, allow=LOCAL, max_bytes=1_000_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8_000_000, f"{peak / 1e6:.0f} MB held at once"


def raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(
    ("encoding", "pack"),
    [("gzip", gzip.compress), ("deflate", zlib.compress), ("deflate", raw_deflate)],
    ids=["gzip", "deflate", "raw-deflate"],
)
def test_a_compressed_page_is_read_whole(
    loopback_server: LoopbackServer, encoding: str, pack: Callable[[bytes], bytes]
) -> None:
    paragraphs = "<p>Harbour news, paragraph by paragraph.</p>" * 5000
    page = f"<html><body>{paragraphs}</body></html>".encode()
    url = loopback_server.route(
        "/page", Reply(body=pack(page), headers={"Content-Encoding": encoding}, content_type="text/html")
    )
    assert fetch(url, allow=LOCAL).body == page


def test_a_broken_compressed_body_is_one_line(loopback_server: LoopbackServer) -> None:
    body = gzip.compress(b"<html><body><p>Fine so far.</p>" * 100)[:40] + b"not gzip any more" * 10
    url = loopback_server.route(
        "/broken", Reply(body=body, headers={"Content-Encoding": "gzip"}, content_type="text/html")
    )
    with pytest.raises(FetchError, match=r"^cannot decode the response from .*/broken \(gzip: "):
        fetch(url, allow=LOCAL)


def test_a_body_exactly_at_the_cap_is_fine(loopback_server: LoopbackServer) -> None:
    url = loopback_server.route("/edge", Reply(body=b"a" * 1000, content_length=False))
    assert len(fetch(url, allow=LOCAL, max_bytes=1000).body) == 1000


def test_binary_content_is_not_downloaded(loopback_server: LoopbackServer) -> None:
    url = loopback_server.reply("/logo.png", b"\x89PNG\r\n", content_type="image/png")
    with pytest.raises(FetchError) as caught:
        fetch(url, allow=LOCAL)
    assert str(caught.value) == f"{url} is not text or HTML (image/png)"


def test_feeds_and_unlabelled_bodies_are_text(loopback_server: LoopbackServer) -> None:
    rss = loopback_server.reply("/rss", "<rss/>", content_type="application/rss+xml; charset=utf-8")
    bare = loopback_server.reply("/bare", "plain", content_type=None)
    assert fetch(rss, allow=LOCAL).body == b"<rss/>"
    assert fetch(bare, allow=LOCAL).content_type == ""


def test_redirects_are_followed_to_the_final_url(loopback_server: LoopbackServer) -> None:
    start = loopback_server.redirect("/old", "/moved", status=301)
    loopback_server.redirect("/moved", loopback_server.url("/final"), status=307)
    final = loopback_server.reply("/final", PAGE)
    fetched = fetch(start, allow=LOCAL, etag='"e"')
    assert fetched.url == final
    assert fetched.body == PAGE.encode()
    assert [seen.path for seen in loopback_server.requests()] == ["/old", "/moved", "/final"]
    assert loopback_server.requests("/final")[0].header("if-none-match") == '"e"'


def test_too_many_redirects(loopback_server: LoopbackServer) -> None:
    url = loopback_server.redirect("/loop", "/loop")
    with pytest.raises(FetchError) as caught:
        fetch(url, allow=LOCAL, max_redirects=3)
    assert str(caught.value) == f"too many redirects (more than 3) from {url}"
    assert loopback_server.count("/loop") == 4


def test_a_redirect_without_location(loopback_server: LoopbackServer) -> None:
    url = loopback_server.route("/nowhere", Reply(status=302, content_type=None))
    with pytest.raises(FetchError, match="HTTP 302 redirect without a Location"):
        fetch(url, allow=LOCAL)


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("http://[::1]:9/private", "::1 is a loopback address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata address"),
        ("http://10.0.0.1/", "10.0.0.1 is a private address"),
        ("file:///etc/passwd", "only http and https"),
    ],
)
def test_every_redirect_hop_is_checked(loopback_server: LoopbackServer, target: str, reason: str) -> None:
    url = loopback_server.redirect("/jump", target)
    with pytest.raises(RefusedURL, match=re.escape(reason)) as caught:
        fetch(url, allow=LOCAL)
    assert str(caught.value).startswith(f"refused {target}: ")


def test_a_name_that_rebinds_to_loopback_after_the_check_is_refused(
    loopback_server: LoopbackServer, fake_dns: dict[str, list[list[str]]]
) -> None:
    loopback_server.reply("/page", PAGE)
    fake_dns["rebind.test"] = [["93.184.216.34"], ["127.0.0.1"]]  # public when checked, loopback after
    with pytest.raises(RefusedURL, match=r"127\.0\.0\.1 is a loopback address"):
        fetch(f"http://rebind.test:{loopback_server.port}/page")
    assert loopback_server.count() == 0


def test_an_allowed_name_connects_to_the_address_it_was_vetted_for(
    loopback_server: LoopbackServer, fake_dns: dict[str, list[list[str]]]
) -> None:
    loopback_server.reply("/page", PAGE)
    fake_dns["intranet.test"] = [["127.0.0.1"]]
    fetched = fetch(f"http://intranet.test:{loopback_server.port}/page", allow=["intranet.test"])
    assert fetched.body == PAGE.encode()
    assert loopback_server.requests("/page")[0].header("host") == f"intranet.test:{loopback_server.port}"


def test_an_unresolvable_host_is_a_fetch_error(fake_dns: dict[str, list[list[str]]]) -> None:
    with pytest.raises(FetchError, match=r"^cannot resolve host gone\.test \(name or service not known\)$"):
        fetch("http://gone.test/page")


def test_nothing_listening() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError, match=r"^cannot connect to 127\.0\.0\.1: ") as caught:
        fetch(f"http://127.0.0.1:{port}/", allow=LOCAL)
    assert "\n" not in str(caught.value)
