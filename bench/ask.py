"""How well does ``ask`` answer, against plain BM25 over every stored sentence, and how fast at scale?

Quality (both databases, the committed weights): the 2,225 BBC articles stored as the bot stores
them (``bench/ask_data.py``); the questions of ``../shared/data/ask_dev.jsonl`` (never fitted on) and
the even-numbered questions of ``bench/gold/ask_unanswerable.jsonl`` (never fitted on either).

* hit@1 / hit@3: the first / any of the first three cited sentences contains an answer string; a
  refused question is a miss. Answered: the share of answerable questions given any answer.
  Refused: the share of unanswerable questions answered "nothing stored answers".
* The baseline, in the same run: Okapi BM25 (rank-bm25's ``BM25Okapi``, untuned: k1 1.5, b 0.75)
  over every sentence of the same store, read from the store's own sentence table, lowercased word
  tokens; its three best distinct sentences. It always answers. (Stop-word removal and stemming
  made it worse here: 46 and 45 of 134 at hit@1 against 53.)

Speed (``--scale N``): N generated articles (``bench/store_scale.py``'s corpus, bulk-loaded with their
sentences, no briefs) on both databases; every question timed through ``ask()``, and ``search()`` on
the same store for bench/store_scale.py's 200 search queries (single words and pairs of random
articles, a tenth with ``since:30d``), both after a warm-up pass; p50 and p95 in ms, and the ratio of
the p95s (target: at most 2). ``search()`` for each question's own content words is shown beside.

    .venv/bin/python bench/ask.py                       # quality, both databases (~5 min)
    .venv/bin/python bench/ask.py --backends sqlite     # no PostgreSQL server
    .venv/bin/python bench/ask.py --scale 100000        # speed at 100,000 articles (~30 min)
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from ask_data import DEFAULT_CACHE, UNANSWERABLE, AskQuestion, bbc_store, fit_part, load_questions
from common import (
    BBC,
    CNNDM,
    DATA_DIR,
    command_line,
    data_path,
    environment,
    markdown_table,
    percentile,
    verdict,
)
from databases import POSTGRES_URL, analyze, postgres_schema
from rank_bm25 import BM25Okapi
from sqlalchemy import text
from store_scale import Corpus, bulk_insert, load_bases, prepare_bulk, source_names, timed_ms, word_queries

from storage.ask import ask
from storage.db import open_database
from storage.feedstore import add_feed
from storage.query import SearchQuery, parse_query
from storage.question import parse_question
from storage.search import search
from storage.store import Store

ASK_DEV = DATA_DIR / "ask_dev.jsonl"
BACKENDS = ("sqlite", "postgresql")
_TOKEN = re.compile(r"\w+")


@dataclass(slots=True)
class Tally:
    answerable: int = 0
    hit1: int = 0
    hit3: int = 0
    answered: int = 0
    unanswerable: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    by_type: dict[str, list[int]] = field(default_factory=dict)  # type -> [questions, hit@1, hit@3]
    hedged: Counter[str] = field(default_factory=Counter)  # answered as unsure, by kind of question
    hedged_hits: int = 0  # of the answerable ones hedged, those whose first sentence holds the answer

    def add(self, question: AskQuestion, cited: Sequence[str], *, hedged: bool = False) -> None:
        self.hedged[question.kind] += hedged and bool(cited)
        if question.answerable:
            self.hedged_hits += hedged and bool(cited) and question.answered_by(cited[0])
            self.answerable += 1
            first = bool(cited) and question.answered_by(cited[0])
            any_three = any(question.answered_by(s) for s in cited[:3])
            self.hit1 += first
            self.hit3 += any_three
            self.answered += bool(cited)
            row = self.by_type.setdefault(question.type, [0, 0, 0])
            row[0] += 1
            row[1] += first
            row[2] += any_three
        else:
            self.unanswerable[question.kind] += 1
            self.refused[question.kind] += not cited

    def share(self, count: int) -> str:
        return f"{count / (self.answerable or 1):.1%} ({count}/{self.answerable})"

    def refusals(self, kind: str | None = None) -> str:
        kinds = [kind] if kind else list(self.unanswerable)
        refused = sum(self.refused[k] for k in kinds)
        total = sum(self.unanswerable[k] for k in kinds)
        return f"{refused / (total or 1):.1%} ({refused}/{total})"


def bm25_baseline(store: Store) -> Callable[[str], list[str]]:
    """Plain BM25 over every sentence the store holds: a question's three best distinct sentences."""
    with store.engine.connect() as connection:
        sentences = [
            row[0] for row in connection.execute(text("SELECT text FROM article_sentences ORDER BY id"))
        ]
    model = BM25Okapi([_TOKEN.findall(s.lower()) for s in sentences])

    def answer(question: str) -> list[str]:
        scores = model.get_scores(_TOKEN.findall(question.lower()))
        cited: list[str] = []
        for i in np.argsort(-scores, kind="stable")[:20]:
            if sentences[i] not in cited:
                cited.append(sentences[i])
            if len(cited) == 3:
                break
        return cited

    return answer


