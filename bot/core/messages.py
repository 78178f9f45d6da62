"""What travels between the core and the adapters."""

from __future__ import annotations

from dataclasses import dataclass

from bot.render.chart import Chart
from storage.actor_views import ActorView, Trending
from storage.values import Answer, Article, Digest, SearchHit
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
    chart: Chart | None = None  # the week's chart of the top actors, on the channel's chart day
    threaded: bool = False  # the channel's choice: a short parent message, each story a reply in its thread


@dataclass(frozen=True, slots=True, kw_only=True)
class ActorReply:
    """``actor <name>``: one actor across the stored articles."""

    view: ActorView


@dataclass(frozen=True, slots=True, kw_only=True)
class TrendingReply:
    """``trending``: who rose and who is new over ``days``, with the chart of their stories a day."""

    trending: Trending
    days: int
    chart: Chart | None = None


Reply = TextReply | BriefReply | SearchReply | AnswerReply | DigestReply | ActorReply | TrendingReply
