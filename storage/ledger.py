"""The delivery ledger: a row per (channel, topic, date) for every message that must go out once:
a channel's daily digest (topic ``digest``) and its notices (``feed-failing:<feed id>``, ...).

A row is claimed before posting, its progress recorded part by part (a digest may be several
messages), and marked sent with the articles it carried, in one transaction. The claim is a lease:
its holder renews it while it posts, and anyone may take over a claim not renewed for ``lease``,
judged by the database's clock (``Store.lease_clock``), so instances whose clocks differ agree.
Whoever takes it over continues from the first part not yet posted, composing the same digest (its
article ids are recorded with the first claim). A holder that finds its claim lost stops posting.

What can still repeat, and nothing else (the README lists them too):

- the part being posted when its poster died, or when the database went away for longer than
  ``mark_sent`` retries: the platform accepted it, the ledger could not record it, and the next
  holder posts that one part again after the lease;
- a part whose post the platform accepted but whose answer never came back (a timeout): the poster
  cannot tell it from a failure and posts it again.

The claim is a compare-and-set done with plain INSERT and conditional UPDATE, so it behaves the
same on SQLite (one writer at a time) and PostgreSQL (several instances).
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from storage.channels import record_delivered
from storage.models import DeliveryRow
from storage.store import Store, as_utc

log = logging.getLogger(__name__)

DEFAULT_LEASE = timedelta(minutes=10)
DIGEST = "digest"
MARK_ATTEMPTS = 6  # mark_sent's tries when the database fails: 1+2+4+8+16 s of pauses between them
CLAIMABLE = ("failed", "pending")  # given back, or queued by enqueue(): anyone may take it at once


@dataclass(frozen=True, slots=True, kw_only=True)
class Claim:
    delivery_id: int
    channel_id: int
    digest_date: date
    owner: str
    attempt: int
    topic: str = DIGEST
    parts_sent: int = 0  # messages of it already posted, by this holder or an earlier one
    article_ids: tuple[int, ...] | None = None  # what the digest was composed of, once recorded
    thread: str | None = None  # a threaded digest's posted parent message, its other parts' thread

    def __str__(self) -> str:
        return f"{self.topic} for channel {self.channel_id} on {self.digest_date}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Delivery:
    channel_id: int
    digest_date: date
    status: str
    claimed_by: str | None
    claimed_at: datetime | None
    sent_at: datetime | None
    attempts: int
    articles: int
    error: str | None
    topic: str = DIGEST
    parts_sent: int = 0
    thread: str | None = None


def instance_name() -> str:
    """Who holds a claim: host and process, so a human reading the ledger knows which bot it was."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _to_claim(row: DeliveryRow) -> Claim:
    return Claim(
        delivery_id=row.id,
        channel_id=row.channel_id,
        digest_date=row.digest_date,
        owner=row.claimed_by or "",
        attempt=row.attempts,
        topic=row.topic,
        parts_sent=row.parts_sent or 0,
        article_ids=tuple(row.article_ids) if row.article_ids is not None else None,
        thread=row.thread_ref,
    )


