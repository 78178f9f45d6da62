"""Briefs of awkward text: tiny, entity-free, number-free, huge, other scripts, empty."""

from __future__ import annotations

import dataclasses

import pytest

from config import SummarizerSettings
from summarizer import EmptyText, Summarizer


def test_one_sentence_text_is_its_own_summary(summarizer: Summarizer) -> None:
    brief = summarizer.brief("The council of Springfield approved a new budget on Monday.")
    assert brief.summary == ("The council of Springfield approved a new budget on Monday.",)
    assert brief.title == "The council of Springfield approved a new budget on Monday"


def test_text_without_entities_or_numbers(summarizer: Summarizer) -> None:
    text = (
        "the weather was mild and the river ran slowly past the old mill. "
        "children played near the water while their parents talked about nothing much. "
        "later it rained a little and everyone went home happy."
    )
    brief = summarizer.brief(text)
    assert brief.actors == ()
    assert brief.figures == ()
    assert len(brief.summary) == 3


def test_text_without_numbers_has_actors_but_no_figures(summarizer: Summarizer) -> None:
    brief = summarizer.brief(
        "Angela Merkel met Emmanuel Macron in Paris. Merkel praised the talks. Macron agreed with Merkel."
    )
    names = {a.name: a for a in brief.actors}
    assert "Angela Merkel" in names and "Merkel" in names["Angela Merkel"].aliases
    assert names["Angela Merkel"].mentions >= 2 and "Merkel" not in names
    assert brief.figures == ()


def test_very_long_text_is_briefed_within_bounds(summarizer: Summarizer, sample_text: str) -> None:
    body = sample_text.split("\n\n", 2)[2]
    long_text = "A Long Report\n\n" + "\n\n".join([body] * 60)  # about 200,000 characters
    assert len(long_text) > 150_000
    brief = summarizer.brief(long_text)
    assert len(brief.summary) == 3
    assert len(set(brief.summary)) == 3, "repeated paragraphs must not fill the summary with copies"
    assert len(brief.actors) <= summarizer.settings.actors
    assert brief.sentence_count > 500


def test_arabic_and_other_scripts_in_the_text(summarizer: Summarizer) -> None:
    text = (
        "Officials in Baghdad said on Monday that 300 families returned home. "
        "A banner read «العودة إلى الديار» near the market. "
        "Мэр города поблагодарил добровольцев. "
        "Aid groups said 1,200 tents were still needed."
    )
    brief = summarizer.brief(text)
    assert len(brief.summary) == 3
    assert {f.text for f in brief.figures} >= {"300 families", "1,200 tents"}


@pytest.mark.parametrize("text", ["", "   \n\n  ", "• Print Friendly, PDF & Email\n• Send to Kindle\n"])
def test_empty_or_boilerplate_only_text_is_refused(summarizer: Summarizer, text: str) -> None:
    with pytest.raises(EmptyText):
        summarizer.brief(text)


def test_character_budget_limits_the_summary(sample_text: str) -> None:
    summarizer = Summarizer(settings=dataclasses.replace(SummarizerSettings(), sentences=5, max_chars=400))
    brief = summarizer.brief(sample_text)
    assert 1 <= len(brief.summary) < 5
    assert sum(len(s) for s in brief.summary) <= 400 or len(brief.summary) == 1


@pytest.mark.parametrize(
    "algorithm", ["news", "lead", "lexrank", "textrank", "luhn", "lsa", "kl", "sumbasic"]
)
def test_every_algorithm_gives_sentences_of_the_article(sample_text: str, algorithm: str) -> None:
    summarizer = Summarizer(settings=SummarizerSettings(algorithm=algorithm))
    brief = summarizer.brief(sample_text)
    assert len(brief.summary) == 3
    assert brief.algorithm == algorithm
    assert list(brief.summary_index) == sorted(brief.summary_index)


def test_dev_articles_brief_with_cnn_dateline_removed(
    summarizer: Summarizer, dev_articles: list[dict]
) -> None:
    briefs = list(summarizer.brief_many(row["text"] for row in dev_articles))
    for row, brief in zip(dev_articles, briefs, strict=True):
        assert not isinstance(brief, EmptyText)
        assert len(brief.summary) == 3
        assert not brief.summary[0].startswith("(CNN)") and "(CNN)" not in brief.title
        for sentence in brief.summary:
            assert sentence in " ".join(row["text"].split())
        assert brief.actors, row["id"]
    # The NASA article: its chief scientist is a key actor and NASA is merged once.
    nasa = briefs[0]
    assert not isinstance(nasa, EmptyText)
    names = [a.name for a in nasa.actors]
    assert "NASA" in names[:3] and "Ellen Stofan" in names
