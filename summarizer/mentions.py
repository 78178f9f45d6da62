"""What the model found, reduced to plain values, so actors and figures need no spaCy objects."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int
    is_alpha: bool
    is_stop: bool
    is_punct: bool
    like_num: bool


@dataclass(frozen=True, slots=True)
class Entity:
    """A named entity: its text, label, character span and sentence (-1 for the title)."""

    text: str
    label: str
    start: int
    end: int
    sentence: int
    first_token: int
    last_token: int


def sentence_of(starts: Sequence[int], offset: int, body_start: int) -> int:
    """Index of the sentence containing ``offset``; -1 for the title before the body."""
    if offset < body_start:
        return -1
    return max(bisect.bisect_right(starts, offset) - 1, 0)


def read_doc(doc: Any, sentence_starts: Sequence[int], body_start: int) -> tuple[list[Token], list[Entity]]:
    """Copy tokens and entities out of a spaCy ``Doc``."""
    tokens = [Token(t.text, t.idx, t.is_alpha, t.is_stop, t.is_punct, t.like_num) for t in doc]
    entities = []
    for e in doc.ents:
        sentence = sentence_of(sentence_starts, e.start_char, body_start)
        end_char, last_token, text = e.end_char, e.end - 1, e.text
        # The model may run an entity across our sentence boundary ("Halden Securities. Raman"):
        # keep the part inside the sentence it starts in.
        if 0 <= sentence < len(sentence_starts) - 1 and end_char > sentence_starts[sentence + 1]:
            boundary = sentence_starts[sentence + 1]
            while last_token > e.start and tokens[last_token].start >= boundary:
                last_token -= 1
            cut = tokens[last_token].start + len(tokens[last_token].text)
            text = doc.text[e.start_char : cut].rstrip(" .!?")
            end_char = e.start_char + len(text)
        entities.append(Entity(text, e.label_, e.start_char, end_char, sentence, e.start, last_token))
    return tokens, entities
