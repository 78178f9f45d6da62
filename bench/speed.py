"""How fast is a brief, next to the two things it is built from? And how fast does the CLI start?

Why this script exists: a brief is one spaCy entity pass plus our own cleaning, splitting, ranking,
actors and figures. The claim to check is that everything we add costs little next to the model
(target: a full brief takes at most 1.15x the time of the entity pass alone), that it is cheaper
than the usual extractive baseline (sumy's LexRank, which does far less), and that a cold
``python -m summarizer FILE`` answers in under 2 seconds.

How it measures, so the ratios mean something on a busy or throttled machine:

* The model is loaded once, and every timed code path runs on every article before timing starts.
* One article at a time: for each article, in turn, (a) the full brief (``Summarizer.brief``), (b)
  sumy LexRank alone (``rank(..., algorithm="lexrank")`` on the already prepared sentences) and (c)
  the entity pass alone (the loaded pipeline on the same prepared text, ``nlp(prepared.text)``), and
  then the steps of the brief outside the model one by one. The order of (a), (b), (c) rotates from
  article to article and round to round, so neither drift nor going first favours one. Each article
  is timed ``--rounds`` times and its median kept; the tables give the median over articles, and
  articles/second from the sum of the per-article medians (long articles weigh what they cost).
* Batched: ``Summarizer.brief_many`` against ``nlp.pipe`` over the same prepared texts, whole
  corpus per round, the two alternating; the median round is kept.
* Cold start: ``python -m summarizer`` on the bundled sample, a fresh interpreter each run (one run
  first, not counted, warms the operating system's file cache); the median wall time is kept.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from common import (
    CNNDM,
    CNNDM_HELP,
    REPO_ROOT,
    command_line,
    data_path,
    display_path,
    environment,
    existing_file,
    load_articles,
    markdown_table,
    verdict,
)

from config import SummarizerSettings
from summarizer import Summarizer
from summarizer.actors import extract_actors
from summarizer.figures import extract_figures
from summarizer.mentions import read_doc
from summarizer.nlp import DEFAULT_MODEL, load_model
from summarizer.pipeline import MAX_MODEL_CHARS, Prepared, prepare
from summarizer.ranking import rank

SAMPLE = REPO_ROOT / "bot" / "samples" / "iraqi-militias-aleppo.txt"
FULL_TARGET = 1.15  # a brief may cost at most this many entity passes
COLD_TARGET = 2.0  # seconds

BRIEF, LEXRANK, ENTITIES = "brief", "lexrank", "entities"
CLEAN, RANKING, READ_DOC, ACTORS_FIGURES = "clean", "ranking", "read_doc", "actors_figures"
STEPS = {
    CLEAN: "cleaning + sentence splitting (`prepare`)",
    RANKING: "ranking (`rank`, news)",
    READ_DOC: "copying tokens and entities out of the Doc (`read_doc`)",
    ACTORS_FIGURES: "actors + figures",
}

Samples = dict[str, list[list[float]]]  # method -> article -> milliseconds, one per round


@dataclass(frozen=True, slots=True)
class Item:
    """An article and what ``prepare`` made of it."""

    text: str
    prepared: Prepared
    sentences: tuple[str, ...]


def timed(task: Callable[[], Any]) -> tuple[float, Any]:
    """Milliseconds ``task`` took, and what it returned."""
    started = time.perf_counter()
    result = task()
    return 1000 * (time.perf_counter() - started), result


def load_items(path: Path, limit: int | None) -> list[Item]:
    items = []
    for article in load_articles(path, limit):
        prepared = prepare(article.text)  # the dev set has no empty article
        items.append(Item(article.text, prepared, tuple(s.text for s in prepared.sentences)))
    return items


def model_text(item: Item) -> str:
    """Exactly the text ``Summarizer.brief`` gives the model."""
    return item.prepared.text[:MAX_MODEL_CHARS]


def warm_up(items: Sequence[Item], summarizer: Summarizer, nlp: Any, settings: SummarizerSettings) -> None:
    """Run every timed code path on every article once, so no timed call pays a first-use cost.

    ``brief_many`` runs the model, ``prepare`` and the assembly on every article, which fills the
    vocabulary the single-article ``brief`` and ``nlp`` calls then find.
    """
    list(summarizer.brief_many((item.text for item in items), batch_size=16))
    list(nlp.pipe((model_text(item) for item in items), batch_size=16))
    for item in items:
        rank(item.sentences, algorithm="lexrank", count=settings.sentences)


def steps_outside_model(item: Item, doc: Any, settings: SummarizerSettings, samples: Samples, i: int) -> None:
    """Time what ``Summarizer._assemble`` and ``prepare`` do around the model, step by step."""
    ms, _ = timed(partial(prepare, item.text))
    samples[CLEAN][i].append(ms)
    ms, chosen = timed(partial(rank, item.sentences, algorithm=settings.algorithm, count=settings.sentences))
    samples[RANKING][i].append(ms)
    spans = item.prepared.sentences
    starts = [span.start for span in spans]
    bounds = [(span.start, span.end) for span in spans]
    ms, (tokens, entities) = timed(partial(read_doc, doc, starts, item.prepared.body_start))
    samples[READ_DOC][i].append(ms)

    def actors_and_figures() -> None:
        extract_actors(entities, tokens, summary=chosen, limit=settings.actors)
        extract_figures(
            entities,
            tokens,
            item.sentences,
            bounds,
            item.prepared.text,
            limit=settings.figures,
        )

    ms, _ = timed(actors_and_figures)
    samples[ACTORS_FIGURES][i].append(ms)


def one_at_a_time(
    items: Sequence[Item], summarizer: Summarizer, nlp: Any, settings: SummarizerSettings, rounds: int
) -> Samples:
    """Per-article timings of the brief, LexRank and the entity pass, interleaved and rotated."""
    samples: Samples = defaultdict(lambda: [[] for _ in items])
    for round_ in range(rounds):
        gc.collect()
        for i, item in enumerate(items):
            tasks: list[tuple[str, Callable[[], Any]]] = [
                (BRIEF, partial(summarizer.brief, item.text)),
                (LEXRANK, partial(rank, item.sentences, algorithm="lexrank", count=settings.sentences)),
                (ENTITIES, partial(nlp, model_text(item))),
            ]
            shift = (round_ + i) % len(tasks)
            doc = None
            for name, task in tasks[shift:] + tasks[:shift]:
                ms, result = timed(task)
                samples[name][i].append(ms)
                if name == ENTITIES:
                    doc = result
            steps_outside_model(item, doc, settings, samples, i)
    return samples


def batched(items: Sequence[Item], summarizer: Summarizer, nlp: Any, rounds: int, batch_size: int) -> Samples:
    """Whole-corpus timings of ``brief_many`` and ``nlp.pipe``, alternating which goes first."""
    texts = [item.text for item in items]
    model_texts = [model_text(item) for item in items]
    tasks = [
        (BRIEF, lambda: list(summarizer.brief_many(texts, batch_size=batch_size))),
        (ENTITIES, lambda: list(nlp.pipe(model_texts, batch_size=batch_size))),
    ]
    samples: Samples = defaultdict(lambda: [[]])
    for round_ in range(rounds):
        gc.collect()
        for name, task in tasks if round_ % 2 == 0 else tasks[::-1]:
            ms, _ = timed(task)
            samples[name][0].append(ms)
    return samples


def cold_start(sample: Path, runs: int) -> list[float]:
    """Wall seconds of ``python -m summarizer SAMPLE`` in a fresh interpreter, after one uncounted run."""
    command = [sys.executable, "-m", "summarizer", str(sample)]
    seconds = []
    for run in range(runs + 1):
        started = time.perf_counter()
        done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
        if run:
            seconds.append(elapsed)
    return seconds


def per_article(samples: Samples, name: str) -> list[float]:
    """Each article's median over the rounds."""
    return [statistics.median(times) for times in samples[name]]


