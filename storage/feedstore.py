"""Feeds the store polls: adding, listing, removing, and polling with ETag and back-off.

A feed that answers 304 costs one request and nothing else; one that fails waits longer after each
failure (``backoff_delay``) and records the error, so the scheduler can tell its channels once.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import OperationalError

from config import StorageSettings
from storage.channels import left_without_feeds
from storage.documents import Document
from storage.feed_entries import distinct, entry_key, newest, nothing_read, record_seen, seen_before
from storage.fetch_pool import Limits, fetch_all
from storage.ledger import instance_name
from storage.models import ArticleRow, ChannelSourceRow, SourceRow
from storage.notices import queue_no_feeds
from storage.store import Store, as_utc
from storage.values import Feed, IngestResult, parse_id

if TYPE_CHECKING:  # feedparser is imported only when a feed is read
    from storage.feeds import FeedEntry, FeedResult


CLAIM_LEASE = timedelta(minutes=10)  # a claimed feed is another instance's to take after this
CLAIM_ATTEMPTS = 3
FEED_WORKERS = 8  # feeds a poll run reads at once
RENEW_EVERY = 60.0  # seconds between renewals of a claim while its pages are fetched


class FeedNotFound(LookupError):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class PollReport:
    """One feed's poll: ``new`` articles stored; ``duplicates``, entries whose article was already
    stored; ``skipped``, entries taken as seen without an article (a new feed's backlog, a page
    refused for good); ``retry``, pages that failed for now, fetched again at the next poll."""

    feed: str
    new: int = 0
    duplicates: int = 0
    skipped: int = 0
    retry: int = 0
    not_modified: bool = False
    error: str | None = None


def _to_feed(row: SourceRow, articles: int = 0) -> Feed:
    return Feed(
        id=row.id,
        url=row.location,
        title=row.title,
        failures=row.failures,
        last_error=row.last_error,
        last_polled_at=as_utc(row.last_polled_at),
        next_poll_at=as_utc(row.next_poll_at),
        articles=articles,
    )


def feed_location(url: str) -> str:
    """The feed's canonical URL, or ``ValueError`` (one line) when it cannot be a feed's."""
    from storage.dedup import canonical_url

    location = canonical_url(url)
    if not location.startswith(("http://", "https://")):
        raise ValueError(f"{url}: a feed is an http or https URL")
    return location


def check_feed(url: str, settings: StorageSettings) -> FeedResult:
    """Read the feed once, without storing anything: what a chat user adding it is told about.

    Raises ``ValueError`` (``FeedError`` among them), ``FetchError`` or ``RefusedURL``, one line each.
    """
    from storage.feeds import poll_feed

    return poll_feed(
        feed_location(url),
        timeout=settings.fetch_timeout,
        max_bytes=settings.max_bytes,
        allow=settings.allow_hosts,
    )


def add_feed(store: Store, url: str, *, title: str | None = None, origin: str = "store") -> Feed:
    """The feed at ``url``, added if new. ``origin`` ``chat``: a channel added it, and it is polled
    while some channel follows it; ``store`` (``briefbot feeds add``): polled until removed, and a
    feed a channel added becomes the store's once added so."""
    location = feed_location(url)
    with store.sessions.begin() as session:
        row = session.scalars(select(SourceRow).where(SourceRow.location == location)).first()
        if row is None:
            row = SourceRow(
                kind="feed", location=location, title=title, created_at=store.clock(), origin=origin
            )
            session.add(row)
            session.flush()
        elif origin == "store":
            row.origin = "store"
        return _to_feed(row)


def find_feed(store: Store, ref: str) -> Feed:
    from storage.dedup import canonical_url

    with store.sessions() as session:
        query = select(SourceRow).where(SourceRow.kind == "feed")
        if ref.isdigit():
            query = query.where(SourceRow.id == (parse_id(ref) or 0))  # 0: no row, for "²" or 10**30
        else:
            try:
                query = query.where(SourceRow.location == canonical_url(ref))
            except ValueError:  # an unclosed IPv6 address, a port out of range: no feed's URL
                raise FeedNotFound(f"no feed {ref} (see: briefbot feeds list)") from None
        row = session.scalars(query).first()
        if row is None:
            raise FeedNotFound(f"no feed {ref} (see: briefbot feeds list)")
        return _to_feed(row)


