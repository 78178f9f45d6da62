"""Faults survived on PostgreSQL, the database a team with several instances runs: the connection cut
for real (a loopback TCP proxy in front of the server) mid-ingest and mid-digest, a feed host that
accepts the connection and never answers, the platform answering 500 and 429, and ``kill -9`` of the
bot between claiming a digest and sending it. Afterwards nothing is lost, nothing is posted twice, the
bot recovered by itself, and the log says what happened in a line a person can act on."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bot.adapters.slack_app import slack_poster
from bot.core import DigestReply, Reply
from bot.core.posting import Progress
from bot.delivery import Deliverer
from bot.scheduler import BriefbotScheduler
from bot.secrets import Secrets
from config import StorageSettings
from storage import feedstore, ledger
from storage.channels import ensure_channel, subscribe
from storage.db import open_database
from storage.models import DeliveryRow
from storage.store import Store
from tests import loopback
from tests.slack_api import FakeSlackApi, fake_slack_api
from tests.storage_backends import Clock, database_url
from tests.tcp_proxy import CuttableProxy, cuttable
from tests.test_delivery import Inbox, samples
from tests.test_feed_ingest import page, rss

loopback_server = loopback.loopback_server  # the fixture, found by pytest under this name
BOT = [sys.executable, "-m", "bot.cli"]


@pytest.fixture
def postgres(tmp_path: Path) -> Iterator[tuple[str, CuttableProxy]]:
    """A schema of its own, reached through a proxy the test can cut: (the URL through it, the proxy)."""
    for url in database_url("postgres", tmp_path):
        parsed = make_url(url)
        with cuttable((parsed.host or "127.0.0.1", parsed.port or 5432)) as proxy:
            yield parsed.set(port=proxy.port).render_as_string(hide_password=False), proxy


def store_at(url: str, clock: Clock | None = None) -> Store:
    engine, sessions = open_database(url)
    return (
        Store(engine=engine, sessions=sessions, clock=clock)
        if clock
        else Store(engine=engine, sessions=sessions)
    )


def test_the_database_cut_mid_ingest_loses_nothing_and_the_next_ingest_completes(
    postgres: tuple[str, CuttableProxy],
) -> None:
    url, proxy = postgres
    store = store_at(url)
    documents = samples()

    def cut_after_the_first(result: object) -> None:
        proxy.cut()

    with pytest.raises(OperationalError):
        store.ingest(documents, batch_size=1, progress=cut_after_the_first)
    proxy.restore()
    stored_before = store.count()  # the pool's dead connections are replaced (pool_pre_ping)
    assert stored_before >= 1
    results = store.ingest(documents)  # the next poll or ingest: what was stored is known, the rest stored
    assert store.count() == len(documents)
    assert sum(r.duplicate_of is not None for r in results) == stored_before
    store.engine.dispose()


async def test_the_database_cut_between_posting_and_marking_posts_once(
    postgres: tuple[str, CuttableProxy], caplog: pytest.LogCaptureFixture
) -> None:
    url, proxy = postgres
    clock = Clock(datetime(2026, 11, 24, 9, 0, tzinfo=ZoneInfo("Europe/Berlin")))
    store = store_at(url, clock)
    store.ingest(samples()[:2])
    channel = ensure_channel(store, "console", "newsroom")
    subscribe(store, channel, digest_time="09:00", timezone="Europe/Berlin")

    class CutAfterTheFirstPart(Inbox):
        async def __call__(
            self,
            channel: str,
            reply: Reply,
            *,
            start: int = 0,
            sent: Progress | None = None,
            thread: str | None = None,
        ) -> None:
            async def then_cut(parts: int, thread: str | None = None) -> None:
                if parts == 1:  # the platform took part 1; the database goes away for 2 seconds
                    proxy.cut()
                    threading.Timer(2.0, proxy.restore).start()
                assert sent is not None
                await sent(parts)

            await super().__call__(channel, reply, start=start, sent=then_cut)

    inbox = CutAfterTheFirstPart(parts=2)
    deliverer = Deliverer(store=store, posters={"console": inbox}, owner="one", retry_pause=0, mark_pause=0.5)
    caplog.set_level(logging.WARNING)
    started = time.monotonic()
    assert isinstance(await deliverer.deliver(channel, clock.now), DigestReply)
    assert time.monotonic() - started >= 1.5, "marked only once the database was back"
    assert inbox.messages == [("newsroom", 0), ("newsroom", 1)]
    [row] = ledger.deliveries(store, channel)
    assert row.status == "sent"
    await BriefbotScheduler(store=store, deliverer=deliverer, clock=lambda: clock.now).sync()
    assert inbox.messages == [("newsroom", 0), ("newsroom", 1)], "and nothing posted again"
    said = [r.getMessage() for r in caplog.records]
    assert any("could not record part 2 of digest" in line for line in said)
    assert any("recording the post of digest failed (attempt 1), asking again" in line for line in said)
    store.engine.dispose()


def test_a_feed_host_that_never_answers_fails_that_feed_only(
    postgres: tuple[str, CuttableProxy],
    loopback_server: loopback.LoopbackServer,
) -> None:
    url, _ = postgres
    store = store_at(url)
    hanging = loopback_server.reply("/never.xml", "", hang=True)
    text = samples()[0].text
    good = loopback_server.reply(
        "/good.xml",
        rss([("Story", loopback_server.reply("/story.html", page("Story", text)))]),
        content_type="application/rss+xml",
    )
    feedstore.add_feed(store, hanging)
    feedstore.add_feed(store, good)
    settings = StorageSettings(allow_hosts=("127.0.0.1",), fetch_timeout=1.0)
    started = time.monotonic()
    reports = {r.feed: r for r in feedstore.poll_feeds(store, settings)}
    assert time.monotonic() - started < 30
    assert reports[feedstore.feed_location(good)].new == 1 and store.count() == 1
    failed = reports[feedstore.feed_location(hanging)]
    assert failed.error is not None and "\n" not in failed.error and "timed out" in failed.error.lower()
    [state] = [f for f in feedstore.list_feeds(store) if f.url == feedstore.feed_location(hanging)]
    assert state.failures == 1 and state.next_poll_at is not None  # backing off, retried later
    store.engine.dispose()


def slack_bot_env(api: FakeSlackApi, url: str, data_dir: Path) -> dict[str, str]:
    """The environment of a ``briefbot run`` subprocess on the store at ``url``, posting to the fake
    Slack API over HTTP mode, with none of the caller's own settings or tokens."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRIEFBOT_", "SLACK_", "DISCORD_"))}
    env.update(
        BRIEFBOT_DATABASE_URL=url,
        BRIEFBOT_DATA_DIR=str(data_dir),
        BRIEFBOT_SLACK_MODE="http",
        BRIEFBOT_SLACK_API_URL=api.base_url,
        SLACK_BOT_TOKEN="xoxb-fault-test",
        SLACK_SIGNING_SECRET="fault-test-secret",
    )
    return env


