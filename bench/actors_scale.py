"""``actor`` and ``trending`` at 100,000 stored articles, on SQLite and PostgreSQL.

Why this script exists: an actor page and a trend list are a handful of GROUP BYs each over the
``article_actors`` rows of a period, which cost nothing on the samples and could cost seconds once a
store holds two years of news. The question is whether :mod:`storage.actor_views` stays close to the
cheapest query that reads the same rows: the p95 of each call against the p95 of a plain indexed
count over those rows (``count(DISTINCT story_id)`` joined to ``articles``), run in the same process
on the same connection pool, interleaved. Target: at most 2x.

How it measures:

* Articles: ``store_scale.py``'s generated corpus (BBC News Summary and CNN/DailyMail paragraphs,
  read from ``../shared/data``), ``--articles`` of them spread over two years up to
  2026-11-01, bulk loaded as ``load.py`` does. Consecutive articles are then grouped into stories
  as feeds would repeat them (60% alone, 25% by 2 outlets, 10% by 3, 5% by 4-6), by direct UPDATE.
* Actors (the generated articles have none): ``--actors`` actors (45% people, 30% organisations,
  20% places, 5% groups) with made-up names and aliases (a surname, an acronym), drawn Zipf-like
  (weight 1/rank^``--zipf``) 5-11 to a story (~8), the same for each outlet of a story; 60 more
  that appear only in the last 10 days, as people do who are suddenly in the news. Written by
  direct multi-row inserts into ``actors``, ``actor_names`` and ``article_actors`` (linked), then
  PostgreSQL is ANALYZEd (as autovacuum would); SQLite is not, as briefbot never runs ANALYZE.
* ``actor_view``: 200 actors drawn log-uniformly over the ranks (the most named and the rarely
  named alike), over the last 30 days and over all time; the count: the actor's stories in the
  same period. ``trending(days=7)``: 20 moments over the last 60 days; the count: stories per actor
  over both weeks. ``mentions_per_day``: the 5 actors with most stories in each of those weeks; the
  count: their stories over the week. Each item runs once to warm up, then ``--rounds`` times
  interleaved with its count (the order rotating); an item keeps its median; p50/p95 over items.
  The counts run on a DB-API cursor; PostgreSQL plans every statement for its own values
  (``plan_cache_mode=force_custom_plan``), as ``store_scale.py`` does.
* Names (no count to compare with, for the record): ``find_actor``, ``suggest_actors`` on names
  with a typo, ``complete_actor_names`` on 1-3 letters of a name and on nothing typed.

    .venv/bin/python bench/actors_scale.py                               # 100,000 articles, both
    .venv/bin/python bench/actors_scale.py --articles 20000 --database sqlite   # a quicker look
"""

from __future__ import annotations

import argparse
import math
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy
from common import BBC, CNNDM, command_line, data_path, environment, markdown_table, percentile, verdict
from databases import POSTGRES_URL, analyze, postgres_schema
from sqlalchemy import Engine, insert, text
from store_scale import Corpus, bulk_insert, load_bases, prepare_bulk, source_names

from storage import feedstore
from storage.actor_views import (
    actor_view,
    complete_actor_names,
    find_actor,
    mentions_per_day,
    period_days,
    suggest_actors,
    trending,
)
from storage.db import open_database
from storage.models import ActorEntityRow, ActorNameRow, ActorRow
from storage.store import Store, as_utc