def remove_feed(store: Store, ref: str) -> Feed:
    """Stop polling a feed; the articles read from it stay in the store. A channel left following
    no feed is told so, once, in the channel (a queued notice), rather than silently receiving
    everything or nothing."""

    feed = find_feed(store, ref)
    with store.sessions.begin() as session:
        row = session.get(SourceRow, feed.id)
        if row is not None:
            followers = session.scalars(
                select(ChannelSourceRow.channel_id).where(ChannelSourceRow.source_id == feed.id)
            ).all()
            session.delete(row)
            session.flush()
            queue_no_feeds(session, left_without_feeds(session, followers), store)
    return feed


def list_feeds(store: Store) -> list[Feed]:
    with store.sessions() as session:
        counts = dict(
            session.execute(select(ArticleRow.source_id, func.count()).group_by(ArticleRow.source_id)).all()
        )
        rows = session.scalars(select(SourceRow).where(SourceRow.kind == "feed").order_by(SourceRow.id))
        return [_to_feed(row, counts.get(row.id, 0)) for row in rows]


def followed(store: Store, channel_id: int) -> list[Feed]:
    """The feeds a channel's digest follows (``sources list``), in the order they were added."""
    with store.sessions() as session:
        rows = session.scalars(
            select(SourceRow)
            .join(ChannelSourceRow, ChannelSourceRow.source_id == SourceRow.id)
            .where(ChannelSourceRow.channel_id == channel_id)
            .order_by(SourceRow.id)
        )
        return [_to_feed(r) for r in rows]


def poll_feeds(
    store: Store,
    settings: StorageSettings,
    *,
    due_only: bool = False,
    progress: Callable[[IngestResult], None] | None = None,
    owner: str | None = None,
    stop: threading.Event | None = None,
) -> list[PollReport]:
    return list(polls(store, settings, due_only=due_only, progress=progress, owner=owner, stop=stop))


def polls(
    store: Store,
    settings: StorageSettings,
    *,
    due_only: bool = False,
    progress: Callable[[IngestResult], None] | None = None,
    owner: str | None = None,
    stop: threading.Event | None = None,
) -> Iterator[PollReport]:
    """Poll the feeds (``due_only``: those due), one claimed at a time, each report as it is done.

    Each feed is claimed in the database before it is polled, so instances sharing it (and a cron
    job's ``briefbot feeds poll`` beside a running bot) split the feeds and never poll one together;
    a feed claimed by a poller that died is taken over once its lease runs out. Once ``stop`` is
    set (the bot is shutting down), no further feed is claimed; the feeds being read are finished.
    """
    owner = owner or instance_name()
    started = store.clock()  # a feed another instance polled since then is not polled again
    limits = Limits(settings.fetch_concurrency, settings.fetch_per_host)
    storing = threading.Lock()  # one feed's articles stored (and briefed) at a time
    reports: queue.Queue[PollReport | BaseException | None] = queue.Queue()
    done: set[int] = set()
    done_lock = threading.Lock()

    def worker() -> None:
        try:
            while True:
                if stop is not None and stop.is_set():
                    return
                with done_lock:
                    feed = claim_feed(store, owner, due_only=due_only, polled_before=started, exclude=done)
                    if feed is None:
                        return
                    done.add(feed.id)
                try:
                    reports.put(
                        poll_one(
                            store,
                            settings,
                            feed,
                            owner=owner,
                            progress=progress,
                            limits=limits,
                            storing=storing,
                        )
                    )
                finally:
                    release_feed(store, feed.id, owner)
        except BaseException as error:  # raised in the caller's thread, not lost in this one
            reports.put(error)
        finally:
            reports.put(None)

    # Several feeds are read at once, so one feed's slow pages do not hold up the others' (and the
    # fetch limits are shared); storing and briefing stay one feed at a time, batched.
    workers = [threading.Thread(target=worker, name=f"poll-{i}", daemon=True) for i in range(FEED_WORKERS)]
    for thread in workers:
        thread.start()
    finished = 0
    while finished < len(workers):
        item = reports.get()
        if item is None:
            finished += 1
        elif isinstance(item, BaseException):
            raise item
        else:
            yield item


