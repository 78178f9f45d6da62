"""``actor <name>`` and ``trending [7d]``: the store's actors across articles, read in chat.

Kept apart from the other commands because they share their own reading of the line (a name with
``since:``/``until:``, a period) and the chart, and nothing else.
"""

from __future__ import annotations

import asyncio
import re
import shlex
from datetime import datetime, timedelta

from bot.core.messages import ActorReply, Reply, TextReply, TrendingReply
from bot.render.chart import Chart, mentions_chart
from storage.actor_views import Trending, actor_view, find_actor, mentions_per_day, suggest_actors, trending
from storage.query import QueryError, parse_when
from storage.store import Store

TRENDING_DAYS = 7
MAX_TRENDING_DAYS = 90  # a quarter: beyond it "trending" is history, and the chart a smear
CHART_ACTORS = 5
_PERIOD = re.compile(r"^(\d{1,3})\s*([dw]?)$", re.ASCII)
ACTOR_USAGE = "actor <name> [since:30d] [until:2024-05-01]"
TRENDING_USAGE = "trending [7d | 2w | 30d]"


def parse_actor_line(rest: str, now: datetime) -> tuple[str, datetime | None, datetime | None]:
    """The name and the period of ``actor "IDU" since:30d``; QueryError names what is wrong."""
    try:
        parts = shlex.split(rest)
    except ValueError:
        raise QueryError("unbalanced quotes") from None
    words: list[str] = []
    when: dict[str, datetime] = {}
    for part in parts:
        key, sep, value = part.partition(":")
        if sep and key.lower() in ("since", "until"):
            if not value:
                raise QueryError(f"{key}: needs a value, e.g. {key}:30d")
            when[key.lower()] = parse_when(value, now, name=key.lower())
        else:
            words.append(part)
    return " ".join(words).strip(), when.get("since"), when.get("until")


def parse_period(rest: str) -> int:
    """Days of ``trending 7d`` / ``2w`` / ``30``; QueryError when it is not one of those."""
    text = rest.strip().lower()
    if not text:
        return TRENDING_DAYS
    match = _PERIOD.match(text)
    if match is None:
        raise QueryError(f"“{rest.strip()}” is not a period")
    days = int(match.group(1)) * (7 if match.group(2) == "w" else 1)
    if not 1 <= days <= MAX_TRENDING_DAYS:
        raise QueryError(f"the period must be 1 to {MAX_TRENDING_DAYS} days")
    return days


async def actor_replies(store: Store, rest: str, now: datetime) -> list[Reply]:
    try:
        name, since, until = parse_actor_line(rest, now)
    except QueryError as error:
        return [TextReply(text=f"{error}. Usage: {ACTOR_USAGE}", private=True)]
    if not name:
        return [TextReply(text=f"Usage: {ACTOR_USAGE}", private=True)]
    known = await asyncio.to_thread(find_actor, store, name)
    if known is None:
        close = await asyncio.to_thread(suggest_actors, store, name)
        hint = f" Did you mean {', '.join(f'`{c}`' for c in close)}?" if close else ""
        return [TextReply(text=f"No stored article names “{name}”.{hint}", private=True)]
    view = await asyncio.to_thread(lambda: actor_view(store, known.id, since=since, until=until))
    return [ActorReply(view=view)]


async def trending_replies(store: Store, rest: str, now: datetime) -> list[Reply]:
    try:
        days = parse_period(rest)
    except QueryError as error:
        return [TextReply(text=f"{error}. Usage: {TRENDING_USAGE}", private=True)]
    found = await asyncio.to_thread(lambda: trending(store, now=now, days=days))
    chart = await asyncio.to_thread(trending_chart, store, found)
    return [TrendingReply(trending=found, days=days, chart=chart)]


def trending_chart(store: Store, found: Trending) -> Chart | None:
    """Stories a day of the period's top actors (rising first, then new), or None when none rose."""
    top = [*found.rising, *found.new][:CHART_ACTORS]
    if not top:
        return None
    per_day = mentions_per_day(store, [t.actor.id for t in top], since=found.since, until=found.until)
    days = (found.until - found.since) / timedelta(days=1)
    return mentions_chart(
        [(t.actor.name, per_day.get(t.actor.id, ())) for t in top],
        title=f"Stories a day naming the top actors, last {days:.0f} days",
    )
