"""Feeds as a hostile or broken publisher serves them, read through the real feed path.

Hypothesis builds RSS, Atom and RDF documents from random pieces (broken XML, entity declarations and
references, external DTDs, odd dates, huge and odd links, mixed and mislabelled encodings, control
characters, huge validators) and serves each from a loopback server. Each is read by ``poll_feed``
(read, or refused in one line) and polled into a store on SQLite and PostgreSQL by ``poll_one`` (its
entries stored or refused, the poll never raising, nothing stored before touched). Fixed cases: a
feed of 100,000 items within and beyond ``max_bytes``, and bodies that never end (a flood, a byte
every 0.2 s, headers that never end, a compressed body that never decodes to anything): each stops by
the size cap or the fetch's deadline with a one-line error. The store passes its integrity checks
after every test.
"""

from __future__ import annotations

import html
import itertools
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from bot.cli import samples_dir
from config import StorageSettings
from storage.dedup import canonical_url
from storage.feeds import MAX_ENTRIES, FeedError, FeedResult, poll_feed
from storage.feedstore import PollReport, add_feed, find_feed, poll_one
from storage.fetch import FetchError
from storage.models import ArticleRow
from storage.netguard import RefusedURL
from storage.store import Store
from storage.web import WebError, fetch_document
from tests.loopback import LoopbackServer, Reply, serve
from tests.storage_backends import assert_intact, stores

LOCAL = ("127.0.0.1",)
MAX_BYTES = 300_000  # the cap of the fuzzed polls: a page or feed over it is refused
SETTINGS = StorageSettings(allow_hosts=LOCAL, fetch_timeout=2.0, max_bytes=MAX_BYTES, first_poll_entries=3)
SECRET = "root:x:0:0"  # in /etc/passwd: an external entity that was expanded would show it
DTD_TEXT = "THE DTD WAS FETCHED"
ARTICLE = (samples_dir() / "marlow-council-light-rail-vote.txt").read_text("utf-8")

REPO = Path(__file__).resolve().parent.parent
_paths = itertools.count()


# -- what a feed is built from ----------------------------------------------------------------------

WORDS = [
    "The council voted on Tuesday to approve the light rail line. ",
    "Dockworkers walk out ",
    "Ünïcödé ✓ ",
    "日本語のニュース ",
    "\u202eevil\u202c ",
    "@everyone ",
]
ENTITIES = [
    "&amp;",
    "&lt;",
    "&nbsp;",
    "&#0;",
    "&#8;",
    "&#x1F600;",
    "&#xD800;",
    "&#99999999;",
    "&#xFFFE;",
    "&e;",
    "&lol3;",
    "&xxe;",
    "&dtd;",
    "&undefined;",
    "&",
    "&#",
    "&#x;",
]
CONTROLS = [chr(c) for c in range(32)] + ["\x7f", "\x85", "\u2028", "\ufeff", "\ufffe", "\uffff"]
MARKUP = [
    "<![CDATA[<p>Inside CDATA</p>]]>",
    "<![CDATA[",
    "]]>",
    "<!-- a comment -->",
    "<!--",
    "<div>" * 300,
    "<script>alert(1)</script>",
    "<p>A paragraph.</p>",
    "</item>",
    "<item>",
    "</entry>",
    "<",
    ">",
    "<?pi x?>",
    '<img src="javascript:alert(1)">',
]
texts = st.lists(
    st.one_of(st.sampled_from(WORDS + ENTITIES + CONTROLS + MARKUP), st.text(max_size=20)), max_size=8
).map("".join)

DATES = [
    "Tue, 10 Jun 2003 04:00:00 GMT",
    "Wed, 18 Nov 2026 08:00:00 +1400",
    "2026-02-30T25:61:00Z",
    "Mon, 99 Foo 99999 99:99:99 +9999",
    "0000-00-00",
    "-0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59-23:59",
    "1970-01-01T00:00:00Z",
    "yesterday",
    "",
    "9" * 40,
]
dates = st.one_of(
    st.sampled_from(DATES),
    st.text(max_size=30),
    st.datetimes(timezones=st.just(UTC)).map(format_datetime),
    st.datetimes(timezones=st.just(UTC)).map(datetime.isoformat),
)

