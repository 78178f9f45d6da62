"""RSS and Atom feeds: polling one politely and reading its entries.

A feed is fetched by ``storage.fetch`` (network guard, time and size limits, conditional GET) and
only then handed to feedparser as bytes: feedparser given a string fetches URLs and opens local
files itself, which would bypass all of that.

Polling is polite: the ETag and Last-Modified of the last poll are sent back, so an unchanged feed
costs the publisher a 304 and no body, and a feed that keeps failing is retried less and less often
(``backoff_delay``).
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from typing import Any
from urllib.parse import urlsplit

import feedparser
import lxml.html  # type: ignore[import-untyped]
from lxml.etree import ParserError  # type: ignore[import-untyped]

from storage.dedup import canonical_url
from storage.fetch import Fetched, fetch
from storage.netguard import Allowlist

# A feed's entries read, its first ones (feeds list their newest first): feedparser takes about
# 0.2 ms and 1.5 kB an item, so a hostile 5 MB feed of 100,000 tiny items would hold a poll worker for
# 20 s and 150 MB (measured, tests/test_fuzz_feeds.py); real feeds list tens to hundreds.
MAX_ENTRIES = 5000
_ENTRY_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)[\s/>]")
_ENTRY_TEXT = re.compile(_ENTRY_TAG.pattern.decode())
# The widths of the columns a poll writes what it read to (sources.title, sources.etag,
# sources.last_modified, articles.url): PostgreSQL refuses a longer value, which would end the poll.
MAX_TITLE = 512
MAX_ETAG = 512
MAX_LAST_MODIFIED = 128
MAX_URL = 2048
# Characters XML has no place for (C0 controls but tab and line breaks, non-characters, surrogates),
# which feedparser's loose parser lets through (from "&#0;", say): left out of what a feed gives, since
# PostgreSQL refuses a NUL in any text and lxml refuses them all.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

FEED_ACCEPT = (
    "application/rss+xml,application/atom+xml,application/rdf+xml;q=0.9,"
    "application/xml;q=0.8,text/xml;q=0.8,*/*;q=0.1"
)

# Elements that end a line of text: without the break, "<p>One.</p><p>Two.</p>" reads "One.Two."
_BLOCKS = frozenset(
    {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr"}
    | {"table", "section", "article", "header", "footer", "figure", "figcaption", "dd", "dt", "hr"}
)


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed. ``title`` is empty when the feed gives none; ``summary`` is plain text.

    ``published`` is timezone-aware UTC (the update date when the feed gives no publication date).
    """

    url: str | None
    title: str
    published: datetime | None
    summary: str
    guid: str | None


@dataclass(frozen=True)
class FeedResult:
    """A poll's outcome. ``etag`` and ``last_modified`` are what to send on the next poll.

    ``not_modified`` means the publisher answered 304: nothing changed, ``entries`` is empty.
    """

    title: str | None
    entries: tuple[FeedEntry, ...]
    etag: str | None
    last_modified: str | None
    not_modified: bool


class FeedError(ValueError):
    """The document is not a feed we can read; ``str(error)`` is one line for the user."""


def parse_feed(fetched: Fetched) -> FeedResult:
    """The entries of an RSS or Atom feed already fetched, or ``FeedError`` when it is not one.

    A not-modified fetch gives a ``not_modified`` result without entries. A feed that is malformed
    but still yields entries (feedparser's "bozo" feeds are common) is accepted; one that yields
    no entries and no feed version is refused with the reason.
    """
    etag = _fits(fetched.etag, MAX_ETAG)
    last_modified = _fits(fetched.last_modified, MAX_LAST_MODIFIED)
    if fetched.not_modified:
        return FeedResult(title=None, entries=(), etag=etag, last_modified=last_modified, not_modified=True)
    try:
        parsed = feedparser.parse(
            io.BytesIO(_first_entries(fetched.body, MAX_ENTRIES)),
            response_headers={"content-location": fetched.url, "content-type": fetched.content_type},
            resolve_relative_uris=True,
            sanitize_html=True,
        )
    except ValueError as exc:  # feedparser's loose parser on a character reference such as &#xD800;
        raise FeedError(f"{fetched.url} is not a feed we can read ({_one_line(str(exc))})") from None
    version = parsed.get("version") or ""
    raw_entries = parsed.get("entries") or []
    if not raw_entries and (not version or _malformed(parsed)):
        raise FeedError(f"{fetched.url} is not an RSS or Atom feed ({_not_feed_reason(fetched, parsed)})")
    entries = tuple(entry for entry in (_entry(raw) for raw in raw_entries) if entry is not None)
    feed_info = parsed.get("feed") or {}
    return FeedResult(
        title=_one_line(_text_of(feed_info, "title"))[:MAX_TITLE] or None,
        entries=entries,
        etag=etag,
        last_modified=last_modified,
        not_modified=False,
    )


def _first_entries(body: bytes, count: int) -> bytes:
    """The body cut before its entry number ``count + 1`` (counting ``<item`` and ``<entry`` tags),
    so that feedparser reads at most ``count`` entries; the cut feed is read as a broken one. A feed
    in UTF-16 or UTF-32 (two or four bytes a character) is cut on its text, in its own encoding."""
    codec = _wide_codec(body)
    if codec is not None:
        text = body.decode(codec, errors="replace")
        past = next(islice(_ENTRY_TEXT.finditer(text), count, None), None)
        return text[: past.start()].encode(codec) if past else body
    tag = next(islice(_ENTRY_TAG.finditer(body), count, None), None)
    return body[: tag.start()] if tag else body


