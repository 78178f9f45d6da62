"""The digest delivery ledger: a row per (channel, digest date), claimed before posting.

The guarantee: a digest is posted **at most once per claim lease** and, as long as some instance
keeps running, **at least once**: whoever claims the row posts, marks it sent, and records the
articles it carried in the same transaction. A second instance or a restart finds the claim (or the
"sent" mark) and does not post. A claim whose poster died is taken over after ``lease``; a poster
that died *after* the platform accepted the message but *before* marking it sent can therefore
cause one repeat after the lease — the one window no database can close without the platform's
help, kept small by marking sent immediately after the post returns.

The claim is a compare-and-set done with plain INSERT and conditional UPDATE, so it behaves the
same on SQLite (one writer at a time) and PostgreSQL (several instances).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from storage.models import DeliveryRow
from storage.store import Store, as_utc, record_delivered

DEFAULT_LEASE = timedelta(minutes=10)


@dataclass(frozen=True, slots=True, kw_only=True)
class Claim:
    delivery_id: int
    channel_id: int
    digest_date: date
    owner: str
    attempt: int


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


def instance_name() -> str:
    """Who holds a claim: host and process, so a human reading the ledger knows which bot it was."""
    return f"{socket.gethostname()}:{os.getpid()}"


def claim(
    store: Store,
    channel_id: int,
    digest_date: date,
    *,
    owner: str,
    now: datetime,
    lease: timedelta = DEFAULT_LEASE,
) -> Claim | None:
    """Take the right to post this digest, or None when it is sent or someone else holds it."""
    try:
        with store.sessions.begin() as session:
            row = DeliveryRow(
                channel_id=channel_id,
                digest_date=digest_date,
                status="claimed",
                claimed_by=owner,
                claimed_at=now,
                attempts=1,
            )
            session.add(row)
            session.flush()
            return Claim(
                delivery_id=row.id, channel_id=channel_id, digest_date=digest_date, owner=owner, attempt=1
            )
    except IntegrityError:
        pass  # the row exists: take it over only if its claim failed or expired
    stale = now - lease
    with store.sessions.begin() as session:
        result = session.execute(
            update(DeliveryRow)
            .where(
                DeliveryRow.channel_id == channel_id,
                DeliveryRow.digest_date == digest_date,
                DeliveryRow.status != "sent",
                or_(
                    DeliveryRow.status == "failed",
                    and_(DeliveryRow.status == "claimed", DeliveryRow.claimed_at <= stale),
                ),
            )
            .values(status="claimed", claimed_by=owner, claimed_at=now, attempts=DeliveryRow.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return None
        row = session.scalars(
            select(DeliveryRow).where(
                DeliveryRow.channel_id == channel_id, DeliveryRow.digest_date == digest_date
            )
        ).one()
        return Claim(
            delivery_id=row.id,
            channel_id=channel_id,
            digest_date=digest_date,
            owner=owner,
            attempt=row.attempts,
        )


def mark_sent(store: Store, held: Claim, article_ids: Sequence[int], *, now: datetime) -> bool:
    """Record the post and the articles it carried, together; False if the claim was lost meanwhile."""
    with store.sessions.begin() as session:
        result = session.execute(
            update(DeliveryRow)
            .where(
                DeliveryRow.id == held.delivery_id,
                DeliveryRow.claimed_by == held.owner,
                DeliveryRow.status == "claimed",
            )
            .values(status="sent", sent_at=now, articles=len(article_ids), error=None)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return False
        record_delivered(session, held.channel_id, article_ids, held.delivery_id)
        return True


def mark_failed(store: Store, held: Claim, error: str) -> None:
    """Give the digest back: the next attempt (this instance or another) may claim it at once."""
    with store.sessions.begin() as session:
        session.execute(
            update(DeliveryRow)
            .where(
                DeliveryRow.id == held.delivery_id,
                DeliveryRow.claimed_by == held.owner,
                DeliveryRow.status == "claimed",
            )
            .values(status="failed", error=error[:1000])
            .execution_options(synchronize_session=False)
        )


def deliveries(store: Store, channel_id: int) -> list[Delivery]:
    with store.sessions() as session:
        rows = session.scalars(
            select(DeliveryRow).where(DeliveryRow.channel_id == channel_id).order_by(DeliveryRow.digest_date)
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
            )
            for r in rows
        ]


def retryable(
    store: Store, *, since: date, now: datetime, lease: timedelta = DEFAULT_LEASE
) -> list[tuple[int, date]]:
    """(channel, date) of digests that failed or whose poster vanished, for the retry pass."""
    stale = now - lease
    with store.sessions() as session:
        rows = session.execute(
            select(DeliveryRow.channel_id, DeliveryRow.digest_date).where(
                DeliveryRow.digest_date >= since,
                or_(
                    DeliveryRow.status == "failed",
                    and_(DeliveryRow.status == "claimed", DeliveryRow.claimed_at <= stale),
                ),
            )
        ).all()
        return [(channel_id, digest_date) for channel_id, digest_date in rows]


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
                DeliveryRow.status == "sent",
                DeliveryRow.digest_date >= since,
                DeliveryRow.channel_id.in_(channels),
            )
        )
        return {(channel, day) for channel, day in rows} & set(due)


def is_sent(store: Store, channel_id: int, digest_date: date) -> bool:
    with store.sessions() as session:
        status = session.scalar(
            select(DeliveryRow.status).where(
                DeliveryRow.channel_id == channel_id, DeliveryRow.digest_date == digest_date
            )
        )
        return status == "sent"