# ``{base}`` is the loopback server's origin, filled in when the feed is served.
LINKS = [
    "/page/good",
    "page/gone",
    "../page/binary",
    "/page/big",
    "{base}/page/good?utm_source=feed&b=2",
    "{base}/page/good#top",
    "javascript:alert(1)",
    "data:text/html,<p>x</p>",
    "file:///etc/passwd",
    "http://[::1",
    "http://127.0.0.1:99999/page/good",
    "http://10.0.0.1/page",
    "http://user:pw@127.0.0.1:1/x",
    "{base}/page/good?q=" + "a" * 5000,
    "{base}/page/ünï?q=" + "日" * 400,
    "",
    "   ",
    "{base}/page/good\x00",
    "HTTP://127.0.0.1/PAGE",
    "{base}//page//good",
]
links = st.one_of(st.sampled_from(LINKS), st.text(max_size=40))
guids = st.one_of(st.none(), st.sampled_from(["same-guid", "g" * 3000, ""]), st.text(max_size=30))

DOCTYPES = [
    "",
    '<!DOCTYPE rss [<!ENTITY e "entity text">]>',
    '<!DOCTYPE rss [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>',
    '<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    '<!DOCTYPE rss [<!ENTITY dtd SYSTEM "{base}/evil.dtd">]>',
    '<!DOCTYPE rss SYSTEM "{base}/evil.dtd">',
    '<!DOCTYPE rss [<!ENTITY % p SYSTEM "{base}/evil.dtd"> %p;]>',
    '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
    '"http://my.netscape.com/publish/formats/rss-0.91.dtd">',
    "<!DOCTYPE html>",
    '<!DOCTYPE rss [<!ENTITY e "',
]
PROLOGS = [
    "",
    '<?xml version="1.0"?>',
    '<?xml version="1.0" encoding="{declared}"?>',
    '<?xml version="1.1" encoding="{declared}" standalone="yes"?>',
    "<?xml",
]
DECLARED = ["utf-8", "UTF-16", "iso-8859-1", "windows-1252", "shift_jis", "bogus-enc", "utf-32", "cp500"]
ENCODINGS = ["utf-8", "utf-16", "utf-16-be", "latin-1", "cp1252", "shift_jis", "utf-32", "cp500"]
BOMS = [b"", b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]
CONTENT_TYPES = [
    "application/rss+xml",
    "application/atom+xml; charset=utf-16",
    "text/xml; charset=iso-8859-1",
    "application/xml; charset=bogus",
    "text/html",
    "text/plain; charset=utf-8",
    None,
]
header_values = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=600)


def field_text(value: str, how: str) -> str:
    """A value as it goes into the XML: raw (often breaking it), escaped, or in a CDATA section."""
    if how == "escaped":
        return html.escape(value, quote=False)
    if how == "cdata":
        return f"<![CDATA[{value}]]>"
    return value


@st.composite
def items(draw: st.DrawFn, atom: bool) -> str:
    how = draw(st.sampled_from(["raw", "escaped", "escaped", "cdata"]))
    parts = []
    if draw(st.booleans()):
        kind = ' type="html"' if atom and draw(st.booleans()) else ""
        parts.append(f"<title{kind}>{field_text(draw(texts), how)}</title>")
    if draw(st.integers(0, 3)):
        link = html.escape(draw(links)) if how != "raw" else draw(links)
        parts.append(f'<link href="{link}"/>' if atom else f"<link>{link}</link>")
    guid = draw(guids)
    if guid is not None:
        parts.append(f"<id>{field_text(guid, how)}</id>" if atom else f"<guid>{field_text(guid, how)}</guid>")
    if draw(st.booleans()):
        date = draw(dates)
        parts.append(f"<updated>{date}</updated>" if atom else f"<pubDate>{date}</pubDate>")
    if draw(st.booleans()):
        summary = draw(st.one_of(texts, st.just(ARTICLE)))
        tag = "summary" if atom else "description"
        parts.append(f"<{tag}>{field_text(summary, how)}</{tag}>")
    tag = "entry" if atom else "item"
    return f"<{tag}>{''.join(draw(st.permutations(parts)))}</{tag}>"


