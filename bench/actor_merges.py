"""Does the store merge one actor's names across articles, and only those?

Why this script exists: ``storage.actor_links`` decides which briefs' actor rows are one actor
("Mr Blair" here, Tony Blair there) conservatively, because a wrong merge puts one person's news
under another's name. Whether it is conservative enough, and what that costs in missed merges, is
a question for a person's judgement, so the measure is a hand-made gold list:
``bench/gold/actor_merges.jsonl``, pairs of actor rows (an article and a name its brief gives) from
the dev (CNN/DailyMail) and BBC articles, each judged the same actor or not by reading both
articles. Its first record says how the pairs were drawn (by name shape, never by the linker).

How it measures: each data set is stored, in file order, into a temporary SQLite store (and with
``--postgres`` a PostgreSQL schema) by ``Store.ingest`` with the real summarizer (briefs are cached
in ``--cache``, by summarizer version, so a second run needs no model), which links actors as it
writes each brief. A gold pair counts as merged when its two rows link to one actor; precision is
the judged-same share of the merged pairs, recall the merged share of the judged-same pairs. Two
baselines put the figures in context: exact names only (same lowercased name and kind), and
surname-greedy (any bare surname with any full name ending with it, acronyms with any name of
those initials, whatever else the store knows). Linking cost: ``relink_all`` over the stored
articles, in ms per article (each article is linked once at ingest; ``db link-actors`` re-runs it;
PostgreSQL is ANALYZEd first, as autovacuum would have).

Usage::

    .venv/bin/python bench/actor_merges.py            # about 1 min with the brief cache, 5 without
    .venv/bin/python bench/actor_merges.py --postgres # the PostgreSQL store too
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ask_data import ReplayedBriefs
from common import BBC, CNNDM, REPO_ROOT, command_line, data_path, environment, jsonl_rows, markdown_table
from databases import POSTGRES_URL, analyze, postgres_schema
from fitting import load_bbc
from sqlalchemy import select

from storage.actor_links import count_actors, relink_all
from storage.db import open_database
from storage.documents import Document
from storage.models import ActorRow
from storage.store import Store
from summarizer import SUMMARIZER_VERSION
from summarizer.actors import initials, name_cores

GOLD = REPO_ROOT / "bench" / "gold" / "actor_merges.jsonl"
DEFAULT_CACHE = Path("/tmp/briefbot-bench/actor-merges")


@dataclass(frozen=True, slots=True)
class Side:
    article: str  # the data set's id of the article
    name: str
    kind: str


@dataclass(frozen=True, slots=True)
class Pair:
    data: str  # "dev" | "bbc"
    stratum: str
    a: Side
    b: Side
    same: bool


@dataclass(frozen=True, slots=True)
class Stored:
    """A data set in a store: its rows' actors by (article id of the data set, name)."""

    backend: str
    data: str
    articles: int
    actors: int
    actor_of: dict[tuple[str, str], int]
    relink_ms: float  # per article


def load_gold(path: Path) -> tuple[dict[str, Any], list[Pair]]:
    rows = list(jsonl_rows(path))
    pairs = [Pair(r["data"], r["stratum"], Side(**r["a"]), Side(**r["b"]), bool(r["same"])) for r in rows[1:]]
    return rows[0], pairs


def documents(data: str, dev: Path, bbc: Path) -> list[Document]:
    if data == "dev":
        return [Document(location=r["id"], text=r["text"], url=r.get("url")) for r in jsonl_rows(dev)]
    return [
        Document(location=a.id, text=a.text, title=a.title, url=f"https://www.bbc.co.uk/news/summary/{a.id}")
        for a in load_bbc(bbc)
    ]


@contextmanager
def database(backend: str, folder: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'actors.sqlite'}"
    else:
        with postgres_schema(POSTGRES_URL) as url:
            yield url


def store_and_link(backend: str, data: str, docs: list[Document], briefs: ReplayedBriefs) -> Stored:
    with tempfile.TemporaryDirectory() as folder, database(backend, Path(folder)) as url:
        engine, sessions = open_database(url)
        try:
            store = Store(engine=engine, sessions=sessions, summarizer=briefs)
            results = store.ingest(docs, batch_size=32)
            briefs.save()
            stored_id = {d.location: r.article.id for d, r in zip(docs, results, strict=True) if r.article}
            if backend == "postgresql":
                analyze(engine)  # as autovacuum would have by now: tables grown from empty
            started = time.perf_counter()
            linked = relink_all(store)
            relink_ms = (time.perf_counter() - started) * 1000 / max(linked, 1)
            with store.sessions() as session:
                rows = session.execute(select(ActorRow.article_id, ActorRow.name, ActorRow.actor_id)).all()
            locations: dict[int, list[str]] = {}
            for location, article_id in stored_id.items():  # a duplicate names the copy kept
                locations.setdefault(article_id, []).append(location)
            actor_of = {
                (location, name): actor_id
                for article_id, name, actor_id in rows
                if actor_id is not None
                for location in locations.get(article_id, ())
            }
            return Stored(backend, data, store.count(), count_actors(store), actor_of, relink_ms)
        finally:
            engine.dispose()


def exact_names(pair: Pair) -> bool:
    return pair.a.name.lower() == pair.b.name.lower() and pair.a.kind == pair.b.kind


