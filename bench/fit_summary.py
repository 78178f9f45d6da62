"""Fit the news summary's sentence scorer, cross-validate it, and write summarizer/weights/summary.json.

Why this script exists: the ``news`` ranker used to weigh position against centrality by hand; now a
logistic regression over model-free sentence features (``summarizer.sentence_features``) says which
sentences a summary is made of, learned from two kinds of labels:

* CNN/DailyMail dev (100 articles, human highlights): a sentence is positive when it is in the greedy
  ROUGE oracle, the ``ORACLE_SIZE`` sentences added one by one for the highest ROUGE-1 + ROUGE-2 F1
  against the highlights (rouge-score's tokenizer and stemmer; the labelling of Nallapati et al. 2017
  and BertSumExt).
* BBC News Summary ("fit" part only): a sentence is positive when it is one of the article's reference
  summary sentences, matched to our ``prepare()`` sentences by their letters and digits.

Honest figures: each dev fold is summarised by weights fitted on the other four folds and the BBC fit
part, so every dev article is scored by weights that never saw it; the BBC figures are on the "report"
part, which no fit sees. LEAD-3 is computed on the same sentences in the same run. The committed weights
are then fitted on all dev folds and the BBC fit part; their meta records the cross-validated figures,
their in-sample dev ROUGE and the summary each bundled sample article gets, which the tests reproduce.

The settings (features, C, the BBC weight, the labels) were chosen by these same cross-validated
figures, so they flatter a little: neighbouring settings scored +0.5 to +0.9 ROUGE-1 over LEAD-3.
What did not help, cross-validated dev ROUGE-1 / ROUGE-2 (committed: 40.34 / 17.82; LEAD-3 39.52 /
16.78): the old hand formula re-tuned on the training folds (39.37 / 17.38); position alone (39.62 /
17.08) or with centrality alone (39.44 / 17.78); C = 1 (39.69 / 17.01); the BBC rows weighted like the
dev rows (35.62 / 16.24) or not at all (40.12 / 17.35, and BBC +1.25 instead of +2.42 ROUGE-1). With
earlier feature sets: each sentence's own ROUGE as the label (34.8), pairwise fits on oracle pairs
(37.2) or on swaps with the lead (39.3 / 17.9), searching the weights for ROUGE directly (39.5; 40.9 in
sample), and adding log position, raw centrality sums, similarity to the lead or SumBasic's word
frequency (each 0.2 to 1.2 ROUGE-1 lower), or bagging the fit (0.2 lower).

    .venv/bin/python bench/fit_summary.py            # fit, report, write the weights
    .venv/bin/python bench/fit_summary.py --dry-run  # fit and report only
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from common import BBC, CNNDM, CNNDM_HELP, REPO_ROOT, data_path, display_path, load_articles, markdown_table
from fitting import FOLDS, fit_logistic, fold_of, load_bbc, write_weights
from rouge_score import rouge_scorer, tokenizers

from summarizer.pipeline import EmptyText, prepare
from summarizer.ranking import SentenceTable, choose_news, rank_lead, rank_news, sentence_table
from summarizer.sentence_features import FEATURES as ALL_FEATURES
from summarizer.weights import LinearModel

NAME = "summary"
SENTENCES = 3  # summary length scored, as bench/quality.py
ORACLE_SIZE = 3  # dev labels: the greedy ROUGE oracle of this many sentences
# The features the committed scorer uses (a subset of summarizer.sentence_features.FEATURES).
FEATURES = (
    "position_inverse",
    "position_first",
    "position_relative",
    "forward_scaled",
    "backward_scaled",
    "words_log",
    "digits",
    "capitals",
    "title_overlap",
    "quote",
    "question",
    "pronoun_start",
    "connective_start",
)
# Strong L2 (C = 0.01 on standardised features): with 100 dev articles the cross-validated ROUGE
# moved by half a point between neighbouring settings, and the stronger prior was the steadier one.
C = 0.01
# The BBC rows together weigh 2% of the dev rows: its machine-made references reward sentences from
# all over the article (weighted equally, the cross-validated dev ROUGE-1 fell to 35.62, below LEAD-3),
# but a little of it lifts the BBC figures and the title's weight without moving the dev ones.
BBC_WEIGHT = 0.02
METRICS = ("rouge1", "rouge2", "rougeLsum")
SAMPLES = REPO_ROOT / "bot" / "samples"
_LETTERS = re.compile(r"[^0-9a-z]+")

Scores = tuple[float, float, float]  # ROUGE-1, ROUGE-2, ROUGE-Lsum F1 x100


@dataclass(frozen=True, slots=True)
class Doc:
    """One article as the fit sees it: sentences, every feature, labels, and where it may be used."""

    sentences: tuple[str, ...]
    title: str | None
    reference: str  # the reference summary, sentences joined by newlines
    table: SentenceTable  # all of ALL_FEATURES, in that order
    labels: np.ndarray
    fold: int  # dev fold, -1 for BBC
    part: str  # "dev", or the BBC part "fit" / "report"


@dataclass(frozen=True, slots=True)
class Settings:
    """What a fit is made of; the committed one is the module's constants."""

    features: tuple[str, ...] = FEATURES
    c: float = C
    bbc_weight: float = BBC_WEIGHT


