"""Migrations that change how rows are stored, checked on the stored rows themselves."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from bot.cli import samples_dir
from storage.db import MIGRATIONS, make_engine, upgrade
from storage.documents import Document, iter_documents
from storage.store import Store
from tests.storage_backends import database_url


def head() -> str:
    """The newest migration's revision."""
    from alembic.script import ScriptDirectory

    return str(ScriptDirectory(str(MIGRATIONS)).get_current_head())


@pytest.fixture
def postgres_url(tmp_path: Path) -> Iterator[str]:
    yield from database_url("postgres", tmp_path)


def tsvector_bytes_in_rows(store: Store) -> tuple[int, int]:
    """(bytes of the heap of articles, bytes of all their tsvectors): the heap can only hold the
    tsvectors when it is at least as large as they are together."""
    with store.engine.connect() as connection:
        heap = connection.execute(text("SELECT pg_relation_size('articles')")).scalar_one()
        vectors = connection.execute(text("SELECT sum(pg_column_size(search)) FROM articles")).scalar_one()
    return int(heap), int(vectors)


def test_postgres_keeps_the_tsvector_in_the_row_for_old_and_new_articles(postgres_url: str) -> None:
    documents = [d for d in iter_documents([samples_dir()]) if isinstance(d, Document)]
    engine = make_engine(postgres_url)
    upgrade(engine, "0001")  # a store made before the migration, with articles in it (written as
    # that version's code wrote them: today's code writes tables the old schema does not have)
    store = Store(engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))
    with engine.begin() as connection:
        for i, document in enumerate(documents[:4]):
            connection.execute(
                text(
                    "INSERT INTO articles (title, text, fetched_at, content_hash, simhash, words) "
                    "VALUES (:title, :text, now(), :hash, 0, 0)"
                ),
                {"title": document.title or document.location, "text": document.text, "hash": f"h{i}"},
            )
    heap, vectors = tsvector_bytes_in_rows(store)
    assert heap < vectors, "before: the tsvectors lived in TOAST"
    upgrade(engine)
    heap, vectors = tsvector_bytes_in_rows(store)
    assert heap >= vectors, "the stored rows were rewritten with their tsvector in place"
    store.ingest(documents[4:])
    heap, vectors = tsvector_bytes_in_rows(store)
    assert heap >= vectors, "and new rows are written that way"
    with store.engine.connect() as connection:  # and search still finds them, old and new
        found = connection.execute(
            text("SELECT count(*) FROM articles WHERE search @@ plainto_tsquery('english', 'said')")
        ).scalar_one()
    assert found == len(documents)


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from database_url(request.param, tmp_path)


def test_processes_opening_a_new_store_together_all_start(url: str) -> None:
    # Several instances share one PostgreSQL database, and `briefbot run` and `briefbot ingest` one
    # SQLite file; started together (a deploy, a reboot), each migrates on open. Without a lock, the
    # slower ones failed on tables the first had just created.
    start = (
        "import sys, time; from storage.db import make_engine, upgrade; engine = make_engine(sys.argv[1]); "
        "time.sleep(max(0.0, float(sys.argv[2]) - time.time())); upgrade(engine)"
    )
    at = str(time.time() + 3)  # all three begin at once, after their imports
    instances = [
        subprocess.Popen([sys.executable, "-c", start, url, at], stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    failures = [p.communicate(timeout=120)[1] for p in instances if p.wait(timeout=120) != 0]
    assert failures == []
    with make_engine(url).connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head()


@pytest.fixture(params=["sqlite", "postgres"])
def any_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from database_url(request.param, tmp_path)


def test_0006_keeps_the_ledger_and_the_channels_choices(any_url: str) -> None:
    """From 0005 with a sent digest and a channel that follows a feed: the digest stays one per day,
    a notice may share its day, and only the channel that chose feeds stops receiving everything."""
    engine = make_engine(any_url)
    upgrade(engine, "0005")
    with engine.begin() as connection:
        now = "2026-11-24 09:00:00"
        connection.execute(
            text(
                "INSERT INTO channels (id, platform, external_id, timezone, digest_time, subscribed, "
                "quiet_when_empty, created_at) VALUES "
                "(1, 'console', 'a', 'UTC', '09:00', true, false, :now), "
                "(2, 'console', 'b', 'UTC', '09:00', true, false, :now)"
            ),
            {"now": now},
        )
        connection.execute(
            text(
                "INSERT INTO sources (id, kind, location, failures, failure_notified, created_at) "
                "VALUES (1, 'feed', 'https://feeds.example/a.xml', 0, false, :now)"
            ),
            {"now": now},
        )
        connection.execute(text("INSERT INTO channel_sources (channel_id, source_id) VALUES (2, 1)"))
        connection.execute(
            text(
                "INSERT INTO deliveries (channel_id, digest_date, status, attempts, articles) "
                "VALUES (1, '2026-11-24', 'sent', 1, 3)"
            )
        )
    upgrade(engine)
    with engine.begin() as connection:
        assert connection.execute(text("SELECT topic, parts_sent FROM deliveries")).all() == [("digest", 0)]
        connection.execute(
            text(
                "INSERT INTO deliveries (channel_id, topic, digest_date, status, attempts, articles, "
                "parts_sent) VALUES (1, 'feed-failing:1', '2026-11-24', 'claimed', 1, 0, 0)"
            )
        )
        everything: dict[int, object] = dict(
            connection.execute(text("SELECT id, all_sources FROM channels")).tuples().all()
        )
        assert {k: bool(v) for k, v in everything.items()} == {1: True, 2: False}
        assert connection.execute(text("SELECT origin FROM sources")).scalar_one() == "store"
    with pytest.raises(IntegrityError), engine.begin() as connection:  # still one digest a day
        connection.execute(
            text(
                "INSERT INTO deliveries (channel_id, topic, digest_date, status, attempts, articles, "
                "parts_sent) VALUES (1, 'digest', '2026-11-24', 'claimed', 1, 0, 0)"
            )
        )
    engine.dispose()
