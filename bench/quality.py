"""How good are the briefs? ROUGE of the summary, and recall of the highlights' actors and figures.

Why this script exists: the default ranker (``news``) is a sentence scorer fitted on data
(``bench/fit_summary.py``), and a brief also promises key actors and key figures. This script puts
numbers on all three claims in one run, against baselines anyone can reproduce:

* Summary: ROUGE-1/2/Lsum F1 x100 (``rouge-score``, ``use_stemmer=True``; Lsum with sentences
  joined by newlines) of 3-sentence summaries against the human highlights, for ``news``, LEAD-3
  (the first three sentences of the same cleaned and split text) and sumy's LexRank, TextRank,
  Luhn and LSA (run through sumy itself by ``summarizer.ranking.rank``). All use the same
  ``prepare()`` output, so only the choice of sentences differs, and no model is needed. The
  committed news weights saw every dev article, so news is also scored cross-validated: each of the
  5 dev folds by weights refitted without it (``bench/fit_summary.py``, same settings), and on the
  BBC News Summary "report" part (never fitted on) against its reference summaries, LEAD-3 beside it.
  Targets: news >= every sumy algorithm + 3 ROUGE-1 points; cross-validated news >= LEAD-3 + 0.5 on
  ROUGE-1 and on ROUGE-2, on the dev folds and on the BBC report part.

* Key actors: the people, organisations, places and groups (spaCy PERSON, ORG, GPE, LOC, NORP) that
  the same spaCy model finds in the joined highlights, deduplicated per article. A highlight
  entity counts as found when, after ``summarizer.actors.normalize_name`` and lowercasing, its
  words equal the last words of a candidate name, comparing words without an Arabic article
  prefix (al-, el-, ...). So "Assad" is found by "Bashar al-Assad" and "Journal" by "Wall Street
  Journal", but "US" is found neither by "United States" nor by "U.S.". The brief's candidates
  are its top-5 actors, each by name and every alias; the baseline's are the 5 most frequent raw
  entity strings of those labels in the article (ties: first seen first), normalised the same way.
  Recall is micro: found / total over all articles.

* Key figures: the numbers written in the highlights, read by one regex: digits with optional
  thousands commas and decimals ("1,000", "3.5", "12%" -> 12), times a scale word that follows
  ("3.5 billion" -> 3.5e9; "m"/"bn"/"k" count as scales only glued to a currency sign, "$3m"), and
  with ``--number-words`` also "five", "twenty-one", "a dozen" (off by default: "one" is more often
  a pronoun than a figure). Each article's numbers are deduplicated by value. A highlight number
  counts as found when its value equals (to 1e-9) a candidate value: the brief's top-5 figures give
  each their ``value`` and every number the same regex reads in their text (scaled and unscaled);
  the baseline gives the first 5 distinct numbers of the article, scaled and unscaled. Years
  (1900-2099 written as four bare digits) are reported with and without. The committed figure
  weights saw every dev article, so the figures are also ranked cross-validated: each dev fold by
  the weights fitted without it (bench/fit_figures.py keeps them in the weights file's meta).
  Target: cross-validated figures >= the first five numbers + 5 recall points.

The briefs come from ``Summarizer.brief_many`` with ``actors`` and ``figures`` set to ``--top``. The
script also checks that the briefs' summaries are the ``news`` summaries scored for ROUGE.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fit_actors
import fit_summary
from common import (
    BBC,
    CNNDM,
    CNNDM_HELP,
    Article,
    command_line,
    data_path,
    display_path,
    environment,
    load_articles,
    markdown_table,
    verdict,
)
from fitting import fold_of, load_bbc
from measures import (
    LABEL_ROWS,
    Recall,
    actor_recall,
    figure_recall,
    gold_entities,
    highlight_text,
    percent,
)
from rouge_score import rouge_scorer

from config import SummarizerSettings
from summarizer import Brief, EmptyText, Summarizer
from summarizer.figures import WEIGHTS as FIGURE_WEIGHTS
from summarizer.figures import extract_figures
from summarizer.mentions import read_doc
from summarizer.nlp import DEFAULT_MODEL, load_model
from summarizer.pipeline import MAX_MODEL_CHARS, Prepared, prepare
from summarizer.ranking import rank
from summarizer.weights import LinearModel
from summarizer.weights import load as load_weights

SUMY_ALGORITHMS = ("lexrank", "textrank", "luhn", "lsa")
ALGORITHMS = ("news", "lead", *SUMY_ALGORITHMS)
NAMES = {
    "news": "news (ours, default)",
    "lead": "LEAD-3",
    "lexrank": "sumy LexRank",
    "textrank": "sumy TextRank",
    "luhn": "sumy Luhn",
    "lsa": "sumy LSA",
}
METRICS = ("rouge1", "rouge2", "rougeLsum")
SUMY_MARGIN = 3.0  # ROUGE-1 points news must lead every sumy algorithm by
LEAD_MARGIN = 0.5  # ROUGE-1 and ROUGE-2 points cross-validated news must lead LEAD-3 by
LSA_NOTE = (
    "sumy's LSA numbers its words in frozenset order, i.e. by string hash, so its scores move by about "
    "0.1 from run to run unless PYTHONHASHSEED is fixed; the other rows do not move"
)


# --------------------------------------------------------------------------------------------- ROUGE


Scores = tuple[float, float, float]  # ROUGE-1, ROUGE-2, ROUGE-Lsum F1 x100


def prepare_all(articles: Sequence[Article]) -> list[Prepared | None]:
    """Each article cleaned and split, or None when nothing is left of it."""
    prepared: list[Prepared | None] = []
    for article in articles:
        try:
            prepared.append(prepare(article.text))
        except EmptyText:
            prepared.append(None)
    return prepared


def summarize(prepared: Prepared | None, algorithm: str, count: int) -> list[str]:
    """The summary sentences ``algorithm`` picks, in article order (none for an empty article)."""
    if prepared is None:
        return []
    sentences = [span.text for span in prepared.sentences]
    return [sentences[i] for i in rank(sentences, algorithm=algorithm, count=count, title=prepared.title)]


def score_all(
    articles: Sequence[Article], prepared: Sequence[Prepared | None], algorithms: Sequence[str], count: int
) -> tuple[dict[str, list[Scores]], dict[str, float]]:
    """Per-article ROUGE for each algorithm, and the seconds each algorithm spent ranking."""
    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    scores: dict[str, list[Scores]] = {algorithm: [] for algorithm in algorithms}
    seconds = dict.fromkeys(algorithms, 0.0)
    for article, ready in zip(articles, prepared, strict=True):
        reference = "\n".join(article.highlights)
        for algorithm in algorithms:
            started = time.perf_counter()
            summary = summarize(ready, algorithm, count)
            seconds[algorithm] += time.perf_counter() - started
            result = scorer.score(reference, "\n".join(summary))
            r1, r2, rl = (100 * result[metric].fmeasure for metric in METRICS)
            scores[algorithm].append((r1, r2, rl))
    return scores, seconds


def mean_scores(per_article: Sequence[Scores], indices: Iterable[int] | None = None) -> Scores:
    chosen = list(per_article) if indices is None else [per_article[i] for i in indices]
    r1, r2, rl = (statistics.fmean(s[k] for s in chosen) for k in range(3))
    return r1, r2, rl


def rouge_table(scores: dict[str, list[Scores]]) -> str:
    news = mean_scores(scores["news"])[0]
    rows = []
    for algorithm, per_article in scores.items():
        r1, r2, rl = mean_scores(per_article)
        delta = "" if algorithm == "news" else f"{r1 - news:+.2f}"
        rows.append([NAMES[algorithm], f"{r1:.2f}", f"{r2:.2f}", f"{rl:.2f}", delta])
    return markdown_table(
        ["summarizer (3 sentences)", "ROUGE-1", "ROUGE-2", "ROUGE-Lsum", "R-1 vs news"], rows
    )


def cross_validation(data: Path, bbc: Path) -> fit_summary.Report:
    """news per dev fold by weights refitted without it; the BBC report part by the committed weights."""
    committed = load_weights(fit_summary.NAME)
    dev, bbc_docs = fit_summary.dev_docs(data), fit_summary.bbc_docs(bbc)
    return fit_summary.evaluate(dev, bbc_docs, fit_summary.settings_of(committed), committed)


def rouge_targets(scores: dict[str, list[Scores]], report: fit_summary.Report) -> list[str]:
    news = mean_scores(scores["news"])[0]
    lines = []
    sumy = {a: mean_scores(scores[a])[0] for a in SUMY_ALGORITHMS if a in scores}
    if sumy:
        best = max(sumy, key=lambda a: sumy[a])
        lines.append(
            f"- {verdict(news >= sumy[best] + SUMY_MARGIN)} news >= every sumy algorithm + {SUMY_MARGIN:g} "
            f"ROUGE-1: news {news:.2f}, best sumy ({NAMES[best]}) {sumy[best]:.2f}, "
            f"margin {news - sumy[best]:+.2f}"
        )
    for where, (ours, lead) in (("dev folds, cross-validated", report.dev), ("BBC report part", report.bbc)):
        for k, metric in ((0, "ROUGE-1"), (1, "ROUGE-2")):
            lines.append(
                f"- {verdict(ours[k] >= lead[k] + LEAD_MARGIN)} news >= LEAD-3 + {LEAD_MARGIN:g} {metric} "
                f"on the {where}: {ours[k]:.2f} vs {lead[k]:.2f} ({ours[k] - lead[k]:+.2f})"
            )
    recorded = load_weights(fit_summary.NAME).meta.get("dev_in_sample", {})
    in_sample = mean_scores(scores["news"])
    same = all(abs(recorded.get(m, -1.0) - v) < 0.01 for m, v in zip(METRICS, in_sample, strict=True))
    lines.append(
        f"- {verdict(same)} (check) the news row is what bench/fit_summary.py recorded in the weights file: "
        + " / ".join(f"{recorded.get(m, float('nan')):.2f}" for m in METRICS)
    )
    return lines


# ------------------------------------------------------------------------------------------ actors


ACTOR_MARGIN = 10.0  # recall points the cross-validated actors must lead the five most frequent by
KIND_TARGET = 0.95  # share of a brief's actors naming a highlight entity whose kind must agree


@dataclass(frozen=True, slots=True)
class ActorChecks:
    """The cross-validated top-5 recall per row, kind agreement and merge scores (bench/fit_actors.py)."""

    folds: dict[str, list[int]]
    per_fold: list[list[int]]
    kinds: tuple[int, int]
    kinds_checked: str
    merges: dict[str, list[int]]
    merge_line: str


def actor_checks(
    prepared: Sequence[Prepared | None],
    highlight_docs: Sequence[Any],
    article_docs: Sequence[Any | None],
    briefs: Sequence[Brief | None],
) -> ActorChecks:
    """Each article's actors ranked by weights fitted without its fold, the kinds and the merges."""
    reads: list[fit_actors.Read | None] = []
    for ready, doc, brief in zip(prepared, article_docs, briefs, strict=True):
        if ready is None or doc is None or brief is None:
            reads.append(None)
            continue
        tokens, entities = read_doc(doc, [span.start for span in ready.sentences], ready.body_start)
        reads.append(fit_actors.Read(tokens, entities, brief.summary_index))
    golds = [gold_entities(doc) for doc in highlight_docs]
    empty = fit_actors.Read([], [], ())
    rows = [fit_actors.rows_of(read or empty, gold) for read, gold in zip(reads, golds, strict=True)]
    tops = fit_actors.cross_validate(rows)
    per_fold = [fit_actors.pooled(rows, tops, k).get("all", [0, 0]) for k in range(fit_actors.FOLDS)]
    merges = fit_actors.merge_halves(reads)
    kinds = fit_actors.kind_agreement(reads, golds)
    checked = fit_actors.checked_kinds_text(fit_actors.checked_kind_agreement(reads, golds))
    return ActorChecks(
        fit_actors.pooled(rows, tops), per_fold, kinds, checked, merges, fit_actors.merges_text(merges)
    )


