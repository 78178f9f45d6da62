"""The suite's fuzz tests, run long and random: what the suite's bounded runs are too short to find.

    .venv/bin/python bench/fuzz.py --minutes 10             # ten minutes, shared by the fuzz tests
    .venv/bin/python bench/fuzz.py --examples 5000          # 5,000 examples for each test instead
    .venv/bin/python bench/fuzz.py --minutes 3 -k discord   # only the tests ``pytest -k`` selects

Why a script: in the suite each hypothesis test of ``tests/test_fuzz_*.py`` is bounded (120 examples,
the same ones every run in CI, so a red CI names its input again); a hostile input that only one run
in a thousand generates is found by running them far longer, with a new random seed each time.

How: the hypothesis tests are collected (the fixed cases beside them are the suite's business), and
each is run by pytest in a process of its own under the ``bench`` profile (``tests/conftest.py``:
``BRIEFBOT_FUZZ_PROFILE=bench``, ``BRIEFBOT_FUZZ_EXAMPLES`` examples). With ``--minutes``, each test
gets an equal share of what is left of the budget: a first short run measures how fast it goes, and
runs sized to fill the rest of its share follow, each with a fresh seed, until the share is spent or
the test fails. Hypothesis's own statistics (``--hypothesis-show-statistics``) give the examples run.
A failing example is kept in hypothesis's example database (``.hypothesis/``), so the suite's next
local run tries it first; its falsifying example and ``@reproduce_failure`` blob are printed here.

Reports, per test: runs, examples run (passing + failing), invalid ones (rejected by the strategy),
failures (runs that failed), seconds; and exits 1 when any test failed (2 when none was found).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from common import REPO_ROOT, command_line, markdown_table

FUZZ_FILES = "tests/test_fuzz_*.py"
CALIBRATION = 60  # examples of a test's first run with --minutes, to measure its pace
MAX_EXAMPLES_PER_RUN = 200_000
MIN_RUN_SECONDS = 10.0  # a share smaller than this is not worth starting a pytest process for
_PHASE = re.compile(r"- during (\w+) phase \(([\d.]+) seconds\):")
_COUNTS = re.compile(r"- (\d+) passing, (\d+) failing, and (\d+) invalid test cases")


@dataclass
class Tally:
    """One test's runs so far."""

    test: str
    runs: int = 0
    examples: int = 0
    invalid: int = 0
    failures: int = 0
    skipped: bool = False
    seconds: float = 0.0  # wall time of its pytest processes
    generating: float = 0.0  # hypothesis's generate phases alone: the pace of new examples
    reports: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Run:
    outcome: str  # passed | failed | skipped
    examples: int
    invalid: int
    generating: float
    generated: int  # examples of the generate phase
    seconds: float
    output: str  # pytest's standard output
    errors: str  # and its standard error


def hypothesis_tests(patterns: Sequence[str], keyword: str | None) -> list[str]:
    """Node ids of the hypothesis tests among the fuzz tests (``-k keyword`` applied), in file order."""
    import pytest

    class Collector:
        def __init__(self) -> None:
            self.ids: list[str] = []

        def pytest_collection_finish(self, session: pytest.Session) -> None:  # after -k deselected
            self.ids = [
                item.nodeid
                for item in session.items
                if getattr(getattr(item, "obj", None), "is_hypothesis_test", False)
            ]

    collector = Collector()

    args = ["--collect-only", "-q", "-p", "no:cacheprovider", "--rootdir", str(REPO_ROOT), *patterns]
    if keyword:
        args += ["-k", keyword]
    quiet = io.StringIO()
    with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
        code = pytest.main(args, plugins=[collector])
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        sys.exit(f"fuzz: collecting the tests failed:\n{quiet.getvalue()}")
    return collector.ids


def run_once(test: str, examples: int, timeout: float) -> Run:
    """``test`` under the bench profile with ``examples`` examples, a fresh random seed, in its own pytest."""
    env = {
        **os.environ,
        "BRIEFBOT_FUZZ_PROFILE": "bench",
        "BRIEFBOT_FUZZ_EXAMPLES": str(examples),
    }
    env.pop("CI", None)  # CI's profile is derandomized: the point here is new inputs
    with tempfile.TemporaryDirectory() as folder:
        junit = Path(folder) / "junit.xml"
        command = [sys.executable, "-m", "pytest", test, "-q", "-p", "no:cacheprovider"]
        command += ["--hypothesis-show-statistics", f"--junitxml={junit}", f"--timeout={int(timeout)}"]
        started = time.monotonic()
        done = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True)
        seconds = time.monotonic() - started
        outcome = _outcome(junit) if junit.exists() else "failed"
    output = done.stdout
    passing = failing = invalid = generated = 0
    generating = 0.0
    phase = ""
    for line in output.splitlines():
        if found := _PHASE.search(line):
            phase = found.group(1)
            if phase == "generate":
                generating += float(found.group(2))
        elif found := _COUNTS.search(line):
            passing += int(found.group(1))
            failing += int(found.group(2))
            invalid += int(found.group(3))
            if phase == "generate":
                generated += int(found.group(1)) + int(found.group(2))
    return Run(outcome, passing + failing, invalid, generating, generated, seconds, output, done.stderr)


