"""Channels the bot serves: their digest subscription and the sources they follow."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session, defer

from storage.models import ArticleRow, ChannelRow, ChannelSourceRow, DeliveredArticleRow, SourceRow
from storage.store import Store, as_utc, to_article
from storage.values import Article


@dataclass(frozen=True, slots=True, kw_only=True)
class Channel:
    id: int
    platform: str
    external_id: str
    name: str | None
    timezone: str
    digest_time: str  # "HH:MM", local to ``timezone``
    subscribed: bool
    quiet_when_empty: bool
    subscribed_at: datetime | None
    chart_day: int | None = None  # 0 Monday: that day's digest carries the week's chart of its top actors
    digest_thread: bool = False  # a short parent message in the channel, one reply per story in its thread


FIRST_DIGEST_LOOKBACK = timedelta(days=1)  # a new channel's first digest covers the day before it


class Keep(enum.Enum):
    """A setting left as the channel had it, where None is itself a value (no weekly chart)."""

    KEEP = "keep"


KEEP = Keep.KEEP


def _to_channel(row: ChannelRow) -> Channel:
    return Channel(
        id=row.id,
        platform=row.platform,
        external_id=row.external_id,
        name=row.name,
        timezone=row.timezone,
        digest_time=row.digest_time,
        subscribed=row.subscribed,
        quiet_when_empty=row.quiet_when_empty,
        subscribed_at=as_utc(row.subscribed_at),
        chart_day=row.chart_day,
        digest_thread=row.digest_thread,
    )


def get_channel(store: Store, channel_id: int) -> Channel | None:
    with store.sessions() as session:
        row = session.get(ChannelRow, channel_id)
        return _to_channel(row) if row else None


def subscribed_channels(store: Store) -> list[Channel]:
    with store.sessions() as session:
        rows = session.scalars(
            select(ChannelRow).where(ChannelRow.subscribed.is_(True)).order_by(ChannelRow.id)
        )
        return [_to_channel(r) for r in rows]


def subscribe(
    store: Store,
    channel_id: int,
    *,
    digest_time: str | None = None,
    timezone: str | None = None,
    quiet_when_empty: bool | None = None,
    chart_day: int | Keep | None = KEEP,
    thread: bool | None = None,
) -> Channel:
    """Turn the daily digest on (or move it). What is None keeps what the channel had (a new channel:
    09:00 UTC, not quiet, no weekly chart, not threaded), so moving the time never drops the zone;
    ``chart_day`` None turns the weekly chart off, so keeping it is :data:`KEEP`. Validation is the
    caller's job."""
    with store.sessions.begin() as session:
        row = session.get(ChannelRow, channel_id)
        if row is None:
            raise LookupError(f"no channel #{channel_id}")
        if digest_time is not None:
            row.digest_time = digest_time
        if timezone is not None:
            row.timezone = timezone
        if not row.subscribed:
            row.subscribed = True
        if quiet_when_empty is not None:
            row.quiet_when_empty = quiet_when_empty
        if not isinstance(chart_day, Keep):
            row.chart_day = chart_day
        if thread is not None:
            row.digest_thread = thread
        return _to_channel(row)


def unsubscribe(store: Store, channel_id: int) -> Channel:
    with store.sessions.begin() as session:
        row = session.get(ChannelRow, channel_id)
        if row is None:
            raise LookupError(f"no channel #{channel_id}")
        row.subscribed = False
        return _to_channel(row)


def follow(store: Store, channel_id: int, source_id: int) -> bool:
    """Add a source to the channel's digest; False when it was already there. From then on the
    channel receives the sources it chose, not every stored article."""
    with store.sessions.begin() as session:
        channel = session.get(ChannelRow, channel_id)
        if channel is not None:
            channel.all_sources = False
        if session.get(ChannelSourceRow, (channel_id, source_id)) is not None:
            return False
        session.add(ChannelSourceRow(channel_id=channel_id, source_id=source_id))
        return True


@dataclass(frozen=True, slots=True, kw_only=True)
class Unfollowed:
    removed: bool  # False: the channel did not follow it
    follows_none: bool  # the channel's last feed: its digests are empty until a manager chooses
    stopped: bool  # a feed a channel added, followed by none now: no longer polled


def unfollow(store: Store, channel_id: int, source_id: int) -> Unfollowed:
    """Take a source out of the channel's digest. A feed that chat added and no channel follows any
    more is dropped (its articles stay); one added with ``briefbot feeds add`` keeps being polled."""
    with store.sessions.begin() as session:
        row = session.get(ChannelSourceRow, (channel_id, source_id))
        if row is None:
            return Unfollowed(removed=False, follows_none=False, stopped=False)
        session.delete(row)
        session.flush()
        follows_none = bool(left_without_feeds(session, [channel_id]))
        stopped = bool(_drop_unfollowed_chat_feeds(session, [source_id]))
        return Unfollowed(removed=True, follows_none=follows_none, stopped=stopped)