def actor_table(committed: Recall, checks: ActorChecks, top: int) -> str:
    body = []
    for row in ("all", *(row for row, _ in LABEL_ROWS)):
        n = committed.total[row]
        found = checks.folds.get(row, [0, 0])[0]
        body.append(
            [row, n, percent(committed.ours[row], n), percent(found, n), percent(committed.baseline[row], n)]
        )
    headers = ["highlight entities", "n", f"brief top-{top} (committed weights)",
               f"brief top-{top} (fold weights, CV)", f"top-{top} frequent entities"]  # fmt: skip
    return markdown_table(headers, body)


def actor_targets(committed: Recall, checks: ActorChecks) -> list[str]:
    n = committed.total["all"]
    ours, frequent = 100 * checks.folds["all"][0] / n, 100 * committed.baseline["all"] / n
    folds = ", ".join(percent(found, total) for found, total in checks.per_fold)
    agree, total = checks.kinds
    return [
        f"- {verdict(ours >= frequent + ACTOR_MARGIN)} cross-validated actors >= five most frequent + "
        f"{ACTOR_MARGIN:g} points: {ours:.1f}% vs {frequent:.1f}%, margin {ours - frequent:+.1f} "
        f"(folds: {folds})",
        f"- {verdict(agree >= KIND_TARGET * total)} kinds agree with the highlights' labels on {agree} of "
        f"{total} ({100 * agree / max(total, 1):.1f}%) of the brief's 10 actors that name a highlight "
        f"entity (target {100 * KIND_TARGET:g}%; 242 of 270 before kinds were checked)",
        f"- (check) the same actors' kinds against the hand-checked kinds of bench/gold/kinds_dev.tsv "
        f"(the highlights' labels are the model's guesses): {checks.kinds_checked}",
        f"- (check) merges on the hand-made pairs of bench/gold/merges_dev.tsv: {checks.merge_line}",
    ]


