"""What the store knows about one actor across its articles, and who is suddenly in the news.

The queries behind ``actor <name>`` (:func:`find_actor`, :func:`suggest_actors`,
:func:`actor_view`), Discord's autocomplete (:func:`complete_actor_names`), ``trending``
(:func:`trending`) and its chart (:func:`mentions_per_day`). They read the actors the linker
(:mod:`storage.actor_links`) made: ``actors``, ``actor_names`` and ``article_actors.actor_id``.

Everything is counted by story, not by article: ten outlets repeating one story are one mention.
An article without a story counts as a story of its own. Periods are by ``articles.fetched_at``
(when the store read it, as ``since:``/``until:`` in search), from ``since`` included to ``until``
excluded, in UTC. Every query starts from an index (the actor's rows of ``article_actors``, the
period's range of ``articles.fetched_at``, a name's range of ``actor_names``), and Python only
handles what a query returns: a page of stories, a few actors, one count per day. Two read more:
names *containing* what is typed scan ``actor_names`` (a row per name, not per article; bounded),
and autocomplete with nothing typed counts every linked row once (a covering index scan). Measured
at 100,000 articles by ``bench/actors_scale.py``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased, defer

from storage.actor_kinds import KEY_LENGTH
from storage.actor_links import find_actor as linked_actor
from storage.actor_names import QUOTES, display_names, mentions, name_key, starts_with, suggest
from storage.models import (
    ActorEntityRow,
    ActorNameRow,
    ActorRow,
    ArticleRow,
    BriefRow,
    FigureRow,
    SentenceRow,
    SourceRow,
)
from storage.store import Store, as_utc, to_article
from storage.values import Article

ALONGSIDE_SHOWN = 5
ALONGSIDE_STORIES = 500  # the latest stories of a period whose actors ``alongside`` counts
WALKED = 2 * ALONGSIDE_STORIES  # rows walked to find them (stories have 1-2 articles naming one)
FIGURES_SHOWN = 5
# ``trending`` leaves places and groups out by default: a team following a beat asks "who is in the
# news", and "US", "London" or "Palestinians" are where and among whom it happens, named in so many
# stories that they would crowd out the people and organisations. ``kinds=None`` counts every kind.
TRENDING_KINDS: tuple[str, ...] = ("person", "organization")
MIN_TREND_STORIES = 2  # one story is an event, not a trend
COMPLETE_CANDIDATES = 200


# -- values --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class KnownActor:
    """An actor as the store knows it: its display name, kind, and the other names meaning it."""

    id: int
    name: str
    kind: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ActorFigure:
    """A figure stated in a sentence that names the actor, with that sentence."""

    text: str
    sentence_text: str
    article_id: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ActorView:
    """One actor over a period: its latest stories (one article each, the story's most recently
    stored that names it), how many stories name it, the actors named in the same stories (in any
    of their articles) with the number of stories shared, and the figures stated in the sentences
    naming it in the articles shown."""

    actor: KnownActor
    since: datetime | None
    until: datetime | None
    stories: tuple[Article, ...]
    story_count: int
    alongside: tuple[tuple[KnownActor, int], ...]  # (actor, stories shared), most shared first
    figures: tuple[ActorFigure, ...]
    alongside_stories: int = 0  # the latest stories ``alongside`` counts in: all, up to 500


@dataclass(frozen=True, slots=True, kw_only=True)
class Trend:
    """An actor's stories in the period and in the period of equal length before it."""

    actor: KnownActor
    stories: int
    before: int

    @property
    def rise(self) -> int:
        return self.stories - self.before


@dataclass(frozen=True, slots=True, kw_only=True)
class Trending:
    """``rising``: named in more stories than in the period before, largest rise first (an actor
    new to the store is in ``new``, not here). ``new``: never named in any story before the period."""

    since: datetime
    until: datetime
    rising: tuple[Trend, ...]
    new: tuple[Trend, ...]


# -- names ---------------------------------------------------------------------------------------------


MARK = "~"  # actor_names keys that are the linker's notes (a shared surname, a first name), not names


