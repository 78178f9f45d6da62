"""How a finished reply reaches a channel outside a command: the scheduler's posters.

Each platform adapter provides one; the deliverer (``bot.delivery``) calls it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
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


Progress = Callable[[int], Awaitable[None]]
"""Told, after each message of a reply is posted, how many are posted in all: the deliverer records
it in the ledger, so a retry by any instance continues after them. It may raise to stop the post
(the claim was lost): the poster lets that propagate."""


class Poster(Protocol):
    """Posts a reply to a channel (its platform id), from message number ``start`` of its rendering,
    awaiting ``sent`` after each message."""

    async def __call__(
        self, channel: str, reply: Reply, *, start: int = 0, sent: Progress | None = None
    ) -> None: ...