def _wide_codec(body: bytes) -> str | None:
    """The encoding of a feed written two or four bytes a character, by its byte order mark or the
    way its first "<?" is spelled (XML 1.0, appendix F); None for the one-byte encodings."""
    if body[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"):
        return "utf-32"
    if body[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    return {b"<\x00?\x00": "utf-16-le", b"\x00<\x00?": "utf-16-be"}.get(body[:4])


def _fits(value: str | None, width: int) -> str | None:
    """A validator as received, or None when it is too long to store: cut, it would never match."""
    return value if value is None or len(value) <= width else None


def poll_feed(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout: float = 10.0,
    max_bytes: int = 5_000_000,
    allow: Collection[str] | Allowlist = (),
) -> FeedResult:
    """Fetch ``url`` (conditionally, when ``etag``/``last_modified`` are given) and parse it.

    Raises ``RefusedURL``, ``FetchError`` or ``FeedError``, each one line for the user.
    """
    fetched = fetch(
        url,
        timeout=timeout,
        max_bytes=max_bytes,
        allow=allow,
        etag=etag,
        last_modified=last_modified,
        accept=FEED_ACCEPT,
    )
    return parse_feed(fetched)


def backoff_delay(failures: int, *, base: float = 300.0, cap: float = 86400.0) -> float:
    """Seconds to wait before polling a feed again after ``failures`` failed polls in a row.

    Doubles from ``base`` with each failure (5 min, 10, 20, ...) up to ``cap`` (a day): a feed that
    is down for a week is asked about once a day, not every few minutes, and a single failure is
    retried soon. No failures means no extra delay. There is no jitter: feeds are polled on their
    own schedules, so their retries do not line up.
    """
    if failures < 0:
        raise ValueError(f"failures must be 0 or more, got {failures}")
    if failures == 0:
        return 0.0
    if failures > 64:  # 2**64 times any base is past any sensible cap; avoid float overflow
        return cap
    return float(min(cap, base * 2 ** (failures - 1)))


def _entry(raw: Mapping[str, Any]) -> FeedEntry | None:
    link = _http_link(raw.get("link"))
    title = _one_line(_text_of(raw, "title"))
    if not link and not title:
        return None  # nothing to show or follow
    guid = _NOT_XML.sub("", str(raw.get("id") or "")) or None
    return FeedEntry(
        url=link,
        title=title,
        published=_timestamp(raw.get("published_parsed") or raw.get("updated_parsed")),
        summary=html_to_text(_summary_html(raw)),
        guid=guid,
    )


def _summary_html(raw: Mapping[str, Any]) -> str:
    summary = raw.get("summary")
    if summary:
        return str(summary)
    for content in raw.get("content") or []:
        value = content.get("value")
        if value:
            return str(value)
    return ""


def _text_of(record: Mapping[str, Any], key: str) -> str:
    """A field as plain text: feedparser leaves markup in fields whose type is HTML."""
    value = record.get(key)
    if not value:
        return ""
    detail = record.get(f"{key}_detail") or {}
    if "html" in str(detail.get("type", "")):
        return html_to_text(str(value))
    return str(value)


def html_to_text(markup: str) -> str:
    """Plain text from an HTML fragment, block elements as paragraphs separated by blank lines."""
    if not markup.strip():
        return ""
    if "<" not in markup and "&" not in markup:
        return _paragraphs(markup)
    markup = _NOT_XML.sub("", markup)  # lxml keeps them in what it parsed, then refuses them in a tail
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (ParserError, ValueError):
        return _paragraphs(markup)
    for element in list(root.iter("script", "style")):
        element.drop_tree()
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCKS:
            # A tail may hold what an entity decoded to ("&#8;"): lxml parsed it, but refuses it back.
            element.tail = "\n" + _NOT_XML.sub("", element.tail or "")
    return _paragraphs(str(root.text_content()))


def _paragraphs(text: str) -> str:
    lines = (" ".join(line.split()) for line in _NOT_XML.sub("", text).splitlines())
    return "\n\n".join(line for line in lines if line)


def _one_line(text: str) -> str:
    return " ".join(_NOT_XML.sub("", text).split())


def _http_link(link: Any) -> str | None:
    """An http(s) link the store can keep: without control characters, and whose canonical form has
    a valid port and host and fits ``articles.url`` (a query of non-ASCII text grows ninefold when it
    is percent-encoded)."""
    if not link:
        return None
    text = str(link).strip()
    if _NOT_XML.search(text):
        return None
    try:
        if urlsplit(text).scheme.lower() not in ("http", "https"):
            return None
        return text if len(canonical_url(text)) <= MAX_URL else None
    except ValueError:  # a port out of range, an unclosed IPv6 address
        return None


def _timestamp(parsed: time.struct_time | None) -> datetime | None:
    """feedparser's dates are already UTC ``struct_time``s."""
    if not parsed:
        return None
    try:
        return datetime(*parsed[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def _malformed(parsed: Mapping[str, Any]) -> bool:
    """feedparser's "bozo" flag, except for a wrong Content-Type or charset label: the XML is fine."""
    problem = parsed.get("bozo_exception")
    benign = (feedparser.NonXMLContentType, feedparser.CharacterEncodingOverride)
    return bool(parsed.get("bozo")) and not isinstance(problem, benign)


def _not_feed_reason(fetched: Fetched, parsed: Mapping[str, Any]) -> str:
    media_type = fetched.content_type.split(";", 1)[0].strip().lower()
    start = fetched.body[:512].lstrip().lower()
    if not start:
        return "the response is empty"
    if start.startswith((b"<!doctype html", b"<html")) or (
        media_type in ("text/html", "application/xhtml+xml")
        and not start.startswith((b"<?xml", b"<rss", b"<feed"))
    ):
        return "it is an HTML page"
    problem = parsed.get("bozo_exception")
    if _malformed(parsed) and problem is not None:
        return _one_line(str(problem)) or type(problem).__name__
    return "no feed element found"
