"""The console adapter driven as ``briefbot chat`` reads a terminal: its output is a terminal's, so the
part of an answer in bold comes in the terminal's bold, which ``Posted.bold`` reads back."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.adapters.console import chat, console_poster
from bot.core import CommandCore
from bot.core.posting import Poster
from bot.render.text import BOLD, NORMAL
from tests.chat_harness import Posted

_ANSI_BOLD = re.compile(f"{re.escape(BOLD)}(.+?){re.escape(NORMAL)}", re.DOTALL)


class Terminal(io.StringIO):
    """What the console writes to, seen as a terminal (``isatty``), as a person at the prompt has."""

    def isatty(self) -> bool:
        super().isatty()  # a closed one raises ValueError, as a real terminal's stream does
        return True


def as_posted(block: str) -> Posted:
    """A printed reply as its reader sees it: the words, and which of them are bold."""
    return Posted(text=_ANSI_BOLD.sub(r"\1", block), bold=tuple(_ANSI_BOLD.findall(block)))


class ConsoleHarness:
    platform = "console"

    def __init__(self, core: CommandCore) -> None:
        self.core = core
        self.channel = Terminal()  # what the deliverer's poster printed, as `briefbot chat` wires it

    def poster(self) -> Poster:
        return console_poster(self.channel)

    async def send(self, text: str, *, manager: bool = False) -> list[Posted]:
        # The console user owns the terminal and manages its channel; ``manager`` cannot be false here,
        # so non-manager checks are run on the other platforms only.
        stdin, stdout = io.StringIO(text + "\n"), Terminal()
        before = len(self.channel.getvalue())
        await asyncio.wait_for(chat(self.core, stdin=stdin, stdout=stdout), timeout=60)
        posted = [self.channel.getvalue()[before:].strip()]
        blocks = posted + stdout.getvalue().split("\n\n\n")
        return [as_posted(block.strip()) for block in blocks if block.strip()]

    def link(self, url: str) -> str:
        return url  # a terminal hands over what was typed


@asynccontextmanager
async def open_harness(core: CommandCore) -> AsyncIterator[ConsoleHarness]:
    yield ConsoleHarness(core)
