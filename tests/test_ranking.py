from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from sumy.models.dom import Sentence
from sumy.summarizers.lex_rank import LexRankSummarizer

from bot.cli import samples_dir
from summarizer import weights
from summarizer.pipeline import prepare
from summarizer.ranking import MODEL, content_terms, lexicon, rank, sentence_table, similarity_matrix
from summarizer.sentence_features import FEATURES
from summarizer.sentences import SumyTokenizer
from tests.conftest import REPO, SHARED_DATA


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


# ---------------------------------------------------------------------- the learned news scorer


def test_committed_summary_weights_load_and_name_features_the_code_computes() -> None:
    model = weights.load(MODEL)
    assert model.features and set(model.features) <= set(FEATURES)
    assert len(model.coef) == len(model.features) and all(s > 0 for s in model.scale)
    assert model.meta["fitted_by"] == "bench/fit_summary.py"
    table = sentence_table(["A first sentence about the harbour strike.", "A second one."], model.features)
    assert table.features.shape == (2, len(model.features))


def test_committed_weights_reproduce_the_sample_summaries_recorded_by_the_fit() -> None:
    """bench/fit_summary.py wrote down the summary each bundled sample gets; the pipeline still gives it."""
    recorded = weights.load(MODEL).meta["samples"]
    samples = sorted(samples_dir().glob("*.txt"))
    assert sorted(recorded) == [path.name for path in samples]
    for path in samples:
        prepared = prepare(path.read_text("utf-8"))
        sentences = [span.text for span in prepared.sentences]
        assert rank(sentences, title=prepared.title) == recorded[path.name], path.name


def test_committed_weights_reproduce_the_dev_rouge_recorded_by_the_fit() -> None:
    path = SHARED_DATA / "cnndm_dev100.jsonl"
    if not path.exists():
        pytest.skip(f"evaluation data not found at {path}")
    rouge_scorer = pytest.importorskip("rouge_score.rouge_scorer")
    metrics = ("rouge1", "rouge2", "rougeLsum")
    scorer = rouge_scorer.RougeScorer(list(metrics), use_stemmer=True)
    totals = dict.fromkeys(metrics, 0.0)
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    for row in rows:
        prepared = prepare(row["text"])
        sentences = [span.text for span in prepared.sentences]
        chosen = rank(sentences, title=prepared.title)
        result = scorer.score("\n".join(row["summary_sentences"]), "\n".join(sentences[i] for i in chosen))
        for metric in metrics:
            totals[metric] += 100 * result[metric].fmeasure / len(rows)
    recorded = weights.load(MODEL).meta["dev_in_sample"]
    for metric in metrics:
        assert totals[metric] == pytest.approx(recorded[metric], abs=0.01), metric


def test_ranking_needs_no_scikit_learn() -> None:
    """The fit uses scikit-learn in bench/; ranking reads the weights with numpy alone."""
    code = (
        "import sys; from summarizer.ranking import rank; "
        "rank(['The port reopened on Monday after a week.', 'Ships queued for days outside.']); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sklearn'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert done.stdout.strip() == "[]"


def test_sentence_features_read_quotes_openings_numbers_and_the_title() -> None:
    sentences = [
        "Dockworkers at Port Aster walked out on Monday over pay.",
        '"Nobody goes back," said one of 3,200 strikers.',
        "But the operator said talks would resume.",
        "They did not say when?",
    ]
    names = (
        "quote",
        "connective_start",
        "pronoun_start",
        "question",
        "digits",
        "title_overlap",
        "position_first",
    )
    table = sentence_table(sentences, names, title="Port Aster dockworkers strike")
    column = {name: table.features[:, k].tolist() for k, name in enumerate(names)}
    assert column["quote"] == [0.0, 1.0, 0.0, 0.0]
    assert column["connective_start"] == [0.0, 0.0, 1.0, 0.0]
    assert column["pronoun_start"] == [0.0, 0.0, 0.0, 1.0]
    assert column["question"] == [0.0, 0.0, 0.0, 1.0]
    assert column["digits"][1] > 0 and column["digits"][0] == 0.0
    assert column["title_overlap"][0] == 0.75  # port, aster, dockwork of port, aster, dockwork, strike
    assert column["position_first"] == [1.0, 0.0, 0.0, 0.0]
    untitled = sentence_table(sentences, ("title_overlap",))
    assert untitled.features[:, 0].tolist() == [0.0] * 4


def test_news_ranking_is_deterministic_and_reads_the_title(sample_text: str) -> None:
    prepared = prepare(sample_text)
    sentences = [span.text for span in prepared.sentences]
    first = rank(sentences, title=prepared.title)
    assert first == rank(list(sentences), title=prepared.title) and len(first) == 3
