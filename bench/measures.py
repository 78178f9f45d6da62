"""How a brief's actors and figures are measured against a reference: the matching rules, apart from
the scripts that report them.

Why a module of its own: ``quality.py`` reports these measures and the fitting scripts
(``fit_actors.py``, ``fit_figures.py``) label their data with them, so the labels a scorer learns from
are exactly what it is judged by; ``quality.py`` also runs the fits' cross-validation. Kept here, the
rules have one home and no script imports another in a circle. ``quality.py``'s docstring says what
each measure counts and why.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from common import Article, markdown_table

from summarizer import Brief
from summarizer.actors import normalize_name
from summarizer.pipeline import Prepared

ENTITY_LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP")
LABEL_ROWS = (("PERSON", ("PERSON",)), ("ORG", ("ORG",)), ("GPE + LOC", ("GPE", "LOC")), ("NORP", ("NORP",)))
_PARTICLE = re.compile(r"^(?:al|el|ad|as|an|ash|at|az|ar)[-‐]")
_HAS_LETTER = re.compile(r"[^\W\d_]")

_SCALE_WORDS = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_GLUED_SCALES = {"k": 1e3, "m": 1e6, "bn": 1e9}
_DIGITS = re.compile(
    r"(?<![\w.,])(?P<currency>[$£€¥])?(?P<number>\d{1,3}(?:,\d{3})+|\d+)(?P<decimals>\.\d+)?"
    r"(?:(?P<glued>bn|m|k)\b|(?:\s*(?P<scale>thousand|million|billion|trillion)\b))?",
    re.IGNORECASE,
)
_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_WORDS = re.compile(
    rf"\b(?:(?P<dozen>a\s+dozen|dozen)|(?P<tens>{'|'.join(_TENS)})(?:[-\s](?P<unit1>{'|'.join(_UNITS)}))?"
    rf"|(?P<unit>{'|'.join(_UNITS)}))(?:\s+(?P<scale>hundred|thousand|million|billion|trillion))?\b",
    re.IGNORECASE,
)


def name_key(text: str) -> str | None:
    """A name as it is compared: normalised like the summarizer does, lowercased; None if no name."""
    name = normalize_name(text).lower()
    return name if len(name) >= 2 and _HAS_LETTER.search(name) else None


def name_words(name: str) -> tuple[str, ...]:
    return tuple(_PARTICLE.sub("", word) for word in name.split())


def name_found(wanted: str, candidates: Iterable[str]) -> bool:
    """Whether ``wanted`` equals a candidate or is a word-suffix of one ("assad" in "bashar al-assad")."""
    target = name_words(wanted)
    return any(name_words(candidate)[-len(target) :] == target for candidate in candidates)


def highlight_text(article: Article) -> str:
    """The highlights as one text, with the data's `` and '' quotes made plain again."""
    return " ".join(article.highlights).replace("``", '"').replace("''", '"')


def gold_entities(doc: Any) -> dict[str, str]:
    """Normalised name -> label of the actors named in the highlights (first label wins)."""
    gold: dict[str, str] = {}
    for entity in doc.ents:
        if entity.label_ in ENTITY_LABELS:
            key = name_key(entity.text)
            if key is not None:
                gold.setdefault(key, entity.label_)
    return gold


def brief_names(brief: Brief | None, top: int) -> set[str]:
    if brief is None:
        return set()
    names = set()
    for actor in brief.actors[:top]:
        for name in (actor.name, *actor.aliases):
            key = name_key(name)
            if key is not None:
                names.add(key)
    return names


def frequent_names(doc: Any, top: int) -> set[str]:
    """The baseline: the ``top`` most frequent raw entity strings of the actor labels."""
    counts = Counter(" ".join(e.text.split()) for e in doc.ents if e.label_ in ENTITY_LABELS)
    return {key for raw, _ in counts.most_common(top) if (key := name_key(raw)) is not None}


@dataclass
class Recall:
    """Found / total per row label, for the brief and the baseline."""

    total: Counter[str] = field(default_factory=Counter)
    ours: Counter[str] = field(default_factory=Counter)
    baseline: Counter[str] = field(default_factory=Counter)

    def add(self, rows: Iterable[str], in_ours: bool, in_baseline: bool) -> None:
        for row in rows:
            self.total[row] += 1
            self.ours[row] += in_ours
            self.baseline[row] += in_baseline

    def table(self, first: str, rows: Sequence[str], ours: str, baseline: str) -> str:
        body = []
        for row in rows:
            n = self.total[row]
            body.append([row, n, percent(self.ours[row], n), percent(self.baseline[row], n)])
        return markdown_table([first, "n", ours, baseline], body)