@dataclass(frozen=True)
class Served:
    """A feed as the loopback server serves it; ``{base}`` in it is replaced by the server's origin."""

    body: bytes
    content_type: str | None
    headers: dict[str, str] = field(default_factory=dict)

    def route(self, server: LoopbackServer, path: str) -> str:
        body = self.body.replace(b"{base}", server.origin.encode("ascii"))
        return server.route(path, Reply(body=body, content_type=self.content_type, headers=self.headers))


@st.composite
def feeds(draw: st.DrawFn) -> Served:
    kind = draw(st.sampled_from(["rss", "atom", "rdf", "rss-without-version", "html", "none"]))
    atom = kind == "atom"
    entries = "".join(draw(st.lists(items(atom), max_size=6)))
    title = field_text(draw(texts), draw(st.sampled_from(["raw", "escaped"])))
    if draw(st.integers(0, 9)) == 0:
        title = "T" * 3000
    if kind == "rss":
        document = f'<rss version="2.0"><channel><title>{title}</title>{entries}</channel></rss>'
    elif kind == "rss-without-version":
        document = f"<rss><channel><title>{title}</title>{entries}"
    elif atom:
        document = f'<feed xmlns="http://www.w3.org/2005/Atom"><title>{title}</title>{entries}</feed>'
    elif kind == "rdf":
        document = (
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            f'xmlns="http://purl.org/rss/1.0/"><channel><title>{title}</title></channel>{entries}</rdf:RDF>'
        )
    elif kind == "html":
        document = f"<html><head><title>{title}</title></head><body>{entries}</body></html>"
    else:
        document = entries
    declared = draw(st.sampled_from(DECLARED))
    prolog = draw(st.sampled_from(PROLOGS)).replace("{declared}", declared)
    source = prolog + draw(st.sampled_from(DOCTYPES)) + document
    body = draw(st.sampled_from(BOMS)) + source.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    if draw(st.integers(0, 3)) == 0:  # cut off mid-document
        body = body[: draw(st.integers(0, len(body)))]
    if draw(st.integers(0, 3)) == 0:  # stray bytes spliced in
        at = draw(st.integers(0, len(body)))
        body = body[:at] + draw(st.binary(min_size=1, max_size=20)) + body[at:]
    headers = {}
    if draw(st.booleans()):
        headers["ETag"] = draw(header_values)
    if draw(st.booleans()):
        headers["Last-Modified"] = draw(st.one_of(header_values, dates.filter(str.isascii)))
    return Served(body=body, content_type=draw(st.sampled_from(CONTENT_TYPES)), headers=headers)


# -- where it is served and stored ------------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    """One loopback server for the module: the pages feeds link to, and a route per fuzzed feed."""
    with serve() as running:
        body = "".join(f"<p>{p}</p>" for p in ARTICLE.split("\n\n") if p.strip())
        running.reply("/page/good", f"<html><body><article>{body}</article></body></html>")
        running.route("/page/gone", Reply(status=404, body="gone"))
        running.reply("/page/binary", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), content_type="image/png")
        running.reply("/page/big", "<p>" + "word " * MAX_BYTES + "</p>")
        running.reply("/evil.dtd", f'<!ENTITY dtd "{DTD_TEXT}">', content_type="application/xml-dtd")
        yield running


def assert_no_orphans(store: Store) -> None:
    """The database's integrity checks, and on both databases no row pointing nowhere."""
    assert_intact(store)
    with store.engine.connect() as connection:
        orphans = (
            "SELECT count(*) FROM feed_entries e LEFT JOIN sources s ON s.id = e.source_id "
            "WHERE s.id IS NULL",
            "SELECT count(*) FROM articles a LEFT JOIN sources s ON s.id = a.source_id "
            "WHERE a.source_id IS NOT NULL AND s.id IS NULL",
            "SELECT count(*) FROM articles a LEFT JOIN stories s ON s.id = a.story_id "
            "WHERE a.story_id IS NOT NULL AND s.id IS NULL",
        )
        for query in orphans:
            assert connection.execute(text(query)).scalar_one() == 0, query


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    yield from stores(request.param, tmp_path_factory.mktemp(f"fuzz-{request.param}"))


@pytest.fixture
def store(backend: Store) -> Iterator[Store]:
    """The module's store, checked after each test that used it."""
    yield backend
    assert_no_orphans(backend)


def stored(store: Store) -> set[tuple[int, str]]:
    with store.sessions() as session:
        return {(row[0], row[1]) for row in session.execute(select(ArticleRow.id, ArticleRow.content_hash))}


