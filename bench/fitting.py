"""What the fitting scripts share: folds, the BBC split, one logistic fit, and writing weights.

Why one module: every learned scorer of the summarizer (sentences, figures, actors) is fitted and
reported the same way, so its figures mean the same thing. The CNN/DailyMail dev articles are cut
into ``FOLDS`` folds by position (article ``i`` is in fold ``i % FOLDS``); a figure is reported on a
fold by weights fitted without it (and with the BBC "fit" part). The BBC articles are split once by
id: every fifth article (by its number) is in the "report" part and is never fitted on, so the BBC
figures are also on articles the weights did not see. The committed weights are then fitted on all
the dev folds and the BBC "fit" part; the cross-validated figures are what the README quotes.

scikit-learn does the fitting; it is a bench dependency only (``pip install -e '.[bench]'``). The
summarizer reads the result through ``summarizer.weights`` with numpy alone.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from common import REPO_ROOT, jsonl_rows

from summarizer.weights import LinearModel

FOLDS = 5
WEIGHTS_DIR = REPO_ROOT / "summarizer" / "weights"


def fold_of(index: int) -> int:
    """The fold of the dev article at ``index`` (0-based, file order)."""
    return index % FOLDS


@dataclass(frozen=True, slots=True)
class BbcArticle:
    """One BBC News Summary row: the article, its title and its extractive reference sentences."""

    id: str
    category: str
    title: str
    text: str
    summary_sentences: tuple[str, ...]

    @property
    def number(self) -> int:
        return int(self.id.rsplit("_", 1)[1])

    @property
    def part(self) -> str:
        """``"report"`` for every fifth article of a category, never fitted on; ``"fit"`` otherwise."""
        return "report" if self.number % 5 == 0 else "fit"


def load_bbc(path: Path, limit: int | None = None) -> list[BbcArticle]:
    """Rows of ``bbc_news_summary.jsonl``, in file order."""
    rows = []
    for row in jsonl_rows(path, limit):
        sentences = row["summary_sentences"]
        if isinstance(sentences, str):  # stored as a Python list's repr in the file
            sentences = ast.literal_eval(sentences)
        rows.append(BbcArticle(row["id"], row["category"], row["title"], row["text"], tuple(sentences)))
    return rows


def fit_logistic(
    name: str,
    features: Sequence[str],
    x: np.ndarray,
    y: np.ndarray,
    *,
    sample_weight: np.ndarray | None = None,
    c: float = 1.0,
    meta: dict[str, object] | None = None,
) -> LinearModel:
    """An L2 logistic regression on standardised features, as a :class:`LinearModel`.

    Deterministic: lbfgs from zeros, no random state involved.
    """
    from sklearn.linear_model import LogisticRegression

    x = np.asarray(x, dtype=float)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=5000)
    model.fit((x - mean) / scale, np.asarray(y, dtype=int), sample_weight=sample_weight)
    return LinearModel(
        name=name,
        features=tuple(features),
        mean=tuple(round(float(v), 6) for v in mean),
        scale=tuple(round(float(v), 6) for v in scale),
        coef=tuple(round(float(v), 6) for v in model.coef_[0]),
        intercept=round(float(model.intercept_[0]), 6),
        meta=dict(meta or {}),
    )


def pairwise_rows(
    groups: Iterable[tuple[np.ndarray, np.ndarray]], width: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For a pairwise fit: each group's (positive - negative) feature differences, both ways round,
    weighing every group (an article, a question) 1 in total however many pairs it has."""
    xs, ys, ws = [], [], []
    for x, y in groups:
        positive, negative = x[y == 1], x[y == 0]
        if not len(positive) or not len(negative):
            continue
        differences = (positive[:, None, :] - negative[None, :, :]).reshape(-1, x.shape[1])
        n = len(differences)
        xs += [differences, -differences]
        ys += [np.ones(n), np.zeros(n)]
        ws.append(np.full(2 * n, 1 / (2 * n)))
    if not xs:
        return np.zeros((0, width)), np.zeros(0), np.zeros(0)
    return np.vstack(xs), np.concatenate(ys), np.concatenate(ws)


def fit_pairwise(
    name: str,
    features: Sequence[str],
    pairs: tuple[np.ndarray, np.ndarray, np.ndarray],
    candidates: np.ndarray,
    *,
    c: float,
) -> LinearModel:
    """A logistic fit on :func:`pairwise_rows`' differences ``(x, y, w)``, as a scorer of candidates.

    The fit is on differences, so the intercept is 0 by symmetry and only the coefficients matter: the
    model's ``mean`` is set to the ``candidates``' mean, which shifts every score of a group alike.
    """
    x, y, w = pairs
    pairwise = fit_logistic(name, features, x, y, sample_weight=w / w.mean(), c=c)
    return dataclasses.replace(
        pairwise, mean=tuple(round(float(v), 6) for v in candidates.mean(axis=0)), intercept=0.0, meta={}
    )


def write_weights(
    model: LinearModel,
    *,
    script: str,
    data: str,
    figures: dict[str, object],
    directory: Path = WEIGHTS_DIR,
) -> Path:
    """Write ``<directory>/<name>.json`` (by default ``summarizer/weights``) with where the weights
    came from."""
    meta = {
        **model.meta,
        "fitted_by": script,
        "data": data,
        "fitted_on": dt.date.today().isoformat(),
        "cross_validated": figures,
    }
    path = directory / f"{model.name}.json"
    payload = dataclasses.replace(model, meta=meta).to_dict()
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