def percent(found: int, total: int) -> str:
    return f"{100 * found / total:.1f}% ({found})" if total else "-"


def actor_recall(
    highlight_docs: Sequence[Any],
    article_docs: Sequence[Any | None],
    briefs: Sequence[Brief | None],
    top: int,
) -> Recall:
    recall = Recall()
    for highlights, article, brief in zip(highlight_docs, article_docs, briefs, strict=True):
        ours = brief_names(brief, top)
        baseline = frequent_names(article, top) if article is not None else set()
        for name, label in gold_entities(highlights).items():
            rows = ["all", *(row for row, labels in LABEL_ROWS if label in labels)]
            recall.add(rows, name_found(name, ours), name_found(name, baseline))
    return recall


@dataclass(frozen=True, slots=True)
class Number:
    """A number written in a text: its value (scaled), its digits alone, and whether it is a year."""

    value: float
    raw: float
    is_year: bool


def digit_numbers(text: str) -> Iterator[tuple[int, Number]]:
    for match in _DIGITS.finditer(text):
        digits = match["number"].replace(",", "")
        raw = float(digits + (match["decimals"] or ""))
        scale = 1.0
        if match["scale"]:
            scale = _SCALE_WORDS[match["scale"].lower()]
        elif match["glued"] and match["currency"]:
            scale = _GLUED_SCALES[match["glued"].lower()]
        plain = (
            "," not in match["number"] and not match["decimals"] and scale == 1.0 and not match["currency"]
        )
        is_year = plain and len(digits) == 4 and 1900 <= raw <= 2099
        yield match.start(), Number(raw * scale, raw, is_year)


def word_numbers(text: str) -> Iterator[tuple[int, Number]]:
    for match in _WORDS.finditer(text):
        if match["dozen"]:
            raw = 12.0
        elif match["tens"]:
            raw = float(
                _TENS[match["tens"].lower()] + (_UNITS[match["unit1"].lower()] if match["unit1"] else 0)
            )
        else:
            raw = float(_UNITS[match["unit"].lower()])
        scale = match["scale"]
        value = raw * (
            100.0 if scale and scale.lower() == "hundred" else _SCALE_WORDS.get((scale or "").lower(), 1.0)
        )
        yield match.start(), Number(value, raw, False)


def numbers(text: str, with_words: bool) -> list[Number]:
    """The numbers of ``text`` in the order they are written."""
    found = list(digit_numbers(text))
    if with_words:
        found.extend(word_numbers(text))
    return [number for _, number in sorted(found, key=lambda pair: pair[0])]


def gold_numbers(article: Article, with_words: bool) -> dict[float, bool]:
    """Value -> is a year, for each distinct number of the highlights."""
    gold: dict[float, bool] = {}
    for number in numbers(highlight_text(article), with_words):
        gold.setdefault(number.value, number.is_year)
    return gold


def figure_values(brief: Brief | None, top: int, with_words: bool) -> list[float]:
    if brief is None:
        return []
    values = []
    for figure in brief.figures[:top]:
        if figure.value is not None:
            values.append(figure.value)
        for number in numbers(figure.text, with_words):
            values.extend((number.value, number.raw))
    return values


def first_values(prepared: Prepared | None, top: int, with_words: bool) -> list[float]:
    """The baseline: the first ``top`` distinct numbers of the article (scaled and unscaled)."""
    if prepared is None:
        return []
    chosen: dict[float, Number] = {}
    for number in numbers(prepared.text, with_words):
        if len(chosen) >= top:
            break
        chosen.setdefault(number.value, number)
    return [v for number in chosen.values() for v in (number.value, number.raw)]


def value_found(value: float, candidates: Iterable[float]) -> bool:
    return any(math.isclose(value, c, rel_tol=1e-9, abs_tol=1e-9) for c in candidates)


def figure_recall(
    articles: Sequence[Article],
    prepared: Sequence[Prepared | None],
    briefs: Sequence[Brief | None],
    top: int,
    with_words: bool,
) -> Recall:
    recall = Recall()
    for article, ready, brief in zip(articles, prepared, briefs, strict=True):
        ours = figure_values(brief, top, with_words)
        baseline = first_values(ready, top, with_words)
        for value, is_year in gold_numbers(article, with_words).items():
            rows = ["all numbers"] if is_year else ["all numbers", "excluding years"]
            recall.add(rows, value_found(value, ours), value_found(value, baseline))
    return recall
