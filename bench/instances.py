"""Several instances on one PostgreSQL database: do they split the feeds, and does fetching wait?

A loopback news site (``--feeds`` feeds of ``--entries`` entries each, every page a distinct BBC
article, each answered after ``--latency`` seconds) is polled into a fresh PostgreSQL schema:

* by 1 instance, then (on a fresh schema) by 2 instances started together, each a process of its
  own running ``feedstore.poll_feeds`` with the summarizer, as ``briefbot run`` polls: articles
  stored per second (target: 2 instances at least 1.6x one on 2 cores), and fetches per entry page
  counted at the server (target: exactly 1);
* one instance again, with the model off, with the latency and without it: the poll's wall time
  with latency over without (target at most 1.3x: fetching side by side hides the waiting).

    .venv/bin/python bench/instances.py                  # 40 feeds x 50 entries, 150 ms (~6 min)
    .venv/bin/python bench/instances.py --entries 10     # a quick look
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing import get_context
from pathlib import Path

from common import BBC, command_line, data_path, environment, markdown_table, verdict
from databases import POSTGRES_URL, postgres_schema
from fitting import load_bbc

from config import StorageSettings
from storage import feedstore
from storage.db import open_database
from storage.store import Store
from summarizer import Summarizer


class Site:
    """The news sites: feed ``f`` and its entries' pages are served from a loopback address of their
    own (127.0.0.f+2), as a team's feeds come from different sites: the per-host limit applies per
    site. ``/feed.xml`` lists the entries, ``/page/<n>.html`` is one article."""

    def __init__(self, texts: Sequence[tuple[str, str]], feeds: int, entries: int) -> None:
        self.texts, self.feeds, self.entries = texts, feeds, entries
        self.latency = 0.0
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.servers = [SiteServer(self, f) for f in range(feeds)]
        for server in self.servers:
            threading.Thread(target=server.serve_forever, daemon=True).start()

    def base(self, f: int) -> str:
        host, port = self.servers[f].server_address[:2]
        return f"http://{host}:{port}"

    def feed(self, f: int) -> str:
        base = self.base(f)
        items = "".join(
            f"<item><title>{self.texts[n][0]}</title><link>{base}/page/{n}.html</link>"
            f"<guid>{base}/page/{n}.html</guid></item>"
            for n in range(f * self.entries, (f + 1) * self.entries)
        )
        return (
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {f}</title>{items}</channel></rss>'
        )

    def page(self, n: int) -> str:
        title, text = self.texts[n]
        paragraphs = "".join(f"<p>{p}</p>" for p in text.split("\n\n") if p.strip())
        return (
            f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
            f"{paragraphs}</article></body></html>"
        )

    def shutdown(self) -> None:
        for server in self.servers:
            server.shutdown()


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, site: Site, feed: int) -> None:
        super().__init__((f"127.0.0.{feed + 2}", 0), Handler)
        self.site, self.number = site, feed


class Handler(BaseHTTPRequestHandler):
    server: SiteServer

    def do_GET(self) -> None:
        site = self.server.site
        with site.lock:
            site.hits[self.path] += 1
        kind, _, name = self.path.strip("/").partition("/")
        number = int(name.split(".")[0]) if name.split(".")[0].isdigit() else -1
        if self.path == "/feed.xml":
            body, content_type = site.feed(self.server.number), "application/rss+xml"
        elif kind == "page" and 0 <= number < site.feeds * site.entries:
            time.sleep(site.latency)
            body, content_type = site.page(number), "text/html; charset=utf-8"
        else:
            self.send_error(404)
            return
        data = body.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


# Every entry of these fresh feeds is stored: the bench measures polling a whole site, not a backlog.
SETTINGS = StorageSettings(allow_hosts=("127.0.0.0/8",), fetch_timeout=30.0, first_poll_entries=1_000_000)


def poller(url: str, name: str, brief: bool, start_at: float) -> tuple[int, float]:
    """One instance: poll every feed it can claim; (articles stored, seconds)."""
    engine, sessions = open_database(url)
    summarizer = Summarizer() if brief else None
    if summarizer is not None:
        summarizer.brief("Warm the model up before the clock starts. It is loaded once.")
    store = Store(engine=engine, sessions=sessions, summarizer=summarizer)
    time.sleep(max(0.0, start_at - time.time()))
    started = time.perf_counter()
    reports = feedstore.poll_feeds(store, SETTINGS, owner=name)
    seconds = time.perf_counter() - started
    engine.dispose()
    return sum(r.new for r in reports), seconds


@dataclass(frozen=True, slots=True)
class Run:
    instances: int
    stored: int
    seconds: float  # until the last instance finished
    fetches: Counter[int]  # fetches per entry page -> pages

    @property
    def rate(self) -> float:
        return self.stored / self.seconds if self.seconds else 0.0


def run(site: Site, instances: int, *, brief: bool, postgres_url: str) -> Run:
    site.hits.clear()
    with postgres_schema(postgres_url) as url:
        engine, sessions = open_database(url)
        store = Store(engine=engine, sessions=sessions)
        for f in range(site.feeds):
            feedstore.add_feed(store, f"{site.base(f)}/feed.xml")
        start_at = time.time() + (25 if brief else 3)  # after every process has loaded the model
        with get_context("spawn").Pool(instances) as pool:
            results = pool.starmap(
                poller, [(url, f"instance-{i}", brief, start_at) for i in range(instances)]
            )
        stored = store.count()
        engine.dispose()
    pages = site.feeds * site.entries
    fetches = Counter(site.hits[f"/page/{n}.html"] for n in range(pages))
    return Run(instances, stored, max(s for _, s in results), fetches)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bbc", type=data_path, default=str(BBC))
    parser.add_argument("--feeds", type=int, default=40)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.15)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--latency-only", action="store_true", help="only the poll with and without latency")
    args = parser.parse_args(argv)
    articles = load_bbc(Path(args.bbc))
    texts = [(a.title, a.text) for a in articles]
    texts = (texts * (1 + args.feeds * args.entries // len(texts)))[: args.feeds * args.entries]
    texts = [(t, f"{body}\n\nReport {n} of the loopback desk.") for n, (t, body) in enumerate(texts)]
    site = Site(texts, args.feeds, args.entries)
    print(f"`{command_line()}`\n\n{environment()}\n")
    site.latency = args.latency
    runs = []
    for instances in () if args.latency_only else (1, 2):
        print(f"{instances} instance(s), briefing...", file=sys.stderr)
        runs.append(run(site, instances, brief=True, postgres_url=args.postgres_url))
    print(f"no model, latency {args.latency * 1000:.0f} ms and none...", file=sys.stderr)
    slow = run(site, 1, brief=False, postgres_url=args.postgres_url)
    site.latency = 0.0
    fast = run(site, 1, brief=False, postgres_url=args.postgres_url)
    site.shutdown()
    pages = args.feeds * args.entries
    rows = [
        [
            f"{r.instances}",
            f"{r.stored:,} of {pages:,}",
            f"{r.seconds:.1f}",
            f"{r.rate:.1f}",
            ", ".join(f"{k}x: {v:,}" for k, v in sorted(r.fetches.items())),
        ]
        for r in runs
    ]
    latency = f"{args.latency * 1000:.0f} ms"
    print(f"### Polling {args.feeds} feeds x {args.entries} entries, {latency} per page, PostgreSQL\n")
    print(markdown_table(["instances", "stored", "seconds", "articles/s", "fetches per page"], rows, "rrrrl"))
    speedup = runs[1].rate / runs[0].rate if runs and runs[0].rate else 0.0
    latency_ratio = slow.seconds / fast.seconds if fast.seconds else 0.0
    once = all(set(r.fetches) == {1} for r in [*runs, slow, fast])
    print()
    if runs:
        print(f"- 2 instances / 1: {speedup:.2f}x (target 1.6x): {verdict(speedup >= 1.6)}")
    print(f"- every page fetched exactly once: {verdict(once)}")
    print(
        f"- no model, one poll with {args.latency * 1000:.0f} ms per page: {slow.seconds:.1f} s, without: "
        f"{fast.seconds:.1f} s, {latency_ratio:.2f}x (target 1.3x): {verdict(latency_ratio <= 1.3)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
