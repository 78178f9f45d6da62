"""A poll fetches only the pages of entries it has not seen, and a new feed's backlog does not flood
the next digest. Both databases; the pages are served, and their fetches counted, by a loopback server."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from sqlalchemy import event, select

from bot.cli import samples_dir
from bot.delivery import Deliverer
from bot.scheduler import BriefbotScheduler
from config import ConfigError, StorageSettings, load_settings
from storage import feedstore
from storage.db import open_database
from storage.documents import Document
from storage.models import FeedEntryRow
from storage.store import Store
from tests import loopback
from tests.storage_backends import database_url
from tests.test_feed_ingest import page

loopback_server = loopback.loopback_server  # the fixture, found by pytest under this name

SETTINGS = StorageSettings(allow_hosts=("127.0.0.1",), fetch_timeout=5.0)
EPOCH = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    for url in database_url(request.param, tmp_path):
        engine, sessions = open_database(url)
        yield Store(engine=engine, sessions=sessions)
        engine.dispose()


class Site:
    """A loopback news site: article pages ``/p<n>.html`` (each a distinct story) and one feed."""

    def __init__(self, server: loopback.LoopbackServer) -> None:
        self.server = server
        self.texts = [p.read_text("utf-8") for p in sorted(samples_dir().glob("*.txt"))]
        self.feed_url = server.url("/feed.xml")

    def article(self, n: int, *, status: int = 200) -> str:
        text = self.texts[n % len(self.texts)] + f"\n\nThis is report {n} of the example desk."
        return self.server.reply(f"/p{n}.html", page(f"Story {n}", text), status=status)

    def publish(self, numbers: Sequence[int], *, etag: str, summary: str = "") -> None:
        """The feed lists these entries, in this order; entry n was published n hours after EPOCH."""
        items = "".join(
            f"<item><title>Story {n}</title><link>{self.server.url(f'/p{n}.html')}</link>"
            f"<guid>story-{n}</guid><pubDate>{format_datetime(EPOCH + timedelta(hours=n))}</pubDate>"
            + (f"<description>{summary} {n}.</description>" if summary else "")
            + "</item>"
            for n in numbers
        )
        body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title>{items}</channel></rss>'
        self.server.reply("/feed.xml", body, content_type="application/rss+xml", headers={"ETag": etag})

    def fetches(self, numbers: Sequence[int]) -> list[int]:
        return [self.server.count(f"/p{n}.html") for n in numbers]


@pytest.fixture
def site(loopback_server: loopback.LoopbackServer) -> Site:
    return Site(loopback_server)


def poll(store: Store, settings: StorageSettings = SETTINGS) -> feedstore.PollReport:
    [report] = feedstore.poll_feeds(store, settings)
    assert report.error is None, report.error
    return report


def test_a_changed_feed_fetches_only_its_new_entrys_page(store: Store, site: Site) -> None:
    for n in range(4):
        site.article(n)
    site.publish([2, 1, 0], etag='"v1"')
    feedstore.add_feed(store, site.feed_url)
    assert poll(store).new == 3
    site.publish([3, 2, 1, 0], etag='"v2"')  # one new entry, and the ETag changed
    report = poll(store)
    assert (report.new, report.duplicates) == (1, 3)
    assert site.fetches(range(4)) == [1, 1, 1, 1]  # the second poll fetched one page: the new one
    assert store.count() == 4


def test_a_new_feed_stores_only_its_newest_entries_and_later_ones_as_they_come(
    store: Store, site: Site
) -> None:
    numbers = [5, 11, 0, 7, 3, 9, 1, 10, 2, 8, 4, 6]  # twelve entries, not in date order
    for n in [*numbers, 12]:
        site.article(n)
    site.publish(numbers, etag='"v1"')
    feedstore.add_feed(store, site.feed_url)
    first = poll(store)
    assert (first.new, first.skipped) == (3, 9)
    assert site.fetches(range(12)) == [0] * 9 + [1, 1, 1]  # the three newest by date, nothing else
    assert sorted(a.title for a in store.articles()) == ["Story 10", "Story 11", "Story 9"]

    site.publish([12, *numbers], etag='"v2"')
    second = poll(store)
    assert (second.new, second.duplicates, second.skipped) == (1, 3, 9)
    assert site.fetches(range(13)) == [0] * 9 + [1, 1, 1, 1]
    assert store.count() == 4


def test_a_feed_without_dates_takes_its_first_entries_as_the_newest(store: Store, site: Site) -> None:
    for n in range(6):
        site.article(n)
    items = "".join(
        f"<item><title>Story {n}</title><link>{site.server.url(f'/p{n}.html')}</link></item>"
        for n in range(6)
    )
    site.server.reply(
        "/feed.xml",
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title>{items}</channel></rss>',
        content_type="application/rss+xml",
    )
    feedstore.add_feed(store, site.feed_url)
    assert poll(store, StorageSettings(allow_hosts=("127.0.0.1",), first_poll_entries=2)).new == 2
    assert site.fetches(range(6)) == [1, 1, 0, 0, 0, 0]


def test_no_backlog_at_all_with_first_poll_entries_0(store: Store, site: Site) -> None:
    settings = StorageSettings(allow_hosts=("127.0.0.1",), first_poll_entries=0)
    for n in range(6):
        site.article(n)
    site.publish(range(5), etag='"v1"')
    feedstore.add_feed(store, site.feed_url)
    first = poll(store, settings)
    assert (first.new, first.skipped) == (0, 5) and store.count() == 0
    assert site.fetches(range(5)) == [0] * 5
    site.publish(range(6), etag='"v2"')
    assert poll(store, settings).new == 1
    assert site.fetches(range(6)) == [0] * 5 + [1]


def test_a_page_failing_for_now_is_fetched_again_and_one_refused_for_good_is_not(
    store: Store, site: Site
) -> None:
    site.article(0, status=503)  # the server is struggling: try again next time
    site.article(1, status=404)  # gone: the entry's own summary is what there is
    site.server.reply("/p2.html", "<html><body><nav>Home</nav></body></html>")  # no article in it
    site.publish([0, 1, 2], etag='"v1"', summary="What the desk wrote about story")
    feedstore.add_feed(store, site.feed_url)
    first = poll(store)
    assert (first.new, first.retry) == (2, 1)  # the two summaries; the 503 waits for its page
    site.article(0)  # recovered
    site.publish([0, 1, 2], etag='"v2"')
    second = poll(store)
    assert (second.new, second.duplicates, second.retry) == (1, 2, 0)
    assert site.fetches(range(3)) == [2, 1, 1]
    assert "report 0 of the example desk" in (store.text_of(store.articles()[0].id) or "")


def test_an_entry_linking_to_a_stored_article_is_not_fetched(store: Store, site: Site) -> None:
    url = site.article(0)
    site.article(1)
    store.ingest([Document(location=url, url=url, text=site.texts[0], title="Story 0")])  # read before
    site.publish([1, 0], etag='"v1"')
    feedstore.add_feed(store, site.feed_url)
    report = poll(store)
    assert (report.new, report.duplicates) == (1, 1)
    assert site.fetches([0, 1]) == [0, 1]
    with store.sessions() as session:  # recorded, so the next poll finds it among the feed's entries
        keys = session.scalars(select(FeedEntryRow.key)).all()
    assert sorted(key.rsplit("/", 1)[-1] for key in keys) == ["story-0", "story-1"]  # GUIDs, resolved


def test_a_poll_looks_up_its_entries_in_one_query(store: Store, site: Site) -> None:
    settings = StorageSettings(allow_hosts=("127.0.0.1",), first_poll_entries=12)
    for n in range(13):
        site.article(n)
    site.publish(range(12), etag='"v1"')
    feedstore.add_feed(store, site.feed_url)
    poll(store, settings)
    site.publish(range(13), etag='"v2"')
    lookups: list[str] = []

    def seen(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT") and re.search(r'feed_entries\."?key\b', statement):
            lookups.append(statement)

    event.listen(store.engine, "before_cursor_execute", seen)
    try:
        assert poll(store, settings).new == 1
    finally:
        event.remove(store.engine, "before_cursor_execute", seen)
    assert len(lookups) == 1, lookups


async def test_the_schedulers_poll_takes_a_new_feeds_newest_entries(store: Store, site: Site) -> None:
    for n in range(12):
        site.article(n)
    site.publish(range(12), etag='"v1"')
    feedstore.add_feed(store, site.feed_url)
    scheduler = BriefbotScheduler(store=store, deliverer=Deliverer(store=store), storage_settings=SETTINGS)
    scheduler.start()
    try:
        deadline = time.monotonic() + 60
        while not feedstore.list_feeds(store)[0].last_polled_at and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
    finally:
        await scheduler.shutdown()
    assert store.count() == 3
    assert site.fetches(range(12)) == [0] * 9 + [1, 1, 1]


def test_briefbot_feeds_poll_follows_the_setting(tmp_path: Path, site: Site) -> None:
    for n in range(5):
        site.article(n)
    site.publish(range(5), etag='"v1"')
    env = {
        **os.environ,
        "BRIEFBOT_DATA_DIR": str(tmp_path),
        "BRIEFBOT_STORAGE_ALLOW_HOSTS": "127.0.0.1",
        "BRIEFBOT_STORAGE_FIRST_POLL_ENTRIES": "2",
    }
    for command in (["feeds", "add", site.feed_url], ["feeds", "poll"]):
        done = subprocess.run(
            [sys.executable, "-m", "bot.cli", *command], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
    assert f"{site.feed_url}: 2 new" in done.stdout
    assert site.fetches(range(5)) == [0, 0, 0, 1, 1]


def test_the_setting_is_read_checked_and_documented() -> None:
    assert StorageSettings().first_poll_entries == 3
    env = {"BRIEFBOT_STORAGE_FIRST_POLL_ENTRIES": "0"}
    assert load_settings(env=env).storage.first_poll_entries == 0
    with pytest.raises(ConfigError, match="must be 0 or more"):
        load_settings(env={"BRIEFBOT_STORAGE_FIRST_POLL_ENTRIES": "-1"})
    row = "| `storage.first_poll_entries` | `BRIEFBOT_STORAGE_FIRST_POLL_ENTRIES` | `3` |"
    assert row in README.read_text("utf-8")
