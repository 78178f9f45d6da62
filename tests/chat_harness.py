"""What every chat adapter's test harness offers, so one contract suite drives them all.

A harness sends a command as its platform delivers it (a console line, a signed Slack slash command,
a Discord interaction) and returns what the platform received back, flattened to plain text.
Each platform's module (``harness_console``, ``harness_slack``, ``harness_discord``) exposes
``open_harness(core) -> AsyncContextManager[Harness]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.core.posting import Poster


@dataclass(frozen=True, slots=True)
class Posted:
    """One message as the platform got it: its visible text, whether only the asker sees it, and the
    parts the platform shows in bold (a terminal shows none)."""

    text: str
    private: bool = False
    bold: tuple[str, ...] = ()


class Harness(Protocol):
    platform: str

    async def send(self, text: str, *, manager: bool = False) -> list[Posted]: ...

    def poster(self) -> Poster:
        """The platform's real poster, as ``briefbot run`` gives the scheduler's deliverer; what it
        posts during a command is part of what ``send`` returns."""
        ...

    def link(self, url: str) -> str:
        """A link a user typed, as the platform hands it to the bot."""
        ...