def one_line(message: str) -> bool:
    return bool(message.strip()) and "\n" not in message and "\r" not in message


def check_result(result: FeedResult) -> None:
    """What a read feed promises its callers, the store's columns included."""
    assert result.title is None or (one_line(result.title) and len(result.title) <= 512)
    assert result.etag is None or len(result.etag) <= 512
    assert result.last_modified is None or len(result.last_modified) <= 128
    assert len(result.entries) <= MAX_ENTRIES
    for entry in result.entries:
        assert "\n" not in entry.title
        assert entry.url is None or (
            entry.url.lower().startswith(("http://", "https://")) and len(canonical_url(entry.url)) <= 2048
        )
        assert entry.published is None or entry.published.utcoffset() is not None
        shown = " ".join([entry.title, entry.summary, entry.url or "", entry.guid or ""])
        assert SECRET not in shown and DTD_TEXT not in shown


# -- fuzzed ---------------------------------------------------------------------------------------


def rss(items: str, *, title: str = "News", prefix: str = "") -> bytes:
    """An RSS 2.0 document; a ``prefix`` of "\\x00" breaks its XML, so feedparser's loose parser reads it."""
    return f'{prefix}<rss version="2.0"><channel><title>{title}</title>{items}</channel></rss>'.encode()


RSS = "application/rss+xml"


# Each feed that once raised out of poll_feed or gave what the store cannot keep, tried on every run.
@example(Served(rss("", title="&#xD800;", prefix="\x00"), RSS))  # UnicodeEncodeError in feedparser
# An HTML title whose entity decodes to a control character in an element's tail (lxml ValueError)
@example(Served(rss("<item><title>&lt;p&gt;Paragraph.&lt;/p&gt;&amp;#8;</title></item>", prefix="\x00"), RSS))
@example(Served(rss("", title="&#99999999;", prefix="\x00"), RSS))  # chr() arg not in range
@example(Served(rss("<item><description><p>A paragraph.</p>\x0e</description></item>", prefix="\x00"), RSS))
@example(Served(rss("<item><title>T</title><link>http://127.0.0.1:99999/a</link></item>"), RSS))
@example(Served(rss("<item><title>T</title><link>/page/good?q=" + "a" * 5000 + "</link></item>"), RSS))
@example(Served(rss("", title="T" * 3000), RSS, {"ETag": "e" * 600, "Last-Modified": "x" * 300}))
@example(Served(b"<rss><channel><item><title>cut off mid-", "application/rss+xml"))
@example(Served(b'<?xml version="1.0" encoding="utf-16"?><rss version="2.0"></rss>', "text/xml"))
@example(
    Served(
        b'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><rss version="2.0"><channel>'
        b"<item><title>&xxe;</title><link>/page/good</link></item></channel></rss>",
        "application/rss+xml",
    )
)
@example(Served(b'<!DOCTYPE rss SYSTEM "{base}/evil.dtd"><rss version="2.0"><channel/></rss>', None))
@given(feed=feeds())
def test_any_feed_is_read_or_refused_in_one_line(server: LoopbackServer, feed: Served) -> None:
    url = feed.route(server, f"/feed/{next(_paths)}.xml")
    try:
        result = poll_feed(url, timeout=SETTINGS.fetch_timeout, max_bytes=MAX_BYTES, allow=LOCAL)
    except (FeedError, FetchError, RefusedURL) as error:
        assert one_line(str(error)), repr(str(error))
    else:
        check_result(result)
    assert server.count("/evil.dtd") == 0  # no DTD or external entity is ever fetched


