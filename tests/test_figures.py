"""Key figures with the real model: every number of the text is a candidate, ranked by the committed
weights, one figure per quantity."""

from __future__ import annotations

import re
from types import ModuleType

import numpy as np
import pytest

from bot.cli import samples_dir
from summarizer import Brief, Summarizer
from summarizer.brief import Figure
from summarizer.figure_features import FEATURES, feature_rows
from summarizer.figures import WEIGHTS, Candidate, figure_candidates, rank_figures
from summarizer.mentions import read_doc
from summarizer.numbers import find_numbers
from summarizer.pipeline import prepare
from summarizer.weights import LinearModel, load
from tests.conftest import SHARED_DATA, bench_module

DEV = SHARED_DATA / "cnndm_dev100.jsonl"


def figures_of(summarizer: Summarizer, text: str) -> list[Figure]:
    return list(summarizer.brief(text).figures)


def numbers_in(figures: list[Figure]) -> set[float]:
    """The numbers the figures state, as the bench reads them: their values and the digits in their text."""
    values = {f.value for f in figures if f.value is not None}
    for figure in figures:
        values.update(float(d.replace(",", "")) for d in re.findall(r"\d[\d,]*(?:\.\d+)?", figure.text))
    return values


def candidates_of(summarizer: Summarizer, text: str) -> list[Candidate]:
    """The figure candidates of ``text``, read as the pipeline reads it, before ranking."""
    prepared = prepare(text)
    starts = [span.start for span in prepared.sentences]
    tokens, entities = read_doc(summarizer.nlp(prepared.text), starts, prepared.body_start)
    sentences = [span.text for span in prepared.sentences]
    bounds = [(span.start, span.end) for span in prepared.sentences]
    return figure_candidates(entities, tokens, sentences, bounds, prepared.text)


def by_text(figures: list[Figure], text: str) -> Figure:
    found = [f for f in figures if f.text == text]
    assert found, f"{text!r} not among figures {[f.text for f in figures]}"
    return found[0]


def test_numbers_are_read_by_pattern_with_their_scale_and_kind() -> None:
    text = (
        "A 45-year-old won 3-1, up 10-12 percent, $3m, £50billion, US$3.5 billion, 12%, the 500th, in 2014."
    )
    found = {text[w.start : w.end]: w for w in find_numbers(text)}
    assert found["45-year-old"].value == 45 and found["45-year-old"].pattern == "age"
    assert found["3-1"].value == 3 and found["3-1"].pattern == "pair"
    assert found["10-12 percent"].kind == "percent" and found["10-12 percent"].pattern == "pair"
    assert found["$3m"].value == 3e6 and found["$3m"].kind == "money"
    assert found["£50billion"].value == 5e10 and found["£50billion"].kind == "money"
    assert found["US$3.5 billion"].value == 3.5e9
    assert found["12%"].kind == "percent"
    assert found["500th"].kind == "ordinal"
    assert found["2014"].kind == "date"


def test_story_of_only_numbers(summarizer: Summarizer) -> None:
    figures = figures_of(
        summarizer,
        "Sales rose 12 percent to $3.5 billion. Profit was £50m, up from £42m. "
        "Shares fell 3% to 145 pence. The firm employs 8,400 people in 31 countries.",
    )
    # Every number is a figure, so the brief is full, each quantity once, and the article's order
    # (news states its key figures first) decides.
    assert len(figures) == summarizer.settings.figures
    assert len({(f.value, f.kind) for f in figures}) == len(figures)
    assert [f.text for f in figures[:4]] == ["12 percent", "$3.5 billion", "£50m", "£42m"]
    assert by_text(figures, "$3.5 billion").kind == "money"


def test_sports_result(summarizer: Summarizer) -> None:
    figures = figures_of(
        summarizer,
        "Manchester United beat Aston Villa 3-1 at Old Trafford on Saturday. "
        "Wayne Rooney scored twice as United moved to third in the table.",
    )
    score = next(f for f in figures if "3-1" in f.text)
    assert score.value == 3 and score.kind == "count"
    assert {3, 1} <= numbers_in(figures)


def test_story_about_a_year(summarizer: Summarizer) -> None:
    figures = figures_of(
        summarizer,
        "The Berlin Wall fell in 1989. Crowds gathered at the border crossings that night. "
        "The city was reunited within a year.",
    )
    year = next(f for f in figures if f.value == 1989)
    assert year.kind == "date" and year.text == "1989"


def test_ages(summarizer: Summarizer) -> None:
    figures = figures_of(
        summarizer,
        "A 45-year-old man was arrested on Monday after the crash. "
        "Police said the driver, Tom Baker, 37, was not hurt.",
    )
    assert any(f.text.startswith("45-year-old") and f.value == 45 for f in figures)
    assert 37 in numbers_in(figures)


def test_ranges(summarizer: Summarizer) -> None:
    figures = figures_of(summarizer, "Prices are expected to rise 10-12 percent next year, the bank said.")
    rise = by_text(figures, "10-12 percent")
    assert rise.kind == "percent" and rise.value == 10 and rise.unit == "percent"


