from __future__ import annotations

import numpy as np
from sumy.models.dom import Sentence
from sumy.summarizers.lex_rank import LexRankSummarizer

from summarizer.pipeline import prepare
from summarizer.ranking import content_terms, lexicon, rank, similarity_matrix
from summarizer.sentences import SumyTokenizer


def test_similarity_is_sumys_lexrank_cosine(sample_text: str) -> None:
    """The vectorised matrix equals sumy's own pairwise cosine on the same terms."""
    sentences = [s.text for s in prepare(sample_text).sentences]
    lex = lexicon()
    terms = [content_terms(s, lex) for s in sentences]
    ours = similarity_matrix(terms)
    lexrank = LexRankSummarizer(lex.stem)
    tf = lexrank._compute_tf(terms)
    idf = lexrank._compute_idf(terms)
    for i in range(len(terms)):
        for j in range(len(terms)):
            if i != j:
                expected = LexRankSummarizer.cosine_similarity(terms[i], terms[j], tf[i], tf[j], idf)
                assert np.isclose(ours[i, j], expected, atol=1e-9), (i, j)


def test_news_ranking_skips_a_sentence_that_repeats_a_chosen_one() -> None:
    sentences = [
        "The central bank raised its main interest rate by half a point on Tuesday.",
        "On Tuesday the central bank raised its main interest rate by half a point.",
        "Markets had expected a smaller move after inflation eased in the spring.",
        "Shares of banks rose while the currency gained against the dollar.",
    ]
    chosen = rank(sentences, algorithm="news", count=2)
    assert chosen == [0, 2]
    # LEAD takes whatever comes first, repeat or not.
    assert rank(sentences, algorithm="lead", count=2) == [0, 1]


def test_news_ranking_prefers_long_enough_sentences() -> None:
    sentences = [
        "He was 88.",
        "The comedian died of natural causes at a hospital in Santa Monica, his son said.",
    ]
    assert rank(sentences, algorithm="news", count=1) == [1]


def test_sumy_algorithms_run_with_our_tokenizer_and_return_article_order(sample_text: str) -> None:
    sentences = [s.text for s in prepare(sample_text).sentences]
    for algorithm in ("lexrank", "textrank", "luhn", "lsa"):
        chosen = rank(sentences, algorithm=algorithm, count=3)
        assert len(chosen) == 3 and chosen == sorted(chosen)
    assert Sentence("One two.", SumyTokenizer()).words == ("One", "two")


def test_character_budget_and_empty_input() -> None:
    sentences = ["a" * 50 + " one two three four five.", "b" * 50 + " six seven eight nine ten.", "c" * 300]
    assert rank(sentences, algorithm="lead", count=3, max_chars=160) == [0, 1]
    assert rank([], algorithm="news", count=3) == []
