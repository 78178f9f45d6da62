"""Digests that arrive once: the ledger, the deliverer and the scheduler, on both databases.

Time is moved (time-machine, or the clock the store and deliverer are given), never waited for.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import inspect

from bot.adapters.slack_app import slack_poster
from bot.cli import samples_dir
from bot.core import DigestReply, Reply, TextReply
from bot.core.posting import PartlyPosted, Progress
from bot.delivery import Deliverer
from bot.render.blocks import to_messages
from bot.render.view import to_view
from bot.scheduler import BriefbotScheduler
from bot.secrets import Secrets
from storage import ledger
from storage.channels import ensure_channel, mark_delivered, subscribe, undelivered
from storage.db import open_database
from storage.documents import Document, iter_documents
from storage.store import Store
from summarizer import Summarizer
from tests.slack_api import fake_slack_api
from tests.storage_backends import Clock, database_url

BERLIN = ZoneInfo("Europe/Berlin")


class Inbox:
    """A poster that keeps what it was given, message by message: each reply is ``parts`` messages,
    as a long digest is on a platform. It can be told to fail the next N posts, or once at a part."""

    def __init__(self, *, parts: int = 1) -> None:
        self.parts = parts
        self.posts: list[tuple[str, Reply]] = []  # each reply whose first message was posted
        self.messages: list[tuple[str, int]] = []  # (channel, part) of every message posted
        self.fail_next = 0
        self.fail_at: Counter[int] = Counter()  # part -> how many more times it fails
        self.arrived = asyncio.Event()

    async def __call__(
        self,
        channel: str,
        reply: Reply,
        *,
        start: int = 0,
        sent: Progress | None = None,
        thread: str | None = None,
    ) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("platform said 503")
        for part in range(start, self.parts):
            if self.fail_at[part] > 0:
                self.fail_at[part] -= 1
                error = ConnectionError(f"reset by peer at part {part}")
                if part == 0:
                    raise error
                raise PartlyPosted(part) from error
            if part == 0:
                self.posts.append((channel, reply))
            self.messages.append((channel, part))
            if sent is not None:
                await sent(part + 1)
        self.arrived.set()

    @property
    def digests(self) -> list[DigestReply]:
        return [r for _, r in self.posts if isinstance(r, DigestReply)]


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from database_url(request.param, tmp_path)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 24, 8, 0, tzinfo=BERLIN))


@pytest.fixture
def store(url: str, summarizer: Summarizer, clock: Clock) -> Store:
    engine, sessions = open_database(url)
    return Store(engine=engine, sessions=sessions, summarizer=summarizer, clock=clock)


def samples() -> list[Document]:
    return [d for d in iter_documents([samples_dir()]) if isinstance(d, Document)]


def subscribed_channel(store: Store, *, at: str = "09:00", zone: str = "Europe/Berlin") -> int:
    channel = ensure_channel(store, "console", "newsroom")
    subscribe(store, channel, digest_time=at, timezone=zone)
    return channel


# -- the ledger ----------------------------------------------------------------------------------


def test_a_claim_is_taken_once_until_it_fails_or_expires(store: Store, clock: Clock) -> None:
    channel = ensure_channel(store, "console", "x")
    day = date(2026, 11, 24)
    first = ledger.claim(store, channel, day, owner="a", now=clock.now)
    assert first is not None
    assert ledger.claim(store, channel, day, owner="b", now=clock.now) is None
    # The poster "a" died: after the lease its claim may be taken over, once.
    later = clock.now + ledger.DEFAULT_LEASE + timedelta(seconds=1)
    second = ledger.claim(store, channel, day, owner="b", now=later)
    assert second is not None and second.attempt == 2
    assert ledger.claim(store, channel, day, owner="c", now=later) is None
    assert not ledger.mark_sent(store, first, [], now=later), "a lost claim cannot mark the digest sent"
    assert ledger.mark_sent(store, second, [], now=later)
    assert ledger.claim(store, channel, day, owner="d", now=later + timedelta(days=1)) is None
    assert ledger.sent(store, [(channel, day)]) == {(channel, day)}


def test_a_failed_claim_can_be_retried_at_once(store: Store, clock: Clock) -> None:
    channel = ensure_channel(store, "console", "x")
    held = ledger.claim(store, channel, date(2026, 11, 24), owner="a", now=clock.now)
    assert held is not None
    ledger.mark_failed(store, held, "503")
    retry = ledger.retryable(store, since=date(2026, 11, 23), now=clock.now)
    assert retry == [(channel, "digest", date(2026, 11, 24))]
    assert ledger.claim(store, channel, date(2026, 11, 24), owner="b", now=clock.now) is not None


def test_racing_claims_have_one_winner(store: Store, clock: Clock) -> None:
    channel = ensure_channel(store, "console", "x")
    for offset in range(10):
        day = date(2026, 12, 1) + timedelta(days=offset)
        barrier = threading.Barrier(4)
        wins: list[object] = []

        def race(
            owner: str, day: date = day, barrier: threading.Barrier = barrier, wins: list[object] = wins
        ) -> None:
            barrier.wait()
            held = ledger.claim(store, channel, day, owner=owner, now=clock.now)
            if held is not None:
                wins.append(held)

        threads = [threading.Thread(target=race, args=(f"instance-{i}",)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(wins) == 1


# -- the deliverer ---------------------------------------------------------------------------------


async def test_digest_is_posted_once_with_stories_grouped(store: Store, clock: Clock) -> None:
    store.ingest(samples())
    channel = subscribed_channel(store)
    inbox = Inbox()
    deliverer = Deliverer(store=store, posters={"console": inbox}, owner="one", retry_pause=0)
    clock.now = datetime(2026, 11, 24, 9, 0, tzinfo=BERLIN)
    reply = await deliverer.deliver(channel, clock.now)
    assert isinstance(reply, DigestReply)
    [(posted_to, digest)] = inbox.posts
    assert posted_to == "newsroom" and isinstance(digest, DigestReply)
    stories = digest.digest.stories
    assert stories[0].sources == 2 and "Halvern" in stories[0].title + stories[0].summary[0]
    assert len(digest.digest.article_ids) == 7 and len(stories) == 6
    assert "Bashar al-Assad" in digest.digest.actors
    assert digest.digest.day == date(2026, 11, 24)
    # Again the same day, or after a restart (a new deliverer): nothing more is posted.
    assert await deliverer.deliver(channel, clock.now + timedelta(minutes=5)) is None
    restarted = Deliverer(store=store, posters={"console": inbox}, owner="two", retry_pause=0)
    assert await restarted.deliver(channel, clock.now + timedelta(hours=1)) is None
    assert len(inbox.posts) == 1
    # The next day only what is new is posted.
    clock.now += timedelta(days=1)
    store.ingest(
        [
            Document(
                location="new",
                text="Fresh Report\n\nThe harbour reopened on Friday after "
                "the strike ended, officials said. Some 40 ships entered port.",
            )
        ]
    )
    reply = await restarted.deliver(channel, clock.now)
    assert isinstance(reply, DigestReply) and len(reply.digest.article_ids) == 1


async def test_restart_between_claim_and_send_posts_once_after_the_lease(store: Store, clock: Clock) -> None:
    store.ingest(samples()[:2])
    channel = subscribed_channel(store)
    clock.now = datetime(2026, 11, 24, 9, 0, tzinfo=BERLIN)
    # Instance "dead" claimed the digest and died before posting.
    assert ledger.claim(store, channel, date(2026, 11, 24), owner="dead", now=clock.now) is not None
    inbox = Inbox()
    survivor = Deliverer(store=store, posters={"console": inbox}, owner="alive", retry_pause=0)
    clock.now += timedelta(minutes=1)  # leases are judged by the store's (the database's) clock
    assert await survivor.deliver(channel, clock.now) is None
    clock.now += ledger.DEFAULT_LEASE
    assert isinstance(await survivor.deliver(channel, clock.now), DigestReply)
    assert await survivor.deliver(channel, clock.now) is None
    assert len(inbox.digests) == 1 and len(inbox.digests[0].digest.article_ids) == 2


async def test_platform_errors_are_retried_and_never_lose_the_digest(store: Store, clock: Clock) -> None:
    store.ingest(samples()[:3])
    channel = subscribed_channel(store)
    clock.now = datetime(2026, 11, 24, 9, 0, tzinfo=BERLIN)
    inbox = Inbox()
    deliverer = Deliverer(store=store, posters={"console": inbox}, owner="one", retry_pause=0)
    inbox.fail_next = 2  # two 503s, then success: posted once, within the same run
    assert isinstance(await deliverer.deliver(channel, clock.now), DigestReply)
    assert len(inbox.digests) == 1

    clock.now += timedelta(days=1)
    store.ingest(samples()[3:])
    inbox.fail_next = 10  # the platform is down for this run
    with pytest.raises(ConnectionError):
        await deliverer.deliver(channel, clock.now)
    assert [d.status for d in ledger.deliveries(store, channel)] == ["sent", "failed"]
    assert len(undelivered(store, channel)) == 4, "nothing was marked delivered"
    inbox.fail_next = 0
    retried = await deliverer.deliver(channel, clock.now + timedelta(minutes=1))
    assert isinstance(retried, DigestReply) and len(retried.digest.article_ids) == 4
    assert [d.status for d in ledger.deliveries(store, channel)] == ["sent", "sent"]


async def test_an_empty_day_says_so_or_stays_quiet(store: Store, clock: Clock) -> None:
    channel = subscribed_channel(store)
    clock.now = datetime(2026, 11, 24, 9, 0, tzinfo=BERLIN)
    inbox = Inbox()
    deliverer = Deliverer(store=store, posters={"console": inbox}, owner="one", retry_pause=0)
    reply = await deliverer.deliver(channel, clock.now)
    assert isinstance(reply, DigestReply) and reply.digest.empty and len(inbox.posts) == 1
    subscribe(store, channel, digest_time="09:00", timezone="Europe/Berlin", quiet_when_empty=True)
    await deliverer.deliver(channel, clock.now + timedelta(days=1))
    assert len(inbox.posts) == 1, "a quiet channel gets no 'nothing new' message"
    assert [d.status for d in ledger.deliveries(store, channel)] == ["sent", "sent"]


# -- the scheduler, with time moved ----------------------------------------------------------------


def instance(store: Store, inbox: Inbox, owner: str) -> BriefbotScheduler:
    """One bot instance's scheduler, posting to ``inbox``, on the clock time_machine moves."""
    deliverer = Deliverer(store=store, posters={"console": inbox}, owner=owner, retry_pause=0)
    return BriefbotScheduler(store=store, deliverer=deliverer, clock=lambda: datetime.now(UTC))


