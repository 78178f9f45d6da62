"""One actor across articles: linking, conservative merging, hand corrections; on both databases.

The articles are the shipped samples and short made-up ones whose actors the real summarizer
names as the tests say (each test checks the names it relies on before relying on them).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, select, update

from bot.cli import samples_dir
from storage.actor_links import (
    CorrectionRefused,
    UnknownActor,
    count_actors,
    link_actors,
    list_actors,
    merge,
    name_forms,
    relink_all,
    show_actor,
    split,
)
from storage.db import open_database
from storage.documents import Document, iter_documents
from storage.models import ActorEntityRow, ActorNameRow, ActorRow, BriefRow
from storage.store import Store
from summarizer import Summarizer
from tests.storage_backends import Clock, database_url

ARTICLES = {
    "assad": "Syria Talks Resume\n\nSyrian President Bashar al-Assad met United Nations envoys in Damascus "
    "on Monday to discuss a ceasefire. Assad told the envoys that his government would attend the next "
    "round of talks in Geneva. Diplomats said the meeting lasted three hours.",
    "assad-alone": "Damascus Rejects Plan\n\nAssad rejected the new peace plan on Tuesday, officials in "
    "Damascus said. Assad said the plan ignored the demands of his government. The opposition said it "
    "would keep fighting.",
    "baker": "Bakery Reopens After Flood\n\nAssad, 34, reopened his bakery in Millbrook on Thursday, two "
    "months after the flood. Assad said customers had queued since dawn. The town council paid for new "
    "ovens.",
    "john-smith": "Dunmore Mayor Resigns\n\nJohn Smith resigned as mayor of Dunmore on Monday after eleven "
    "years in office. Smith said he wanted to spend more time with his family. The council will choose "
    "a successor next month.",
    "mary-smith": "Nurse Wins Award\n\nMary Smith, a nurse at Millbrook General Hospital, won the national "
    "care award on Wednesday. Smith has worked at the hospital for twenty years. Colleagues said she "
    "deserved the prize.",
    "peter-smith": "Coach Leaves Club\n\nPeter Smith left Dunmore Rovers on Friday after three seasons as "
    "head coach. Smith thanked the players and the fans. The club will name a new coach next week.",
    "paul-smith": "Ferry Timetable Changes\n\nThe ferry to Dunmore will run twice a day from March, said "
    "Paul Smith, a spokesman for the operator. Tickets will cost the same as last year. Passengers welcomed "
    "the news.",
    "smith-alone": "Bridge Vote Delayed\n\nSmith told reporters on Thursday that the vote on the new bridge "
    "in Dunmore would be delayed until spring. Smith said engineers needed more time. Residents have "
    "complained about traffic for years.",
    "idu-alone": "Dockers Vote Again\n\nThe IDU called a second strike on Friday after talks with the port "
    "operators failed. The IDU said members would walk out for 48 hours. Ships were again waiting "
    "offshore.",
    "journal": "Militia Report Disputed\n\nThe Journal reported on Monday that militia fighters had crossed "
    "into Syria. Officials in Baghdad denied the Journal report. The Journal stood by its story.",
}


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from database_url(request.param, tmp_path)


@pytest.fixture
def store(url: str, summarizer: Summarizer) -> Iterator[Store]:
    engine, sessions = open_database(url)
    yield Store(engine=engine, sessions=sessions, summarizer=summarizer, clock=Clock())
    engine.dispose()


def samples() -> list[Document]:
    return [d for d in iter_documents([samples_dir()]) if isinstance(d, Document)]


def made_up(*names: str) -> list[Document]:
    return [Document(location=name, text=ARTICLES[name]) for name in names]


def stored(store: Store, documents: list[Document]) -> dict[str, int]:
    """Article ids by location."""
    ids = {}
    for result in store.ingest(documents):
        assert result.article is not None, result.error
        ids[result.location] = result.article.id
    return ids


def actor_of(store: Store, article_id: int, name: str) -> int:
    with store.sessions() as session:
        [actor_id] = session.scalars(
            select(ActorRow.actor_id).where(ActorRow.article_id == article_id, ActorRow.name == name)
        ).all()
    assert actor_id is not None, f"{name} of article {article_id} is not linked"
    return actor_id


def name_means(store: Store, key: str) -> int | None:
    with store.sessions() as session:
        return session.scalar(select(ActorNameRow.actor_id).where(ActorNameRow.key == key))


def partition(store: Store) -> set[frozenset[tuple[int, str]]]:
    """The actors as sets of (article, name) rows: what must not change when links are remade."""
    groups: dict[int, set[tuple[int, str]]] = {}
    with store.sessions() as session:
        for article_id, name, actor_id in session.execute(
            select(ActorRow.article_id, ActorRow.name, ActorRow.actor_id)
        ):
            assert actor_id is not None
            groups.setdefault(actor_id, set()).add((article_id, name))
    return {frozenset(rows) for rows in groups.values()}


def rebrief_everything(store: Store) -> None:
    """As after an upgrade of briefbot: every brief an older summarizer's, written again."""
    with store.sessions.begin() as session:
        session.execute(update(BriefRow).values(version="0"))
    assert store.rebrief() == store.count()


