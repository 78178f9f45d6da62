"""Drop a report's front matter (table of contents, preface and its kin) before the ranker sees it.

Why: the ranker is fitted on news, where the lead is the story, so it favours a text's first
sentences. A report (a PDF or Word file) opens instead with a table of contents or a preface, and
those would be briefed (bench/report_leads.py measures it). The removal is conservative: it acts only
at the very start of a document (after at most a few short title lines), only on a block headed by a
line that is exactly "Contents"/"Table of Contents" whose lines end in rising page numbers, or on a
section headed exactly Preface/Foreword/Acknowledgements/About this report/Disclaimer that ends at a
next heading. A news article that mentions contents or holds a numbered list is left as it is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

MAX_LEADING_LINES = 3  # title, subtitle, date: what may stand above the front matter
MAX_LEADING_CHARS = 150
MAX_SECTION_LINES = 40  # a preface longer than this is not skipped: no heading was found to end it
MAX_HEADING_CHARS = 80
MIN_TOC_ENTRIES = 2

_DECORATION = re.compile(r"^(?:#{1,6}\s+|[•·*\-–—]\s+)|[\s:]+$")
_TOC_HEADING = re.compile(r"^(?:table of )?contents$", re.IGNORECASE)
_FRONT_HEADING = re.compile(
    r"^(?:preface|foreword|forward|acknowledge?ments?|about this (?:report|publication|document)|"
    r"disclaimers?|legal notice)$",
    re.IGNORECASE,
)
# "1. Introduction ........ 3", "2.1 Method  12", "Annex A … 40", "Foreword iii".
_TOC_ENTRY = re.compile(
    r"^(?P<label>\S.{0,150}?)(?:\s*(?P<leader>[.…·_ ]{2,}|\s)\s*)(?P<page>\d{1,4}|[ivxlc]{1,6})$",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?,;:\"'”’)]$")
# A line above the front matter is a title ("China 'to overtake US net use'", "Why now?"), not a
# sentence of the story: one that ends in a full stop, comma or colon means the story has begun.
_STORY_LINE_END = re.compile(r"[.!,;:][\"'”’)]*$")


def _bare(line: str) -> str:
    return _DECORATION.sub("", line.strip()).strip()


def _is_heading(line: str) -> bool:
    """A short line standing as a heading: no sentence punctuation at its end, a capital or number first."""
    bare = _bare(line)
    return (
        0 < len(bare) <= MAX_HEADING_CHARS
        and len(bare.split()) <= 10
        and not _SENTENCE_END.search(bare)
        and (bare[0].isupper() or bare[0].isdigit())
    )


def _toc_end(lines: Sequence[str], start: int) -> int | None:
    """Past the contents block whose heading is at ``start``, or None when it is not one.

    Its entries must end in page numbers that never go down (a league table's points do), and at
    least two must be there; the block ends at the first line that is not an entry.
    """
    pages: list[int] = []
    roman = 0
    index = start + 1
    while index < len(lines):
        line = lines[index].strip()
        if not line:
            index += 1
            continue
        match = _TOC_ENTRY.match(line)
        if not match:
            break
        page = match["page"]
        if page.isdigit():
            if pages and int(page) < pages[-1]:
                break
            pages.append(int(page))
        else:
            if pages:  # roman numbers come before the body's pages, never after
                break
            roman += 1
        index += 1
    return index if len(pages) + roman >= MIN_TOC_ENTRIES else None


def _section_end(lines: Sequence[str], start: int) -> int | None:
    """The index of the next heading after the front section headed at ``start``, or None if none
    comes soon enough: then where the section ends is not known and nothing is removed."""
    for index in range(start + 1, min(len(lines), start + 1 + MAX_SECTION_LINES)):
        line = lines[index].strip()
        if line and _is_heading(line) and not lines[index - 1].strip():
            return index
    return None


def strip_front_matter(lines: Sequence[str]) -> list[str]:
    """``lines`` without a leading table of contents and preface-like sections; the same lines when
    the document does not open with them. Title lines above the front matter are kept."""
    kept = list(lines)
    leading = 0
    index = 0
    while index < len(kept):
        line = kept[index].strip()
        if not line:
            index += 1
            continue
        bare = _bare(line)
        end: int | None = None
        if _TOC_HEADING.match(bare):
            end = _toc_end(kept, index)
        elif _FRONT_HEADING.match(bare):
            end = _section_end(kept, index)
        if end is not None:
            del kept[index:end]
            continue
        # Not front matter: a title line may stand above it, anything else is the body.
        leading += 1
        if leading > MAX_LEADING_LINES or len(line) > MAX_LEADING_CHARS or _STORY_LINE_END.search(line):
            break
        index += 1
    return kept