def surname_greedy(pair: Pair) -> bool:
    """What a linker without the conservative rules would merge: a last word in common with a bare
    name, an acronym with any name of its initials, the same name whatever its kind."""
    a, b = sorted((pair.a.name, pair.b.name), key=lambda n: len(n.split()))
    if a.lower() == b.lower():
        return True
    if a.isupper() and " " not in a:
        return initials(b) == a.replace(".", "")
    short, long = name_cores(a), name_cores(b)
    return len(short) == 1 and bool(long) and long[-1] == short[0]


@dataclass(frozen=True, slots=True)
class Score:
    tp: int
    fp: int
    fn: int
    tn: int
    missing: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def row(self, label: str) -> list[object]:
        judged = self.tp + self.fp + self.fn + self.tn
        f1 = 2 * self.precision * self.recall / (self.precision + self.recall or 1)
        cells = [f"{self.precision:.3f}", f"{self.recall:.3f}", f"{f1:.3f}"]
        return [label, judged, self.tp + self.fn, self.tp, self.fp, self.fn, *cells]


def score(pairs: list[Pair], merged: dict[Pair, bool | None]) -> Score:
    counts: Counter[str] = Counter()
    for pair in pairs:
        decided = merged[pair]
        if decided is None:
            counts["missing"] += 1
        elif pair.same:
            counts["tp" if decided else "fn"] += 1
        else:
            counts["fp" if decided else "tn"] += 1
    return Score(counts["tp"], counts["fp"], counts["fn"], counts["tn"], counts["missing"])


HEADERS = ["pairs", "judged", "same", "merged right", "merged wrong", "missed", "precision", "recall", "F1"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dev", type=data_path, default=CNNDM, help="cnndm_dev100.jsonl")
    parser.add_argument("--bbc", type=data_path, default=BBC, help="bbc_news_summary.jsonl")
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument(
        "--cache", type=Path, default=DEFAULT_CACHE, help="where briefs are kept between runs"
    )
    parser.add_argument("--postgres", action="store_true", help="store on PostgreSQL too (127.0.0.1 test)")
    args = parser.parse_args(argv)

    header, pairs = load_gold(args.gold)
    briefs = ReplayedBriefs(args.cache / f"briefs-v{SUMMARIZER_VERSION}.pickle")
    backends = ["sqlite", "postgresql"] if args.postgres else ["sqlite"]
    stores: dict[tuple[str, str], Stored] = {}
    for data in ("dev", "bbc"):
        docs = documents(data, args.dev, args.bbc)
        for backend in backends:
            print(f"storing {len(docs)} {data} articles on {backend}...", file=sys.stderr, flush=True)
            stores[(backend, data)] = store_and_link(backend, data, docs, briefs)

    def linked(backend: str) -> dict[Pair, bool | None]:
        decided: dict[Pair, bool | None] = {}
        for pair in pairs:
            actor_of = stores[(backend, pair.data)].actor_of
            a, b = actor_of.get((pair.a.article, pair.a.name)), actor_of.get((pair.b.article, pair.b.name))
            decided[pair] = None if a is None or b is None else a == b
        return decided

    results = {backend: linked(backend) for backend in backends}
    if len(backends) == 2 and results["sqlite"] != results["postgresql"]:
        print("the two databases linked the gold pairs differently", file=sys.stderr)
    ours = results["sqlite"]
    same = sum(p.same for p in pairs)
    print(f"## Actor merges against {len(pairs)} hand-judged pairs ({same} the same actor)\n")
    rows = [score(pairs, ours).row("store linker (storage/actor_links.py)")]
    rows.append(score(pairs, {p: exact_names(p) for p in pairs}).row("exact names only"))
    rows.append(score(pairs, {p: surname_greedy(p) for p in pairs}).row("surname-greedy"))
    print(markdown_table(HEADERS, rows))
    print("\nBy data set and stratum (the store linker):\n")
    strata = sorted({(p.data, p.stratum) for p in pairs})
    by_stratum = [
        score(subset, ours).row(f"{data} {stratum}")
        for data, stratum in strata
        if (subset := [p for p in pairs if (p.data, p.stratum) == (data, stratum)])
    ]
    by_stratum += [score([p for p in pairs if p.data == d], ours).row(f"{d} (all)") for d in ("dev", "bbc")]
    print(markdown_table(HEADERS, by_stratum))
    wrong = [p for p in pairs if ours[p] and not p.same]
    missed = [p for p in pairs if ours[p] is False and p.same]
    missing = [p for p in pairs if ours[p] is None]
    for title, chosen in (("Merged wrongly", wrong), ("Missed", missed), ("Rows not found", missing)):
        if chosen:
            print(
                f"\n{title}: "
                + "; ".join(f"{p.a.name} ({p.a.article}) ~ {p.b.name} ({p.b.article})" for p in chosen)
            )
    print("\nStores and linking cost (relink_all, all articles, from nothing):\n")
    print(
        markdown_table(
            ["store", "articles", "actors", "ms per article"],
            [
                [f"{s.data} on {s.backend}", s.articles, s.actors, f"{s.relink_ms:.2f}"]
                for s in stores.values()
            ],
        )
    )
    print(f"\nGold: {header.get('pairs')} pairs, {json.dumps(header.get('how', ''))[:90]}...")
    print(f"\n{environment()}\n\n    {command_line()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
