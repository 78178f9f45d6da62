"""Merging mentions into actors and ranking them: on mentions as the model labels them (its mistakes
included), on the sample articles with the real model, and against what bench/fit_actors.py recorded."""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest

from bot.cli import samples_dir
from summarizer import Summarizer, weights
from summarizer.actors import FEATURES, MODEL, extract_actors, features, read_actors
from summarizer.mentions import Entity, Token, read_doc
from summarizer.pipeline import prepare
from summarizer.weights import LinearModel
from tests.conftest import SHARED_DATA, bench_module


def mention(text: str, label: str, sentence: int, start: int = 0) -> Entity:
    return Entity(
        text=text,
        label=label,
        start=start,
        end=start + len(text),
        sentence=sentence,
        first_token=0,
        last_token=0,
    )


def actors_of(*mentions: Entity) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Name -> (kind, aliases) of every actor the mentions make."""
    return {a.name: (a.kind, a.aliases) for a in extract_actors(mentions, [], limit=50)}


def test_the_full_name_decides_the_kind_of_a_merged_actor() -> None:
    # en_core_web_sm calls "Tim Sherwood" a person but the bare "Sherwood" an organisation as often as
    # not (seen on the CNN/DailyMail dev articles); the surname's votes must not outnumber the name.
    mentions = [
        mention("Tim Sherwood", "PERSON", 0),
        *(mention("Sherwood", "ORG", n) for n in (1, 2, 3)),
        mention("Sherwood", "PERSON", 4),
        mention("Aston Villa", "ORG", 1),
        mention("Villa", "ORG", 5),
    ]
    actors = {a.name: a for a in extract_actors(mentions, [])}
    assert set(actors) == {"Tim Sherwood", "Aston Villa"}
    sherwood = actors["Tim Sherwood"]
    assert (sherwood.kind, sherwood.mentions, sherwood.aliases) == ("person", 5, ("Sherwood",))
    assert sherwood.sentences == (0, 1, 2, 3, 4)
    assert actors["Aston Villa"].kind == "organization"


def test_a_name_seen_as_two_kinds_takes_the_kind_most_mentions_give() -> None:
    mentions = [mention("Meridian", "ORG", n) for n in (0, 2, 3)] + [mention("Meridian", "PERSON", 1)]
    [actor] = extract_actors(mentions, [])
    assert (actor.kind, actor.mentions) == ("organization", 4)


def test_the_first_word_of_an_organisation_named_before_it_joins_it() -> None:
    actors = actors_of(
        mention("Meridian Terminal Operators", "ORG", 0, start=10),
        mention("Meridian", "PERSON", 2, start=200),
        mention("Meridian", "NORP", 3, start=300),
    )
    assert actors == {"Meridian Terminal Operators": ("organization", ("Meridian",))}


def test_a_first_word_stays_apart_when_it_comes_first_or_two_names_hold_it() -> None:
    before = actors_of(
        mention("Meridian", "ORG", 0, start=0), mention("Meridian Terminal Operators", "ORG", 1, 50)
    )
    assert set(before) == {"Meridian", "Meridian Terminal Operators"}
    two = actors_of(
        mention("Valmora Federation of Industry", "ORG", 0, start=0),
        mention("Central Bank of Valmora", "ORG", 1, start=50),
        mention("Valmora", "PERSON", 2, start=100),
    )
    assert set(two) == {"Valmora Federation of Industry", "Central Bank of Valmora", "Valmora"}
    # What follows "of" in an organisation's name is a place of its own, not a short name of it.
    assert two["Valmora"][0] == "place"


def test_two_people_who_share_a_surname_stay_two() -> None:
    actors = actors_of(
        mention("Bill Clinton", "PERSON", 0),
        mention("Hillary Clinton", "PERSON", 1),
        mention("Clinton", "PERSON", 2),
    )
    assert actors["Bill Clinton"] == ("person", ()) and actors["Hillary Clinton"] == ("person", ())
    assert "Clinton" in actors


def test_a_titled_surname_joins_the_full_name_and_a_nationality_does_not_join_an_agency() -> None:
    actors = actors_of(
        mention("Leon Yeaman", "PERSON", 0),
        mention("Mr Yeaman", "PERSON", 1),
        mention("Yeaman", "PERSON", 2),
        mention("Russian Federal Space Agency", "ORG", 0, start=40),
        mention("Russian", "NORP", 3, start=400),
    )
    assert actors["Leon Yeaman"] == ("person", ("Mr Yeaman", "Yeaman"))
    assert actors["Russian"] == ("group", ())
    assert actors["Russian Federal Space Agency"] == ("organization", ())


def test_a_nationality_describing_a_noun_is_another_name_of_its_country() -> None:
    words = ["Iraqi", "militias", "entered", "Iraq", "."]
    starts = [0, 6, 15, 23, 27]
    tokens = [
        Token(w, s, w.isalpha(), False, not w.isalpha(), False) for w, s in zip(words, starts, strict=True)
    ]
    iraqi = Entity("Iraqi", "NORP", 0, 5, 0, 0, 0)
    iraq = Entity("Iraq", "GPE", 23, 27, 0, 3, 3)
    [actor] = extract_actors([iraqi, iraq], tokens)
    assert (actor.name, actor.kind, actor.aliases, actor.mentions) == ("Iraq", "place", ("Iraqi",), 2)


def test_meridian_merges_into_meridian_terminal_operators_in_the_sample(summarizer: Summarizer) -> None:
    text = (samples_dir() / "port-strike-coastal-post.txt").read_text("utf-8")
    actors = {a.name: a for a in summarizer.brief(text).actors}
    assert "Meridian" in actors["Meridian Terminal Operators"].aliases
    assert "Meridian" not in actors
    assert actors["Halvern"].kind == "place"  # "the Port of Halvern", not its Chamber of Commerce


@pytest.fixture(scope="module")
def committed() -> LinearModel:
    return weights.load(MODEL)


def test_the_committed_weights_fit_the_features_computed(committed: LinearModel) -> None:
    assert committed.features == FEATURES
    assert committed.meta["fitted_by"] == "bench/fit_actors.py"
    assert len(committed.coef) == len(FEATURES) and all(np.isfinite(committed.coef))


def test_salience_is_the_committed_weights_score(
    summarizer: Summarizer, sample_text: str, committed: LinearModel
) -> None:
    brief = summarizer.brief(sample_text)
    ready = prepare(sample_text)
    tokens, entities = read_doc(
        summarizer.nlp(ready.text), [s.start for s in ready.sentences], ready.body_start
    )
    groups = read_actors(entities, tokens)
    scores = committed.score(features(groups, brief.summary_index))
    expected = sorted(
        ((round(float(v), 4), g.name) for v, g in zip(scores, groups, strict=True)), reverse=True
    )
    assert [(a.salience, a.name) for a in brief.actors] == expected[: len(brief.actors)]


def test_the_sample_briefs_rank_the_actors_the_fit_recorded(
    summarizer: Summarizer, committed: LinearModel
) -> None:
    recorded = committed.meta["cross_validated"]["samples_top"]
    seen = {}
    for path in sorted(samples_dir().glob("*.txt")):
        brief = summarizer.brief(path.read_text("utf-8"))
        seen[path.stem] = [f"{a.name} ({a.kind})" for a in brief.actors[: len(recorded[path.stem])]]
    assert seen == recorded


def test_features_are_one_row_per_actor() -> None:
    groups = read_actors([mention("Tim Sherwood", "PERSON", 0), mention("Villa", "ORG", 3)], [])
    rows = features(groups, summary=(0,))
    assert rows.shape == (2, len(FEATURES))
    in_summary = FEATURES.index("in_summary")
    assert sorted(rows[:, in_summary]) == [0.0, 1.0]


@pytest.fixture(scope="module")
def fit_actors() -> ModuleType:
    return bench_module("fit_actors")


def test_the_committed_weights_reproduce_the_dev_figures_recorded(
    committed: LinearModel, fit_actors: ModuleType
) -> None:
    dev = SHARED_DATA / "cnndm_dev100.jsonl"
    if not dev.exists():
        pytest.skip(f"evaluation data not found at {dev}")
    reads, golds = fit_actors.read_dev(dev, "en_core_web_sm", None)
    rows = [fit_actors.rows_of(read, gold) for read, gold in zip(reads, golds, strict=True)]
    recorded = committed.meta["cross_validated"]
    shipped = recorded["no place cap (as shipped)"]
    assert fit_actors.pooled(rows, fit_actors.cross_validate(rows))["all"] == shipped["pooled"]["all"]
    refit = fit_actors.fit(rows)
    assert np.allclose(refit.coef, committed.coef, atol=1e-6)
    assert list(fit_actors.kind_agreement(reads, golds)) == [
        recorded["kinds"]["agree"],
        recorded["kinds"]["of"],
    ]
    assert fit_actors.checked_kind_agreement(reads, golds) == recorded["kinds_checked"]
    assert fit_actors.merge_halves(reads) == recorded["merges"]
