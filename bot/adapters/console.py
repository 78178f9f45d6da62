"""``briefbot chat``: the commands at a terminal prompt, against the same store, no token needed.

A terminal shows no picture: a reply's chart is written as a PNG file (:func:`save_chart`) and its
alt text and path printed after the reply's text, the path on a line of its own to open or copy.
"""

from __future__ import annotations

import asyncio
import getpass
import os
import stat
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import TextIO

from bot.core import CommandCore, Incoming, Reply
from bot.core.posting import Poster, Progress
from bot.render.chart import Chart
from bot.render.text import render_text, shows_bold
from bot.render.view import View, to_view

PROMPT = "briefbot> "
CHARTS_FOLDER = "briefbot-charts"


def chart_folder() -> Path:
    """Where charts are written: ``briefbot-charts`` in the system's temp folder.

    The temp folder, not the user's data folder: a chart is looked at once, and the system clears its
    temp folder (at boot, or by age), so a console left running for months does not fill a disk with
    them. The folder is made for this user only (0700); one there already that is another user's, or
    a symlink, is not used (a shared /tmp lets anyone make it first): a fresh private one is.
    """
    folder = Path(tempfile.gettempdir()) / CHARTS_FOLDER
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        found = folder.lstat()
        if stat.S_ISDIR(found.st_mode) and (not hasattr(os, "getuid") or found.st_uid == os.getuid()):
            return folder
    except OSError:
        pass
    return Path(tempfile.mkdtemp(prefix=f"{CHARTS_FOLDER}-"))


def save_chart(chart: Chart, folder: Path | None = None) -> Path:
    """Write the chart's PNG under a name no other chart has (``trending-20260302-091500-k3j9.png``),
    readable by this user only; returns its path."""
    folder = folder or chart_folder()
    folder.mkdir(parents=True, exist_ok=True)
    stem = Path(chart.filename).stem or "chart"
    prefix = f"{stem}-{datetime.now():%Y%m%d-%H%M%S}-"
    handle, name = tempfile.mkstemp(prefix=prefix, suffix=".png", dir=folder)  # O_EXCL, mode 0600
    with os.fdopen(handle, "wb") as file:
        file.write(chart.png)
    return Path(name)


def view_text(view: View, *, charts: Path | None = None, bold: bool = False) -> str:
    """The view as the terminal prints it: its text (``bold``: in the terminal's bold where the view
    has it), then for each chart (a threaded digest's is in its thread) its alt text and, on a line of
    its own, the path it was written to (or why not)."""
    text = render_text(view, bold=bold)
    for chart in view.charts():
        try:
            where = str(save_chart(chart, charts))
        except OSError as error:
            where = f"(the chart could not be written: {error})"
        text = f"{text}\n\nChart: {chart.alt_text}\n{where}"
    return text


async def chat(
    core: CommandCore,
    *,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    channel: str = "local",
    charts: Path | None = None,
) -> int:
    """Read commands line by line until end of input or ``quit``; the local user manages the channel.
    Charts are written to ``charts`` (default: :func:`chart_folder`)."""
    user = getpass.getuser()
    interactive = stdin.isatty()
    bold = shows_bold(stdout)
    if interactive:
        print("briefbot chat — type `help` for the commands, `quit` to leave.", file=stdout)
    while True:
        if interactive:
            print(PROMPT, end="", file=stdout, flush=True)
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            break
        text = line.strip()
        if not text:
            continue
        if text.lower() in {"quit", "exit"}:
            break
        replies = await core.handle(
            Incoming(
                platform="console",
                channel=channel,
                user=user,
                text=text,
                channel_name="console",
                is_manager=True,
            )
        )
        for reply in replies:
            view = to_view(reply)
            shown = render_text(view, bold=bold)
            if view.charts():  # writing its file is disk work: off the event loop
                shown = await asyncio.to_thread(view_text, view, charts=charts, bold=bold)
            print(shown, file=stdout, flush=True)
            print(file=stdout)
    return 0


def console_poster(stream: TextIO, *, charts: Path | None = None) -> Poster:
    """The scheduler's poster for ``--console``: each reply printed as one message; a chart written
    to a file in ``charts`` (default: the console's chart folder), its path on the reply's last line."""

    async def post(
        channel: str,
        reply: Reply,
        *,
        start: int = 0,
        sent: Progress | None = None,
        thread: str | None = None,
    ) -> None:
        if start == 0:  # the console prints a reply as one message, a thread's replies in it
            text = await asyncio.to_thread(view_text, to_view(reply), charts=charts, bold=shows_bold(stream))
            print(f"[briefbot → console:{channel}]\n{text}\n", file=stream, flush=True)
        if sent is not None:
            await sent(1)

    return post