async def run_scheduler_at(store: Store, url: str, inbox: Inbox, at: datetime, *, owner: str) -> None:
    """Start a scheduler (as a restarted process would) at ``at``, let it process due jobs, stop it."""
    with time_machine.travel(at, tick=True):
        scheduler = instance(store, inbox, owner)
        scheduler.start()
        try:
            await asyncio.sleep(0.3)  # real time for the scheduler's first pass; the clock is moved
            await asyncio.wait_for(_settled(scheduler), timeout=20)
        finally:
            await scheduler.shutdown()


async def _settled(scheduler: BriefbotScheduler) -> None:
    while scheduler._inflight:
        await asyncio.wait(set(scheduler._inflight))


async def test_missed_run_within_grace_is_posted_once_and_beyond_grace_folds_into_the_next(
    store: Store, url: str, clock: Clock
) -> None:
    store.ingest(samples()[:2])
    channel = subscribed_channel(store)
    inbox = Inbox()
    assert not ledger.deliveries(store, channel)
    # 08:00: the bot runs and schedules 09:00, then goes down.
    await run_scheduler_at(store, url, inbox, datetime(2026, 11, 24, 8, 0, tzinfo=BERLIN), owner="a")
    assert inbox.posts == []
    # 09:20: back within the grace time: the missed 09:00 digest is posted, once.
    await run_scheduler_at(store, url, inbox, datetime(2026, 11, 24, 9, 20, tzinfo=BERLIN), owner="b")
    await run_scheduler_at(store, url, inbox, datetime(2026, 11, 24, 9, 25, tzinfo=BERLIN), owner="c")
    assert [d.digest.day for d in inbox.digests] == [date(2026, 11, 24)]
    # Down from 09:25 on the 24th to 10:00 on the 26th: the 25th is beyond grace and folds into one
    # catch-up digest on the 26th, not a pile.
    clock.now = datetime(2026, 11, 25, 12, 0, tzinfo=BERLIN)
    store.ingest(samples()[2:4])
    await run_scheduler_at(store, url, inbox, datetime(2026, 11, 26, 10, 0, tzinfo=BERLIN), owner="d")
    assert [d.digest.day for d in inbox.digests] == [date(2026, 11, 24), date(2026, 11, 26)]
    assert len(inbox.digests[1].digest.article_ids) == 2