def find_actor(store: Store, name: str) -> KnownActor | None:
    """The actor ``name`` (its display name or any alias, in any case) means, or None.

    A name not registered as typed is read as the linker reads names (``actor_links.find_actor``):
    without a title or an article ("President Assad", "the IDU"), so chat finds what ``briefbot
    actors show`` finds."""
    key = name_key(name)
    if not key:
        return None
    as_typed = name.strip().strip(QUOTES).lower()[:KEY_LENGTH]  # a stored name with two spaces
    with store.sessions() as session:
        actor_id = session.scalar(
            select(ActorNameRow.actor_id)
            .where(ActorNameRow.key.in_(sorted({key, as_typed})))
            .order_by(ActorNameRow.key != key)
            .limit(1)
        )
        if actor_id is None:
            linked = linked_actor(session, name.strip().strip(QUOTES))
            actor_id = linked.id if linked is not None else None
        if actor_id is None:
            return None
        return known_actors(session, [actor_id])[actor_id]


def suggest_actors(store: Store, name: str, *, limit: int = 3) -> tuple[str, ...]:
    """The display names closest to an unknown ``name`` (``storage.actor_names.suggest``)."""
    with store.sessions() as session:
        return suggest(session, name, limit=limit)


def complete_actor_names(store: Store, prefix: str, *, limit: int = 25) -> list[str]:
    """Display names for what someone is typing (Discord's autocomplete): actors with a name or
    alias that starts with it first, then those with one containing it, each most mentioned first;
    for nothing typed, the most mentioned actors.

    The candidates are bounded (:data:`COMPLETE_CANDIDATES` of each) before their mentions are
    counted, so one letter typed is no more costly than a name; counting reads each candidate's
    rows in the (actor_id, article_id) index, and nothing typed reads all of it once.
    """
    key = name_key(prefix)
    if limit <= 0:
        return []
    with store.sessions() as session:
        if not key:
            top = session.execute(
                select(ActorRow.actor_id, func.count().label("n"))
                .where(ActorRow.actor_id.is_not(None))
                .group_by(ActorRow.actor_id)
                .order_by(func.count().desc(), ActorRow.actor_id)
                .limit(limit)
            )
            ids = [actor_id for actor_id, _ in top if actor_id is not None]
            names = display_names(session, ids)
            return list(dict.fromkeys(names[i] for i in ids if i in names))
        starting = session.scalars(
            select(ActorNameRow.actor_id)
            .where(*starts_with(ActorNameRow.key, key))
            .order_by(ActorNameRow.key)
            .limit(COMPLETE_CANDIDATES)
        ).all()
        containing = session.scalars(
            select(ActorNameRow.actor_id)
            .where(ActorNameRow.key.contains(key, autoescape=True))
            .limit(COMPLETE_CANDIDATES)
        ).all()
        first = list(dict.fromkeys(starting))
        started = set(first)
        then = [i for i in dict.fromkeys(containing) if i not in started]
        counted = mentions(session, [*first, *then])
        names = display_names(session, [*first, *then])
    ordered = [
        *sorted(first, key=lambda i: (-counted.get(i, 0), names.get(i, ""))),
        *sorted(then, key=lambda i: (-counted.get(i, 0), names.get(i, ""))),
    ]
    return list(dict.fromkeys(names[i] for i in ordered if i in names))[:limit]


def known_actors(session: Session, actor_ids: Iterable[int]) -> dict[int, KnownActor]:
    """The actors of ``actor_ids`` (those that exist) with their aliases.

    ``actor_names`` keeps names lowercased; an alias is shown as some article wrote it when one of
    them names the actor by it, or as it stands in the display name ("Assad" in "Bashar al-Assad"),
    else lowercased.
    """
    ids = sorted(set(actor_ids))
    if not ids:
        return {}
    written = (
        select(ActorRow.name).where(ActorRow.key == ActorNameRow.key).limit(1).correlate(ActorNameRow)
    ).scalar_subquery()
    found: dict[int, tuple[str, str]] = {}
    aliases: dict[int, list[str]] = {}
    for actor_id, name, kind, key, as_written in session.execute(
        select(ActorEntityRow.id, ActorEntityRow.name, ActorEntityRow.kind, ActorNameRow.key, written)
        .outerjoin(ActorNameRow, ActorNameRow.actor_id == ActorEntityRow.id)
        .where(ActorEntityRow.id.in_(ids))
    ):
        found[actor_id] = (name, kind)
        aliases.setdefault(actor_id, [])
        if key is not None and not key.startswith(MARK) and key != name.lower():
            aliases[actor_id].append(_display(key, name, as_written))
    return {
        actor_id: KnownActor(
            id=actor_id,
            name=name,
            kind=kind,
            aliases=tuple(sorted(dict.fromkeys(aliases[actor_id]), key=str.lower)),
        )
        for actor_id, (name, kind) in found.items()
    }