# Each that once raised out of poll_one on PostgreSQL (a NUL, or a value wider than its column).
@example(first=Served(b"", RSS), second=Served(rss("<item></item>", title="&#0;", prefix="\x00"), RSS))
@example(first=Served(rss("", title="T" * 3000), RSS, {"ETag": "e" * 600}), second=Served(b"", RSS))
@example(first=Served(rss("", title="ok"), RSS, {"Last-Modified": "x" * 300}), second=Served(b"", RSS))
@example(
    first=Served(rss(f"<item><title>T</title><link>/page/good?q={'日' * 400}</link></item>"), RSS),
    second=Served(b"", RSS),
)
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=feeds(), second=feeds())
def test_any_feed_polled_into_the_store_is_stored_or_refused(
    store: Store, server: LoopbackServer, first: Served, second: Served
) -> None:
    before = stored(store)
    path = f"/feed/{next(_paths)}.xml"
    feed = add_feed(store, first.route(server, path))
    reports = [poll_one(store, SETTINGS, feed)]
    second.route(server, path)  # the publisher changes the feed: the next poll reads what is new
    reports.append(poll_one(store, SETTINGS, feed))
    for report in reports:
        assert report.error is None or one_line(report.error), repr(report.error)
    polled, last = find_feed(store, feed.url), reports[-1]
    assert polled.title is None or len(polled.title) <= 512
    if last.error is None:
        assert (polled.failures, polled.last_error) == (0, None)
    else:  # the feed backs off, and says why
        assert polled.failures >= 1 and polled.last_error == last.error
    assert before <= stored(store)  # nothing stored before was changed or lost


# -- a feed of 100,000 items ----------------------------------------------------------------------


def huge_feed(count: int) -> str:
    entries = "".join(f"<item><title>Item {i}</title><link>/i/{i}</link></item>" for i in range(count))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Huge</title>{entries}</channel></rss>'


HUGE = huge_feed(100_000)


# Run in a process of its own, so that its high-water mark of memory is this poll's alone: VmHWM, since
# Linux carries ru_maxrss over from the parent (pytest) across exec.
POLL_IN_A_CHILD = """
import json, re, resource, sys
from pathlib import Path
from storage.feeds import poll_feed

def high_water_kb():
    status = Path("/proc/self/status")
    found = re.search(r"VmHWM:\\s*(\\d+)", status.read_text()) if status.exists() else None
    return int(found.group(1)) if found else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

before = high_water_kb()
result = poll_feed(sys.argv[1], timeout=30, max_bytes=int(sys.argv[2]), allow=("127.0.0.1",))
print(json.dumps({
    "grown_kb": high_water_kb() - before,
    "titles": [entry.title for entry in result.entries],
}))
"""


