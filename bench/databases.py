"""What the database benches share: a PostgreSQL schema of their own, fresh statistics, a moving clock.

Kept apart from :mod:`common` so the summarizer benches do not import SQLAlchemy.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

import sqlalchemy
from sqlalchemy import Engine, create_engine, text

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


@contextmanager
def postgres_schema(url: str, *, keep: bool = False, settings: Sequence[str] = ()) -> Iterator[str]:
    """A schema of our own, dropped afterwards unless kept; yields the URL that puts it first on the
    search path, with ``settings`` (``name=value``) for every session.

    A schema rather than a database: the bench then needs no rights beyond the test database's, and
    a run that dies leaves one ``DROP SCHEMA`` to do.
    """
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with admin.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
    except sqlalchemy.exc.OperationalError as exc:
        raise SystemExit(
            f"PostgreSQL at {url} does not answer: {str(exc.orig).strip().splitlines()[0]}"
        ) from None
    options = "%20".join(f"-c{name.replace('=', '%3D')}" for name in (f"search_path={schema}", *settings))
    try:
        yield f"{url}{'&' if '?' in url else '?'}options={options}"
    finally:
        if keep:
            print(
                f"kept PostgreSQL schema {schema} (DROP SCHEMA {schema} CASCADE when done)", file=sys.stderr
            )
        else:
            with admin.begin() as connection:
                connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def analyze(engine: Engine) -> None:
    """Fresh planner statistics for every table of the schema, as autovacuum would have after a while;
    without them a bulk-loaded table is planned as if it were empty."""
    with engine.begin() as connection:
        tables = connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        ).scalars()
        connection.execute(text("ANALYZE " + ", ".join(tables)))


class StepClock:
    """The store's clock during an ingest: each stored article gets the next article's fetched time."""

    def __init__(self, fetched_at: Callable[[int], datetime], first: int) -> None:
        self.fetched_at = fetched_at
        self.position = first

    def __call__(self) -> datetime:
        moment = self.fetched_at(self.position)
        self.position += 1
        return moment
