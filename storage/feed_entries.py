"""A feed's entries already seen, so that a poll fetches only the pages of the others.

An entry is known by its GUID, else its link (``entry_key``). ``feed_entries`` records it once its
article is stored (or found to repeat a stored one) or its page is refused for good (not an article,
too big, gone); an entry whose page failed for now (a timeout, a 5xx) is not recorded, so the next
poll tries it again. An entry whose link is a stored article's URL counts as seen too, whichever feed
brought the article: a store older than the table, or another feed listing the same page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, CompoundSelect, exists, insert, literal_column, select, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.dedup import canonical_url
from storage.models import ArticleRow, FeedEntryRow

if TYPE_CHECKING:  # feedparser is imported only when a feed is read
    from storage.feeds import FeedEntry

MAX_KEY = 2048  # the length of feed_entries.key
# Entries looked up by one query: a feed of any size met in practice is one query, and 2 x 5,000
# bound parameters stay far below SQLite's and PostgreSQL's limits.
LOOKUP_BATCH = 5000


@dataclass(frozen=True, slots=True)
class Seen:
    """An entry seen before: the article stored for it (None: refused, or part of a new feed's backlog),
    and whether ``feed_entries`` holds it (False: it was found by its link among the articles)."""

    article_id: int | None
    recorded: bool


def entry_key(entry: FeedEntry) -> str | None:
    """What identifies the entry across polls: its GUID, else its link; None when it has neither."""
    key = entry.guid or entry.url
    return key[:MAX_KEY] if key else None


def distinct(entries: Sequence[FeedEntry]) -> list[FeedEntry]:
    """The entries without repeats of a key (a feed listing one item twice); keyless ones all stay."""
    keys: set[str] = set()
    kept = []
    for entry in entries:
        key = entry_key(entry)
        if key is not None and key in keys:
            continue
        if key is not None:
            keys.add(key)
        kept.append(entry)
    return kept


def newest(entries: Sequence[FeedEntry], count: int) -> tuple[list[FeedEntry], list[FeedEntry]]:
    """(the ``count`` newest entries, the others), each in feed order: newest by publication date where
    the feed gives one, else by the feed's own order (feeds list their newest first)."""
    order = sorted(range(len(entries)), key=lambda i: _age(entries[i], i))
    taken = set(order[:count])
    return (
        [entry for i, entry in enumerate(entries) if i in taken],
        [entry for i, entry in enumerate(entries) if i not in taken],
    )


def _age(entry: FeedEntry, position: int) -> tuple[bool, float, int]:
    published = entry.published
    return (published is None, -published.timestamp() if published else 0.0, position)


def nothing_read(source_id: int) -> ColumnElement[bool]:
    """True while none of the feed's entries was seen and none of its articles stored: its next poll
    is its first (one that failed does not count), which takes only the newest entries."""
    return ~exists().where(FeedEntryRow.source_id == source_id) & ~exists().where(
        ArticleRow.source_id == source_id
    )


def seen_before(session: Session, source_id: int, entries: Sequence[FeedEntry]) -> dict[str, Seen]:
    """The entries seen before, by key: recorded for this feed, or linking to a stored article.

    One query for the whole feed (one per ``LOOKUP_BATCH`` entries), not one per entry."""
    keyed = {key: entry for entry in entries if (key := entry_key(entry)) is not None}
    keys = list(keyed)
    found: dict[str, Seen] = {}
    for start in range(0, len(keys), LOOKUP_BATCH):
        batch = keys[start : start + LOOKUP_BATCH]
        by_url: dict[str, list[str]] = {}
        for key in batch:
            url = keyed[key].url
            if url:
                by_url.setdefault(canonical_url(url), []).append(key)
        rows = session.execute(_lookup(source_id, batch, list(by_url))).all()
        for origin, value, article_id in sorted(rows, key=lambda row: row[0] != "entry"):
            if origin == "entry":
                found[value] = Seen(article_id, recorded=True)
                continue
            for key in by_url.get(value, ()):
                earlier = found.get(key)
                if earlier is None or earlier.article_id is None:
                    found[key] = Seen(article_id, recorded=earlier is not None and earlier.recorded)
    return found


def _lookup(source_id: int, keys: list[str], urls: list[str]) -> CompoundSelect[Any]:
    """(origin, key or URL, article id): the feed's recorded entries among ``keys``, then the articles
    stored under one of ``urls``."""
    return union_all(
        select(
            literal_column("'entry'").label("origin"),
            FeedEntryRow.key.label("value"),
            FeedEntryRow.article_id,
        ).where(FeedEntryRow.source_id == source_id, FeedEntryRow.key.in_(keys)),
        select(literal_column("'url'"), ArticleRow.url, ArticleRow.id).where(ArticleRow.url.in_(urls)),
    )


def record_seen(session: Session, source_id: int, seen: Mapping[str, int | None], now: datetime) -> None:
    """Record entries (key: article id or None) as seen; a key already recorded is left as it is (a
    poller whose lease ran out may have written it)."""
    if not seen:
        return
    rows = [
        {"source_id": source_id, "key": key, "article_id": article_id, "seen_at": now}
        for key, article_id in seen.items()
    ]
    session.execute(_insert_new(session.get_bind().dialect.name), rows)


def _insert_new(dialect: str) -> Any:
    if dialect == "postgresql":
        return postgresql.insert(FeedEntryRow).on_conflict_do_nothing(index_elements=["source_id", "key"])
    if dialect == "sqlite":
        return sqlite.insert(FeedEntryRow).on_conflict_do_nothing(index_elements=["source_id", "key"])
    return insert(FeedEntryRow)
