"""How does the ingestion store hold up at 100,000 articles, on SQLite and on PostgreSQL?

Why this script exists: the store is tested for what it does, not for what it costs once the bot has
read for two years. The questions are how fast articles go in (with and without the model), whether
our search stays close to the bare full-text query of each database (target: p95 of
``storage.search.search`` at most 1.5x the p95 of the raw query; raw p95 under 10 ms on SQLite), how
many bytes an article costs on disk, and how much memory the process needs.

How it measures:

* The corpus is generated from the dev data (BBC News Summary and CNN/DailyMail, read from
  ``../shared/data``, never copied): article *i* is the lead of one article followed by paragraphs
  of others from the same category (a seeded RNG per article, so any article can be rebuilt on
  demand and the corpus is never held in memory) and a sentence naming its number, so every text is
  distinct. Fetched times are spread evenly over ``--days`` (two years) up to now; ~50 sources take
  turns in runs of 16-48 articles, as feed polls would deliver them.
* Loading, per database, in time order: ``Store.ingest`` without the model on the first articles (an
  empty store), then the bench's own bulk path for the bulk of the corpus (rows prepared with the
  store's own functions -- ``clean``, ``canonical_url``, ``content_hash``, ``simhash`` -- in worker
  processes once for both databases, then multi-row inserts: FTS5 triggers keep SQLite's index in
  step, PostgreSQL's tsvector is a generated column; each bulk article gets a story of its own, no
  near-duplicate grouping), then ``Store.ingest`` without the model again on a full store, and last
  ``Store.ingest`` with ``Summarizer()`` (batch 16) on the newest ``--briefed`` articles, which are
  the only ones with actors. PostgreSQL is ANALYZEd after the bulk load (as autovacuum would);
  SQLite is not, since briefbot never runs ANALYZE.
* Search: ~200 queries: single words and word pairs of random articles (each distinct word of the
  article equally likely, so a word comes up as often as articles mention it), a tenth with
  ``since:30d`` and a tenth with ``actor:"name"`` (an actor of a briefed article, with a word of it).
  Each is run once through ``search()`` to warm up, then ``--rounds`` times interleaved,
  rotating the order: the raw full-text query (DB-API cursor), the SQL that ``search()`` sent,
  replayed on the same cursor, and ``search(store, parse_query(q), limit=5)`` itself. Each query
  keeps its median; the table gives p50 and p95 over queries. The raw query of a filtered query is
  its words alone. PostgreSQL connections use ``plan_cache_mode=force_custom_plan``: psycopg
  prepares a statement after 5 runs, and the server's later switch to a generic plan depends on
  which words came first, which made raw and ours differ by chance; every run is planned for its
  own words instead.
* Size: the SQLite file (after a WAL checkpoint) and ``pg_total_relation_size`` of every table of
  the schema, divided by the number of articles; brief, actor and figure rows per briefed article.
  Memory: ``ru_maxrss`` of this process (the worker processes are not counted).
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
import re
import resource
import shlex
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
from functools import partial
from itertools import groupby
from multiprocessing import Pool
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy
from common import (
    BBC,
    CNNDM,
    CNNDM_HELP,
    command_line,
    data_path,
    environment,
    markdown_table,
    percentile,
    verdict,
)
from databases import POSTGRES_URL, StepClock, analyze, postgres_schema
from sqlalchemy import Engine, event, insert, select, text

from storage import dedup
from storage.db import open_database
from storage.documents import Document
from storage.feedstore import add_feed
from storage.models import ActorAliasRow, ActorRow, ArticleRow, SentenceRow, StoryRow
from storage.query import parse_query
from storage.search import search
from storage.store import Store
from summarizer import Summarizer
from summarizer.clean import clean
from summarizer.ranking import lexicon
from summarizer.sentences import split_sentences, words

RATIO_TARGET = 1.5  # p95 of search() over p95 of the raw query
SQLITE_RAW_P95_TARGET = 10.0  # ms
PLACES = (
    "northern",
    "coastal",
    "capital",
    "valley",
    "metro",
    "county",
    "river",
    "harbour",
    "highland",
    "city",
)
KINDS = ("herald", "gazette", "times", "post", "wire")

RAW, SQL, OURS = "raw", "sql", "ours"
SINGLE, PAIR, SINCE, ACTOR = "one word", "two words", "word + `since:30d`", "word + `actor:`"
RAW_SQL = {
    "sqlite": "SELECT rowid, bm25(article_fts) FROM article_fts WHERE article_fts MATCH ? "
    "ORDER BY bm25(article_fts) LIMIT 5",
    "postgresql": "SELECT id, ts_rank(search, q) FROM articles, plainto_tsquery('english', %s) q "
    "WHERE search @@ q ORDER BY 2 DESC LIMIT 5",
}
BRIEF_TABLES = ("briefs", "article_actors", "actor_aliases", "article_figures")


# -- the corpus ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Base:
    """One dev-set article, cut into the paragraphs generated articles are made of."""

    title: str
    category: str
    paragraphs: tuple[str, ...]


def load_bases(bbc: Path, cnndm: Path) -> list[Base]:
    """BBC articles keep their paragraphs; CNN/DailyMail texts (one line each) are cut every 3 sentences."""
    bases = []
    with bbc.open(encoding="utf-8") as handle:
        for line in filter(str.strip, handle):
            row = json.loads(line)
            paragraphs = tuple(p.strip() for p in row["text"].split("\n\n") if p.strip())
            bases.append(Base(row["title"], row["category"], paragraphs))
    with cnndm.open(encoding="utf-8") as handle:
        for line in filter(str.strip, handle):
            row = json.loads(line)
            sentences = [row["text"][s.start : s.end] for s in split_sentences(row["text"])]
            paragraphs = tuple(" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3))
            slug = [part for part in urlsplit(row["url"]).path.split("/") if part and "." not in part][-1]
            bases.append(Base(slug.replace("-", " ").capitalize(), "world", paragraphs))
    return bases


@dataclass(slots=True)
class Corpus:
    """``count`` distinct articles, each rebuilt on demand from its index (nothing is held)."""

    bases: list[Base]
    count: int
    seed: int
    end: datetime
    days: int
    sources: tuple[str, ...]
    source_of: bytearray = field(default_factory=bytearray)
    by_category: dict[str, list[Base]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for base in self.bases:
            self.by_category.setdefault(base.category, []).append(base)
        rng = random.Random(f"{self.seed}:sources")
        runs = bytearray()
        while len(runs) < self.count:  # feed polls: runs of 16-48 articles from one source
            runs.extend([rng.randrange(len(self.sources))] * rng.randint(16, 48))
        self.source_of = runs[: self.count]

    def fetched_at(self, i: int) -> datetime:
        """Evenly spread over ``days`` up to ``end``, in index order, with a little jitter."""
        jitter = (i * 2654435761 % 1000) / 1000
        return self.end - timedelta(days=self.days) * (1 - (i + jitter) / self.count)

    def source(self, i: int) -> int:
        return self.source_of[i]

    def document(self, i: int) -> Document:
        rng = random.Random(f"{self.seed}:{i}")
        base = rng.choice(self.bases)
        paragraphs = list(base.paragraphs[: rng.randint(1, 2)])
        extra: list[str] = []
        for other in rng.sample(self.by_category[base.category], rng.randint(1, 3)):
            pool = other.paragraphs[1:] or other.paragraphs
            extra.extend(rng.sample(pool, min(len(pool), rng.randint(1, 2))))
        rng.shuffle(extra)
        fetched = self.fetched_at(i)
        source = self.sources[self.source(i)]
        paragraphs += [*extra, f"This is report {i} of the {source.replace('-', ' ')} desk, {fetched:%B %Y}."]
        slug = "-".join(re.findall(r"[a-z0-9]+", base.title.lower())[:6])
        return Document(
            location=f"https://www.{source}.example/{base.category}/{fetched:%Y/%m/%d}/{slug}-{i}",
            url=f"https://www.{source}.example/{base.category}/{fetched:%Y/%m/%d}/{slug}-{i}/?utm_source=rss",
            title=base.title,
            text="\n\n".join(paragraphs),
            published_at=fetched - timedelta(minutes=5 + i * 40503 % 720),
            source=source,
        )


def source_names(count: int) -> tuple[str, ...]:
    names = [f"{place}-{kind}" for kind in KINDS for place in PLACES]
    return tuple(
        names[i % len(names)] + ("" if i < len(names) else f"-{i // len(names)}") for i in range(count)
    )


# -- loading -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Phase:
    backend: str
    label: str
    articles: int
    before: int  # articles already stored
    seconds: float
    requested: int  # articles offered (the rest were duplicates or errors)

    @property
    def rate(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0


def ingest_range(
    store: Store, corpus: Corpus, source_ids: Sequence[int], start: int, stop: int, batch_size: int
) -> tuple[int, float]:
    """``Store.ingest`` per run of one source (as a feed poll calls it); timed around ingest only."""
    clock = StepClock(corpus.fetched_at, start)
    store.clock = clock
    created, seconds = 0, 0.0
    for source, indices in groupby(range(start, stop), key=corpus.source):
        documents = [corpus.document(i) for i in indices]
        started = time.perf_counter()
        results = store.ingest(documents, source_id=source_ids[source], batch_size=batch_size)
        seconds += time.perf_counter() - started
        created += sum(result.created for result in results)
    return created, seconds


_WORKER_CORPUS: list[Corpus] = []


def _init_worker(corpus: Corpus) -> None:
    _WORKER_CORPUS[:] = [corpus]


def prepare_rows(bounds: tuple[int, int]) -> list[dict[str, Any]]:
    """The article columns ``Store._store_one`` would write, computed with the store's own functions."""
    corpus = _WORKER_CORPUS[0]
    rows: list[dict[str, Any]] = []
    for i in range(*bounds):
        document = corpus.document(i)
        cleaned = clean(document.text)
        body = cleaned.body
        assert document.url is not None
        rows.append(
            {
                "source": corpus.source(i),
                "url": dedup.canonical_url(document.url),
                "title": (document.title or cleaned.title or document.location)[:512],
                "text": body,
                "published_at": document.published_at,
                "fetched_at": corpus.fetched_at(i),
                "content_hash": dedup.content_hash(body),
                "simhash": dedup.simhash(dedup.content_words(body)),
                "words": len(body.split()),
            }
        )
    return rows


