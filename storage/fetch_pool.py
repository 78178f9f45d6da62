"""Fetching many pages at once, within two bounds: so many in all, and so many from one host.

A feed poll used to read its entries' pages one after another, so 48 entries at 150 ms each took
seven seconds of waiting. Threads wait for the network side by side instead; each fetch still goes
through the same guarded path (``storage.web.fetch_document``: the network guard on every hop, the
time and size caps). The per-host bound keeps the bot polite to a site that lists many entries.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")


class Limits:
    """The bounds one poll run shares across all its fetches: so many in all, so many per host."""

    def __init__(self, limit: int, per_host: int) -> None:
        self.limit = limit
        self.per_host = per_host
        self.total = threading.BoundedSemaphore(limit)
        self._hosts: dict[str, threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()

    def host(self, url: str) -> threading.BoundedSemaphore:
        name = (urlsplit(url).hostname or "").lower()
        with self._lock:
            return self._hosts.setdefault(name, threading.BoundedSemaphore(self.per_host))


def fetch_all(urls: Sequence[str], fetch: Callable[[str], T], limits: Limits) -> Iterator[T | Exception]:
    """``fetch(url)`` for every URL within ``limits`` (shared with other calls of the same run);
    the results (or the exception each raised) in the order of ``urls``, each as soon as it and
    those before it are done."""
    if not urls:
        return

    def one(url: str) -> T:
        with limits.host(url), limits.total:  # the host's slot first: a busy host holds no global slot
            return fetch(url)

    with ThreadPoolExecutor(
        max_workers=max(1, min(limits.limit, len(urls))), thread_name_prefix="fetch"
    ) as pool:
        futures: list[Future[T]] = [pool.submit(one, url) for url in urls]
        for future in futures:
            try:
                yield future.result()
            except Exception as error:  # the caller decides what a failed page means
                yield error
