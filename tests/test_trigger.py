"""The daily trigger across daylight-saving changes: one fire per local day, at the local hour."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger

from bot.delivery import digest_date
from bot.trigger import DailyAt


def fires(trigger: DailyAt | CronTrigger, start: datetime, count: int) -> list[datetime]:
    out: list[datetime] = []
    previous = None
    now = start
    for _ in range(count):
        nxt = trigger.get_next_fire_time(previous, now)
        assert nxt is not None
        out.append(nxt)
        previous = now = nxt
    return out


@pytest.mark.parametrize(
    ("zone", "start", "change"),
    [
        ("Europe/Berlin", datetime(2026, 3, 26), date(2026, 3, 29)),  # spring forward
        ("Europe/Berlin", datetime(2026, 10, 22), date(2026, 10, 25)),  # fall back
        ("America/New_York", datetime(2026, 3, 5), date(2026, 3, 8)),
        ("America/New_York", datetime(2026, 10, 29), date(2026, 11, 1)),
    ],
)
def test_nine_oclock_stays_nine_oclock_and_no_day_is_skipped_or_doubled(
    zone: str, start: datetime, change: date
) -> None:
    tz = ZoneInfo(zone)
    times = fires(DailyAt(hour=9, minute=0, timezone=zone), start.replace(tzinfo=tz), 7)
    local = [t.astimezone(tz) for t in times]
    assert [t.date() for t in local] == [start.date() + timedelta(days=i) for i in range(7)]
    assert all((t.hour, t.minute) == (9, 0) for t in local)
    assert change in {t.date() for t in local}


def test_a_time_that_happens_twice_fires_once_and_a_missing_time_fires_after_the_gap() -> None:
    tz = ZoneInfo("America/New_York")
    autumn = [
        t.astimezone(tz)
        for t in fires(
            DailyAt(hour=1, minute=30, timezone="America/New_York"), datetime(2026, 10, 30, tzinfo=tz), 4
        )
    ]
    assert [t.date() for t in autumn] == [
        date(2026, 10, 30),
        date(2026, 10, 31),
        date(2026, 11, 1),
        date(2026, 11, 2),
    ]
    spring = [
        t.astimezone(tz)
        for t in fires(
            DailyAt(hour=2, minute=30, timezone="America/New_York"), datetime(2026, 3, 7, tzinfo=tz), 3
        )
    ]
    assert [(t.date(), t.hour, t.minute) for t in spring] == [
        (date(2026, 3, 7), 2, 30),
        (date(2026, 3, 8), 3, 30),
        (date(2026, 3, 9), 2, 30),
    ]


def test_apschedulers_cron_trigger_doubles_the_autumn_night_which_is_why_we_do_not_use_it() -> None:
    """If this starts failing, APScheduler fixed its CronTrigger and DailyAt could go."""
    tz = ZoneInfo("America/New_York")
    cron = CronTrigger(hour=1, minute=30, timezone=tz)
    days = [t.astimezone(tz).date() for t in fires(cron, datetime(2026, 10, 31, 12, tzinfo=tz), 2)]
    assert days == [date(2026, 11, 1), date(2026, 11, 1)]


def test_digest_date_is_the_latest_scheduled_day() -> None:
    tz = ZoneInfo("Europe/Berlin")
    assert digest_date(datetime(2026, 11, 25, 9, 20, tzinfo=tz), "09:00", "Europe/Berlin") == date(
        2026, 11, 25
    )
    assert digest_date(datetime(2026, 11, 25, 8, 0, tzinfo=tz), "09:00", "Europe/Berlin") == date(
        2026, 11, 24
    )
    # 23:30 UTC is already tomorrow in Tokyo.
    assert digest_date(datetime(2026, 11, 25, 23, 30, tzinfo=ZoneInfo("UTC")), "07:00", "Asia/Tokyo") == date(
        2026, 11, 26
    )


def test_digest_date_agrees_with_the_trigger_when_a_spring_gap_swallows_the_time() -> None:
    """02:30 does not exist in Berlin on 29 March 2026; the trigger fires at 03:30 that day, so at
    03:10 the day's digest is not due yet (it was yesterday's), and at 03:31 it is."""
    tz = ZoneInfo("Europe/Berlin")
    trigger = DailyAt(hour=2, minute=30, timezone="Europe/Berlin")
    fired = trigger.fire_time_on(datetime(2026, 3, 29, tzinfo=tz))
    assert fired.astimezone(tz).strftime("%H:%M") == "03:30"
    assert digest_date(datetime(2026, 3, 29, 3, 10, tzinfo=tz), "02:30", "Europe/Berlin") == date(2026, 3, 28)
    assert digest_date(datetime(2026, 3, 29, 3, 31, tzinfo=tz), "02:30", "Europe/Berlin") == date(2026, 3, 29)
