"""Notices a channel must get once: queued in the delivery ledger, posted by any instance.

A notice is a ledger row of its own topic (``feed-failing:<feed id>``, ``no-feeds``), queued in the
transaction that finds it due and posted through the same claim, retry and mark as a digest. Its
words are written when it is posted, from what is true then: a feed that recovered meanwhile is not
announced as failing.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import ledger
from storage.models import ChannelRow, ChannelSourceRow, SourceRow
from storage.store import Store

FEED_FAILING = "feed-failing:"
NO_FEEDS = "no-feeds"
FOLLOWS_NONE = (
    "This channel follows no feeds now, so its digests are empty until a channel manager chooses: "
    "`sources add <feed url>` to follow one, or `sources all` for every stored article."
)


def queue_failing_feeds(store: Store, threshold: int) -> int:
    """Queue a notice to every channel reading a feed that failed ``threshold`` times in a row and
    was not announced yet; the feed is marked announced in the same transaction (a success clears
    the mark, so a later breakage is announced again). Returns how many notices were queued."""
    queued = 0
    today = store.clock().date()
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
            for channel_id in _readers(session, feed.id):
                queued += ledger.enqueue(session, channel_id, f"{FEED_FAILING}{feed.id}", today)
            feed.failure_notified = True
    return queued


def queue_no_feeds(session: Session, channel_ids: Iterable[int], store: Store) -> int:
    """Queue, in the caller's transaction, the notice that these channels' last feed went away."""
    today = store.clock().date()
    return sum(ledger.enqueue(session, channel_id, NO_FEEDS, today) for channel_id in channel_ids)


def _readers(session: Session, feed_id: int) -> list[int]:
    """The channels that get a feed's articles: its followers, and every subscribed channel that
    never chose feeds (it reads them all)."""
    followers = session.scalars(
        select(ChannelSourceRow.channel_id).where(ChannelSourceRow.source_id == feed_id)
    ).all()
    everything = session.scalars(
        select(ChannelRow.id).where(ChannelRow.subscribed.is_(True), ChannelRow.all_sources.is_(True))
    ).all()
    return sorted({*followers, *everything})


def text_for(store: Store, topic: str) -> str | None:
    """The notice's words now, or None when it is no longer true."""
    if topic == NO_FEEDS:
        return "Its last feed was removed. " + FOLLOWS_NONE
    if topic.startswith(FEED_FAILING) and topic.removeprefix(FEED_FAILING).isdigit():
        with store.sessions() as session:
            feed = session.get(SourceRow, int(topic.removeprefix(FEED_FAILING)))
            if feed is None or feed.failures == 0:
                return None  # removed, or recovered before the notice went out
            return (
                f"The feed {feed.title or feed.location} has failed {feed.failures} times in a row "
                f"(last error: {feed.last_error}). Its articles are missing from digests until it recovers."
            )
    return None