async def test_two_schedulers_racing_post_each_digest_once(store: Store, url: str, clock: Clock) -> None:
    store.ingest(samples()[:2])
    channel = subscribed_channel(store, at="09:00")
    inbox = Inbox()
    at = datetime(2026, 11, 24, 9, 1, tzinfo=BERLIN)
    with time_machine.travel(at, tick=True):
        schedulers = [instance(store, inbox, owner) for owner in ("left", "right")]
        await asyncio.gather(*(s.catch_up() for s in schedulers))
    assert len(inbox.digests) == 1
    assert [d.status for d in ledger.deliveries(store, channel)] == ["sent"]


async def test_two_schedulers_in_one_process_each_run_their_own_jobs(store: Store, clock: Clock) -> None:
    """Each scheduler's jobs are its own bound methods: starting a second one in the same process
    does not take the first one's jobs over (its posters, its platforms), and stopping one leaves
    the other's jobs running."""
    store.ingest(samples()[:2])
    console = subscribed_channel(store, at="09:00")
    slack = ensure_channel(store, "slack", "CSECOND01")
    subscribe(store, slack, digest_time="09:00", timezone="Europe/Berlin")
    console_inbox, slack_inbox = Inbox(), Inbox()
    with time_machine.travel(datetime(2026, 11, 24, 9, 1, tzinfo=BERLIN), tick=True):
        first = instance(store, console_inbox, "first")
        second = BriefbotScheduler(
            store=store,
            deliverer=Deliverer(store=store, posters={"slack": slack_inbox}, owner="second", retry_pause=0),
            clock=lambda: datetime.now(UTC),
        )
        first.start()
        second.start()
        try:
            for inbox in (console_inbox, slack_inbox):  # each one's first reconcile pass, at start
                await asyncio.wait_for(inbox.arrived.wait(), timeout=20)
        finally:
            await second.shutdown()
        assert first.scheduler.get_job("sync") is not None and first.scheduler.running
        await first.shutdown()
    assert [channel for channel, _ in console_inbox.posts] == ["newsroom"]
    assert [channel for channel, _ in slack_inbox.posts] == ["CSECOND01"]
    assert [d.status for d in ledger.deliveries(store, console)] == ["sent"]
    assert [d.status for d in ledger.deliveries(store, slack)] == ["sent"]


