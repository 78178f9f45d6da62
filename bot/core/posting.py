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


class Progress(Protocol):
    """Told, after each message of a reply is posted, how many are posted in all and, for a reply in
    a thread (a threaded digest), the platform's id of the thread's parent message: the deliverer
    records both in the ledger, so a retry by any instance continues after them, in the same thread.
    It may raise to stop the post (the claim was lost): the poster lets that propagate."""

    async def __call__(self, parts: int, thread: str | None = None, /) -> None: ...


class Poster(Protocol):
    """Posts a reply to a channel (its platform id), from message number ``start`` of its rendering,
    awaiting ``sent`` after each message. ``thread``: the parent message an earlier attempt posted,
    whose thread the rest of a threaded reply goes in."""

    async def __call__(
        self,
        channel: str,
        reply: Reply,
        *,
        start: int = 0,
        sent: Progress | None = None,
        thread: str | None = None,
    ) -> None: ...


SendPart = Callable[[int, str | None], Awaitable[str | None]]
"""Posts part ``number`` of a reply (in ``thread``, the parent's id, when the part is a reply in
it) and returns the posted message's id."""


async def post_in_order(
    parts: int,
    send: SendPart,
    *,
    start: int = 0,
    sent: Progress | None = None,
    thread: str | None = None,
    threaded: bool = False,
) -> None:
    """Post parts ``start`` to ``parts - 1`` one after the other, the loop every poster shares.

    ``sent`` hears of each part once the platform took it. A failure after the first part is
    raised as :class:`PartlyPosted`, so the deliverer's retry starts after what is already posted.
    With ``threaded``, part 0 is the parent message of a thread: its id becomes ``thread`` for the
    parts after it, and ``sent`` passes it to the ledger with the count. Whatever ``sent`` raises
    (a lost claim) stops the post.
    """
    for number in range(start, parts):
        try:
            posted = await send(number, thread)
        except Exception as error:
            if number == 0:
                raise
            raise PartlyPosted(number) from error
        if number == 0 and threaded:
            thread = posted
        if sent is not None:
            await sent(number + 1, thread)
