"""Shared fixtures: the shipped sample articles, the evaluation data when present, a summarizer."""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import settings

from bot.cli import samples_dir
from summarizer import Summarizer

# The suite's fuzz tests are bounded: a fixed number of examples, the same ones every run in CI (a red
# CI names its input again on the next run); bench/fuzz.py runs them long and random.
settings.register_profile("suite", max_examples=120, deadline=None, print_blob=True)
settings.register_profile("ci", parent=settings.get_profile("suite"), derandomize=True)
bench_examples = int(os.environ.get("BRIEFBOT_FUZZ_EXAMPLES", 5000))  # set by bench/fuzz.py for each run
settings.register_profile("bench", parent=settings.get_profile("suite"), max_examples=bench_examples)
settings.load_profile(
    os.environ.get("BRIEFBOT_FUZZ_PROFILE") or ("ci" if os.environ.get("CI") == "true" else "suite")
)

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("BRIEFBOT_SHARED_DATA", REPO.parent / "shared" / "data"))


def bench_module(name: str) -> ModuleType:
    """A bench script imported as a module: the tests replay what the fitting scripts recorded, and
    ``bench/`` is a folder of scripts importing each other by name, not a package."""
    bench = str(REPO / "bench")
    if bench not in sys.path:
        sys.path.insert(0, bench)
    return importlib.import_module(name)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No BRIEFBOT_* variable of the developer's shell may change what a test sees, nor its NO_COLOR
    (the console's bold answers are tested on a terminal that shows them)."""
    for name in list(os.environ):
        if (name.startswith("BRIEFBOT_") and name != "BRIEFBOT_SHARED_DATA") or name == "NO_COLOR":
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def sample_text() -> str:
    return (samples_dir() / "iraqi-militias-aleppo.txt").read_text("utf-8")


@pytest.fixture(scope="session")
def summarizer() -> Summarizer:
    return Summarizer()


@pytest.fixture(scope="session")
def dev_articles() -> list[dict[str, Any]]:
    """A handful of CNN/DailyMail dev articles, read from ../shared (never copied into the repo)."""
    path = SHARED_DATA / "cnndm_dev100.jsonl"
    if not path.exists():
        pytest.skip(f"evaluation data not found at {path} (it ships beside the repo, not in it)")
    with path.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    return rows[:8]
