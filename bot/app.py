"""Building the running pieces from settings: the store over its database, with the summarizer."""

from __future__ import annotations

import gc
from pathlib import Path

from config import Settings
from storage import ask
from storage.db import default_data_dir, default_database_url, normalise_database_url, open_database
from storage.store import Store
from summarizer import BriefWriter, Summarizer
from summarizer.worker import ProcessSummarizer

DEMO_DATABASE = "briefbot-demo.db"


def data_dir(settings: Settings) -> Path:
    """Where the SQLite stores live: ``storage.data_dir``, else the user's data folder."""
    return Path(settings.storage.data_dir) if settings.storage.data_dir else default_data_dir()


def database_url(settings: Settings) -> str:
    """The store's URL as every consumer must use it (``postgres://`` and the like normalised)."""
    if settings.storage.database_url:
        return normalise_database_url(settings.storage.database_url)
    return default_database_url(data_dir(settings))


def demo_database_url(settings: Settings) -> str:
    """The demo's own SQLite file beside the real store: fictional samples never reach production."""
    return default_database_url(data_dir(settings), name=DEMO_DATABASE)


def open_store(settings: Settings, *, url: str | None = None, serving: bool = False) -> Store:
    """The store at ``url``, by default the configured one. A store ``serving`` chat writes its briefs
    in a worker process when ``summarizer.worker_process`` says so (:mod:`summarizer.worker`)."""
    engine, sessions = open_database(url or database_url(settings))
    summarizer: BriefWriter = (
        ProcessSummarizer(settings=settings.summarizer)
        if serving and settings.summarizer.worker_process
        else Summarizer(settings=settings.summarizer)
    )
    return Store(engine=engine, sessions=sessions, summarizer=summarizer)


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
