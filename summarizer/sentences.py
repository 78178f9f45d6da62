"""Sentence and word segmentation that needs no downloaded data.

NLTK's punkt model cannot be fetched on a closed machine (and has been renamed under users' feet,
sumy #216), so sentences come from rules that know the cases news text throws at a splitter:
abbreviations ("Mr.", "U.S.", "e.g." -- sumy #28), initials ("George W. Bush"), decimals and
quotes that close a sentence ('..." She said'). Sentences carry character offsets into the text so
entities found by the model on the same text can be tied back to their sentence without a second pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Titles and abbreviations that end with a period but almost never end a sentence in news copy.
ABBREVIATIONS = frozenset(
    (
        "mr mrs ms dr prof gen sen rep gov lt col maj capt sgt cpl adm cmdr st mt jr sr rev hon pres "
        "supt det insp atty gens sens reps messrs mme mlle no nos fig figs vol vols pp ch art sec dept "
        "univ est approx jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur "
        "thurs fri sat sun vs v cf al ft "
    ).split()
)

# A sentence may end at . ! ? or an ellipsis, optionally followed by closing quotes or brackets,
# then whitespace, then something that can start a sentence.
_BOUNDARY = re.compile(
    r"""([.!?…]+)(["'”’»)\]]*)(\s+)(?=["'“‘«(\[]?[A-Z0-9\u00C0-\u024F\u0400-\u04FF\u0600-\u06FF])"""
)
# Text typed all in lowercase (chat, transcripts) starts its sentences in lowercase too.
_BOUNDARY_LOWERCASE = re.compile(r"""([.!?…]+)(["'”’»)\]]*)(\s+)(?=\S)""")
_WORD_BEFORE = re.compile(r"([^\s\"'“‘(\[]+)$")
_ACRONYM = re.compile(r"^(?:[A-Za-z]\.){1,}[A-Za-z]?$")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_WORD = re.compile(r"[^\W_]+(?:[-'’.][^\W_]+)*", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Span:
    """A sentence: its text and where it lies in the text it was cut from."""

    text: str
    start: int
    end: int


def _ends_sentence(text: str, period_at: int, marks: str) -> bool:
    """Decide whether the period-like ``marks`` at ``period_at`` close a sentence."""
    if marks != ".":
        return True  # ! ? … and runs of marks are always terminal when followed by a capital.
    # Only the word right before the mark matters; looking at a short window keeps this linear.
    before = _WORD_BEFORE.search(text[max(0, period_at - 40) : period_at])
    if before is None:
        return True
    word = before.group(1)
    bare = word.rstrip(".")
    if bare.lower() in ABBREVIATIONS:
        return False
    if len(bare) == 1 and bare.isalpha() and bare.isupper():
        return False  # an initial: "George W. Bush"
    return not _ACRONYM.match(word + ".")  # "U.S." or "e.g." keeps its sentence going


def split_paragraph(text: str, offset: int = 0) -> list[Span]:
    """Split one paragraph into sentences; offsets are shifted by ``offset``."""
    spans: list[Span] = []
    start = 0
    boundary = _BOUNDARY if any(ch.isupper() for ch in text) else _BOUNDARY_LOWERCASE
    for match in boundary.finditer(text):
        if not _ends_sentence(text, match.start(1), match.group(1)):
            continue
        end = match.start(3)
        _append(spans, text, start, end, offset)
        start = match.end(3)
    _append(spans, text, start, len(text), offset)
    return spans


def _append(spans: list[Span], text: str, start: int, end: int, offset: int) -> None:
    chunk = text[start:end]
    stripped = chunk.strip()
    if not stripped:
        return
    lead = len(chunk) - len(chunk.lstrip())
    begin = offset + start + lead
    spans.append(Span(" ".join(stripped.split()), begin, begin + len(stripped)))


def split_sentences(text: str, offset: int = 0) -> list[Span]:
    """Split text into sentences; a blank line always ends a sentence."""
    spans: list[Span] = []
    position = 0
    for match in [*_PARAGRAPH_BREAK.finditer(text), None]:
        end = match.start() if match else len(text)
        spans.extend(split_paragraph(text[position:end], offset + position))
        if match:
            position = match.end()
    return spans


def words(text: str) -> list[str]:
    """Words of a sentence: letters and digits, keeping "al-Assad", "don't" and "U.S" whole."""
    return _WORD.findall(text)


class SumyTokenizer:
    """The tokenizer sumy asks for (``to_sentences``, ``to_words``, ``language``), without NLTK data."""

    def __init__(self, language: str = "english") -> None:
        self._language = language

    @property
    def language(self) -> str:
        return self._language

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return tuple(span.text for span in split_sentences(paragraph))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(words(sentence))
