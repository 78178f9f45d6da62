"""Posting a channel's messages exactly once: claim in the ledger, compose, post part by part, mark sent.

Posting goes through the platform's poster (Slack, Discord, console) registered by ``briefbot run``.
Each part posted is recorded in the ledger as it goes, renewing the claim's lease; a platform error
is retried a few times with a pause, then the claim is given back as failed, its progress kept, so
the scheduler's retry pass (here or on another instance) continues from the part that failed: a
digest is delayed, never lost, and no part of it is posted twice. An instance that finds its claim
taken over (its lease ran out while the platform kept it waiting) stops posting at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import DBAPIError

from bot.core.actor_commands import trending_chart
from bot.core.messages import DigestReply, Reply, TextReply
from bot.core.posting import PartlyPosted, Poster
from bot.digest import compose
from bot.render.chart import Chart
from bot.trigger import DailyAt
from storage import ledger
from storage.actor_views import trending
from storage.channels import Channel, get_channel
from storage.store import Store

log = logging.getLogger(__name__)

POST_ATTEMPTS = 3
RETRY_PAUSE = 2.0


class ClaimLost(Exception):
    """Another instance took the message over (this one's lease ran out): stop posting it."""


def digest_date(now: datetime, digest_time: str, timezone: str) -> date:
    """The local date of the latest scheduled digest at or before ``now``.

    A bot back at 08:00 after missing yesterday's 09:00 posts *yesterday's* digest (once); today's
    comes at 09:00 as usual. A restart can never turn one day into two posts, since the date, not the
    run, is what the ledger records. The day's time is the trigger's (``DailyAt.fire_time_on``), so
    a time a spring-forward gap swallows is due when the trigger fires, after the gap, not before.
    """
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    hour, minute = (int(part) for part in digest_time.split(":"))
    scheduled = DailyAt(hour=hour, minute=minute, timezone=timezone).fire_time_on(local)
    return local.date() if now >= scheduled else local.date() - timedelta(days=1)


@dataclass
class Deliverer:
    store: Store
    posters: dict[str, Poster] = field(default_factory=dict)
    owner: str = field(default_factory=ledger.instance_name)
    lease: timedelta = ledger.DEFAULT_LEASE
    retry_pause: float = RETRY_PAUSE
    mark_pause: float = 1.0  # mark_sent's first pause when the database fails

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
        claimed = await asyncio.to_thread(
            lambda: ledger.claim(self.store, channel_id, day, owner=self.owner, lease=self.lease)
        )
        if claimed is None:
            return None
        held = claimed
        try:
            digest = await asyncio.to_thread(
                compose,
                self.store,
                channel_id,
                now=now,
                timezone=channel.timezone,
                article_ids=held.article_ids,
            )
            if held.article_ids is None:
                planned = await asyncio.to_thread(ledger.record_plan, self.store, held, digest.article_ids)
                if planned is None:
                    raise ClaimLost(str(held))
                held = planned
            chart = (
                await asyncio.to_thread(weekly_chart, self.store, now)
                if channel.chart_day is not None and day.weekday() == channel.chart_day
                else None
            )
            reply: Reply = DigestReply(digest=digest, chart=chart, threaded=channel.digest_thread)
            if not (digest.empty and channel.quiet_when_empty):
                await self._post(channel, reply, held)
        except ClaimLost as lost:
            log.warning("%s was taken over by another instance; this one stopped posting it", lost)
            return None
        except Exception as error:
            log.warning("digest for channel %s on %s failed: %s", channel_id, day, error)
            await asyncio.to_thread(ledger.mark_failed, self.store, held, f"{type(error).__name__}: {error}")
            raise
        await self._mark_sent(held, list(digest.article_ids))
        return reply

    async def post_now(self, channel_id: int, now: datetime) -> Reply | None:
        """``digest now`` in chat: today's digest, posted at once and recorded as today's, so the
        scheduled one does not follow (the core's ``deliver``)."""
        return await self.deliver(channel_id, now, force=True)

    async def deliver_notice(
        self, channel_id: int, topic: str, day: date, text: Callable[[], str | None]
    ) -> bool:
        """Post a queued notice once, through the same claim as digests; ``text`` is asked for the
        words when it is posted (None: no longer true, so it is marked done unposted)."""
        channel = await asyncio.to_thread(get_channel, self.store, channel_id)
        if channel is None or channel.platform not in self.posters:
            return False
        held = await asyncio.to_thread(
            lambda: ledger.claim(self.store, channel_id, day, owner=self.owner, topic=topic, lease=self.lease)
        )
        if held is None:
            return False
        try:
            words = await asyncio.to_thread(text)
            if words is not None:  # continued from the part that failed, if one did
                await self._post(channel, TextReply(text=words), held)
        except ClaimLost as lost:
            log.warning("%s was taken over by another instance", lost)
            return False
        except Exception as error:
            await asyncio.to_thread(ledger.mark_failed, self.store, held, f"{type(error).__name__}: {error}")
            raise
        await self._mark_sent(held, [])
        return words is not None

    async def _mark_sent(self, held: ledger.Claim, article_ids: list[int]) -> None:
        marked = await asyncio.to_thread(
            lambda: ledger.mark_sent(self.store, held, article_ids, pause=self.mark_pause)
        )
        if not marked:  # every part went out under our claim, yet someone took it over meanwhile
            log.warning(
                "%s for channel %s on %s: posted, but the claim had passed to another instance",
                held.topic,
                held.channel_id,
                held.digest_date,
            )

    async def _post(self, channel: Channel, reply: Reply, held: ledger.Claim) -> None:
        poster = self.posters.get(channel.platform)
        if poster is None:
            raise RuntimeError(
                f"no poster for platform {channel.platform} (is it configured in this instance?)"
            )
        start, thread = held.parts_sent, held.thread
        lost = asyncio.Event()

        async def sent(parts: int, thread_of: str | None = None) -> None:
            nonlocal start, thread
            start, thread = parts, thread_of or thread
            try:
                recorded = await asyncio.to_thread(
                    lambda: ledger.record_progress(self.store, held, parts, thread=thread)
                )
            except DBAPIError as error:  # the database went away: keep posting; mark_sent waits for it
                log.warning(
                    "could not record part %d of %s for channel %s (the database: %s); posting goes on",
                    parts,
                    held.topic,
                    held.channel_id,
                    str(error).splitlines()[0],
                )
                recorded = True
            if lost.is_set() or not recorded:
                raise ClaimLost(str(held))

        renewing = asyncio.ensure_future(self._renew(held, lost))
        try:
            for attempt in range(1, POST_ATTEMPTS + 1):
                if lost.is_set():
                    raise ClaimLost(str(held))
                try:
                    await poster(channel.external_id, reply, start=start, sent=sent, thread=thread)
                    return
                except ClaimLost:
                    raise
                except Exception as error:
                    if isinstance(error, PartlyPosted):
                        start = max(start, error.sent)
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
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing

    async def _renew(self, held: ledger.Claim, lost: asyncio.Event) -> None:
        """Renew the lease a few times per lease while posting: a post slower than the lease (429
        waits, retries) keeps its claim; a claim found lost stops the post at its next part."""
        every = max(self.lease.total_seconds() / 3, 0.05)
        while True:
            await asyncio.sleep(every)
            try:
                renewed = await asyncio.to_thread(ledger.renew, self.store, held)
            except Exception as error:  # the database is away: the next part's record will tell
                log.warning("renewing the claim on %s failed: %s", held.topic, error)
                continue
            if not renewed:
                lost.set()
                return


def weekly_chart(store: Store, now: datetime) -> Chart | None:
    """The chart a channel's digest carries on its chart day: the week's rising and new actors, their
    stories a day; None in a week where none rose (the digest says the rest)."""
    return trending_chart(store, trending(store, now=now, days=7))
