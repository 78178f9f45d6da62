"""The console adapter driven through real pipes, as ``briefbot chat`` reads a terminal."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.adapters.console import chat
from bot.core import CommandCore
from tests.chat_harness import Posted


class ConsoleHarness:
    platform = "console"

    def __init__(self, core: CommandCore) -> None:
        self.core = core

    async def send(self, text: str, *, manager: bool = False) -> list[Posted]:
        # The console user owns the terminal and manages its channel; ``manager`` cannot be false here,
        # so non-manager checks are run on the other platforms only.
        stdin, stdout = io.StringIO(text + "\n"), io.StringIO()
        await asyncio.wait_for(chat(self.core, stdin=stdin, stdout=stdout), timeout=60)
        return [
            Posted(text=block.strip()) for block in stdout.getvalue().split("\n\n\n") if block.strip()
        ] or []

    def link(self, url: str) -> str:
        return url  # a terminal hands over what was typed


@asynccontextmanager
async def open_harness(core: CommandCore) -> AsyncIterator[ConsoleHarness]:
    yield ConsoleHarness(core)