# -- linking --------------------------------------------------------------------------------------


def test_every_sample_actor_is_linked_and_the_two_outlets_share_theirs(store: Store) -> None:
    stored(store, samples())
    with store.sessions() as session:
        rows = session.execute(select(ActorRow.name, ActorRow.actor_id)).all()
    assert rows and all(actor_id is not None for _, actor_id in rows)
    # Distinct names of the samples are distinct actors, except where two outlets tell one story.
    assert count_actors(store) == len({name for name, _ in rows})
    union = show_actor(store, "International Dockworkers Union")
    assert (union.kind, union.articles, union.stories) == ("organization", 2, 1)
    assert "IDU" in union.aliases
    assert show_actor(store, "IDU") == union
    whitfield = show_actor(store, "Whitfield")
    assert (whitfield.name, whitfield.articles, whitfield.stories) == ("Aaron Whitfield", 2, 1)
    top = list_actors(store, limit=8)
    assert {a.articles for a in top} == {2} and len(top) == 8  # the strike's eight actors first
    assert {a.name for a in list_actors(store, kind="person", limit=100)} >= {
        "Bashar al-Assad",
        "Aaron Whitfield",
        "Elena Markovic",
    }


@pytest.mark.parametrize("order", [("assad", "assad-alone"), ("assad-alone", "assad")])
def test_a_bare_surname_and_the_full_name_are_one_actor_whichever_comes_first(
    store: Store, order: tuple[str, str]
) -> None:
    ids = stored(store, made_up(*order))
    full = actor_of(store, ids["assad"], "Bashar al-Assad")
    assert actor_of(store, ids["assad-alone"], "Assad") == full
    assad = show_actor(store, "Assad")
    assert (assad.id, assad.name, assad.kind, assad.articles) == (full, "Bashar al-Assad", "person", 2)
    assert show_actor(store, "bashar al-assad") == show_actor(store, "Bashar Assad") == assad


def test_people_sharing_a_surname_stay_apart_and_the_surname_links_to_neither(store: Store) -> None:
    ids = stored(store, made_up("john-smith", "smith-alone"))
    john = actor_of(store, ids["john-smith"], "John Smith")
    assert actor_of(store, ids["smith-alone"], "Smith") == john  # the one Smith known
    ids |= stored(store, made_up("mary-smith"))
    mary = actor_of(store, ids["mary-smith"], "Mary Smith")
    shared = actor_of(store, ids["smith-alone"], "Smith")
    assert len({john, mary, shared}) == 3  # a second Smith: the bare mention leaves John
    assert name_means(store, "smith") == shared
    assert show_actor(store, "John Smith").articles == show_actor(store, "Mary Smith").articles == 1
    # A third Smith cannot claim the surname, and a later bare "Smith" goes to neither full name.
    ids |= stored(store, made_up("peter-smith"))
    assert name_means(store, "smith") == shared
    again = stored(store, [Document(location="again", text=ARTICLES["smith-alone"] + " Traffic grew.")])
    assert actor_of(store, again["again"], "Smith") == shared
    assert show_actor(store, "Smith").articles == 2