async def test_a_digest_due_while_an_instance_is_down_is_posted_by_another_once(
    store: Store, url: str, clock: Clock
) -> None:
    store.ingest(samples()[:2])
    channel = subscribed_channel(store, at="09:00")
    inbox = Inbox()
    with time_machine.travel(datetime(2026, 11, 24, 8, 58, tzinfo=BERLIN), tick=False) as traveller:
        left, right = (instance(store, inbox, owner) for owner in ("left", "right"))
        left.start()
        right.start()
        await asyncio.sleep(0.2)  # both have run their first reconcile pass: nothing is due yet
        await left.shutdown()  # one instance stops before 09:00
        assert inbox.posts == []
        traveller.move_to(datetime(2026, 11, 24, 9, 0, 40, tzinfo=BERLIN))
        await right.sync()  # the other's next reconcile pass, within a minute of 09:00
        await right.sync()  # and the one after: nothing twice
        await right.shutdown()
    assert [d.digest.day for d in inbox.digests] == [date(2026, 11, 24)]
    assert [d.status for d in ledger.deliveries(store, channel)] == ["sent"]
    with store.engine.connect() as connection:  # and nothing of the schedule is APScheduler's table
        assert "apscheduler_jobs" not in inspect(connection).get_table_names()


async def test_two_reconcile_passes_racing_post_the_due_digest_once(
    store: Store, url: str, clock: Clock
) -> None:
    store.ingest(samples()[:2])
    channel = subscribed_channel(store, at="09:00")
    inbox = Inbox()
    with time_machine.travel(datetime(2026, 11, 24, 9, 0, 40, tzinfo=BERLIN), tick=False):
        schedulers = [instance(store, inbox, owner) for owner in ("left", "right", "third")]
        await asyncio.gather(*(s.sync() for s in schedulers))  # every instance's minute comes at once
        await asyncio.gather(*(s.sync() for s in schedulers))
    assert len(inbox.digests) == 1
    assert [d.status for d in ledger.deliveries(store, channel)] == ["sent"]