@pytest.mark.parametrize(
    ("text", "figure", "value", "unit"),
    [
        ("The company paid $3.5 billion for the mine, officials said.", "$3.5 billion", 3.5e9, "USD"),
        ("The council spent £50m on the new bridge last year.", "£50m", 5e7, "GBP"),
        ("The club agreed a £50billion deal with the broadcaster.", "£50billion deal", 5e10, "deal"),
        ("Tickets cost €20 at the door, the organisers said.", "€20", 20, "EUR"),
        ("The startup raised $3m from investors in March.", "$3m", 3e6, "USD"),
    ],
)
def test_currencies(summarizer: Summarizer, text: str, figure: str, value: float, unit: str) -> None:
    found = by_text(figures_of(summarizer, text), figure)
    assert found.kind == "money" and found.value == value and found.unit == unit


def test_the_same_quantity_twice_is_one_figure(summarizer: Summarizer) -> None:
    figures = figures_of(
        summarizer,
        "Some 3,200 dockworkers walked off the job at the Port of Halvern on Monday. "
        "The union said some 3,200 workers would stay out until Meridian improved its offer of 7 percent.",
    )
    assert [f.value for f in figures].count(3200) == 1
    assert by_text(figures, "Some 3,200 dockworkers").sentence == 0


@pytest.mark.parametrize("name", ["port-strike-coastal-post.txt", "port-strike-harbor-times.txt"])
def test_port_strike_samples_state_each_quantity_once(summarizer: Summarizer, name: str) -> None:
    figures = figures_of(summarizer, (samples_dir() / name).read_text("utf-8"))
    values = [(f.value, f.kind) for f in figures]
    assert len(values) == len(set(values))
    dockworkers = next(f for f in figures if f.value == 3200)
    assert dockworkers.text.lower() == "some 3,200 dockworkers" and dockworkers.unit == "dockworkers"


def test_numbers_the_model_does_not_mark_are_candidates(summarizer: Summarizer) -> None:
    candidates = candidates_of(summarizer, "The club agreed a £50billion deal. Villa lost 3-1.")
    assert {c.figure.value for c in candidates} >= {5e10, 3}
    assert any(not c.from_model for c in candidates)


# ------------------------------------------------------------------------------- committed weights


@pytest.fixture(scope="module")
def weights() -> LinearModel:
    return load(WEIGHTS)


def test_weights_load_and_match_the_features_the_code_computes(weights: LinearModel) -> None:
    assert weights.features == FEATURES
    assert len(weights.meta["folds"]) == 5
    for fold in weights.meta["folds"]:
        assert tuple(LinearModel.from_dict(fold).features) == FEATURES
    assert weights.meta["fitted_by"] == "bench/fit_figures.py"


def test_feature_rows_refuse_weights_for_other_features(summarizer: Summarizer) -> None:
    with pytest.raises(ValueError, match="features"):
        feature_rows([], ("sentence", *FEATURES))


def test_weights_reproduce_the_sample_figures_recorded_when_fitted(
    summarizer: Summarizer, weights: LinearModel
) -> None:
    recorded: dict[str, list[str]] = weights.meta["samples"]
    assert set(recorded) == {p.name for p in samples_dir().glob("*.txt")}
    for name, texts in recorded.items():
        brief = summarizer.brief((samples_dir() / name).read_text("utf-8"))
        assert [f.text for f in brief.figures[: weights.meta["top"]]] == texts, name


def test_scores_are_the_weights_dot_product(
    summarizer: Summarizer, sample_text: str, weights: LinearModel
) -> None:
    candidates = candidates_of(summarizer, sample_text)
    ranked = rank_figures(candidates, limit=len(candidates), model=weights)
    scores = weights.score(feature_rows(candidates))
    assert [f.score for f in ranked] == sorted((f.score for f in ranked), reverse=True)
    assert ranked[0].score == round(float(np.max(scores)), 4)


@pytest.fixture(scope="module")
def bench_quality() -> ModuleType:
    return bench_module("quality")


def test_weights_reproduce_the_dev_recall_recorded_when_fitted(
    summarizer: Summarizer, weights: LinearModel, bench_quality: ModuleType
) -> None:
    if not DEV.exists():
        pytest.skip(f"evaluation data not found at {DEV}")
    articles = bench_quality.load_articles(DEV)
    briefs = [b if isinstance(b, Brief) else None for b in summarizer.brief_many(a.text for a in articles)]
    prepared = bench_quality.prepare_all(articles)
    top = weights.meta["top"]
    recall = bench_quality.figure_recall(articles, prepared, briefs, top, False)
    recorded = weights.meta["dev_in_sample"]
    assert recall.total["all numbers"] == recorded["n"]
    assert round(100 * recall.ours["all numbers"] / recall.total["all numbers"], 2) == recorded["ours"]
    assert (
        round(100 * recall.baseline["all numbers"] / recall.total["all numbers"], 2)
        == recorded["first_numbers"]
    )
