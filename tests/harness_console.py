"""The console adapter driven through real pipes, as ``briefbot chat`` reads a terminal."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.adapters.console import chat
from bot.core import CommandCore
from bot.core.posting import Poster
from bot.runner import console_poster
from tests.chat_harness import Posted


class ConsoleHarness:
    platform = "console"

    def __init__(self, core: CommandCore) -> None:
        self.core = core
        self.channel = io.StringIO()  # what the deliverer's poster printed, as `briefbot chat` wires it

    def poster(self) -> Poster:
        return console_poster(self.channel)

    async def send(self, text: str, *, manager: bool = False) -> list[Posted]:
        # The console user owns the terminal and manages its channel; ``manager`` cannot be false here,
        # so non-manager checks are run on the other platforms only.
        stdin, stdout = io.StringIO(text + "\n"), io.StringIO()
        before = len(self.channel.getvalue())
        await asyncio.wait_for(chat(self.core, stdin=stdin, stdout=stdout), timeout=60)
        posted = [self.channel.getvalue()[before:].strip()]
        blocks = posted + stdout.getvalue().split("\n\n\n")
        return [Posted(text=block.strip()) for block in blocks if block.strip()]

    def link(self, url: str) -> str:
        return url  # a terminal hands over what was typed


@asynccontextmanager
async def open_harness(core: CommandCore) -> AsyncIterator[ConsoleHarness]:
    yield ConsoleHarness(core)