def lease_runs_out(store: Store) -> None:
    """Every claim's lease over, as if the database's clock had moved on past it."""
    with store.sessions.begin() as session:
        session.execute(
            update(DeliveryRow).values(
                claimed_at=DeliveryRow.claimed_at - ledger.DEFAULT_LEASE - timedelta(seconds=1)
            )
        )


def test_a_bot_killed_between_claim_and_send_leaves_the_digest_to_the_next_run_once(
    postgres: tuple[str, CuttableProxy], tmp_path: Path
) -> None:
    """``kill -9`` while the platform holds the digest's post (claimed, not sent): the next run posts
    it after the claim's lease, once, and a run after that posts nothing."""
    url, _ = postgres
    store = store_at(url)
    store.ingest(samples()[:2])
    channel = ensure_channel(store, "slack", "CDIGEST01")
    due = (datetime.now(UTC) - timedelta(minutes=30)).strftime("%H:%M")
    subscribe(store, channel, digest_time=due, timezone="UTC")
    released = threading.Event()
    with fake_slack_api() as api:
        api.script("chat.postMessage", answer={"ok": False, "error": "never_answered"}, hold=released)
        env = slack_bot_env(api, url, tmp_path)
        first = subprocess.Popen(
            [*BOT, "run", "--once"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        try:
            assert api.wait_for(lambda fake: bool(fake.calls("chat.postMessage")), 120), "never posted"
            first.send_signal(signal.SIGKILL)  # claimed, posting, and gone
            first.wait(timeout=30)
        finally:
            released.set()
        [held] = ledger.deliveries(store, channel)
        assert held.status == "claimed" and api.delivered() == []
        lease_runs_out(store)
        for _ in range(2):
            again = subprocess.run(
                [*BOT, "run", "--once"], env=env, capture_output=True, text=True, timeout=300
            )
            assert again.returncode == 0, again.stderr
        delivered = api.delivered()
    assert len(delivered) == 1 and delivered[0].body["channel"] == "CDIGEST01"
    [sent] = ledger.deliveries(store, channel)
    assert (sent.status, sent.attempts) == ("sent", 2)
    store.engine.dispose()


async def test_a_platform_failing_then_rate_limiting_gets_the_digest_once_when_it_recovers(
    postgres: tuple[str, CuttableProxy], caplog: pytest.LogCaptureFixture
) -> None:
    """Slack answering 500 to every attempt, then 429 with Retry-After, then well: the digest is
    given back as failed, the retry pass claims it again, waits out the 429 and posts it once."""
    url, _ = postgres
    clock = Clock(datetime(2026, 11, 24, 9, 1, tzinfo=UTC))
    store = store_at(url, clock)
    store.ingest(samples()[:2])
    channel = ensure_channel(store, "slack", "CDIGEST02")
    subscribe(store, channel, digest_time="09:00", timezone="UTC")
    caplog.set_level(logging.WARNING)
    with fake_slack_api() as api:
        for _ in range(3):  # the deliverer's attempts in one pass
            api.script("chat.postMessage", status=500, answer={"ok": False, "error": "internal_error"})
        api.rate_limit_once("chat.postMessage", retry_after=1)
        posters = {"slack": slack_poster(Secrets(), client=api.client())}
        deliverer = Deliverer(store=store, posters=posters, owner="one", retry_pause=0)
        scheduler = BriefbotScheduler(store=store, deliverer=deliverer, clock=lambda: clock.now)
        await scheduler.sync()  # the 09:01 pass: refused three times, given back, retried: 429, then posted
        statuses = [c.status for c in api.calls("chat.postMessage")]
        clock.now += timedelta(minutes=1)
        await scheduler.sync()  # the next minute's pass: nothing left to post
        delivered = api.delivered()
    assert statuses == [500, 500, 500, 429, 200] and len(delivered) == 1
    [row] = ledger.deliveries(store, channel)
    assert (row.status, row.attempts) == ("sent", 2)
    assert any("not posted yet" in r.getMessage() and "status: 500" in r.getMessage() for r in caplog.records)
    store.engine.dispose()
