"""The trending chart as drawn: a PNG opened and looked at, and the Figure it came from read back."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
from matplotlib import cbook
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from PIL import Image

from bot.render.chart import (
    ALT_TEXT_CHARS,
    BACKGROUND,
    INK,
    LABEL_CHARS,
    PALETTE,
    X_LABEL,
    Y_LABEL,
    Series,
    describe,
    mentions_chart,
    mentions_figure,
)

MONDAY = date(2026, 3, 2)
TITLE = "Stories a day naming the top actors, last 7 days"
NAMES = ("International Dockworkers Union", "Bashar al-Assad", "Marlow Council", "Cedar Hollow", "ECB")


def week(*counts: int, first: date = MONDAY) -> list[tuple[date, int]]:
    return [(first + timedelta(days=n), count) for n, count in enumerate(counts)]


FIVE: Series = [
    (NAMES[0], week(0, 2, 5, 9, 4, 3, 1)),
    (NAMES[1], week(1, 1, 0, 2, 6, 2, 0)),
    (NAMES[2], week(3, 0, 0, 0, 0, 0, 4)),
    (NAMES[3], week(0, 0, 1, 1, 1, 7, 8)),
    (NAMES[4], week(2, 2, 2, 2, 2, 2, 2)),
]


def opened(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def legend_of(figure: Figure) -> Legend:
    [legend] = figure.legends
    return legend


def rgb(colour: str) -> tuple[int, int, int]:
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))


def pixels_near(image: Image.Image, colour: str, tolerance: int = 12) -> int:
    """How many pixels are drawn within ``tolerance`` of ``colour`` on every channel."""
    target = rgb(colour)
    total = 0
    for count, pixel in image.convert("RGB").getcolors(maxcolors=1 << 24) or []:
        assert isinstance(pixel, tuple)
        if all(abs(a - b) <= tolerance for a, b in zip(pixel, target, strict=True)):
            total += count
    return total


def contrast(first: str, second: str) -> float:
    """WCAG's contrast ratio of two colours."""

    def luminance(colour: str) -> float:
        channels = [c / 255 for c in rgb(colour)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_png_is_1200_by_600_opaque_and_drawn_in_every_actors_colour() -> None:
    chart = mentions_chart(FIVE, title=TITLE)
    image = opened(chart.png)
    assert image.format == "PNG" and image.size == (1200, 600)
    assert image.getchannel("A").getextrema() == (255, 255)  # opaque: dark themes show it as drawn
    colours = image.convert("RGB").getcolors(maxcolors=1 << 24) or []
    assert len(colours) > 500  # antialiased lines and text, not a blank or flat picture
    for colour in PALETTE[: len(FIVE)]:
        assert pixels_near(image, colour) > 300, f"no line drawn in {colour}"
    assert pixels_near(image, INK, tolerance=20) > 2000  # the text, ticks and frame
    assert chart.filename == "trending.png" and chart.title == TITLE


def test_the_png_says_what_it_shows_in_its_metadata() -> None:
    chart = mentions_chart(FIVE, title=TITLE, filename="weekly.png")
    info = opened(chart.png).info
    assert info["Title"] == TITLE
    assert info["Description"] == chart.alt_text
    assert chart.filename == "weekly.png"


def test_axes_legend_and_title_are_labelled() -> None:
    figure = mentions_figure(FIVE, title=TITLE)
    [axes] = figure.axes
    assert axes.get_ylabel() == Y_LABEL == "Stories a day"
    assert axes.get_xlabel() == X_LABEL and "Day" in X_LABEL
    assert axes.get_title(loc="left") == TITLE
    assert [text.get_text() for text in legend_of(figure).get_texts()] == list(NAMES)
    figure.canvas.draw()
    days = [label.get_text() for label in axes.get_xticklabels()]
    assert days[0] == "Mon\n02 Mar" and days[-1] == "Sun\n08 Mar" and len(days) == 7


def test_y_ticks_are_whole_numbers_from_zero_past_the_peak() -> None:
    figure = mentions_figure(FIVE, title=TITLE)
    [axes] = figure.axes
    figure.canvas.draw()
    low, high = axes.get_ylim()
    ticks = [tick for tick in axes.get_yticks() if low <= tick <= high]
    assert all(float(tick).is_integer() for tick in ticks)
    assert ticks[0] == 0 and high >= 9  # the busiest day, 9 stories, is inside the frame


def test_colours_read_on_white_and_the_picture_is_light_on_any_theme() -> None:
    assert contrast(INK, BACKGROUND) >= 7  # WCAG AAA for text
    for colour in PALETTE[:5]:  # the five lines trending draws: WCAG's 3:1 for graphics
        assert contrast(colour, BACKGROUND) >= 3, colour
    image = opened(mentions_chart(FIVE, title=TITLE).png).convert("RGB")
    corner = image.getpixel((2, 2))
    assert isinstance(corner, tuple) and min(corner) >= 230  # a light picture, whatever is behind it


def test_alt_text_gives_each_actors_total_and_busiest_day() -> None:
    text = mentions_chart(FIVE, title=TITLE).alt_text
    assert text.startswith(TITLE + ". Line chart of stories a day from 02 Mar to 08 Mar 2026.")
    assert "International Dockworkers Union: 24 stories, most on Thu 05 Mar (9)" in text
    assert "Bashar al-Assad: 12 stories, most on Fri 06 Mar (6)" in text
    assert "Marlow Council: 7 stories, most on Sun 08 Mar (4)" in text
    assert "ECB: 14 stories, most on Mon 02 Mar (2)" in text  # a tie: the first such day


def test_one_actor() -> None:
    series = [("Harbor Authority", week(0, 0, 1, 0, 0, 0, 0))]
    chart = mentions_chart(series, title="One actor")
    figure = mentions_figure(series, title="One actor")
    assert [text.get_text() for text in legend_of(figure).get_texts()] == ["Harbor Authority"]
    assert "Harbor Authority: 1 story, most on Wed 04 Mar (1)" in chart.alt_text
    assert opened(chart.png).size == (1200, 600)
    assert pixels_near(opened(chart.png), PALETTE[0]) > 300


def test_all_zero_days_still_draw_an_axis_from_zero_to_one() -> None:
    series = [("Quiet Council", week(0, 0, 0, 0, 0, 0, 0)), ("Silent Party", week(0, 0, 0, 0, 0, 0, 0))]
    figure = mentions_figure(series, title="Nothing happened")
    [axes] = figure.axes
    figure.canvas.draw()
    low, high = axes.get_ylim()
    assert low < 0 < 1 <= high  # the zero line sits inside the frame, its markers whole
    assert [t for t in axes.get_yticks() if low <= t <= high] == [0, 1]
    chart = mentions_chart(series, title="Nothing happened")
    assert "Quiet Council: no stories; Silent Party: no stories." in chart.alt_text
    image = opened(chart.png)
    assert len(image.convert("RGB").getcolors(maxcolors=1 << 24) or []) > 100  # frame, text, legend
    assert pixels_near(image, PALETTE[0]) > 100  # the flat line is drawn, not hidden under the frame


def test_long_names_are_shortened_in_the_legend_kept_whole_in_words_and_fit_the_picture() -> None:
    long = "International Federation of Dockworkers, Longshoremen and Allied Harbour Trades of the North"
    series = [(long, week(1, 2, 3, 4, 5, 6, 7)), ("B" * 200, week(7, 6, 5, 4, 3, 2, 1))]
    figure = mentions_figure(series, title="T" * 300)
    figure.canvas.draw()
    labels = [text.get_text() for text in legend_of(figure).get_texts()]
    assert all(len(label) <= LABEL_CHARS and label.endswith("…") for label in labels)
    assert labels[0].startswith("International Federation of Dock")
    picture = figure.bbox
    legend_box = legend_of(figure).get_window_extent()
    assert picture.x0 <= legend_box.x0 and legend_box.x1 <= picture.x1  # not cut at the edges
    [axes] = figure.axes
    title_box = axes.title.get_window_extent()
    assert title_box.x1 <= picture.x1
    chart = mentions_chart(series, title="Long names")
    assert long in chart.alt_text and len(chart.alt_text) <= ALT_TEXT_CHARS


def test_alt_text_stays_within_slacks_limit() -> None:
    series = [(f"Actor number {n} " + "x" * 300, week(1, 2, 3, 4, 5, 6, 7)) for n in range(5)]
    text = describe(series, title=TITLE)
    assert len(text) == ALT_TEXT_CHARS and text.endswith("…")


def test_names_with_dollars_and_underscores_are_drawn_as_written() -> None:
    series = [("$5bn fund and $3bn bond", week(1, 0, 0, 0, 0, 0, 0)), ("_private", week(0, 1, 0, 0, 0, 0, 0))]
    figure = mentions_figure(series, title="A$ and US$ markets")
    figure.canvas.draw()  # mathtext would have been tried here, and refused "$5bn fund and $"
    texts = legend_of(figure).get_texts()
    assert len(texts) == 2  # a label starting with "_" is left out of a legend unless fixed
    assert not any(cbook.is_math_text(text.get_text()) for text in texts)  # drawn as plain text
    assert "$5bn fund and $3bn bond: 1 story" in mentions_chart(series, title="x").alt_text


def test_a_month_of_days_gets_at_most_ten_day_ticks() -> None:
    series = [
        (name, [(MONDAY + timedelta(days=n), (n * k) % 5) for n in range(30)]) for k, name in enumerate(NAMES)
    ]
    figure = mentions_figure(series, title="Last 30 days")
    figure.canvas.draw()
    [axes] = figure.axes
    labels = [label.get_text() for label in axes.get_xticklabels()]
    assert 5 <= len(labels) <= 10 and labels[0] == "02 Mar"
    assert opened(mentions_chart(series, title="Last 30 days").png).size == (1200, 600)


def test_no_actor_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one actor"):
        mentions_chart([], title=TITLE)


def test_worker_threads_draw_the_same_picture_at_once() -> None:
    """Each chart is a Figure of its own on its own canvas: threads drawing together do not mix."""
    serial = [mentions_chart(s, title=TITLE).png for s in _variants()]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(lambda s: mentions_chart(s, title=TITLE).png, _variants()))
    assert parallel == serial
    assert len(set(serial)) == len(serial)


def _variants() -> Sequence[Series]:
    return [[(name, week(*[(n + shift) % 6 for n in range(7)])) for name in NAMES[:3]] for shift in range(6)]


def test_drawing_needs_neither_pyplot_nor_a_display() -> None:
    """In a fresh interpreter with no DISPLAY, this module imported first: a chart is drawn and pyplot
    (its global figures, its choice of a GUI backend) is never loaded."""
    program = (
        "import sys; from datetime import date; from bot.render.chart import mentions_chart; "
        "chart = mentions_chart([('A', [(date(2026, 3, 2), 1)])], title='t'); "
        "print(len(chart.png) > 1000, 'matplotlib.pyplot' in sys.modules)"
    )
    environment = {
        k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY", "MPLBACKEND"}
    }
    done = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "False"]