def _display(key: str, name: str, as_written: str | None) -> str:
    """An alias key as it is best shown: as an article wrote it, as the display name spells it, in
    capitals when it is the name's initials ("IDU"), else as keyed."""
    if as_written:
        return as_written
    at = name.lower().find(key)
    if at >= 0:
        return name[at : at + len(key)]
    initials = "".join(word[0] for word in re.findall(r"\w+", name) if word[0].isupper())
    return key.upper() if len(key) > 1 and key.upper() == initials else key


# -- one actor -----------------------------------------------------------------------------------------


def story_of() -> ColumnElement[int]:
    """The story an article is counted in (its own, negated id, when it has none)."""
    return func.coalesce(ArticleRow.story_id, -ArticleRow.id)


def _bound(store: Store, moment: datetime | None) -> datetime | None:
    """A moment as the column compares it: UTC; naive on SQLite, which stores naive UTC text."""
    value = as_utc(moment)
    if value is None or store.dialect == "postgresql":
        return value
    return value.replace(tzinfo=None)


def _in_period(store: Store, since: datetime | None, until: datetime | None) -> list[ColumnElement[bool]]:
    clauses = []
    if since is not None:
        clauses.append(ArticleRow.fetched_at >= _bound(store, since))
    if until is not None:
        clauses.append(ArticleRow.fetched_at < _bound(store, until))
    return clauses


def _article_ids_in_period(
    session: Session, store: Store, since: datetime | None, until: datetime | None
) -> list[ColumnElement[bool]] | None:
    """Bounds on ``article_actors.article_id`` that every article of the period meets (the lowest
    and highest id fetched in it, which the ``fetched_at`` index gives), or None when the period
    has no article. They only narrow what is read (``fetched_at`` still decides), so an actor's
    rows of the period are a range of the (actor_id, article_id) index rather than all its years
    of rows, since ids follow ``fetched_at`` (the store numbers articles as it takes them in).

    Read first, so that the planner sees the numbers. "id + 0": given ``min(id)``, both databases
    walk the primary key from its start until an article of the period comes (all but the
    period's for a recent one: 100 ms on SQLite at 100,000 articles)."""
    if since is None and until is None:
        return []
    first = select(func.min(ArticleRow.id + 0)).where(*_in_period(store, since, until))
    last = select(func.max(ArticleRow.id + 0)).where(*_in_period(store, since, until))
    low, high = session.execute(select(first.scalar_subquery(), last.scalar_subquery())).one()
    if low is None:
        return None
    return [ActorRow.article_id >= low, ActorRow.article_id <= high]


def actor_view(
    store: Store,
    actor_id: int,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 5,
) -> ActorView:
    """The actor ``actor_id`` over [since, until) (all time when unbounded). Raises ``LookupError``
    for an id with no actor (find it first with :func:`find_actor`).

    One pass over the actor's rows of the period counts its stories and finds the latest; what
    follows reads only those: the page's articles, and the actors of the latest
    :data:`ALONGSIDE_STORIES` stories, which is every story of a 30-day period even for the most
    named actor of a store reading 100,000 articles in two years. Over all time, a much named
    actor's company is thus the company it keeps lately, at a bounded cost (counting the actors of
    all its stories cost 5-10 times the count of its stories at 100,000 articles).
    """
    period = _in_period(store, since, until)
    with store.sessions() as session:
        ids = _article_ids_in_period(session, store, since, until)
        stories, story_count = ([], 0) if ids is None else _latest_stories(session, actor_id, [*period, *ids])
        shared = _alongside(session, actor_id, stories)
        actors = known_actors(session, [actor_id, *(other for other, _ in shared)])
        if actor_id not in actors:
            raise LookupError(f"no actor #{actor_id}")
        articles = _story_articles(session, actor_id, stories[: max(limit, 0)], period)
        figures = _figures(session, actor_id, [article.id for article in articles])
    return ActorView(
        actor=actors[actor_id],
        since=as_utc(since),
        until=as_utc(until),
        stories=articles,
        story_count=story_count,
        alongside=tuple((actors[other], count) for other, count in shared if other in actors),
        alongside_stories=len(stories),
        figures=figures,
    )


