"""The store's contract, run against SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli import samples_dir
from storage.channels import ensure_channel, mark_delivered, undelivered
from storage.db import open_database
from storage.documents import Document, iter_documents
from storage.feedstore import add_feed
from storage.models import ArticleRow, BriefRow, FigureRow
from storage.query import QueryError, parse_query
from storage.search import search
from storage.store import Store
from summarizer import Summarizer
from tests.storage_backends import Clock, database_url


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from database_url(request.param, tmp_path)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(url: str, summarizer: Summarizer, clock: Clock) -> Store:
    engine, sessions = open_database(url)
    return Store(engine=engine, sessions=sessions, summarizer=summarizer, clock=clock)


def samples() -> list[Document]:
    return [d for d in iter_documents([samples_dir()]) if isinstance(d, Document)]


def by_name(store: Store, fragment: str) -> int:
    [article] = [a for a in store.articles(limit=100) if fragment in a.title]
    return article.id


def test_samples_are_stored_once_with_briefs_actors_and_figures(store: Store) -> None:
    results = store.ingest(samples())
    assert len(results) == 7 and all(r.created for r in results)
    again = store.ingest(samples())
    assert [r.duplicate_of for r in again] == [r.article.id for r in results if r.article]
    assert store.count() == 7
    militias = store.brief_of(by_name(store, "Iraqi Militias"))
    assert militias is not None
    assert "Print Friendly" not in (store.text_of(militias.article.id) or "")
    assert any(a.name == "Bashar al-Assad" for a in militias.brief.actors)
    with store.sessions() as session:
        assert session.scalar(select(func.count()).select_from(BriefRow)) == 7
        figures = session.scalars(
            select(FigureRow.text).where(FigureRow.article_id == militias.article.id)
        ).all()
    assert "some 1,000 troops" in figures


def test_nuls_are_dropped_where_postgresql_would_refuse_them_and_a_binary_is_still_refused(
    store: Store,
) -> None:
    # A PDF's metadata title can hold a NUL; on PostgreSQL the story's title raised out of ingest.
    text = samples()[0].text
    [stored] = store.ingest(
        [
            Document(
                location="report\x00.pdf", text=text[:400] + "\x00" + text[400:], title="Militias\x00 move"
            )
        ]
    )
    assert stored.article is not None and stored.article.title == "Militias move"
    assert "\x00" not in (store.text_of(stored.article.id) or "")
    [binary] = store.ingest([Document(location="blob.txt", text="\x00\x01 data\x00" * 200)])
    assert binary.article is None and "binary" in (binary.error or "")
    assert store.count() == 1


def test_same_text_under_another_url_and_same_url_are_duplicates(store: Store) -> None:
    text = samples()[0].text
    [first] = store.ingest([Document(location="a", text=text, url="https://news.example/a?utm_source=x")])
    [same_url] = store.ingest(
        [Document(location="b", text=text + "\n\nUpdated.", url="https://NEWS.example/a/")]
    )
    [same_text] = store.ingest([Document(location="c", text=text, url="https://other.example/copy")])
    assert first.created
    assert same_url.duplicate_of == first.article.id  # type: ignore[union-attr]
    assert same_text.duplicate_of == first.article.id  # type: ignore[union-attr]
    assert store.count() == 1


def test_near_duplicates_from_two_outlets_form_one_story(store: Store) -> None:
    store.ingest(samples())
    harbor = store.brief_of(by_name(store, "Dockworkers Walk Out"))
    coastal = store.brief_of(by_name(store, "Halvern Port Strike"))
    assert harbor and coastal
    assert harbor.article.story_id == coastal.article.story_id
    others = {a.story_id for a in store.articles(limit=100)} - {harbor.article.story_id}
    assert len(others) == 5, "the five other samples are stories of their own"
    # each brief lists the other outlet's telling; a story of one lists nothing
    assert [a.id for a in harbor.same_story] == [coastal.article.id]
    assert [a.id for a in coastal.same_story] == [harbor.article.id]
    militias = store.brief_of(by_name(store, "Iraqi Militias"))
    assert militias and militias.same_story == ()


def test_failed_ingest_leaves_nothing_half_written_and_keeps_what_was_stored(store: Store) -> None:
    store.ingest(samples()[:2])
    before = store.count()

    class Boom(RuntimeError):
        pass

    def exploding_progress(result: object) -> None:
        raise Boom

    original = store._write_brief

    def failing_write(session, article_id, brief, now):  # type: ignore[no-untyped-def]
        original(session, article_id, brief, now)
        session.flush()
        raise Boom  # the brief is written, then the process dies before commit

    store._write_brief = failing_write  # type: ignore[method-assign]
    with pytest.raises(Boom):
        store.ingest(samples()[2:4])
    store._write_brief = original  # type: ignore[method-assign]
    assert store.count() == before
    with store.sessions() as session:
        assert session.scalar(select(func.count()).select_from(BriefRow)) == before
        assert session.scalar(select(func.count()).select_from(ArticleRow)) == before
    assert len(store.ingest(samples())) == 7 and store.count() == 7


def test_search_ranks_highlights_and_filters(store: Store, clock: Clock) -> None:
    store.ingest(samples()[:4])
    clock.now += timedelta(days=10)
    store.ingest(samples()[4:])
    hits = search(store, parse_query("hezbollah"))
    assert [h.article.title[:12] for h in hits] == ["Iran-Backed "]
    assert "**Hezbollah**" in hits[0].snippet
    strike = search(store, parse_query("strike dockworkers"))
    assert {h.article.title[:10] for h in strike} == {"Dockworker", "Halvern Po"}
    assert strike[0].score >= strike[1].score
    recent = search(store, parse_query("strike since:7d", now=clock.now))
    assert len(recent) == 2
    old = search(store, parse_query("militias until:5d", now=clock.now))
    assert len(old) == 1
    assert search(store, parse_query('actor:"assad"')) == search(
        store, parse_query('actor:"Bashar al-Assad"')
    )
    assert len(search(store, parse_query('actor:"Bashar al-Assad"'))) == 1
    assert search(store, parse_query("zeppelin")) == []
    # User text is never query syntax: quotes, stars and NEAR are just words.
    tricky = search(store, parse_query('NEAR( "OR" * -)'))
    assert all("**near" in h.snippet.lower() for h in tricky)


def test_search_by_source_matches_the_feed_it_came_from(url: str, clock: Clock) -> None:
    engine, sessions = open_database(url)
    store = Store(engine=engine, sessions=sessions, clock=clock)
    harbor = add_feed(store, "https://harbor-times.example/rss.xml")
    coastal = add_feed(store, "https://coastal-post.example/feed")
    for feed, fragment in ((harbor, "harbor-times"), (coastal, "coastal-post")):
        store.ingest([d for d in samples() if fragment in d.location], source_id=feed.id)
    store.ingest([d for d in samples() if "port-strike" not in d.location])  # files: no source
    [hit] = search(store, parse_query("strike source:harbor-times"))
    assert hit.article.title.startswith("Dockworkers Walk Out")
    [listed] = search(store, parse_query("source:coastal"))  # no words: the newest from that feed
    assert listed.article.title.startswith("Halvern Port Strike")
    assert len(search(store, parse_query("strike"))) == 2
    assert search(store, parse_query("strike source:nowhere")) == []


def test_a_word_in_the_title_outranks_the_same_word_in_the_text(store: Store) -> None:
    store.ingest(
        [
            Document(
                location="body.txt",
                text="Harbour Notes\n\nA lighthouse on the north pier was repainted on Monday. "
                "Workers finished the lighthouse before the storm arrived in the evening.",
            ),
            Document(
                location="title.txt",
                text="Lighthouse Keepers Return\n\nThe keepers of the north pier came back on Monday. "
                "They finished their shift before the storm arrived in the evening.",
            ),
        ]
    )
    hits = search(store, parse_query("lighthouse"))
    assert [h.article.title for h in hits] == ["Lighthouse Keepers Return", "Harbour Notes"]
    assert hits[0].score > hits[1].score


def test_search_pages(store: Store) -> None:
    store.ingest(samples())
    first = search(store, parse_query("said"), limit=2)
    second = search(store, parse_query("said"), limit=2, offset=2)
    assert len(first) == 2 and len(second) == 2
    assert not {h.article.id for h in first} & {h.article.id for h in second}


def test_filtered_search_pages_through_exactly_the_matches_inside_the_filter_best_first(
    url: str, clock: Clock
) -> None:
    # Ranking happens before the page is read, so a filter must act before ranking, not on the page.
    engine, sessions = open_database(url)
    store = Store(engine=engine, sessions=sessions, clock=clock)  # no model: search needs no brief
    for day in range(12):  # every sample once a day, each copy told apart so none is a duplicate
        copies = [
            Document(location=f"{d.location}#{day}", text=f"{d.text}\n\nEdition {day} of the day {day}.")
            for d in samples()
        ]
        store.ingest(copies)
        clock.now += timedelta(days=1)
    using = sum(" said " in d.text for d in samples())
    everything = search(store, parse_query("said"), limit=1000)
    assert len(everything) == 12 * using
    recent = parse_query("said since:5d", now=clock.now)
    paged = [h for offset in range(0, 40, 3) for h in search(store, recent, limit=3, offset=offset)]
    inside = [h for h in everything if h.article.fetched_at >= clock.now - timedelta(days=5)]
    assert len(inside) == 5 * using
    assert [h.article.id for h in paged] == [h.article.id for h in inside]
    assert [h.score for h in paged] == sorted((h.score for h in paged), reverse=True)
    assert all("**said**" in h.snippet.lower() for h in paged)


def test_malformed_queries_say_what_is_wrong() -> None:
    with pytest.raises(QueryError, match="since:yesterdayish is not a date"):
        parse_query("x since:yesterdayish")
    with pytest.raises(QueryError, match="unbalanced quotes"):
        parse_query('actor:"Bashar')


def test_new_since_last_digest_skips_nothing_and_repeats_nothing(store: Store, clock: Clock) -> None:
    channel = ensure_channel(store, "console", "local")
    store.ingest(samples()[:3])
    first = undelivered(store, channel)
    assert len(first) == 3
    mark_delivered(store, channel, [a.id for a in first])
    clock.now += timedelta(hours=1)
    store.ingest(samples()[3:])
    # A "restart": a new Store over the same database sees the same state.
    again = Store(engine=store.engine, sessions=store.sessions, summarizer=None, clock=clock)
    second = undelivered(again, channel)
    assert len(second) == 4 and not {a.id for a in second} & {a.id for a in first}
    mark_delivered(again, channel, [a.id for a in second])
    mark_delivered(again, channel, [a.id for a in second])  # idempotent
    assert undelivered(again, channel) == []


def test_rebrief_updates_briefs_of_an_older_summarizer(store: Store) -> None:
    store.ingest(samples()[:2])
    with store.sessions.begin() as session:
        for row in session.scalars(select(BriefRow)):
            row.version = "0"
    assert sorted(store.stale_briefs()) == sorted(a.id for a in store.articles())
    assert store.count_stale_briefs() == 2
    done: list[int] = []
    assert store.rebrief(progress=done.append) == 2
    assert sorted(done) == sorted(a.id for a in store.articles())
    with store.sessions() as session:
        assert set(session.scalars(select(BriefRow.version))) == {Summarizer().brief("A b c d e f.").version}
    assert store.stale_briefs() == [] and store.count_stale_briefs() == 0 and store.rebrief() == 0


def test_title_words_find_articles(store: Store) -> None:
    store.ingest(samples())
    assert [a.title for a in store.find_by_title("council light rail")] == [
        "Marlow Council Approves $310 Million Light Rail Extension After Heated Debate"
    ]
    assert store.find_by_title("zeppelin") == []
