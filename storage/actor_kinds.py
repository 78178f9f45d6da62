"""An actor's kind checked against the same name in the other stored articles.

The small model guesses a kind one article at a time, and a guess made on one article's wording
("Sherwood said", "in Marlow") is often wrong where another article of the store says plainly what
the name is. So before a brief is written, each actor whose kind rests on the model alone is
compared with the kinds its name has in the store; ``summarizer.kinds.store_kind`` decides (a kind
the text or the gazetteer supports is kept: a name can be a person here and a place there).
One indexed query per article, on the actors' lowercased names.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import ActorRow
from summarizer import Brief
from summarizer.kinds import store_kind

KEY_LENGTH = 256  # ActorRow.key's column width


def actor_key(name: str) -> str:
    return name.lower()[:KEY_LENGTH]


def kinds_elsewhere(session: Session, keys: Collection[str], article_id: int) -> dict[str, Counter[str]]:
    """For each name key, how many other articles name it as each kind."""
    if not keys:
        return {}
    rows = session.execute(
        select(ActorRow.key, ActorRow.kind, func.count(func.distinct(ActorRow.article_id)))
        .where(ActorRow.key.in_(sorted(keys)), ActorRow.article_id != article_id)
        .group_by(ActorRow.key, ActorRow.kind)
    ).all()
    votes: dict[str, Counter[str]] = {}
    for key, kind, articles in rows:
        votes.setdefault(key, Counter())[kind] += int(articles)
    return votes


def settle_kinds(session: Session, article_id: int, brief: Brief) -> Brief:
    """``brief`` with each guessed kind replaced where the store's other articles agree on another."""
    guessed = {actor_key(a.name) for a in brief.actors if a.kind_evidence == "model"}
    votes = kinds_elsewhere(session, guessed, article_id)
    if not votes:
        return brief
    actors = []
    for actor in brief.actors:
        elsewhere = votes.get(actor_key(actor.name), Counter())
        kind = store_kind(actor.kind, actor.kind_evidence, elsewhere)
        if kind != actor.kind:
            actor = dataclasses.replace(actor, kind=kind, kind_evidence="store")
        actors.append(actor)
    return dataclasses.replace(brief, actors=tuple(actors))


__all__ = ["actor_key", "kinds_elsewhere", "settle_kinds"]
