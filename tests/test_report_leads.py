"""A report's front matter (contents, preface) is not briefed; a news article's own lists are kept.

Why: the ranker is fitted on news and favours the lead; a report's lead is its table of contents or
preface (bench/report_leads.py measures the leak). The body here is the shipped sample article.
"""

from __future__ import annotations

import re

import pytest

from summarizer import Summarizer
from summarizer.clean import clean
from summarizer.report_front import strip_front_matter

CONTENTS = """Contents
1. Introduction ........................ 3
2. Background ........................... 7
3. Findings ............................ 12
4. Recommendations ..................... 20"""
PREFACE = """Preface

This report was prepared by the research unit at the request of the board. It draws on published
sources, interviews and data available at the time of writing.

The views expressed in this report are those of the authors and do not necessarily reflect the
official position of the organisation or its members.

Acknowledgements

We are grateful to the many colleagues and partners who gave their time and shared their expertise."""
FRONT_WORDS = ("Contents", "Introduction ....", "This report was prepared", "views expressed", "grateful")


def _spaced(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def report(sample_text: str) -> str:
    """The sample article as a report: a title, a contents page, a preface, then the story."""
    body = clean(sample_text).body
    return f"Militias in Aleppo: a briefing\n\n{CONTENTS}\n\n{PREFACE}\n\n1. Introduction\n\n{body}"


def test_report_brief_comes_from_its_body(summarizer: Summarizer, sample_text: str) -> None:
    text = report(sample_text)
    brief = summarizer.brief(text)
    body = _spaced(clean(sample_text).body)
    assert brief.title == "Militias in Aleppo: a briefing"
    assert brief.summary
    for sentence in brief.summary:
        assert _spaced(sentence) in body
    assert brief.summary == summarizer.brief(clean(sample_text).body).summary


def test_front_matter_is_cleaned_but_title_and_body_stay(sample_text: str) -> None:
    cleaned = clean(report(sample_text))
    for words in FRONT_WORDS:
        assert words not in cleaned.body
    assert cleaned.paragraphs[0] == "1. Introduction"
    assert cleaned.paragraphs[1:] == clean(sample_text).paragraphs


def test_news_article_that_says_contents_or_lists_is_unchanged(sample_text: str) -> None:
    news = (
        "Customs seize a container at the port\n\n"
        "Contents\n\n"
        "Officers said the contents of the container were declared as machine parts but were found to "
        "be 4,000 cigarettes.\n\n"
        "The agency listed its three priorities for the year:\n"
        "1. Tobacco smuggling 2\n"
        "2. Counterfeit goods 1\n"
        "3. Drugs 3\n\n"
        "Preface\n\n"
        "A spokesman said the seizure was the largest this year."
    )
    assert strip_front_matter(news.split("\n")) == news.split("\n")
    kept = clean(news).body
    assert "contents of the container" in kept and "1. Tobacco smuggling 2" in kept
    assert strip_front_matter(sample_text.split("\n")) == sample_text.split("\n")


@pytest.mark.parametrize(
    "lines",
    [
        # A contents heading deep in a story is not the document's front matter.
        ["Title", "", "First paragraph of the story.", "", "Contents", "1. One .... 3", "2. Two .... 5"],
        # A league table under "Contents": points go down, pages never do.
        ["Contents", "1. Chelsea 45", "2. Arsenal 38", "3. Everton 30"],
        # A preface with no heading after it: where it ends is not known, so it is kept.
        ["Foreword", "", "The story starts here and goes on.", "", "It ends here."],
    ],
)
def test_not_front_matter_is_kept(lines: list[str]) -> None:
    assert strip_front_matter(lines) == lines


def test_front_matter_goes_under_a_title_that_ends_in_a_quote() -> None:
    """BBC-style headlines end in a quote ("China 'to overtake US net use'"): still a title, not story."""
    lines = (
        f"China 'to overtake US net use'\n\n{CONTENTS}\n\n{PREFACE}\n\n1. Introduction\n\nThe story.".split(
            "\n"
        )
    )
    assert strip_front_matter(lines) == [
        "China 'to overtake US net use'",
        "",
        "1. Introduction",
        "",
        "The story.",
    ]
