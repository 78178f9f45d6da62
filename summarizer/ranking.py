"""Choosing the sentences of a brief.

sumy's algorithms (LexRank, TextRank, Luhn, LSA, KL, SumBasic) are available by name, run through
sumy itself with our data-free tokenizer. The default, ``news``, scores each sentence with a linear
model fitted on data (``bench/fit_summary.py``: CNN/DailyMail highlights and BBC extractive summaries,
weights committed in ``summarizer/weights/summary.json``) over model-free features
(``summarizer.sentence_features``): position, *directed* centrality (PacSum, Zheng & Lapata 2019: what a
sentence shares with the sentences after it and before it), length, numbers, capitalised words, the
title's words, quotes and openings that lean on the sentence before. It then picks greedily while
dropping sentences that repeat one already chosen (maximal marginal relevance, Carbonell & Goldstein
1998). Similarity is sumy's LexRank tf-idf cosine, computed as one matrix product so that ranking
stays a small fraction of the model's cost.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from summarizer import weights
from summarizer.sentence_features import SentenceContext, feature_matrix
from summarizer.sentences import SumyTokenizer, words
from summarizer.weights import LinearModel

LANGUAGE = "english"

MODEL = "summary"  # summarizer/weights/summary.json, fitted by bench/fit_summary.py
# Two rules stay hand-set, since the data showed no better: a candidate whose cosine with a chosen
# sentence is above REDUNDANCY repeats it (0.3, 0.7 or no check moved the cross-validated dev ROUGE-1
# by 0.2 at most), and a sentence under MIN_WORDS words ("He was 88.") comes last (level on the dev
# folds, +0.4 ROUGE-1 on the BBC report part).
REDUNDANCY = 0.5
MIN_WORDS = 6


@dataclass(frozen=True, slots=True)
class Lexicon:
    """The stemmer and stop words every ranker shares."""

    stem: Callable[[str], str]
    stop_words: frozenset[str]


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """sumy's English stop words and the Snowball English stemmer.

    The stop words are read straight from sumy's package data and the stemmer is PyStemmer's C
    Snowball (the algorithm NLTK's SnowballStemmer implements, which sumy uses): importing NLTK
    costs a third of a second of every cold start and stems 35 times slower.
    """
    import Stemmer

    data = resources.files("sumy").joinpath("data", "stopwords", f"{LANGUAGE}.txt").read_text("utf-8")
    stop_words = frozenset(line.strip().lower() for line in data.splitlines() if line.strip())
    return Lexicon(stem=Stemmer.Stemmer(LANGUAGE).stemWord, stop_words=stop_words)


def content_terms(sentence: str, lex: Lexicon) -> list[str]:
    """Stemmed words of a sentence without stop words, as sumy's LexRank sees them."""
    return _stems(words(sentence), lex)


def _stems(tokens: Sequence[str], lex: Lexicon) -> list[str]:
    out = []
    for word in tokens:
        lowered = word.lower()
        if lowered not in lex.stop_words:
            out.append(lex.stem(lowered))
    return out


def similarity_matrix(terms: Sequence[Sequence[str]]) -> np.ndarray:
    """Pairwise tf-idf cosine of sentences, with LexRank's tf (by the sentence's top term) and idf.

    sumy computes the same cosine pair by pair in Python; one matrix product does it in microseconds.
    """
    n = len(terms)
    vocabulary: dict[str, int] = {}
    rows: list[Counter[str]] = [Counter(t) for t in terms]
    for counts in rows:
        for term in counts:
            vocabulary.setdefault(term, len(vocabulary))
    if not vocabulary:
        return np.zeros((n, n))
    tf = np.zeros((n, len(vocabulary)))
    for i, counts in enumerate(rows):
        if counts:
            top = max(counts.values())
            for term, count in counts.items():
                tf[i, vocabulary[term]] = count / top
    document_frequency = (tf > 0).sum(axis=0)
    idf = np.log(n / (1.0 + document_frequency)) if n > 1 else np.ones(len(vocabulary))
    vectors = tf * idf
    norms = np.linalg.norm(vectors, axis=1)
    norms[norms == 0] = 1.0
    unit = vectors / norms[:, None]
    similarity: np.ndarray = unit @ unit.T
    np.fill_diagonal(similarity, 0.0)
    return np.clip(similarity, 0.0, 1.0)


def _pick(
    order: Sequence[int], sentences: Sequence[str], count: int, max_chars: int, similarity: np.ndarray | None
) -> list[int]:
    """Take sentences best first, skipping repeats and those past the budget; return article order."""
    chosen: list[int] = []
    used = 0
    for index in order:
        if similarity is not None and any(similarity[index, other] > REDUNDANCY for other in chosen):
            continue
        length = len(sentences[index])
        if max_chars and chosen and used + length > max_chars:
            continue
        chosen.append(index)
        used += length + 1
        if len(chosen) >= count or (max_chars and used >= max_chars):
            break
    return sorted(chosen)


@dataclass(frozen=True, slots=True)
class SentenceTable:
    """An article's sentences as the news scorer sees them: feature rows and pairwise similarity."""

    features: np.ndarray
    similarity: np.ndarray
    lengths: tuple[int, ...]


def sentence_table(sentences: Sequence[str], names: Sequence[str], title: str | None = None) -> SentenceTable:
    """The features ``names`` of every sentence (see ``summarizer.sentence_features``)."""
    lex = lexicon()
    tokens = [words(s) for s in sentences]
    terms = [_stems(t, lex) for t in tokens]
    similarity = similarity_matrix(terms)
    title_terms = frozenset(content_terms(title, lex)) if title else frozenset()
    context = SentenceContext.build(sentences, tokens, terms, title_terms, similarity)
    return SentenceTable(feature_matrix(context, names), similarity, tuple(len(t) for t in context.tokens))


def choose_news(
    scores: np.ndarray,
    table: SentenceTable,
    sentences: Sequence[str],
    count: int,
    max_chars: int = 0,
    min_words: int = MIN_WORDS,
) -> list[int]:
    """Best scores first, a sentence under ``min_words`` only as a last resort, repeats skipped."""
    adjusted = np.where(np.asarray(table.lengths) < min_words, scores - 1e6, scores)
    order = [int(i) for i in np.argsort(-adjusted, kind="stable")]
    return _pick(order, sentences, count, max_chars, table.similarity)


def rank_news(
    sentences: Sequence[str],
    count: int,
    max_chars: int = 0,
    title: str | None = None,
    model: LinearModel | None = None,
) -> list[int]:
    """The news summary: ``model`` (default: the committed weights) scores, MMR picks."""
    model = model or weights.load(MODEL)
    table = sentence_table(sentences, model.features, title)
    return choose_news(model.score(table.features), table, sentences, count, max_chars)


def rank_lead(sentences: Sequence[str], count: int, max_chars: int = 0) -> list[int]:
    return _pick(range(len(sentences)), sentences, count, max_chars, None)


def _sumy_class(algorithm: str) -> Any:
    if algorithm == "lexrank":
        from sumy.summarizers.lex_rank import LexRankSummarizer

        return LexRankSummarizer
    if algorithm == "textrank":
        from sumy.summarizers.text_rank import TextRankSummarizer

        return TextRankSummarizer
    if algorithm == "luhn":
        from sumy.summarizers.luhn import LuhnSummarizer

        return LuhnSummarizer
    if algorithm == "lsa":
        from sumy.summarizers.lsa import LsaSummarizer

        return LsaSummarizer
    if algorithm == "kl":
        from sumy.summarizers.kl import KLSummarizer

        return KLSummarizer
    if algorithm == "sumbasic":
        from sumy.summarizers.sum_basic import SumBasicSummarizer

        return SumBasicSummarizer
    raise ValueError(f"unknown summary algorithm {algorithm!r}")


def rank_sumy(algorithm: str, sentences: Sequence[str], count: int, max_chars: int = 0) -> list[int]:
    """Run one of sumy's summarizers as it is, and map its choice back to sentence indices."""
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence

    tokenizer = SumyTokenizer(LANGUAGE)
    document = ObjectDocumentModel([Paragraph([Sentence(s, tokenizer) for s in sentences])])
    summarizer = _sumy_class(algorithm)(lexicon().stem)
    summarizer.stop_words = lexicon().stop_words
    # Ask for everything ranked when a character budget applies, then cut by budget in sumy's order.
    wanted = len(sentences) if max_chars else count
    picked = [str(s) for s in summarizer(document, wanted)]
    positions: dict[str, list[int]] = {}
    for i, s in enumerate(sentences):
        positions.setdefault(s, []).append(i)
    order = [positions[s].pop(0) for s in picked if positions.get(s)]
    return _pick(order, sentences, count, max_chars, None)


def rank(
    sentences: Sequence[str],
    *,
    algorithm: str = "news",
    count: int = 3,
    max_chars: int = 0,
    title: str | None = None,
) -> list[int]:
    """Indices (in article order) of the sentences that make the summary.

    ``title`` (the headline, when known) is read by ``news`` only: sentences that share its words
    score higher.
    """
    if not sentences or count <= 0:
        return []
    if algorithm == "news":
        return rank_news(sentences, count, max_chars, title)
    if algorithm == "lead":
        return rank_lead(sentences, count, max_chars)
    return rank_sumy(algorithm, sentences, count, max_chars)


__all__ = [
    "MODEL",
    "SentenceTable",
    "choose_news",
    "content_terms",
    "lexicon",
    "rank",
    "rank_lead",
    "rank_news",
    "sentence_table",
    "similarity_matrix",
]
