"""Feeds claimed in the database: instances sharing a store split the feeds and fetch every page once,
and a poller that died leaves a claim another takes over after its lease. Both databases; the pages
are served (and counted) by a loopback server."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import samples_dir
from bot.delivery import Deliverer
from bot.scheduler import BriefbotScheduler
from config import StorageSettings
from storage import feedstore
from storage.db import open_database
from storage.models import SourceRow
from storage.store import Store
from tests import loopback
from tests.storage_backends import Clock, database_url
from tests.test_feed_ingest import page, rss

loopback_server = loopback.loopback_server  # the fixture, found by pytest under this name

FEEDS, ENTRIES = 4, 3
SETTINGS = StorageSettings(allow_hosts=("127.0.0.1",), fetch_timeout=5.0)


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from database_url(request.param, tmp_path)


def instance(url: str, clock: Clock | None = None) -> Store:
    """One bot instance's store: its own engine and connections on the shared database."""
    engine, sessions = open_database(url)
    return (
        Store(engine=engine, sessions=sessions, clock=clock)
        if clock
        else Store(engine=engine, sessions=sessions)
    )


def serve_feeds(server: loopback.LoopbackServer, *, feeds: int = FEEDS, delay: float = 0.0) -> list[str]:
    """``feeds`` feeds of ENTRIES entries, each entry's page a distinct story."""
    texts = [p.read_text("utf-8") for p in sorted(samples_dir().glob("*.txt"))]
    served = []
    for f in range(feeds):
        items = []
        for e in range(ENTRIES):
            n = f * ENTRIES + e
            text = texts[n % len(texts)] + f"\n\nThis is report {n} of the example desk."
            items.append((f"Story {n}", server.reply(f"/p{n}.html", page(f"Story {n}", text), delay=delay)))
        served.append(server.reply(f"/f{f}.xml", rss(items), content_type="application/rss+xml"))
    return served


def entry_fetches(server: loopback.LoopbackServer, feeds: int = FEEDS) -> list[int]:
    return [server.count(f"/p{n}.html") for n in range(feeds * ENTRIES)]


def test_two_pollers_split_the_feeds_and_fetch_every_page_once(
    url: str, loopback_server: loopback.LoopbackServer
) -> None:
    first, second = instance(url), instance(url)
    # More feeds than one poll run reads at once, so the first instance cannot hold them all while
    # the second starts; slow pages, so the two runs overlap.
    feeds = feedstore.FEED_WORKERS + FEEDS
    for feed in serve_feeds(loopback_server, feeds=feeds, delay=0.05):
        feedstore.add_feed(first, feed)
    assert first.count() == second.count() == 0  # both connected before the race begins
    reports: dict[str, list[feedstore.PollReport]] = {}
    errors: list[BaseException] = []
    together = threading.Barrier(2)  # both runs begin before either finishes its first feed

    def poll(name: str, store: Store) -> None:
        together.wait(timeout=30)
        try:
            reports[name] = feedstore.poll_feeds(store, SETTINGS, owner=name)
        except BaseException as error:  # shown by the assertion below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=poll, args=(n, s)) for n, s in (("a", first), ("b", second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    polled = [r.feed for rs in reports.values() for r in rs]
    assert sorted(polled) == sorted(f.url for f in feedstore.list_feeds(first))  # each feed once, by one
    assert reports["a"] and reports["b"], "both instances took a share"
    assert entry_fetches(loopback_server, feeds) == [1] * (feeds * ENTRIES)
    assert first.count() == feeds * ENTRIES
    with first.sessions() as session:  # and every claim was given back
        assert (
            session.scalars(select(SourceRow.claimed_by).where(SourceRow.claimed_by.is_not(None))).all() == []
        )


def test_a_claim_left_by_a_dead_poller_is_taken_over_after_its_lease(
    url: str, loopback_server: loopback.LoopbackServer
) -> None:
    clock = Clock()
    store = instance(url, clock)
    feeds = serve_feeds(loopback_server)
    for feed in feeds:
        feedstore.add_feed(store, feed)
    held = feedstore.claim_feed(store, "dead-instance")  # claimed, and never polled or given back
    assert held is not None
    polled = {r.feed for r in feedstore.poll_feeds(store, SETTINGS, owner="alive")}
    assert held.url not in polled and len(polled) == FEEDS - 1
    clock.now += feedstore.CLAIM_LEASE + timedelta(seconds=1)
    [late] = feedstore.poll_feeds(store, SETTINGS, due_only=True, owner="alive")  # the others polled
    assert late.feed == held.url and late.new == ENTRIES
    assert entry_fetches(loopback_server) == [1] * (FEEDS * ENTRIES)


