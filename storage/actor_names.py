"""Reading the names people type for actors: the key a name is stored under, how close a typed name
is to a known one, and the known names to suggest for an unknown one.

One module for both doors: chat's ``actor <name>`` (``storage.actor_views``) and the command line's
``briefbot actors show|merge|split`` (``storage.actor_links``), so a typo gets the same suggestions in
either.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from storage.actor_kinds import KEY_LENGTH
from storage.models import ActorEntityRow, ActorNameRow, ActorRow

# Bounds on the names difflib compares with an unknown name: enough for the typos people make, few
# enough that a 2-character prefix in a large store stays a millisecond's work.
SUGGEST_CANDIDATES = 400
SUGGEST_CUTOFF = 0.6
PART_WEIGHT = 0.9  # a close part of a name ranks below a whole name as close
QUOTES = "\"'“”‘’«»„`"


def name_key(name: str) -> str:
    """A name as ``actor_names`` keys it: surrounding space and quotes gone (``actor "IDU"``),
    inner whitespace made single spaces, lowercased, and no NUL (which no name holds and PostgreSQL
    refuses in a query: Discord's autocomplete passes whatever is typed)."""
    return " ".join(name.replace("\x00", " ").strip().strip(QUOTES).split()).lower()[:KEY_LENGTH]


def suggest(session: Session, name: str, *, limit: int = 3) -> tuple[str, ...]:
    """The display names closest to an unknown ``name``, closest first (equally close: most
    mentioned first).

    difflib compares the name with a bounded set of known names: those beginning with the first two
    letters of one of its words, or with such a word inside them ("Asad" finds "assad" and
    "bashar al-assad"). A typo in the first two letters of every word of the name finds nothing.
    """
    key = name_key(name)
    stems = sorted({word[:2] for word in re.findall(r"\w+", key) if len(word) >= 2})
    if not stems or limit <= 0:
        return ()
    keys: dict[str, int] = {}
    for stem in stems[:4]:
        starts = select(ActorNameRow.key, ActorNameRow.actor_id).where(*starts_with(ActorNameRow.key, stem))
        inside = select(ActorNameRow.key, ActorNameRow.actor_id).where(
            or_(*(ActorNameRow.key.contains(f"{sep}{stem}", autoescape=True) for sep in " -"))
        )
        for query in (starts, inside):
            keys.update(session.execute(query.limit(SUGGEST_CANDIDATES)).all())
    scores: dict[int, float] = {}
    for candidate, actor_id in keys.items():
        score = closeness(key, candidate)
        if score >= SUGGEST_CUTOFF and score > scores.get(actor_id, 0.0):
            scores[actor_id] = score
    best = sorted(scores, key=lambda i: -scores[i])[: limit * 3]
    counted = mentions(session, best)
    names = display_names(session, best)
    order = sorted(best, key=lambda i: (-round(scores[i], 2), -counted.get(i, 0), names[i]))
    return tuple(dict.fromkeys(names[i] for i in order))[:limit]


def closeness(typed: str, known: str) -> float:
    """How close a typed name is to a known one (0 to 1): difflib's ratio of the whole names, or
    (a little less) of the typed words against as many consecutive words of the known name, so
    "Dockworkers Unoin" is close to "international dockworkers union" and "Sato" to "helen sato"."""
    whole = _ratio(typed, known)
    count = len(typed.split())
    words = known.split()
    if count >= len(words):
        return whole
    runs = (" ".join(words[i : i + count]) for i in range(len(words) - count + 1))
    return max(whole, PART_WEIGHT * max(_ratio(typed, run) for run in runs))


def _ratio(a: str, b: str) -> float:
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    if matcher.real_quick_ratio() < SUGGEST_CUTOFF or matcher.quick_ratio() < SUGGEST_CUTOFF:
        return 0.0
    return matcher.ratio()


def starts_with(column: Any, prefix: str) -> tuple[ColumnElement[bool], ...]:
    """Conditions for "starts with ``prefix``" that a B-tree index serves on both databases under
    any collation: a range on the column (which the index reads), checked by LIKE (which makes it
    exact)."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return column >= prefix, column < upper, column.startswith(prefix, autoescape=True)


def mentions(session: Session, actor_ids: Collection[int]) -> dict[int, int]:
    """Linked article rows per actor (the covering index on (actor_id, article_id))."""
    if not actor_ids:
        return {}
    rows = session.execute(
        select(ActorRow.actor_id, func.count())
        .where(ActorRow.actor_id.in_(sorted(set(actor_ids))))
        .group_by(ActorRow.actor_id)
    )
    return {actor_id: count for actor_id, count in rows if actor_id is not None}


def display_names(session: Session, actor_ids: Collection[int]) -> dict[int, str]:
    if not actor_ids:
        return {}
    rows = session.execute(
        select(ActorEntityRow.id, ActorEntityRow.name).where(ActorEntityRow.id.in_(sorted(set(actor_ids))))
    )
    return {actor_id: name for actor_id, name in rows}
