"""Channels the bot serves: their digest subscription and the sources they follow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from storage.models import ChannelRow, ChannelSourceRow, SourceRow
from storage.store import Store, as_utc
from storage.values import Feed


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
    store: Store, channel_id: int, *, digest_time: str, timezone: str, quiet_when_empty: bool | None = None
) -> Channel:
    """Turn the daily digest on (or move it). Validation of time and zone is the caller's job."""
    with store.sessions.begin() as session:
        row = session.get(ChannelRow, channel_id)
        if row is None:
            raise LookupError(f"no channel #{channel_id}")
        row.digest_time = digest_time
        row.timezone = timezone
        if not row.subscribed:
            row.subscribed = True
        if quiet_when_empty is not None:
            row.quiet_when_empty = quiet_when_empty
        return _to_channel(row)


def unsubscribe(store: Store, channel_id: int) -> Channel:
    with store.sessions.begin() as session:
        row = session.get(ChannelRow, channel_id)
        if row is None:
            raise LookupError(f"no channel #{channel_id}")
        row.subscribed = False
        return _to_channel(row)


def follow(store: Store, channel_id: int, source_id: int) -> bool:
    """Add a source to the channel's digest; False when it was already there."""
    with store.sessions.begin() as session:
        if session.get(ChannelSourceRow, (channel_id, source_id)) is not None:
            return False
        session.add(ChannelSourceRow(channel_id=channel_id, source_id=source_id))
        return True


def unfollow(store: Store, channel_id: int, source_id: int) -> bool:
    with store.sessions.begin() as session:
        row = session.get(ChannelSourceRow, (channel_id, source_id))
        if row is None:
            return False
        session.delete(row)
        return True


def followed(store: Store, channel_id: int) -> list[Feed]:
    from storage.feedstore import _to_feed

    with store.sessions() as session:
        rows = session.scalars(
            select(SourceRow)
            .join(ChannelSourceRow, ChannelSourceRow.source_id == SourceRow.id)
            .where(ChannelSourceRow.channel_id == channel_id)
            .order_by(SourceRow.id)
        )
        return [_to_feed(r) for r in rows]
