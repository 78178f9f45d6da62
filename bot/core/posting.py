"""How a finished reply reaches a channel outside a command: the scheduler's posters.

Each platform adapter provides one; the deliverer (``bot.delivery``) calls it.
"""

from __future__ import annotations

from typing import Protocol

from bot.core.messages import Reply


class PartlyPosted(Exception):
    """A long reply went out as several messages and one failed: ``sent`` of them are already posted.

    Posters raise it (from the platform's error) so that a retry continues with the next message
    instead of posting the first ones again.
    """

    def __init__(self, sent: int) -> None:
        super().__init__(f"{sent} message(s) were posted before the failure")
        self.sent = sent


class Poster(Protocol):
    """Posts a reply to a channel (its platform id), from message number ``start`` of its rendering."""

    async def __call__(self, channel: str, reply: Reply, *, start: int = 0) -> None: ...
