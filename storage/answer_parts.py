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
_FILLER = frozenset({"the", "of", "de", "and"})
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
    question asks for stands, if it holds one the question does not already name."""
    for start, end in _candidates(question, sentence, position, brief):
        if not _asked_already(question, sentence[start:end]):
            return start, end
    return None


def _candidates(
    question: Question, sentence: str, position: int, brief: Brief | None
) -> Iterator[tuple[int, int]]:
    kind = question.kind
    if kind in ACTOR_KINDS_FOR:
        yield from _actor_spans(sentence, position, brief, ACTOR_KINDS_FOR[kind])
        if kind == "where":  # "in Tokyo", "at Cedar Hollow High School"; after "to", only a known place
            for m in _PLACE_AFTER.finditer(sentence):  # ("troops to Syria", not "according to the Journal")
                if m.group(1).lower() != "to" or in_gazetteer(m.group(2), cities=True):
                    yield m.start(2), m.end(2)
        elif brief is None or not brief.actors:
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
