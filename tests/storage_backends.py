"""Both databases for the storage contract tests: SQLite always, PostgreSQL when a server answers.

In CI (``CI=true``) the PostgreSQL run must happen: a missing server fails the run instead of
skipping it. Each test gets a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from storage.db import open_database
from storage.store import Store

POSTGRES_URL = os.environ.get(
    "BRIEFBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


class Clock:
    """A store's clock that the test moves by hand (``clock.now += timedelta(...)``)."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime(2026, 11, 20, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def postgres_available() -> str | None:
    """None when the server answers, else the reason it does not."""
    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:
        return str(exc).strip().splitlines()[0]


_reason: list[str | None] = []


def require_postgres() -> None:
    if not _reason:
        _reason.append(postgres_available())
    reason = _reason[0]
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL must run in CI but {POSTGRES_URL} does not answer: {reason}")
    pytest.skip(f"no PostgreSQL server at {POSTGRES_URL} ({reason}); CI runs these")


def database_url(kind: str, tmp_path: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'briefbot.db'}"
        return
    require_postgres()
    schema = f"bb_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def stores(kind: str, folder: Path) -> Iterator[Store]:
    """A store on ``kind``'s database (a file in ``folder``, or a schema of its own), disposed after."""
    for url in database_url(kind, folder):
        engine, sessions = open_database(url)
        try:
            yield Store(engine=engine, sessions=sessions)
        finally:
            engine.dispose()


def assert_intact(store: Store) -> None:
    """The database's own integrity checks: SQLite's, and on PostgreSQL no constraint left unchecked
    (it checks the others as rows are written)."""
    with store.engine.connect() as connection:
        if store.dialect == "sqlite":
            assert connection.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
            assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
        else:
            unchecked = "SELECT conname FROM pg_constraint WHERE NOT convalidated"
            assert connection.execute(text(unchecked)).all() == []