def _outcome(junit: Path) -> str:
    case = ElementTree.parse(junit).getroot().find(".//testcase")
    if case is None:
        return "failed"
    if case.find("failure") is not None or case.find("error") is not None:
        return "failed"
    return "skipped" if case.find("skipped") is not None else "passed"


def record(tally: Tally, run: Run) -> None:
    tally.runs += 1
    tally.examples += run.examples
    tally.invalid += run.invalid
    tally.seconds += run.seconds
    tally.generating += run.generating
    if run.outcome == "skipped":
        tally.skipped = True
    if run.outcome == "failed":
        tally.failures += 1
        tally.reports.append(_failure_report(run))
    print(
        f"fuzz: {tally.test}: {run.outcome}, {run.examples} examples in {run.seconds:.0f} s",
        file=sys.stderr,
        flush=True,
    )


def _failure_report(run: Run) -> str:
    """What a person needs from a failed run: the failure section of pytest's output, falsifying
    example and reproduce blob included (its last 200 lines); pytest's errors when it has none."""
    lines = run.output.splitlines()
    start = next((i for i, line in enumerate(lines) if "= FAILURES =" in line or "= ERRORS =" in line), None)
    return "\n".join((lines[start:] if start is not None else (run.output + run.errors).splitlines())[-200:])


def fuzz_for(tally: Tally, share: float) -> None:
    """Runs of ``tally.test`` until ``share`` seconds are spent: one to measure its pace, then runs sized
    to fill the rest, each with a new seed."""
    deadline = time.monotonic() + share
    examples = CALIBRATION
    while True:
        run = run_once(tally.test, examples, timeout=max(share, MIN_RUN_SECONDS) * 3 + 300)
        record(tally, run)
        left = deadline - time.monotonic()
        if run.outcome != "passed" or left < MIN_RUN_SECONDS:
            return
        overhead = max(run.seconds - run.generating, 0.0)  # start-up, fixtures, explicit examples
        pace = run.generated / run.generating if run.generating > 0 else run.examples / max(run.seconds, 1)
        examples = int(min(MAX_EXAMPLES_PER_RUN, max(CALIBRATION, pace * max(left - overhead, 1.0))))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    budget = parser.add_mutually_exclusive_group()
    budget.add_argument("--minutes", type=float, help="time budget shared by the tests (default: 10)")
    budget.add_argument("--examples", type=int, help="examples for each test, in one run each")
    parser.add_argument("-k", dest="keyword", help="only the tests this pytest -k expression selects")
    args = parser.parse_args(argv)
    minutes = 10.0 if args.minutes is None and args.examples is None else args.minutes

    os.chdir(REPO_ROOT)
    files = sorted(str(path.relative_to(REPO_ROOT)) for path in REPO_ROOT.glob(FUZZ_FILES))
    tests = hypothesis_tests(files, args.keyword)
    if not tests:
        print("fuzz: no hypothesis tests found", file=sys.stderr)
        return 2
    started = time.monotonic()
    tallies = [Tally(test) for test in tests]
    for number, tally in enumerate(tallies):
        if minutes is None:
            record(tally, run_once(tally.test, args.examples, timeout=24 * 3600))
            continue
        left = minutes * 60 - (time.monotonic() - started)
        fuzz_for(tally, max(left / (len(tallies) - number), MIN_RUN_SECONDS))

    print(f"Command: `{command_line()}`\n")
    rows = [
        [
            t.test,
            t.runs,
            f"{t.examples:,}",
            f"{t.invalid:,}",
            "skipped" if t.skipped else t.failures,
            f"{t.seconds:.0f}",
        ]
        for t in tallies
    ]
    print(markdown_table(["test", "runs", "examples", "invalid", "failures", "seconds"], rows))
    examples = sum(t.examples for t in tallies)
    failed = [t for t in tallies if t.failures]
    elapsed = (time.monotonic() - started) / 60
    print(f"\n{examples:,} examples in {elapsed:.1f} minutes; {len(failed)} of {len(tallies)} tests failed.")
    for tally in failed:
        for report in tally.reports:
            print(f"\n## {tally.test}\n\n```\n{report}\n```")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