# ------------------------------------------------------------------------------------------ labels


@cache
def _tokenizer() -> tokenizers.DefaultTokenizer:
    return tokenizers.DefaultTokenizer(use_stemmer=True)


def _grams(tokens: Sequence[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def _f1(candidate: Counter[tuple[str, ...]], reference: Counter[tuple[str, ...]]) -> float:
    overlap = sum((candidate & reference).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(candidate.values()), overlap / sum(reference.values())
    return 2 * precision * recall / (precision + recall)


def oracle(sentences: Sequence[str], reference: str, size: int = ORACLE_SIZE) -> list[int]:
    """The greedy oracle: ``size`` times, add the sentence that lifts ROUGE-1 + ROUGE-2 F1 most.

    It always takes ``size`` sentences (or all there are), even when the last adds nothing: stopping
    early left 68 of the 100 dev articles with one or two positives, and the fit on those labels
    scored a cross-validated ROUGE-1 of 37.72 instead of 40.34, below LEAD-3.
    """
    tokenize = _tokenizer().tokenize
    tokens = [tokenize(s) for s in sentences]
    wanted = [_grams(tokenize(reference), n) for n in (1, 2)]
    chosen: list[int] = []
    while len(chosen) < min(size, len(sentences)):
        gains = []
        for i in range(len(sentences)):
            if i not in chosen:
                joined = [t for k in sorted([*chosen, i]) for t in tokens[k]]
                gains.append((sum(_f1(_grams(joined, n), wanted[n - 1]) for n in (1, 2)), -i))
        chosen.append(-max(gains)[1])
    return sorted(chosen)


def _letters(text: str) -> str:
    return _LETTERS.sub("", text.lower())


def reference_members(sentences: Sequence[str], summary: Sequence[str]) -> list[int]:
    """Our sentences that are reference summary sentences (or parts of one), by letters and digits."""
    joined = "|".join(_letters(s) for s in summary)
    return [i for i, s in enumerate(sentences) if (key := _letters(s)) and key in joined]


# -------------------------------------------------------------------------------------------- data


def make_doc(
    sentences: Sequence[str],
    title: str | None,
    reference: Sequence[str],
    positive: Iterable[int],
    fold: int,
    part: str,
) -> Doc:
    labels = np.zeros(len(sentences), dtype=int)
    labels[list(positive)] = 1
    table = sentence_table(sentences, tuple(ALL_FEATURES), title)
    return Doc(tuple(sentences), title, "\n".join(reference), table, labels, fold, part)


def dev_docs(path: Path) -> list[Doc]:
    """The dev articles in file order (an article with no text is skipped, keeping its fold)."""
    docs = []
    for index, article in enumerate(load_articles(path)):
        try:
            prepared = prepare(article.text)
        except EmptyText:
            continue
        sentences = [span.text for span in prepared.sentences]
        positive = oracle(sentences, "\n".join(article.highlights))
        docs.append(make_doc(sentences, prepared.title, article.highlights, positive, fold_of(index), "dev"))
    return docs


def bbc_docs(path: Path, limit: int | None = None) -> list[Doc]:
    docs = []
    for article in load_bbc(path, limit):
        try:
            prepared = prepare(article.text, article.title)
        except EmptyText:
            continue
        sentences = [span.text for span in prepared.sentences]
        positive = reference_members(sentences, article.summary_sentences)
        docs.append(
            make_doc(sentences, prepared.title, article.summary_sentences, positive, -1, article.part)
        )
    return docs


# ------------------------------------------------------------------------------------- fit, score


def fit(docs: Sequence[Doc], settings: Settings, meta: dict[str, object] | None = None) -> LinearModel:
    """The logistic fit on ``docs``; BBC rows together weigh ``bbc_weight`` times the dev rows."""
    columns = [list(ALL_FEATURES).index(name) for name in settings.features]
    x = np.vstack([d.table.features[:, columns] for d in docs])
    y = np.concatenate([d.labels for d in docs])
    is_bbc = np.concatenate([np.full(len(d.labels), d.fold < 0) for d in docs])
    weight = np.ones(len(y))
    if is_bbc.any() and (~is_bbc).any():
        weight[is_bbc] = settings.bbc_weight * (~is_bbc).sum() / is_bbc.sum()
    return fit_logistic(NAME, settings.features, x, y, sample_weight=weight, c=settings.c, meta=meta)


def pick(doc: Doc, model: LinearModel | None, count: int = SENTENCES) -> list[int]:
    """The sentences ``model`` would choose (LEAD when ``model`` is None), exactly as ``rank`` does."""
    if model is None:
        return rank_lead(doc.sentences, count)
    columns = [list(ALL_FEATURES).index(name) for name in model.features]
    return choose_news(model.score(doc.table.features[:, columns]), doc.table, doc.sentences, count)


def rouge(docs: Sequence[Doc], picks: Sequence[Sequence[int]]) -> list[Scores]:
    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    scores = []
    for doc, chosen in zip(docs, picks, strict=True):
        result = scorer.score(doc.reference, "\n".join(doc.sentences[i] for i in chosen))
        r1, r2, rl = (100 * result[metric].fmeasure for metric in METRICS)
        scores.append((r1, r2, rl))
    return scores


def mean(scores: Sequence[Scores]) -> Scores:
    r1, r2, rl = (statistics.fmean(s[k] for s in scores) for k in range(3))
    return r1, r2, rl


def cross_validated_picks(dev: Sequence[Doc], bbc_fit: Sequence[Doc], settings: Settings) -> list[list[int]]:
    """Each dev article's summary by the weights fitted without its fold (with the BBC fit part)."""
    picks: list[list[int]] = [[] for _ in dev]
    for fold in range(FOLDS):
        model = fit([d for d in dev if d.fold != fold] + list(bbc_fit), settings)
        for i, doc in enumerate(dev):
            if doc.fold == fold:
                picks[i] = pick(doc, model)
    return picks


# ----------------------------------------------------------------------------------------- report


@dataclass(frozen=True, slots=True)
class Report:
    """news vs LEAD-3: per dev fold (cross-validated), pooled, and on the BBC report part."""

    folds: tuple[tuple[Scores, Scores], ...]  # (news, lead) per fold
    dev: tuple[Scores, Scores]
    bbc: tuple[Scores, Scores]
    in_sample: Scores

    def as_meta(self) -> dict[str, object]:
        def named(s: Scores) -> dict[str, float]:
            return {m: round(v, 2) for m, v in zip(METRICS, s, strict=True)}

        return {
            "dev_folds": [{"news": named(n), "lead3": named(lead)} for n, lead in self.folds],
            "dev_pooled": {"news": named(self.dev[0]), "lead3": named(self.dev[1])},
            "bbc_report": {"news": named(self.bbc[0]), "lead3": named(self.bbc[1])},
        }


def evaluate(dev: Sequence[Doc], bbc: Sequence[Doc], settings: Settings, final: LinearModel) -> Report:
    bbc_fit = [d for d in bbc if d.part == "fit"]
    report = [d for d in bbc if d.part == "report"]
    news = rouge(dev, cross_validated_picks(dev, bbc_fit, settings))
    lead = rouge(dev, [pick(d, None) for d in dev])
    folds = tuple(
        (
            mean([s for s, d in zip(news, dev, strict=True) if d.fold == k]),
            mean([s for s, d in zip(lead, dev, strict=True) if d.fold == k]),
        )
        for k in range(FOLDS)
    )
    bbc_news = mean(rouge(report, [pick(d, final) for d in report]))
    bbc_lead = mean(rouge(report, [pick(d, None) for d in report]))
    in_sample = mean(rouge(dev, [pick(d, final) for d in dev]))
    return Report(folds, (mean(news), mean(lead)), (bbc_news, bbc_lead), in_sample)


def _cells(scores: Scores) -> list[str]:
    return [f"{v:.2f}" for v in scores]


def fold_table(report: Report) -> str:
    """news (weights fitted without the fold) vs LEAD-3 on each dev fold and pooled."""
    rows = []
    labelled = [(f"fold {k} (articles {k + 1}, {k + 1 + FOLDS}, ...)", f) for k, f in enumerate(report.folds)]
    for label, (news, lead) in [*labelled, ("all, pooled", report.dev)]:
        rows.append(
            [label, *_cells(news), *_cells(lead), f"{news[0] - lead[0]:+.2f}", f"{news[1] - lead[1]:+.2f}"]
        )
    headers = [
        "dev articles",
        "news R-1",
        "news R-2",
        "news R-Lsum",
        "LEAD-3 R-1",
        "LEAD-3 R-2",
        "LEAD-3 R-Lsum",
    ]
    return markdown_table([*headers, "R-1 gain", "R-2 gain"], rows)


def bbc_table(report: Report) -> str:
    """news (committed weights) vs LEAD-3 on the BBC report part."""
    (news, lead) = report.bbc
    rows = [
        ["news (ours, default)", *_cells(news), ""],
        ["LEAD-3", *_cells(lead), f"{lead[0] - news[0]:+.2f}"],
    ]
    return markdown_table(
        ["summarizer (3 sentences)", "ROUGE-1", "ROUGE-2", "ROUGE-Lsum", "R-1 vs news"], rows
    )


def settings_of(model: LinearModel) -> Settings:
    """The settings the committed ``model`` was fitted with (its features and the meta's c, bbc_weight)."""
    return Settings(
        model.features, float(model.meta.get("c", C)), float(model.meta.get("bbc_weight", BBC_WEIGHT))
    )


def sample_summaries(model: LinearModel) -> dict[str, list[int]]:
    """The summary ``model`` gives each bundled sample article, as the pipeline ranks it."""
    out = {}
    for path in sorted(SAMPLES.glob("*.txt")):
        prepared = prepare(path.read_text("utf-8"))
        sentences = [span.text for span in prepared.sentences]
        out[path.name] = rank_news(sentences, SENTENCES, title=prepared.title, model=model)
    return out


def coefficient_table(model: LinearModel) -> str:
    columns = zip(model.features, model.coef, model.mean, model.scale, strict=True)
    rows = [[name, f"{coef:+.3f}", f"{m:.3f}", f"{s:.3f}"] for name, coef, m, s in columns]
    return markdown_table(["feature", "coefficient (per sd)", "mean", "sd"], rows)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Fit the news sentence scorer (summarizer/weights/summary.json)."
    )
    parser.add_argument("--data", type=data_path, default=str(CNNDM), help=CNNDM_HELP)
    parser.add_argument("--bbc", type=data_path, default=str(BBC), help="BBC News Summary JSONL")
    parser.add_argument("--dry-run", action="store_true", help="report only, do not write the weights")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings()
    dev, bbc = dev_docs(args.data), bbc_docs(args.bbc)
    final = fit([*dev, *(d for d in bbc if d.part == "fit")], settings)
    report = evaluate(dev, bbc, settings, final)
    print(fold_table(report), end="\n\n")
    print(f"BBC report part ({sum(d.part == 'report' for d in bbc)} articles):\n")
    print(bbc_table(report), end="\n\n")
    print(f"In-sample dev (committed weights): R-1 {report.in_sample[0]:.2f}, R-2 {report.in_sample[1]:.2f}, "
          f"R-Lsum {report.in_sample[2]:.2f}\n")  # fmt: skip
    print(coefficient_table(final), end="\n\n")
    if args.dry_run:
        return 0
    meta = {
        "labels": f"dev: greedy ROUGE-1+2 oracle of {ORACLE_SIZE} sentences; BBC fit part: reference "
        "membership",
        "c": settings.c,
        "bbc_weight": settings.bbc_weight,
        "dev_in_sample": {m: round(v, 2) for m, v in zip(METRICS, report.in_sample, strict=True)},
        "samples": sample_summaries(final),
    }
    final = LinearModel(**{**{k: getattr(final, k) for k in LinearModel.__slots__}, "meta": meta})  # type: ignore[attr-defined]
    data = f"{display_path(args.data)} (all {FOLDS} folds) + {display_path(args.bbc)} (fit part)"
    path = write_weights(final, script="bench/fit_summary.py", data=data, figures=report.as_meta())
    print(f"wrote {display_path(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
