"""Fit ``ask``'s two scorers and write storage/weights/ask_sentence.json and ask_answerable.json.

Why this script exists: ``ask`` chose its sentence by hand-set rules (half the question's words, a
bonus per question type) and refused by a fixed cut, and was behind plain BM25 over sentences. Here
both choices are learned from questions with known answers, on the BBC articles stored as the bot
stores them (``bench/ask_data.py``):

* The sentence ranker: a logistic regression over ``storage.ask.SENTENCE_FEATURES`` of every
  candidate sentence ``storage.ask.find_candidates`` gives, positive when the sentence contains an
  answer string. Each question weighs the same, however many candidates it has.
* The refusal model: a logistic regression over ``storage.ask.QUESTION_FEATURES`` (the best sentence's
  score and cover, how much of the question the store does not know), positive for answerable
  questions, negative for the unanswerable ones; its threshold is set so that ``--answer-rate`` of the
  fitted answerable questions are answered.

Fitted on ``bench/gold/ask_fit.jsonl`` (articles of lines 1-300) and the odd-numbered unanswerable
questions; reported on ``../shared/data/ask_dev.jsonl`` (lines 301-2225) and the even-numbered
unanswerable ones, which the fit never sees. ``bench/ask.py`` measures the committed weights.

    .venv/bin/python bench/fit_ask.py            # fit, report, write the weights
    .venv/bin/python bench/fit_ask.py --dry-run  # fit and report only
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from ask_data import ASK_FIT, DEFAULT_CACHE, UNANSWERABLE, AskQuestion, bbc_store, fit_part, load_questions
from common import BBC, DATA_DIR, REPO_ROOT, data_path, markdown_table
from fitting import fit_logistic, fit_pairwise, pairwise_rows, write_weights

from storage.ask import (
    QUESTION_FEATURES,
    SENTENCE_FEATURES,
    Candidates,
    answer_from,
    find_candidates,
    question_features,
)
from storage.question import parse_question
from storage.store import Store
from summarizer.weights import LinearModel

ASK_DEV = DATA_DIR / "ask_dev.jsonl"
WEIGHTS = REPO_ROOT / "storage" / "weights"
DEFAULT_ANSWER_RATE = 0.98
HEDGED_SHARE = 0.10  # of the answered answerable questions, the least sure are said to be unsure


@dataclass(frozen=True, slots=True)
class Case:
    question: AskQuestion
    candidates: Candidates
    labels: np.ndarray  # one per candidate: holds an answer string


def cases(store: Store, questions: Sequence[AskQuestion]) -> list[Case]:
    out = []
    for q in questions:
        found = find_candidates(store, parse_question(q.question))
        labels = np.array([q.answered_by(c.sentence) for c in found.sentences], dtype=float)
        out.append(Case(q, found, labels))
    return out


def fit_ranker(train: Sequence[Case], c: float) -> LinearModel:
    """Pairwise: a sentence that holds the answer against each of its question's others, every
    question weighing the same. The intercept is 0 by symmetry; ``mean`` is the candidates' mean."""
    groups = [
        (np.array([s.features for s in case.candidates.sentences]), case.labels)
        for case in train
        if case.question.answerable and case.candidates.sentences
    ]
    pairs = pairwise_rows(groups, len(SENTENCE_FEATURES))
    return fit_pairwise("ask_sentence", SENTENCE_FEATURES, pairs, np.vstack([g[0] for g in groups]), c=c)


def scored(ranker: LinearModel, case: Case) -> np.ndarray:
    return ranker.score(np.array([s.features for s in case.candidates.sentences]))


def fit_refusal(ranker: LinearModel, train: Sequence[Case], answer_rate: float, c: float) -> LinearModel:
    rows, labels = [], []
    for case in train:
        if case.candidates.sentences:
            rows.append(question_features(case.candidates, scored(ranker, case)))
            labels.append(1.0 if case.question.answerable else 0.0)
    model = fit_logistic("ask_answerable", QUESTION_FEATURES, np.array(rows), np.array(labels), c=c)
    probabilities = 1 / (1 + np.exp(-model.score(np.array(rows))))
    answerable = np.sort(probabilities[np.array(labels) == 1])
    # The highest threshold that still answers ``answer_rate`` of the answerable questions (those
    # without any candidate are unanswered whatever the threshold, and count against the rate).
    total = sum(1 for case in train if case.question.answerable)
    allowed = int(np.floor((1 - answer_rate) * total)) - (total - len(answerable))
    threshold = float(answerable[max(0, allowed)]) - 1e-9 if len(answerable) else 0.5
    # The answers given with the least confidence are said to be unsure: the lowest HEDGED_SHARE of
    # the answered answerable questions (on the fit set, half of such answers are right, against
    # 58% of the others, and they hold a third of the wrong answers to unanswerable questions).
    answered = answerable[answerable >= threshold]
    hedge = float(np.quantile(answered, HEDGED_SHARE)) if len(answered) else threshold
    meta = {**model.meta, "threshold": round(threshold, 6), "hedge_below": round(hedge, 6)}
    return dataclasses.replace(model, meta=meta)


