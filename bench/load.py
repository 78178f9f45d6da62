"""Load: ``--rate`` signed slash commands a second for ``--seconds`` against ``briefbot run``'s Slack
HTTP endpoint, over a store of ``--articles`` generated articles (``store_scale.py``'s corpus, bulk
loaded) plus BBC articles with their briefs, a mix of search, brief, ask and digest previews; then the
same with ``--feeds`` loopback feeds being polled meanwhile.

Reported per phase: commands, acks that were not HTTP 200, ack p50/p95/p99/max (Slack's deadline is
3 s; target p99 under 1 s), answers delivered to the Web API and their p50/p95, and the bot's resident
memory once serving and at the end (no growth expected beyond caches).

    .venv/bin/python bench/load.py                                   # 100,000 articles, 50/s, 60 s
    .venv/bin/python bench/load.py --articles 20000 --database sqlite   # a quicker look
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from ask_data import ASK_FIT, load_questions
from chat_ack import Phase, SlackWebApi, bot_environment, command_texts, phase, prepare
from common import BBC, CNNDM, command_line, data_path, environment, markdown_table, percentile, verdict
from databases import POSTGRES_URL, analyze, postgres_schema
from fitting import load_bbc
from instances import Site
from store_scale import Corpus, bulk_insert, load_bases, prepare_bulk, source_names

from storage import feedstore
from storage.db import open_database
from storage.store import Store

ACK_TARGET = 1.0  # seconds, p99
BRIEFED = 300  # BBC articles stored with their briefs, for brief and digest


def load_store(url: str, corpus: Corpus, bulk: Path, database: str) -> None:
    engine, sessions = open_database(url)
    store = Store(engine=engine, sessions=sessions)
    source_ids = [feedstore.add_feed(store, f"https://www.{name}.example/rss").id for name in corpus.sources]
    print(f"{database}: loading {corpus.count:,} generated articles...", file=sys.stderr)
    bulk_insert(engine, bulk, source_ids)
    if database == "postgresql":
        analyze(engine)
    engine.dispose()


def measure(
    database: str, url: str, corpus: Corpus, bulk: Path, site: Site, args: argparse.Namespace
) -> list[Phase]:
    load_store(url, corpus, bulk, database)
    articles = [(a.title, a.text) for a in load_bbc(Path(args.bbc))]
    ids, titles = prepare(url, articles[-BRIEFED:])
    texts = command_texts(ids, titles, [q.question for q in load_questions(ASK_FIT)], mix="load")
    api = SlackWebApi()
    env = bot_environment(url, api)
    log = Path(tempfile.gettempdir()) / f"briefbot-load-{database}.log"
    log.unlink(missing_ok=True)
    print(
        f"{database}: {args.rate:g} commands/s for {args.seconds:.0f} s (bot log: {log})...", file=sys.stderr
    )
    quiet = phase("commands", env, api, texts, args.rate, until=None, seconds=args.seconds, log=log)
    engine, sessions = open_database(url)
    store = Store(engine=engine, sessions=sessions)
    for f in range(site.feeds):
        feedstore.add_feed(store, f"{site.base(f)}/feed.xml")
    engine.dispose()
    print(f"{database}: the same while {site.feeds} feeds are polled...", file=sys.stderr)
    polling = phase(
        "commands + polling", env, api, texts, args.rate, until=None, seconds=args.seconds, log=log
    )
    api.shutdown()
    return [quiet, polling]


def row(database: str, p: Phase) -> list[str]:
    acks, answers = p.acks(), p.answers()
    return [
        database,
        p.name,
        f"{len(p.sent):,}",
        f"{len(p.sent) - len(acks)}",
        *(f"{1000 * percentile(acks, q):.0f}" for q in (50, 95, 99)),
        f"{1000 * max(acks):.0f}",
        f"{len(answers):,}",
        f"{len(p.busy):,}",
        *((f"{percentile(answers, q):.2f}" for q in (50, 95)) if answers else ("-", "-")),
        f"{p.rss_mb[0]:.0f} → {p.rss_mb[1]:.0f}",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bbc", type=data_path, default=str(BBC))
    parser.add_argument("--cnndm", type=data_path, default=str(CNNDM))
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--feeds", type=int, default=4)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    args = parser.parse_args(argv)
    corpus = Corpus(
        load_bases(args.bbc, args.cnndm),
        args.articles,
        7,
        datetime(2026, 11, 1, tzinfo=UTC),
        730,
        source_names(40),
    )
    bbc = [(a.title, a.text) for a in load_bbc(Path(args.bbc))]
    site = Site(bbc[: args.feeds * args.entries], args.feeds, args.entries)
    site.latency = 0.15
    print(f"`{command_line()}`\n\n{environment()}\n")
    results: list[tuple[str, list[Phase]]] = []
    with tempfile.TemporaryDirectory(prefix="briefbot-load-") as folder:
        bulk = Path(folder) / "bulk.pickle"
        print(f"preparing {args.articles:,} articles...", file=sys.stderr)
        prepare_bulk(corpus, 0, args.articles, bulk, 2, 1000)
        for database in ("sqlite", "postgresql") if args.database == "both" else (args.database,):
            if database == "sqlite":
                results.append(
                    (database, measure(database, f"sqlite:///{folder}/load.db", corpus, bulk, site, args))
                )
            else:
                with postgres_schema(args.postgres_url) as url:
                    results.append((database, measure(database, url, corpus, bulk, site, args)))
    site.shutdown()
    print(f"### Load: {args.rate:g} signed commands/s for {args.seconds:.0f} s, {args.articles:,} articles\n")
    headers = [
        "database",
        "phase",
        "commands",
        "no 200",
        "ack p50 ms",
        "ack p95 ms",
        "ack p99 ms",
        "ack max ms",
        "answered",
        "busy",
        "answer p50 s",
        "answer p95 s",
        "memory MB",
    ]
    print(markdown_table(headers, [row(d, p) for d, phases in results for p in phases], "ll" + "r" * 11))
    print()
    for database, phases in results:
        for p in phases:
            curve = ", ".join(f"{mb:.0f}" for mb in p.rss_samples)
            print(f"- {database}, {p.name}: memory MB every {args.seconds / 10:.0f} s: {curve}")
    print()
    for database, phases in results:
        for p in phases:
            acks = p.acks()
            fine = len(acks) == len(p.sent) and percentile(acks, 99) < ACK_TARGET and max(acks) < 3.0
            print(
                f"- {database}, {p.name}: ack p99 {1000 * percentile(acks, 99):.0f} ms, every ack under 3 s "
                f"and p99 under {ACK_TARGET:.0f} s: {verdict(fine)}; "
                f"answered {len(p.answers())} of {len(p.sent)}, {len(p.busy)} told busy"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