RATIO_TARGET = 2.0  # p95 of ours over p95 of the plain count
END = datetime(2026, 11, 1, tzinfo=UTC)
DAYS = 730
NEW_ACTORS = 60
NEW_DAYS = 10
KINDS = (("person", 45), ("organization", 30), ("place", 20), ("group", 5))
STORY_SIZES = ((1, 60), (2, 25), (3, 10), (4, 3), (5, 1), (6, 1))  # outlets per story, percent
FIRST = (
    "Aaron Amira Bruno Chen Dara Elena Farid Greta Hana Ivan Jonas Kofi Lena Marta Nadia Omar Priya "
    "Rafael Sofia Tomas Uma Viktor Wen Yusuf Zara Alma Boris Carmen Dmitri Esther Felix Gloria Hugo Ines "
    "Jamal Keiko Luis Mira Nikolai Olga Pavel Quinn Rosa Samir Tariq Ursula Vera Walter Ximena Yara"
).split()
SYLLABLES = (
    "al ba ber cor da del en fa gar hal ka kel lin lor ma mer no or pa ran ro sa sel ta ter ven vo "
    "wit zan bri cas dor fen gri hol mon nor pel quin rav sten tor val wen"
).split()
ORG_WORDS = (
    "Union Council Ministry Party Bank Alliance Front Authority Institute Agency Federation Commission "
    "Group Holdings Partners Trust League Movement Service Network"
).split()
ORG_FIELDS = (
    "Dockworkers Farmers Teachers Energy Shipping Health Rail Mining Water Defence Trade Press Justice "
    "Transport Housing Finance Steel Textile Fisheries Aviation"
).split()


# -- the actors ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Made:
    """A generated actor: its display name, kind and other names."""

    name: str
    kind: str
    aliases: tuple[str, ...]


