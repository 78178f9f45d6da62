"""The text of a PDF (pypdf), without its page furniture: running headers, footers and page numbers.

A report's pages repeat the same header and footer, and number themselves; left in, they would be
briefed as sentences ("Annual Report 2024 Page 3 of 9"). A line at the top or bottom of a page is
dropped when it is a bare page number or when (digits aside) it recurs there on most pages.
pypdf gives lines, not paragraphs: a line ends its paragraph when it ends a sentence or falls
well short of the lines around it (a heading, a paragraph's last line).

A PDF says nothing of which line is a heading, only how large each is drawn: pypdf tells the font
size of each piece of text as it extracts it. A line drawn clearly larger than the body's text is a
heading, a paragraph of its own; the largest on the first page is the title a reader sees, which is
trusted over the file's metadata title (often a template's, or the name of the Word file it came from).
"""

from __future__ import annotations

import io
import math
import re
import statistics
import struct
import zlib
from collections import Counter
from collections.abc import Callable, Collection
from typing import Any

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

from storage.office_text import OfficeText
from summarizer.textfile import UnreadableFile

EDGE_LINES = 2  # lines at each end of a page where headers, footers and numbers live
PAGE_NUMBER = re.compile(
    r"(?:page\s+)?(?:\d{1,4}|[ivxlc]{1,6})(?:\s*(?:of|/)\s*\d{1,4})?|[-–—]\s*\d{1,4}\s*[-–—]",
    re.IGNORECASE,
)
SENTENCE_END = re.compile(r"[.!?:;…][\"'”’)\]]*$")
# What pypdf raises on a malformed file besides its own errors: a damaged PDF is refused, never a crash.
DAMAGED: tuple[type[Exception], ...] = (PyPdfError, ValueError, KeyError, TypeError, AttributeError)
DAMAGED += (IndexError, RecursionError, OverflowError, ZeroDivisionError, AssertionError)
DAMAGED += (NotImplementedError, zlib.error, struct.error, EOFError)  # an unknown filter, a broken stream
HEADING_SCALE = 1.15  # a line drawn this much larger than the body's text is a heading
TITLE_LINES = 3  # a title wraps over this many lines at the most
TITLE_SEARCH = 12  # the title is among the first page's first lines
TITLE_CHARS = 200
JUNK_TITLES = re.compile(r"^(?:untitled|microsoft word\s*-.*|.*\.(?:docx?|pdf|indd|tex))$", re.IGNORECASE)


def read_pdf(data: bytes, name: str) -> OfficeText:
    """Title and paragraphs of a PDF, or ``UnreadableFile``: encrypted, damaged, or without text."""
    sizes: dict[str, float] = {}
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not _opened(reader):
            raise UnreadableFile(f"{name}: encrypted PDF: not read")
        pages = [_lines(page.extract_text(visitor_text=_size_visitor(sizes)) or "") for page in reader.pages]
        meta_title = reader.metadata.title if reader.metadata else None
    except UnreadableFile:
        raise
    except DAMAGED as error:
        raise UnreadableFile(f"{name}: damaged PDF ({type(error).__name__})") from None
    if not any(pages):
        raise UnreadableFile(f"{name}: no text to read; OCR is not supported")
    body_size = _body_size([line for page in pages for line in page], sizes)
    kept = strip_furniture(pages, small=lambda line: sizes.get(line, body_size) * HEADING_SCALE <= body_size)
    body = [line for page in kept for line in page]
    if not body:
        raise UnreadableFile(f"{name}: no text to read; OCR is not supported")
    heading_size = body_size * HEADING_SCALE
    span = _title_span(next((page for page in kept if page), []), sizes, heading_size)
    title_lines = body[span.start : span.stop]  # the first page with text opens the body
    body = body[: span.start] + body[span.stop :]
    headings = {n for n, line in enumerate(body) if sizes.get(line, 0.0) >= heading_size}
    headings |= set(range(span.start))  # what stood above the title (small print) is not its paragraph
    paragraphs = join_lines(body, headings=headings) if body else []
    title = " ".join(title_lines)[:TITLE_CHARS] or _clean_title(meta_title)
    if not title_lines and paragraphs and _is_heading(paragraphs[0]):
        heading = paragraphs.pop(0)
        title = title or heading
    if not paragraphs:
        raise UnreadableFile(f"{name}: no text to read beyond its title")
    return OfficeText(title=title, paragraphs=tuple(paragraphs))


