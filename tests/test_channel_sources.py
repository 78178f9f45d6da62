"""What a channel follows, through the commands: a channel that never chose feeds gets everything; one
that chose gets its feeds, and when its last feed goes it is told and gets nothing until a manager
chooses again. A feed a channel added stops being read when no channel follows it; one the store added
keeps being read. Both databases; feeds served by a loopback server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core import CommandCore, Incoming, TextReply
from bot.delivery import Deliverer
from bot.scheduler import BriefbotScheduler
from config import StorageSettings
from storage import feedstore, ledger, notices
from storage.channels import ensure_channel, subscribe, undelivered
from storage.db import open_database
from storage.store import Store
from tests import loopback
from tests.storage_backends import Clock, database_url
from tests.test_delivery import Inbox, samples
from tests.test_feed_ingest import rss

loopback_server = loopback.loopback_server  # the fixture, found by pytest under this name

SETTINGS = StorageSettings(allow_hosts=("127.0.0.1",), fetch_timeout=5.0)


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    for url in database_url(request.param, tmp_path):
        engine, sessions = open_database(url)
        clock = Clock(datetime(2026, 11, 24, 8, 0, tzinfo=ZoneInfo("UTC")))
        yield Store(engine=engine, sessions=sessions, clock=clock)
        engine.dispose()


async def say(core: CommandCore, text: str, *, manager: bool = True) -> str:
    [reply] = await core.handle(
        Incoming(platform="console", channel="newsroom", user="u", text=text, is_manager=manager)
    )
    assert isinstance(reply, TextReply)
    return reply.text


def a_feed(server: loopback.LoopbackServer, name: str) -> str:
    items = rss([("One", "https://news.example/1")])
    return server.reply(f"/{name}.xml", items, content_type="application/rss+xml")


async def test_removing_the_last_feed_in_chat_says_so_and_the_digest_is_empty_until_a_choice(
    store: Store,
    loopback_server: loopback.LoopbackServer,
) -> None:
    store.ingest(samples()[:2])  # stored from files: no feed
    core = CommandCore(store=store, storage_settings=SETTINGS)
    channel = ensure_channel(store, "console", "newsroom")
    assert len(undelivered(store, channel)) == 2  # never chose: everything
    assert "every stored article" in await say(core, "sources list")
    assert "Following feed" in await say(core, f"sources add {a_feed(loopback_server, 'a')}")
    assert undelivered(store, channel) == []  # chose a feed: only its articles (none yet)
    [feed] = feedstore.list_feeds(store)
    removed = await say(core, f"sources remove {feed.id}")
    assert "No longer following" in removed and "follows no feeds now" in removed
    assert "no longer read" in removed  # chat added it and nobody follows it: dropped
    assert feedstore.list_feeds(store) == []
    assert undelivered(store, channel) == [], "not silently everything again"
    assert "follows no feeds now" in await say(core, "sources list")
    assert "Only channel managers" in await say(core, "sources all", manager=False)
    assert "every stored article" in await say(core, "sources all")
    assert len(undelivered(store, channel)) == 2


async def test_a_feed_the_store_added_keeps_being_read_when_channels_unfollow_it(
    store: Store,
    loopback_server: loopback.LoopbackServer,
) -> None:
    url = a_feed(loopback_server, "b")
    feedstore.add_feed(store, url)  # `briefbot feeds add`
    core = CommandCore(store=store, storage_settings=SETTINGS)
    await say(core, f"sources add {url}")
    [feed] = feedstore.list_feeds(store)
    removed = await say(core, f"sources remove {feed.id}")
    assert "no longer read" not in removed
    assert [f.id for f in feedstore.list_feeds(store)] == [feed.id]


async def test_briefbot_feeds_remove_tells_each_channel_left_without_feeds_once(
    store: Store,
    loopback_server: loopback.LoopbackServer,
) -> None:
    core = CommandCore(store=store, storage_settings=SETTINGS)
    await say(core, f"sources add {a_feed(loopback_server, 'c')}")
    channel = ensure_channel(store, "console", "newsroom")
    subscribe(store, channel, digest_time="09:00", timezone="UTC")
    [feed] = feedstore.list_feeds(store)
    feedstore.remove_feed(store, str(feed.id))  # the operator, from the CLI
    inbox = Inbox()
    deliverer = Deliverer(store=store, posters={"console": inbox}, owner="one", retry_pause=0)
    clock = store.clock
    scheduler = BriefbotScheduler(store=store, deliverer=deliverer, clock=clock)
    await scheduler.retry()
    await scheduler.retry()
    told = [r.text for _, r in inbox.posts if isinstance(r, TextReply)]
    assert len(told) == 1 and "last feed was removed" in told[0] and "sources all" in told[0]
    [notice] = ledger.deliveries(store, channel, topic=notices.NO_FEEDS)
    assert notice.status == "sent"
    assert undelivered(store, channel) == []