def _latest_stories(
    session: Session, actor_id: int, period: Sequence[ColumnElement[bool]]
) -> tuple[list[int], int]:
    """The actor's latest :data:`ALONGSIDE_STORIES` stories in the period, latest first, and how
    many it has there.

    Latest is most recently stored: the highest article id, which is ``fetched_at``'s order (the
    time the store took the article in). Ordering by the id spares SQLite reading ``fetched_at``
    from every article row, where it lies past the text, in overflow pages (by ``fetched_at`` this
    cost 2.5 times the count of the stories for the most named actor over all time).

    Each database gets the plan it runs well. SQLite walks the actor's rows of the (actor_id,
    article_id) index backwards: the walk meets each story first at its latest article, so its
    first distinct stories are the latest, with no sort; the count is a scalar subquery run once.
    PostgreSQL, given that walk, reads the article_id index backwards for the actor's rows (it
    expects them spread evenly), so it groups the rows by story instead (a hash aggregate), counts
    the groups with a window and keeps the latest.
    """
    story = story_of()
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(
            select(story.label("story"), func.count().over())
            .select_from(ActorRow)
            .join(ArticleRow, ArticleRow.id == ActorRow.article_id)
            .where(ActorRow.actor_id == actor_id, *period)
            .group_by(story)
            .order_by(func.max(ArticleRow.id).desc())
            .limit(ALONGSIDE_STORIES)
        ).all()
        return [key for key, _ in rows], (rows[0][1] if rows else 0)
    total = (
        select(func.count(func.distinct(story)))
        .select_from(ActorRow)
        .join(ArticleRow, ArticleRow.id == ActorRow.article_id)
        .where(ActorRow.actor_id == actor_id, *period)
        .scalar_subquery()
    )
    walk = (
        select(story, total)
        .select_from(ActorRow)
        .join(ArticleRow, ArticleRow.id == ActorRow.article_id)
        .where(ActorRow.actor_id == actor_id, *period)
        .order_by(ActorRow.article_id.desc())
    )
    rows = session.execute(walk.limit(WALKED)).all()
    count = rows[0][1] if rows else 0
    stories = list(dict.fromkeys(key for key, _ in rows))
    if len(rows) == WALKED and len(stories) < min(count, ALONGSIDE_STORIES):
        stories = list(dict.fromkeys(key for key, _ in session.execute(walk)))  # stories of many outlets
    return stories[:ALONGSIDE_STORIES], count


def _in_stories(stories: Sequence[int]) -> ColumnElement[bool]:
    """Articles of these story keys (see :func:`story_of`), by the index on ``story_id`` (or id)."""
    told = [key for key in stories if key > 0]
    alone = [-key for key in stories if key < 0]
    if not alone:
        return ArticleRow.story_id.in_(told)
    return or_(ArticleRow.story_id.in_(told), and_(ArticleRow.story_id.is_(None), ArticleRow.id.in_(alone)))


def _alongside(session: Session, actor_id: int, stories: Sequence[int]) -> list[tuple[int, int]]:
    """(actor, stories shared) for the actors named in any article of ``stories``, most first.

    From the stories' articles (the ``story_id`` index) to their actors: no condition on
    ``actor_id`` here, which would tempt a planner into reading that index whole; the actor itself
    and unlinked rows are left out of the few groups returned."""
    if not stories:
        return []
    shared = func.count(func.distinct(story_of())).label("shared")
    rows = session.execute(
        select(ActorRow.actor_id, shared)
        .select_from(ArticleRow)
        .join(ActorRow, ActorRow.article_id == ArticleRow.id)
        .where(_in_stories(stories))
        .group_by(ActorRow.actor_id)
        .order_by(shared.desc(), ActorRow.actor_id)
        .limit(ALONGSIDE_SHOWN + 2)
    ).all()
    return [(other, count) for other, count in rows if other is not None and other != actor_id][
        :ALONGSIDE_SHOWN
    ]


