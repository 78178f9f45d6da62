"""Briefs written in a process of their own, for a bot that also serves chat.

A brief is a second or so of spaCy and ranking in Python, and Python runs one thread at a time: in
the process that answers Slack, a poll briefing hundreds of articles makes every acknowledgement wait
its turn (bench/load.py: ack p99 over 1 s on SQLite at 50 commands a second while polling). In a
worker process the model has a core of its own and the chat process only waits on a pipe, which
holds nothing. The worker is the same :class:`Summarizer`; only the texts and the briefs cross.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from config import SummarizerSettings
from summarizer.brief import Brief
from summarizer.pipeline import EmptyText, Summarizer

log = logging.getLogger(__name__)
T = TypeVar("T")

_worker: Summarizer | None = None  # in the worker process: the one summarizer it serves


def _summarizer(settings: SummarizerSettings) -> Summarizer:
    """The worker's summarizer, made by the first call rather than a pool initializer: an error in
    an initializer only breaks the pool, while one raised here (the model not installed) reaches the
    caller as itself."""
    global _worker
    if _worker is None or _worker.settings != settings:
        _worker = Summarizer(settings=settings)
    return _worker


def _warm_up(settings: SummarizerSettings) -> None:
    _summarizer(settings).warm_up()


def _pid(settings: SummarizerSettings) -> int:
    return os.getpid()


def _brief_all(
    settings: SummarizerSettings, items: list[tuple[str, str | None]], batch_size: int
) -> list[Brief | EmptyText]:
    return list(_summarizer(settings).brief_many(items, batch_size=batch_size))


class ProcessSummarizer:
    """A :class:`Summarizer` whose model runs in one worker process, started by :meth:`warm_up` or
    the first brief. A worker that dies (killed for memory, say) is replaced once per call, so a
    poll goes on; a second death in the same call is raised.

    ``spawn`` rather than ``fork``: the chat process has threads (database pool, aiohttp) by the
    time a worker is needed, and a forked copy of a held lock would hang the child.
    """

    def __init__(self, *, settings: SummarizerSettings | None = None) -> None:
        self.settings = settings or SummarizerSettings()
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                spawn = multiprocessing.get_context("spawn")
                self._pool = ProcessPoolExecutor(max_workers=1, mp_context=spawn)
            return self._pool

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is broken:
                self._pool = None
        broken.shutdown(wait=False, cancel_futures=True)

    def _call(self, function: Callable[..., T], *args: object) -> T:
        for attempt in (1, 2):
            pool = self._executor()
            try:
                return pool.submit(function, self.settings, *args).result()
            except BrokenProcessPool:
                self._replace(pool)
                if attempt == 2:
                    raise
                log.warning("the briefing worker process died; starting another")
        raise AssertionError("unreachable")

    def warm_up(self) -> None:
        """Start the worker and load its model now, so the first poll does not wait for either."""
        self._call(_warm_up)
        log.info("briefs are written in worker process %d", self.worker_pid())

    def worker_pid(self) -> int:
        """The worker's process id (started if none runs), for the log and for tests that kill it."""
        return self._call(_pid)

    def brief(self, text: str, *, title: str | None = None) -> Brief:
        [brief] = self._call(_brief_all, [(text, title)], 1)
        if isinstance(brief, EmptyText):
            raise brief
        return brief

    def brief_many(
        self, texts: Iterable[str | tuple[str, str | None]], *, batch_size: int = 16
    ) -> Iterator[Brief | EmptyText]:
        """As :meth:`Summarizer.brief_many`: the texts go to the worker in one call."""
        items = [entry if isinstance(entry, tuple) else (entry, None) for entry in texts]
        yield from self._call(_brief_all, items, batch_size) if items else []

    def close(self) -> None:
        """Stop the worker (at the bot's shutdown); a later brief starts another."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
