"""A daily trigger at a local wall-clock time that is right across daylight-saving changes.

APScheduler 3.11's CronTrigger fires twice on the autumn night a local 01:30 occurs twice (seen in
America/New_York on 2026-11-01), and a DST change once skipped a whole day (apscheduler #606). This
trigger computes each day's time from the date: exactly one fire per local day — the first 01:30
when the clock falls back, and 03:30 when a spring-forward gap swallows 02:30.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger


class DailyAt(BaseTrigger):
    def __init__(self, *, hour: int, minute: int, timezone: str) -> None:
        self.hour = hour
        self.minute = minute
        self.timezone = timezone

    def fire_time_on(self, day: datetime) -> datetime:
        """The UTC instant of this trigger on ``day``'s local date."""
        zone = ZoneInfo(self.timezone)
        local = datetime.combine(day.date(), time(self.hour, self.minute), tzinfo=zone)  # fold=0: first one
        # A time inside a spring-forward gap does not exist; the round trip moves it past the gap.
        return local.astimezone(UTC).astimezone(zone)

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        zone = ZoneInfo(self.timezone)
        # As APScheduler's own triggers do: after the previous fire, even if that is before now, so
        # the scheduler can see (and coalesce or drop by grace time) the runs it missed while down.
        after = now if previous_fire_time is None else min(now, previous_fire_time + timedelta(seconds=1))
        local = after.astimezone(zone)
        for offset in range(3):
            candidate = self.fire_time_on(local + timedelta(days=offset))
            if candidate >= after and (
                previous_fire_time is None
                or candidate.astimezone(zone).date() > previous_fire_time.astimezone(zone).date()
            ):
                return candidate
        return None  # pragma: no cover - three consecutive days always hold a candidate

    def __getstate__(self) -> dict[str, object]:
        return {"version": 1, "hour": self.hour, "minute": self.minute, "timezone": self.timezone}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.hour = int(state["hour"])  # type: ignore[call-overload]
        self.minute = int(state["minute"])  # type: ignore[call-overload]
        self.timezone = str(state["timezone"])

    def __str__(self) -> str:
        return f"daily at {self.hour:02d}:{self.minute:02d} {self.timezone}"

    def __repr__(self) -> str:
        return f"<DailyAt {self.hour:02d}:{self.minute:02d} {self.timezone}>"
