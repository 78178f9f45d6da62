"""The trending chart: stories a day of a period's top actors, drawn as a PNG to send with a reply.

Drawn with matplotlib's object API on the Agg canvas (a :class:`~matplotlib.figure.Figure` of its own
per chart, never pyplot's global state), so it needs no display and may run in any worker thread.

Meant to be read where it lands: in Slack's and Discord's dark and light themes, often as a preview a
third of its size. So the picture carries its own opaque light background (a transparent PNG would
put dark text on a dark theme), near-black text, large type, and the Okabe–Ito colour-blind-safe
palette (its yellow left out: too faint on white) with a marker and a dash pattern per line, so the
lines stay apart for a reader who cannot tell the colours apart, or sees the chart in grey. The alt
text says in words what the lines show: each actor's stories in all and its busiest day.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import DateFormatter, date2num
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, MaxNLocator, NullLocator


@dataclass(frozen=True, slots=True, kw_only=True)
class Chart:
    """A picture sent with a reply, as a file: where people would rather look than read. Kept beside
    what draws it, so the replies that carry one import it without a cycle. ``alt_text`` is what a
    reader who cannot see it is told (Slack's alt text, the console's line)."""

    png: bytes
    filename: str
    title: str
    alt_text: str


Series = Sequence[tuple[str, Sequence[tuple[date, int]]]]
"""One line per actor: its label, and (day, stories that day) points."""

WIDTH, HEIGHT, DPI = 8.0, 4.0, 150  # inches at 150 dpi: 1200 x 600 px, type large for its size
BACKGROUND = "#ffffff"  # opaque: readable on dark and light themes alike
FRAME = "#f2f2f2"  # around the plot: the picture's edge shows on a white (light) theme
INK = "#1a1a1a"  # text and axes: contrast about 17:1 on white
GRID = "#d9d9d9"
# Okabe–Ito, ordered so the five lines trending draws each have 3:1 contrast on white (WCAG's for
# graphics): its orange and sky blue (about 2.2:1) come only after black.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000", "#E69F00", "#56B4E9")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
DASHES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)), (0, (8, 2)), (0, (1, 1)))
LEGEND_COLUMNS = 3
LABEL_CHARS = 36  # an actor's name in the legend: longer ones end in "…" (the alt text has them whole)
TITLE_CHARS = 90
ALT_TEXT_CHARS = 1000  # Slack's alt_txt limit (Discord's attachment description allows 1024)
MAX_DAY_TICKS = 10
WEEK_TICKS = 8  # up to this many days, each tick names its weekday too
Y_LABEL = "Stories a day"
X_LABEL = "Day (UTC)"


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _drawn(text: str, limit: int) -> str:
    """Text as matplotlib should draw it, word for word: a "$" escaped (two would start mathtext:
    "$5bn … $3bn" drawn as a formula, or refused), and no leading "_" (the legend leaves such a
    label out)."""
    return _short(text, limit).lstrip("_").replace("$", r"\$") or "?"


def mentions_figure(series: Series, *, title: str) -> Figure:
    """The chart as a Figure, not yet rendered: what :func:`mentions_chart` draws, and tests inspect.

    Raises ValueError when there is no actor to draw: an empty chart tells a reader nothing.
    """
    if not series:
        raise ValueError("a chart needs at least one actor")
    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI, facecolor=FRAME, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(facecolor=BACKGROUND)
    days: set[date] = set()
    highest = 0
    longest = max(len(points) for _, points in series)
    markersize = 5 if longest <= 2 * WEEK_TICKS else 3  # a month of markers would hide the lines
    for index, (name, points) in enumerate(series):
        ordered = sorted(points)
        days.update(day for day, _ in ordered)
        highest = max([highest, *(count for _, count in ordered)])
        axes.plot(
            [date2num(day) for day, _ in ordered],
            [count for _, count in ordered],
            label=_drawn(name, LABEL_CHARS),
            color=PALETTE[index % len(PALETTE)],
            linestyle=DASHES[index % len(DASHES)],
            marker=MARKERS[index % len(MARKERS)],
            linewidth=2.2,
            markersize=markersize,
        )
    _date_axis(axes, sorted(days))
    top = max(1, highest)  # all-zero days still get a 0–1 axis, not a collapsed one
    axes.set_ylim(-0.03 * top, top * 1.12)  # a day without stories shows its marker whole, above the frame
    axes.yaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=2))
    axes.set_ylabel(Y_LABEL, color=INK, fontsize=11)
    axes.set_xlabel(X_LABEL, color=INK, fontsize=11)
    axes.set_title(_drawn(title, TITLE_CHARS), color=INK, fontsize=13, loc="left")
    axes.tick_params(colors=INK, labelsize=9)
    axes.grid(True, color=GRID, linewidth=0.8)
    axes.set_axisbelow(True)
    for spine in axes.spines.values():
        spine.set_color(INK)
    figure.legend(
        loc="outside lower center",  # below the plot: the days get the whole width
        ncols=min(len(series), LEGEND_COLUMNS),
        frameon=False,
        fontsize=10,
        labelcolor=INK,
        handlelength=3.0,
    )
    return figure


def _date_axis(axes: Axes, days: list[date]) -> None:
    """Day ticks, at most :data:`MAX_DAY_TICKS` of them ("Mon" over "03 Jun" for a week, "03 Jun" beyond),
    and half a day of room at each end so the first and last points are not cut by the frame."""
    if not days:  # every actor without points: an axis still, over no day in particular
        axes.xaxis.set_major_locator(NullLocator())
        return
    span = (days[-1] - days[0]).days + 1
    step = max(1, math.ceil(span / MAX_DAY_TICKS))
    axes.xaxis.set_major_locator(FixedLocator([date2num(days[0]) + n for n in range(0, span, step)]))
    axes.xaxis.set_major_formatter(DateFormatter("%a\n%d %b" if span <= WEEK_TICKS else "%d %b"))
    axes.set_xlim(date2num(days[0]) - 0.5, date2num(days[-1]) + 0.5)


def describe(series: Series, *, title: str) -> str:
    """The chart in words, for a reader who cannot see it: each actor's stories in all and its peak day."""
    parts = []
    for name, points in series:
        total = sum(count for _, count in points)
        if total == 0:
            parts.append(f"{name}: no stories")
            continue
        peak_day, peak = max(points, key=lambda point: (point[1], -point[0].toordinal()))
        stories = "story" if total == 1 else "stories"
        parts.append(f"{name}: {total} {stories}, most on {peak_day:%a %d %b} ({peak})")
    days = sorted({day for _, points in series for day, _ in points})
    period = f" from {days[0]:%d %b} to {days[-1]:%d %b %Y}" if days else ""
    text = f"{title.rstrip('. ')}. Line chart of stories a day{period}. " + "; ".join(parts) + "."
    return _short(text, ALT_TEXT_CHARS)


def mentions_chart(series: Series, *, title: str, filename: str = "trending.png") -> Chart:
    """The chart as a PNG to send: one line per actor, its label and (day, stories) points.

    The PNG carries the title and the words of the alt text as its Title and Description, so a
    downloaded copy still says what it shows. Raises ValueError when ``series`` is empty.
    """

    figure = mentions_figure(series, title=title)
    alt_text = describe(series, title=title)
    buffer = io.BytesIO()
    canvas = figure.canvas
    assert isinstance(canvas, FigureCanvasAgg)
    canvas.print_png(buffer, metadata={"Title": title, "Description": alt_text})
    return Chart(png=buffer.getvalue(), filename=filename, title=title, alt_text=alt_text)


__all__ = ["Series", "describe", "mentions_chart", "mentions_figure"]
