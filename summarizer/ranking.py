"""Choosing the sentences of a brief.

sumy's algorithms (LexRank, TextRank, Luhn, LSA, KL, SumBasic) are available by name, run through
sumy itself with our data-free tokenizer. The default, ``news``, is built for news writing, where the
lead carries the story: it scores each sentence by *directed* centrality (PacSum, Zheng & Lapata
2019: a sentence earns from the sentences after it, since later sentences elaborate on earlier ones)
plus a position prior, then picks greedily while dropping sentences that repeat one already chosen
(maximal marginal relevance, Carbonell & Goldstein 1998). Similarity is sumy's LexRank tf-idf cosine,
computed as one matrix product so that ranking stays a small fraction of the model's cost.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from summarizer.sentences import SumyTokenizer, words

LANGUAGE = "english"

# Weights of the news ranker, tuned on half of a 100-article CNN/DailyMail dev set and checked on
# the other half (bench/quality.py reports both). Position dominates, centrality breaks ties and
# lifts a later sentence that the rest of the article keeps returning to.
POSITION_WEIGHT = 2.0
BACKWARD_WEIGHT = -0.3  # PacSum's lambda2: being echoed by *earlier* sentences counts against.
REDUNDANCY = 0.5  # cosine above which a candidate repeats a chosen sentence.
MIN_WORDS = 6  # shorter sentences ("He was 88.") are rarely what a reader needs.


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
    out = []
    for word in words(sentence):
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


def news_scores(similarity: np.ndarray) -> np.ndarray:
    """Directed centrality (normalised to 0..1) plus a 1/(1+i) position prior."""
    n = similarity.shape[0]
    forward = np.triu(similarity, 1).sum(axis=1)
    backward = np.tril(similarity, -1).sum(axis=1)
    centrality = forward + BACKWARD_WEIGHT * backward
    spread = centrality.max() - centrality.min() if n else 0.0
    centrality = (centrality - centrality.min()) / spread if spread > 0 else np.zeros(n)
    position = 1.0 / (1.0 + np.arange(n))
    result: np.ndarray = centrality + POSITION_WEIGHT * position
    return result


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


def rank_news(sentences: Sequence[str], count: int, max_chars: int = 0) -> list[int]:
    lex = lexicon()
    terms = [content_terms(s, lex) for s in sentences]
    similarity = similarity_matrix(terms)
    scores = news_scores(similarity)
    for i, sentence in enumerate(sentences):
        if len(sentence.split()) < MIN_WORDS:
            scores[i] -= 10.0  # last resort only: kept if the text has nothing longer
    order = [int(i) for i in np.argsort(-scores, kind="stable")]
    return _pick(order, sentences, count, max_chars, similarity)


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
    sentences: Sequence[str], *, algorithm: str = "news", count: int = 3, max_chars: int = 0
) -> list[int]:
    """Indices (in article order) of the sentences that make the summary."""
    if not sentences or count <= 0:
        return []
    if algorithm == "news":
        return rank_news(sentences, count, max_chars)
    if algorithm == "lead":
        return rank_lead(sentences, count, max_chars)
    return rank_sumy(algorithm, sentences, count, max_chars)


__all__ = ["content_terms", "lexicon", "rank", "similarity_matrix"]