def test_a_poller_killed_mid_poll_leaves_a_claim_that_holds_until_its_lease_ends(
    url: str,
    loopback_server: loopback.LoopbackServer,
    tmp_path: Path,
) -> None:
    store = instance(url)
    hanging = loopback_server.reply("/hang.html", "", hang=True)  # the page never comes
    feed = feedstore.add_feed(
        store, loopback_server.reply("/f.xml", rss([("Hang", hanging)]), content_type="application/rss+xml")
    )
    env = {
        **os.environ,
        "BRIEFBOT_DATABASE_URL": url,
        "BRIEFBOT_STORAGE_ALLOW_HOSTS": "127.0.0.1",
        "BRIEFBOT_STORAGE_FETCH_TIMEOUT": "60",
        "BRIEFBOT_DATA_DIR": str(tmp_path),
    }
    poller = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "feeds", "poll"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not loopback_server.count("/hang.html") and time.monotonic() < deadline:
            time.sleep(0.05)  # until the poller, holding its claim, is waiting on the page
        assert loopback_server.count("/hang.html") == 1, (
            poller.stderr.read() if poller.poll() and poller.stderr else "no fetch"
        )
    finally:
        poller.send_signal(signal.SIGKILL)
        poller.wait(timeout=30)
    with store.sessions() as session:
        row = session.get(SourceRow, feed.id)
        assert row is not None and row.claimed_by is not None and row.claimed_until is not None
    assert feedstore.poll_feeds(store, SETTINGS, owner="other") == []  # still held: not polled twice
    store.clock = lambda: datetime.now(UTC) + feedstore.CLAIM_LEASE + timedelta(seconds=1)
    loopback_server.reply("/f.xml", rss([]), content_type="application/rss+xml")
    [taken] = feedstore.poll_feeds(store, SETTINGS, owner="other")
    assert taken.feed == feed.url and taken.error is None


class InFlight:
    """Routes that hold each request a moment, counting how many the server holds at once."""

    def __init__(self) -> None:
        self.now = self.most = 0
        self.lock = threading.Lock()

    def route(self, body: str) -> Callable[[loopback.Seen], loopback.Reply]:
        def answer(_seen: loopback.Seen) -> loopback.Reply:
            with self.lock:
                self.now += 1
                self.most = max(self.most, self.now)
            time.sleep(0.15)
            with self.lock:
                self.now -= 1
            return loopback.Reply(body=body)

        return answer


@pytest.mark.parametrize(("limit", "per_host", "most"), [(8, 3, 3), (4, 8, 4)])
def test_pages_are_fetched_side_by_side_within_both_bounds(
    tmp_path: Path,
    loopback_server: loopback.LoopbackServer,
    limit: int,
    per_host: int,
    most: int,
) -> None:
    store = instance(f"sqlite:///{tmp_path / 'bounds.db'}")
    text = (samples_dir() / "port-strike-harbor-times.txt").read_text("utf-8")
    held = InFlight()
    items = [  # one host, twelve entries, each page a story of its own
        (
            f"Story {n}",
            loopback_server.route(f"/p{n}.html", held.route(page(f"Story {n}", f"{text}\n\nReport {n}."))),
        )
        for n in range(12)
    ]
    feedstore.add_feed(
        store, loopback_server.reply("/feed.xml", rss(items), content_type="application/rss+xml")
    )
    settings = StorageSettings(
        allow_hosts=("127.0.0.1",),
        fetch_timeout=5.0,
        fetch_concurrency=limit,
        fetch_per_host=per_host,
        first_poll_entries=12,  # the whole feed, not only its newest
    )
    [report] = feedstore.poll_feeds(store, settings)
    assert report.new == 12
    assert [loopback_server.count(f"/p{n}.html") for n in range(12)] == [1] * 12
    assert held.most == most  # side by side, and never more than the tighter bound


async def test_a_started_scheduler_polls_the_due_feeds_at_once(
    url: str, loopback_server: loopback.LoopbackServer
) -> None:
    store = instance(url)
    for feed in serve_feeds(loopback_server):
        feedstore.add_feed(store, feed)
    scheduler = BriefbotScheduler(store=store, deliverer=Deliverer(store=store), storage_settings=SETTINGS)
    scheduler.start()  # a restart after a pause: the feeds are due now, not in feed_interval minutes
    try:
        deadline = time.monotonic() + 60
        while store.count() < FEEDS * ENTRIES and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
    finally:
        await scheduler.shutdown()
    assert store.count() == FEEDS * ENTRIES
    assert all(f.next_poll_at is not None for f in feedstore.list_feeds(store))  # next in feed_interval