# ----------------------------------------------------------------------------------------- figures


FIGURE_MARGIN = 5.0  # recall points the cross-validated figures must lead the first five numbers by


def fold_figure_models() -> list[LinearModel]:
    """The figure weights fitted without each dev fold, kept by bench/fit_figures.py in the committed
    file's meta, so every article's figures can be ranked by weights that never saw it."""
    return [LinearModel.from_dict(fold) for fold in load_weights(FIGURE_WEIGHTS).meta["folds"]]


def cross_validated_briefs(
    prepared: Sequence[Prepared | None],
    article_docs: Sequence[Any | None],
    briefs: Sequence[Brief | None],
    top: int,
) -> list[Brief | None]:
    """Each brief with its figures re-ranked by the weights of its fold (``fitting.fold_of``)."""
    models = fold_figure_models()
    ranked: list[Brief | None] = []
    for i, (ready, doc, brief) in enumerate(zip(prepared, article_docs, briefs, strict=True)):
        if ready is None or doc is None or brief is None:
            ranked.append(None)
            continue
        sentences = [span.text for span in ready.sentences]
        bounds = [(span.start, span.end) for span in ready.sentences]
        tokens, entities = read_doc(doc, [span.start for span in ready.sentences], ready.body_start)
        figures = extract_figures(
            entities, tokens, sentences, bounds, ready.text,
            limit=top, model=models[fold_of(i)],
        )  # fmt: skip
        ranked.append(Brief(title=brief.title, summary=brief.summary, figures=tuple(figures)))
    return ranked


