"""Opening the database: SQLite in the user's data folder by default, PostgreSQL by URL.

Migrations run on every open (Alembic, ``storage/migrations``), so a new version of briefbot finds
its tables up to date; ``briefbot db upgrade`` runs them alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK = 0x62726965666230  # "briefb0": PostgreSQL advisory lock held while migrating


class DatabaseError(RuntimeError):
    """The database cannot be opened or migrated; the message is one line."""


def default_data_dir() -> Path:
    """The user's data folder (platformdirs): ``~/.local/share/briefbot`` on Linux."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("briefbot", appauthor=False))


def default_database_url(data_dir: Path | None = None, *, name: str = "briefbot.db") -> str:
    folder = default_data_dir() if data_dir is None else data_dir
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / name}"


def parse_database_url(url: str) -> URL:
    """The URL every consumer of the database uses, PostgreSQL's spellings made one.

    Hosts hand out ``postgres://`` (Heroku, Render, Fly...), which SQLAlchemy knows no dialect for,
    and ``postgresql://``, which means psycopg2, not installed: both become ``postgresql+psycopg``.
    A driver named explicitly (``postgresql+psycopg://``) is kept.
    """
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise DatabaseError(f"database URL {url!r} is not valid ({exc})") from None
    backend, _, driver = parsed.drivername.partition("+")
    if backend in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername=f"postgresql+{driver or 'psycopg'}")
    return parsed


def normalise_database_url(url: str) -> str:
    return parse_database_url(url).render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers (search) run while an ingest writes; foreign keys keep cascades honest;
    # busy_timeout makes a second process wait for a write lock rather than fail at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str) -> Engine:
    parsed = parse_database_url(url)
    if parsed.drivername.startswith("sqlite"):
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(parsed, pool_pre_ping=True)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to the newest migration (or to ``revision``, for tests of a migration)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    migrating = _migration_engine(engine)
    with migrating.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Instances sharing the database migrate one at a time: the others wait here, then find
            # nothing left to do. The lock ends with the transaction.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        if connection.dialect.name == "sqlite":
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:  # rolled back with the rest: the store stays as it was
                raise DatabaseError(f"migration to {revision} broke {len(broken)} reference(s): {broken[:3]}")
    if migrating is not engine:
        migrating.dispose()


def _migration_engine(engine: Engine) -> Engine:
    """For a SQLite file, an engine whose transactions start with ``BEGIN IMMEDIATE``.

    pysqlite begins a transaction only before it writes rows, so two processes opening a new store
    together both saw no tables and the second failed creating them. With the write lock taken first,
    the second waits (``busy_timeout``), then finds the schema up to date; and a migration that fails
    half-way is rolled back whole, DDL included. PostgreSQL gets an advisory lock instead.
    """
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return engine
    migrating = make_engine(engine.url.render_as_string(hide_password=False))  # same pragmas, timeout
    event.listen(migrating, "connect", _driver_leaves_transactions_to_us)
    event.listen(migrating, "begin", lambda connection: connection.exec_driver_sql("BEGIN IMMEDIATE"))
    return migrating


def _driver_leaves_transactions_to_us(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    # A migration that rebuilds a table (Alembic's batch mode: copy, drop, rename) must not let the
    # drop cascade into the tables that point at it, as SQLite's own procedure for it says; the
    # references are checked once the migration is done (``upgrade``).
    dbapi_connection.execute("PRAGMA foreign_keys=OFF")


def open_database(url: str, *, migrate: bool = True) -> tuple[Engine, sessionmaker[Session]]:
    engine = make_engine(url)
    try:
        if migrate:
            upgrade(engine)
    except Exception as exc:
        from sqlalchemy.exc import OperationalError

        if isinstance(exc, OperationalError):
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise DatabaseError(f"cannot open database {engine.url.render_as_string()}: {reason}") from None
        raise
    return engine, sessionmaker(engine, expire_on_commit=False)
