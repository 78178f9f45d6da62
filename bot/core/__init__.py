"""The platform-neutral command core: a command in (who, where, text), replies out as plain values.

It knows nothing of Slack, Discord or the terminal; adapters translate their payloads into
:class:`Incoming` and render the replies within their platform's limits.
"""

from __future__ import annotations

from bot.core.commands import COMMANDS, CommandCore
from bot.core.messages import (
    ActorReply,
    AnswerReply,
    BriefReply,
    DigestReply,
    Incoming,
    Reply,
    SearchReply,
    TextReply,
    TrendingReply,
)

__all__ = [
    "COMMANDS",
    "ActorReply",
    "AnswerReply",
    "BriefReply",
    "CommandCore",
    "DigestReply",
    "Incoming",
    "Reply",
    "SearchReply",
    "TextReply",
    "TrendingReply",
]
