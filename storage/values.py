"""Values that leave the store: plain frozen dataclasses, no SQLAlchemy objects."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from summarizer import Brief

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

MAX_ID = 2**63 - 1  # the databases' integer range: a larger "id" is no row, not an error
NUL = "\x00"
Value = TypeVar("Value", bound="DataclassInstance")


def without_nuls(value: Value) -> Value:
    """``value`` (a dataclass) with the NUL characters gone from each of its texts: no one means one,
    and PostgreSQL refuses any text that holds one, where SQLite stores it. A command ("search \\x00")
    and a document (a PDF's metadata title can hold one) pass here as they come in."""
    changes: dict[str, Any] = {}
    for field in fields(value):
        text = getattr(value, field.name)
        if isinstance(text, str) and NUL in text:
            changes[field.name] = text.replace(NUL, "")
    return replace(value, **changes) if changes else value


@dataclass(frozen=True, slots=True, kw_only=True)
class Article:
    """A stored article as callers see it."""

    id: int
    title: str
    url: str | None
    source: str | None
    published_at: datetime | None
    fetched_at: datetime
    story_id: int | None = None
    words: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredBrief:
    article: Article
    brief: Brief
    same_story: tuple[Article, ...] = ()  # other outlets' articles grouped with it, newest first


@dataclass(frozen=True, slots=True, kw_only=True)
class IngestResult:
    """What happened to one input: a new article, a duplicate of a stored one, or an error line."""

    location: str
    article: Article | None = None
    duplicate_of: int | None = None
    story_size: int = 1
    error: str | None = None

    @property
    def created(self) -> bool:
        return self.article is not None and self.duplicate_of is None and self.error is None


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchHit:
    article: Article
    snippet: str
    score: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Citation:
    """One sentence that answers a question, and where it was read."""

    sentence: str
    article_id: int
    title: str
    url: str | None
    score: float
    answer: tuple[int, int] | None = None  # where in the sentence the part that answers stands
    context: str | None = None  # the sentence before, when this one names its subject only there


@dataclass(frozen=True, slots=True, kw_only=True)
class Answer:
    question: str
    citations: tuple[Citation, ...]
    confidence: float = 0.0  # how likely the first citation answers (the refusal model's estimate)
    # Answered, but with the confidence of the least sure tenth of answers to questions that have
    # one: the asker is told so, since such answers are wrong more often than not.
    hedged: bool = False

    @property
    def found(self) -> bool:
        return bool(self.citations)


@dataclass(frozen=True, slots=True, kw_only=True)
class Feed:
    id: int
    url: str
    title: str | None
    failures: int
    last_error: str | None
    last_polled_at: datetime | None
    next_poll_at: datetime | None
    articles: int = 0


def is_id(text: str) -> bool:
    """Whether ``text`` is typed as a row id ("42", "#42"), in range or not: ``parse_id`` says which."""
    return text.strip().removeprefix("#").isdigit()


def is_url(text: str) -> bool:
    """Whether ``text`` is typed as a web address to fetch."""
    return text.strip().startswith(("http://", "https://"))


def parse_id(text: str) -> int | None:
    """A row id as someone types it ("42", "#42"), or None: ASCII digits only ("²" is a digit to
    ``str.isdigit`` and no number to ``int``), and within the databases' integer range."""
    digits = text.strip().removeprefix("#")
    if not digits or not digits.isascii() or not digits.isdigit():
        return None
    value = int(digits)
    return value if value <= MAX_ID else None


@dataclass(frozen=True, slots=True, kw_only=True)
class DigestStory:
    """One story of a digest: its best member's title and first sentences, and how many outlets told it."""

    title: str
    url: str | None
    summary: tuple[str, ...]
    sources: int
    article_ids: tuple[int, ...]
    latest: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class DigestFigure:
    text: str
    sentence: str
    story: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Digest:
    """One channel's digest for one local day."""

    channel: int
    day: date
    timezone: str
    stories: tuple[DigestStory, ...]
    actors: tuple[str, ...]
    figures: tuple[DigestFigure, ...]
    article_ids: tuple[int, ...]  # every article this digest accounts for, shown or folded in
    more_stories: int = 0

    @property
    def empty(self) -> bool:
        return not self.article_ids