def test_a_namesake_named_once_in_full_does_not_make_the_surname_shared(store: Store) -> None:
    # Paul Smith is never called "Smith" alone: he is not known by the surname, John Smith is.
    ids = stored(store, made_up("john-smith", "paul-smith", "smith-alone"))
    john = actor_of(store, ids["john-smith"], "John Smith")
    assert actor_of(store, ids["paul-smith"], "Paul Smith") != john
    assert actor_of(store, ids["smith-alone"], "Smith") == john


def test_an_acronym_the_article_defines_is_its_long_names_actor(store: Store) -> None:
    strike = [d for d in samples() if "port-strike" in d.location]
    ids = stored(store, [*strike, *made_up("idu-alone")])
    union = actor_of(store, ids[strike[0].location], "International Dockworkers Union")
    assert actor_of(store, ids["idu-alone"], "IDU") == union
    assert show_actor(store, "IDU").articles == 3


def test_an_acronym_seen_first_joins_the_long_name_defining_it_later(store: Store) -> None:
    strike = [d for d in samples() if "harbor-times" in d.location]
    ids = stored(store, [*made_up("idu-alone"), *strike])
    union = actor_of(store, ids[strike[0].location], "International Dockworkers Union")
    assert actor_of(store, ids["idu-alone"], "IDU") == union
    assert show_actor(store, "IDU").name == "International Dockworkers Union"


def test_short_forms_and_different_kinds_are_not_merged(store: Store) -> None:
    militias = [d for d in samples() if "militias" in d.location]
    ids = stored(store, [*militias, *made_up("journal")])
    journal = actor_of(store, ids["journal"], "Journal")
    assert journal != actor_of(store, ids[militias[0].location], "Wall Street Journal")
    assert actor_of(store, ids["journal"], "Syria") == actor_of(store, ids[militias[0].location], "Syria")


def test_linking_an_article_costs_a_few_statements_however_many_actors_are_stored(store: Store) -> None:
    ids = stored(store, [*samples(), *made_up(*ARTICLES)])
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        with store.sessions.begin() as session:
            link_actors(session, ids["assad"])
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    linking = [s for s in statements if not s.lstrip().upper().startswith(("BEGIN", "COMMIT", "SELECT 1"))]
    assert len(linking) <= 6, linking
    assert not any("FROM actors" in s and "WHERE" not in s for s in linking)


def test_two_instances_naming_a_new_actor_at_once_make_one_actor(url: str, summarizer: Summarizer) -> None:
    """PostgreSQL: the second transaction waits on the first's new name, then joins its actor."""
    if not url.startswith("postgresql"):
        pytest.skip("SQLite lets one writer at a time: there is no race to lose")
    engine, sessions = open_database(url)
    unbriefed = Store(engine=engine, sessions=sessions)
    texts = {"coach-1": ARTICLES["peter-smith"], "coach-2": ARTICLES["peter-smith"] + " Fans were sad."}
    ids = stored(unbriefed, [Document(location=k, text=t) for k, t in texts.items()])
    briefs = {k: summarizer.brief(t) for k, t in texts.items()}
    now = Clock()()
    first = sessions()
    first.begin()
    # The brief writing ingest does, in two transactions held open at once (as two instances would).
    unbriefed._write_brief(first, ids["coach-1"], briefs["coach-1"], now)
    second_done = threading.Event()

    def second() -> None:
        with sessions.begin() as session:
            unbriefed._write_brief(session, ids["coach-2"], briefs["coach-2"], now)
        second_done.set()

    thread = threading.Thread(target=second)
    thread.start()
    assert not second_done.wait(1.0)  # waiting on "peter smith", which the first has not committed
    first.commit()
    first.close()
    thread.join(30)
    assert second_done.is_set()
    assert actor_of(unbriefed, ids["coach-1"], "Peter Smith") == actor_of(
        unbriefed, ids["coach-2"], "Peter Smith"
    )
    with sessions() as session:
        named = session.scalars(select(ActorEntityRow.id).where(ActorEntityRow.name == "Peter Smith")).all()
    assert len(named) == 1
    engine.dispose()


