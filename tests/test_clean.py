from __future__ import annotations

import pytest

from summarizer.clean import clean, is_boilerplate

BOILERPLATE = ("Print Friendly", "PDF & Email", "Send to Kindle", "Photo:", "YouTube", "الاعلام")


def test_sample_loses_share_widgets_and_photo_credit_and_keeps_its_title(sample_text: str) -> None:
    cleaned = clean(sample_text)
    assert cleaned.title == (
        "Iran-Backed Iraqi Militias Pour Into Aleppo, Sparking Fears of Their Use as a Regional Force"
    )
    assert len(cleaned.paragraphs) == 8
    assert cleaned.paragraphs[0].startswith("The recent influx of Iran-backed Iraqi Shiite militias")
    assert cleaned.paragraphs[-1].endswith("in and around Damascus.")
    for junk in BOILERPLATE:
        assert junk not in cleaned.body


@pytest.mark.parametrize(
    "line",
    [
        "• Print Friendly, PDF & Email",
        "  • Send to Kindle",
        "Share this article",
        "Tweet",
        "Advertisement",
        "[Photo: الاعلام الحربي لحركة النجباء / YouTube ]",
        "Photo credit: Jane Doe/Reuters",
        "(AP Photo/John Smith)",
    ],
)
def test_page_furniture_is_boilerplate(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize(
    "line",
    [
        "Email records show the minister knew.",
        "Share prices fell 4% on Tuesday.",
        "Photography is his passion, he said.",
    ],
)
def test_story_lines_that_start_like_widgets_are_kept(line: str) -> None:
    assert not is_boilerplate(line)


@pytest.mark.parametrize(
    ("raw", "first"),
    [
        ("Kathmandu, Nepal (CNN)Rescuers pulled a man out.", "Rescuers pulled a man out."),
        ("(The Hollywood Reporter)Stan Freberg has died.", "Stan Freberg has died."),
        ("LONDON (Reuters) - Shares fell sharply.", "Shares fell sharply."),
        (
            "By . Daily Mail Reporter . PUBLISHED: . 10:30 EST, 3 May 2013 . | . UPDATED: . 11:02 EST, "
            "3 May 2013 . The man said no.",
            "The man said no.",
        ),
    ],
)
def test_datelines_and_bylines_are_removed(raw: str, first: str) -> None:
    assert clean(raw).paragraphs[0] == first


def test_markdown_heading_is_the_title_and_list_items_stand_alone() -> None:
    cleaned = clean("# Council Approves Budget\n\nThe council voted on Monday.\n\n- Item one\n- Item two\n")
    assert cleaned.title == "Council Approves Budget"
    assert cleaned.paragraphs == ("The council voted on Monday.", "Item one", "Item two")


def test_text_without_a_heading_has_no_title() -> None:
    assert clean("Just one paragraph of story. It has two sentences.").title is None


def test_control_and_invisible_characters_are_dropped() -> None:
    assert clean("Zero\u200bwidth\x07 text here.").paragraphs == ("Zerowidth text here.",)
