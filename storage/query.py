"""Parsing what a user types into search: words, "phrases", and filters.

``hezbollah since:7d actor:"Bashar al-Assad" source:reuters until:2024-05-01``
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

_DURATION = re.compile(r"^(\d+)\s*([hdwmy])$")
_UNITS = {
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "w": timedelta(weeks=1),
    "m": timedelta(days=30),
    "y": timedelta(days=365),
}
FILTERS = ("since", "until", "actor", "source")
MAX_SPAN = timedelta(days=36_525)  # since:/until: durations: a century


class QueryError(ValueError):
    """The query cannot be understood; the message says which part and how to write it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchQuery:
    terms: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    actor: str | None = None
    source: str | None = None

    @property
    def has_text(self) -> bool:
        return bool(self.terms or self.phrases)


def parse_when(value: str, now: datetime, *, name: str) -> datetime:
    value = value.strip().lower()
    match = _DURATION.match(value)
    if match:
        count = int(match.group(1))
        unit = _UNITS[match.group(2)]
        if count > MAX_SPAN / unit:  # also keeps the arithmetic inside datetime's range
            raise QueryError(f"{name}:{value} reaches back more than 100 years; write {name}:7d or a date")
        return now - count * unit
    if value in {"today", "yesterday"}:
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        return midnight if value == "today" else midnight - timedelta(days=1)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise QueryError(
            f"{name}:{value} is not a date; write {name}:7d, {name}:24h or {name}:2024-05-01"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_query(text: str, *, now: datetime | None = None) -> SearchQuery:
    now = now or datetime.now(UTC)
    try:
        parts = shlex.split(text)
    except ValueError:
        raise QueryError("unbalanced quotes in the query") from None
    terms: list[str] = []
    phrases: list[str] = []
    values: dict[str, str] = {}
    raw_words = text.split()
    for part in parts:
        key, sep, value = part.partition(":")
        if sep and key.lower() in FILTERS:
            if not value:
                raise QueryError(
                    f"{key}: needs a value, e.g. {key}:7d"
                    if key in {"since", "until"}
                    else f'{key}: needs a value, e.g. {key}:"name"'
                )
            values[key.lower()] = value
        elif " " in part or (part not in raw_words and f'"{part}"' in text):
            phrases.append(part)
        else:
            cleaned = re.sub(r"[^\w'’-]+", " ", part).split()
            terms.extend(cleaned)
    return SearchQuery(
        terms=tuple(terms),
        phrases=tuple(phrases),
        since=parse_when(values["since"], now, name="since") if "since" in values else None,
        until=parse_when(values["until"], now, name="until") if "until" in values else None,
        actor=values.get("actor"),
        source=values.get("source"),
    )
