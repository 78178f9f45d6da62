"""``briefbot chat``: the commands at a terminal prompt, against the same store, no token needed."""

from __future__ import annotations

import asyncio
import getpass
import sys
from typing import TextIO

from bot.core import CommandCore, Incoming
from bot.render.text import render_text
from bot.render.view import to_view

PROMPT = "briefbot> "


async def chat(
    core: CommandCore, *, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout, channel: str = "local"
) -> int:
    """Read commands line by line until end of input or ``quit``; the local user manages the channel."""
    user = getpass.getuser()
    interactive = stdin.isatty()
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
            print(render_text(to_view(reply)), file=stdout, flush=True)
            print(file=stdout)
    return 0
