"""Feeds the store polls: adding, listing, removing, and polling with ETag and back-off.

A feed that answers 304 costs one request and nothing else; one that fails waits longer after each
failure (``backoff_delay``) and records the error, so the scheduler can tell its channels once.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import OperationalError

from config import StorageSettings
from storage.documents import Document
from storage.fetch_pool import Limits, fetch_all
from storage.ledger import instance_name
from storage.models import ArticleRow, SourceRow
from storage.store import Store, as_utc
from storage.values import Feed, IngestResult

if TYPE_CHECKING:  # feedparser is imported only when a feed is read
    from storage.feeds import FeedResult


CLAIM_LEASE = timedelta(minutes=10)  # a claimed feed is another instance's to take after this
CLAIM_ATTEMPTS = 3
FEED_WORKERS = 8  # feeds a poll run reads at once
RENEW_EVERY = 60.0  # seconds between renewals of a claim while its pages are fetched


class FeedNotFound(LookupError):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class PollReport:
    feed: str
    new: int = 0
    duplicates: int = 0
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


def add_feed(store: Store, url: str, *, title: str | None = None) -> Feed:
    location = feed_location(url)
    with store.sessions.begin() as session:
        row = session.scalars(select(SourceRow).where(SourceRow.location == location)).first()
        if row is None:
            row = SourceRow(kind="feed", location=location, title=title, created_at=store.clock())
            session.add(row)
            session.flush()
        return _to_feed(row)


def find_feed(store: Store, ref: str) -> Feed:
    from storage.dedup import canonical_url

    with store.sessions() as session:
        query = select(SourceRow).where(SourceRow.kind == "feed")
        if ref.isdigit():
            query = query.where(SourceRow.id == int(ref))
        else:
            query = query.where(SourceRow.location == canonical_url(ref))
        row = session.scalars(query).first()
        if row is None:
            raise FeedNotFound(f"no feed {ref} (see: briefbot feeds list)")
        return _to_feed(row)


def remove_feed(store: Store, ref: str) -> Feed:
    """Stop polling a feed; the articles read from it stay in the store."""
    feed = find_feed(store, ref)
    with store.sessions.begin() as session:
        row = session.get(SourceRow, feed.id)
        if row is not None:
            session.delete(row)
    return feed


def list_feeds(store: Store) -> list[Feed]:
    with store.sessions() as session:
        counts = dict(
            session.execute(select(ArticleRow.source_id, func.count()).group_by(ArticleRow.source_id)).all()
        )
        rows = session.scalars(select(SourceRow).where(SourceRow.kind == "feed").order_by(SourceRow.id))
        return [_to_feed(row, counts.get(row.id, 0)) for row in rows]


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
    now = store.clock()
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
            .values(claimed_until=store.clock() + lease)
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
    from storage.feeds import FeedError, backoff_delay, poll_feed
    from storage.fetch import FetchError
    from storage.netguard import RefusedURL
    from storage.web import WebError, fetch_document

    now = store.clock()
    with store.sessions() as session:
        row = session.get(SourceRow, feed.id)
        etag, last_modified = (row.etag, row.last_modified) if row else (None, None)
    try:
        result = poll_feed(
            feed.url,
            etag=etag,
            last_modified=last_modified,
            timeout=settings.fetch_timeout,
            max_bytes=settings.max_bytes,
            allow=settings.allow_hosts,
        )
    except (FeedError, FetchError, RefusedURL, ValueError) as error:
        message = str(error).splitlines()[0][:1000]
        with store.sessions.begin() as session:
            row = session.get(SourceRow, feed.id)
            if row is not None:
                row.failures += 1
                row.last_error = message
                row.last_polled_at = store.clock()  # when it ended: a later run sees it as done
                row.next_poll_at = now + timedelta(seconds=backoff_delay(row.failures))
        return PollReport(feed=feed.url, error=message)

    documents: list[Document] = []
    if not result.not_modified:
        entries = list(result.entries)
        pages = fetch_all(
            [entry.url for entry in entries if entry.url],
            lambda url: fetch_document(url, settings),
            limits or Limits(settings.fetch_concurrency, settings.fetch_per_host),
        )
        fetched: dict[str, Document | Exception] = {}
        renewed = time.monotonic()
        for entry in entries:
            if entry.url:
                fetched[entry.url] = next(pages)
                if owner is not None and time.monotonic() - renewed > RENEW_EVERY:
                    renew_feed(store, feed.id, owner)  # a long poll keeps its claim
                    renewed = time.monotonic()
        for entry in entries:
            page = fetched.get(entry.url) if entry.url else None
            if isinstance(page, Document):
                documents.append(
                    Document(
                        location=entry.url or page.location,
                        text=page.text,
                        url=entry.url,
                        title=entry.title or page.title,
                        published_at=entry.published or page.published_at,
                        source=feed.url,
                    )
                )
            elif isinstance(page, Exception) and not isinstance(page, WebError):
                raise page
            elif entry.summary.strip():  # no page, or none to read: the entry's own summary
                documents.append(
                    Document(
                        location=entry.url or entry.guid or entry.title,
                        text=entry.summary,
                        url=entry.url,
                        title=entry.title,
                        published_at=entry.published,
                        source=feed.url,
                    )
                )
        if owner is not None:  # the pages took a while: the claim is renewed before storing them
            renew_feed(store, feed.id, owner)
    with storing or contextlib.nullcontext():
        results = store.ingest(documents, source_id=feed.id, progress=progress) if documents else []
    with store.sessions.begin() as session:
        row = session.get(SourceRow, feed.id)
        if row is not None:
            row.failures = 0
            row.last_error = None
            row.failure_notified = False
            row.last_polled_at = store.clock()  # when it ended: a poll run that began earlier skips it
            row.next_poll_at = now + timedelta(minutes=settings.feed_interval)
            if not result.not_modified:
                row.etag, row.last_modified = result.etag, result.last_modified
                row.title = result.title or row.title
    return PollReport(
        feed=feed.url,
        new=sum(r.created for r in results),
        duplicates=sum(r.duplicate_of is not None for r in results),
        not_modified=result.not_modified,
    )


def due_at(feed: Feed, now: datetime) -> bool:
    return feed.next_poll_at is None or feed.next_poll_at <= now


def claim_failure_notices(store: Store, threshold: int) -> list[tuple[Any, str]]:
    """(channel, notice) for each feed failing ``threshold`` times in a row and not yet announced.

    The feed is marked announced in the same transaction, so several instances announce it once; a
    success resets the mark (``poll_one``), so a later breakage is announced again.
    """
    from storage.channels import _to_channel
    from storage.models import ChannelRow, ChannelSourceRow

    out: list[tuple[Any, str]] = []
    with store.sessions.begin() as session:
        failing = session.scalars(
            select(SourceRow)
            .where(
                SourceRow.kind == "feed",
                SourceRow.failures >= threshold,
                SourceRow.failure_notified.is_(False),
            )
            .with_for_update(skip_locked=True)
        ).all()
        for feed in failing:
            followers = session.scalars(
                select(ChannelRow)
                .join(ChannelSourceRow, ChannelSourceRow.channel_id == ChannelRow.id)
                .where(ChannelSourceRow.source_id == feed.id)
            ).all()
            if not followers:  # channels that follow no feed in particular read every feed
                followers = session.scalars(
                    select(ChannelRow).where(
                        ChannelRow.subscribed.is_(True),
                        ~select(ChannelSourceRow)
                        .where(ChannelSourceRow.channel_id == ChannelRow.id)
                        .exists(),
                    )
                ).all()
            text = (
                f"The feed {feed.title or feed.location} has failed {feed.failures} times in a row "
                f"(last error: {feed.last_error}). Its articles are missing from digests until it recovers."
            )
            out.extend((_to_channel(channel), text) for channel in followers)
            feed.failure_notified = True
    return out