def test_a_feed_of_100000_items_within_the_cap_is_read_with_bounded_entries_and_memory(
    server: LoopbackServer,
) -> None:
    url = server.reply("/huge.xml", HUGE, content_type="application/rss+xml")
    child = subprocess.run(
        [sys.executable, "-c", POLL_IN_A_CHILD, url, str(2 * len(HUGE))],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    assert child.returncode == 0, child.stderr
    polled = json.loads(child.stdout)
    assert polled["titles"] == [f"Item {i}" for i in range(MAX_ENTRIES)]  # the first ones: the newest
    # The body (5.9 MB, held twice while it is read) and 5,000 entries; all 100,000 took 130 MB more.
    assert polled["grown_kb"] < 60_000, polled["grown_kb"]


@pytest.mark.parametrize("content_length", [True, False])
def test_a_feed_of_100000_items_beyond_the_cap_is_refused_in_one_line_before_it_is_read(
    server: LoopbackServer, content_length: bool
) -> None:
    url = server.route(
        "/huge-capped.xml",
        Reply(body=HUGE, content_type="application/rss+xml", content_length=content_length),
    )
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        poll_feed(url, timeout=10, max_bytes=1_000_000, allow=LOCAL)
    assert str(caught.value) == f"{url} is larger than the 1.0 MB limit"
    assert time.monotonic() - started < 3


def test_a_feed_of_100000_items_is_polled_into_the_store_within_bounds(
    store: Store, server: LoopbackServer
) -> None:
    before = stored(store)
    within = add_feed(store, server.reply("/huge-store.xml", HUGE, content_type="application/rss+xml"))
    settings = StorageSettings(allow_hosts=LOCAL, fetch_timeout=10.0, max_bytes=2 * len(HUGE))
    started = time.monotonic()
    report = poll_one(store, settings, within)
    assert time.monotonic() - started < 30
    # A new feed's first poll takes its 3 newest entries (their pages are 404s: refused for good) and
    # takes the rest of what was read as seen without fetching them.
    assert report == PollReport(feed=within.url, skipped=MAX_ENTRIES - 3)
    assert find_feed(store, within.url).failures == 0

    beyond = add_feed(store, server.reply("/huge-beyond.xml", HUGE, content_type="application/rss+xml"))
    report = poll_one(store, SETTINGS, beyond)
    assert report.error == f"{beyond.url} is larger than the 300.0 kB limit"
    assert find_feed(store, beyond.url).failures == 1
    assert before == stored(store)


# -- a body that never ends -------------------------------------------------------------------------

Script = Callable[[socket.socket, threading.Event], None]
FEED_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"


def flood(connection: socket.socket, stop: threading.Event) -> None:
    """A feed without a length whose items never stop coming, as fast as the client reads."""
    connection.sendall(FEED_HEAD + b"\r\n<rss version='2.0'><channel>")
    while not stop.is_set():
        connection.sendall(b"<item><title>again</title></item>" * 2000)


def drip(connection: socket.socket, stop: threading.Event) -> None:
    """A byte of body every 0.2 s: no single read waits long enough to time out."""
    connection.sendall(FEED_HEAD + b"\r\n<rss version='2.0'><channel>")
    while not stop.wait(0.2):
        connection.sendall(b" ")


def drip_headers(connection: socket.socket, stop: threading.Event) -> None:
    """A header that never ends, a byte every 0.2 s: the response never even starts."""
    connection.sendall(FEED_HEAD + b"X-Padding: ")
    while not stop.wait(0.2):
        connection.sendall(b"a")


def empty_deflate(connection: socket.socket, stop: threading.Event) -> None:
    """A compressed body of empty deflate blocks, one every 0.2 s: bytes arrive, none decode to text."""
    connection.sendall(FEED_HEAD + b"Content-Encoding: deflate\r\n\r\n\x78\x9c")
    while not stop.wait(0.2):
        connection.sendall(b"\x00\x00\x00\xff\xff")  # a stored block of length 0, not the last


class EndlessServer:
    """A loopback TCP server that answers every request with ``script``, written on the raw socket, so
    it can do what no HTTP server library lets a handler do: drip headers, or never end."""

    def __init__(self, script: Script) -> None:
        self.stop = threading.Event()
        self.connections = 0
        self._script = script
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}/feed.xml"
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            thread = threading.Thread(target=self._answer, args=(connection,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _answer(self, connection: socket.socket) -> None:
        with connection:
            try:
                connection.recv(65536)  # the request: one GET, small
                self._script(connection, self.stop)
            except OSError:
                return  # the client hung up: the limit under test worked

    def close(self) -> None:
        self.stop.set()
        self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() waiting in the thread
        self._listener.close()
        for thread in self._threads:
            thread.join(timeout=5)


@pytest.fixture(params=[flood, drip, drip_headers, empty_deflate], ids=lambda script: script.__name__)
def endless(request: pytest.FixtureRequest) -> Iterator[EndlessServer]:
    running = EndlessServer(request.param)
    yield running
    running.close()


DEADLINE = 1.5


def test_a_body_that_never_ends_stops_by_the_cap_or_the_deadline_in_one_line(endless: EndlessServer) -> None:
    for attempt in (
        lambda: poll_feed(endless.url, timeout=DEADLINE, max_bytes=1_000_000, allow=LOCAL),
        lambda: fetch_document(endless.url, SETTINGS),  # an entry's page, or `briefbot ingest URL`
    ):
        started = time.monotonic()
        with pytest.raises((FetchError, WebError)) as caught:
            attempt()
        elapsed = time.monotonic() - started
        message = str(caught.value)
        assert one_line(message)
        assert message.endswith("limit") or message.startswith("timed out after"), message
        assert elapsed < max(DEADLINE, SETTINGS.fetch_timeout) + 1.5, elapsed


def test_a_feed_that_never_ends_fails_its_poll_and_backs_off(store: Store, endless: EndlessServer) -> None:
    before = stored(store)
    feed = add_feed(store, endless.url.replace("/feed.xml", f"/feed/{next(_paths)}.xml"))
    started = time.monotonic()
    report = poll_one(store, SETTINGS, feed)
    assert time.monotonic() - started < SETTINGS.fetch_timeout + 1.5
    assert report.error is not None and one_line(report.error)
    polled = find_feed(store, feed.url)
    assert polled.failures == 1 and polled.last_error == report.error
    assert polled.next_poll_at is not None and polled.next_poll_at > datetime.now(UTC)
    assert before == stored(store)
