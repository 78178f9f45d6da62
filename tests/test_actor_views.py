"""Actor pages, trends and the chart's counts, on both databases, with counts known in advance.

The articles are the shipped samples, stored by ``Store.ingest`` at chosen times from chosen
outlets (feeds); the actors and their links are written here directly, so what is tested is the
queries, not the linker's merge rules (``storage.actor_links`` has tests of its own).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import delete, text, update

from storage.actor_kinds import actor_key
from storage.actor_views import (
    TRENDING_KINDS,
    KnownActor,
    actor_view,
    complete_actor_names,
    find_actor,
    mentions_per_day,
    suggest_actors,
    trending,
)
from storage.db import open_database
from storage.documents import Document
from storage.feedstore import add_feed
from storage.models import ActorEntityRow, ActorNameRow, ActorRow, ArticleRow, StoryRow
from storage.store import Store
from summarizer import Summarizer
from tests.storage_backends import Clock, database_url
from tests.test_delivery import samples

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)  # trending's now: the period is [Nov 13 08:00, now)
PERIOD_START = NOW - timedelta(days=7)
OUTLET_GAP = timedelta(minutes=45)  # between one story's outlets

# name, kind, aliases: the actors of the world below, created in this order
ACTORS = (
    ("International Dockworkers Union", "organization", ("IDU",)),
    ("Meridian Terminal Operators", "organization", ("Meridian",)),
    ("Aaron Whitfield", "person", ("Whitfield",)),
    ("Helen Sato", "person", ()),
    ("Thomas Brennan", "person", ()),
    ("Maria Delgado", "person", ("Delgado",)),
    ("Halvern", "place", ()),
    ("Halvern Chamber of Commerce", "organization", ()),
)
IDU, MERIDIAN, WHITFIELD, SATO, BRENNAN, DELGADO, HALVERN, CHAMBER = (a[0] for a in ACTORS)
KIND = {name: kind for name, kind, _ in ACTORS}


@dataclass(frozen=True, slots=True)
class Told:
    """One story: when its first outlet published it, by how many outlets, naming whom."""

    at: datetime
    actors: tuple[str, ...]
    outlets: int = 1


def day(month: int, dd: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, month, dd, hour, minute, tzinfo=UTC)


STORIES = (
    Told(day(10, 1), (IDU, MERIDIAN, WHITFIELD, BRENNAN)),  # long before
    Told(day(11, 7), (IDU, BRENNAN)),  # the period before: Nov 6 08:00 to Nov 13 08:00
    Told(day(11, 9), (BRENNAN,)),
    Told(day(11, 11), (BRENNAN,)),
    Told(day(11, 14), (IDU, MERIDIAN, HALVERN, WHITFIELD), outlets=3),  # the period
    Told(day(11, 16), (IDU, SATO, HALVERN)),
    Told(day(11, 17, 23, 30), (IDU, HALVERN, BRENNAN), outlets=2),  # the second outlet after midnight
    Told(day(11, 18), (WHITFIELD, SATO, HALVERN, BRENNAN, DELGADO)),
    Told(day(11, 20, 9), (SATO, CHAMBER)),  # after now
)


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from database_url(request.param, tmp_path)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(url: str, clock: Clock) -> Iterator[Store]:
    engine, sessions = open_database(url)
    yield Store(engine=engine, sessions=sessions, clock=clock)
    engine.dispose()


def make_actors(store: Store, actors: Sequence[tuple[str, str, tuple[str, ...]]]) -> dict[str, int]:
    """Actors with their names, as the linker would leave them; name -> id."""
    with store.sessions.begin() as session:
        rows = [ActorEntityRow(name=name, kind=kind, created_at=NOW) for name, kind, _ in actors]
        session.add_all(rows)
        session.flush()
        for row, (name, _, aliases) in zip(rows, actors, strict=True):
            session.add_all(ActorNameRow(key=actor_key(n), actor_id=row.id) for n in (name, *aliases))
        return {row.name: row.id for row in rows}


@dataclass(frozen=True, slots=True)
class World:
    actors: dict[str, int]
    articles: list[list[int]]  # per story of STORIES, its articles' ids in outlet order
    outlets: list[str]  # the feeds' names, as an article's source shows them


@pytest.fixture
def world(store: Store, clock: Clock) -> World:
    """STORIES stored: each outlet's article a sample text with a line of its own, from that outlet's
    feed; one story each (set here, whatever near-duplicates the texts are); actors linked."""
    texts = [document.text for document in samples()]
    feeds = [add_feed(store, f"https://outlet{n}.example/feed.xml") for n in range(3)]
    actors = make_actors(store, ACTORS)
    articles: list[list[int]] = []
    for n, told in enumerate(STORIES):
        ids = []
        for outlet in range(told.outlets):
            clock.now = told.at + outlet * OUTLET_GAP
            text = f"{texts[n % len(texts)]}\n\nStory {n}, as outlet {outlet} filed it."
            [result] = store.ingest(
                [Document(location=f"story-{n}-{outlet}", text=text)], source_id=feeds[outlet].id
            )
            assert result.created and result.article is not None
            ids.append(result.article.id)
        articles.append(ids)
        with store.sessions.begin() as session:
            story = StoryRow(title=f"story {n}", created_at=told.at)
            session.add(story)
            session.flush()
            session.execute(update(ArticleRow).where(ArticleRow.id.in_(ids)).values(story_id=story.id))
            session.add_all(
                ActorRow(
                    article_id=article_id,
                    name=name,
                    key=actor_key(name),
                    kind=KIND[name],
                    mentions=2,
                    salience=0.5,
                    rank=rank,
                    actor_id=actors[name],
                )
                for article_id in ids
                for rank, name in enumerate(told.actors)
            )
    return World(actors, articles, [feed.url for feed in feeds])


def names(actors: Sequence[KnownActor]) -> list[str]:
    return [actor.name for actor in actors]


# -- trending ------------------------------------------------------------------------------------------


def test_trending_counts_stories_not_articles(store: Store, world: World) -> None:
    result = trending(store, now=NOW, days=7)
    assert (result.since, result.until) == (PERIOD_START, NOW)
    # IDU: 3 stories (5 articles: one story by 3 outlets, one by 2) against 1; Whitfield 2 against 0
    # (named in October: rising, not new). Equal rises: more stories first.
    assert [(t.actor.name, t.stories, t.before) for t in result.rising] == [(IDU, 3, 1), (WHITFIELD, 2, 0)]
    assert result.rising[0].rise == 2
    # Helen Sato was never named before the period (her story after it does not count).
    assert [(t.actor.name, t.stories, t.before) for t in result.new] == [(SATO, 2, 0)]
    # Meridian's 3 articles this week are one story; Brennan fell from 3 to 2; Delgado has one story.
    shown = {t.actor.name for t in (*result.rising, *result.new)}
    assert not shown & {MERIDIAN, BRENNAN, DELGADO}
    assert result.rising[0].actor.aliases == ("IDU",)


def test_places_trend_only_when_asked(store: Store, world: World) -> None:
    assert HALVERN not in {t.actor.name for t in trending(store, now=NOW).new}, "places left out by default"
    assert "place" not in TRENDING_KINDS
    every = trending(store, now=NOW, kinds=None)
    assert [(t.actor.name, t.stories) for t in every.new] == [(HALVERN, 4), (SATO, 2)]
    people = trending(store, now=NOW, kinds=("person",), limit=1)
    assert [t.actor.name for t in people.rising] == [WHITFIELD]


def test_trending_moves_with_now_and_days(store: Store, world: World) -> None:
    # A week earlier: Nov 6-13 against Oct 30-Nov 6; Brennan rose from 0 to 3, and is not new (October).
    earlier = trending(store, now=NOW - timedelta(days=7))
    assert [(t.actor.name, t.stories, t.before) for t in earlier.rising] == [(BRENNAN, 3, 0)]
    assert earlier.new == ()
    # Three days to Nov 20 10:00 (Nov 17-20 against Nov 14-17, which holds one of the Nov 14
    # story's outlets): Brennan 2 against 0, Sato 2 (Nov 18 and 20) against 1 (Nov 16).
    later = trending(store, now=day(11, 20, 10), days=3)
    assert [(t.actor.name, t.stories, t.before) for t in later.rising] == [(BRENNAN, 2, 0), (SATO, 2, 1)]
    assert later.new == (), "the Chamber of Commerce has one story"


# -- one actor -----------------------------------------------------------------------------------------


def test_actor_view_lists_one_article_per_story_latest_first(store: Store, world: World) -> None:
    view = actor_view(store, world.actors[IDU])
    assert view.actor.name == IDU and view.actor.kind == "organization"
    assert view.story_count == 5
    three, two = world.articles[4], world.articles[6]  # the stories of three and of two outlets
    assert [a.id for a in view.stories] == [
        two[1],
        world.articles[5][0],
        three[2],
        *world.articles[1],
        *world.articles[0],
    ]
    assert view.stories[2].source == world.outlets[2], "the third outlet's, the story's latest"
    assert view.stories[0].fetched_at == day(11, 17, 23, 30) + OUTLET_GAP
    assert [a.id for a in actor_view(store, world.actors[IDU], limit=2).stories] == [
        two[1],
        world.articles[5][0],
    ]
    assert actor_view(store, world.actors[IDU], limit=2).story_count == 5


def test_actor_view_names_who_comes_alongside_by_shared_stories(store: Store, world: World) -> None:
    view = actor_view(store, world.actors[IDU])
    # Brennan: October, Nov 7, Nov 17; Halvern: Nov 14, 16, 17 (6 articles, 3 stories); equal
    # counts in the order the actors were made.
    assert [(a.name, n) for a, n in view.alongside] == [
        (BRENNAN, 3),
        (HALVERN, 3),
        (MERIDIAN, 2),
        (WHITFIELD, 2),
        (SATO, 1),
    ]
    assert view.alongside_stories == 5, "every story of the actor's (fewer than ALONGSIDE_STORIES)"
    assert view.figures == ()  # no briefs in this world


def test_actor_view_over_a_period(store: Store, world: World) -> None:
    view = actor_view(store, world.actors[IDU], since=PERIOD_START, until=day(11, 17))
    assert (view.since, view.until) == (PERIOD_START, day(11, 17))
    assert view.story_count == 2
    assert [a.id for a in view.stories] == [world.articles[5][0], world.articles[4][2]]
    assert [(a.name, n) for a, n in view.alongside] == [
        (HALVERN, 2),
        (MERIDIAN, 1),
        (WHITFIELD, 1),
        (SATO, 1),
    ]
    # A bound in another time zone is the same moment.
    east = timezone(timedelta(hours=5))
    same = actor_view(store, world.actors[IDU], since=PERIOD_START.astimezone(east), until=day(11, 17))
    assert [a.id for a in same.stories] == [a.id for a in view.stories]
    nothing = actor_view(store, world.actors[CHAMBER], until=NOW)
    assert (nothing.story_count, nothing.stories, nothing.alongside) == (0, (), ())
    empty = actor_view(store, world.actors[IDU], since=day(12, 1))  # no article at all
    assert (empty.story_count, empty.stories, empty.actor.name) == (0, (), IDU)
    last = actor_view(store, world.actors[IDU], until=day(11, 8))  # October and Nov 7
    assert [a.id for a in last.stories] == [*world.articles[1], *world.articles[0]]
    with pytest.raises(LookupError):
        actor_view(store, max(world.actors.values()) + 1)


# -- the chart's counts --------------------------------------------------------------------------------


def test_mentions_per_day_has_every_day_and_counts_stories(store: Store, world: World) -> None:
    ids = [world.actors[IDU], world.actors[HALVERN], world.actors[CHAMBER]]
    counts = mentions_per_day(store, ids, since=PERIOD_START, until=NOW)
    days = [date(2026, 11, d) for d in range(13, 21)]  # Nov 13 08:00 to Nov 20 08:00 touches 8 days
    assert [d for d, _ in counts[world.actors[IDU]]] == days
    # Nov 14: one story by three outlets; Nov 17 23:30 and Nov 18 00:15: one story on each day.
    assert [n for _, n in counts[world.actors[IDU]]] == [0, 1, 0, 1, 1, 1, 0, 0]
    assert [n for _, n in counts[world.actors[HALVERN]]] == [0, 1, 0, 1, 1, 2, 0, 0]
    assert [n for _, n in counts[world.actors[CHAMBER]]] == [0] * 8  # its story is after the period
    assert mentions_per_day(store, [], since=PERIOD_START, until=NOW) == {}
    assert mentions_per_day(
        store, [world.actors[SATO]], since=day(11, 20, 0, 0), until=day(11, 21, 0, 0)
    ) == {world.actors[SATO]: ((date(2026, 11, 20), 1),)}


def test_days_are_utc_days_whatever_the_sessions_time_zone(store: Store, world: World, url: str) -> None:
    if store.dialect != "postgresql":
        pytest.skip("SQLite keeps UTC text; only PostgreSQL sessions have a time zone")
    # 14 hours ahead of UTC: Nov 17 23:30 UTC is Nov 18 there, and Nov 18 00:15 is still Nov 18.
    engine, sessions = open_database(url.replace("options=", "options=-cTimeZone%3DPacific/Kiritimati%20"))
    far = Store(engine=engine, sessions=sessions)
    with engine.connect() as connection:
        assert connection.execute(text("SHOW TimeZone")).scalar_one() == "Pacific/Kiritimati"
    ids = [world.actors[IDU]]
    assert mentions_per_day(far, ids, since=PERIOD_START, until=NOW) == mentions_per_day(
        store, ids, since=PERIOD_START, until=NOW
    )
    assert [t.actor.name for t in trending(far, now=NOW).rising] == [IDU, WHITFIELD]
    engine.dispose()


# -- names ---------------------------------------------------------------------------------------------


def test_an_actor_is_found_by_any_of_its_names(store: Store, world: World) -> None:
    idu = find_actor(store, '"idu"')
    assert idu == KnownActor(id=world.actors[IDU], name=IDU, kind="organization", aliases=("IDU",))
    assert find_actor(store, "  INTERNATIONAL   dockworkers union ") == idu
    assert find_actor(store, "“Whitfield”") == KnownActor(
        id=world.actors[WHITFIELD], name=WHITFIELD, kind="person", aliases=("Whitfield",)
    )
    assert find_actor(store, "Sato") is None, "not a name the store gave her"
    assert find_actor(store, '""') is None
    # Read as the linker reads names: a title or an article before a known name is not part of it,
    # so chat finds what `briefbot actors show` finds.
    assert find_actor(store, "the IDU") == idu
    assert find_actor(store, "Mr Whitfield") == find_actor(store, "Whitfield")
    assert find_actor(store, "Mr Sato") is None


def test_an_unknown_name_gets_the_closest_known_ones(store: Store, world: World) -> None:
    assert suggest_actors(store, "Aron Whitfeld") == (WHITFIELD,)
    assert suggest_actors(store, "Dockworkers Unoin")[0] == IDU
    assert suggest_actors(store, "Sato") == (SATO,)
    assert suggest_actors(store, "halvern chamber")[:2] == (CHAMBER, HALVERN)
    assert suggest_actors(store, "Zebulon Quark") == ()
    assert suggest_actors(store, "x") == ()


def test_autocomplete_offers_names_starting_then_containing_what_is_typed(store: Store, world: World) -> None:
    # Linked articles: IDU 8, Brennan 7, Halvern 7, Whitfield 5, Meridian 4, Sato 3, Delgado 1, Chamber 1.
    assert complete_actor_names(store, "") == [
        IDU,
        BRENNAN,
        HALVERN,
        WHITFIELD,
        MERIDIAN,
        SATO,
        DELGADO,
        CHAMBER,
    ]
    assert complete_actor_names(store, "", limit=2) == [IDU, BRENNAN]
    assert complete_actor_names(store, "hal") == [HALVERN, CHAMBER]
    assert complete_actor_names(store, "whit") == [WHITFIELD], "by its alias"
    assert complete_actor_names(store, "ER") == [IDU, HALVERN, MERIDIAN, CHAMBER]
    assert complete_actor_names(store, "%") == []
    assert complete_actor_names(store, "_") == []


# -- on real briefs ------------------------------------------------------------------------------------


def test_figures_come_from_the_sentences_naming_the_actor(
    url: str, clock: Clock, summarizer: Summarizer
) -> None:
    engine, sessions = open_database(url)
    store = Store(engine=engine, sessions=sessions, summarizer=summarizer, clock=clock)
    stored = {}
    for document in samples():  # an hour apart: the two port strike reports make one story
        clock.now += timedelta(hours=1)
        [result] = store.ingest([document])
        assert result.article is not None
        stored[Path(document.location).stem] = result.article.id
    with store.sessions.begin() as session:  # whatever the linker made, these links are the test's
        session.execute(update(ActorRow).values(actor_id=None))
        session.execute(delete(ActorNameRow))
        session.execute(delete(ActorEntityRow))
    actors = make_actors(
        store,
        [
            ("Bashar al-Assad", "person", ("Assad",)),
            ("International Dockworkers Union", "organization", ("IDU",)),
        ],
    )
    with store.sessions.begin() as session:
        for name, actor_id in actors.items():
            session.execute(update(ActorRow).where(ActorRow.key == actor_key(name)).values(actor_id=actor_id))

    militias = store.brief_of(stored["iraqi-militias-aleppo"])
    assert militias is not None
    [assad] = [a for a in militias.brief.actors if a.name == "Bashar al-Assad"]
    expected = [f.text for f in militias.brief.figures if f.sentence in assad.sentences]
    view = actor_view(store, actors["Bashar al-Assad"])
    assert view.story_count == 1 and [a.id for a in view.stories] == [stored["iraqi-militias-aleppo"]]
    assert [f.text for f in view.figures] == expected and expected, "the sample states figures about him"
    assert all("Assad" in f.sentence_text for f in view.figures)
    assert "some 1,000 troops" not in expected, "a figure of a sentence not naming him"

    harbor, coastal = stored["port-strike-harbor-times"], stored["port-strike-coastal-post"]
    idu = actor_view(store, actors["International Dockworkers Union"])
    assert idu.story_count == 1, "two outlets' reports of the strike are one story"
    assert [a.id for a in idu.stories] == [harbor]
    times = store.brief_of(harbor)
    assert times is not None
    [union] = [a for a in times.brief.actors if a.name == "International Dockworkers Union"]
    assert [f.text for f in idu.figures] == [
        f.text for f in times.brief.figures if f.sentence in union.sentences
    ]
    assert all(f.article_id == harbor != coastal for f in idu.figures)
    engine.dispose()