# -- corrections ----------------------------------------------------------------------------------


def test_a_wrong_merge_undone_by_split_stays_undone_after_rebrief(store: Store) -> None:
    ids = stored(store, made_up("assad", "baker"))
    bashar = actor_of(store, ids["assad"], "Bashar al-Assad")
    assert actor_of(store, ids["baker"], "Assad") == bashar  # the linker's wrong merge: one Assad known
    message = split(store, "Bashar al-Assad", "Assad")
    assert message == "'Assad' split from 'Bashar al-Assad': 1 article now under 'Assad'"
    baker = actor_of(store, ids["baker"], "Assad")
    assert baker != bashar and actor_of(store, ids["assad"], "Bashar al-Assad") == bashar
    assert show_actor(store, "Assad").name == "Assad"
    before = partition(store)
    rebrief_everything(store)  # new actor rows, linked again: the split is replayed
    assert partition(store) == before
    assert actor_of(store, ids["baker"], "Assad") != actor_of(store, ids["assad"], "Bashar al-Assad")
    relink_all(store)
    assert partition(store) == before
    # A later bare "Assad" follows the split too: never Bashar al-Assad's.
    later = stored(store, made_up("assad-alone"))
    assert actor_of(store, later["assad-alone"], "Assad") == actor_of(store, ids["baker"], "Assad")


def test_a_hand_merge_survives_rebrief_and_a_later_split_of_it_wins(store: Store) -> None:
    militias = [d for d in samples() if "militias" in d.location]
    ids = stored(store, [*militias, *made_up("journal")])
    message = merge(store, "Wall Street Journal", "Journal")
    assert message == "merged 'Journal' into 'Wall Street Journal': 2 articles, 2 stories"
    wsj = actor_of(store, ids[militias[0].location], "Wall Street Journal")
    assert actor_of(store, ids["journal"], "Journal") == wsj
    rebrief_everything(store)
    assert actor_of(store, ids["journal"], "Journal") == actor_of(
        store, ids[militias[0].location], "Wall Street Journal"
    )
    relink_all(store)
    assert show_actor(store, "Journal").name == "Wall Street Journal"
    split(store, "Wall Street Journal", "Journal")
    rebrief_everything(store)
    assert actor_of(store, ids["journal"], "Journal") != actor_of(
        store, ids[militias[0].location], "Wall Street Journal"
    )


def test_corrections_refuse_what_cannot_be_done_and_unknown_names_get_suggestions(store: Store) -> None:
    stored(store, [*samples(), *made_up("assad-alone")])
    with pytest.raises(UnknownActor, match=r"no actor named 'Bashar Asad'; closest: Bashar al-Assad"):
        show_actor(store, "Bashar Asad")
    with pytest.raises(UnknownActor, match=r"no actor named 'Zeppelin Armada' \(see: briefbot actors list\)"):
        merge(store, "Zeppelin Armada", "IDU")
    with pytest.raises(CorrectionRefused, match="already one actor"):
        merge(store, "International Dockworkers Union", "IDU")
    with pytest.raises(CorrectionRefused, match="'Halvern' is not another name of 'Aaron Whitfield'"):
        split(store, "Aaron Whitfield", "Halvern")


def test_relinking_the_whole_store_is_idempotent_and_agrees_with_ingest(store: Store) -> None:
    stored(store, [*samples(), *made_up(*ARTICLES)])
    linked = partition(store)
    with store.sessions.begin() as session:
        session.execute(update(ActorRow).values(actor_id=None))  # as an upgraded store's old rows
    assert relink_all(store) == store.count()
    assert partition(store) == linked
    names = {a.name for a in list_actors(store, limit=500)}
    assert relink_all(store) == store.count()
    assert partition(store) == linked
    assert {a.name for a in list_actors(store, limit=500)} == names
    with store.sessions() as session:  # no actor is left without an article naming it
        unused = session.scalar(
            select(ActorEntityRow.id).where(~ActorEntityRow.id.in_(select(ActorRow.actor_id))).limit(1)
        )
    assert unused is None


