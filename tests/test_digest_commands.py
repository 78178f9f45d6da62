"""``digest now`` and ``subscribe`` as the running bot sees them: the chat core with the scheduler's
deliverer behind it, on both databases, time moved by hand.

What a command decides must hold where it matters, at the scheduled post: a ``digest now`` takes
today's digest, a channel that asked for quiet hears nothing on an empty day, and a new time keeps the
channel's zone.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core import CommandCore, DigestReply, Incoming, TextReply
from bot.delivery import Deliverer
from storage.channels import ensure_channel, get_channel, subscribe
from storage.db import open_database
from storage.store import Store
from summarizer import Summarizer
from tests.storage_backends import Clock, database_url
from tests.test_delivery import Inbox, samples

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from database_url(request.param, tmp_path)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 24, 7, 0, tzinfo=BERLIN))


@pytest.fixture
def store(url: str, summarizer: Summarizer, clock: Clock) -> Store:
    engine, sessions = open_database(url)
    store = Store(engine=engine, sessions=sessions, summarizer=summarizer, clock=clock)
    store.ingest(samples()[:2])
    return store


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture
def deliverer(store: Store, inbox: Inbox) -> Deliverer:
    return Deliverer(store=store, posters={"console": inbox}, owner="one", retry_pause=0)


@pytest.fixture
def core(store: Store, clock: Clock, deliverer: Deliverer) -> CommandCore:
    """The core as ``briefbot run`` wires it: ``digest now`` goes through the deliverer."""
    return CommandCore(store=store, clock=clock, deliver=deliverer.post_now)


async def answers(core: CommandCore, text: str, *, manager: bool = True) -> list[TextReply]:
    incoming = Incoming(platform="console", channel="newsroom", user="u", text=text, is_manager=manager)
    replies = await core.handle(incoming)
    texts = [r for r in replies if isinstance(r, TextReply)]
    assert len(texts) == len(replies), "with a deliverer the digest goes to the channel, not in the answer"
    return texts


async def say(core: CommandCore, text: str, *, manager: bool = True) -> str:
    return "\n".join(r.text for r in await answers(core, text, manager=manager))


def newsroom(store: Store) -> int:
    return ensure_channel(store, "console", "newsroom")


async def test_digest_now_takes_the_place_of_the_scheduled_digest(
    core: CommandCore, store: Store, clock: Clock, deliverer: Deliverer, inbox: Inbox
) -> None:
    await say(core, "subscribe 09:00 Europe/Berlin")
    assert "Only channel managers can use `digest now`" in await say(core, "digest now", manager=False)
    assert inbox.posts == []
    [answer] = await answers(core, "digest now")
    assert "replaces today's scheduled digest (09:00 Europe/Berlin)" in answer.text and answer.private
    [posted] = inbox.digests
    assert isinstance(posted, DigestReply) and len(posted.digest.article_ids) == 2
    at_nine = datetime(2026, 11, 24, 9, 0, tzinfo=BERLIN)
    assert await deliverer.deliver(newsroom(store), at_nine) is None, "the 09:00 digest was taken"
    assert len(inbox.posts) == 1
    assert await deliverer.deliver(newsroom(store), at_nine + timedelta(days=1)) is not None
    assert len(inbox.posts) == 2, "tomorrow's comes as scheduled"


async def test_a_channel_that_asked_for_quiet_hears_nothing_on_an_empty_day(
    core: CommandCore, store: Store, deliverer: Deliverer, inbox: Inbox
) -> None:
    assert "posts nothing" in await say(core, "subscribe 09:00 Europe/Berlin quiet")
    day = datetime(2026, 11, 24, 9, 0, tzinfo=BERLIN)
    await deliverer.deliver(newsroom(store), day)
    await deliverer.deliver(newsroom(store), day + timedelta(days=1))
    assert [len(p.digest.article_ids) for p in inbox.digests] == [2]
    assert "says so briefly" in await say(core, "subscribe quiet:off")
    await deliverer.deliver(newsroom(store), day + timedelta(days=2))
    assert len(inbox.posts) == 2 and len(inbox.digests) == 2 and inbox.digests[1].digest.empty


async def test_digest_now_on_a_quiet_empty_day_says_nothing_was_posted(
    core: CommandCore, store: Store, clock: Clock, inbox: Inbox
) -> None:
    await say(core, "subscribe 09:00 Europe/Berlin quiet")
    assert "is posted in this channel" in await say(core, "digest now")
    clock.now += timedelta(days=1)
    assert "asked for quiet: nothing was posted" in await say(core, "digest now")
    assert len(inbox.posts) == 1


def test_a_new_time_keeps_the_channels_zone_and_quiet_setting(store: Store) -> None:
    channel = newsroom(store)
    subscribe(store, channel, digest_time="08:00", timezone="Europe/Berlin", quiet_when_empty=True)
    moved = subscribe(store, channel, digest_time="07:30")
    assert (moved.digest_time, moved.timezone, moved.quiet_when_empty) == ("07:30", "Europe/Berlin", True)
    subscribe(store, channel, timezone="Asia/Tokyo")
    stored = get_channel(store, channel)
    assert stored is not None and (stored.digest_time, stored.timezone) == ("07:30", "Asia/Tokyo")
    first = subscribe(store, ensure_channel(store, "console", "fresh"))
    assert (first.digest_time, first.timezone, first.quiet_when_empty) == ("09:00", "UTC", False)
