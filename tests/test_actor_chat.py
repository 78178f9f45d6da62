"""``actor`` and ``trending`` in chat, the same on every platform, and the weekly chart a channel's
digest carries on its chosen day. Articles with known people and dates, briefed by the real model
and linked by the store; the counts are by story."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import samples_dir
from bot.core import CommandCore
from bot.core.messages import DigestReply
from bot.delivery import Deliverer
from storage.channels import ensure_channel, subscribe
from storage.db import open_database
from storage.documents import Document
from storage.store import Store
from summarizer import Summarizer
from tests.chat_harness import Harness, Posted
from tests.storage_backends import Clock
from tests.test_delivery import Inbox

PLATFORMS = ["console", "slack", "discord"]
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # a Monday

# (days before NOW, title, text): Jane Holloway in one story before the week and three in it; the
# Marlow Transit Authority first named this week, twice; every article a story of its own.
ARTICLES = [
    (
        10,
        "Marlow Opens a New Library",
        "Mayor Jane Holloway opened the new public library in Marlow on Monday. The building cost "
        "$12 million and holds 80,000 books. Readers queued for an hour before the doors opened.",
    ),
    (
        4,
        "Marlow Sets Aside Money for Roads",
        "Mayor Jane Holloway announced a budget of $40 million for road repairs on Wednesday. "
        "Potholes on the ring road have damaged hundreds of cars this winter, residents said.",
    ),
    (
        3,
        "Teachers Walk Out in Marlow",
        "Jane Holloway met striking teachers at the town hall on Thursday. The Marlow Transit "
        "Authority added buses for pupils whose schools stayed open. The union wants a 6% raise.",
    ),
    (
        2,
        "Flood Defences Approved for the River Marl",
        "The council backed flood defences along the River Marl, Jane Holloway said on Friday. The "
        "Marlow Transit Authority will move its depot away from the river bank by 2028.",
    ),
]


def dated_store(path: Path, articles: Sequence[tuple[int, str, str]], now: datetime) -> Store:
    """A SQLite store holding ``articles`` (days before ``now``, title, text), each stored that many
    days before, briefed and linked; its clock left at ``now``."""
    engine, sessions = open_database(f"sqlite:///{path}")
    clock = Clock(now)
    store = Store(engine=engine, sessions=sessions, summarizer=Summarizer(), clock=clock)
    for days, title, text in articles:
        clock.now = now - timedelta(days=days)
        [stored] = store.ingest([Document(location=title, title=title, text=text)])
        assert stored.article is not None, stored.error
    clock.now = now
    return store


@pytest.fixture(scope="module")
def actor_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return dated_store(tmp_path_factory.mktemp("actors") / "briefbot.db", ARTICLES, NOW)


@pytest.fixture(params=PLATFORMS)
async def harness(request: pytest.FixtureRequest, actor_store: Store) -> AsyncIterator[Harness]:
    module = importlib.import_module(f"tests.harness_{request.param}")
    core = CommandCore(store=actor_store, clock=lambda: NOW)
    async with module.open_harness(core) as opened:
        yield opened


def joined(posted: list[Posted]) -> str:
    """The messages' text, without the bold marks Discord keeps in it (``Posted.bold`` has them)."""
    return "\n".join(p.text for p in posted).replace("**", "")


async def test_actor_shows_the_stories_that_name_them_latest_first(harness: Harness) -> None:
    text = joined(await harness.send("actor Jane Holloway"))
    assert "Jane Holloway (person): 4 stories" in text
    assert (
        text.index("Flood Defences Approved") < text.index("Teachers Walk Out") < text.index("Marlow Opens")
    )
    assert "Marlow Transit Authority" in text  # named alongside, in two stories
    assert "$40 million" in text  # a figure stated in a sentence that names her


async def test_actor_over_a_period_and_in_any_case(harness: Harness) -> None:
    text = joined(await harness.send('actor "jane holloway" since:7d'))
    assert "Jane Holloway (person): 3 stories since 23 Nov 2026" in text
    assert "Marlow Opens a New Library" not in text


