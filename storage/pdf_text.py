"""The text of a PDF (pypdf), without its page furniture: running headers, footers and page numbers.

A report's pages repeat the same header and footer, and number themselves; left in, they would be
briefed as sentences ("Annual Report 2024 Page 3 of 9"). A line at the top or bottom of a page is
dropped when it is a bare page number or when (digits aside) it recurs there on most pages.
pypdf gives lines, not paragraphs: a line ends its paragraph when it ends a sentence or falls
well short of the lines around it (a heading, a paragraph's last line).
"""

from __future__ import annotations

import io
import math
import re
import statistics
from collections import Counter

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
JUNK_TITLES = re.compile(r"^(?:untitled|microsoft word\s*-.*|.*\.(?:docx?|pdf|indd|tex))$", re.IGNORECASE)


def read_pdf(data: bytes, name: str) -> OfficeText:
    """Title and paragraphs of a PDF, or ``UnreadableFile``: encrypted, damaged, or without text."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not _opened(reader):
            raise UnreadableFile(f"{name}: encrypted PDF: not read")
        pages = [_lines(page.extract_text() or "") for page in reader.pages]
        meta_title = reader.metadata.title if reader.metadata else None
    except UnreadableFile:
        raise
    except DAMAGED as error:
        raise UnreadableFile(f"{name}: damaged PDF ({type(error).__name__})") from None
    if not any(pages):
        raise UnreadableFile(f"{name}: no text to read; OCR is not supported")
    body = [line for page in strip_furniture(pages) for line in page]
    if not body:
        raise UnreadableFile(f"{name}: no text to read; OCR is not supported")
    paragraphs = join_lines(body)
    title = _clean_title(meta_title)
    if paragraphs and _is_heading(paragraphs[0]):
        heading = paragraphs.pop(0)
        title = title or heading
    return OfficeText(title=title, paragraphs=tuple(paragraphs))


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


def strip_furniture(pages: list[list[str]]) -> list[list[str]]:
    """Each page's lines without page numbers and the headers and footers repeated on most pages."""
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
                if index not in edges or not (PAGE_NUMBER.fullmatch(line) or _shape(line) in repeated)
            ]
        )
    return kept


def _edges(lines: list[str]) -> list[str]:
    return lines[:EDGE_LINES] + lines[EDGE_LINES:][-EDGE_LINES:]


def join_lines(lines: list[str]) -> list[str]:
    """Paragraphs from wrapped lines: a paragraph ends on a sentence's end or a short line."""
    typical = statistics.median(len(line) for line in lines)
    paragraphs: list[str] = []
    current = ""
    for line in lines:
        if current.endswith("-") and line[:1].islower():
            current = current[:-1] + line
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
