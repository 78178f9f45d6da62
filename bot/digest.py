"""Composing a channel's digest: the new articles grouped by story, ranked, briefly told.

Stories carried by more sources rank first, then the more recent and the more salient. Each story
gets one or two sentences of its best member's brief and a link; the digest adds a line of the day's
key actors and the figures that stand out. All data comes in a fixed number of queries, whatever
the number of articles (no per-article query loops).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from storage.channels import undelivered
from storage.digest_inputs import RankingInputs, briefs_of, ranking_inputs
from storage.store import Store
from storage.values import Article, Digest, DigestFigure, DigestStory
from summarizer import Brief

MAX_STORIES = 6
SENTENCES_PER_STORY = 2
MAX_ACTORS = 8
MAX_FIGURES = 5


def compose(
    store: Store,
    channel_id: int,
    *,
    now: datetime,
    timezone: str = "UTC",
    max_stories: int = MAX_STORIES,
    article_ids: Sequence[int] | None = None,
) -> Digest:
    """The channel's digest of what it was not sent (``article_ids``: of those, when a digest begun
    by another attempt is continued: the same articles make the same messages)."""
    zone = ZoneInfo(timezone)
    articles = undelivered(store, channel_id, only=article_ids)
    day = now.astimezone(zone).date()
    if not articles:
        return Digest(
            channel=channel_id, day=day, timezone=timezone, stories=(), actors=(), figures=(), article_ids=()
        )
    ids = [a.id for a in articles]
    # Ranking needs only each article's top actors' salience and its source; the briefs themselves
    # are read for the few stories shown.
    inputs = ranking_inputs(store, ids)
    meta = {a.id: a for a in articles}
    ranked = rank_stories(meta, inputs)
    shown = ranked[:max_stories]
    leads = [max(members, key=lambda i: (inputs.salience.get(i, 0.0), -i)) for members in shown]
    stories, actors, figures = tell(shown, leads, meta, inputs, briefs_of(store, leads))
    return Digest(
        channel=channel_id,
        day=day,
        timezone=timezone,
        stories=stories,
        actors=actors,
        figures=figures,
        article_ids=tuple(ids),
        more_stories=max(0, len(ranked) - max_stories),
    )


def rank_stories(meta: dict[int, Article], inputs: RankingInputs) -> list[list[int]]:
    """The articles' ids (``meta``: the articles by id) grouped by story (an article without one is
    a story of its own), the stories in :func:`_story_rank`'s order, best first."""
    by_story: dict[int, list[int]] = defaultdict(list)
    for article in meta.values():
        by_story[article.story_id if article.story_id is not None else -article.id].append(article.id)
    return sorted(
        by_story.values(),
        key=lambda members: _story_rank(members, meta, inputs.salience, inputs.sources),
        reverse=True,
    )


def tell(
    shown: Sequence[Sequence[int]],
    leads: Sequence[int],
    meta: dict[int, Article],
    inputs: RankingInputs,
    briefs: dict[int, Brief],
) -> tuple[tuple[DigestStory, ...], tuple[str, ...], tuple[DigestFigure, ...]]:
    """The shown stories told by their lead article's brief, the key actors across them (weighed by
    salience and by how many outlets told each story) and each story's first figure."""
    stories: list[DigestStory] = []
    actor_weight: dict[str, float] = defaultdict(float)
    figures: list[DigestFigure] = []
    for members, lead_id in zip(shown, leads, strict=True):
        lead = meta[lead_id]
        brief = briefs.get(lead_id)
        outlets = {inputs.sources.get(i) or meta[i].url or f"#{i}" for i in members}
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
    return tuple(stories), actors, tuple(figures[:MAX_FIGURES])


def _story_rank(
    members: Sequence[int], meta: dict[int, Article], salience: dict[int, float], sources: dict[int, str]
) -> tuple[int, float, float]:
    """More sources first, then the more recent (by the hour), then the more salient."""
    outlets = len({sources.get(i) or meta[i].url or f"#{i}" for i in members})
    latest = max((meta[i].published_at or meta[i].fetched_at).timestamp() for i in members)
    return outlets, latest // 3600, max(salience.get(i, 0.0) for i in members)
