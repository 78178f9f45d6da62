"""The part of a sentence that answers a question of a given type: the name, the number, the date.

It is evidence for ranking (a "how many" question is answered by a sentence with a figure the
question does not already hold) and what the reply shows in bold. The brief says which actors and
figures each sentence holds; for an article without a brief (stored without the model), the forms
of the text stand in: capitalised runs for names, digits for numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from storage.question import ACTOR_KINDS_FOR, Question, sentence_terms, stem
from summarizer import Brief
from summarizer.kinds import in_gazetteer
from summarizer.numbers import find_numbers
from summarizer.sentences import words

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_DATE = re.compile(
    rf"\b(?:(?:\d{{1,2}}(?:st|nd|rd|th)? (?:of )?(?:{_MONTHS})\.?(?:,? (?:19|20)\d\d)?)|"
    rf"(?:(?:{_MONTHS})\.? \d{{1,2}}(?:st|nd|rd|th)?(?:,? (?:19|20)\d\d)?)|"
    rf"(?:(?:early|mid|late|end of|the end of|the start of|next|last|this) )?"
    rf"(?:{_MONTHS})(?: (?:19|20)\d\d)?|"
    r"(?:19|20)\d\d(?:s|-\d\d)?|"
    r"(?:next|last|this|on|by|until) (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"week|month|year|spring|summer|autumn|winter|weekend|season|decade)|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|tomorrow|"
    r"(?:(?:the )?(?:first|second|third|fourth) quarter)|christmas|easter)\b",
    re.IGNORECASE,
)
_NUMBER_WORDS = re.compile(
    r"\b(?:(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
    r"forty|fifty|sixty|seventy|eighty|ninety|a hundred|hundreds|thousands|millions|dozens|a dozen|"
    r"half|a third|a quarter|double|twice|triple)(?:[- ](?:one|two|three|four|five|six|seven|eight|"
    r"nine))?(?: (?:hundred|thousand|million|billion|per ?cent|percent))?)\b",
    re.IGNORECASE,
)
_REASON = re.compile(
    r"\b(?:because(?: of)?|due to|owing to|as a result of|thanks to|in order to|so that|"
    r"after|amid|following|blamed|caused by|led to|reflect(?:s|ed|ing)?|in protest|since|"
    r"fears? (?:of|that|over)|concerns? (?:over|about|that)|in response to|aimed at)\b[^.;:!?]*",
    re.IGNORECASE,
)
_FILLER = frozenset({"the", "of", "de", "and", "mr", "mrs", "ms", "dr", "sir", "lord", "lady"})
_CURRENCY_AFTER = re.compile(
    r"\s?(?:p|pence|cents?|euros?|dollars?|pounds?|sterling|yen|yuan|rupees?|francs?|crowns?|kron[aeo]r?|"
    r"roubles?|rubles?|baht|rand|pesos?|dinars?|riyals?|dirhams?|lira|shekels?|zloty)\b",
    re.IGNORECASE,
)
_CURRENCY_IN = re.compile(r"[$£€¥]|\b(?:euros?|dollars?|pounds?|yen|yuan|rupees?|francs?|pence)\b", re.I)
_PERCENT = re.compile(r"%|\bper ?cent\b|\bpercent(?:age points?)?\b", re.IGNORECASE)
_TIME_UNIT = re.compile(
    r"[\s-]?(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|centuries|seasons?)\b",
    re.IGNORECASE,
)
_AGE_BEFORE = re.compile(r"(?:\baged?|\bage of|[A-Z][\w'’-]+,)\s*$")
_AGE_AFTER = re.compile(r"^(?:[\s-]years?[\s-]old\b|-year-old|,)")
_YEAR_ONLY = re.compile(r"(?:19|20)\d\d")
_FOLLOWING = 2  # words after a figure that say what it counts
_PROPER = re.compile(
    r"(?<![\w'’])(?:[A-Z][\w'’&.-]*|[A-Z]{2,})(?:\s+(?:of\s+|de\s+|the\s+)?[A-Z][\w'’&.-]*)*"
)
_PLACE_AFTER = re.compile(
    r"\b(in|at|from|to|across|near|outside|inside)\s+(?:the\s+)?([A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)"
)


def answer_part(
    question: Question, sentence: str, position: int, brief: Brief | None
) -> tuple[int, int] | None:
    """Where, in ``sentence`` (the article's sentence at ``position``), the kind of thing the
    question asks for stands, if it holds one the question does not already name. Of several
    figures, the one the question's words follow ("37 *homes*" for "how many homes"), else the first."""
    found = [
        (start, end)
        for start, end in _candidates(question, sentence, position, brief)
        if not _asked_already(question, sentence[start:end])
        and _is_wanted(question.wants, sentence, start, end)
    ]
    if question.kind == "number":
        asked = set(question.terms)
        for start, end in found:
            following = re.split(r"[,.;:!?()]", sentence[end:], maxsplit=1)[0].split()[:_FOLLOWING]
            if asked & set(sentence_terms(" ".join([sentence[start:end], *following]))):
                return start, end
    return found[0] if found else None


def _is_wanted(wants: str, sentence: str, start: int, end: int) -> bool:
    """Whether the figure at ``sentence[start:end]`` is what the question's words ask for: "how old"
    is answered by an age ("Brown, 42,", "aged 42", "a 42-year-old"), not by "160m euros"; "how much
    did it cost" by a sum, "how many" by a count, neither a sum nor a share, "how long" by a span
    of time. Read from the figure and the words around it, since a brief's figure is cut to its
    digits as often as not."""
    if wants in ("", "person", "name"):
        return True
    part, before, after = sentence[start:end], sentence[:start], sentence[end:]
    money = bool(_CURRENCY_IN.search(part) or _CURRENCY_AFTER.match(after) or before.endswith(tuple("$£€¥")))
    percent = bool(_PERCENT.search(part) or _PERCENT.match(after.lstrip()))
    if wants == "money":
        return money
    if wants == "percent":
        return percent
    if wants == "count":  # nor a year, nor a day of the month ("August 3")
        dated = any(m.start() <= start and end <= m.end() for m in _DATE.finditer(sentence))
        return not money and not percent and not dated and not _YEAR_ONLY.fullmatch(part.strip())
    if wants == "duration":
        return bool(_TIME_UNIT.search(part) or _TIME_UNIT.match(after))
    if wants == "age":
        return "year-old" in part or bool(_AGE_AFTER.match(after) and _AGE_BEFORE.search(before))
    return True


def _candidates(
    question: Question, sentence: str, position: int, brief: Brief | None
) -> Iterator[tuple[int, int]]:
    kind = question.kind
    if kind in ACTOR_KINDS_FOR:
        kinds = frozenset({"person"}) if question.wants == "person" else ACTOR_KINDS_FOR[kind]
        yield from _actor_spans(sentence, position, brief, kinds)
        if kind == "where":  # "in Tokyo", "at Cedar Hollow High School"; after "to", only a known place
            for m in _PLACE_AFTER.finditer(sentence):  # ("troops to Syria", not "according to the Journal")
                if m.group(1).lower() != "to" or in_gazetteer(m.group(2), cities=True):
                    yield m.start(2), m.end(2)
        elif brief is None or not brief.actors or question.wants == "name":  # a title: "Encore"
            yield from ((m.start(), m.end()) for m in _PROPER.finditer(sentence) if m.start() > 0)
    elif kind == "number":
        if brief is not None:
            for figure in brief.figures:
                if figure.sentence == position and figure.kind != "date":
                    found = sentence.find(figure.text)
                    if found >= 0:
                        yield found, found + len(figure.text)
        yield from ((n.start, n.end) for n in find_numbers(sentence) if n.kind != "date")
        yield from ((m.start(), m.end()) for m in _NUMBER_WORDS.finditer(sentence))
    elif kind == "when":
        yield from ((m.start(), m.end()) for m in _DATE.finditer(sentence))
    elif kind == "why":
        yield from ((m.start(), m.end()) for m in _REASON.finditer(sentence))


def _actor_spans(
    sentence: str, position: int, brief: Brief | None, kinds: frozenset[str]
) -> Iterator[tuple[int, int]]:
    if brief is None:
        return
    found: list[tuple[int, int]] = []
    for actor in brief.actors:
        if actor.kind not in kinds or position not in actor.sentences:
            continue
        for name in sorted({actor.name, *actor.aliases}, key=len, reverse=True):
            match = re.search(rf"(?<!\w){re.escape(name)}(?!\w)", sentence)
            if match:
                found.append((match.start(), match.end()))
                break
    yield from sorted(found)


def _asked_already(question: Question, part: str) -> bool:
    """Whether every word of the part is one of the question's: it names what is asked about
    ("al-Nujaba" in "who commands al-Nujaba?" is not the answer)."""
    asked = set(sentence_terms(" ".join(question.surface)))
    found = [w for w in words(part) if w.lower() not in _FILLER]
    return bool(found) and all(stem(w) in asked or set(sentence_terms(w)) <= asked for w in found)