def _size_visitor(sizes: dict[str, float]) -> Any:
    """A pypdf ``visitor_text`` that records, for each line of text it is shown, the largest size a
    piece of it is drawn at (the font size scaled by the text and graphics matrices)."""
    line: list[str] = []
    largest = 0.0

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        nonlocal largest
        drawn = abs(size) * math.hypot(tm[2], tm[3]) * math.hypot(cm[2], cm[3])
        pieces = text.split("\n")
        for number, piece in enumerate(pieces):
            if piece.strip():
                line.append(piece)
                largest = max(largest, drawn)
            if number < len(pieces) - 1:  # the line ends here
                key = " ".join("".join(line).split())
                if key:
                    sizes[key] = max(sizes.get(key, 0.0), largest)
                line.clear()
                largest = 0.0

    return visit


def _body_size(lines: list[str], sizes: dict[str, float]) -> float:
    """The size most of the text is drawn at (by characters); infinite when pypdf told no size, so
    that no line counts as larger."""
    drawn: Counter[float] = Counter()
    for line in lines:
        if line in sizes:
            drawn[round(sizes[line] * 2) / 2] += len(line)
    return drawn.most_common(1)[0][0] if drawn else math.inf


def _title_span(first_page: list[str], sizes: dict[str, float], heading_size: float) -> range:
    """Where, among the first page's opening lines, the lines drawn in its largest size stand, when
    that is a heading's: the title (a running header above it, in small print, is passed over)."""
    opening = first_page[:TITLE_SEARCH]
    largest = max((sizes.get(line, 0.0) for line in opening), default=0.0)
    if largest < heading_size:
        return range(0)
    start = next(n for n, line in enumerate(opening) if sizes.get(line, 0.0) >= largest - 0.5)
    end = start + 1
    while end < min(len(opening), start + TITLE_LINES) and sizes.get(opening[end], 0.0) >= largest - 0.5:
        end += 1
    return range(start, end)


def _opened(reader: PdfReader) -> bool:
    """Whether an encrypted PDF opens without a password (one only restricted by its owner)."""
    try:
        return bool(reader.decrypt(""))
    except (DependencyError, FileNotDecryptedError, PyPdfError, NotImplementedError):
        return False


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def _shape(line: str) -> str:
    """A line with its numbers blanked, so "Page 3" and "Page 4" count as the same furniture."""
    return re.sub(r"\d+", "#", line.lower())


def strip_furniture(
    pages: list[list[str]], *, small: Callable[[str], bool] = lambda line: False
) -> list[list[str]]:
    """Each page's lines without page numbers, the headers and footers repeated on most pages, and
    (``small``) those at a page's edge in smaller print than the body: a one-page report's header."""
    needed = max(2, math.ceil(len(pages) / 2))
    seen: Counter[str] = Counter()
    for lines in pages:
        seen.update({_shape(line) for line in _edges(lines)})
    repeated = {shape for shape, count in seen.items() if count >= needed}
    kept = []
    for lines in pages:
        edges = set(range(min(EDGE_LINES, len(lines)))) | set(
            range(max(0, len(lines) - EDGE_LINES), len(lines))
        )
        kept.append(
            [
                line
                for index, line in enumerate(lines)
                if index not in edges
                or not (PAGE_NUMBER.fullmatch(line) or _shape(line) in repeated or small(line))
            ]
        )
    return kept


def _edges(lines: list[str]) -> list[str]:
    return lines[:EDGE_LINES] + lines[EDGE_LINES:][-EDGE_LINES:]


def join_lines(lines: list[str], *, headings: Collection[int] = ()) -> list[str]:
    """Paragraphs from wrapped lines: a paragraph ends on a sentence's end or a short line; a line
    in ``headings`` (by index) is a paragraph of its own."""
    typical = statistics.median(len(line) for line in lines)
    paragraphs: list[str] = []
    current = ""
    for index, line in enumerate(lines):
        if index in headings:
            paragraphs.extend(p for p in (current, line) if p)
            current = ""
            continue
        if current[-2:-1].isalpha() and current.endswith("-") and line[:1].islower():
            current = current[:-1] + line  # a word hyphenated at the line's end ("harb-" "our")
        else:
            current = f"{current} {line}" if current else line
        if SENTENCE_END.search(line) or len(line) < 0.6 * typical:
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return paragraphs


def _is_heading(paragraph: str) -> bool:
    return len(paragraph) <= 120 and not SENTENCE_END.search(paragraph)


def _clean_title(title: object) -> str | None:
    text = " ".join(str(title).split()) if title else ""
    return text if text and not JUNK_TITLES.match(text) else None
