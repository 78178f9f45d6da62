"""What travels between the core and the adapters."""

from __future__ import annotations

from dataclasses import dataclass

from bot.digest import Digest
from storage.values import Answer, Article, SearchHit
from summarizer import Brief


@dataclass(frozen=True, slots=True, kw_only=True)
class Incoming:
    """One command as a user typed it, and where.

    ``is_manager`` is decided by the adapter from the platform's own roles (Slack: workspace admins
    or a configured list; Discord: Manage Channels), so the core never asks a platform anything.
    """

    platform: str
    channel: str
    user: str
    text: str
    channel_name: str | None = None
    is_manager: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class TextReply:
    """A short message: a notice, a usage line, an error. ``private`` replies go to the asker only."""

    text: str
    private: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class BriefReply:
    article: Article
    brief: Brief
    same_story: tuple[Article, ...] = ()  # the story as other outlets told it


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchReply:
    query: str
    hits: tuple[SearchHit, ...]
    page: int
    has_more: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class AnswerReply:
    answer: Answer


@dataclass(frozen=True, slots=True, kw_only=True)
class DigestReply:
    """A digest: posted to the channel, or (``private``, the ``digest`` preview) shown to the asker only."""

    digest: Digest
    private: bool = False


Reply = TextReply | BriefReply | SearchReply | AnswerReply | DigestReply