def prepare_bulk(corpus: Corpus, start: int, stop: int, path: Path, workers: int, chunk: int) -> float:
    """Prepare the bulk rows once for every database, in worker processes; seconds taken."""
    bounds = [(i, min(i + chunk, stop)) for i in range(start, stop, chunk)]
    started = time.perf_counter()
    with Pool(workers, initializer=_init_worker, initargs=(corpus,)) as pool, path.open("wb") as handle:
        for rows in pool.imap(prepare_rows, bounds):
            pickle.dump(rows, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return time.perf_counter() - started


def read_chunks(path: Path) -> Iterator[list[dict[str, Any]]]:
    with path.open("rb") as handle:
        while True:
            try:
                yield pickle.load(handle)
            except EOFError:
                return


def bulk_insert(engine: Engine, path: Path, source_ids: Sequence[int]) -> tuple[int, float]:
    """Multi-row inserts, one transaction per chunk: a story per article, then the articles and
    their sentences."""
    count, seconds = 0, 0.0
    for rows in read_chunks(path):
        stories = [{"title": row["title"], "created_at": row["fetched_at"]} for row in rows]
        started = time.perf_counter()
        with engine.begin() as connection:
            story_ids = connection.execute(
                insert(StoryRow).returning(StoryRow.id, sort_by_parameter_order=True), stories
            ).scalars()
            articles = [
                {**row, "source_id": source_ids[row["source"]], "story_id": story_id}
                for row, story_id in zip(rows, story_ids, strict=True)
            ]
            for article in articles:
                del article["source"]
            ids = connection.execute(
                insert(ArticleRow).returning(ArticleRow.id, sort_by_parameter_order=True), articles
            ).scalars()
            # Each article's sentences, as ``Store`` writes them for ``ask``.
            sentences = [
                {"article_id": article_id, "position": position, "text": span.text}
                for article_id, article in zip(ids, articles, strict=True)
                for position, span in enumerate(split_sentences(article["text"]))
            ]
            connection.execute(insert(SentenceRow), sentences)
        seconds += time.perf_counter() - started
        count += len(rows)
    return count, seconds


@dataclass(frozen=True, slots=True)
class Plan:
    """Which articles go in which way, in time order: ``Store.ingest`` on [0, store_end), the bulk path
    on [store_end, bulk_end), ``Store.ingest`` on [bulk_end, briefed_start), with the model after."""

    store_end: int
    bulk_end: int
    briefed_start: int
    total: int

    @property
    def bulk(self) -> int:
        return self.bulk_end - self.store_end


def make_plan(args: argparse.Namespace) -> Plan:
    briefed_start = args.articles - args.briefed
    bulk_end = briefed_start - args.tail_ingest
    if bulk_end < args.store_ingest or min(args.store_ingest, args.tail_ingest, args.briefed) < 0:
        raise SystemExit("--articles must be at least --store-ingest + --tail-ingest + --briefed")
    return Plan(args.store_ingest, bulk_end, briefed_start, args.articles)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load(
    backend: str,
    store: Store,
    corpus: Corpus,
    plan: Plan,
    bulk_file: Path,
    args: argparse.Namespace,
    memory: list[tuple[str, float]],
) -> list[Phase]:
    """Fill one database in time order; every phase timed."""
    source_ids = [
        add_feed(Store(engine=store.engine, sessions=store.sessions), f"https://www.{name}.example/rss").id
        for name in corpus.sources
    ]
    size = plan.bulk_end - plan.store_end
    created, seconds = ingest_range(store, corpus, source_ids, 0, plan.store_end, args.batch_size)
    phases = [Phase(backend, "`Store.ingest`, no model, empty store", created, 0, seconds, plan.store_end)]
    count, seconds = bulk_insert(store.engine, bulk_file, source_ids)
    phases.append(Phase(backend, "bench bulk path (rows prepared beforehand)", count, created, seconds, size))
    if store.dialect == "postgresql":
        analyze(store.engine)
    memory.append((f"{backend}: loaded without the model", rss_mb()))
    before = store.count()
    created, seconds = ingest_range(
        store, corpus, source_ids, plan.bulk_end, plan.briefed_start, args.batch_size
    )
    size = plan.briefed_start - plan.bulk_end
    phases.append(Phase(backend, "`Store.ingest`, no model, full store", created, before, seconds, size))
    if plan.total == plan.briefed_start:
        return phases
    summarizer = Summarizer()
    summarizer.brief(corpus.document(0).text)  # load the model before timing
    store.summarizer = summarizer
    before = store.count()
    created, seconds = ingest_range(
        store, corpus, source_ids, plan.briefed_start, plan.total, args.batch_size
    )
    store.summarizer = None
    label = f"`Store.ingest` with `Summarizer()`, batch {args.batch_size}"
    phases.append(Phase(backend, label, created, before, seconds, plan.total - plan.briefed_start))
    memory.append((f"{backend}: after the briefed ingest (model loaded)", rss_mb()))
    return phases


# -- queries -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Query:
    group: str
    text: str
    words: tuple[str, ...]  # what the raw query searches for


def content_tokens(body: str) -> list[str]:
    """The distinct content words of an article, without the generated last sentence (in every article)."""
    story = body.rsplit("\n\n", 1)[0]
    stop = lexicon().stop_words
    return sorted(
        {w for w in (t.lower() for t in words(story)) if w.isalpha() and len(w) > 2 and w not in stop}
    )


def word_queries(corpus: Corpus, count: int, seed: int) -> list[Query]:
    """Words of random articles, every distinct word of an article equally likely: a word comes up about
    as often as articles mention it, so common words are queried often and rare ones too."""
    rng = random.Random(f"{seed}:queries")
    sample = [content_tokens(corpus.document(rng.randrange(corpus.count)).text) for _ in range(count * 2)]
    sample = [tokens for tokens in sample if len(tokens) > 2]
    singles, pairs, since = count * 4 // 10, count * 4 // 10, count // 10
    queries = []
    for n in range(singles + pairs + since):
        tokens = sample[n % len(sample)]
        first = rng.choice(tokens)
        if singles <= n < singles + pairs:
            second = rng.choice([t for t in tokens if t != first])
            queries.append(Query(PAIR, f"{first} {second}", (first, second)))
        elif n < singles:
            queries.append(Query(SINGLE, first, (first,)))
        else:
            queries.append(Query(SINCE, f"{first} since:30d", (first,)))
    return queries


def actor_queries(store: Store, count: int, seed: int) -> list[Query]:
    """An actor of a briefed article, as ``actor:"name"``, with a word of that article."""
    rng = random.Random(f"{seed}:actors")
    with store.sessions() as session:
        pairs = session.execute(
            select(ActorRow.article_id, ActorAliasRow.key)
            .join(ActorAliasRow, ActorAliasRow.actor_id == ActorRow.id)
            .order_by(ActorRow.article_id, ActorAliasRow.key)
        ).all()
    queries = []
    for article_id, key in rng.sample(pairs, min(count, len(pairs))):
        word = rng.choice(content_tokens(store.text_of(article_id) or "") or ["news"])
        name = f'"{key}"' if '"' not in key else shlex.quote(key)
        queries.append(Query(ACTOR, f"{word} actor:{name}", (word,)))
    return queries


# -- search timing -------------------------------------------------------------------------------------


@contextmanager
def captured(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """The statements (and parameters) the engine sends while the block runs."""
    seen: list[tuple[str, Any]] = []

    def listener(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool
    ) -> None:
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def raw_parameters(dialect: str, query: Query) -> tuple[str, ...]:
    if dialect == "sqlite":
        return (" ".join(f'"{w}"' for w in query.words),)
    return (" ".join(query.words),)


def timed_ms(task: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = task()
    return 1000 * (time.perf_counter() - started), result


@dataclass(slots=True)
class SearchRun:
    queries: list[Query]
    ms: dict[str, list[float]]  # variant -> per query median
    problems: list[str]


def time_search(store: Store, queries: Sequence[Query], rounds: int) -> SearchRun:
    """Warm up with ``search()`` on every query (which also reads the pages the raw query needs), then
    time the three variants interleaved, rotating the order."""
    dialect = store.dialect
    started = datetime.now(UTC)  # before every parse_query: no since: filter reaches further back
    raw_connection = store.engine.raw_connection()
    if dialect == "postgresql":
        raw_connection.rollback()  # the pool's pre-ping may have opened a transaction
        raw_connection.driver_connection.autocommit = True  # type: ignore[union-attr]
    cursor = raw_connection.cursor()

    def run_sql(statement: str, parameters: Any) -> list[Any]:
        cursor.execute(statement, parameters)
        return list(cursor.fetchall())

    tasks: list[dict[str, Callable[[], Any]]] = []
    first: list[dict[str, Any]] = []
    for query in queries:
        parsed = parse_query(query.text)
        with captured(store.engine) as seen:
            hits = search(store, parsed, limit=5)
        statement, parameters = seen[-1]
        first.append({OURS: hits})
        tasks.append(
            {
                RAW: partial(run_sql, RAW_SQL[dialect], raw_parameters(dialect, query)),
                SQL: partial(run_sql, statement, parameters),
                OURS: partial(search, store, parsed, limit=5),
            }
        )
    samples: dict[str, list[list[float]]] = {v: [[] for _ in queries] for v in (RAW, SQL, OURS)}
    for round_ in range(rounds):
        for i, variants in enumerate(tasks):
            names = list(variants)
            shift = (round_ + i) % len(names)
            for name in names[shift:] + names[:shift]:
                ms, result = timed_ms(variants[name])
                samples[name][i].append(ms)
                first[i].setdefault(name, result)
    cursor.close()
    if dialect == "postgresql":
        raw_connection.driver_connection.autocommit = False  # type: ignore[union-attr]
    raw_connection.close()
    medians = {name: [statistics.median(times) for times in per_query] for name, per_query in samples.items()}
    problems = [p for query, got in zip(queries, first, strict=True) for p in check(query, got, started)]
    return SearchRun(list(queries), medians, problems)


def check(query: Query, got: dict[str, Any], now: datetime) -> list[str]:
    """What the results say about the search itself (the timing does not depend on it)."""
    hits, raw = got[OURS], got.get(RAW, [])
    problems = []
    if raw and not hits and query.group in {SINGLE, PAIR}:
        problems.append(f"`{query.text}`: the raw query finds {len(raw)}, search() nothing")
    if query.group == ACTOR and not hits:
        problems.append(f"`{query.text}`: no hit, though the actor is in a briefed article with that word")
    if query.group == SINCE:
        old = [h.article.id for h in hits if h.article.fetched_at < now - timedelta(days=30)]
        if old:
            problems.append(f"`{query.text}`: articles {old} were fetched more than 30 days ago")
    return problems


def latency_rows(backend: str, run: SearchRun) -> list[list[str]]:
    groups = [SINGLE, PAIR, SINCE, ACTOR]
    selections = [(g, [i for i, q in enumerate(run.queries) if q.group == g]) for g in groups]
    words_only = [i for i, q in enumerate(run.queries) if q.group in {SINGLE, PAIR}]
    selections += [("**words only (like for like)**", words_only), ("all", list(range(len(run.queries))))]
    rows = []
    for label, indexes in selections:
        if not indexes:
            continue
        p = {
            (name, k): percentile([run.ms[name][i] for i in indexes], k)
            for name in (RAW, SQL, OURS)
            for k in (50, 95)
        }
        rows.append(
            [
                backend,
                label,
                str(len(indexes)),
                f"{p[RAW, 50]:.2f}",
                f"{p[RAW, 95]:.2f}",
                f"{p[SQL, 50]:.2f}",
                f"{p[SQL, 95]:.2f}",
                f"{p[OURS, 50]:.2f}",
                f"{p[OURS, 95]:.2f}",
                f"{p[OURS, 50] / p[RAW, 50]:.2f}x",
                f"{p[OURS, 95] / p[RAW, 95]:.2f}x",
            ]
        )
    return rows


def slowest(run: SearchRun, count: int = 3) -> list[str]:
    order = sorted(range(len(run.queries)), key=lambda i: run.ms[OURS][i], reverse=True)[:count]
    return [
        f"`{run.queries[i].text}` {run.ms[OURS][i]:.1f} ms (its SQL alone {run.ms[SQL][i]:.1f}, "
        f"raw {run.ms[RAW][i]:.1f})"
        for i in order
    ]


# -- size ----------------------------------------------------------------------------------------------


def size_group(name: str) -> str:
    if name == "articles":
        return "articles (rows, text)"
    if name.startswith("article_fts") or name == "ix_articles_search":
        return "full-text index"
    if name.startswith(("ix_articles_", "sqlite_autoindex_articles", "articles_")):
        return "articles' other indexes"
    if any(name == t or name.startswith((f"ix_{t}", f"sqlite_autoindex_{t}", f"{t}_")) for t in BRIEF_TABLES):
        return "briefs, actors, figures"
    if name == "stories" or name.startswith(("ix_stories", "stories_")):
        return "stories"
    return "everything else"


def sqlite_sizes(engine: Engine, path: Path) -> dict[str, int]:
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        rows = connection.exec_driver_sql("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").all()
    sizes: Counter[str] = Counter()
    for name, size in rows:
        sizes[size_group(name)] += size
    sizes["everything else"] += path.stat().st_size - sum(sizes.values())
    return dict(sizes)


def postgres_sizes(engine: Engine) -> dict[str, int]:
    """Tables with their TOAST (where the article texts are) apart from their indexes."""
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT c.relname, c.relkind, pg_total_relation_size(c.oid) - pg_indexes_size(c.oid) "
                "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind = 'r' "
                "UNION ALL SELECT i.relname, 'i', pg_relation_size(i.oid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_namespace n ON n.oid = i.relnamespace "
                "WHERE n.nspname = current_schema()"
            )
        ).all()
    sizes: Counter[str] = Counter()
    for name, kind, size in rows:
        if kind == "i" and name in {"articles_pkey", "articles_url_key", "articles_content_hash_key"}:
            name = "ix_articles_" + name
        sizes[size_group(name)] += size
    return dict(sizes)


@dataclass(frozen=True, slots=True)
class Footprint:
    backend: str
    sizes: dict[str, int]
    articles: int
    briefed: int
    text_bytes: float  # average stored text per article

    @property
    def total(self) -> int:
        return sum(self.sizes.values())


def footprint(backend: str, store: Store, path: Path | None) -> Footprint:
    sizes = postgres_sizes(store.engine) if path is None else sqlite_sizes(store.engine, path)
    with store.engine.connect() as connection:
        articles, text_bytes = connection.execute(
            text("SELECT count(*), avg(length(CAST(text AS BLOB))) FROM articles")
            if backend == "SQLite"
            else text("SELECT count(*), avg(octet_length(text)) FROM articles")
        ).one()
        briefed = connection.execute(text("SELECT count(*) FROM briefs")).scalar_one()
    return Footprint(backend, sizes, articles, briefed, float(text_bytes))


def size_table(prints: Sequence[Footprint]) -> str:
    groups = [
        "articles (rows, text)",
        "full-text index",
        "articles' other indexes",
        "stories",
        "briefs, actors, figures",
        "everything else",
    ]
    headers = ["per article", *[f"{p.backend} bytes" for p in prints], *[f"{p.backend} MB" for p in prints]]
    rows = []
    for group in groups:
        counts = [p.briefed if group == "briefs, actors, figures" else p.articles for p in prints]
        per = [p.sizes.get(group, 0) / count if count else 0 for p, count in zip(prints, counts, strict=True)]
        label = group + (" (per **briefed** article)" if group == "briefs, actors, figures" else "")
        rows.append(
            [label, *[f"{v:,.0f}" for v in per], *[f"{p.sizes.get(group, 0) / 1e6:,.1f}" for p in prints]]
        )
    rows.append(
        [
            "**total / articles**",
            *[f"**{p.total / p.articles:,.0f}**" for p in prints],
            *[f"**{p.total / 1e6:,.1f}**" for p in prints],
        ]
    )
    rows.append(
        [
            "for scale: the stored text itself (UTF-8)",
            *[f"{p.text_bytes:,.0f}" for p in prints],
            *["" for _ in prints],
        ]
    )
    return markdown_table(headers, rows)


# -- the run -------------------------------------------------------------------------------------------


@dataclass(slots=True)
class BackendResult:
    backend: str
    phases: list[Phase]
    run: SearchRun
    footprint: Footprint
    version: str


def run_backend(
    backend: str,
    url: str,
    sqlite_path: Path | None,
    corpus: Corpus,
    plan: Plan,
    bulk_file: Path,
    queries: list[Query],
    args: argparse.Namespace,
    memory: list[tuple[str, float]],
) -> BackendResult:
    engine, sessions = open_database(url)
    try:
        store = Store(engine=engine, sessions=sessions)
        phases = load(backend, store, corpus, plan, bulk_file, args, memory)
        if not any(q.group == ACTOR for q in queries):
            queries.extend(actor_queries(store, args.queries - len(queries), args.seed))
        print(f"{backend}: loaded, timing {len(queries)} queries...", file=sys.stderr)
        run = time_search(store, queries, args.rounds)
        memory.append((f"{backend}: after search", rss_mb()))
        prints = footprint(backend, store, sqlite_path)
        with engine.connect() as connection:
            version = connection.execute(
                text("SELECT sqlite_version()" if sqlite_path else "SHOW server_version")
            ).scalar_one()
        return BackendResult(backend, phases, run, prints, str(version))
    finally:
        engine.dispose()


def ingest_table(results: Sequence[BackendResult], prepare_seconds: float, plan: Plan, workers: int) -> str:
    rows = []
    for result in results:
        for phase in result.phases:
            rows.append(
                [
                    result.backend,
                    phase.label,
                    f"{phase.articles:,}"
                    + (f" of {phase.requested:,}" if phase.articles != phase.requested else ""),
                    f"{phase.before:,}",
                    f"{phase.seconds:.1f}",
                    f"{phase.rate:,.1f}",
                ]
            )
    bulk = plan.bulk
    rows.append(
        [
            "both",
            f"bench bulk path: preparing the rows (`clean`, hashes, SimHash; {workers} processes, once)",
            f"{bulk:,}",
            "",
            f"{prepare_seconds:.1f}",
            f"{bulk / prepare_seconds:,.1f}" if prepare_seconds else "",
        ]
    )
    return markdown_table(["database", "how", "articles", "stored before", "seconds", "articles/s"], rows)


def store_ingest_verdict(results: Sequence[BackendResult], total: int) -> list[str]:
    lines = []
    for result in results:
        empty, full = result.phases[0], result.phases[2]
        if not empty.rate or not full.rate:
            continue
        # The time per article taken as growing linearly from the empty to the full store.
        minutes = total * (1 / empty.rate + 1 / full.rate) / 2 / 60
        bulk = result.phases[1]
        lines.append(
            f"- {result.backend}: `Store.ingest` without the model stored {empty.rate:,.1f} articles/s "
            f"into an empty store and {full.rate:,.1f}/s at {full.before:,} articles: {total:,} articles "
            f"that way would take about {minutes:,.0f} min. The bench stored {bulk.articles:,} of them "
            f"through its bulk path instead, at {bulk.rate:,.0f} articles/s (plus the preparation)."
        )
    return lines


def latency_table(results: Sequence[BackendResult]) -> str:
    rows = [row for result in results for row in latency_rows(result.backend, result.run)]
    return markdown_table(
        [
            "database",
            "queries",
            "n",
            "raw p50 ms",
            "raw p95 ms",
            "our SQL p50",
            "our SQL p95",
            "`search()` p50",
            "`search()` p95",
            "p50 ours/raw",
            "p95 ours/raw",
        ],
        rows,
        align="llrrrrrrrrr",
    )


def targets(results: Sequence[BackendResult]) -> list[str]:
    lines = []
    for result in results:
        run = result.run
        like = [i for i, q in enumerate(run.queries) if q.group in {SINGLE, PAIR}]
        raw95 = percentile([run.ms[RAW][i] for i in like], 95)
        ours95 = percentile([run.ms[OURS][i] for i in like], 95)
        everything95 = percentile(run.ms[OURS], 95) / percentile(run.ms[RAW], 95)
        lines.append(
            f"- {verdict(ours95 / raw95 < RATIO_TARGET)} {result.backend}: p95 `search()` / p95 raw < "
            f"{RATIO_TARGET} on word queries: {ours95:.2f} / {raw95:.2f} ms = {ours95 / raw95:.2f} "
            f"(all queries, filters included: {everything95:.2f})"
        )
        if result.backend == "SQLite":
            lines.append(
                f"- {verdict(raw95 < SQLITE_RAW_P95_TARGET)} SQLite: raw p95 < {SQLITE_RAW_P95_TARGET:g} ms: "
                f"{raw95:.2f} ms"
            )
    return lines


def memory_table(memory: Sequence[tuple[str, float]]) -> str:
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    rows = [[label, f"{mb:,.0f}"] for label, mb in memory]
    rows.append(["largest bulk-preparation worker (not in the above)", f"{children:,.0f}"])
    return markdown_table(["peak resident memory of the process (`ru_maxrss`) after", "MB"], rows)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Load a generated corpus into the store on SQLite and PostgreSQL; time ingest and "
        "search against the raw full-text query; measure size per article and peak memory. Prints "
        "Markdown tables for the README.",
    )
    parser.add_argument(
        "--bbc",
        type=data_path,
        default=str(BBC),
        help="BBC News Summary JSONL (default: ../shared/data/bbc_news_summary.jsonl)",
    )
    parser.add_argument("--cnndm", type=data_path, default=str(CNNDM), help=CNNDM_HELP)
    parser.add_argument(
        "--articles", type=int, default=100_000, help="articles in the store (default 100000)"
    )
    parser.add_argument(
        "--store-ingest",
        type=int,
        default=2000,
        help="articles stored first through Store.ingest without the model (default 2000)",
    )
    parser.add_argument(
        "--tail-ingest",
        type=int,
        default=200,
        help="articles stored through Store.ingest without the model on the full store (default 200)",
    )
    parser.add_argument(
        "--briefed",
        type=int,
        default=1000,
        help="newest articles stored through Store.ingest with Summarizer() (default 1000)",
    )
    parser.add_argument("--batch-size", type=int, default=16, help="Store.ingest batch size (default 16)")
    parser.add_argument("--queries", type=int, default=200, help="search queries (default 200)")
    parser.add_argument("--rounds", type=int, default=2, help="times each query is timed (default 2)")
    parser.add_argument("--days", type=int, default=730, help="days the fetched times span (default 730)")
    parser.add_argument("--sources", type=int, default=50, help="source rows (default 50)")
    parser.add_argument("--seed", type=int, default=1, help="corpus and query seed (default 1)")
    parser.add_argument("--workers", type=int, default=2, help="processes preparing bulk rows (default 2)")
    parser.add_argument(
        "--backends", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql (default both)"
    )
    parser.add_argument(
        "--postgres-url",
        default=POSTGRES_URL,
        help=f"server and database; a schema of our own is made and dropped (default {POSTGRES_URL})",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the databases (SQLite file, PostgreSQL schema) to look into"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if not backends or set(backends) - {"sqlite", "postgresql"}:
        raise SystemExit("--backends: sqlite, postgresql or both")
    plan = make_plan(args)
    end = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    corpus = Corpus(
        load_bases(args.bbc, args.cnndm), args.articles, args.seed, end, args.days, source_names(args.sources)
    )
    queries = word_queries(corpus, args.queries, args.seed)
    memory = [("reading the dev data", rss_mb())]
    results = []
    with tempfile.TemporaryDirectory(prefix="briefbot-bench-") as folder:
        bulk_file = Path(folder) / "bulk.pickle"
        print(f"preparing {plan.bulk:,} bulk rows...", file=sys.stderr)
        prepare_seconds = prepare_bulk(corpus, plan.store_end, plan.bulk_end, bulk_file, args.workers, 1000)
        for backend in backends:
            print(f"{backend}: loading {plan.total:,} articles...", file=sys.stderr)
            if backend == "sqlite":
                path = (
                    Path(tempfile.mkdtemp(prefix="briefbot-bench-") if args.keep else folder) / "briefbot.db"
                )
                results.append(
                    run_backend(
                        "SQLite", f"sqlite:///{path}", path, corpus, plan, bulk_file, queries, args, memory
                    )
                )
            else:
                with postgres_schema(
                    args.postgres_url, keep=args.keep, settings=["plan_cache_mode=force_custom_plan"]
                ) as url:
                    results.append(
                        run_backend("PostgreSQL", url, None, corpus, plan, bulk_file, queries, args, memory)
                    )
    report(results, corpus, plan, prepare_seconds, args, memory)
    if args.keep and "sqlite" in backends:
        print(f"kept SQLite database {path}", file=sys.stderr)
    return 0


def report(
    results: Sequence[BackendResult],
    corpus: Corpus,
    plan: Plan,
    prepare_seconds: float,
    args: argparse.Namespace,
    memory: Sequence[tuple[str, float]],
) -> None:
    versions = ", ".join(f"{r.backend} {r.version}" for r in results)
    print(
        f"## Storage at scale: {plan.total:,} articles over {args.days} days, {len(corpus.sources)} sources\n"
    )
    print(
        f"{environment()}, SQLAlchemy {sqlalchemy.__version__}, {versions} (Python's sqlite3 module "
        f"links SQLite {sqlite3.sqlite_version})\n"
    )
    print(ingest_table(results, prepare_seconds, plan, args.workers), end="\n\n")
    print("\n".join(store_ingest_verdict(results, plan.total)), end="\n\n")
    print(latency_table(results), end="\n\n")
    print(
        "Raw: the bare full-text query (SQLite `bm25` over `article_fts`, PostgreSQL `ts_rank` with "
        "`plainto_tsquery`) on a DB-API cursor; our SQL: the statement `search()` sends, replayed on "
        "the same cursor; `search()`: the whole call. Filtered queries are timed against their words "
        f"alone. Median of {args.rounds} interleaved runs per query; PostgreSQL plans every run for its "
        "own words (`plan_cache_mode=force_custom_plan`). Slowest `search()` calls:\n"
    )
    for result in results:
        print(f"- {result.backend}: " + "; ".join(slowest(result.run)))
    print()
    print(size_table([r.footprint for r in results]), end="\n\n")
    print(
        "PostgreSQL keeps the `tsvector` in the articles rows (the texts go to TOAST), so its full-text "
        "row is the GIN index alone; SQLite's is the FTS5 index (external content: the text is stored "
        "once).\n"
    )
    print(memory_table(memory), end="\n\n")
    print("Targets:")
    print("\n".join(targets(results)), end="\n\n")
    problems = [f"- {r.backend}: {p}" for r in results for p in r.run.problems]
    print("Result checks: " + ("none failed" if not problems else f"{len(problems)} failed"))
    if problems:
        print("\n".join(problems[:20]))
    print(f"\nCommand:\n\n    {command_line()}")


if __name__ == "__main__":
    sys.exit(main())
