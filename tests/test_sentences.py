from __future__ import annotations

from summarizer.sentences import SumyTokenizer, split_sentences, words


def texts(text: str) -> list[str]:
    return [span.text for span in split_sentences(text)]


def test_abbreviations_initials_and_decimals_do_not_end_sentences() -> None:
    text = (
        "Mr. Smith met Dr. Jones in Washington. The U.S. Army paid $3.5 million, e.g. for fuel. "
        "George W. Bush spoke on Jan. 5 at 9 a.m. local time. It rained."
    )
    assert texts(text) == [
        "Mr. Smith met Dr. Jones in Washington.",
        "The U.S. Army paid $3.5 million, e.g. for fuel.",
        "George W. Bush spoke on Jan. 5 at 9 a.m. local time.",
        "It rained.",
    ]


def test_quotes_close_sentences_and_speech_tags_stay_attached() -> None:
    text = '"We know where to look," she said. "Are you sure?" he asked. “Yes.” Then silence.'
    assert texts(text) == [
        '"We know where to look," she said.',
        '"Are you sure?" he asked.',
        "“Yes.”",
        "Then silence.",
    ]


def test_paragraph_breaks_end_sentences_and_offsets_point_into_the_text() -> None:
    text = "A heading without a period\n\nFirst sentence here. Second one!\n\nLast"
    spans = split_sentences(text, offset=10)
    assert [s.text for s in spans] == [
        "A heading without a period",
        "First sentence here.",
        "Second one!",
        "Last",
    ]
    for span in spans:
        assert text[span.start - 10 : span.end - 10] == span.text


def test_ellipsis_inside_a_word_run_is_not_a_boundary() -> None:
    assert texts("“Those…terrorist groups cause all problems,” he said.") == [
        "“Those…terrorist groups cause all problems,” he said."
    ]


def test_other_scripts_split_and_keep_their_words() -> None:
    text = "قال المتحدث إن الوضع صعب. The spokesman left. Он сказал. Done."
    assert texts(text) == ["قال المتحدث إن الوضع صعب.", "The spokesman left.", "Он сказал.", "Done."]
    assert words("قال المتحدث") == ["قال", "المتحدث"]


def test_words_keep_hyphenated_names_and_contractions() -> None:
    assert words("Bashar al-Assad didn't visit the U.S. in 2016.") == [
        "Bashar",
        "al-Assad",
        "didn't",
        "visit",
        "the",
        "U.S",
        "in",
        "2016",
    ]


def test_sumy_tokenizer_contract() -> None:
    tokenizer = SumyTokenizer()
    assert tokenizer.language == "english"
    assert tokenizer.to_sentences("One here. Two there.") == ("One here.", "Two there.")
    assert tokenizer.to_words("Two there.") == ("Two", "there")