async def test_an_unknown_actor_is_told_with_the_closest_names(harness: Harness) -> None:
    posted = await harness.send("actor Jane Holoway")
    assert len(posted) == 1 and (posted[0].private or harness.platform == "console")
    assert "No stored article names “Jane Holoway”. Did you mean `Jane Holloway`" in posted[0].text


async def test_actor_without_a_name_or_with_a_bad_period_gives_its_usage(harness: Harness) -> None:
    assert "Usage: actor <name>" in joined(await harness.send("actor"))
    assert "since:soon is not a date" in joined(await harness.send("actor Jane Holloway since:soon"))


async def test_trending_counts_by_story_against_the_week_before(harness: Harness) -> None:
    text = joined(await harness.send("trending"))
    assert "Trending over the last 7 days" in text
    assert "Jane Holloway: 3 stories, 1 in the 7 days before" in text
    assert "Marlow Transit Authority: 2 stories, none before" in text


async def test_trending_refuses_a_period_it_cannot_read(harness: Harness) -> None:
    assert "the period must be 1 to 90 days" in joined(await harness.send("trending 365d"))
    assert "“soon” is not a period" in joined(await harness.send("trending soon"))


async def test_a_channel_chooses_the_day_its_digest_carries_the_chart(harness: Harness) -> None:
    text = joined(await harness.send("subscribe 08:00 UTC chart:mon", manager=True))
    assert "Monday's digest carries the week's chart of the top actors" in text
    assert "chart:mon to chart:sun" in joined(await harness.send("subscribe chart:someday", manager=True))
    assert "chart" not in joined(await harness.send("subscribe chart:off", manager=True))


async def test_the_digest_on_the_chart_day_carries_the_weeks_chart(actor_store: Store) -> None:
    inbox = Inbox()
    deliverer = Deliverer(store=actor_store, posters={"console": inbox}, owner="chart", retry_pause=0)
    monday = ensure_channel(actor_store, "console", "monday-chart")
    tuesday = ensure_channel(actor_store, "console", "tuesday-chart")
    subscribe(actor_store, monday, digest_time="08:00", timezone="UTC", chart_day=0)
    subscribe(actor_store, tuesday, digest_time="08:00", timezone="UTC", chart_day=1)
    on_monday = await deliverer.deliver(monday, NOW)
    assert isinstance(on_monday, DigestReply) and on_monday.chart is not None
    assert on_monday.chart.png.startswith(b"\x89PNG") and "Jane Holloway" in on_monday.chart.alt_text
    not_tuesday = await deliverer.deliver(tuesday, NOW)
    assert isinstance(not_tuesday, DigestReply) and not_tuesday.chart is None


def test_actor_and_trending_at_the_command_line(tmp_path: Path) -> None:
    """``briefbot actor`` and ``briefbot trending`` answer as the chat does; a refusal exits 1; the
    chart is a PNG whose path is printed."""
    env = {**os.environ, "BRIEFBOT_DATA_DIR": str(tmp_path)}

    def briefbot(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, timeout=180, env=env
        )

    folder = tmp_path / "articles"
    folder.mkdir()
    for n, (_, title, text) in enumerate(ARTICLES[1:]):  # this week's three, one story each
        (folder / f"{n}.txt").write_text(f"{title}\n\n{text}", "utf-8")
    assert briefbot("ingest", str(samples_dir()), str(folder)).returncode == 0
    union = briefbot("actor", "the", "IDU")
    assert union.returncode == 0, union.stderr
    assert union.stdout.startswith("International Dockworkers Union (organization): 1 story")
    assert "Dockworkers Walk Out" in union.stdout and "Also named: IDU" in union.stdout
    unknown = briefbot("actor", "Jane", "Holoway")
    assert unknown.returncode == 1 and "Did you mean `Jane Holloway`" in unknown.stdout
    trends = briefbot("trending", "7d")
    assert trends.returncode == 0, trends.stderr
    assert "Jane Holloway: 3 stories, none before" in trends.stdout.replace("**", "")
    chart = Path(trends.stdout.strip().splitlines()[-1])
    assert chart.suffix == ".png" and chart.read_bytes().startswith(b"\x89PNG")