def made_word(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def make_actors(count: int, seed: int) -> list[Made]:
    """``count`` actors with distinct names; a person's surname and an organisation's acronym are
    aliases unless another actor already goes by them (the linker keeps a shared name for no one)."""
    rng = random.Random(f"{seed}:actors")
    kinds = [kind for kind, share in KINDS for _ in range(share)]
    names: set[str] = set()
    taken: set[str] = set()
    made = []
    while len(made) < count:
        kind = rng.choice(kinds)
        aliases: tuple[str, ...] = ()
        if kind == "person":
            surname = made_word(rng, rng.randint(2, 3))
            name = f"{rng.choice(FIRST)} {surname}"
            aliases = (surname,)
        elif kind == "organization":
            name = f"{made_word(rng, 2)} {rng.choice(ORG_FIELDS)} {rng.choice(ORG_WORDS)}"
            aliases = ("".join(word[0] for word in name.split()),)
        elif kind == "place":
            name = made_word(rng, rng.randint(2, 3))
        else:
            name = made_word(rng, 2) + "ans"
        if name.lower() in names or name.lower() in taken:
            continue
        names.add(name.lower())
        aliases = tuple(a for a in aliases if a.lower() not in taken and a.lower() not in names)
        taken.update(a.lower() for a in aliases)
        made.append(Made(name, kind, aliases))
    return made


class Drawer:
    """Actors for a story: 5-11 distinct ranks drawn with weight 1/rank^s (Zipf-like)."""

    def __init__(self, count: int, exponent: float) -> None:
        weights = [1 / (rank**exponent) for rank in range(1, count + 1)]
        total = 0.0
        self.cumulative = []
        for weight in weights:
            total += weight
            self.cumulative.append(total)
        self.ranks = list(range(count))

    def draw(self, rng: random.Random, size: int) -> list[int]:
        chosen: dict[int, None] = {}
        while len(chosen) < size:
            for rank in rng.choices(self.ranks, cum_weights=self.cumulative, k=size - len(chosen)):
                chosen[rank] = None
        return list(chosen)


@dataclass(slots=True)
class Loaded:
    """What the bench put in one database: actor ids by rank, and how many rows of each."""

    actor_ids: list[int]
    names: list[Made]
    stories: int = 0
    links: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def group_stories(engine: Engine, seed: int) -> list[list[int]]:
    """Consecutive articles grouped into stories (the first one's); the groups' article ids."""
    rng = random.Random(f"{seed}:stories")
    sizes = [size for size, share in STORY_SIZES for _ in range(share)]
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, story_id FROM articles ORDER BY fetched_at, id")).all()
    groups: list[list[int]] = []
    updates = []
    position = 0
    while position < len(rows):
        members = rows[position : position + rng.choice(sizes)]
        groups.append([article_id for article_id, _ in members])
        updates += [{"story": members[0][1], "id": article_id} for article_id, _ in members[1:]]
        position += len(members)
    with engine.begin() as connection:
        for first in range(0, len(updates), 5000):
            connection.execute(
                text("UPDATE articles SET story_id = :story WHERE id = :id"), updates[first : first + 5000]
            )
    return groups


def load_actors(engine: Engine, groups: Sequence[list[int]], args: argparse.Namespace) -> Loaded:
    """Actors, their names, and ~8 linked ``article_actors`` rows per article, by multi-row inserts."""
    made = make_actors(args.actors + NEW_ACTORS, args.seed)
    regular = made[: args.actors]
    now = END
    with engine.begin() as connection:
        ids = list(
            connection.execute(
                insert(ActorEntityRow).returning(ActorEntityRow.id, sort_by_parameter_order=True),
                [{"name": m.name, "kind": m.kind, "created_at": now} for m in made],
            ).scalars()
        )
        connection.execute(
            insert(ActorNameRow),
            [
                {"key": name.lower(), "actor_id": actor_id}
                for m, actor_id in zip(made, ids, strict=True)
                for name in (m.name, *m.aliases)
            ],
        )
    drawer = Drawer(len(regular), args.zipf)
    rng = random.Random(f"{args.seed}:links")
    fresh_since = END - timedelta(days=NEW_DAYS)
    with engine.connect() as connection:
        fetched = {i: at for i, at in connection.execute(text("SELECT id, fetched_at FROM articles"))}
    loaded = Loaded(ids, made, stories=len(groups))
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        with engine.begin() as connection:
            connection.execute(insert(ActorRow), batch)
        loaded.links += len(batch)
        batch.clear()

    for group in groups:
        ranks = drawer.draw(rng, rng.randint(5, 11))
        if (as_utc(fetched[group[0]]) or END) >= fresh_since and rng.random() < 0.3:
            ranks.insert(rng.randrange(len(ranks)), len(regular) + int(rng.random() ** 2 * NEW_ACTORS))
        for article_id in group:
            for position, rank in enumerate(ranks):
                actor = made[rank]
                batch.append(
                    {
                        "article_id": article_id,
                        "name": actor.name,
                        "key": actor.name.lower(),
                        "kind": actor.kind,
                        "mentions": 1 + int(rng.random() * 4),
                        "salience": round(1 / (position + 1), 4),
                        "rank": position,
                        "actor_id": ids[rank],
                    }
                )
        if len(batch) >= 20_000:
            flush()
    if batch:
        flush()
    return loaded


# -- timing --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Item:
    """One measured call and its plain count: ours() and (statement, parameters) for the cursor."""

    label: str
    ours: Callable[[], Any]
    count_sql: str
    count_parameters: Sequence[Any]
    check: Callable[[Any, list[Any]], str | None]


@dataclass(slots=True)
class Timed:
    label: str
    ours: list[float]  # per item, median ms
    count: list[float]
    problems: list[str]


def sql_for(dialect: str, statement: str) -> str:
    """``?`` placeholders for SQLite, ``%s`` for psycopg."""
    return statement if dialect == "sqlite" else statement.replace("?", "%s")


def moment(dialect: str, value: datetime) -> Any:
    """A datetime as the cursor must pass it: SQLite compares the text SQLAlchemy stored (naive UTC)."""
    return f"{value.astimezone(UTC):%Y-%m-%d %H:%M:%S.%f}" if dialect == "sqlite" else value


def time_items(store: Store, label: str, items: Sequence[Item], rounds: int) -> Timed:
    raw = store.engine.raw_connection()
    if store.dialect == "postgresql":
        raw.rollback()
        raw.driver_connection.autocommit = True  # type: ignore[union-attr]
    cursor = raw.cursor()

    def count(item: Item) -> list[Any]:
        cursor.execute(item.count_sql, item.count_parameters)
        return list(cursor.fetchall())

    results = []
    for item in items:  # warm up, and keep the first results to check
        results.append((item.ours(), count(item)))
    ours: list[list[float]] = [[] for _ in items]
    counts: list[list[float]] = [[] for _ in items]
    for round_ in range(rounds):
        for i, item in enumerate(items):
            pair: list[tuple[list[float], Callable[[], Any]]] = [
                (ours[i], item.ours),
                (counts[i], lambda item=item: count(item)),  # type: ignore[misc]
            ]
            if (round_ + i) % 2:
                pair.reverse()
            for samples, task in pair:
                started = time.perf_counter()
                task()
                samples.append(1000 * (time.perf_counter() - started))
    cursor.close()
    if store.dialect == "postgresql":
        raw.driver_connection.autocommit = False  # type: ignore[union-attr]
    raw.close()
    problems = [
        f"{label}, {item.label}: {problem}"
        for item, (got, plain) in zip(items, results, strict=True)
        if (problem := item.check(got, plain))
    ]
    return Timed(
        label, [statistics.median(s) for s in ours], [statistics.median(s) for s in counts], problems
    )


def time_calls(calls: Sequence[Callable[[], Any]], rounds: int) -> list[float]:
    medians = []
    for call in calls:
        call()
        samples = []
        for _ in range(rounds):
            started = time.perf_counter()
            call()
            samples.append(1000 * (time.perf_counter() - started))
        medians.append(statistics.median(samples))
    return medians


# -- what is measured ----------------------------------------------------------------------------------

VIEW_COUNT = (
    "SELECT count(DISTINCT a.story_id) FROM article_actors x JOIN articles a ON a.id = x.article_id "
    "WHERE x.actor_id = ?"
)
TREND_COUNT = (
    "SELECT x.actor_id, count(DISTINCT a.story_id) FROM article_actors x JOIN articles a ON a.id = "
    "x.article_id WHERE a.fetched_at >= ? AND a.fetched_at < ? GROUP BY x.actor_id"
)
DAY_COUNT = (
    "SELECT x.actor_id, count(DISTINCT a.story_id) FROM article_actors x JOIN articles a ON a.id = "
    "x.article_id WHERE x.actor_id IN (?, ?, ?, ?, ?) AND a.fetched_at >= ? AND a.fetched_at < ? "
    "GROUP BY x.actor_id"
)


def view_ranks(count: int, wanted: int, seed: int) -> list[int]:
    """``wanted`` distinct ranks, log-uniform over [0, count): as many among the 10 most named as
    among ranks 100-1,000."""
    rng = random.Random(f"{seed}:views")
    ranks: set[int] = set()
    while len(ranks) < min(wanted, count):
        ranks.add(int(math.exp(rng.uniform(0, math.log(count)))) - 1)
    return sorted(ranks)


def view_items(store: Store, loaded: Loaded, args: argparse.Namespace, since: datetime | None) -> list[Item]:
    dialect = store.dialect
    statement = sql_for(dialect, VIEW_COUNT + (" AND a.fetched_at >= ?" if since else ""))
    items = []
    for rank in view_ranks(args.actors, args.views, args.seed):
        actor_id = loaded.actor_ids[rank]
        parameters = (actor_id, moment(dialect, since)) if since else (actor_id,)

        def check(got: Any, plain: list[Any]) -> str | None:
            return (
                None if got.story_count == plain[0][0] else f"{got.story_count} stories, count {plain[0][0]}"
            )

        items.append(
            Item(
                f"actor rank {rank + 1}",
                lambda actor_id=actor_id: actor_view(store, actor_id, since=since),  # type: ignore[misc]
                statement,
                parameters,
                check,
            )
        )
    return items


def trend_moments(count: int) -> list[datetime]:
    return [END - timedelta(days=3 * n, hours=5 * n) for n in range(count)]


def trend_items(store: Store, args: argparse.Namespace) -> list[Item]:
    dialect = store.dialect
    items = []
    for now in trend_moments(args.moments):
        parameters = (moment(dialect, now - timedelta(days=14)), moment(dialect, now))

        def check(got: Any, plain: list[Any]) -> str | None:
            counted = dict(plain)
            wrong = [
                t.actor.name for t in (*got.rising, *got.new) if t.stories + t.before < counted[t.actor.id]
            ]
            return f"fewer stories than counted for {wrong}" if wrong else None

        items.append(
            Item(
                f"{now:%Y-%m-%d %H:%M}",
                lambda now=now: trending(store, now=now, days=7),  # type: ignore[misc]
                sql_for(dialect, TREND_COUNT),
                parameters,
                check,
            )
        )
    return items


def top_actors(store: Store, since: datetime, until: datetime) -> list[int]:
    with store.engine.connect() as connection:
        statement = (
            TREND_COUNT.replace("?", ":since", 1).replace("?", ":until", 1) + " ORDER BY 2 DESC, 1 LIMIT 5"
        )
        rows = connection.execute(
            text(statement), {"since": moment(store.dialect, since), "until": moment(store.dialect, until)}
        ).all()
    return [actor_id for actor_id, _ in rows]


def day_items(store: Store, args: argparse.Namespace) -> list[Item]:
    dialect = store.dialect
    items = []
    for now in trend_moments(args.moments):
        since = now - timedelta(days=7)
        ids = top_actors(store, since, now)
        parameters = (*ids, moment(dialect, since), moment(dialect, now))

        def check(got: Any, plain: list[Any], days: int = len(period_days(since, now))) -> str | None:
            counted = dict(plain)
            short = [
                a
                for a, series in got.items()
                if len(series) != days or sum(n for _, n in series) < counted[a]
            ]
            return f"missing days or stories for {short}" if short else None

        items.append(
            Item(
                f"{now:%Y-%m-%d %H:%M}",
                lambda ids=ids, since=since, now=now: mentions_per_day(store, ids, since=since, until=now),  # type: ignore[misc]
                sql_for(dialect, DAY_COUNT),
                parameters,
                check,
            )
        )
    return items


def typo(rng: random.Random, name: str) -> str:
    """A name as it is mistyped: one letter after the second dropped, doubled or swapped."""
    if len(name) < 5:
        return name + "e"
    at = rng.randrange(2, len(name) - 1)
    edit = rng.randrange(3)
    if edit == 0:
        return name[:at] + name[at + 1 :]
    if edit == 1:
        return name[:at] + name[at] + name[at:]
    return name[:at] + name[at + 1] + name[at] + name[at + 2 :]


@dataclass(frozen=True, slots=True)
class NameTimes:
    label: str
    ms: list[float]
    found: str  # how many calls found what they should


def time_names(store: Store, loaded: Loaded, args: argparse.Namespace) -> list[NameTimes]:
    rng = random.Random(f"{args.seed}:names")
    ranks = view_ranks(args.actors, 50, args.seed + 1)
    names = [loaded.names[rank].name for rank in ranks]
    typed = [typo(rng, name) for name in names]
    prefixes = [name[: rng.randint(1, 3)] for name in names]
    found = sum(find_actor(store, f'"{name.upper()}"') is not None for name in names)
    suggested = sum(name in suggest_actors(store, t) for name, t in zip(names, typed, strict=True))
    completed = sum(
        name in complete_actor_names(store, name[: len(name) // 2 + 1], limit=25) for name in names
    )
    return [
        NameTimes(
            "`find_actor` (a known name, quoted, in capitals)",
            time_calls(
                [lambda n=n: find_actor(store, f'"{n.upper()}"') for n in names],
                args.rounds,  # type: ignore[misc]
            ),
            f"{found}/{len(names)} found",
        ),
        NameTimes(
            "`suggest_actors` (a name with a typo)",
            time_calls(
                [lambda t=t: suggest_actors(store, t) for t in typed],
                args.rounds,  # type: ignore[misc]
            ),
            f"{suggested}/{len(names)} suggest the name",
        ),
        NameTimes(
            "`complete_actor_names` (1-3 letters)",
            time_calls(
                [lambda p=p: complete_actor_names(store, p) for p in prefixes],
                args.rounds,  # type: ignore[misc]
            ),
            f"{completed}/{len(names)} offer the name for its first half",
        ),
        NameTimes(
            "`complete_actor_names` (nothing typed)",
            time_calls([lambda: complete_actor_names(store, "")], args.rounds * 3),
            "-",
        ),
    ]


# -- one database --------------------------------------------------------------------------------------


@dataclass(slots=True)
class Result:
    backend: str
    version: str
    loaded: Loaded
    timed: list[Timed]
    names: list[NameTimes]


def run_backend(backend: str, url: str, corpus: Corpus, bulk: Path, args: argparse.Namespace) -> Result:
    engine, sessions = open_database(url)
    store = Store(engine=engine, sessions=sessions)
    source_ids = [feedstore.add_feed(store, f"https://www.{name}.example/rss").id for name in corpus.sources]
    print(f"{backend}: loading {corpus.count:,} articles...", file=sys.stderr)
    started = time.perf_counter()
    bulk_insert(engine, bulk, source_ids)
    seconds = {"articles": time.perf_counter() - started}
    started = time.perf_counter()
    groups = group_stories(engine, args.seed)
    seconds["stories"] = time.perf_counter() - started
    print(f"{backend}: linking actors to {len(groups):,} stories...", file=sys.stderr)
    started = time.perf_counter()
    loaded = load_actors(engine, groups, args)
    seconds["actors"] = time.perf_counter() - started
    loaded.seconds = seconds
    if store.dialect == "postgresql":
        analyze(engine)
    with engine.connect() as connection:
        version = (
            f"SQLite {sqlite3.sqlite_version}"
            if store.dialect == "sqlite"
            else "PostgreSQL " + connection.execute(text("SHOW server_version")).scalar_one().split()[0]
        )
    print(f"{backend}: timing...", file=sys.stderr)
    timed = [
        time_items(
            store,
            "`actor_view`, last 30 days",
            view_items(store, loaded, args, END - timedelta(days=30)),
            args.rounds,
        ),
        time_items(store, "`actor_view`, all time", view_items(store, loaded, args, None), args.rounds),
        time_items(store, "`trending(days=7)`", trend_items(store, args), args.rounds),
        time_items(store, "`mentions_per_day`, top 5, 7 days", day_items(store, args), args.rounds),
    ]
    names = time_names(store, loaded, args)
    engine.dispose()
    return Result(backend, version, loaded, timed, names)


# -- report --------------------------------------------------------------------------------------------


def report(results: Sequence[Result], args: argparse.Namespace) -> None:
    versions = ", ".join(r.version for r in results)
    first = results[0].loaded
    print(f"## Actors at scale: {args.articles:,} articles over {DAYS} days, {first.stories:,} stories\n")
    print(f"{environment()}, SQLAlchemy {sqlalchemy.__version__}, {versions}\n")
    print(
        f"{args.actors:,} actors (+{NEW_ACTORS} new in the last {NEW_DAYS} days), "
        f"Zipf exponent {args.zipf:g}, "
        f"{first.links:,} linked `article_actors` rows ({first.links / args.articles:.1f} per article).\n"
    )
    headers = [
        "database",
        "call",
        "items",
        "count p50 ms",
        "count p95 ms",
        "ours p50 ms",
        "ours p95 ms",
        "p95 ratio",
        f"≤ {RATIO_TARGET:g}x",
    ]
    rows = []
    for result in results:
        for timed in result.timed:
            ratio = percentile(timed.ours, 95) / percentile(timed.count, 95)
            rows.append(
                [
                    result.backend,
                    timed.label,
                    str(len(timed.ours)),
                    f"{percentile(timed.count, 50):.2f}",
                    f"{percentile(timed.count, 95):.2f}",
                    f"{percentile(timed.ours, 50):.2f}",
                    f"{percentile(timed.ours, 95):.2f}",
                    f"{ratio:.2f}x",
                    verdict(ratio <= RATIO_TARGET),
                ]
            )
    print(markdown_table(headers, rows, "ll" + "r" * 7), end="\n\n")
    print(
        "Count: the plain indexed count over the same rows on a DB-API cursor (`count(DISTINCT "
        "story_id)` of the actor's articles in the period; per actor over both weeks for `trending`; "
        f"of the 5 actors over the week for `mentions_per_day`). Median of {args.rounds} interleaved "
        "runs per item, then percentiles over items. Ours: the whole call (a session, its statements "
        "through SQLAlchemy, the values built). SQLite plans the counts without statistics: the "
        "`mentions_per_day` count reads the 5 actors' rows of all years (the week's articles would be "
        "fewer), and the 30-day count all of an actor's rows, which ours bounds by the period's ids.\n"
    )
    name_rows = [
        [
            r.backend,
            n.label,
            str(len(n.ms)),
            f"{percentile(n.ms, 50):.2f}",
            f"{percentile(n.ms, 95):.2f}",
            n.found,
        ]
        for r in results
        for n in r.names
    ]
    print(
        markdown_table(["database", "call", "calls", "p50 ms", "p95 ms", "result"], name_rows, "llrrrl"),
        end="\n\n",
    )
    load_rows = [
        [r.backend, *(f"{r.loaded.seconds[k]:.0f}" for k in ("articles", "stories", "actors"))]
        for r in results
    ]
    print(markdown_table(["database", "articles s", "stories s", "actors s"], load_rows), end="\n\n")
    problems = [p for r in results for t in r.timed for p in t.problems]
    print("Result checks: " + ("none failed" if not problems else f"{len(problems)} failed"))
    for problem in problems[:20]:
        print(f"- {problem}")
    print(f"\nCommand:\n\n    {command_line()}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bbc", type=data_path, default=str(BBC))
    parser.add_argument("--cnndm", type=data_path, default=str(CNNDM))
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--actors", type=int, default=5_000)
    parser.add_argument("--zipf", type=float, default=1.0, help="exponent of the actors' 1/rank^s weights")
    parser.add_argument("--views", type=int, default=200, help="actors whose view is timed")
    parser.add_argument("--moments", type=int, default=20, help="moments at which trending is timed")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    args = parser.parse_args(argv)
    corpus = Corpus(load_bases(args.bbc, args.cnndm), args.articles, args.seed, END, DAYS, source_names(40))
    results = []
    with tempfile.TemporaryDirectory(prefix="briefbot-actors-") as folder:
        bulk = Path(folder) / "bulk.pickle"
        print(f"preparing {args.articles:,} articles...", file=sys.stderr)
        prepare_bulk(corpus, 0, args.articles, bulk, args.workers, 1000)
        for database in ("sqlite", "postgresql") if args.database == "both" else (args.database,):
            if database == "sqlite":
                results.append(run_backend("SQLite", f"sqlite:///{folder}/actors.db", corpus, bulk, args))
            else:
                with postgres_schema(
                    args.postgres_url, settings=["plan_cache_mode=force_custom_plan"]
                ) as url:
                    results.append(run_backend("PostgreSQL", url, corpus, bulk, args))
    report(results, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