async def test_a_reconcile_pass_reads_the_ledger_once_however_many_channels(
    store: Store, url: str, clock: Clock
) -> None:
    from sqlalchemy import event

    store.ingest(samples()[:2])
    inbox = Inbox()
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    used, made = [], 0
    for channels in (2, 12):
        for n in range(made, channels):
            channel = ensure_channel(store, "console", f"desk-{n}")
            subscribe(store, channel, digest_time="09:00", timezone="Europe/Berlin")
        made = channels
        with time_machine.travel(datetime(2026, 11, 24, 9, 0, 40, tzinfo=BERLIN), tick=False):
            scheduler = instance(store, inbox, "one")
            await scheduler.catch_up()  # posts the new channels' digests
            statements.clear()
            event.listen(store.engine, "before_cursor_execute", count)
            try:
                assert (await scheduler.catch_up()).due == 0  # every digest is sent: nothing to post
            finally:
                event.remove(store.engine, "before_cursor_execute", count)
        used.append(len(statements))
    assert len(inbox.digests) == 12
    assert used[0] == used[1] <= 2, statements


async def test_an_instance_without_the_platform_leaves_the_digest_to_one_with_it(
    store: Store, clock: Clock
) -> None:
    store.ingest(samples()[:2])
    channel = subscribed_channel(store)  # a console channel
    clock.now = datetime(2026, 11, 24, 9, 1, tzinfo=BERLIN)
    slack_only = Deliverer(store=store, posters={"slack": Inbox()}, owner="slack-only", retry_pause=0)
    assert await slack_only.deliver(channel, clock.now) is None
    assert ledger.deliveries(store, channel) == []  # not claimed, not failed: nothing to retry
    inbox = Inbox()
    console = Deliverer(store=store, posters={"console": inbox}, owner="console", retry_pause=0)
    assert await console.deliver(channel, clock.now) is not None and len(inbox.digests) == 1


async def test_digest_now_in_chat_posts_through_the_ledger_once(store: Store, clock: Clock) -> None:
    from bot.core import CommandCore, Incoming

    store.ingest(samples()[:2])
    inbox = Inbox()
    deliverer = Deliverer(store=store, posters={"console": inbox}, owner="one", retry_pause=0)
    clock.now = datetime(2026, 11, 24, 7, 0, tzinfo=BERLIN)  # before the 09:00 digest: `now` forces it
    core = CommandCore(store=store, clock=clock, deliver=deliverer.post_now)
    incoming = Incoming(platform="console", channel="newsroom", user="u", text="digest now", is_manager=True)
    subscribed_channel(store)
    [first] = await core.handle(incoming)
    assert isinstance(first, TextReply) and "is posted" in first.text
    [second] = await core.handle(incoming)
    assert isinstance(second, TextReply) and "already posted" in second.text
    assert len(inbox.digests) == 1 and len(inbox.digests[0].digest.article_ids) == 2


async def test_a_long_digest_that_fails_half_way_is_continued_not_repeated(
    store: Store, clock: Clock
) -> None:
    store.ingest(samples()[:2])
    channel = subscribed_channel(store)
    clock.now = datetime(2026, 11, 24, 9, 0, tzinfo=BERLIN)
    inbox = Inbox(parts=3)
    inbox.fail_at[1] = 1
    deliverer = Deliverer(store=store, posters={"console": inbox}, owner="one", retry_pause=0)
    assert isinstance(await deliverer.deliver(channel, clock.now), DigestReply)
    assert inbox.messages == [("newsroom", 0), ("newsroom", 1), ("newsroom", 2)]


async def test_a_digest_failing_half_way_is_continued_by_another_instance_with_the_same_articles(
    store: Store, clock: Clock
) -> None:
    store.ingest(samples()[:2])
    channel = subscribed_channel(store)
    clock.now = datetime(2026, 11, 24, 9, 0, tzinfo=BERLIN)
    inbox = Inbox(parts=3)
    inbox.fail_at[1] = 3  # part 1 fails on every attempt of the first instance
    first = Deliverer(store=store, posters={"console": inbox}, owner="first", retry_pause=0)
    with pytest.raises(PartlyPosted):
        await first.deliver(channel, clock.now)
    [failed] = ledger.deliveries(store, channel)
    assert (failed.status, failed.parts_sent) == ("failed", 1)
    store.ingest(samples()[2:3])  # news arrives before the retry: it waits for the next digest
    clock.now += timedelta(minutes=1)
    second = Deliverer(store=store, posters={"console": inbox}, owner="second", retry_pause=0)
    scheduler = BriefbotScheduler(store=store, deliverer=second, clock=lambda: clock.now)
    await scheduler.retry()
    assert inbox.messages == [("newsroom", 0), ("newsroom", 1), ("newsroom", 2)], "no part twice"
    [sent] = ledger.deliveries(store, channel)
    assert (sent.status, sent.parts_sent, sent.articles) == ("sent", 3, 2)
    assert len(undelivered(store, channel)) == 1, "the late article is left for the next digest"