def claim_feed(
    store: Store,
    owner: str,
    *,
    due_only: bool = False,
    polled_before: datetime | None = None,
    exclude: Collection[int] = (),
    lease: timedelta = CLAIM_LEASE,
) -> Feed | None:
    """Claim the feed that has waited longest (due ones only, with ``due_only``; only those last
    polled before ``polled_before``, when given), or None.

    One statement: on PostgreSQL the candidate row is locked (``FOR UPDATE SKIP LOCKED``), so
    instances claiming together take different feeds; SQLite runs one writer at a time, and the
    claim's own condition, checked again by the UPDATE, settles a race between processes."""
    now = store.lease_clock()  # leases by the database clock: instances agree on when one ends
    free = or_(SourceRow.claimed_until.is_(None), SourceRow.claimed_until <= now)
    candidate = select(SourceRow.id).where(SourceRow.kind == "feed", free)
    if due_only:
        candidate = candidate.where(or_(SourceRow.next_poll_at.is_(None), SourceRow.next_poll_at <= now))
    if polled_before is not None:
        candidate = candidate.where(
            or_(SourceRow.last_polled_at.is_(None), SourceRow.last_polled_at < polled_before)
        )
    if exclude:
        candidate = candidate.where(SourceRow.id.not_in(list(exclude)))
    candidate = (
        candidate.order_by(SourceRow.next_poll_at.is_not(None), SourceRow.next_poll_at, SourceRow.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    for attempt in range(CLAIM_ATTEMPTS):
        try:
            with store.sessions.begin() as session:
                claimed = session.scalar(
                    update(SourceRow)
                    .where(SourceRow.id == candidate.scalar_subquery(), free)
                    .values(claimed_by=owner, claimed_until=now + lease)
                    .returning(SourceRow.id)
                    .execution_options(synchronize_session=False)
                )
                if claimed is None:
                    return None
                row = session.get(SourceRow, claimed)
                return _to_feed(row) if row is not None else None
        except OperationalError:  # SQLite: another process wrote between our read and our write
            if attempt == CLAIM_ATTEMPTS - 1:
                raise
    return None


def renew_feed(store: Store, feed_id: int, owner: str, lease: timedelta = CLAIM_LEASE) -> bool:
    """Extend this owner's claim; False when it was lost (its lease ran out and another took it)."""
    with store.sessions.begin() as session:
        result = session.execute(
            update(SourceRow)
            .where(SourceRow.id == feed_id, SourceRow.claimed_by == owner)
            .values(claimed_until=store.lease_clock() + lease)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def release_feed(store: Store, feed_id: int, owner: str) -> None:
    """Give the feed back (only if this owner still holds it: a lease that ran out is someone else's)."""
    with store.sessions.begin() as session:
        session.execute(
            update(SourceRow)
            .where(SourceRow.id == feed_id, SourceRow.claimed_by == owner)
            .values(claimed_by=None, claimed_until=None)
            .execution_options(synchronize_session=False)
        )


def poll_one(
    store: Store,
    settings: StorageSettings,
    feed: Feed,
    *,
    owner: str | None = None,
    progress: Callable[[IngestResult], None] | None = None,
    limits: Limits | None = None,
    storing: threading.Lock | None = None,
) -> PollReport:
    """Poll one feed: fetch the pages of its entries not seen before, store them, record them as seen.

    A new feed's first poll takes only its ``settings.first_poll_entries`` newest entries and records
    the rest as seen without fetching them, so following a feed does not flood the next digest."""
    from storage.feeds import FeedError, poll_feed
    from storage.fetch import FetchError
    from storage.netguard import RefusedURL

    now = store.clock()
    state = _feed_state(store, feed.id)
    try:
        result = poll_feed(
            feed.url,
            etag=state.etag,
            last_modified=state.last_modified,
            timeout=settings.fetch_timeout,
            max_bytes=settings.max_bytes,
            allow=settings.allow_hosts,
        )
    except (FeedError, FetchError, RefusedURL, ValueError) as error:
        return _poll_failed(store, feed, now, error)
    reading = _Reading()
    if not result.not_modified:
        limits = limits or Limits(settings.fetch_concurrency, settings.fetch_per_host)
        reading = _read_entries(
            store, settings, feed, result.entries, first=state.first, owner=owner, limits=limits
        )
    documents = [document for _, document in reading.documents]
    with storing or contextlib.nullcontext():
        results = store.ingest(documents, source_id=feed.id, progress=progress) if documents else []
    seen = {**reading.seen, **_stored_entries(reading.documents, results)}
    _poll_succeeded(store, feed, now, settings, result, seen)
    return PollReport(
        feed=feed.url,
        new=sum(r.created for r in results),
        duplicates=reading.stored + sum(r.duplicate_of is not None for r in results),
        skipped=reading.skipped,
        retry=reading.retry,
        not_modified=result.not_modified,
    )


@dataclass(frozen=True, slots=True)
class _FeedState:
    etag: str | None
    last_modified: str | None
    first: bool  # nothing of the feed read yet: this poll takes only its newest entries


def _feed_state(store: Store, feed_id: int) -> _FeedState:
    """The validators of the last poll, and whether this poll is the feed's first: one query."""
    with store.sessions() as session:
        row = session.execute(
            select(SourceRow.etag, SourceRow.last_modified, nothing_read(feed_id)).where(
                SourceRow.id == feed_id
            )
        ).first()
    return _FeedState(row[0], row[1], bool(row[2])) if row else _FeedState(None, None, False)


@dataclass(frozen=True, slots=True)
class _Reading:
    """A changed feed's entries before storing: the documents to store, each with its entry's key; the
    entries to record as seen without storing anything; and what the report counts."""

    documents: tuple[tuple[str | None, Document], ...] = ()
    seen: Mapping[str, int | None] = field(default_factory=dict)
    stored: int = 0  # seen before, their article stored
    skipped: int = 0  # seen before without an article (refused), or a new feed's backlog
    retry: int = 0  # pages that failed for now: the next poll tries them again


def _read_entries(
    store: Store,
    settings: StorageSettings,
    feed: Feed,
    entries: Sequence[FeedEntry],
    *,
    first: bool,
    owner: str | None,
    limits: Limits,
) -> _Reading:
    """Fetch the pages of the entries not seen before (of a new feed, only of its newest), and say
    which entries to record as seen without storing: a new feed's backlog, refused pages, and
    entries found by their link among the stored articles."""
    entries = distinct(entries)
    with store.sessions() as session:
        known = seen_before(session, feed.id, entries)
    backlog: list[FeedEntry] = []
    if first:
        entries, backlog = newest(entries, settings.first_poll_entries)
    fresh = [entry for entry in entries if entry_key(entry) not in known]
    pages = _fetch_pages(store, settings, feed, fresh, owner=owner, limits=limits)
    documents, refused, retry = _documents(feed, fresh, pages)
    taken = [known[key] for key in _keys(entries) if key in known]
    return _Reading(
        documents=tuple(documents),
        seen={
            **{key: seen.article_id for key, seen in known.items() if not seen.recorded},
            **{key: None for key in _keys(backlog) if key not in known},
            **refused,
        },
        stored=sum(seen.article_id is not None for seen in taken),
        skipped=sum(seen.article_id is None for seen in taken) + len(backlog),
        retry=retry,
    )


def _keys(entries: Iterable[FeedEntry]) -> list[str]:
    return [key for entry in entries if (key := entry_key(entry)) is not None]


def _fetch_pages(
    store: Store,
    settings: StorageSettings,
    feed: Feed,
    entries: Sequence[FeedEntry],
    *,
    owner: str | None,
    limits: Limits,
) -> dict[str, Document | Exception]:
    """The entries' pages, fetched side by side within ``limits``, by URL; the claim is renewed while
    they come, and once more at the end, before they are stored."""
    from storage.web import fetch_document

    urls = list(dict.fromkeys(entry.url for entry in entries if entry.url))
    pages = fetch_all(urls, lambda url: fetch_document(url, settings), limits)
    fetched: dict[str, Document | Exception] = {}
    renewed = time.monotonic()
    for url in urls:
        fetched[url] = next(pages)
        if owner is not None and time.monotonic() - renewed > RENEW_EVERY:
            renew_feed(store, feed.id, owner)  # a long poll keeps its claim
            renewed = time.monotonic()
    if owner is not None and urls:
        renew_feed(store, feed.id, owner)
    return fetched


def _documents(
    feed: Feed, entries: Sequence[FeedEntry], pages: Mapping[str, Document | Exception]
) -> tuple[list[tuple[str | None, Document]], dict[str, int | None], int]:
    """(documents to store with their entries' keys, entries refused for good, pages to retry).

    A page refused for good (not an article, too big, gone) leaves the entry's own summary, if any;
    one that failed for now leaves nothing, so the entry is not taken as seen and is fetched again."""
    from storage.web import WebError

    documents: list[tuple[str | None, Document]] = []
    refused: dict[str, int | None] = {}
    retry = 0
    for entry in entries:
        page = pages.get(entry.url) if entry.url else None
        if isinstance(page, Exception) and not isinstance(page, WebError):
            raise page
        if isinstance(page, WebError) and not page.permanent:
            retry += 1
            continue
        document = _document(feed, entry, page)
        key = entry_key(entry)
        if document is not None:
            documents.append((key, document))
        elif key is not None:
            refused[key] = None
    return documents, refused, retry


def _document(feed: Feed, entry: FeedEntry, page: Document | Exception | None) -> Document | None:
    """The entry's article: its page's text, else (no page, or none to read) the entry's summary."""
    if isinstance(page, Document):
        return Document(
            location=entry.url or page.location,
            text=page.text,
            url=entry.url,
            title=entry.title or page.title,
            published_at=entry.published or page.published_at,
            source=feed.url,
        )
    if not entry.summary.strip():
        return None
    return Document(
        location=entry.url or entry.guid or entry.title,
        text=entry.summary,
        url=entry.url,
        title=entry.title,
        published_at=entry.published,
        source=feed.url,
    )


def _stored_entries(
    documents: Sequence[tuple[str | None, Document]], results: Sequence[IngestResult]
) -> dict[str, int | None]:
    """Entry key: the article stored (or found) for it, or None when its text was no article."""
    by_location = {result.location: result for result in results}
    seen: dict[str, int | None] = {}
    for key, document in documents:
        result = by_location.get(document.location)
        if key is not None and result is not None:
            seen[key] = result.article.id if result.article is not None else None
    return seen


def _poll_failed(store: Store, feed: Feed, now: datetime, error: Exception) -> PollReport:
    """Record a failed poll: the feed backs off, and its failures count towards the channels' notice."""
    from storage.feeds import backoff_delay

    message = str(error).splitlines()[0][:1000]
    with store.sessions.begin() as session:
        row = session.get(SourceRow, feed.id)
        if row is not None:
            row.failures += 1
            row.last_error = message
            row.last_polled_at = store.clock()  # when it ended: a later run sees it as done
            row.next_poll_at = now + timedelta(seconds=backoff_delay(row.failures))
    return PollReport(feed=feed.url, error=message)


def _poll_succeeded(
    store: Store,
    feed: Feed,
    now: datetime,
    settings: StorageSettings,
    result: FeedResult,
    seen: Mapping[str, int | None],
) -> None:
    """Record a poll that read the feed, and the entries it saw, in one transaction."""
    with store.sessions.begin() as session:
        row = session.get(SourceRow, feed.id)
        if row is None:
            return  # removed while it was polled: its entries went with it
        record_seen(session, feed.id, seen, store.clock())
        row.failures = 0
        row.last_error = None
        row.failure_notified = False
        row.last_polled_at = store.clock()  # when it ended: a poll run that began earlier skips it
        row.next_poll_at = now + timedelta(minutes=settings.feed_interval)
        if not result.not_modified:
            row.etag, row.last_modified = result.etag, result.last_modified
            row.title = result.title or row.title


def due_at(feed: Feed, now: datetime) -> bool:
    return feed.next_poll_at is None or feed.next_poll_at <= now
