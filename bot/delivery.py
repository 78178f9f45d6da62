"""Posting a channel's digest exactly once: claim in the ledger, compose, post, mark sent.

Posting goes through the platform's poster (Slack, Discord, console) registered by ``briefbot run``;
a platform error is retried a few times with a pause, then the claim is given back as failed so the
scheduler's retry pass (or another instance) tries again later: a digest is delayed, never lost.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.messages import DigestReply, Reply, TextReply
from bot.core.posting import PartlyPosted, Poster
from bot.digest import compose
from storage import ledger
from storage.channels import Channel, get_channel
from storage.store import Store

log = logging.getLogger(__name__)

POST_ATTEMPTS = 3
RETRY_PAUSE = 2.0


def digest_date(now: datetime, digest_time: str, timezone: str) -> date:
    """The local date of the latest scheduled digest at or before ``now``.

    A bot back at 08:00 after missing yesterday's 09:00 posts *yesterday's* digest (once); today's
    comes at 09:00 as usual. A restart can never turn one day into two posts, since the date, not the
    run, is what the ledger records.
    """
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    hour, minute = (int(part) for part in digest_time.split(":"))
    scheduled = datetime.combine(local.date(), time(hour, minute), tzinfo=zone)
    return local.date() if local >= scheduled else local.date() - timedelta(days=1)


@dataclass
class Deliverer:
    store: Store
    posters: dict[str, Poster] = field(default_factory=dict)
    owner: str = field(default_factory=ledger.instance_name)
    lease: timedelta = ledger.DEFAULT_LEASE
    retry_pause: float = RETRY_PAUSE

    async def deliver(self, channel_id: int, now: datetime, *, force: bool = False) -> Reply | None:
        """Post today's digest for the channel unless it was posted; returns what was posted.

        ``force`` (``digest now`` in chat) composes from the current time even before the scheduled hour.
        """
        channel = await asyncio.to_thread(get_channel, self.store, channel_id)
        if channel is None or channel.platform not in self.posters:
            return None  # an instance without that platform leaves the digest to one that has it
        day = (
            now.astimezone(ZoneInfo(channel.timezone)).date()
            if force
            else digest_date(now, channel.digest_time, channel.timezone)
        )
        held = await asyncio.to_thread(
            lambda: ledger.claim(self.store, channel_id, day, owner=self.owner, now=now, lease=self.lease)
        )
        if held is None:
            return None
        try:
            digest = await asyncio.to_thread(
                lambda: compose(self.store, channel_id, now=now, timezone=channel.timezone)
            )
            reply: Reply = DigestReply(digest=digest)
            if not (digest.empty and channel.quiet_when_empty):
                await self._post(channel, reply)
        except Exception as error:
            log.warning("digest for channel %s on %s failed: %s", channel_id, day, error)
            await asyncio.to_thread(ledger.mark_failed, self.store, held, f"{type(error).__name__}: {error}")
            raise
        await asyncio.to_thread(lambda: ledger.mark_sent(self.store, held, list(digest.article_ids), now=now))
        return reply

    async def notify(self, channel: Channel, text: str) -> None:
        await self._post(channel, TextReply(text=text))

    async def _post(self, channel: Channel, reply: Reply) -> None:
        poster = self.posters.get(channel.platform)
        if poster is None:
            raise RuntimeError(
                f"no poster for platform {channel.platform} (is it configured in this instance?)"
            )
        start = 0
        for attempt in range(1, POST_ATTEMPTS + 1):
            try:
                await poster(channel.external_id, reply, start=start)
                return
            except Exception as error:
                if isinstance(error, PartlyPosted):
                    start = error.sent
                if attempt == POST_ATTEMPTS:
                    raise
                log.warning(
                    "posting to %s %s failed (attempt %d): %s",
                    channel.platform,
                    channel.external_id,
                    attempt,
                    error,
                )
                await asyncio.sleep(self.retry_pause * attempt)