def figure_table(committed: Recall, folds: Recall, top: int) -> str:
    body = []
    for row in ("all numbers", "excluding years"):
        n = committed.total[row]
        body.append([row, n, percent(committed.ours[row], n), percent(folds.ours[row], n),
                     percent(committed.baseline[row], n)])  # fmt: skip
    headers = ["highlight numbers", "n", f"brief top-{top} (committed weights)",
               f"brief top-{top} (fold weights, CV)", f"first {top} numbers"]  # fmt: skip
    return markdown_table(headers, body)


def figure_target(folds: Recall) -> str:
    n = folds.total["all numbers"]
    ours, first = 100 * folds.ours["all numbers"] / n, 100 * folds.baseline["all numbers"] / n
    return (
        f"- {verdict(ours >= first + FIGURE_MARGIN)} cross-validated figures >= first five numbers + "
        f"{FIGURE_MARGIN:g} points: {ours:.1f}% vs {first:.1f}%, margin {ours - first:+.1f}"
    )


# ------------------------------------------------------------------------------------------- main


def make_briefs(
    articles: Sequence[Article], settings: SummarizerSettings, batch_size: int
) -> list[Brief | None]:
    summarizer = Summarizer(settings=settings)
    results = summarizer.brief_many((a.text for a in articles), batch_size=batch_size)
    return [None if isinstance(result, EmptyText) else result for result in results]