def _story_articles(
    session: Session, actor_id: int, stories: Sequence[int], period: Sequence[ColumnElement[bool]]
) -> tuple[Article, ...]:
    """For each of ``stories``, in order, its latest (most recently stored) article in the period
    that names the actor, as an Article value with its source's name."""
    if not stories:
        return ()
    names_actor = exists().where(ActorRow.article_id == ArticleRow.id, ActorRow.actor_id == actor_id)
    rows = session.execute(
        select(ArticleRow, SourceRow.location, SourceRow.title)
        .outerjoin(SourceRow, SourceRow.id == ArticleRow.source_id)
        .where(_in_stories(stories), names_actor, *period)
        .options(defer(ArticleRow.text))
        .order_by(ArticleRow.id.desc())
    ).all()
    latest: dict[int, Article] = {}
    for row, location, title in rows:  # the few articles of a page of stories
        latest.setdefault(
            row.story_id if row.story_id is not None else -row.id, to_article(row, title or location)
        )
    return tuple(latest[key] for key in stories if key in latest)


def _figures(session: Session, actor_id: int, article_ids: Sequence[int]) -> tuple[ActorFigure, ...]:
    """The figures of ``article_ids`` (in that order, each article's in its brief's order) stated in
    a sentence naming the actor: the brief's JSON gives each actor's sentences
    (``article_actors.rank`` is its place among the brief's actors), ``article_figures`` each
    figure's sentence."""
    if not article_ids:
        return ()
    wanted: dict[int, set[int]] = {}
    for article_id, rank, data in session.execute(
        select(ActorRow.article_id, ActorRow.rank, BriefRow.data)
        .join(BriefRow, BriefRow.article_id == ActorRow.article_id)
        .where(ActorRow.article_id.in_(article_ids), ActorRow.actor_id == actor_id)
    ):
        actors = (data or {}).get("actors") or []
        if 0 <= rank < len(actors):
            wanted.setdefault(article_id, set()).update(int(s) for s in actors[rank].get("sentences", ()))
    conditions = [
        and_(FigureRow.article_id == article_id, FigureRow.sentence.in_(sorted(sentences)))
        for article_id, sentences in wanted.items()
        if sentences
    ]
    if not conditions:
        return ()
    rows = session.execute(
        select(FigureRow.article_id, FigureRow.text, SentenceRow.text)
        .outerjoin(
            SentenceRow,
            and_(SentenceRow.article_id == FigureRow.article_id, SentenceRow.position == FigureRow.sentence),
        )
        .where(or_(*conditions))
        .order_by(FigureRow.article_id, FigureRow.rank)
    ).all()
    order = {article_id: position for position, article_id in enumerate(article_ids)}
    figures = sorted(rows, key=lambda row: order[row[0]])  # stable: each article's figures stay in rank
    return tuple(
        ActorFigure(text=text, sentence_text=sentence or "", article_id=article_id)
        for article_id, text, sentence in figures[:FIGURES_SHOWN]
    )


# -- trends --------------------------------------------------------------------------------------------


