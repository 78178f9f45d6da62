"""What does a daily digest cost to compose, on SQLite and on PostgreSQL, and does it stay flat?

Why this script exists: ``bot.digest.compose`` promises all its data "in a fixed number of queries,
whatever the number of articles". This puts a number on it: 5,000 new articles spread over 200
channels, the time to compose each channel's digest, and the SQL statements each digest sends -- the
same count for a channel with 25 new articles and for one that follows no feed and so sees all 5,000
means there is no per-article query loop. It also times ``storage.channels.mark_delivered`` for one digest.

How it measures:

* The articles come from the BBC News Summary dev data (read from ``../shared/data``, never copied):
  article *i* is BBC article ``i mod 2,225`` (in a seeded order) with a closing sentence naming its
  number and feed, so every text and URL is distinct; the 2-3 reports of one BBC article are grouped
  as one story by the store's own near-duplicate check, as reports of one event by several outlets
  would be. 50 feeds (``add_feed``) carry 25 to 175 articles each (evenly spread sizes, 100 on
  average), delivered in 20 polls over the last 20 hours through ``Store.ingest`` without the model.
* Briefs: running the spaCy model on 5,000 articles takes about 10 minutes here, so the bench writes
  stand-in briefs with the store's own ``Store._write_brief`` (brief, actors, figures rows, as an
  ingest with the model would): the summary is the article's first two sentences
  (``split_sentences``), the actors its most frequent capitalised words, the figure its first number.
  What ``compose`` does with a brief does not depend on how it was written.
* 200 channels (``ensure_channel``, ``subscribe`` at 09:00 in one of five zones); 190 follow one feed
  each (each feed has 3 or 4 followers), 10 follow none and so read every feed. PostgreSQL is
  ANALYZEd after loading, as autovacuum would after this many inserts; SQLite is not (briefbot never
  runs ANALYZE).
* Statements: a ``before_cursor_execute`` listener on ``store.engine`` counts what one call sends
  (counted on a pass of its own, after a warm-up pass over every channel and before the timed rounds);
  a ``checkout`` listener on the pool counts connection checkouts (on PostgreSQL each costs a
  ``pool_pre_ping`` round trip that the statement count does not see).
* Timing: ``compose(store, channel, now=..., timezone=...)`` for every channel, ``--rounds`` rounds in
  a shuffled order per round, then ``undelivered`` alone right after it; each channel keeps its
  median, the tables give median and p95 over channels. ``mark_delivered`` is timed on the digests of
  the smallest feed, the largest feed and an all-feeds channel, ``--mark-rounds`` times each (the
  delivered rows are deleted again, untimed, between rounds); compose is checked to come back empty
  once they are marked.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy
from common import BBC, command_line, data_path, markdown_table, percentile, verdict
from databases import POSTGRES_URL, StepClock, analyze, postgres_schema
from sqlalchemy import Engine, delete, event, select, text

from bot.digest import compose
from storage.channels import ensure_channel, follow, mark_delivered, subscribe, undelivered
from storage.db import open_database
from storage.documents import Document
from storage.feedstore import add_feed
from storage.models import ArticleRow, BriefRow, DeliveredArticleRow
from storage.store import Store
from storage.values import Digest
from summarizer import SUMMARIZER_VERSION, Actor, Brief, Figure
from summarizer.sentences import split_sentences

ZONES = ("UTC", "Europe/London", "America/New_York", "Asia/Tokyo", "Australia/Sydney")
POLLS = 20
BRIEFS_PER_TRANSACTION = 250

FOLLOWING, ALL_FEEDS, EVERY = "follows one feed", "follows no feed (reads all 5,000)", "all channels"


# -- the articles --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Base:
    """One BBC News Summary article."""

    id: str
    category: str
    title: str
    text: str


def load_bbc(path: Path) -> list[Base]:
    with path.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return [Base(row["id"], row["category"], row["title"], row["text"]) for row in rows]


def feed_sizes(articles: int, feeds: int, smallest: int) -> list[int]:
    """``feeds`` sizes evenly spread from ``smallest`` up, averaging ``articles / feeds``, summing exactly."""
    largest = 2 * articles / feeds - smallest
    if feeds < 2 or largest < smallest:
        raise SystemExit("--smallest-feed must be at most --articles / --feeds, with 2 feeds or more")
    sizes = [round(smallest + (largest - smallest) * k / (feeds - 1)) for k in range(feeds)]
    sizes[feeds // 2] += articles - sum(sizes)
    return sizes


@dataclass(frozen=True, slots=True)
class Planned:
    """Article ``index`` (global, in fetch order): which feed delivers it, in which poll."""

    index: int
    feed: int
    poll: int


def plan_articles(sizes: Sequence[int]) -> list[Planned]:
    """Every feed's articles spread evenly over ``POLLS`` polls; in a poll, feeds in turn."""
    slots = sorted((j * POLLS // size, feed, j) for feed, size in enumerate(sizes) for j in range(size))
    return [Planned(i, feed, poll) for i, (poll, feed, _) in enumerate(slots)]


@dataclass(slots=True)
class Corpus:
    bases: list[Base]
    count: int
    seed: int
    end: datetime
    hours: float
    order: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.order = list(range(len(self.bases)))
        random.Random(f"{self.seed}:order").shuffle(self.order)

    def base(self, i: int) -> Base:
        return self.bases[self.order[i % len(self.bases)]]

    def fetched_at(self, i: int) -> datetime:
        """Spread over the last ``hours`` before ``end``, in index order."""
        return self.end - timedelta(minutes=1) - timedelta(hours=self.hours) * (1 - i / self.count)

    def document(self, planned: Planned) -> Document:
        i, base = planned.index, self.base(planned.index)
        url = f"https://feed{planned.feed}.example/{base.category}/{base.id}-{i}"
        return Document(
            location=url,
            url=url,
            title=base.title,
            text=f"{base.text.rstrip()}\n\nThis is report {i} of the feed {planned.feed} desk.",
            published_at=self.fetched_at(i) - timedelta(minutes=5 + i * 40503 % 120),
        )


# -- stand-in briefs -----------------------------------------------------------------------------------

_CAPITALISED = re.compile(r"[A-Z][A-Za-z]+(?:[-'][A-Z][A-Za-z]+)*")
_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?%?")
_STOP = frozenset(
    "The A An And But In On At Of For To It Its He She They We I This That These Those His Her Their "
    "Mr Mrs Ms Dr Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
)
ACTOR_KINDS = ("person", "organization", "place", "group")


def stand_in_brief(title: str, body: str) -> Brief:
    """A brief built without the model: first two sentences, capitalised words, the first number."""
    sentences = [span.text for span in split_sentences(body)]
    mentions: Counter[str] = Counter()
    where: dict[str, list[int]] = {}
    for n, sentence in enumerate(sentences):
        for word in sentence.split()[1:]:  # a sentence's first word is capitalised anyway
            word = word.strip(".,;:!?\"'()[]“”‘’")
            if _CAPITALISED.fullmatch(word) and word not in _STOP:
                mentions[word] += 1
                where.setdefault(word, []).append(n)
    top = mentions.most_common(4)
    total = sum(count for _, count in top) or 1
    actors = tuple(
        Actor(
            name=name,
            kind=ACTOR_KINDS[rank % len(ACTOR_KINDS)],
            mentions=count,
            sentences=tuple(dict.fromkeys(where[name]))[:10],
            salience=round(count / total, 4),
        )
        for rank, (name, count) in enumerate(top)
    )
    figures: tuple[Figure, ...] = ()
    for n, sentence in enumerate(sentences):
        match = _NUMBER.search(sentence)
        if match:
            number = match.group()
            figures = (
                Figure(
                    text=number,
                    value=float(number.rstrip("%").replace(",", "")),
                    unit="%" if number.endswith("%") else "",
                    kind="percent" if number.endswith("%") else "count",
                    sentence=n,
                    sentence_text=sentence,
                    score=1.0,
                ),
            )
            break
    summary = tuple(sentences[:2])
    return Brief(
        title=title,
        summary=summary,
        summary_index=tuple(range(len(summary))),
        actors=actors,
        figures=figures,
        sentence_count=len(sentences),
        algorithm="news",
        version=SUMMARIZER_VERSION,
    )


# -- counting statements -------------------------------------------------------------------------------


class StatementLog:
    """What the engine sends while ``capture()`` is open: statements and connection checkouts."""

    def __init__(self, engine: Engine) -> None:
        self.on = False
        self.statements: list[tuple[str, bool]] = []
        self.checkouts = 0
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine.pool, "checkout", self._checkout)

    def _statement(
        self, _conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, executemany: bool
    ) -> None:
        if self.on:
            self.statements.append((statement, executemany))

    def _checkout(self, *_args: Any) -> None:
        if self.on:
            self.checkouts += 1

    @contextmanager
    def capture(self) -> Iterator[StatementLog]:
        self.statements, self.checkouts, self.on = [], 0, True
        try:
            yield self
        finally:
            self.on = False


_IN_LIST = re.compile(r"IN \(((?:[^()]|\([^()]*\))*)\)")
_COLUMNS = re.compile(r"SELECT ((?:[\w.]+, ){3,}[\w.]+) FROM")


def shorten(statement: str, width: int = 300) -> str:
    """One line, long column and IN lists folded to their length, cut at ``width``."""
    line = " ".join(statement.split())
    line = _COLUMNS.sub(lambda m: f"SELECT <{m.group(1).count(',') + 1} columns> FROM", line)
    line = _IN_LIST.sub(
        lambda m: f"IN (<{m.group(1).count(',') + 1} values>)" if m.group(1).count(",") >= 3 else m.group(),
        line,
    )
    return line if len(line) <= width else line[: width - 3] + "..."


# -- one database --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChannelPlan:
    id: int
    name: str
    feed: int | None  # index into the feeds; None: follows none
    timezone: str
    expected: int  # new articles it should see


@dataclass(slots=True)
class ChannelRun:
    plan: ChannelPlan
    articles: int = 0
    stories: int = 0
    statements: int = 0
    checkouts: int = 0
    compose_ms: list[float] = field(default_factory=list)
    new_ms: list[float] = field(default_factory=list)

    @property
    def compose(self) -> float:
        return statistics.median(self.compose_ms)

    @property
    def new(self) -> float:
        return statistics.median(self.new_ms)


@dataclass(frozen=True, slots=True)
class MarkRun:
    label: str
    articles: int
    ms: list[float]
    statements: int
    statement_lines: list[str]
    empty_after: bool
    empty_ms: float
    empty_statements: int


@dataclass(slots=True)
class BackendResult:
    backend: str
    version: str
    setup: list[tuple[str, str, float]]  # step, items, seconds
    channels: list[ChannelRun]
    stories_stored: int
    briefs_stored: int
    sample_statements: list[str]
    marks: list[MarkRun]
    problems: list[str]


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = call()
    return (time.perf_counter() - started) * 1000, value


def load(
    store: Store, corpus: Corpus, sizes: Sequence[int], args: argparse.Namespace
) -> tuple[list[tuple[str, str, float]], list[ChannelPlan]]:
    """Feeds, channels and follows, the articles through ``Store.ingest``, then the stand-in briefs."""
    setup = []
    started = time.perf_counter()
    feed_ids = [add_feed(store, f"https://feed{k}.example/rss").id for k in range(args.feeds)]
    store.clock = lambda: corpus.end
    channels = []
    following = args.channels - args.unfollowing
    for c in range(args.channels):
        channel_id = ensure_channel(store, "bench", f"c{c}")
        zone = ZONES[c % len(ZONES)]
        subscribe(store, channel_id, digest_time="09:00", timezone=zone)
        feed = c % args.feeds if c < following else None
        if feed is not None:
            follow(store, channel_id, feed_ids[feed])
        expected = sizes[feed] if feed is not None else corpus.count
        channels.append(ChannelPlan(channel_id, f"c{c}", feed, zone, expected))
    setup.append(
        (
            "feeds, channels, follows (`add_feed`, `channel`, `subscribe`, `follow`)",
            f"{args.feeds} + {args.channels} + {following}",
            time.perf_counter() - started,
        )
    )

    polls: dict[tuple[int, int], list[Planned]] = {}
    for planned in plan_articles(sizes):
        polls.setdefault((planned.poll, planned.feed), []).append(planned)
    seconds, created = 0.0, 0
    for poll in range(POLLS):
        for feed in range(args.feeds):
            batch = polls.get((poll, feed))
            if not batch:
                continue
            store.clock = StepClock(corpus.fetched_at, batch[0].index)
            documents = [corpus.document(p) for p in batch]
            started = time.perf_counter()
            results = store.ingest(documents, source_id=feed_ids[feed])
            seconds += time.perf_counter() - started
            created += sum(result.created for result in results)
        print(f"  poll {poll + 1}/{POLLS}: {created:,} articles stored", file=sys.stderr)
    label = f"`Store.ingest` without the model, {POLLS} polls x {args.feeds} feeds"
    setup.append((label, f"{created:,}", seconds))

    with store.sessions() as session:
        rows = session.execute(select(ArticleRow.id, ArticleRow.title, ArticleRow.text)).all()
    started = time.perf_counter()
    briefs = [(article_id, stand_in_brief(title, body)) for article_id, title, body in rows]
    built = time.perf_counter() - started
    started = time.perf_counter()
    for start in range(0, len(briefs), BRIEFS_PER_TRANSACTION):
        with store.sessions.begin() as session:
            for article_id, brief in briefs[start : start + BRIEFS_PER_TRANSACTION]:
                store._write_brief(session, article_id, brief, corpus.end)
    written = time.perf_counter() - started
    setup.append(("stand-in briefs built without the model (not timed below)", f"{len(briefs):,}", built))
    setup.append(
        (
            f"stand-in briefs written with `Store._write_brief` ({BRIEFS_PER_TRANSACTION} per transaction)",
            f"{len(briefs):,}",
            written,
        )
    )
    return setup, channels


def stories_in(digest: Digest) -> int:
    return len(digest.stories) + digest.more_stories


def measure_compose(
    store: Store, log: StatementLog, channels: Sequence[ChannelPlan], now: datetime, args: argparse.Namespace
) -> tuple[list[ChannelRun], list[str], list[str]]:
    runs = [ChannelRun(plan) for plan in channels]
    problems: list[str] = []
    for run in runs:  # warm-up: every code path, every channel, once
        compose(store, run.plan.id, now=now, timezone=run.plan.timezone)
    sample: list[str] = []
    for run in runs:
        with log.capture():
            digest = compose(store, run.plan.id, now=now, timezone=run.plan.timezone)
        run.articles, run.stories = len(digest.article_ids), stories_in(digest)
        run.statements, run.checkouts = len(log.statements), log.checkouts
        if run.plan.feed is None and not sample:
            sample = [shorten(statement) for statement, _ in log.statements]
        if run.articles != run.plan.expected:
            problems.append(f"{run.plan.name}: {run.articles} articles, {run.plan.expected} expected")
    rng = random.Random(f"{args.seed}:rounds")
    for round_ in range(args.rounds):
        order = list(runs)
        rng.shuffle(order)
        for run in order:
            ms, _ = timed(lambda run=run: compose(store, run.plan.id, now=now, timezone=run.plan.timezone))
            run.compose_ms.append(ms)
            ms, _ = timed(lambda run=run: undelivered(store, run.plan.id))
            run.new_ms.append(ms)
        print(f"  compose round {round_ + 1}/{args.rounds} done", file=sys.stderr)
    return runs, sample, problems


def measure_marks(
    store: Store, log: StatementLog, runs: Sequence[ChannelRun], now: datetime, args: argparse.Namespace
) -> list[MarkRun]:
    following = [r for r in runs if r.plan.feed is not None]
    picks = [
        ("smallest feed", min(following, key=lambda r: (r.articles, r.plan.id))),
        ("largest feed", max(following, key=lambda r: (r.articles, -r.plan.id))),
        ("all feeds", next(r for r in runs if r.plan.feed is None)),
    ]
    marks = []
    for label, run in picks:
        channel_id, zone = run.plan.id, run.plan.timezone
        digest = compose(store, channel_id, now=now, timezone=zone)
        ids = list(digest.article_ids)
        ms_list, statements, lines = [], 0, []
        for round_ in range(args.mark_rounds + 1):  # the first one warms up and is counted, not timed
            with log.capture():
                ms, _ = timed(lambda channel_id=channel_id, ids=ids: mark_delivered(store, channel_id, ids))
            if round_ == 0:
                statements = len(log.statements)
                lines = [shorten(s, 110) + (" (executemany)" if many else "") for s, many in log.statements]
            else:
                ms_list.append(ms)
            if round_ < args.mark_rounds:
                with store.sessions.begin() as session:
                    session.execute(
                        delete(DeliveredArticleRow).where(DeliveredArticleRow.channel_id == channel_id)
                    )
        with log.capture():
            empty_ms, after = timed(
                lambda channel_id=channel_id, zone=zone: compose(store, channel_id, now=now, timezone=zone)
            )
        empty_statements = len(log.statements)
        marks.append(
            MarkRun(
                f"{label} ({run.plan.name})",
                len(ids),
                ms_list,
                statements,
                lines,
                after.empty,
                empty_ms,
                empty_statements,
            )
        )
    return marks


def run_backend(
    backend: str, url: str, corpus: Corpus, sizes: Sequence[int], args: argparse.Namespace
) -> BackendResult:
    engine, sessions = open_database(url)
    try:
        store = Store(engine=engine, sessions=sessions, summarizer=None)
        print(f"{backend}: loading {corpus.count:,} articles...", file=sys.stderr)
        setup, channels = load(store, corpus, sizes, args)
        if backend == "PostgreSQL":
            analyze(engine)
        log = StatementLog(engine)
        now = corpus.end
        print(f"{backend}: composing {len(channels)} digests x {args.rounds} rounds...", file=sys.stderr)
        runs, sample, problems = measure_compose(store, log, channels, now, args)
        marks = measure_marks(store, log, runs, now, args)
        problems += [f"{m.label}: not empty after mark_delivered" for m in marks if not m.empty_after]
        with engine.connect() as connection:
            version = connection.execute(
                text("SELECT sqlite_version()" if backend == "SQLite" else "SHOW server_version")
            ).scalar_one()
            stories = connection.execute(text("SELECT count(DISTINCT story_id) FROM articles")).scalar_one()
        with sessions() as session:
            briefs = session.scalar(select(sqlalchemy.func.count()).select_from(BriefRow)) or 0
        return BackendResult(backend, str(version), setup, runs, stories, briefs, sample, marks, problems)
    finally:
        engine.dispose()


# -- the report ----------------------------------------------------------------------------------------


def span(values: Sequence[int]) -> str:
    low, high = min(values), max(values)
    return f"{low:,}" if low == high else f"{low:,}-{high:,}"


def groups(runs: Sequence[ChannelRun]) -> list[tuple[str, list[ChannelRun]]]:
    unfollowing = [r for r in runs if r.plan.feed is None]
    selections = [
        (FOLLOWING, [r for r in runs if r.plan.feed is not None]),
        (ALL_FEEDS.replace("5,000", f"{max(r.articles for r in runs):,}"), unfollowing),
        (EVERY, list(runs)),
    ]
    return [(label, selected) for label, selected in selections if selected]


def compose_table(results: Sequence[BackendResult]) -> str:
    rows = []
    for result in results:
        for label, selected in groups(result.channels):
            composed = [r.compose for r in selected]
            new = [r.new for r in selected]
            rows.append(
                [
                    result.backend,
                    label,
                    f"{len(selected)}",
                    span([r.articles for r in selected]),
                    span([r.stories for r in selected]),
                    f"{statistics.median(composed):.1f}",
                    f"{percentile(composed, 95):.1f}",
                    f"{max(composed):.1f}",
                    f"{statistics.median(new):.1f}",
                    span([r.statements for r in selected]),
                    span([r.checkouts for r in selected]),
                ]
            )
    return markdown_table(
        [
            "database",
            "channels",
            "n",
            "new articles",
            "stories",
            "`compose` p50 ms",
            "p95 ms",
            "max ms",
            "of which `undelivered` p50 ms",
            "SQL statements per digest",
            "connection checkouts",
        ],
        rows,
        align="llrrrrrrrrr",
    )


def spotlight_table(results: Sequence[BackendResult]) -> str:
    rows = []
    for result in results:
        following = [r for r in result.channels if r.plan.feed is not None]
        everything = [r for r in result.channels if r.plan.feed is None]
        picks = []
        if following:
            picks.append(("smallest feed", min(following, key=lambda r: (r.articles, r.plan.id))))
            picks.append(("largest feed", max(following, key=lambda r: (r.articles, -r.plan.id))))
        if everything:
            picks.append(("no feed followed", everything[0]))
        for label, run in picks:
            rows.append(
                [
                    result.backend,
                    f"{label} ({run.plan.name})",
                    f"{run.articles:,}",
                    f"{run.stories:,}",
                    f"{run.compose:.1f}",
                    f"{run.compose / run.articles * 1000:.0f}" if run.articles else "",
                    f"{run.statements}",
                ]
            )
    return markdown_table(
        [
            "database",
            "channel",
            "new articles",
            "stories",
            "`compose` p50 ms",
            "µs per article",
            "SQL statements",
        ],
        rows,
        align="llrrrrr",
    )


def mark_table(results: Sequence[BackendResult]) -> str:
    rows = []
    for result in results:
        for mark in result.marks:
            rows.append(
                [
                    result.backend,
                    mark.label,
                    f"{mark.articles:,}",
                    f"{statistics.median(mark.ms):.1f}",
                    f"{max(mark.ms):.1f}",
                    f"{mark.statements}",
                    f"{mark.empty_ms:.1f}",
                    f"{mark.empty_statements}",
                ]
            )
    return markdown_table(
        [
            "database",
            "digest of",
            "articles",
            "`mark_delivered` p50 ms",
            "max ms",
            "SQL statements",
            "`compose` afterwards (empty) ms",
            "its SQL statements",
        ],
        rows,
        align="llrrrrrr",
    )


def targets(results: Sequence[BackendResult]) -> list[str]:
    lines = []
    for result in results:
        counts = {r.statements for r in result.channels if r.articles}
        small = min((r for r in result.channels if r.articles), key=lambda r: r.articles)
        large = max(result.channels, key=lambda r: r.articles)
        lines.append(
            f"- {verdict(len(counts) == 1)} {result.backend}: SQL statements per digest do not grow with "
            f"the articles: {small.statements} for {small.articles:,} articles, {large.statements} for "
            f"{large.articles:,} (every non-empty digest: {', '.join(map(str, sorted(counts)))})"
        )
    return lines


def environment(results: Sequence[BackendResult]) -> str:
    versions = ", ".join(f"{r.backend} {r.version}" for r in results)
    return (
        f"Python {platform.python_version()}, SQLAlchemy {sqlalchemy.__version__}, {versions} (Python's "
        f"sqlite3 module links SQLite {sqlite3.sqlite_version}), {os.cpu_count()} CPUs, "
        f"{platform.machine()} {platform.system()}"
    )


def report(
    results: Sequence[BackendResult], corpus: Corpus, sizes: Sequence[int], args: argparse.Namespace
) -> None:
    following = args.channels - args.unfollowing
    print(f"## Digests: {corpus.count:,} new articles, {args.feeds} feeds, {args.channels} channels\n")
    print(environment(results) + "\n")
    print(
        f"{corpus.count:,} articles (BBC News Summary, each text made distinct) fetched over the last "
        f"{args.hours:g} hours from {args.feeds} feeds of {min(sizes)}-{max(sizes)} articles; "
        f"{following} channels follow one feed each, {args.unfollowing} follow none (so read every "
        f"feed). The store grouped the near-duplicate reports into "
        + ", ".join(f"{r.stories_stored:,} stories ({r.backend})" for r in results)
        + ". **Briefs are stand-ins written without the model** (first two sentences, capitalised words "
        "as actors, the first number as figure) through `Store._write_brief`: briefing 5,000 articles "
        "with spaCy takes about 10 minutes here, and composing a digest costs the same whoever wrote "
        "the brief. "
        + (
            "PostgreSQL was ANALYZEd after loading. "
            if any(r.backend == "PostgreSQL" for r in results)
            else ""
        )
        + "\n"
    )
    rows = [[r.backend, step, items, f"{seconds:.1f}"] for r in results for step, items, seconds in r.setup]
    headers = ["database", "setup step (not the benchmark)", "items", "seconds"]
    print(markdown_table(headers, rows, align="llrr"))
    print()
    print(compose_table(results), end="\n\n")
    print(
        f"`compose(store, channel, now=..., timezone=...)` per channel, median of {args.rounds} rounds "
        "(shuffled order); p50/p95/max over channels. `undelivered` alone is timed right after it. "
        "Statements: `before_cursor_execute` events during one call; checkouts: pool checkouts (on "
        "PostgreSQL each also sends the `pool_pre_ping` query, which the statement count does not see).\n"
    )
    print(spotlight_table(results), end="\n\n")
    for result in results:
        count = len(result.sample_statements)
        print(f"The {count} statements of one all-feeds digest on {result.backend}:\n")
        for n, line in enumerate(result.sample_statements, 1):
            print(f"{n}. `{line}`")
        print()
    print(mark_table(results), end="\n\n")
    print(
        f"`mark_delivered(store, channel, digest.article_ids)`, median and max of {args.mark_rounds} runs "
        "(the delivered rows deleted between runs); statements counted on an untimed first run. What it "
        "sends for the all-feeds digest:\n"
    )
    for result in results:
        lines = result.marks[-1].statement_lines if result.marks else []
        print(f"- {result.backend}: " + "; ".join(f"`{line}`" for line in lines))
    print()
    print("Targets:")
    print("\n".join(targets(results)), end="\n\n")
    problems = [f"- {r.backend}: {p}" for r in results for p in r.problems]
    print(
        "Result checks (every digest holds exactly its channel's new articles; none after marking): "
        + ("none failed" if not problems else f"{len(problems)} failed")
    )
    if problems:
        print("\n".join(problems[:20]))
    print(f"\nCommand:\n\n    {command_line()}")


# -- the run -------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Compose every channel's daily digest over 5,000 new articles on SQLite and "
        "PostgreSQL; time it, count its SQL statements, time mark_delivered. Prints Markdown tables "
        "for the README.",
    )
    parser.add_argument(
        "--bbc",
        type=data_path,
        default=str(BBC),
        help="BBC News Summary JSONL (default: ../shared/data/bbc_news_summary.jsonl)",
    )
    parser.add_argument("--articles", type=int, default=5000, help="new articles (default 5000)")
    parser.add_argument("--feeds", type=int, default=50, help="feeds (default 50)")
    parser.add_argument(
        "--smallest-feed", type=int, default=25, help="articles of the smallest feed (default 25)"
    )
    parser.add_argument("--channels", type=int, default=200, help="subscribed channels (default 200)")
    parser.add_argument(
        "--unfollowing", type=int, default=10, help="channels that follow no feed (default 10)"
    )
    parser.add_argument(
        "--hours", type=float, default=20, help="hours the fetched times span, up to now (default 20)"
    )
    parser.add_argument("--rounds", type=int, default=5, help="times each digest is timed (default 5)")
    parser.add_argument(
        "--mark-rounds", type=int, default=5, help="times mark_delivered is timed per digest (default 5)"
    )
    parser.add_argument("--seed", type=int, default=1, help="article order and timing order seed (default 1)")
    parser.add_argument(
        "--backends", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql (default both)"
    )
    parser.add_argument(
        "--postgres-url",
        default=POSTGRES_URL,
        help=f"server and database; a schema of our own is made and dropped (default {POSTGRES_URL})",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if not backends or set(backends) - {"sqlite", "postgresql"}:
        raise SystemExit("--backends: sqlite, postgresql or both")
    if not 0 <= args.unfollowing <= args.channels or args.channels - args.unfollowing < 0:
        raise SystemExit("--unfollowing must be between 0 and --channels")
    if args.rounds < 1 or args.mark_rounds < 1:
        raise SystemExit("--rounds and --mark-rounds must be at least 1")
    sizes = feed_sizes(args.articles, args.feeds, args.smallest_feed)
    end = datetime.now(UTC).replace(microsecond=0)
    corpus = Corpus(load_bbc(args.bbc), args.articles, args.seed, end, args.hours)
    results = []
    with tempfile.TemporaryDirectory(prefix="briefbot-bench-") as folder:
        for backend in backends:
            if backend == "sqlite":
                path = Path(folder) / "briefbot.db"
                results.append(run_backend("SQLite", f"sqlite:///{path}", corpus, sizes, args))
            else:
                with postgres_schema(args.postgres_url) as url:
                    results.append(run_backend("PostgreSQL", url, corpus, sizes, args))
    report(results, corpus, sizes, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