def _drop_unfollowed_chat_feeds(session: Session, source_ids: Iterable[int]) -> list[int]:
    """Drop the feeds of these that a channel added and no channel follows now (articles stay)."""
    followed_by_some = select(ChannelSourceRow.source_id).where(ChannelSourceRow.source_id == SourceRow.id)
    dropped = list(
        session.scalars(
            select(SourceRow).where(
                SourceRow.id.in_(list(source_ids)), SourceRow.origin == "chat", ~followed_by_some.exists()
            )
        )
    )
    for source in dropped:
        session.delete(source)
    return [source.id for source in dropped]


def left_without_feeds(session: Session, channel_ids: Iterable[int]) -> list[int]:
    """Of these channels, those that chose feeds and follow none now."""
    ids = list(channel_ids)
    if not ids:
        return []
    following = select(ChannelSourceRow.channel_id).where(ChannelSourceRow.channel_id == ChannelRow.id)
    return list(
        session.scalars(
            select(ChannelRow.id).where(
                ChannelRow.id.in_(ids), ChannelRow.all_sources.is_(False), ~following.exists()
            )
        )
    )


def receive_everything(store: Store, channel_id: int) -> None:
    """The channel's digest takes every stored article again (``sources all``); following a feed
    later narrows it once more."""
    with store.sessions.begin() as session:
        channel = session.get(ChannelRow, channel_id)
        if channel is None:
            raise LookupError(f"no channel #{channel_id}")
        channel.all_sources = True
        chosen = session.scalars(
            select(ChannelSourceRow.source_id).where(ChannelSourceRow.channel_id == channel_id)
        ).all()
        session.execute(delete(ChannelSourceRow).where(ChannelSourceRow.channel_id == channel_id))
        session.flush()
        _drop_unfollowed_chat_feeds(session, chosen)


def receives_everything(store: Store, channel_id: int) -> bool:
    with store.sessions() as session:
        channel = session.get(ChannelRow, channel_id)
        return channel is None or channel.all_sources


def ensure_channel(store: Store, platform: str, external_id: str, *, name: str | None = None) -> int:
    """The channel's id, its row created on first sight (any command in a new channel creates it)."""
    with store.sessions.begin() as session:
        row = session.scalars(
            select(ChannelRow).where(ChannelRow.platform == platform, ChannelRow.external_id == external_id)
        ).first()
        if row is None:
            # A new channel's first digest covers the day before it appeared, not nothing.
            row = ChannelRow(
                platform=platform,
                external_id=external_id,
                name=name,
                created_at=store.clock(),
                subscribed_at=store.clock() - FIRST_DIGEST_LOOKBACK,
            )
            session.add(row)
            session.flush()
        return row.id


def undelivered(
    store: Store, channel_id: int, *, limit: int | None = None, only: Sequence[int] | None = None
) -> list[Article]:
    """Articles this channel has not been sent, stored since it first appeared, oldest first
    (``only``: of these ids, for a digest being continued as it was first composed)."""
    with store.sessions() as session:
        channel = session.get(ChannelRow, channel_id)
        if channel is None:
            return []
        delivered = select(DeliveredArticleRow.article_id).where(
            DeliveredArticleRow.channel_id == channel_id, DeliveredArticleRow.article_id == ArticleRow.id
        )
        # Digests never show the text: leave it in the database.
        query = select(ArticleRow).options(defer(ArticleRow.text)).where(~delivered.exists())
        # A channel that chose feeds gets their articles (none, once its last feed is gone, until
        # a manager chooses again); one that never chose gets everything.
        if only is not None:
            query = query.where(ArticleRow.id.in_(list(only)))
        elif not channel.all_sources:
            follows = select(ChannelSourceRow.source_id).where(ChannelSourceRow.channel_id == channel_id)
            query = query.where(ArticleRow.source_id.in_(follows))
        if channel.subscribed_at is not None and only is None:
            query = query.where(ArticleRow.fetched_at >= channel.subscribed_at)
        query = query.order_by(ArticleRow.fetched_at, ArticleRow.id)
        if limit:
            query = query.limit(limit)
        return [to_article(r) for r in session.scalars(query)]


def mark_delivered(
    store: Store, channel_id: int, article_ids: Sequence[int], *, delivery_id: int | None = None
) -> None:
    if not article_ids:
        return
    with store.sessions.begin() as session:
        record_delivered(session, channel_id, article_ids, delivery_id)


def record_delivered(
    session: Session, channel_id: int, article_ids: Sequence[int], delivery_id: int | None
) -> None:
    """Rows for the articles a channel was sent (those not already there), as one Core executemany."""
    wanted = list(dict.fromkeys(article_ids))
    known: set[int] = set()
    for start in range(0, len(wanted), 10_000):
        known.update(
            session.scalars(
                select(DeliveredArticleRow.article_id).where(
                    DeliveredArticleRow.channel_id == channel_id,
                    DeliveredArticleRow.article_id.in_(wanted[start : start + 10_000]),
                )
            )
        )
    rows = [
        {"channel_id": channel_id, "article_id": a, "delivery_id": delivery_id}
        for a in wanted
        if a not in known
    ]
    if rows:
        session.execute(insert(DeliveredArticleRow), rows)
