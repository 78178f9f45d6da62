"""Key figures: numbers with what they count ("some 1,000 troops"), tied to their sentence.

Numbers come from the model's numeric entities (CARDINAL, MONEY, PERCENT, QUANTITY, DATE); what
they count is read from the words that follow ("troops", "ground troops") or, failing that, from a
"the death toll of 7,000" phrase before them. A partitive such as "5,000 of the estimated 10,000
ground troops" stays one figure, because the two numbers only mean something together.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from summarizer.brief import Figure
from summarizer.mentions import Entity, Token

KINDS = {
    "CARDINAL": "count",
    "MONEY": "money",
    "PERCENT": "percent",
    "QUANTITY": "quantity",
    "DATE": "date",
    "ORDINAL": "ordinal",
}
KIND_WEIGHT = {"money": 1.3, "percent": 1.2, "quantity": 1.1, "count": 1.0, "ordinal": 0.7, "date": 0.5}
MAX_UNIT_WORDS = 3

_WORD_NUMBERS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "dozen": 12,
    "hundred": 100,
    "a hundred": 100,
}
_SCALES = {
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
    "m": 1e6,
    "bn": 1e9,
    "k": 1e3,
    "hundred": 1e2,
}
_FRACTIONS = {"½": 0.5, "¼": 0.25, "¾": 0.75, "⅓": 1 / 3, "⅔": 2 / 3}
_NUMBER = re.compile(r"(\d[\d,]*(?:\.\d+)?)([½¼¾⅓⅔])?")
_CURRENCY = {"$": "USD", "£": "GBP", "€": "EUR", "¥": "JPY"}
_CURRENCY_WORDS = {
    "dollar": "USD",
    "dollars": "USD",
    "pound": "GBP",
    "pounds": "GBP",
    "euro": "EUR",
    "euros": "EUR",
    "yen": "JPY",
    "rupees": "INR",
    "yuan": "CNY",
}
_WEEKDAYS_AND_VAGUE = re.compile(
    r"^(?:(?:last|next|this|earlier|later|the past|the)\s+)*"
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|yesterday|tomorrow|week|weekend|month|year|day|night|morning|evening|decade|century|"
    r"recent years|years|months|weeks|days)(?:\s+\w+)?$",
    re.IGNORECASE,
)
# Words after a number that are not what it counts.
_NOT_UNITS = frozenset({"percent", "per", "cent", "said", "says", "told", "according", "ago", "times"})


def parse_value(text: str) -> float | None:
    """The number a figure states: "some 1,000" -> 1000, "$3.5 billion" -> 3.5e9, "five" -> 5."""
    lowered = text.lower().replace("per cent", "percent")
    match = _NUMBER.search(lowered)
    value: float | None = None
    if match:
        try:
            value = float(match.group(1).replace(",", ""))
        except ValueError:
            value = None
        if value is not None and match.group(2):
            value += _FRACTIONS[match.group(2)]
    else:
        for word, number in _WORD_NUMBERS.items():
            if re.search(rf"\b{word}\b", lowered):
                value = float(number)
                break
    if value is None:
        # "a million", "a billion": the scale word is the number.
        scale_only = re.search(r"\b(?:a|one)\s+(thousand|million|billion|trillion)\b", lowered)
        return _SCALES[scale_only.group(1)] if scale_only else None
    for scale, factor in _SCALES.items():
        if re.search(rf"(?<=[\d\s]){scale}\b", lowered) and not (scale == "hundred" and value >= 100):
            value *= factor
            break
    return value


def _unit_after(tokens: Sequence[Token], index: int, sentence_end: int) -> list[Token]:
    """The words right after a number that say what it counts: lowercase content words (a capitalised
    word is a name starting the next phrase, as in a caption without a full stop: "69 Woods is")."""
    unit: list[Token] = []
    i = index
    while i < len(tokens) and tokens[i].start < sentence_end and len(unit) < MAX_UNIT_WORDS:
        token = tokens[i]
        word = token.text.lower()
        if not token.is_alpha or token.is_stop or word in _NOT_UNITS or not token.text.islower():
            break
        if unit and (word.endswith("ing") or word.endswith("ed")):
            break  # "ground troops backing Assad": the verb starts a new phrase
        unit.append(token)
        i += 1
        if _looks_plural(word):
            break  # "2.1 million containers pass": a plural noun ends the phrase it heads
    return unit


def _looks_plural(word: str) -> bool:
    return len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is"))


def _unit_before(tokens: Sequence[Token], index: int, sentence_start: int) -> list[Token]:
    """ "the death toll of 7,000": the content words before "of"/"at"/"to" and the number."""
    i = index - 1
    if i < 0 or tokens[i].start < sentence_start or tokens[i].text.lower() not in {"of", "at", "to", "by"}:
        return []
    unit: list[Token] = []
    i -= 1
    while i >= 0 and tokens[i].start >= sentence_start and len(unit) < MAX_UNIT_WORDS:
        token = tokens[i]
        if not token.is_alpha or token.is_stop:
            break
        unit.insert(0, token)
        i -= 1
    return unit


def extract_figures(
    entities: Sequence[Entity],
    tokens: Sequence[Token],
    sentences: Sequence[str],
    sentence_bounds: Sequence[tuple[int, int]],
    text: str,
    *,
    summary: Collection[int] = (),
    limit: int = 6,
) -> list[Figure]:
    """Figures from numeric entities, most important first."""
    numeric = [e for e in entities if e.label in KINDS and e.sentence >= 0]
    absorbed: set[int] = set()
    figures: list[Figure] = []
    for position, entity in enumerate(numeric):
        if position in absorbed:
            continue
        kind = KINDS[entity.label]
        if kind == "ordinal" and not any(ch.isdigit() for ch in entity.text):
            continue  # "first", "second": order, not a figure; "his 500th appearance" is one
        if kind == "date" and (
            not any(ch.isdigit() for ch in entity.text) or _WEEKDAYS_AND_VAGUE.match(entity.text)
        ):
            continue  # "Wednesday", "last month": when, not how much
        sentence_start, sentence_end = sentence_bounds[entity.sentence]
        end_char = entity.end
        after = entity.last_token + 1
        # A partitive: "5,000 of the estimated 10,000 ground troops" is one figure.
        nxt = numeric[position + 1] if position + 1 < len(numeric) else None
        if (
            nxt is not None
            and nxt.sentence == entity.sentence
            and KINDS[nxt.label] == kind
            and after < len(tokens)
            and tokens[after].text.lower() == "of"
            and 0 < nxt.first_token - after <= 4
        ):
            absorbed.add(position + 1)
            end_char = nxt.end
            after = nxt.last_token + 1
        # Quantities ("65 kilometers an hour") and percentages carry their unit inside the entity.
        unit_tokens = (
            _unit_after(tokens, after, sentence_end) if kind in {"count", "money", "ordinal"} else []
        )
        if unit_tokens:
            end_char = unit_tokens[-1].start + len(unit_tokens[-1].text)
        figure_text = text[entity.start : end_char]
        unit = " ".join(t.text for t in unit_tokens)
        if not unit:
            before = _unit_before(tokens, entity.first_token, sentence_start)
            unit = " ".join(t.text for t in before)
        value = parse_value(entity.text)
        if kind == "money" and not unit:
            unit = next((code for sign, code in _CURRENCY.items() if sign in entity.text), "")
            unit = unit or next(
                (code for word, code in _CURRENCY_WORDS.items() if word in entity.text.lower()), ""
            )
        if kind == "percent" and not unit:
            unit = "percent"
        if _is_noise(entity, kind, value, unit, tokens, text):
            continue
        # Where a number stands matters most (news states its key figures early); its kind, whether it
        # says what it counts, and whether its sentence made the summary break ties.
        score = (0.8 + 0.2 * KIND_WEIGHT[kind]) / (1.0 + entity.sentence / 2.0)
        score += 0.2 if unit else 0.0
        score += 0.2 if entity.sentence in summary else 0.0
        figures.append(
            Figure(
                text=" ".join(figure_text.split()),
                value=value,
                unit=unit,
                kind=kind,
                sentence=entity.sentence,
                sentence_text=sentences[entity.sentence],
                score=round(score, 4),
            )
        )
    seen: set[str] = set()
    unique = []
    for figure in sorted(figures, key=lambda f: (-f.score, f.sentence)):
        key = figure.text.lower()
        if key not in seen:
            seen.add(key)
            unique.append(figure)
    return unique[:limit]


def _is_noise(
    entity: Entity, kind: str, value: float | None, unit: str, tokens: Sequence[Token], text: str
) -> bool:
    """Page numbers, list bullets, a bare "one of" and number-less entities ("as much") are not figures."""
    if value is None:
        return True
    if kind == "count":
        following = tokens[entity.last_token + 1].text.lower() if entity.last_token + 1 < len(tokens) else ""
        if value is not None and value < 2 and not unit:
            return True
        if following == "of" and entity.text.lower() in {"one", "two", "some", "1"}:
            return True
        if not unit and value is not None and value < 10:
            return True  # "a 7-4 vote", "two of them": small bare counts say little on their own
        # A number alone at the start of a line or followed by "." or ")" is a bullet or page number.
        line_start = text.rfind("\n", 0, entity.start) + 1
        if not text[line_start : entity.start].strip() and text[entity.end : entity.end + 1] in {
            ".",
            ")",
            "",
        }:
            return True
        if re.fullmatch(
            r"(?:page|p\.?|pp\.?)\s*\d+", text[max(0, entity.start - 6) : entity.end].strip(), re.IGNORECASE
        ):
            return True
    return False
