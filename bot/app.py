"""Building the running pieces from settings: the store over its database, with the summarizer."""

from __future__ import annotations

from pathlib import Path

from config import Settings
from storage.db import default_database_url, open_database
from storage.store import Store
from summarizer import Summarizer


def database_url(settings: Settings) -> str:
    storage = settings.storage
    if storage.database_url:
        return storage.database_url
    return default_database_url(Path(storage.data_dir) if storage.data_dir else None)


def open_store(settings: Settings) -> Store:
    engine, sessions = open_database(database_url(settings))
    return Store(engine=engine, sessions=sessions, summarizer=Summarizer(settings=settings.summarizer))