def quality(backend: str, args: argparse.Namespace, questions: Sequence[AskQuestion]) -> tuple[Tally, Tally]:
    print(f"{backend}: storing the BBC articles...", file=sys.stderr)
    with bbc_store(backend, args.bbc, args.cache, postgres_url=args.postgres_url) as bbc:
        print(f"{backend}: asking {len(questions)} questions...", file=sys.stderr)
        ours, baseline = Tally(), Tally()
        plain = bm25_baseline(bbc.store)
        for question in questions:
            answer = ask(bbc.store, question.question)
            ours.add(question, [c.sentence for c in answer.citations], hedged=answer.hedged)
            baseline.add(question, plain(question.question))
    return ours, baseline


def quality_tables(results: dict[str, tuple[Tally, Tally]]) -> str:
    headers = ["database", "method", "hit@1", "hit@3", "answered", "refused: all", "absent", "off store"]
    rows = []
    for backend, (ours, baseline) in results.items():
        for name, tally in (("`ask`", ours), ("BM25 over sentences", baseline)):
            rows.append(
                [
                    backend,
                    name,
                    tally.share(tally.hit1),
                    tally.share(tally.hit3),
                    f"{tally.answered / (tally.answerable or 1):.1%}",
                    tally.refusals(),
                    tally.refusals("absent"),
                    tally.refusals("off_store"),
                ]
            )
    out = [markdown_table(headers, rows, "llrrrrrr")]
    ours, baseline = next(iter(results.values()))
    type_rows = [
        [
            kind,
            n,
            f"{h1}/{n}",
            f"{h3}/{n}",
            f"{baseline.by_type[kind][1]}/{n}",
            f"{baseline.by_type[kind][2]}/{n}",
        ]
        for kind, (n, h1, h3) in sorted(ours.by_type.items())
    ]
    out.append(
        "\nAnswers said to be unsure (`ask` only; a refusal or an unsure answer tells the asker to doubt):\n"
    )
    unsure_rows = []
    for backend, (ours, _) in results.items():
        unanswerable = sum(ours.unanswerable.values()) or 1
        answered_wrongly = unanswerable - sum(ours.refused.values())
        hedged_none = sum(ours.hedged[k] for k in ours.unanswerable)
        unsure_rows.append(
            [
                backend,
                f"{ours.hedged['answerable']}/{ours.answered} ({ours.hedged_hits} of them right at 1)",
                f"{hedged_none}/{answered_wrongly}",
                f"{(sum(ours.refused.values()) + hedged_none) / unanswerable:.1%}",
            ]
        )
    out.append(
        markdown_table(
            [
                "database",
                "answerable answered: unsure",
                "unanswerable answered: unsure",
                "unanswerable refused or unsure",
            ],
            unsure_rows,
            "lrrr",
        )
    )
    out.append("\nBy question type (first database):\n")
    out.append(
        markdown_table(["type", "questions", "ask hit@1", "ask hit@3", "BM25 hit@1", "BM25 hit@3"], type_rows)
    )
    return "\n".join(out)


def targets(results: dict[str, tuple[Tally, Tally]]) -> list[str]:
    lines = []
    for backend, (ours, baseline) in results.items():
        n = ours.answerable or 1
        gain1 = 100 * (ours.hit1 - baseline.hit1) / n
        gain3 = 100 * (ours.hit3 - baseline.hit3) / n
        answered = ours.answered / n
        refused = sum(ours.refused.values()) / (sum(ours.unanswerable.values()) or 1)
        lines += [
            f"- {backend}: hit@1 {gain1:+.1f} points over BM25 (target +10): {verdict(gain1 >= 10)}",
            f"- {backend}: hit@3 {gain3:+.1f} points over BM25 (target +5): {verdict(gain3 >= 5)}",
            f"- {backend}: answered {answered:.1%} of answerable (target 95%): {verdict(answered >= 0.95)}",
            f"- {backend}: refused {refused:.1%} of unanswerable (target 80%): {verdict(refused >= 0.8)}",
        ]
    return lines


# -- speed at scale ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Latency:
    backend: str
    articles: int
    sentences: int
    ask_ms: tuple[float, ...]
    search_ms: tuple[float, ...]
    worded_ms: tuple[float, ...]