def claim(
    store: Store,
    channel_id: int,
    digest_date: date,
    *,
    owner: str,
    topic: str = DIGEST,
    now: datetime | None = None,
    lease: timedelta = DEFAULT_LEASE,
) -> Claim | None:
    """Take the right to post this message, or None when it is sent or someone else holds it.

    ``now`` is for tests; otherwise the lease is judged by the database's clock."""
    now = now or store.lease_clock()
    try:
        with store.sessions.begin() as session:
            row = DeliveryRow(
                channel_id=channel_id,
                topic=topic,
                digest_date=digest_date,
                status="claimed",
                claimed_by=owner,
                claimed_at=now,
                attempts=1,
                parts_sent=0,
            )
            session.add(row)
            session.flush()
            return _to_claim(row)
    except IntegrityError:
        pass  # the row exists: take it over only if it is queued, failed, or its claim expired
    stale = now - lease
    with store.sessions.begin() as session:
        key = and_(
            DeliveryRow.channel_id == channel_id,
            DeliveryRow.topic == topic,
            DeliveryRow.digest_date == digest_date,
        )
        result = session.execute(
            update(DeliveryRow)
            .where(key, _claimable(stale))
            .values(status="claimed", claimed_by=owner, claimed_at=now, attempts=DeliveryRow.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return None
        return _to_claim(session.scalars(select(DeliveryRow).where(key)).one())


def _claimable(stale: datetime) -> ColumnElement[bool]:
    return or_(
        DeliveryRow.status.in_(CLAIMABLE),
        and_(DeliveryRow.status == "claimed", DeliveryRow.claimed_at <= stale),
    )


def _held(held: Claim) -> ColumnElement[bool]:
    return and_(
        DeliveryRow.id == held.delivery_id,
        DeliveryRow.claimed_by == held.owner,
        DeliveryRow.status == "claimed",
    )


def _update_held(store: Store, held: Claim, **values: object) -> bool:
    """Change the held row (renewing the lease with it); False when the claim is no longer ours."""
    with store.sessions.begin() as session:
        result = session.execute(
            update(DeliveryRow)
            .where(_held(held))
            .values(claimed_at=store.lease_clock(), **values)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def renew(store: Store, held: Claim) -> bool:
    """Extend the lease while posting (a slow platform, 429 waits); False when the claim was lost."""
    return _update_held(store, held)


def record_plan(store: Store, held: Claim, article_ids: Sequence[int]) -> Claim | None:
    """Record what the digest is made of before its first part goes out, so whoever continues it
    posts the same digest; the claim as recorded, or None when it was lost."""
    ids = [int(i) for i in article_ids]
    if not _update_held(store, held, article_ids=ids):
        return None
    return replace(held, article_ids=tuple(ids))


def record_progress(store: Store, held: Claim, parts_sent: int, *, thread: str | None = None) -> bool:
    """``parts_sent`` messages are posted (``thread``: the parent message the rest reply to): a retry
    by anyone starts after them, in that thread. Renews the lease."""
    if thread is None:
        return _update_held(store, held, parts_sent=parts_sent)
    return _update_held(store, held, parts_sent=parts_sent, thread_ref=thread)


def mark_sent(
    store: Store,
    held: Claim,
    article_ids: Sequence[int],
    *,
    now: datetime | None = None,
    attempts: int = MARK_ATTEMPTS,
    pause: float = 1.0,
) -> bool:
    """Record the post and the articles it carried, together; False if the claim was lost meanwhile.

    A database that fails here is asked again, pausing 1, 2, 4... seconds: a digest marked late is
    better than one posted twice after the lease. After the last attempt the error is raised."""
    for attempt in range(1, attempts + 1):
        try:
            return _mark_sent(store, held, article_ids, now=now or store.clock())
        except DBAPIError as error:
            if attempt == attempts:
                raise
            log.warning(
                "recording the post of %s failed (attempt %d), asking again: %s",
                held.topic,
                attempt,
                str(error).splitlines()[0],
            )
            time.sleep(pause * 2 ** (attempt - 1))
    return False


def _mark_sent(store: Store, held: Claim, article_ids: Sequence[int], *, now: datetime) -> bool:
    with store.sessions.begin() as session:
        result = session.execute(
            update(DeliveryRow)
            .where(_held(held))
            .values(status="sent", sent_at=now, articles=len(article_ids), error=None)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return False
        record_delivered(session, held.channel_id, article_ids, held.delivery_id)
        return True


def mark_failed(store: Store, held: Claim, error: str) -> None:
    """Give the message back (its progress kept): the next attempt, by anyone, may claim it at once."""
    with store.sessions.begin() as session:
        session.execute(
            update(DeliveryRow)
            .where(_held(held))
            .values(status="failed", error=error[:1000])
            .execution_options(synchronize_session=False)
        )


def enqueue(session: Session, channel_id: int, topic: str, day: date) -> bool:
    """Queue a notice in the caller's transaction (status ``pending``: the next delivery pass of any
    instance claims and posts it); False when that (channel, topic, day) is already in the ledger."""
    exists = session.scalar(
        select(DeliveryRow.id).where(
            DeliveryRow.channel_id == channel_id, DeliveryRow.topic == topic, DeliveryRow.digest_date == day
        )
    )
    if exists is not None:
        return False
    try:
        with session.begin_nested():
            session.add(
                DeliveryRow(
                    channel_id=channel_id,
                    topic=topic,
                    digest_date=day,
                    status="pending",
                    attempts=0,
                    parts_sent=0,
                )
            )
    except IntegrityError:  # another instance queued it first
        return False
    return True


def deliveries(store: Store, channel_id: int, *, topic: str = DIGEST) -> list[Delivery]:
    with store.sessions() as session:
        rows = session.scalars(
            select(DeliveryRow)
            .where(DeliveryRow.channel_id == channel_id, DeliveryRow.topic == topic)
            .order_by(DeliveryRow.digest_date)
        )
        return [
            Delivery(
                channel_id=r.channel_id,
                digest_date=r.digest_date,
                status=r.status,
                claimed_by=r.claimed_by,
                claimed_at=as_utc(r.claimed_at),
                sent_at=as_utc(r.sent_at),
                attempts=r.attempts,
                articles=r.articles,
                error=r.error,
                topic=r.topic,
                parts_sent=r.parts_sent or 0,
                thread=r.thread_ref,
            )
            for r in rows
        ]


def retryable(
    store: Store, *, since: date, now: datetime | None = None, lease: timedelta = DEFAULT_LEASE
) -> list[tuple[int, str, date]]:
    """(channel, topic, date) of messages queued, failed, or whose poster vanished: the retry pass."""
    stale = (now or store.lease_clock()) - lease
    with store.sessions() as session:
        rows = session.execute(
            select(DeliveryRow.channel_id, DeliveryRow.topic, DeliveryRow.digest_date)
            .where(DeliveryRow.digest_date >= since, _claimable(stale))
            .order_by(DeliveryRow.id)
        ).all()
        return [(channel_id, topic, day) for channel_id, topic, day in rows]


def sent(store: Store, due: Collection[tuple[int, date]]) -> set[tuple[int, date]]:
    """Which of these (channel, digest date) pairs are sent: one query for the reconcile pass,
    however many channels are subscribed."""
    if not due:
        return set()
    channels = {channel for channel, _ in due}
    since = min(day for _, day in due)
    with store.sessions() as session:
        rows = session.execute(
            select(DeliveryRow.channel_id, DeliveryRow.digest_date).where(
                DeliveryRow.topic == DIGEST,
                DeliveryRow.status == "sent",
                DeliveryRow.digest_date >= since,
                DeliveryRow.channel_id.in_(channels),
            )
        )
        return {(channel, day) for channel, day in rows} & set(due)
