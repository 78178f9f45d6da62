"""What chat must remember across instances and restarts, with an expiry: platform events already
answered (Slack redelivers one it thinks failed, perhaps to another instance) and where ``more``
continues someone's search.

Rows are small and short-lived; each write also deletes the expired ones, so the tables stay the
size of the last hour's (or day's) traffic without a cleaning job. Expiry is by the instance's own
clock: unlike a lease, an hour's expiry does not care about seconds of skew, and a search or a
mention then costs no extra round trip for the database's time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from storage.models import ChatEventRow, ChatPageRow
from storage.store import Store

EVENT_TTL = timedelta(hours=1)  # Slack retries 3 times within minutes
PAGE_TTL = timedelta(days=1)
MAX_KEY = 256


@dataclass(frozen=True, slots=True)
class Page:
    query: str
    page: int


def first_time(store: Store, key: str, *, ttl: timedelta = EVENT_TTL) -> bool:
    """True for the first delivery of an event (by its key) in the whole deployment, False for a
    repeat within ``ttl``: the insert of its row is the test, so two instances racing agree."""
    now = store.clock()
    key = key[:MAX_KEY]
    with store.sessions.begin() as session:
        session.execute(delete(ChatEventRow).where(ChatEventRow.expires_at < now))
        if session.get(ChatEventRow, key) is not None:  # what is left has not expired
            return False
    try:
        with store.sessions.begin() as session:
            session.add(ChatEventRow(key=key, expires_at=now + ttl))
    except IntegrityError:  # another instance recorded it first: it answers
        return False
    return True


def remember_page(store: Store, key: str, query: str, page: int, *, ttl: timedelta = PAGE_TTL) -> None:
    """Someone's search and the page they were shown, so ``more`` continues it anywhere."""
    now = store.clock()
    with store.sessions.begin() as session:
        session.execute(delete(ChatPageRow).where(ChatPageRow.expires_at < now))
        row = session.get(ChatPageRow, key[:MAX_KEY])
        if row is None:
            session.add(ChatPageRow(key=key[:MAX_KEY], query=query, page=page, expires_at=now + ttl))
        else:
            row.query, row.page, row.expires_at = query, page, now + ttl


def last_page(store: Store, key: str) -> Page | None:
    """The search ``more`` continues, or None when there is none (or it expired)."""
    now = store.clock()
    with store.sessions() as session:
        row = session.scalar(
            select(ChatPageRow).where(ChatPageRow.key == key[:MAX_KEY], ChatPageRow.expires_at >= now)
        )
        return Page(row.query, row.page) if row is not None else None
