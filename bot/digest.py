"""Composing a channel's digest: the new articles grouped by story, ranked, briefly told.

Stories carried by more sources rank first, then the more recent and the more salient. Each story
gets one or two sentences of its best member's brief and a link; the digest adds a line of the day's
key actors and the figures that stand out. All data comes in a fixed number of queries, whatever
the number of articles (no per-article query loops).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from storage.models import ArticleRow, BriefRow, SourceRow
from storage.store import Store
from storage.values import Article
from summarizer import Brief

MAX_STORIES = 6
SENTENCES_PER_STORY = 2
MAX_ACTORS = 8
MAX_FIGURES = 5


@dataclass(frozen=True, slots=True, kw_only=True)
class DigestStory:
    title: str
    url: str | None
    summary: tuple[str, ...]
    sources: int
    article_ids: tuple[int, ...]
    latest: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class DigestFigure:
    text: str
    sentence: str
    story: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Digest:
    """One channel's digest for one local day."""

    channel: int
    day: date
    timezone: str
    stories: tuple[DigestStory, ...]
    actors: tuple[str, ...]
    figures: tuple[DigestFigure, ...]
    article_ids: tuple[int, ...]  # every article this digest accounts for, shown or folded in
    more_stories: int = 0

    @property
    def empty(self) -> bool:
        return not self.article_ids


def compose(
    store: Store, channel_id: int, *, now: datetime, timezone: str = "UTC", max_stories: int = MAX_STORIES
) -> Digest:
    zone = ZoneInfo(timezone)
    articles = store.new_for_channel(channel_id)
    day = now.astimezone(zone).date()
    if not articles:
        return Digest(
            channel=channel_id, day=day, timezone=timezone, stories=(), actors=(), figures=(), article_ids=()
        )
    ids = [a.id for a in articles]
    with store.sessions() as session:
        briefs = {
            article_id: Brief.from_dict(data)
            for article_id, data in session.execute(
                select(BriefRow.article_id, BriefRow.data).where(BriefRow.article_id.in_(ids))
            )
        }
        sources = dict(
            session.execute(
                select(ArticleRow.id, SourceRow.location)
                .join(SourceRow, SourceRow.id == ArticleRow.source_id)
                .where(ArticleRow.id.in_(ids))
            ).all()
        )
    by_story: dict[int, list[int]] = defaultdict(list)
    meta = {a.id: a for a in articles}
    for article in articles:
        by_story[article.story_id if article.story_id is not None else -article.id].append(article.id)

    ranked = sorted(
        by_story.values(), key=lambda members: _story_rank(members, meta, briefs, sources), reverse=True
    )
    stories: list[DigestStory] = []
    actor_weight: dict[str, float] = defaultdict(float)
    figures: list[DigestFigure] = []
    for members in ranked[:max_stories]:
        lead_id = max(members, key=lambda i: (len(briefs[i].summary) if i in briefs else 0, -i))
        lead = meta[lead_id]
        brief = briefs.get(lead_id)
        outlets = {sources.get(i) or meta[i].url or f"#{i}" for i in members}
        stories.append(
            DigestStory(
                title=brief.title if brief else lead.title,
                url=lead.url,
                summary=tuple(brief.summary[:SENTENCES_PER_STORY]) if brief else (),
                sources=len(outlets),
                article_ids=tuple(sorted(members)),
                latest=max(meta[i].published_at or meta[i].fetched_at for i in members),
            )
        )
        if brief:
            for actor in brief.actors[:5]:
                actor_weight[actor.name] += actor.salience * len(outlets)
            if brief.figures:
                top = brief.figures[0]
                figures.append(
                    DigestFigure(text=top.text, sentence=top.sentence_text, story=stories[-1].title)
                )
    actors = tuple(name for name, _ in sorted(actor_weight.items(), key=lambda kv: -kv[1])[:MAX_ACTORS])
    return Digest(
        channel=channel_id,
        day=day,
        timezone=timezone,
        stories=tuple(stories),
        actors=actors,
        figures=tuple(figures[:MAX_FIGURES]),
        article_ids=tuple(ids),
        more_stories=max(0, len(ranked) - max_stories),
    )


def _story_rank(
    members: Sequence[int], meta: dict[int, Article], briefs: dict[int, Brief], sources: dict[int, str]
) -> tuple[int, float, float]:
    outlets = len({sources.get(i) or meta[i].url or f"#{i}" for i in members})
    latest = max((meta[i].published_at or meta[i].fetched_at).timestamp() for i in members)
    salience = max(
        (sum(a.salience for a in briefs[i].actors[:3]) for i in members if i in briefs), default=0.0
    )
    return outlets, latest // 3600, salience
