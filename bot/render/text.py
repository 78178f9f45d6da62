"""Views as terminal text: the console adapter's output."""

from __future__ import annotations

import os
import re
import shlex
from textwrap import indent
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.render.view import View

# ANSI bold on and off ("normal intensity"), which every terminal emulator in use understands.
BOLD, NORMAL = "\x1b[1m", "\x1b[22m"
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)


def shows_bold(stream: TextIO) -> bool:
    """Whether the answer's part is shown in bold: on a terminal, unless its user asked for no
    colour (https://no-color.org: ``NO_COLOR`` set and not empty); a pipe or a file gets plain text."""
    try:
        terminal = stream.isatty()
    except ValueError:  # a closed stream
        return False
    return terminal and not os.environ.get("NO_COLOR")


def plain(markdown: str, *, bold: bool = False) -> str:
    """Our Markdown as a terminal shows it: the words kept, the bold marks dropped, or with ``bold``
    turned into the terminal's own bold (the part of a cited sentence that answers)."""
    if bold:
        markdown = _BOLD.sub(lambda found: f"{BOLD}{found.group(1)}{NORMAL}", markdown)
    return markdown.replace("**", "")


def actor_command(name: str) -> str:
    """``actor <name>`` as one types it: the name bare when the command reads it back whole
    (``actor Bashar al-Assad``), else in the quotes that keep it one name (``actor "O'Brien"``)."""
    for quoted in (name, f'"{name}"', shlex.quote(name)):
        try:
            if " ".join(shlex.split(quoted)) == name:
                return f"actor {quoted}"
        except ValueError:  # unbalanced quotes: try the next way of writing it
            continue
    return f"actor {shlex.quote(name)}"  # pragma: no cover - shlex.quote always reads back


def more_line(names: tuple[str, ...]) -> str | None:
    """The terminal's stand-in for actor buttons: the commands that open them, to copy or retype."""
    commands = [actor_command(n) for n in dict.fromkeys(name.strip() for name in names) if n]
    return f"More: {' · '.join(commands)}" if commands else None


def render_text(view: View, *, bold: bool = False) -> str:
    out: list[str] = []
    if view.heading:
        out.append(view.heading)
    for section in view.sections:
        block: list[str] = []
        if section.title:
            block.append(section.title + (f"  <{section.url}>" if section.url else ""))
        block.extend(f"  {line}" for line in section.lines)
        block.extend(f"  {name}: {value}" for name, value in section.fields)
        meta = []
        if section.moment:
            local = section.moment.at.astimezone(ZoneInfo(section.moment.timezone))
            meta.append(f"{local:%Y-%m-%d %H:%M %Z}")
        if section.footer:
            meta.append(section.footer)
        if meta:
            block.append("  " + " · ".join(meta))
        out.append("\n".join(block))
    more = more_line(view.actor_links)
    if more:
        out.append(more)
    # A terminal has no threads: the replies follow, marked as the thread's.
    out.extend(indent(render_text(reply, bold=bold), THREAD_MARK) for reply in view.thread)
    return plain("\n\n".join(out), bold=bold)


THREAD_MARK = "  │ "
