"""One contract over the three adapters: the same command means the same thing everywhere."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import samples_dir
from bot.core import CommandCore
from bot.delivery import Deliverer
from config import StorageSettings
from storage import feedstore, ledger
from storage.channels import Channel, subscribed_channels
from storage.db import open_database
from storage.documents import Document, iter_documents
from storage.query import parse_query
from storage.search import search
from storage.store import Store
from summarizer import Summarizer
from tests import loopback
from tests.chat_harness import Harness, Posted
from tests.storage_backends import Clock

loopback_server = loopback.loopback_server  # the fixture, found by pytest under this name

PLATFORMS = ["console", "slack", "discord"]


@pytest.fixture(scope="module")
def seeded_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    path: Path = tmp_path_factory.mktemp("contract") / "briefbot.db"
    engine, sessions = open_database(f"sqlite:///{path}")
    store = Store(engine=engine, sessions=sessions, summarizer=Summarizer())
    store.ingest([d for d in iter_documents([samples_dir()]) if isinstance(d, Document)])
    return store


@pytest.fixture(params=PLATFORMS)
async def harness(request: pytest.FixtureRequest, seeded_store: Store) -> AsyncIterator[Harness]:
    module = importlib.import_module(f"tests.harness_{request.param}")
    # Loopback is refused to chat users by default; the tests' own page server is allowed here.
    core = CommandCore(store=seeded_store, storage_settings=StorageSettings(allow_hosts=("127.0.0.1",)))
    async with module.open_harness(core) as opened:
        yield opened


def joined(posted: list[Posted]) -> str:
    return "\n".join(p.text for p in posted)


def article_id(store: Store, fragment: str) -> int:
    return next(a.id for a in store.articles(limit=50) if fragment in a.title)


async def test_help_lists_every_command(harness: Harness) -> None:
    text = joined(await harness.send("help"))
    for name in ("brief", "search", "more", "ask", "digest", "subscribe", "unsubscribe", "sources"):
        assert name in text


async def test_brief_by_id_shows_title_summary_actors_and_figures(
    harness: Harness, seeded_store: Store
) -> None:
    posted = await harness.send(f"brief {article_id(seeded_store, 'Iraqi Militias')}")
    text = joined(posted)
    assert "Iran-Backed Iraqi Militias Pour Into Aleppo" in text
    assert "Bashar al-Assad" in text and "some 1,000 troops" in text
    assert "al-Nujaba" in text


async def test_brief_names_the_same_story_from_other_outlets(harness: Harness, seeded_store: Store) -> None:
    harbor = article_id(seeded_store, "Dockworkers Walk Out")
    coastal = article_id(seeded_store, "Halvern Port Strike")
    text = joined(await harness.send(f"brief {harbor}"))
    assert "Same story" in text and f"#{coastal} Halvern Port Strike Leaves 41 Ships" in text
    assert "Same story" not in joined(
        await harness.send(f"brief {article_id(seeded_store, 'Iraqi Militias')}")
    )


async def test_brief_by_title_words(harness: Harness) -> None:
    assert "Marlow Council Approves" in joined(await harness.send("brief light rail"))


async def test_unknown_id_and_unknown_command_are_told_plainly(harness: Harness) -> None:
    assert "No stored article #9999" in joined(await harness.send("brief 9999"))
    usage = joined(await harness.send("brief"))
    assert "Usage: brief <id | url | words of a title>" in usage
    if harness.platform == "discord":
        return  # slash commands: Discord itself offers only the commands that exist
    typo = joined(await harness.send("serch strike"))
    assert "Unknown command “serch”. Did you mean `search`?" in typo and "Commands:" not in typo
    assert "Did you mean `sources`? Usage: sources add" in joined(await harness.send("feeds list"))
    nonsense = joined(await harness.send("xyzzy"))
    assert "Unknown command “xyzzy”" in nonsense and "• help — this list" in nonsense


async def test_more_pages_through_the_last_search_of_the_asker(harness: Harness, seeded_store: Store) -> None:
    assert "Nothing to continue" in joined(await harness.send("more"))
    every = len(search(seeded_store, parse_query("said"), limit=100))
    assert 5 < every <= 10  # two pages: the seven samples all say "said"
    first = joined(await harness.send("search said"))
    assert "(page 1) — say `more` for the next page" in first
    second = joined(await harness.send("more"))
    assert "(page 2)" in second and "say `more`" not in second
    titles = [a.title for a in seeded_store.articles(limit=100)]
    assert sum(t in first for t in titles) == 5 and sum(t in second for t in titles) == every - 5
    assert "No more results for “said”" in joined(await harness.send("more"))


async def test_search_shows_ranked_titles_with_highlights(harness: Harness) -> None:
    text = joined(await harness.send("search hezbollah"))
    assert "Iran-Backed Iraqi Militias" in text
    assert "Hezbollah" in text
    bad = joined(await harness.send("search x since:soon"))
    assert "since:soon is not a date" in bad


async def test_ask_answers_with_a_cited_sentence(harness: Harness) -> None:
    posted = await harness.send("ask who commands al-Nujaba?")
    text = joined(posted)
    assert "Hashem al-Mosawwi" in text and "Iran-Backed Iraqi Militias" in text
    # The part that answers is bold on every platform, a terminal's bold at the console.
    assert "Hashem al-Mosawwi" in [part for p in posted for part in p.bold]
    count = await harness.send("ask How many workers walked off the job at Halvern?")
    assert "some 3,200 dockworkers" in joined(count).lower()
    assert "some 3,200 dockworkers" in [part.lower() for p in count for part in p.bold]
    assert "Nothing stored answers" in joined(await harness.send("ask who is the mayor of Paris?"))


async def test_subscribe_is_for_managers_and_validates_time_and_zone(harness: Harness) -> None:
    if harness.platform != "console":
        refused = joined(await harness.send("subscribe 07:30 Europe/Berlin", manager=False))
        assert "Only channel managers" in refused
    ok = joined(await harness.send("subscribe 07:30 Europe/Berlin", manager=True))
    assert "07:30 (Europe/Berlin)" in ok
    bad = joined(await harness.send("subscribe 25:00", manager=True))
    assert "neither a time" in bad


async def test_managers_choose_the_feeds_a_channel_follows(
    harness: Harness, loopback_server: loopback.LoopbackServer
) -> None:
    items = "".join(
        f"<item><title>Story {n}</title><link>https://world.example/{n}</link></item>" for n in range(5)
    )
    feed = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>World Desk</title>{items}</channel></rss>'
    )
    url = loopback_server.reply(f"/{harness.platform}/feed.xml", feed, content_type="application/rss+xml")
    page = loopback_server.reply(
        f"/{harness.platform}/page.html", "<p>Not a feed.</p>", content_type="text/html"
    )
    if harness.platform != "console":
        assert "Only channel managers" in joined(await harness.send(f"sources add {url}", manager=False))
    assert "follows no feeds" in joined(await harness.send("sources list"))
    added = joined(await harness.send(f"sources add {url}", manager=True))
    assert "Following feed #" in added and "“World Desk” (5 items in it now)" in added
    assert "its 3 newest article(s) come with the next poll (older ones are skipped)" in added
    assert "already follows feed #" in joined(await harness.send(f"sources add {url}", manager=True))
    assert "World Desk" in joined(await harness.send("sources list"))
    removed = joined(await harness.send(f"sources remove {url}", manager=True))
    assert "No longer following feed #" in removed and "sources all" in removed  # a choice to make
    assert "follows no feeds now" in joined(await harness.send("sources list"))
    if harness.platform != "console":
        assert "Only channel managers" in joined(await harness.send("sources all", manager=False))
    assert "every stored article" in joined(await harness.send("sources all", manager=True))
    assert "follows no feeds in particular" in joined(await harness.send("sources list"))
    # nothing is added for what is not a feed: a web page, an address that does not answer, a scheme
    not_feed = joined(await harness.send(f"sources add {page}", manager=True))
    assert "Nothing was added" in not_feed and "feed" in not_feed
    gone = joined(await harness.send("sources add http://127.0.0.1:9/rss", manager=True))
    assert "Could not read http://127.0.0.1:9/rss" in gone and "Nothing was added" in gone
    assert "a feed is an http or https URL" in joined(await harness.send("sources add ftp://x", manager=True))
    assert "follows no feeds" in joined(await harness.send("sources list"))
    assert "no feed https://nowhere.example/rss" in joined(
        await harness.send("sources remove https://nowhere.example/rss", manager=True)
    )


async def test_a_link_as_the_platform_writes_it_is_the_link_for_feeds_and_briefs(
    harness: Harness,
    seeded_store: Store,
    loopback_server: loopback.LoopbackServer,
) -> None:
    """Slack hands a typed link over as ``<url|label>`` with ``&`` escaped, Discord as ``<url>`` when its
    user hid the preview: each must mean the link itself, to add a feed, remove it again, and brief."""
    item = "<item><title>Harbour Story</title><link>https://coast.example/1</link></item>"
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Coast Desk</title>{item}</channel></rss>'
    url = loopback_server.reply(f"/{harness.platform}/linked.xml", feed, content_type="application/rss+xml")
    url += "?edition=uk&format=rss"  # the query string is part of the feed's address, its & included
    added = joined(await harness.send(f"sources add {harness.link(url)}", manager=True))
    assert "Following feed #" in added and "Coast Desk" in added
    [followed] = [f for f in feedstore.list_feeds(seeded_store) if f.title == "Coast Desk"]
    assert followed.url.endswith("/linked.xml?edition=uk&format=rss"), followed.url
    removed = joined(await harness.send(f"sources remove {harness.link(url)}", manager=True))
    assert f"No longer following feed #{followed.id}" in removed
    assert "every stored article" in joined(await harness.send("sources all", manager=True))  # as before
    page = (
        "<html><head><title>Tide Mill Reopens</title></head><body><article><h1>Tide Mill Reopens</h1>"
        "<p>The tide mill at Halvern reopened on Saturday after a restoration that cost 2 million euros.</p>"
        "<p>Its wheel will grind flour for visitors on some 120 days a year, the trust said.</p>"
        "</article></body></html>"
    )
    page_url = loopback_server.reply(f"/{harness.platform}/mill.html", page, content_type="text/html")
    briefed = joined(await harness.send(f"brief {harness.link(page_url)}"))
    assert "Tide Mill Reopens" in briefed and "120 days a year" in briefed


async def test_unsubscribe_stops_the_daily_digest(harness: Harness, seeded_store: Store) -> None:
    def subscribed() -> set[str]:
        return {c.platform for c in subscribed_channels(seeded_store)}

    assert "07:30" in joined(await harness.send("subscribe 07:30 Europe/Berlin", manager=True))
    assert harness.platform in subscribed()
    if harness.platform != "console":
        assert "Only channel managers" in joined(await harness.send("unsubscribe", manager=False))
        assert harness.platform in subscribed()
    assert "Daily digest stopped" in joined(await harness.send("unsubscribe", manager=True))
    assert harness.platform not in subscribed()


async def test_digest_preview_lists_new_stories(harness: Harness) -> None:
    text = joined(await harness.send("digest"))
    assert "Digest for" in text
    assert "reported by 2 sources" in text  # the port strike, told by two outlets


async def test_brief_of_a_new_url_reads_and_stores_it_first(
    harness: Harness, seeded_store: Store, loopback_server: loopback.LoopbackServer
) -> None:
    body = "".join(
        f"<p>{p}</p>"
        for p in (
            "The city of Lakeview opened its first desalination plant on Tuesday, officials said.",
            f"The {harness.platform} plant will supply some 40,000 households with drinking water.",
            "Mayor Ana Ruiz said the project cost $85 million and took three years to build.",
        )
    )
    page = (
        f"<html><head><title>Lakeview Opens Desalination Plant</title></head><body><nav>Home</nav>"
        f"<article><h1>Lakeview Opens Desalination Plant</h1>{body}</article></body></html>"
    )
    url = loopback_server.reply(f"/{harness.platform}.html", page, content_type="text/html")
    before = seeded_store.count()
    text = joined(await harness.send(f"brief {url}"))
    assert "Lakeview Opens Desalination Plant" in text and "40,000 households" in text
    assert seeded_store.count() == before + 1
    refused = joined(await harness.send("brief http://10.1.2.3/internal"))
    assert "Could not read that page" in refused and "private" in refused


# -- digest and subscribe as documented -------------------------------------------------------------


@pytest.fixture
def fresh_store(tmp_path: Path, summarizer: Summarizer) -> Store:
    """A store of its own with two articles, for tests that consume a digest or set a schedule from
    scratch (the module's store is shared by the other tests)."""
    engine, sessions = open_database(f"sqlite:///{tmp_path / 'fresh.db'}")
    store = Store(engine=engine, sessions=sessions, summarizer=summarizer)
    store.ingest([d for d in iter_documents([samples_dir()]) if isinstance(d, Document)][:2])
    return store


@pytest.fixture
def chat_clock() -> Clock:
    return Clock(datetime.now(UTC))


@pytest.fixture(params=PLATFORMS)
async def fresh_harness(
    request: pytest.FixtureRequest, fresh_store: Store, chat_clock: Clock
) -> AsyncIterator[Harness]:
    module = importlib.import_module(f"tests.harness_{request.param}")
    core = CommandCore(store=fresh_store, clock=chat_clock)
    async with module.open_harness(core) as opened:
        # As `briefbot run` and `briefbot chat` wire it: `digest now` posts through the deliverer.
        core.deliver = Deliverer(store=fresh_store, posters={opened.platform: opened.poster()}).post_now
        yield opened


def schedule_of(store: Store, platform: str) -> Channel:
    [channel] = [c for c in subscribed_channels(store) if c.platform == platform]
    return channel


async def test_digest_preview_is_shown_to_the_asker_only_and_changes_nothing(harness: Harness) -> None:
    first = await harness.send("digest")
    assert "Digest for" in joined(first) and "reported by 2 sources" in joined(first)
    if harness.platform != "console":  # a terminal has one reader
        assert all(p.private for p in first)
    assert joined(await harness.send("digest")) == joined(first)


async def test_digest_now_is_for_managers_and_takes_the_place_of_todays_digest(
    fresh_harness: Harness, fresh_store: Store, chat_clock: Clock
) -> None:
    harness = fresh_harness
    await harness.send("subscribe 23:59 Europe/Berlin", manager=True)
    channel = schedule_of(fresh_store, harness.platform)
    if harness.platform != "console":
        refused = joined(await harness.send("digest now", manager=False))
        assert "Only channel managers can use `digest now`" in refused
        assert ledger.deliveries(fresh_store, channel.id) == []
    posted = await harness.send("digest now", manager=True)
    [digest] = [p for p in posted if "Digest for" in p.text]
    [note] = [p for p in posted if "replaces today's scheduled digest (23:59 Europe/Berlin)" in p.text]
    assert "2 new articles" in digest.text
    if harness.platform != "console":
        assert not digest.private and note.private
    assert [d.status for d in ledger.deliveries(fresh_store, channel.id)] == ["sent"]
    assert "already posted" in joined(await harness.send("digest now", manager=True))
    assert "nothing new since the last digest" in joined(await harness.send("digest"))
    # The next day, with nothing new: said briefly, unless the channel asked for quiet.
    chat_clock.now += timedelta(days=1)
    await harness.send("subscribe quiet", manager=True)
    quiet = await harness.send("digest now", manager=True)
    assert "asked for quiet: nothing was posted" in joined(quiet) and "Digest for" not in joined(quiet)
    chat_clock.now += timedelta(days=1)
    await harness.send("subscribe quiet:off", manager=True)
    assert "nothing new since the last digest" in joined(await harness.send("digest now", manager=True))


async def test_subscribe_keeps_the_zone_it_had_and_can_ask_for_quiet(
    fresh_harness: Harness, fresh_store: Store
) -> None:
    harness = fresh_harness

    def schedule() -> tuple[str, str, bool]:
        channel = schedule_of(fresh_store, harness.platform)
        return channel.digest_time, channel.timezone, channel.quiet_when_empty

    first = joined(await harness.send("subscribe 07:30", manager=True))
    assert "07:30 (UTC — no zone given, so the channel's is kept" in first and "says so briefly" in first
    assert schedule() == ("07:30", "UTC", False)
    zoned = joined(await harness.send("subscribe 08:00 europe/berlin", manager=True))
    assert "at 08:00 (Europe/Berlin)." in zoned
    moved = joined(await harness.send("subscribe 6.45", manager=True))
    assert "06:45 (Europe/Berlin — no zone given" in moved
    assert schedule() == ("06:45", "Europe/Berlin", False)
    quiet = joined(await harness.send("subscribe quiet", manager=True))
    assert "A day with nothing new posts nothing" in quiet
    assert schedule() == ("06:45", "Europe/Berlin", True)
    await harness.send("subscribe 07:00 America/New_York", manager=True)
    assert schedule() == ("07:00", "America/New_York", True), "a new time and zone keep quiet as it was"
    assert "says so briefly" in joined(await harness.send("subscribe quiet:off", manager=True))
    assert schedule() == ("07:00", "America/New_York", False)
    not_a_zone = joined(await harness.send("subscribe 07:30 Europe", manager=True))
    assert "“Europe” is neither a time" in not_a_zone
    assert "Usage: subscribe [HH:MM] [time zone] [quiet | quiet:off]" in not_a_zone
    if harness.platform != "discord":  # Discord's form has one field for each
        assert "give one time" in joined(await harness.send("subscribe 07:30 08:00", manager=True))
    assert schedule() == ("07:00", "America/New_York", False)
