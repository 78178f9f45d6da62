"""The article in a fetched web page: its main text, title and date, without the page around it.

trafilatura finds the main text; it is tuned for precision (a brief built from navigation, share
buttons or comments is worse than a brief from slightly less text), and tables are left out since
their cells make poor sentences. It is only ever handed the page already fetched: trafilatura and
htmldate can download a URL given in place of HTML, which here would bypass the network guard, so
they get decoded text and a parsed tree, never a bare URL.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import trafilatura
from trafilatura.settings import Document

# Fewer words than this is a menu or a stub, not an article (trafilatura's fallbacks keep "Home World").
MIN_WORDS = 10

# The date with its time and zone when the page gives them (htmldate leaves %z empty without a zone).
_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
_DATE_PARAMS = {
    "original_date": True,  # the publication date, not the last edit
    "extensive_search": False,  # markup only: a date quoted in the text is not the article's date
    "outputformat": _DATE_FORMAT,
}

# Labels browsers treat as windows-1252 (WHATWG Encoding): pages that say latin-1 mean cp1252.
_CP1252_LABELS = frozenset(
    {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "cp819", "ascii", "us-ascii"}
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


@dataclass(frozen=True)
class Extracted:
    """An article: ``text`` is its paragraphs separated by blank lines, without the title.

    ``published`` is timezone-aware UTC (midnight when the page gives only a day); ``url`` is the
    page's canonical URL when it declares one, else the URL it was fetched from.
    """

    title: str | None
    text: str
    published: datetime | None
    url: str | None


class ExtractError(ValueError):
    """No article could be read from the page; ``str(error)`` is one line for the user."""


def extract_html(html: str | bytes, *, url: str | None = None) -> Extracted:
    """The main text, title and publication date of an HTML page, or ``ExtractError``.

    Bytes are decoded with ``decode_body`` (charset from a ``<meta>`` tag, else UTF-8).
    """
    markup = decode_body(html, "text/html") if isinstance(html, bytes) else html
    # The reason only: the caller says which page or file it was, once.
    if not markup.strip():
        raise ExtractError("no article text found (the page is empty)")
    document = trafilatura.bare_extraction(
        markup,
        url=url,
        with_metadata=True,
        favor_precision=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        include_formatting=False,
        date_extraction_params=dict(_DATE_PARAMS),
    )
    if not isinstance(document, Document):
        raise ExtractError("no article text found")
    title = _clean_line(document.title)
    paragraphs = [_clean_line(line) for line in (document.text or "").splitlines()]
    paragraphs = [p for p in paragraphs if p]
    if title and paragraphs and paragraphs[0].casefold() == title.casefold():
        paragraphs = paragraphs[1:]  # the headline, repeated as the text's first line
    if sum(len(p.split()) for p in paragraphs) < MIN_WORDS:
        raise ExtractError("no article text found")
    return Extracted(
        title=title or None,
        text="\n\n".join(paragraphs),
        published=_parse_date(document.date),
        url=document.url or url,
    )


def decode_body(body: bytes, content_type: str) -> str:
    """Text from a response body, by the charset its ``Content-Type`` declares, else UTF-8.

    A byte-order mark wins over everything; an HTML page without a declared charset may name one
    in a ``<meta>`` tag. HTML that is still not valid UTF-8 is decoded with replacement characters
    (a few odd characters beat losing the article); other text raises ``ExtractError``.
    """
    media_type, charset = _parse_content_type(content_type)
    is_html = media_type in _HTML_TYPES or (not media_type and _looks_like_html(body))
    for bom, bom_encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if body.startswith(bom):
            return body.decode(bom_encoding, errors="replace")
    encoding = _codec(charset)
    if encoding is None and is_html:
        declared = _META_CHARSET.search(body[:4096])
        encoding = _codec(declared.group(1).decode("ascii", "replace")) if declared else None
    if encoding is not None:
        return body.decode(encoding, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        if is_html:
            return body.decode("utf-8", errors="replace")
        raise ExtractError(
            f"not UTF-8 text and no charset declared (bad byte at offset {exc.start})"
        ) from None


def _parse_content_type(content_type: str) -> tuple[str, str | None]:
    media_type, _, params = content_type.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'") or None
    return media_type.strip().lower(), charset


def _codec(label: str | None) -> str | None:
    """A Python codec name for a charset label, or ``None`` for a missing or unknown label."""
    if not label:
        return None
    label = label.strip().lower()
    if label in _CP1252_LABELS:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _looks_like_html(body: bytes) -> bool:
    start = body[:512].lstrip().lower()
    return start.startswith((b"<!doctype html", b"<html")) or b"<body" in start


def _clean_line(text: str | None) -> str:
    return " ".join((text or "").split())


def _parse_date(text: str | None) -> datetime | None:
    """htmldate's date as aware UTC; a date without a zone is taken as UTC."""
    if not text:
        return None
    for form in (_DATE_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
        try:
            moment = datetime.strptime(text.strip(), form)
        except ValueError:
            continue
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)
    return None