def trending(
    store: Store,
    *,
    now: datetime,
    days: int = 7,
    limit: int = 5,
    kinds: Collection[str] | None = TRENDING_KINDS,
) -> Trending:
    """Who is suddenly in the news: stories naming each actor in [now - days, now) against the
    ``days`` before. ``rising``: more stories than before, at least :data:`MIN_TREND_STORIES`,
    largest rise first (then most stories); ``new``: at least as many stories and none ever before
    the period, most stories first. ``kinds`` (default people and organisations, see
    :data:`TRENDING_KINDS`); None for every kind.

    One query: the two periods' rows (the ``fetched_at`` index) counted per actor; for the few
    with more stories than before and none in the period before, whether any earlier article names
    them (an old actor's first row answers at once). No condition on ``actor_id`` while counting:
    it would tempt SQLite into reading that index whole.
    """
    until = as_utc(now) or now
    since = until - timedelta(days=days)
    start = since - timedelta(days=days)
    period = ArticleRow.fetched_at >= _bound(store, since)
    story = story_of()
    counts = (
        select(
            ActorRow.actor_id.label("actor_id"),
            func.count(func.distinct(case((period, story)))).label("stories"),
            func.count(func.distinct(case((~period, story)))).label("before"),
        )
        .join(ArticleRow, ArticleRow.id == ActorRow.article_id)
        .where(*_in_period(store, start, until))
        .group_by(ActorRow.actor_id)
        .subquery()
    )
    earlier, older = aliased(ActorRow), aliased(ArticleRow)
    named_earlier = exists(
        select(earlier.id)
        .join(older, older.id == earlier.article_id)
        .where(earlier.actor_id == counts.c.actor_id, older.fetched_at < _bound(store, since))
    )
    # Named in the period before is named before: only the others need looking further back.
    seen_before = case((counts.c.before > 0, True), else_=named_earlier)
    query: Select[Any] = select(counts.c.actor_id, counts.c.stories, counts.c.before, seen_before).where(
        counts.c.actor_id.is_not(None),
        counts.c.stories >= MIN_TREND_STORIES,
        counts.c.stories > counts.c.before,
    )
    if kinds is not None:
        query = query.join(ActorEntityRow, ActorEntityRow.id == counts.c.actor_id).where(
            ActorEntityRow.kind.in_(sorted(kinds))
        )
    with store.sessions() as session:
        rows = [(int(a), int(s), int(b), bool(old)) for a, s, b, old in session.execute(query)]
        rising = sorted(
            ((a, s, b) for a, s, b, old in rows if old), key=lambda r: (-(r[1] - r[2]), -r[1], r[0])
        )[:limit]
        new = sorted(((a, s, b) for a, s, b, old in rows if not old), key=lambda r: (-r[1], r[0]))[:limit]
        actors = known_actors(session, [a for a, _, _ in (*rising, *new)])

    def trends(chosen: list[tuple[int, int, int]]) -> tuple[Trend, ...]:
        return tuple(Trend(actor=actors[a], stories=s, before=b) for a, s, b in chosen if a in actors)

    return Trending(since=since, until=until, rising=trends(rising), new=trends(new))


def _day(store: Store) -> ColumnElement[Any]:
    """The UTC day of ``fetched_at``: SQLite's stored text is UTC already; PostgreSQL's timestamptz
    is shown in UTC before its date is taken (the session's time zone would move it otherwise)."""
    if store.dialect == "postgresql":
        return func.date(func.timezone("UTC", ArticleRow.fetched_at))
    return func.date(ArticleRow.fetched_at)


def period_days(since: datetime, until: datetime) -> list[date]:
    """The UTC days that [since, until) touches."""
    first = (as_utc(since) or since).date()
    last = ((as_utc(until) or until) - timedelta(microseconds=1)).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def mentions_per_day(
    store: Store, actor_ids: Collection[int], *, since: datetime, until: datetime
) -> dict[int, tuple[tuple[date, int], ...]]:
    """For each actor, its stories per UTC day over [since, until), every day present (a day without
    any is 0), for a chart. A story told over two days counts on each."""
    ids = sorted(set(actor_ids))
    days = period_days(since, until)
    if not ids:
        return {}
    day = _day(store).label("day")
    with store.sessions() as session:
        rows = session.execute(
            select(ActorRow.actor_id, day, func.count(func.distinct(story_of())))
            .join(ArticleRow, ArticleRow.id == ActorRow.article_id)
            .where(_from_the_period(store, ActorRow.actor_id).in_(ids), *_in_period(store, since, until))
            .group_by(ActorRow.actor_id, day)
        )
        counts = {(actor_id, _as_date(value)): count for actor_id, value, count in rows}
    return {actor_id: tuple((d, counts.get((actor_id, d), 0)) for d in days) for actor_id in ids}


def _from_the_period(store: Store, actor_id: InstrumentedAttribute[int | None]) -> ColumnElement[Any]:
    """``actor_id`` for a condition that must not pick the plan. Without statistics (briefbot never
    runs ANALYZE) SQLite reads the actors' rows of ``article_actors`` first, all their years of
    articles for the week asked (250 ms for 5 much named actors at 100,000 articles); "+ 0" keeps
    it from that index, so it reads the period's articles and checks their actors (a few ms).
    PostgreSQL's planner has statistics and chooses for itself."""
    return actor_id + 0 if store.dialect == "sqlite" else actor_id.expression


def _as_date(value: date | str) -> date:
    if isinstance(value, datetime):
        return value.astimezone(UTC).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
