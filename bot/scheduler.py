"""The schedule: each subscribed channel's digest at its local time, feeds polled, failures retried.

APScheduler 3.x on asyncio, its jobs in memory: the database owns the schedule. APScheduler's own
guide says job stores must never be shared between schedulers, and a shared job table let an
instance that died between advancing a digest's next run and claiming it lose that digest while the
others lived. So each instance builds its jobs from the channels table, and a reconcile pass every
minute (also run at start) posts any digest that is due, within its grace time and not yet sent,
through the ledger's claim: while any instance lives, no digest is lost, and the claim keeps it to
one post whichever instances race. Set on purpose, since the defaults lose digests (a 1-second
misfire grace drops a job that starts late, apscheduler #292):

- ``coalesce=True``: however many runs were missed, one catch-up run happens, never a pile;
- ``misfire_grace_time`` of 12 hours: a bot back at 09:20 posts the 09:00 digest; one back after a
  longer outage folds the missed day into the next digest (nothing is lost: a digest carries every
  article the channel was not yet sent);
- ``max_instances=1``: a slow run is never overlapped by the next.

Exactly-once posting does not rest on the scheduler: every run claims its (channel, date) row in the
delivery ledger first (``storage.ledger``), so two instances or a restart cannot post a digest twice.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.delivery import Deliverer, digest_date
from bot.trigger import DailyAt
from config import StorageSettings
from storage import ledger, notices
from storage.channels import subscribed_channels
from storage.store import Store

log = logging.getLogger(__name__)

DIGEST_GRACE = timedelta(hours=12)
FEED_FAILURES_BEFORE_NOTICE = 3
SYNC_EVERY = timedelta(minutes=1)  # the reconcile pass
FEEDS_CHECK_EVERY = timedelta(minutes=1)  # a look for due feeds; each feed is polled at its own interval

@dataclass(frozen=True)
class CatchUp:
    """What a reconcile pass found: digests due and not yet sent, and how many of them failed to post."""

    due: int = 0
    failed: int = 0


class BriefbotScheduler:
    def __init__(
        self,
        *,
        store: Store,
        deliverer: Deliverer,
        storage_settings: StorageSettings | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.deliverer = deliverer
        self.storage_settings = storage_settings or StorageSettings()
        self.clock = clock
        self.scheduler = AsyncIOScheduler(
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": int(DIGEST_GRACE.total_seconds()),
            },
            timezone=UTC,
        )
        self._inflight: set[asyncio.Task[Any]] = set()
        self._stopping = threading.Event()  # read by the poll's threads

    def start(self) -> None:
        """Start on the running event loop: the jobs come from the channels table, and the first
        reconcile pass runs at once (a digest missed while no instance ran is posted now). The
        jobs are this instance's bound methods (the job store is in memory, so nothing needs a
        reference it could import), so two schedulers in one process each run their own."""
        # Each feed keeps its own next poll time (its interval, or its back-off), so the job only
        # looks every minute for feeds that are due: a feed added in chat is read within a minute,
        # and an instance started after a pause reads what came meanwhile at once.
        self.scheduler.add_job(
            self.poll_feeds,
            IntervalTrigger(seconds=int(FEEDS_CHECK_EVERY.total_seconds())),
            id="feeds",
            replace_existing=True,
            misfire_grace_time=60,
            next_run_time=datetime.now(UTC),
        )
        self.scheduler.add_job(
            self.sync,
            IntervalTrigger(seconds=int(SYNC_EVERY.total_seconds())),
            id="sync",
            replace_existing=True,
            misfire_grace_time=60,
            next_run_time=datetime.now(UTC),
        )
        self.sync_channels()
        self.scheduler.start()

    async def shutdown(self) -> None:
        """Stop taking new runs and let the ones in flight finish (their claims stay claimable)."""
        self._stopping.set()
        self.scheduler.pause()  # no new runs; then the runs in flight finish, and only then the
        if self._inflight:  # scheduler stops: its asyncio executor cancels whatever still runs
            await asyncio.wait(set(self._inflight), timeout=30)
        self.scheduler.shutdown(wait=False)

    # -- jobs -----------------------------------------------------------------------------------

    def sync_channels(self) -> None:
        """One digest job per subscribed channel at its local time; none for the others."""
        wanted = {}
        for channel in subscribed_channels(self.store):
            hour, minute = (int(part) for part in channel.digest_time.split(":"))
            wanted[f"digest:{channel.id}"] = (
                channel.id,
                DailyAt(hour=hour, minute=minute, timezone=channel.timezone),
            )
        for job in self.scheduler.get_jobs():
            if job.id.startswith("digest:") and job.id not in wanted:
                job.remove()
        for job_id, (channel_id, trigger) in wanted.items():
            existing = self.scheduler.get_job(job_id)
            if existing is not None and repr(existing.trigger) == repr(trigger):
                continue
            self.scheduler.add_job(
                self.run_digest, trigger, args=[channel_id], id=job_id, replace_existing=True
            )

    async def catch_up(self) -> CatchUp:
        """Post every digest whose time today has passed within the grace time and that is not sent.

        The reconcile pass: covers a digest whose time passed while no instance ran, or while the
        instance whose job fired died before posting, or a channel subscribed meanwhile. The ledger
        keeps it to one post. The failures are counted for ``run --once``, whose cron job must fail.
        """
        now = self.clock()
        due = []
        for channel in await asyncio.to_thread(subscribed_channels, self.store):
            day = digest_date(now, channel.digest_time, channel.timezone)
            hour, minute = (int(part) for part in channel.digest_time.split(":"))
            scheduled = DailyAt(hour=hour, minute=minute, timezone=channel.timezone).fire_time_on(
                datetime.combine(day, datetime.min.time())
            )
            if now - scheduled <= DIGEST_GRACE:
                due.append((channel.id, day))
        sent = await asyncio.to_thread(ledger.sent, self.store, due)
        unsent = [channel_id for channel_id, day in due if (channel_id, day) not in sent]
        failed = 0
        for channel_id in unsent:
            failed += not await self.run_digest(channel_id)
        return CatchUp(due=len(unsent), failed=failed)

    def _hold(self) -> None:
        """Count the running task as in flight: shutdown lets it finish rather than cancel it."""
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
            task.add_done_callback(self._inflight.discard)

    async def run_digest(self, channel_id: int) -> bool:
        """False when the digest failed to post (the ledger has it for a retry); True when it was posted,
        or was not this instance's to post."""
        self._hold()
        try:
            await self.deliverer.deliver(channel_id, self.clock())
        except Exception as error:
            log.warning("digest for channel %s not posted yet: %s", channel_id, error)
            return False
        return True

    async def sync(self) -> None:
        """Follow subscription changes made in chat, post what is due and not sent, and retry
        digests that failed or were abandoned."""
        self._hold()
        await asyncio.to_thread(self.sync_channels)
        await self.catch_up()
        await self.retry()

    async def retry(self, *, notices_only: bool = False) -> None:
        """Post what the ledger holds queued, failed, or abandoned by a poster that vanished: digests
        (continued from the part that failed) and notices."""
        since = (self.clock() - timedelta(days=1)).date()
        due = await asyncio.to_thread(
            lambda: ledger.retryable(self.store, since=since, lease=self.deliverer.lease)
        )
        for channel_id, topic, day in due:
            if topic != ledger.DIGEST:
                await self.run_notice(channel_id, topic, day)
            elif not notices_only:
                await self.run_digest(channel_id)

    async def run_notice(self, channel_id: int, topic: str, day: date) -> None:
        self._hold()
        try:
            await self.deliverer.deliver_notice(
                channel_id, topic, day, lambda: notices.text_for(self.store, topic)
            )
        except Exception as error:
            log.warning("notice %s for channel %s not posted yet: %s", topic, channel_id, error)

    async def poll_feeds(self) -> None:
        from storage import feedstore

        self._hold()  # shutdown lets the feeds being read finish, and claims no more
        await asyncio.sleep(random.uniform(0, 2))  # instances sharing a database do not poll in lockstep
        if self._stopping.is_set():
            return
        try:
            await asyncio.to_thread(
                lambda: feedstore.poll_feeds(
                    self.store, self.storage_settings, due_only=True, stop=self._stopping
                )
            )
        except asyncio.CancelledError:  # a feed slower than shutdown's wait: its claim lapses by itself
            log.info("feed poll stopped at shutdown; a feed being read is polled again after its lease")
            return
        await self.notify_failing_feeds()

    async def notify_failing_feeds(self) -> None:
        """Tell the channels that use a feed, once, that it keeps failing (MonitoRSS #276): queued in
        the ledger, so a notice that fails to post is retried like a digest."""
        await asyncio.to_thread(notices.queue_failing_feeds, self.store, FEED_FAILURES_BEFORE_NOTICE)
        await self.retry(notices_only=True)
