"""The values a brief is made of. They travel to storage and chat, so they are small and frozen."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ACTOR_KINDS = ("person", "organization", "place", "group")
FIGURE_KINDS = ("count", "money", "percent", "quantity", "date", "ordinal")


@dataclass(frozen=True, slots=True, kw_only=True)
class Actor:
    """One real-world actor, however many names the text gives it."""

    name: str
    kind: str
    mentions: int
    sentences: tuple[int, ...]
    aliases: tuple[str, ...] = ()
    salience: float = 0.0
    # What the kind rests on: "cue" (the text says so), "gazetteer", or "model" (the model's guess
    # alone). Only a bare guess gives way to the kind the same name has in other stored articles.
    kind_evidence: str = "model"


@dataclass(frozen=True, slots=True, kw_only=True)
class Figure:
    """A number with what it counts, tied to the sentence it came from."""

    text: str
    value: float | None
    unit: str
    kind: str
    sentence: int
    sentence_text: str = ""
    score: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Brief:
    """What a busy reader needs of one article."""

    title: str
    summary: tuple[str, ...]
    summary_index: tuple[int, ...] = ()
    actors: tuple[Actor, ...] = ()
    figures: tuple[Figure, ...] = ()
    sentence_count: int = 0
    algorithm: str = "news"
    version: str = field(default="")

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract: title, summary (article order), actors and figures (most important first)."""
        return {
            "title": self.title,
            "summary": list(self.summary),
            "summary_index": list(self.summary_index),
            "actors": [
                {
                    "name": a.name,
                    "kind": a.kind,
                    "mentions": a.mentions,
                    "aliases": list(a.aliases),
                    "sentences": list(a.sentences),
                    "salience": round(a.salience, 4),
                    "kind_evidence": a.kind_evidence,
                }
                for a in self.actors
            ],
            "figures": [
                {
                    "text": f.text,
                    "value": f.value,
                    "unit": f.unit,
                    "kind": f.kind,
                    "sentence": f.sentence,
                    "sentence_text": f.sentence_text,
                }
                for f in self.figures
            ],
            "sentence_count": self.sentence_count,
            "algorithm": self.algorithm,
            "version": self.version,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Brief:
        """Rebuild a brief stored as JSON (the inverse of :meth:`to_dict`)."""
        return cls(
            title=data["title"],
            summary=tuple(data["summary"]),
            summary_index=tuple(data.get("summary_index", ())),
            actors=tuple(
                Actor(
                    name=a["name"],
                    kind=a["kind"],
                    mentions=a["mentions"],
                    aliases=tuple(a.get("aliases", ())),
                    sentences=tuple(a.get("sentences", ())),
                    salience=a.get("salience", 0.0),
                    kind_evidence=a.get("kind_evidence", "model"),
                )
                for a in data.get("actors", ())
            ),
            figures=tuple(
                Figure(
                    text=f["text"],
                    value=f.get("value"),
                    unit=f.get("unit", ""),
                    kind=f.get("kind", "count"),
                    sentence=f.get("sentence", 0),
                    sentence_text=f.get("sentence_text", ""),
                )
                for f in data.get("figures", ())
            ),
            sentence_count=data.get("sentence_count", 0),
            algorithm=data.get("algorithm", "news"),
            version=data.get("version", ""),
        )