def median_ms(samples: Samples, name: str) -> float:
    return statistics.median(per_article(samples, name))


def total_ms(samples: Samples, name: str) -> float:
    return sum(per_article(samples, name))


def single_table(samples: Samples, count: int) -> str:
    labels = {
        BRIEF: "full brief (`Summarizer.brief`)",
        LEXRANK: 'baseline: sumy LexRank alone (`rank(..., algorithm="lexrank")`)',
        ENTITIES: "baseline: spaCy entity pass alone (`nlp(prepared.text)`)",
    }
    entity_total = total_ms(samples, ENTITIES)
    rows = [
        [
            label,
            f"{median_ms(samples, name):.1f}",
            f"{1000 * count / total_ms(samples, name):.1f}",
            f"{total_ms(samples, name) / entity_total:.2f}x",
        ]
        for name, label in labels.items()
    ]
    return markdown_table(
        ["one article at a time", "median ms/article", "articles/s", "time vs entity pass"], rows
    )


def batch_table(samples: Samples, count: int, batch_size: int) -> str:
    labels = {
        BRIEF: f"full brief (`Summarizer.brief_many`, batch {batch_size})",
        ENTITIES: f"baseline: spaCy entity pass alone (`nlp.pipe`, batch {batch_size})",
    }
    entity = statistics.median(samples[ENTITIES][0])
    rows = []
    for name, label in labels.items():
        ms = statistics.median(samples[name][0])
        rows.append([label, f"{ms / count:.1f}", f"{1000 * count / ms:.1f}", f"{ms / entity:.2f}x"])
    return markdown_table(
        [f"{count} articles batched", "ms/article", "articles/s", "time vs entity pass"], rows
    )