@dataclass(frozen=True, slots=True)
class Report:
    questions: int
    hit1: int
    hit3: int
    answered: int
    refused: int  # of the unanswerable
    unanswerable: int

    def row(self, name: str) -> list[str]:
        answerable = self.questions or 1
        return [
            name,
            f"{self.hit1 / answerable:.1%} ({self.hit1}/{self.questions})",
            f"{self.hit3 / answerable:.1%} ({self.hit3}/{self.questions})",
            f"{self.answered / answerable:.1%}",
            f"{self.refused / (self.unanswerable or 1):.1%} ({self.refused}/{self.unanswerable})",
        ]


def report(ranker: LinearModel, refusal: LinearModel, evaluated: Sequence[Case]) -> Report:
    """What ``ask`` would answer with these models (``storage.ask.answer_from``), tallied."""
    hit1 = hit3 = answered = refused = questions = unanswerable = 0
    for case in evaluated:
        cited = [
            c.sentence
            for c in answer_from(case.question.question, case.candidates, ranker, refusal).citations
        ]
        if case.question.answerable:
            questions += 1
            answered += bool(cited)
            hit1 += bool(cited) and case.question.answered_by(cited[0])
            hit3 += any(case.question.answered_by(s) for s in cited)
        else:
            unanswerable += 1
            refused += not cited
    return Report(questions, hit1, hit3, answered, refused, unanswerable)


def auc(ranker: LinearModel, refusal: LinearModel, evaluated: Sequence[Case], kind: str) -> float:
    """How well the refusal score tells answerable questions from one kind of unanswerable ones
    (0.5: not at all; 1: perfectly), whatever the threshold."""
    from sklearn.metrics import roc_auc_score

    scores, labels = [], []
    for case in evaluated:
        if case.candidates.sentences and (case.question.answerable or case.question.kind == kind):
            features = question_features(case.candidates, scored(ranker, case))
            scores.append(float(refusal.score(np.array([features]))[0]))
            labels.append(1 if case.question.answerable else 0)
    return float(roc_auc_score(labels, scores))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bbc", type=data_path, default=str(BBC))
    parser.add_argument("--dev", type=data_path, default=str(ASK_DEV))
    parser.add_argument(
        "--cache", type=Path, default=DEFAULT_CACHE, help=f"briefs kept here ({DEFAULT_CACHE})"
    )
    parser.add_argument("--answer-rate", type=float, default=DEFAULT_ANSWER_RATE)
    parser.add_argument("--c", type=float, default=1.0, help="inverse L2 strength of both fits")
    parser.add_argument("--dry-run", action="store_true")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    fitted = load_questions(ASK_FIT)
    none = load_questions(UNANSWERABLE)
    dev = load_questions(args.dev)
    with bbc_store("sqlite", args.bbc, args.cache) as bbc:
        fit_cases = cases(bbc.store, fitted + [q for q in none if fit_part(q)])
        dev_cases = cases(bbc.store, dev + [q for q in none if not fit_part(q)])
    ranker = fit_ranker(fit_cases, args.c)
    refusal = fit_refusal(ranker, fit_cases, args.answer_rate, args.c)
    fit_report, dev_report = report(ranker, refusal, fit_cases), report(ranker, refusal, dev_cases)
    headers = ["questions", "hit@1", "hit@3", "answered", "unanswerable refused"]
    print(
        markdown_table(
            headers, [fit_report.row("fitted on (in-sample)"), dev_report.row("reported (unseen)")]
        )
    )
    for name, model in (("sentence ranker", ranker), ("refusal", refusal)):
        print(
            f"\n{name}: "
            + ", ".join(f"{f} {c:+.3f}" for f, c in zip(model.features, model.coef, strict=True))
        )
    print(f"threshold {refusal.meta['threshold']}")
    for kind in ("absent", "off_store"):
        area = auc(ranker, refusal, dev_cases, kind)
        print(f"refusal ROC AUC, unseen answerable against unseen {kind}: {area:.3f}")
    if not args.dry_run:
        figures = {"fit": fit_report.row("fit")[1:], "report": dev_report.row("report")[1:]}
        data = "bench/gold/ask_fit.jsonl + odd bench/gold/ask_unanswerable.jsonl, BBC articles stored"
        for model in (ranker, refusal):
            path = write_weights(
                model, script="bench/fit_ask.py", data=data, figures=figures, directory=WEIGHTS
            )
            print(f"wrote {path.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