def entity_docs(
    nlp: Any, articles: Sequence[Article], prepared: Sequence[Prepared | None], batch_size: int
) -> tuple[list[Any], list[Any | None]]:
    """The model run on the highlights, and on the same article text the brief reads."""
    highlights = list(nlp.pipe((highlight_text(a) for a in articles), batch_size=batch_size))
    ready = [p for p in prepared if p is not None]
    docs = iter(nlp.pipe((p.text[:MAX_MODEL_CHARS] for p in ready), batch_size=batch_size))
    return highlights, [next(docs) if p is not None else None for p in prepared]


def summary_mismatches(
    prepared: Sequence[Prepared | None], briefs: Sequence[Brief | None], count: int
) -> list[int]:
    """Articles whose brief summary is not the ``news`` summary scored above (should be none)."""
    return [
        i
        for i, (ready, brief) in enumerate(zip(prepared, briefs, strict=True))
        if brief is not None and list(brief.summary) != summarize(ready, "news", count)
    ]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="ROUGE of news vs LEAD-3 vs sumy, and key-actor / key-figure recall against the "
        "CNN/DailyMail highlights. Prints Markdown tables for the README.",
    )
    parser.add_argument("--data", type=data_path, default=str(CNNDM), help=CNNDM_HELP)
    parser.add_argument("--sentences", type=int, default=3, help="summary sentences (default 3)")
    parser.add_argument(
        "--bbc", type=data_path, default=str(BBC), help="BBC News Summary JSONL (default: ../shared/data/)"
    )
    parser.add_argument("--top", type=int, default=5, help="actors and figures compared (default 5)")
    parser.add_argument("--model", default=DEFAULT_MODEL, help=f"spaCy model (default {DEFAULT_MODEL})")
    parser.add_argument("--batch-size", type=int, default=16, help="nlp.pipe batch size (default 16)")
    parser.add_argument(
        "--number-words", action="store_true", help='also read "five", "a dozen" as numbers (off by default)'
    )
    parser.add_argument(
        "--rouge-only", action="store_true", help="skip the actor and figure recall (no model)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    articles = load_articles(args.data)
    prepared = prepare_all(articles)
    print(f"## Summary quality: {len(articles)} articles of {display_path(args.data)}\n")
    print(f"{environment()}\n")
    scores, seconds = score_all(articles, prepared, ALGORITHMS, args.sentences)
    empty = sum(p is None for p in prepared)
    print(
        f"ROUGE F1 x100 against the human highlights (rouge-score, stemmer on, Lsum over newline-joined "
        f"sentences), {args.sentences}-sentence summaries"
        + (f"; {empty} articles had no text and score 0" if empty else "")
        + ":\n"
    )
    print(rouge_table(scores), end="\n\n")
    print(f"{LSA_NOTE} (PYTHONHASHSEED={os.environ.get('PYTHONHASHSEED', 'unset')})\n")
    report = cross_validation(args.data, args.bbc)
    print(
        f"news cross-validated against LEAD-3 on the {fit_summary.FOLDS} dev folds (article i is in fold "
        f"i mod {fit_summary.FOLDS}; each fold summarised by weights fitted on the other folds and the BBC "
        "fit part, with the committed weights' settings):\n"
    )
    print(fit_summary.fold_table(report), end="\n\n")
    print(
        f"BBC News Summary, report part (every 5th article, never fitted on; {display_path(args.bbc)}): "
        "3-sentence summaries against the reference summaries, committed weights:\n"
    )
    print(fit_summary.bbc_table(report), end="\n\n")
    print("Targets:")
    print("\n".join(rouge_targets(scores, report)), end="\n\n")
    ranking = ", ".join(f"{a} {1000 * s / len(articles):.1f}" for a, s in seconds.items())
    print(f"Ranking time, ms/article: {ranking}\n")

    if not args.rouge_only:
        report_recall(args, articles, prepared)
        report_bbc_recall(args)
    print(f"Command:\n\n    {command_line()}")
    return 0


def report_recall(
    args: argparse.Namespace, articles: Sequence[Article], prepared: Sequence[Prepared | None]
) -> None:
    """Brief every article, run the model on the highlights and articles, print both recall tables."""
    settings = SummarizerSettings(
        spacy_model=args.model, algorithm="news", sentences=args.sentences, actors=args.top, figures=args.top
    )
    briefs = make_briefs(articles, settings, args.batch_size)
    highlight_docs, article_docs = entity_docs(load_model(args.model), articles, prepared, args.batch_size)
    top = args.top
    print(f"## Key actors and figures: recall of what the highlights name ({args.model})\n")

    actors = actor_recall(highlight_docs, article_docs, briefs, top)
    print(
        "Highlight entities (PERSON, ORG, GPE, LOC, NORP; distinct per article) found among "
        f"the brief's top-{top} actors (names and aliases) vs the {top} most frequent entity strings "
        "of the article; found = equal to a candidate name or to its last words (micro recall). The "
        "committed weights were fitted on these articles; the CV column ranks each article's actors by "
        "the weights fitted without its fold (bench/fit_actors.py):\n"
    )
    checks = actor_checks(prepared, highlight_docs, article_docs, briefs)
    print(actor_table(actors, checks, top))
    print("\n" + "\n".join(actor_targets(actors, checks)))

    figures = figure_recall(articles, prepared, briefs, top, args.number_words)
    folds = cross_validated_briefs(prepared, article_docs, briefs, top)
    figures_cv = figure_recall(articles, prepared, folds, top, args.number_words)
    words = "digits and number words" if args.number_words else "digits only"
    print(
        f"\nHighlight numbers ({words}; distinct values per article) found among the brief's "
        f"top-{top} figures (values and numbers in their text) vs the first {top} distinct numbers "
        "of the article (micro recall). The committed weights were fitted on these articles; the CV "
        "column ranks each article's figures by the weights fitted without its fold "
        "(bench/fit_figures.py):\n"
    )
    print(figure_table(figures, figures_cv, top))
    print(f"\n{figure_target(figures_cv)}")

    mismatched = summary_mismatches(prepared, briefs, args.sentences)
    if mismatched:
        print(f"\nWARNING: the summaries of {len(mismatched)} briefs differ from the news summaries above")
        print(f"(articles {mismatched[:10]})\n")
    else:
        print("\nCheck: every brief's summary is the news summary scored above.\n")


def report_bbc_recall(args: argparse.Namespace) -> None:
    """The same actor and figure measures on the BBC report part, which no weights were fitted on.

    The gold is what the BBC reference summary (about 40% of each article's sentences) names and
    states, not a human highlight, so the levels differ from the dev set's; what tells is the gap to
    the same baselines on articles of another outlet and time that the fits never saw.
    """
    bbc = [a for a in load_bbc(args.bbc) if a.part == "report"]
    articles = [Article(a.id, f"{a.title}\n\n{a.text}", a.summary_sentences) for a in bbc]
    prepared = prepare_all(articles)
    settings = SummarizerSettings(spacy_model=args.model, actors=args.top, figures=args.top)
    briefs = make_briefs(articles, settings, args.batch_size)
    summaries, docs = entity_docs(load_model(args.model), articles, prepared, args.batch_size)
    top = args.top
    print(
        f"## The same measures on {len(articles)} unseen articles: the BBC report part\n\n"
        f"What each BBC reference summary names (PERSON, ORG, GPE, LOC, NORP by the same model) found "
        f"among the brief's top-{top} actors, and the numbers it states among the top-{top} figures, "
        "committed weights, against the same baselines:\n"
    )
    actors = actor_recall(summaries, docs, briefs, top)
    rows = ["all", *(row for row, _ in LABEL_ROWS)]
    print(actors.table("summary entities", rows, f"brief top-{top} actors", f"top-{top} frequent entities"))
    figures = figure_recall(articles, prepared, briefs, top, args.number_words)
    print()
    print(figures.table("summary numbers", ["all numbers", "excluding years"], f"brief top-{top} figures",
                        f"first {top} numbers"))  # fmt: skip
    print()


if __name__ == "__main__":
    sys.exit(main())
