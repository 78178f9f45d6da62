"""What does the trending chart cost? Milliseconds to draw one PNG, 5 actors over 7 and 30 days.

Each chart is drawn by :func:`bot.render.chart.mentions_chart` exactly as the ``trending`` command and
the weekly digest draw it (a Figure of its own, the Agg canvas, PNG with its metadata), from made-up
counts of the same shape as the store's (every day present, 0 to 12 stories). The first chart of the
process is reported apart ("cold": matplotlib loads its fonts then), the others as median and p95 of
``--runs`` charts per shape, with the PNG's size:

    .venv/bin/python bench/chart.py              # 20 charts per shape, about 15 s
    .venv/bin/python bench/chart.py --runs 50
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import date, timedelta

import matplotlib
from common import command_line, environment, markdown_table, percentile

from bot.render.chart import Series, mentions_chart

ACTORS = ("International Dockworkers Union", "Bashar al-Assad", "Marlow Council", "Cedar Hollow", "ECB")
SHAPES = (7, 30)
FIRST_DAY = date(2026, 3, 2)


def series(days: int, rng: random.Random) -> Series:
    """Five actors' stories a day over ``days`` days, every day present as the store gives them."""
    return [
        (name, [(FIRST_DAY + timedelta(days=n), rng.randint(0, 12)) for n in range(days)]) for name in ACTORS
    ]


def draw_ms(days: int, rng: random.Random) -> tuple[float, int]:
    """One chart drawn: the milliseconds it took and its PNG's size in bytes."""
    points = series(days, rng)
    started = time.perf_counter()
    chart = mentions_chart(points, title=f"Stories a day naming the top actors, last {days} days")
    return (time.perf_counter() - started) * 1000, len(chart.png)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="charts drawn per shape (default 20)")
    parser.add_argument("--seed", type=int, default=14, help="for the made-up counts (default 14)")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    cold, _ = draw_ms(SHAPES[0], rng)
    rows = []
    for days in SHAPES:
        drawn = [draw_ms(days, rng) for _ in range(args.runs)]
        times = [ms for ms, _ in drawn]
        rows.append(
            [
                f"{len(ACTORS)} actors x {days} days",
                args.runs,
                f"{statistics.median(times):.0f}",
                f"{percentile(times, 95):.0f}",
                f"{max(times):.0f}",
                f"{statistics.median(size for _, size in drawn) / 1024:.0f}",
            ]
        )
    headers = ["chart (1200x600 PNG)", "charts", "median ms", "p95 ms", "max ms", "PNG KiB"]
    print(markdown_table(headers, rows))
    print()
    print(f"First chart of the process (cold, fonts loading): {cold:.0f} ms.")
    print()
    print(f"matplotlib {matplotlib.__version__}, Agg; {environment()}")
    print()
    print(f"`{command_line()}`")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
