"""What composing a digest reads from the store besides the new articles: each article's salience
and source (to rank the stories) and the briefs of the few stories shown.

In a fixed number of statements whatever the number of articles (IN-lists in chunks), so that a
channel with ten thousand new articles costs the same round trips as one with ten.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from storage.models import ActorRow, ArticleRow, BriefRow, SourceRow
from storage.store import Store
from summarizer import Brief

TOP_ACTORS_FOR_RANK = 3
CHUNK = 10_000


@dataclass(frozen=True, slots=True)
class RankingInputs:
    """Per article id: the summed salience of its top actors, and the location of its source."""

    salience: dict[int, float]
    sources: dict[int, str]


def ranking_inputs(store: Store, ids: Sequence[int]) -> RankingInputs:
    salience: dict[int, float] = defaultdict(float)
    sources: dict[int, str] = {}
    with store.sessions() as session:
        for chunk in chunked(ids):
            for article_id, total in session.execute(
                select(ActorRow.article_id, func.sum(ActorRow.salience))
                .where(ActorRow.article_id.in_(chunk), ActorRow.rank < TOP_ACTORS_FOR_RANK)
                .group_by(ActorRow.article_id)
            ):
                salience[article_id] = float(total or 0.0)
            sources.update(
                dict(
                    session.execute(
                        select(ArticleRow.id, SourceRow.location)
                        .join(SourceRow, SourceRow.id == ArticleRow.source_id)
                        .where(ArticleRow.id.in_(chunk))
                    ).all()
                )
            )
    return RankingInputs(salience=salience, sources=sources)


def briefs_of(store: Store, ids: Sequence[int]) -> dict[int, Brief]:
    """The stored briefs of these articles (one statement: they are the few stories shown)."""
    with store.sessions() as session:
        return {
            article_id: Brief.from_dict(data)
            for article_id, data in session.execute(
                select(BriefRow.article_id, BriefRow.data).where(BriefRow.article_id.in_(list(ids)))
            )
        }


def chunked(ids: Sequence[int], size: int = CHUNK) -> list[Sequence[int]]:
    """IN-lists in pieces: PostgreSQL takes at most 65,535 parameters in one statement."""
    return [ids[i : i + size] for i in range(0, len(ids), size)]