def test_name_forms_know_surnames_particles_titles_and_acronyms() -> None:
    # A surname is registered where the article calls the person by it alone.
    assert name_forms("Bashar al-Assad", "person", ("assad",)).shared == ("assad",)
    assert name_forms("Bashar al-Assad", "person").shared == ()
    assert name_forms("Charles de Gaulle", "person", ("de gaulle",)).shared == ("de gaulle",)
    assert name_forms("Ursula von der Leyen", "person", ("von der leyen",)).shared == ("von der leyen",)
    assert name_forms("Tony Blair", "person", ("mr blair",)).shared == ("blair",)
    assert name_forms("Gen Musharraf", "person").surname == "musharraf"
    assert name_forms("de Gaulle", "person").surname == "de gaulle"
    assert (name_forms("Mr Blair", "person").surname, name_forms("Mr Blair", "person").title) == (
        "blair",
        "mr",
    )
    assert not name_forms("Prince Andrew", "person").bare  # a first name after a royal title
    assert not name_forms("Queen", "person").bare
    union = name_forms("International Dockworkers Union", "organization", ("idu",))
    assert union.shared == ("idu",) and name_forms("IDU", "organization").bare
    assert "united states" in name_forms("US", "place").exact
    assert "united states" in name_forms("U.S", "place").exact
    assert (
        "international monetary fund" in name_forms("International Monetary Fund (IMF", "organization").exact
    )
    assert not name_forms("Roddick 6-2 7-6", "person").first  # a score, not a first name


# -- the command line -----------------------------------------------------------------------------


def briefbot(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, timeout=180, env=env
    )


def test_actors_commands_end_to_end(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    for name in ("assad", "baker", "journal"):
        (folder / f"{name}.txt").write_text(ARTICLES[name], "utf-8")
    env = {**os.environ, "BRIEFBOT_DATA_DIR": str(tmp_path / "data")}
    ingest = briefbot(env, "ingest", str(samples_dir()), str(folder))
    assert ingest.returncode == 0, ingest.stderr
    listed = briefbot(env, "actors", "list", "--kind", "organization", "--limit", "3")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert len(lines) == 3 and all("2 articles, 1 story" in line for line in lines)  # the strike's
    assert any(
        line.endswith("International Dockworkers Union (organization) — 2 articles, 1 story; also IDU")
        for line in lines
    )
    shown = briefbot(env, "actors", "show", "--json", "Bashar", "al-Assad")
    assert json.loads(shown.stdout)["articles"] == 3, shown.stderr  # the sample, ours, the baker (wrongly)
    unknown = briefbot(env, "actors", "show", "Bashar", "Asad")
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == "briefbot: no actor named 'Bashar Asad'; closest: Bashar al-Assad"
    split_off = briefbot(env, "actors", "split", "Bashar al-Assad", "Assad")
    assert split_off.returncode == 0 and "1 article now under 'Assad'" in split_off.stdout, split_off.stderr
    merged = briefbot(env, "actors", "merge", "Wall Street Journal", "Journal")
    assert merged.stdout.strip() == "merged 'Journal' into 'Wall Street Journal': 2 articles, 2 stories"
    refused = briefbot(env, "actors", "merge", "Wall Street Journal", "Journal")
    assert refused.returncode == 1 and "already one actor" in refused.stderr
    relinked = briefbot(env, "db", "link-actors")
    assert relinked.returncode == 0 and relinked.stdout.startswith("10 articles linked: "), relinked.stderr
    after = briefbot(env, "actors", "show", "--json", "Bashar al-Assad")
    assert json.loads(after.stdout)["articles"] == 2
    journal = briefbot(env, "actors", "show", "--json", "Journal")
    assert json.loads(journal.stdout)["name"] == "Wall Street Journal"
