"""What the learned sentence scorer knows about each sentence: cheap, model-free features.

Why these: news summaries are mostly built from the lead, from sentences the rest of the story keeps
returning to, and from sentences that carry the who (capitalised names), the how much (numbers) and
the what (the headline's words). Each feature is computed from the sentence texts, their tf-idf
similarity matrix and the title alone -- no spaCy model -- so ranking stays a pure function of the
text and costs well under a millisecond. The weights that combine them are fitted by
``bench/fit_summary.py`` and committed in ``summarizer/weights/summary.json``; this module only
measures, it never weighs.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

# Words that make a sentence lean on the one before it: a summary built of such sentences dangles.
PRONOUNS = frozenset("he she it they his her its their this these those we i you him them".split())
CONNECTIVES = frozenset(
    "but however and also meanwhile still yet so then moreover instead while although though "
    "because or nor thus therefore besides furthermore likewise".split()
)
_DIGIT = re.compile(r"\d")
_QUOTE = re.compile('["“”]')

FeatureFunction = Callable[["SentenceContext"], np.ndarray]


@dataclass(frozen=True, slots=True)
class SentenceContext:
    """The inputs every feature reads, computed once per article (see :meth:`build`)."""

    texts: Sequence[str]
    terms: Sequence[Sequence[str]]  # stemmed content words, as the similarity saw them
    title_terms: frozenset[str]
    tokens: tuple[list[str], ...]
    position: np.ndarray
    forward: np.ndarray
    backward: np.ndarray

    @property
    def n(self) -> int:
        return len(self.texts)

    @classmethod
    def build(
        cls,
        texts: Sequence[str],
        tokens: Sequence[list[str]],
        terms: Sequence[Sequence[str]],
        title_terms: frozenset[str],
        similarity: np.ndarray,
    ) -> SentenceContext:
        """``tokens`` are each text's ``summarizer.sentences.words``, ``terms`` their content stems."""
        # PacSum's directed centrality: what a sentence shares with the sentences after it (forward)
        # and before it (backward), as a mean over the other sentences so long and short articles compare.
        others = max(1, len(texts) - 1)
        return cls(
            texts=texts,
            terms=terms,
            title_terms=title_terms,
            tokens=tuple(tokens),
            position=np.arange(len(texts), dtype=float),
            forward=np.triu(similarity, 1).sum(axis=1) / others,
            backward=np.tril(similarity, -1).sum(axis=1) / others,
        )


def _per_sentence(function: Callable[[SentenceContext, int], float]) -> FeatureFunction:
    def compute(context: SentenceContext) -> np.ndarray:
        return np.array([function(context, i) for i in range(context.n)], dtype=float)

    return compute


def _word_share(context: SentenceContext, i: int, test: Callable[[int, str], bool]) -> float:
    tokens = context.tokens[i]
    return sum(test(k, w) for k, w in enumerate(tokens)) / len(tokens) if tokens else 0.0


def _digit_share(context: SentenceContext, i: int) -> float:
    if not _DIGIT.search(context.texts[i]):  # most sentences: no need to look at each word
        return 0.0
    return _word_share(context, i, lambda _k, w: bool(_DIGIT.search(w)))


def _first_word(context: SentenceContext, i: int) -> str:
    tokens = context.tokens[i]
    return tokens[0].lower() if tokens else ""


def _title_overlap(context: SentenceContext, i: int) -> float:
    if not context.title_terms:
        return 0.0
    return len(context.title_terms.intersection(context.terms[i])) / len(context.title_terms)


def _min_max(values: np.ndarray) -> np.ndarray:
    """``values`` rescaled to 0..1 within the article (all zeros when they do not vary)."""
    spread = values.max() - values.min() if len(values) else 0.0
    return (values - values.min()) / spread if spread > 0 else np.zeros(len(values))


# Every feature the scorer may use, by the name the weights file gives it. Position in three encodings
# (the lead is what news writing puts first; the first sentence is its own case); centrality rescaled
# within the article; length; the share of words with digits and of capitalised words after the first
# (a model-free proxy for figures and names); the share of the title's content words in the sentence;
# and four marks of a sentence that is not the story's own statement: quotes, questions, and openings
# that lean on the sentence before (a pronoun, a connective).
FEATURES: dict[str, FeatureFunction] = {
    "position_inverse": lambda c: 1.0 / (1.0 + c.position),
    "position_first": lambda c: (c.position == 0).astype(float),
    "position_relative": lambda c: c.position / max(1, c.n - 1),
    "forward_scaled": lambda c: _min_max(c.forward),
    "backward_scaled": lambda c: _min_max(c.backward),
    "words_log": _per_sentence(lambda c, i: math.log1p(len(c.tokens[i]))),
    "digits": _per_sentence(_digit_share),
    "capitals": _per_sentence(lambda c, i: _word_share(c, i, lambda k, w: k > 0 and w[:1].isupper())),
    "title_overlap": _per_sentence(_title_overlap),
    "quote": _per_sentence(lambda c, i: float(_QUOTE.search(c.texts[i]) is not None)),
    "pronoun_start": _per_sentence(lambda c, i: float(_first_word(c, i) in PRONOUNS)),
    "connective_start": _per_sentence(lambda c, i: float(_first_word(c, i) in CONNECTIVES)),
    "question": _per_sentence(lambda c, i: float(c.texts[i].rstrip("\"'”’)").endswith("?"))),
}


def feature_matrix(context: SentenceContext, names: Sequence[str]) -> np.ndarray:
    """One row per sentence, one column per feature in ``names`` (in that order)."""
    if context.n == 0:
        return np.zeros((0, len(names)))
    return np.column_stack([FEATURES[name](context) for name in names])


__all__ = ["FEATURES", "SentenceContext", "feature_matrix"]
