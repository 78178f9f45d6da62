"""Key figures: numbers with what they count ("some 1,000 troops"), tied to their sentence, ranked
by a scorer fitted on data.

Candidates are every number of the text: the model's numeric entities (CARDINAL, MONEY, PERCENT,
QUANTITY, DATE, ORDINAL) joined with the numbers read by pattern (``summarizer.numbers``), since the
model misses some ("3-1", "£50billion") and cuts others short ("$3m" as "3"). What a number counts
is read from the words that follow ("troops", "ground troops") or, failing that, from a "the death
toll of 7,000" phrase before it. A partitive such as "5,000 of the estimated 10,000 ground troops"
stays one figure, because the two numbers only mean something together.

The ranking is ``summarizer/weights/figures.json``, a pairwise logistic scorer fitted by
``bench/fit_figures.py`` on which numbers the dev set's highlights repeat and which sentences the
BBC summaries keep (features in ``summarizer.figure_features``). No class of numbers (years, ages,
scores, small bare numbers) is left out by rule: leaving any out cost recall on the dev set. Only
page furniture is: a bullet or page number. Two figures stating the same quantity ("3,200
dockworkers" and "some 3,200 workers") are one, shown in its best-phrased form.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from summarizer.brief import Figure
from summarizer.figure_features import feature_rows
from summarizer.mentions import Entity, Token
from summarizer.numbers import CURRENCY_SIGNS, FRACTIONS, SCALES, Written, find_numbers
from summarizer.weights import LinearModel, load

KINDS = {
    "CARDINAL": "count",
    "MONEY": "money",
    "PERCENT": "percent",
    "QUANTITY": "quantity",
    "DATE": "date",
    "ORDINAL": "ordinal",
}
WEIGHTS = "figures"
MAX_UNIT_WORDS = 3
_APART = frozenset({"money", "percent"})  # kinds whose figures are never the same quantity as another kind's

_WORD_NUMBERS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "dozen": 12,
    "hundred": 100,
}  # fmt: skip
_ALL_SCALES = {**SCALES, "m": 1e6, "bn": 1e9, "k": 1e3, "hundred": 1e2}
_NUMBER = re.compile(r"(\d[\d,]*(?:\.\d+)?)([½¼¾⅓⅔])?")
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
_MEASURES = frozenset(
    "km kilometres kilometers kilometre kilometer miles mile mph metres meters metre meter cm mm ft feet "
    "foot inches inch kg kilograms kilos tonnes tons ton pounds lbs lb litres liters gallons acres "
    "hectares degrees sq square yards yard mins minutes hours seconds mw gw kw".split()
)
# Words after a number that are not what it counts.
_NOT_UNITS = frozenset({"percent", "per", "cent", "said", "says", "told", "according", "ago", "times"})


@dataclass(frozen=True, slots=True)
class Candidate:
    """A figure before ranking, with what the features need to know about how it was written."""

    figure: Figure
    start: int  # where its number starts in the text
    from_model: bool  # the model marked it as an entity (else only the pattern reader found it)
    is_word: bool  # written in words alone ("two friends")
    numbers: int  # numbers written in digits in it ("5,000 of the estimated 10,000" has two)


_WORD_VALUE = re.compile(rf"\b(?:{'|'.join(_WORD_NUMBERS)})\b")
_SCALE_AFTER = re.compile(rf"(?<=[\d\s])(?:{'|'.join(_ALL_SCALES)})\b")
_SCALE_ONLY = re.compile(r"\b(?:a|one)\s+(thousand|million|billion|trillion)\b")


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
            value += FRACTIONS[match.group(2)]
    else:
        word = _WORD_VALUE.search(lowered)
        value = float(_WORD_NUMBERS[word.group()]) if word else None
    if value is None:
        # "a million", "a billion": the scale word is the number.
        scale_only = _SCALE_ONLY.search(lowered)
        return SCALES[scale_only.group(1)] if scale_only else None
    scale = _SCALE_AFTER.search(lowered)
    if scale and not (scale.group() == "hundred" and value >= 100):
        value *= _ALL_SCALES[scale.group()]
    return value


@dataclass(frozen=True, slots=True)
class _Mention:
    """A number found by the model, by pattern, or both: its span, value and kind."""

    start: int
    end: int
    value: float | None
    kind: str
    is_word: bool
    from_model: bool
    digits: int


def _mentions(entities: Sequence[Entity], text: str, body_start: int) -> list[_Mention]:
    """The model's numeric entities, widened to the digits written in them, plus the numbers in digits
    the model did not mark. (Number words the model did not mark are left out: on the dev set they
    were "one" as a pronoun far more often than a figure, and leaving them out gained 1.7 points.)"""
    written = [w for w in find_numbers(text) if w.start >= body_start]
    written_starts = [w.start for w in written]
    mentions = []
    claimed: set[int] = set()
    for entity in entities:
        if entity.label not in KINDS or entity.sentence < 0:
            continue
        # The written numbers overlapping the entity: those starting before its end, back to the
        # first that ends after its start.
        i = bisect.bisect_left(written_starts, entity.end) - 1
        inside: list[int] = []
        while i >= 0 and written[i].end > entity.start:
            inside.insert(0, i)
            i -= 1
        claimed.update(inside)
        mentions.append(_entity_mention(entity, [written[i] for i in inside]))
    for i, w in enumerate(written):
        if i not in claimed:
            mentions.append(_Mention(w.start, w.end, w.value, w.kind or "count", False, False, 1))
    return sorted(mentions, key=lambda m: m.start)


def _entity_mention(entity: Entity, inside: Sequence[Written]) -> _Mention:
    """An entity read with the digits in it: "$3m" though the model marked only "3"."""
    kind = KINDS[entity.label]
    if not inside:
        return _Mention(entity.start, entity.end, parse_value(entity.text), kind, True, True, 0)
    first = inside[0]
    if first.kind in {"money", "percent"}:
        kind = first.kind
    start, end = min(entity.start, first.start), max(entity.end, *(w.end for w in inside))
    return _Mention(start, end, first.value, kind, False, True, len(inside))


def figure_candidates(
    entities: Sequence[Entity],
    tokens: Sequence[Token],
    sentences: Sequence[str],
    sentence_bounds: Sequence[tuple[int, int]],
    text: str,
) -> list[Candidate]:
    """Every figure of the body in text order, before ranking (the title's numbers are left out)."""
    if not tokens or not sentence_bounds:
        return []
    read_to = tokens[-1].start + len(tokens[-1].text)
    mentions = [m for m in _mentions(entities, text[:read_to], sentence_bounds[0][0]) if m.value is not None]
    starts = [t.start for t in tokens]
    sentence_starts = [b[0] for b in sentence_bounds]
    candidates: list[Candidate] = []
    absorbed: set[int] = set()
    for position, mention in enumerate(mentions):
        if position in absorbed:
            continue
        sentence = max(bisect.bisect_right(sentence_starts, mention.start) - 1, 0)
        first = max(bisect.bisect_right(starts, mention.start) - 1, 0)
        after = bisect.bisect_left(starts, mention.end)
        end_char = mention.end
        partner = _partitive(mentions, position, tokens, starts, after)
        if partner is not None:
            absorbed.add(partner)
            end_char = mentions[partner].end
            after = bisect.bisect_left(starts, end_char)
        figure = _figure(mention, tokens, first, after, end_char, sentence, sentence_bounds, sentences, text)
        if figure is None:
            continue
        numbers = mention.digits + (mentions[partner].digits if partner is not None else 0)
        candidates.append(Candidate(figure, mention.start, mention.from_model, mention.is_word, numbers))
    return candidates


def _partitive(
    mentions: Sequence[_Mention], position: int, tokens: Sequence[Token], starts: Sequence[int], after: int
) -> int | None:
    """The position of the 10,000 in "5,000 of the estimated 10,000 ground troops", if there is one."""
    if position + 1 >= len(mentions) or after >= len(tokens) or tokens[after].text.lower() != "of":
        return None
    mention, nxt = mentions[position], mentions[position + 1]
    gap = bisect.bisect_right(starts, nxt.start) - 1 - after
    if nxt.kind != mention.kind or not 0 < gap <= 4:
        return None
    return position + 1 if not any(t.is_punct for t in tokens[after + 1 : after + gap]) else None


def _figure(
    mention: _Mention,
    tokens: Sequence[Token],
    first: int,
    after: int,
    end_char: int,
    sentence: int,
    sentence_bounds: Sequence[tuple[int, int]],
    sentences: Sequence[str],
    text: str,
) -> Figure | None:
    """The figure a number makes with what it counts; None for a bullet or a page number."""
    kind = mention.kind
    sentence_start, sentence_end = sentence_bounds[sentence]
    if (
        kind == "count"
        and not mention.from_model
        and after < len(tokens)
        and tokens[after].text.lower() in _MEASURES
    ):
        kind = "quantity"  # "12ft", "5 km": a measure the model did not mark
    counts_after = kind in {"count", "money", "ordinal"} or (kind == "quantity" and not mention.from_model)
    unit_tokens = _unit_after(tokens, after, sentence_end) if counts_after else []
    if unit_tokens:
        end_char = unit_tokens[-1].start + len(unit_tokens[-1].text)
    unit = " ".join(t.text for t in unit_tokens)
    if not unit and kind in {"count", "money"}:
        unit = " ".join(t.text for t in _unit_before(tokens, first, sentence_start))
    number_text = text[mention.start : mention.end]
    if kind == "money" and not unit:
        unit = next((code for sign, code in CURRENCY_SIGNS.items() if sign in number_text), "")
        lowered = number_text.lower()
        unit = unit or next((code for word, code in _CURRENCY_WORDS.items() if word in lowered), "")
    if kind == "percent":
        unit = "percent"
    if kind == "count" and _is_bullet(mention, text):
        return None
    return Figure(
        text=" ".join(text[mention.start : end_char].split()),
        value=mention.value,
        unit=unit,
        kind=kind,
        sentence=sentence,
        sentence_text=sentences[sentence],
    )


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
    """ "the death toll of 7,000": the content words before "of" and the number ("risen by 35 percent"
    and "put the cost at $14 million" name no unit: a verb stands before "by" and "at")."""
    i = index - 1
    if i < 0 or tokens[i].start < sentence_start or tokens[i].text.lower() != "of":
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


def _is_bullet(mention: _Mention, text: str) -> bool:
    """A number alone at the start of a line and followed by "." or ")" is a bullet or a page number,
    as is "page 4"."""
    line_start = text.rfind("\n", 0, mention.start) + 1
    if not text[line_start : mention.start].strip() and text[mention.end : mention.end + 1] in {".", ")", ""}:
        return True
    before = text[max(0, mention.start - 6) : mention.end].strip()
    return re.fullmatch(r"(?:page|p\.?|pp\.?)\s*\d+", before, re.IGNORECASE) is not None


def rank_figures(
    candidates: Sequence[Candidate], *, limit: int = 6, model: LinearModel | None = None
) -> list[Figure]:
    """The ``limit`` best figures by the fitted scorer (the committed one unless ``model`` is given),
    one per quantity, best first; each carries its score."""
    if not candidates:
        return []
    model = model or load(WEIGHTS)
    scores = model.score(feature_rows(candidates, model.features))
    order = sorted(range(len(candidates)), key=lambda i: (-scores[i], candidates[i].start))
    groups: list[list[int]] = []
    for i in order:
        figure = candidates[i].figure
        same = next((g for g in groups if _same_quantity(candidates[g[0]].figure, figure)), None)
        if same is None:
            groups.append([i])
        else:
            same.append(i)
    chosen = []
    for members in groups[:limit]:
        best = max(members, key=lambda i: _phrasing(candidates[i], -members.index(i)))
        chosen.append(replace(candidates[best].figure, score=round(float(scores[members[0]]), 4)))
    return chosen


def _phrasing(candidate: Candidate, rank: int) -> tuple[bool, int, int]:
    """How well a figure is phrased, to show the best of those stating one quantity: saying what it
    counts first, then stating more (a partitive), then the higher score."""
    return bool(candidate.figure.unit), candidate.numbers, rank


def _same_quantity(a: Figure, b: Figure) -> bool:
    """ "3,200 dockworkers" and "some 3,200 workers" state one quantity: the same numbers ("6-3" is not
    "6-1"), both money, both percentages or both neither, and not two things counted ("12 months" is
    not "12 goals"). The model's kind for a bare number is a guess ("19" a date here, a count there),
    so it is not asked to agree beyond that."""
    if a.value != b.value or ((a.kind in _APART or b.kind in _APART) and a.kind != b.kind):
        return False
    if a.unit and b.unit and a.kind != b.kind and a.unit.lower().split()[-1] != b.unit.lower().split()[-1]:
        return False
    return _stated(a) == _stated(b)


def _stated(figure: Figure) -> set[float]:
    """The numbers a figure's text writes in digits ("6-3" writes 6 and 3)."""
    return {w.value for w in find_numbers(figure.text)}


def extract_figures(
    entities: Sequence[Entity],
    tokens: Sequence[Token],
    sentences: Sequence[str],
    sentence_bounds: Sequence[tuple[int, int]],
    text: str,
    *,
    limit: int = 6,
    model: LinearModel | None = None,
) -> list[Figure]:
    """Figures of the text, most important first (by ``model``, the committed weights by default).

    The summary is not an input: whether a figure's sentence is in it did not help the fitted ranking.
    """
    candidates = figure_candidates(entities, tokens, sentences, sentence_bounds, text)
    return rank_figures(candidates, limit=limit, model=model)
