"""The store checks a guessed kind against the same name in its other articles, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.db import open_database
from storage.documents import Document
from storage.models import ActorRow
from storage.store import Store
from summarizer import Summarizer
from tests.storage_backends import database_url

# Three articles say plainly that Varnholt is a town; the fourth names it as the model would name a
# speaker (the model guesses an organisation), with nothing in its own text to say otherwise.
TOWN = (
    "Fire crews reached the town of Varnholt on Monday after a night of strong winds. Residents of "
    "Varnholt were told to leave their homes before noon. Roads out of Varnholt were closed by the "
    "police."
)
GUESS = "Varnholt welcomed the decision on Tuesday. The bridge will reopen next week, Varnholt said."


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path, summarizer: Summarizer) -> Iterator[Store]:
    for url in database_url(request.param, tmp_path):
        engine, sessions = open_database(url)
        yield Store(engine=engine, sessions=sessions, summarizer=summarizer)
        engine.dispose()


def kinds_of(store: Store, article_id: int, name: str) -> list[str]:
    with store.sessions() as session:
        return list(
            session.scalars(
                select(ActorRow.kind).where(ActorRow.article_id == article_id, ActorRow.name == name)
            )
        )


def test_a_guessed_kind_gives_way_to_the_stores_other_articles(store: Store, summarizer: Summarizer) -> None:
    alone = summarizer.brief(GUESS)
    [guessed] = [a for a in alone.actors if a.name == "Varnholt"]
    assert guessed.kind != "place" and guessed.kind_evidence == "model", "the text alone must leave a guess"

    towns = [Document(location=f"town-{n}", text=f"Report {n}\n\n{TOWN} Story {n}.") for n in range(3)]
    stored = store.ingest([*towns, Document(location="guess", text=GUESS)])
    *town_results, guess_result = stored
    for result in town_results:
        assert result.article is not None
        assert kinds_of(store, result.article.id, "Varnholt") == ["place"]
    assert guess_result.article is not None
    article_id = guess_result.article.id
    assert kinds_of(store, article_id, "Varnholt") == ["place"]
    brief = store.brief_of(article_id)
    assert brief is not None
    [settled] = [a for a in brief.brief.actors if a.name == "Varnholt"]
    assert (settled.kind, settled.kind_evidence) == ("place", "store")


def test_a_guess_with_too_few_other_articles_stays(store: Store) -> None:
    [town, guess] = store.ingest(
        [Document(location="town", text=f"Report\n\n{TOWN}"), Document(location="guess", text=GUESS)]
    )
    assert town.article is not None and guess.article is not None
    assert kinds_of(store, guess.article.id, "Varnholt") != ["place"]