def scale_backend(
    backend: str, url: str, corpus: Corpus, bulk: Path, questions: Sequence[AskQuestion]
) -> Latency:
    engine, sessions = open_database(url)
    try:
        store = Store(engine=engine, sessions=sessions)
        source_ids = [add_feed(store, f"https://www.{name}.example/rss").id for name in corpus.sources]
        print(f"{backend}: loading {corpus.count:,} articles and their sentences...", file=sys.stderr)
        bulk_insert(engine, bulk, source_ids)
        if backend == "postgresql":
            analyze(engine)
        with engine.connect() as connection:
            sentences = int(connection.execute(text("SELECT count(*) FROM article_sentences")).scalar_one())
        # search() as bench/store_scale.py times it (words and pairs of random articles, a tenth with
        # since:30d), and search() for each question's own words, as a user might search instead.
        searches = [parse_query(q.text) for q in word_queries(corpus, 200, 7)]
        worded = [SearchQuery(terms=parse_question(q.question).surface) for q in questions]
        print(f"{backend}: timing {len(questions)} questions...", file=sys.stderr)
        for q in questions:  # warm-up: caches, plans
            ask(store, q.question)
        for query in (*searches, *worded):
            search(store, query)
        ask_ms = tuple(timed_ms(lambda q=q: ask(store, q.question))[0] for q in questions)
        search_ms = tuple(timed_ms(lambda s=s: search(store, s))[0] for s in searches)
        worded_ms = tuple(timed_ms(lambda s=s: search(store, s))[0] for s in worded)
        return Latency(backend, store.count(), sentences, ask_ms, search_ms, worded_ms)
    finally:
        engine.dispose()


def scale_table(latencies: Sequence[Latency]) -> str:
    rows = []
    for lat in latencies:
        ask95, search95 = percentile(lat.ask_ms, 95), percentile(lat.search_ms, 95)
        rows.append(
            [
                lat.backend,
                f"{lat.articles:,}",
                f"{lat.sentences:,}",
                f"{percentile(lat.ask_ms, 50):.1f} / {ask95:.1f}",
                f"{percentile(lat.search_ms, 50):.1f} / {search95:.1f}",
                f"{ask95 / search95:.2f}x",
                verdict(ask95 <= 2 * search95),
                f"{percentile(lat.worded_ms, 50):.1f} / {percentile(lat.worded_ms, 95):.1f}",
            ]
        )
    headers = [
        "database",
        "articles",
        "sentences",
        "ask p50 / p95 ms",
        "search p50 / p95 ms",
        "p95 ratio",
        "≤ 2x",
        "search, the question's words",
    ]
    return markdown_table(headers, rows, "lrrrrrlr")


def run_scale(args: argparse.Namespace, questions: Sequence[AskQuestion]) -> None:
    corpus = Corpus(
        load_bases(args.bbc, args.cnndm),
        args.scale,
        7,
        datetime(2026, 11, 1, tzinfo=UTC),
        730,
        source_names(40),
    )
    latencies = []
    with tempfile.TemporaryDirectory(prefix="briefbot-ask-") as folder:
        bulk = Path(folder) / "bulk.pickle"
        print(f"preparing {args.scale:,} articles...", file=sys.stderr)
        prepare_bulk(corpus, 0, args.scale, bulk, 2, 1000)
        for backend in args.backends:
            if backend == "sqlite":
                latencies.append(
                    scale_backend(backend, f"sqlite:///{folder}/ask.db", corpus, bulk, questions)
                )
            else:
                with postgres_schema(args.postgres_url) as url:
                    latencies.append(scale_backend(backend, url, corpus, bulk, questions))
    print(f"### `ask` at scale ({args.scale:,} articles)\n")
    print(scale_table(latencies))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bbc", type=data_path, default=str(BBC))
    parser.add_argument("--cnndm", type=data_path, default=str(CNNDM))
    parser.add_argument("--dev", type=data_path, default=str(ASK_DEV))
    parser.add_argument(
        "--cache", type=Path, default=DEFAULT_CACHE, help=f"briefs kept here ({DEFAULT_CACHE})"
    )
    parser.add_argument("--backends", type=lambda v: tuple(v.split(",")), default=BACKENDS)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--scale", type=int, default=0, help="time ask and search at this many articles")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    unknown = set(args.backends) - set(BACKENDS)
    if unknown:
        raise SystemExit(
            f"--backends: unknown {', '.join(sorted(unknown))} (choose from {', '.join(BACKENDS)})"
        )
    questions = load_questions(args.dev) + [q for q in load_questions(UNANSWERABLE) if not fit_part(q)]
    print(f"`{command_line()}`\n\n{environment()}, SQLite {sqlite3.sqlite_version}\n")
    if args.scale:
        run_scale(args, questions)
        return 0
    results = {backend: quality(backend, args, questions) for backend in args.backends}
    print("### `ask` against BM25 over sentences (BBC articles stored; unseen questions)\n")
    print(quality_tables(results))
    print()
    print("\n".join(targets(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
