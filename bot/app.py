"""Building the running pieces from settings: the store over its database, with the summarizer."""

from __future__ import annotations

import gc
from pathlib import Path

from config import Settings
from storage import ask
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


def warm_up(store: Store) -> None:
    """Load every model and table a long-running bot will use, then set what start-up built aside
    from the garbage collector.

    Loaded lazily, each (the spaCy model, the gazetteer) holds the interpreter for up to a second
    the first time a poll or a question needs it, and a chat acknowledgement waits behind it
    (bench/chat_ack.py). ``gc.freeze()`` then keeps the collector's full passes from walking the
    model's objects again (50 ms a pass), since they live as long as the process.
    """
    if store.summarizer is not None:
        store.summarizer.warm_up()
    ask.warm_up()
    gc.freeze()
