"""Linear scorers whose weights were fitted on data by a script in ``bench/`` and committed here.

A weights file is small JSON that a reviewer can read: the feature names in order, each feature's
mean and scale (the fit standardised them), the coefficients and the intercept, plus where they came
from (the script, the data, the cross-validated figures it printed). Nothing is fitted or downloaded at
run time: scoring is one dot product with numpy, and the fitting libraries stay in ``bench/``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np


@dataclass(frozen=True, slots=True)
class LinearModel:
    """``score(x) = ((x - mean) / scale) . coef + intercept``, over features named in ``features``."""

    name: str
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    meta: dict[str, Any]

    def score(self, rows: np.ndarray) -> np.ndarray:
        """One score per row of ``rows`` (shape ``(n, len(features))``); higher is more important."""
        x = np.asarray(rows, dtype=float).reshape(-1, len(self.features))
        standard = (x - np.asarray(self.mean)) / np.asarray(self.scale)
        result: np.ndarray = standard @ np.asarray(self.coef) + self.intercept
        return result

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "features": list(self.features),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "coef": list(self.coef),
            "intercept": self.intercept,
            "meta": self.meta,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LinearModel:
        features = tuple(data["features"])
        model = cls(
            name=data["name"],
            features=features,
            mean=tuple(float(v) for v in data["mean"]),
            scale=tuple(float(v) if float(v) != 0 else 1.0 for v in data["scale"]),
            coef=tuple(float(v) for v in data["coef"]),
            intercept=float(data["intercept"]),
            meta=dict(data.get("meta", {})),
        )
        if not len(model.features) == len(model.mean) == len(model.scale) == len(model.coef):
            raise ValueError(f"weights {model.name}: features, mean, scale and coef differ in length")
        return model


@cache
def load(name: str, package: str = __name__) -> LinearModel:
    """The committed model ``<name>.json`` of ``package`` (by default ``summarizer/weights``), read
    once per process."""
    text = resources.files(package).joinpath(f"{name}.json").read_text("utf-8")
    return LinearModel.from_dict(json.loads(text))


__all__ = ["LinearModel", "load"]
