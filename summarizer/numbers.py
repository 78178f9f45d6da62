"""Numbers written in digits, read by pattern: "45-year-old", "3-1", "10-12 percent", "$3m", "£50billion".

Why a reader of its own: the small model marks most numbers as entities but not all of them (25 of
the 120 dev highlights' numbers are not entities of the article), and it cuts some short ("$3m"
comes out as the money entity "3", "3-1" as "3"). Every number written in digits is found here,
with its value (scaled: "$3.5 billion" -> 3.5e9), what its form says about its kind (a currency
sign, a percent sign, an ordinal suffix, a bare four-digit year) and its pattern (an age, a pair
such as a score or a range, read as one number with both in its span). Number words are left to the
model's entities ("six months"): read by pattern they were mostly "one" as a pronoun.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_GLUED = {"k": 1e3, "m": 1e6, "bn": 1e9, "b": 1e9}
CURRENCY_SIGNS = {"$": "USD", "£": "GBP", "€": "EUR", "¥": "JPY"}
FRACTIONS = {"½": 0.5, "¼": 0.25, "¾": 0.75, "⅓": 1 / 3, "⅔": 2 / 3}

_ATOM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALE = r"(?:\s?(?:thousand|million|billion|trillion)\b|(?:bn|m|k|b)\b)"
_DIGITS = re.compile(
    rf"(?<![\w.,:])(?P<currency>(?:US|A|C|HK|NZ)?[$£€¥])?(?P<number>{_ATOM})(?P<fraction>[½¼¾⅓⅔])?"
    r"(?P<ordinal>st|nd|rd|th)?"
    rf"(?P<scale>{_SCALE})?"
    rf"(?:(?P<joint>\s?[-–]\s?|\s(?:to)\s)(?P<currency2>[$£€¥])?(?P<second>{_ATOM})(?P<scale2>{_SCALE})?)?"
    r"(?P<percent>\s?%|\s(?:percent|per\s?cent)\b)?"
    r"(?P<compound>-[a-z]+(?:-[a-z]+)*)?",
    re.IGNORECASE,
)
_YEAR = re.compile(r"(?:19|20)\d\d")


@dataclass(frozen=True, slots=True)
class Written:
    """One number as written: where it stands, its value, and what its form says.

    ``value`` is the first number's; ``kind`` is "money", "percent", "ordinal" or "date" (a bare year)
    when the form says so, else "";
    ``pattern`` is "age" ("45-year-old"), "pair" ("3-1", "10-12 percent", "20 to 30") or "".
    """

    start: int
    end: int
    value: float
    kind: str
    pattern: str


def find_numbers(text: str) -> list[Written]:
    """Every number ``text`` writes in digits, in the order written."""
    return list(_digit_numbers(text))


def _atom_value(number: str, scale: str | None, currency: bool) -> float:
    value = float(number.replace(",", ""))
    word = (scale or "").strip().lower()
    if word in SCALES:
        value *= SCALES[word]
    elif word == "bn" or (word in _GLUED and currency):
        value *= _GLUED[word]  # "$3m", "2bn"; a bare "5m" is five metres as often as five million
    return value


def _digit_numbers(text: str) -> Iterator[Written]:
    for match in _DIGITS.finditer(text):
        currency = bool(match["currency"] or match["currency2"])
        value = _atom_value(match["number"], match["scale"] or match["scale2"], currency)
        if match["fraction"]:
            value += FRACTIONS[match["fraction"]]
        compound = (match["compound"] or "").lower()
        pattern = "pair" if match["second"] else ""
        if compound.startswith(("-year-old", "-years-old")):
            pattern = "age"
        end = match.end()
        glued = (match["scale"] or "").lower()
        if glued in _GLUED and glued != "bn" and not currency and not match["second"]:
            end = match.end("number")  # "5m": keep the unit out of the number
        kind = ""
        if currency:
            kind = "money"
        elif match["percent"]:
            kind = "percent"
        elif match["ordinal"]:
            kind = "ordinal"
        elif _YEAR.fullmatch(match["number"]) and not match["scale"] and not compound:
            kind = "date"
        yield Written(match.start(), end, value, kind, pattern)


__all__ = ["CURRENCY_SIGNS", "SCALES", "Written", "find_numbers"]
