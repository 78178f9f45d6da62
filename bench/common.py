"""What the bench scripts share: where the data lives, reading it, and printing results.

The evaluation data is not part of the repository (its licences forbid redistribution; see
``../shared/data/README.md``), so every script takes its path as an argument and defaults to the
shared folder next to the repository root, wherever the script is started from.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import shlex
import statistics
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT.parent / "shared" / "data"
CNNDM = DATA_DIR / "cnndm_dev100.jsonl"
BBC = DATA_DIR / "bbc_news_summary.jsonl"
CNNDM_HELP = "JSONL file (default: ../shared/data/cnndm_dev100.jsonl beside the repository root)"


@dataclass(frozen=True, slots=True)
class Article:
    """One CNN/DailyMail row: the article and its human highlights, one sentence each."""

    id: str
    text: str
    highlights: tuple[str, ...]


def jsonl_rows(path: Path, limit: int | None = None) -> Iterator[dict[str, Any]]:
    """The objects of a JSON Lines file in file order (blank lines skipped), at most ``limit``."""
    with path.open(encoding="utf-8") as handle:
        rows = (json.loads(line) for line in handle if line.strip())
        yield from itertools.islice(rows, limit)


def load_articles(path: Path, limit: int | None = None) -> list[Article]:
    """Rows of a ``cnndm_dev100.jsonl``-style file, in file order."""
    return [
        Article(row["id"], row["text"], tuple(row["summary_sentences"])) for row in jsonl_rows(path, limit)
    ]


def existing_file(value: str) -> Path:
    """An argparse type: a file that must exist."""
    path = Path(value)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"{value}: no such file")
    return path


def data_path(value: str) -> Path:
    """An argparse type: a data file that must exist; the data is not in the repository."""
    path = Path(value)
    if not path.is_file():
        raise argparse.ArgumentTypeError(
            f"{value}: no such file (the data lives in ../shared/data beside the repository, "
            "see ../shared/data/README.md)"
        )
    return path


def display_path(path: Path) -> str:
    """``path`` as short as it can be written from the current directory."""
    try:
        return os.path.relpath(path)
    except ValueError:  # pragma: no cover - another drive on Windows
        return str(path)


def command_line() -> str:
    """The command that started this process, as it could be typed again from the same directory.

    PYTHONHASHSEED is part of it when set: sumy's LSA scores depend on it.
    """
    executable = display_path(Path(sys.executable))
    if os.sep not in executable:
        executable = os.path.join(os.curdir, executable)
    seed = os.environ.get("PYTHONHASHSEED")
    prefix = f"PYTHONHASHSEED={shlex.quote(seed)} " if seed is not None else ""
    return prefix + shlex.join([executable, *sys.argv])


def environment() -> str:
    """One line on what the numbers were measured with."""
    import spacy
    import sumy

    return (
        f"Python {platform.python_version()}, spaCy {spacy.__version__}, sumy {sumy.__version__}, "
        f"{os.cpu_count()} CPUs, {platform.machine()} {platform.system()}"
    )


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]], align: str = "") -> str:
    """A GitHub Markdown table; ``align`` holds one of ``l``/``r`` per column (default: first left)."""
    align = align or "l" + "r" * (len(headers) - 1)
    rule = ["---:" if a == "r" else "---" for a in align]
    lines = [headers, rule, *[[str(cell) for cell in row] for row in rows]]
    return "\n".join("| " + " | ".join(line) + " |" for line in lines)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def percentile(values: Sequence[float], q: int) -> float:
    """The ``q``-th percentile, interpolated between the samples (one sample is its own percentile)."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]