async def test_a_slow_post_renews_its_claim_so_no_other_instance_takes_it(store: Store, clock: Clock) -> None:
    store.ingest(samples()[:2])
    channel = subscribed_channel(store)
    clock.now = datetime(2026, 11, 24, 9, 0, tzinfo=BERLIN)
    lease = timedelta(seconds=3)
    day = date(2026, 11, 24)
    rivals: list[object] = []

    class SlowInbox(Inbox):
        async def __call__(
            self,
            channel: str,
            reply: Reply,
            *,
            start: int = 0,
            sent: Progress | None = None,
            thread: str | None = None,
        ) -> None:
            await super().__call__(channel, reply, start=start, sent=sent)
            clock.now += timedelta(seconds=2)  # a 429 wait, longer in all than the lease
            await asyncio.sleep(lease.total_seconds() / 3 + 0.3)  # a renewal (every lease/3) runs
            clock.now += timedelta(seconds=2)
            rivals.append(ledger.claim(store, subscribed, day, owner="rival", lease=lease))

    subscribed = channel
    inbox = SlowInbox(parts=2)
    deliverer = Deliverer(store=store, posters={"console": inbox}, owner="one", retry_pause=0, lease=lease)
    assert isinstance(await deliverer.deliver(channel, clock.now), DigestReply)
    assert rivals == [None], "the claim was renewed while posting"
    assert [d.status for d in ledger.deliveries(store, channel)] == ["sent"]


async def test_a_poster_whose_claim_was_taken_over_stops_posting(store: Store, clock: Clock) -> None:
    store.ingest(samples()[:2])
    channel = subscribed_channel(store)
    clock.now = datetime(2026, 11, 24, 9, 0, tzinfo=BERLIN)
    day = date(2026, 11, 24)

    class FrozenInbox(Inbox):
        """Frozen after its first message for longer than the lease (a stopped process, a lost
        network): another instance takes the claim meanwhile."""

        async def __call__(
            self,
            channel: str,
            reply: Reply,
            *,
            start: int = 0,
            sent: Progress | None = None,
            thread: str | None = None,
        ) -> None:
            async def then_frozen(parts: int, thread: str | None = None, /) -> None:
                if parts == 1:
                    clock.now += ledger.DEFAULT_LEASE + timedelta(seconds=1)
                    assert ledger.claim(store, subscribed, day, owner="rival") is not None
                assert sent is not None
                await sent(parts)

            await super().__call__(channel, reply, start=start, sent=then_frozen)

    subscribed = channel  # the poster's own parameter is the platform's channel name
    inbox = FrozenInbox(parts=3)
    deliverer = Deliverer(store=store, posters={"console": inbox}, owner="one", retry_pause=0)
    assert await deliverer.deliver(channel, clock.now) is None
    assert inbox.messages == [("newsroom", 0)], "nothing more once the claim was lost"
    [row] = ledger.deliveries(store, channel)
    assert (row.status, row.claimed_by, row.parts_sent) == ("claimed", "rival", 0)


