"""Pure text in, brief out: cleaning, sentences, extractive ranking, actors and figures.

No database, no network, no chat: everything here is a function of the text and the settings.
"""

from __future__ import annotations

from summarizer.brief import Actor, Brief, Figure
from summarizer.nlp import ModelNotInstalled
from summarizer.pipeline import BriefWriter, EmptyText, Summarizer
from summarizer.version import SUMMARIZER_VERSION

__all__ = [
    "SUMMARIZER_VERSION",
    "Actor",
    "Brief",
    "BriefWriter",
    "EmptyText", "Figure", "ModelNotInstalled", "Summarizer"]
