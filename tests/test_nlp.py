from __future__ import annotations

import spacy

from summarizer import ModelNotInstalled
from summarizer.nlp import load_model, resolve_model


def test_only_the_entity_components_are_loaded_and_the_model_is_shared() -> None:
    nlp = load_model()
    assert nlp.pipe_names == ["tok2vec", "ner"]
    assert load_model() is nlp


def test_default_tokenizer_shortcut_tokenizes_like_the_packaged_tokenizer(sample_text: str) -> None:
    fast = load_model()
    full = spacy.load(
        resolve_model("en_core_web_sm"),
        exclude=["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"],
    )
    for text in (sample_text, "Don't U.S.-based firms' e-mails cost $3.5bn?! (Yes.) — “quoted” text…"):
        assert [t.text for t in fast(text)] == [t.text for t in full(text)]
        assert [(e.text, e.label_) for e in fast(text).ents] == [(e.text, e.label_) for e in full(text).ents]


def test_missing_model_says_how_to_fix_it() -> None:
    try:
        resolve_model("xx_not_a_model")
    except ModelNotInstalled as error:
        message = str(error)
    else:  # pragma: no cover
        raise AssertionError("a missing model must raise")
    assert "xx_not_a_model is not installed" in message
    assert "BRIEFBOT_SUMMARIZER_SPACY_MODEL" in message and "\n" not in message
