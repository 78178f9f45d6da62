"""The shape of SQLite's plans for the statements that run on every search and every ingest.

Wall-clock time is for ``bench/``; what a test can hold is the plan: a statement that walks the
whole articles table costs nothing on the seven samples and 150 ms at 100,000 articles.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from bot.cli import samples_dir
from storage.db import open_database
from storage.documents import Document, iter_documents
from storage.query import parse_query
from storage.search import search
from storage.store import Store


@contextmanager
def statements(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def plan(engine: Engine, statement: str, parameters: Any) -> list[str]:
    with engine.connect() as connection:
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        return [row[3] for row in cursor.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)]


def full_scans_of_articles(steps: list[str]) -> list[str]:
    """Steps reading every row of articles (a covering index scan of one column is fine)."""
    return [
        s for s in steps if s.startswith("SCAN") and s.split()[1] in {"a", "articles"} and "COVERING" not in s
    ]


def open_store(tmp_path: Path) -> Store:
    engine, sessions = open_database(f"sqlite:///{tmp_path / 'plans.db'}")
    store = Store(engine=engine, sessions=sessions)
    store.ingest([d for d in iter_documents([samples_dir()]) if isinstance(d, Document)])
    return store


@pytest.mark.parametrize(
    "query", ["said", "said since:7d", 'said actor:"Maria Delgado"', "said source:port-strike"]
)
def test_search_reads_articles_only_for_the_page_it_returns(tmp_path: Path, query: str) -> None:
    store = open_store(tmp_path)
    with statements(store.engine) as seen:
        search(store, parse_query(query, now=datetime.now(UTC)), limit=3)  # the plan is what counts
    [(statement, parameters)] = seen
    steps = plan(store.engine, statement, parameters)
    assert full_scans_of_articles(steps) == []
    # FTS5 walks the matches once, to rank them; the page is then looked up by rowid, article and
    # index entry alike ("=M": rowid equal, with the MATCH, which snippet() needs).
    walks = [s for s in steps if s.startswith("SCAN article_fts")]
    assert len(walks) == 2 and ":M" in walks[0] and ":=M" in walks[1]
    assert steps.index("SCAN page") < steps.index(walks[1])
    assert "SEARCH a USING INTEGER PRIMARY KEY (rowid=?)" in steps
    # Filters are one set of ids built once, not a row read or a doclist seek per match.
    assert any(s.startswith("LIST SUBQUERY") for s in steps) == (" " in query)


def test_near_duplicate_candidates_are_read_through_the_fetched_at_index(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    with statements(store.engine) as seen:
        store.ingest([Document(location="late.txt", text="A new article. It says something else entirely.")])
    candidates = [(s, p) for s, p in seen if "simhash" in s and "fetched_at >=" in s]
    assert len(candidates) == 1
    steps = plan(store.engine, *candidates[0])
    assert full_scans_of_articles(steps) == []
    assert any("ix_articles_fetched_at" in s for s in steps)
    assert not any("TEMP B-TREE" in s for s in steps)  # the index gives the order too