async def test_a_database_error_while_marking_sent_is_retried_not_posted_again(
    store: Store, clock: Clock
) -> None:
    from sqlalchemy import event
    from sqlalchemy.exc import OperationalError

    store.ingest(samples()[:2])
    channel = subscribed_channel(store)
    clock.now = datetime(2026, 11, 24, 9, 0, tzinfo=BERLIN)
    faults = [2]  # the database refuses the first two "mark sent" statements

    def refuse(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.startswith("UPDATE deliveries SET") and "sent_at" in statement and faults[0]:
            faults[0] -= 1
            raise OperationalError(statement, parameters, Exception("server closed the connection"))

    inbox = Inbox(parts=2)
    deliverer = Deliverer(store=store, posters={"console": inbox}, owner="one", retry_pause=0, mark_pause=0)
    event.listen(store.engine, "before_cursor_execute", refuse)
    try:
        assert isinstance(await deliverer.deliver(channel, clock.now), DigestReply)
    finally:
        event.remove(store.engine, "before_cursor_execute", refuse)
    assert faults == [0]
    assert [d.status for d in ledger.deliveries(store, channel)] == ["sent"]
    clock.now += ledger.DEFAULT_LEASE + timedelta(minutes=1)
    await BriefbotScheduler(store=store, deliverer=deliverer, clock=lambda: clock.now).retry()
    assert inbox.messages == [("newsroom", 0), ("newsroom", 1)]


async def test_a_failing_feed_notice_that_fails_to_post_is_retried(store: Store, clock: Clock) -> None:
    from storage import feedstore
    from storage.channels import follow
    from storage.models import SourceRow

    channel = subscribed_channel(store)
    feed = feedstore.add_feed(store, "https://feeds.example/broken.xml")
    follow(store, channel, feed.id)
    with store.sessions.begin() as session:
        row = session.get(SourceRow, feed.id)
        assert row is not None
        row.failures, row.last_error = 3, "HTTP 500 from https://feeds.example/broken.xml"
    inbox = Inbox()
    inbox.fail_next = 3  # every attempt of the first pass fails
    deliverer = Deliverer(store=store, posters={"console": inbox}, owner="one", retry_pause=0)
    scheduler = BriefbotScheduler(store=store, deliverer=deliverer, clock=lambda: clock.now)
    await scheduler.notify_failing_feeds()
    assert inbox.posts == []
    await scheduler.notify_failing_feeds()  # the next pass: posted now, and only once after that
    await scheduler.notify_failing_feeds()
    notices = [r for _, r in inbox.posts if isinstance(r, TextReply)]
    assert len(notices) == 1 and "failed 3 times" in notices[0].text


def test_composing_a_digest_costs_the_same_statements_for_few_or_many_articles(
    store: Store, clock: Clock
) -> None:
    from sqlalchemy import event

    from bot.digest import compose

    few, many = ensure_channel(store, "console", "few"), ensure_channel(store, "console", "many")
    store.ingest(samples())
    mark_delivered(store, few, [a.id for a in store.articles(limit=100)][2:])  # "few" has 2 new, "many" 7
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        small = compose(store, few, now=clock.now)
        used_small = len(statements)
        statements.clear()
        large = compose(store, many, now=clock.now)
        used_large = len(statements)
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    assert len(small.article_ids) == 2 and len(large.article_ids) == 7
    assert used_small == used_large <= 7


async def test_a_long_slack_message_failing_half_way_is_finished_by_another_instance(store: Store) -> None:
    """The real Slack poster against the loopback Web API, which refuses the second message three
    times: the ledger keeps how far it got, and another instance's retry posts the rest, each once."""
    lines = [f"Sentence number {n} says word word word word word word word word." for n in range(1, 800)]
    long = TextReply(text="\n".join(lines))
    parts = len(to_messages(to_view(long)))
    assert parts >= 3
    channel = ensure_channel(store, "slack", "CLONG0001")
    day = date(2026, 11, 24)
    with fake_slack_api() as api:
        api.script("chat.postMessage", answer={"ok": True, "channel": "CLONG0001", "ts": "1700000000.1"})
        for _ in range(3):
            api.script("chat.postMessage", answer={"ok": False, "error": "internal_error"})
        posters = {"slack": slack_poster(Secrets(), client=api.client())}
        first = Deliverer(store=store, posters=posters, owner="first", retry_pause=0)
        with pytest.raises(PartlyPosted):
            await first.deliver_notice(channel, "long-notice", day, lambda: long.text)
        [failed] = ledger.deliveries(store, channel, topic="long-notice")
        assert (failed.status, failed.parts_sent) == ("failed", 1)
        second = Deliverer(store=store, posters=posters, owner="second", retry_pause=0)
        assert await second.deliver_notice(channel, "long-notice", day, lambda: long.text)
        texts = [call.body["text"] for call in api.delivered()]
    expected = [m.text for m in to_messages(to_view(long))]
    assert texts == expected, "every message once, in order"
    [sent] = ledger.deliveries(store, channel, topic="long-notice")
    assert (sent.status, sent.parts_sent) == ("sent", parts)