def steps_table(samples: Samples) -> str:
    rows = [[label, f"{median_ms(samples, step):.2f}"] for step, label in STEPS.items()]
    outside = [sum(parts) for parts in zip(*(per_article(samples, step) for step in STEPS), strict=True)]
    rows.append(["**all of the above**", f"{statistics.median(outside):.2f}"])
    rows.append(["for scale: the entity pass (model)", f"{median_ms(samples, ENTITIES):.2f}"])
    extra = [b - e for b, e in zip(per_article(samples, BRIEF), per_article(samples, ENTITIES), strict=True)]
    rows.append(["for scale: full brief minus entity pass", f"{statistics.median(extra):.2f}"])
    return markdown_table(["where the non-model time goes", "median ms/article"], rows)


def cold_table(seconds: Sequence[float], sample: Path) -> str:
    row = [
        f"`python -m summarizer {display_path(sample)}`",
        f"{statistics.median(seconds):.2f}",
        f"{min(seconds):.2f}",
        f"{max(seconds):.2f}",
        str(len(seconds)),
    ]
    return markdown_table(["cold start", "median s", "min s", "max s", "runs"], [row])


def targets(single: Samples, batch: Samples, cold: Sequence[float] | None) -> list[str]:
    ratio = total_ms(single, BRIEF) / total_ms(single, ENTITIES)
    per = statistics.median(
        b / e for b, e in zip(per_article(single, BRIEF), per_article(single, ENTITIES), strict=True)
    )
    batch_ratio = statistics.median(batch[BRIEF][0]) / statistics.median(batch[ENTITIES][0])
    lines = [
        f"- {verdict(ratio <= FULL_TARGET)} full brief / entity pass <= {FULL_TARGET}, one at a time: "
        f"{ratio:.3f} (total time; median per-article ratio {per:.3f})",
        f"- {verdict(batch_ratio <= FULL_TARGET)} (check) batched full brief / batched entity pass <= "
        f"{FULL_TARGET}: {batch_ratio:.3f}",
    ]
    if cold:
        median = statistics.median(cold)
        lines.append(
            f"- {verdict(median < COLD_TARGET)} cold start < {COLD_TARGET:g} s: {median:.2f} s median"
        )
    return lines


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Time the full brief against sumy LexRank and the spaCy entity pass alone, interleaved "
        "per article; time a cold `python -m summarizer`. Prints Markdown tables for the README.",
    )
    parser.add_argument("--data", type=data_path, default=str(CNNDM), help=CNNDM_HELP)
    parser.add_argument("--limit", type=int, help="use only the first N articles (default all)")
    parser.add_argument("--rounds", type=int, default=3, help="times each article is timed (default 3)")
    parser.add_argument("--batch-size", type=int, default=16, help="nlp.pipe batch size (default 16)")
    parser.add_argument("--model", default=DEFAULT_MODEL, help=f"spaCy model (default {DEFAULT_MODEL})")
    parser.add_argument("--sample", type=existing_file, default=str(SAMPLE), help="file for the cold start")
    parser.add_argument("--cold-runs", type=int, default=5, help="cold starts timed, 0 to skip (default 5)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    items = load_items(args.data, args.limit)
    settings = SummarizerSettings(spacy_model=args.model)
    summarizer = Summarizer(settings=settings)
    nlp = load_model(args.model)
    warm_up(items, summarizer, nlp, settings)

    single = one_at_a_time(items, summarizer, nlp, settings, args.rounds)
    batch = batched(items, summarizer, nlp, args.rounds, args.batch_size)
    cold = cold_start(args.sample, args.cold_runs) if args.cold_runs > 0 else None

    count = len(items)
    print(f"## Speed: {count} articles of {display_path(args.data)}, {args.rounds} rounds, {args.model}\n")
    print(f"{environment()}\n")
    print(single_table(single, count), end="\n\n")
    print(batch_table(batch, count, args.batch_size), end="\n\n")
    print(steps_table(single), end="\n\n")
    if cold:
        print(cold_table(cold, args.sample), end="\n\n")
    print("Targets:")
    print("\n".join(targets(single, batch, cold)), end="\n\n")
    print(f"Command:\n\n    {command_line()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
