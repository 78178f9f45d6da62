"""What the figure scorer knows about a candidate figure: one row of numbers per candidate.

Why these five: they are what survived on the data (bench/fit_figures.py; each one dropped costs
1.7 to 6.7 points of cross-validated recall, and the other signals tried did not help, see the
README). News states its key figures early, so the strongest signal is the order in which the
article first writes each distinct value in digits, which is what "the first five numbers" rule
uses alone. Against it, the fit learned what a reader skips: a number the text spells in words
("two friends"), a span of time ("11 years", "82 hours"), a small number that counts nothing named
("5"), while a day of the month ("May 18") is kept more often than other dates. The weights live in
``summarizer/weights/figures.json``; its ``features`` must equal ``FEATURES``, in order, which
``feature_rows`` checks.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from summarizer.figures import Candidate

FEATURES = ("value_order", "word", "time_unit", "small_bare", "day_of_month")
SMALL = 10  # a bare number below this counts nothing named ("5", "2")
_TIME_UNITS = frozenset(
    ("year", "years", "month", "months", "week", "weeks", "day", "days", "hour", "hours", "minute", "minutes",
     "second", "seconds", "decade", "decades")
)  # fmt: skip
_MONTH_DAY = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?\b"
    r"|\b\d{1,2}(?:st|nd|rd|th)? (?:of )?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)",
    re.IGNORECASE,
)


def feature_row(candidate: Candidate, order: int) -> list[float]:
    """``order``: how many distinct values the article wrote in digits before this one's value."""
    figure = candidate.figure
    words = figure.unit.lower().split()
    return [
        math.log1p(order),
        float(candidate.is_word),
        float(bool(words) and words[-1] in _TIME_UNITS),
        float(abs(figure.value or 0.0) < SMALL and not figure.unit),
        float(figure.kind == "date" and _MONTH_DAY.search(figure.text) is not None),
    ]


def feature_rows(candidates: Sequence[Candidate], names: Sequence[str] = FEATURES) -> np.ndarray:
    """The feature matrix of an article's candidates (given in text order), columns as ``FEATURES``."""
    if tuple(names) != FEATURES:
        raise ValueError(f"figure weights are for features {list(names)}, the code computes {list(FEATURES)}")
    order: dict[float | None, int] = {}  # distinct values written in digits, in the order first written
    rows = []
    for candidate in candidates:
        value = candidate.figure.value
        if not candidate.is_word:
            order.setdefault(value, len(order))
        rows.append(feature_row(candidate, order.get(value, len(order))))
    return np.asarray(rows, dtype=float).reshape(-1, len(FEATURES))


__all__ = ["FEATURES", "feature_row", "feature_rows"]
