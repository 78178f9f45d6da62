"""The shipped sample article, briefed end to end with the real model."""

from __future__ import annotations

import json

import pytest

from config import SummarizerSettings
from summarizer import Brief, Summarizer
from summarizer.render import to_markdown, to_text

BOILERPLATE = ("Print Friendly", "PDF", "Kindle", "Photo", "YouTube", "الاعلام", "النجباء")


@pytest.fixture(scope="module")
def brief(summarizer: Summarizer, sample_text: str) -> Brief:
    return summarizer.brief(sample_text)


@pytest.fixture(scope="module")
def long_brief(sample_text: str) -> Brief:
    """The same brief with 20 actors: Hezbollah and the IRGC are named once each and rank below the
    tenth (the fitted salience puts the places the story happens in first)."""
    return Summarizer(settings=SummarizerSettings(actors=20)).brief(sample_text)


def actor(brief: Brief, name: str):  # type: ignore[no-untyped-def]
    found = [a for a in brief.actors if a.name == name]
    assert found, f"{name} not among actors {[a.name for a in brief.actors]}"
    return found[0]


def test_title_and_three_summary_sentences_in_article_order(brief: Brief) -> None:
    assert brief.title.startswith("Iran-Backed Iraqi Militias Pour Into Aleppo")
    assert len(brief.summary) == 3
    assert list(brief.summary_index) == sorted(brief.summary_index)
    assert brief.summary[0].startswith("The recent influx of Iran-backed Iraqi Shiite militias")
    assert any("some 1,000 troops" in s for s in brief.summary)


def test_key_actors_are_merged_and_typed(long_brief: Brief) -> None:
    brief = long_brief
    assad = actor(brief, "Bashar al-Assad")
    assert assad.kind == "person"
    assert "Assad" in assad.aliases
    assert assad.mentions == 3  # "Bashar al-Assad" once, "Assad" twice
    assert not [a for a in brief.actors if a.name == "Assad"], "Assad must be merged into Bashar al-Assad"
    mosawwi = actor(brief, "Hashem al-Mosawwi")
    assert "al-Mosawwi" in mosawwi.aliases
    actor(brief, "al-Nujaba")
    assert actor(brief, "Hezbollah").kind == "organization"
    assert actor(brief, "Islamic Revolutionary Guard Corps").kind == "organization"
    journal = actor(brief, "Wall Street Journal")
    assert "Journal" in journal.aliases and journal.mentions == 6


def test_actors_are_ranked_by_salience_not_frequency(brief: Brief) -> None:
    names = [a.name for a in brief.actors]
    saliences = [a.salience for a in brief.actors]
    assert saliences == sorted(saliences, reverse=True)
    # Iran is mentioned most often (7 times) but the person at the centre of the story ranks above it.
    iran = actor(brief, "Iran")
    assert iran.mentions > actor(brief, "Bashar al-Assad").mentions
    assert names.index("Bashar al-Assad") < names.index("Iran")
    # Nationalities used as adjectives ("Iraqi Shiite militias") are not actors.
    assert "Iraqi" not in names and "Shiite" not in names


def test_actor_sentences_point_at_sentences_that_name_them(
    summarizer: Summarizer, sample_text: str, brief: Brief
) -> None:
    from summarizer.pipeline import prepare

    sentences = [s.text for s in prepare(sample_text).sentences]
    for a in brief.actors:
        for index in a.sentences:
            assert any(name.split()[-1] in sentences[index] for name in (a.name, *a.aliases)), (a, index)


def test_key_figures_say_what_they_count(brief: Brief) -> None:
    texts = [f.text for f in brief.figures]
    assert "some 1,000 troops" in texts
    assert "some 5,000 of the estimated 10,000 ground troops" in texts
    troops = brief.figures[texts.index("some 1,000 troops")]
    assert troops.value == 1000 and troops.unit == "troops" and troops.kind == "count"
    assert "1,000 troops" in troops.sentence_text
    ground = brief.figures[texts.index("some 5,000 of the estimated 10,000 ground troops")]
    assert ground.value == 5000 and ground.unit == "ground troops"
    # The 10,000 belongs to the partitive and is not a figure of its own.
    assert not any(f.text.startswith("10,000") for f in brief.figures)


def test_no_boilerplate_reaches_the_brief(brief: Brief) -> None:
    dumped = json.dumps(brief.to_dict(), ensure_ascii=False)
    for junk in BOILERPLATE:
        assert junk not in dumped


def test_brief_round_trips_through_json(brief: Brief) -> None:
    assert Brief.from_dict(json.loads(json.dumps(brief.to_dict()))).to_dict() == brief.to_dict()


def test_renderings_carry_title_sentences_actors_and_figures(brief: Brief) -> None:
    text = to_text(brief)
    markdown = to_markdown(brief, link="https://example.org/a")
    for rendering in (text, markdown):
        assert "Bashar al-Assad" in rendering and "some 1,000 troops" in rendering
        for sentence in brief.summary:
            assert sentence in rendering
    assert markdown.startswith("### [Iran-Backed Iraqi Militias")


def test_batched_briefs_equal_single_briefs(summarizer: Summarizer, sample_text: str, brief: Brief) -> None:
    batched = list(summarizer.brief_many([sample_text, "", sample_text]))
    assert isinstance(batched[0], Brief) and batched[0].to_dict() == brief.to_dict()
    assert not isinstance(batched[1], Brief)
    assert isinstance(batched[2], Brief) and batched[2].to_dict() == brief.to_dict()
