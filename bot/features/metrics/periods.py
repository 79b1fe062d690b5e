"""Periods on the community's clock: parsing `/stats week`, local days, UTC offsets.

Metrics count days as the community lives them (its `[bot] timezone`), so a message
at 00:30 in Oslo belongs to the new day even though it is 23:30 UTC. The database is
told the UTC offsets in force over a span (`shifts`); everything else here is plain
date arithmetic, tested without a database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot import formatting
from bot.features.metrics.store import Shift
from bot.i18n import _
from bot.stats import Window

EPOCH = date(1970, 1, 1)
NAMED = {"day": 1, "week": 7, "month": 30, "quarter": 91, "year": 365}
_DAYS = re.compile(r"^(\d+)\s*d$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*(?:\.\.|to|–|—)\s*(\d{4}-\d{2}-\d{2})$")
MAX_DAYS = 3660


class PeriodError(ValueError):
    """The period was not understood; the message says how to write one."""


@dataclass(frozen=True, slots=True)
class Period:
    """A window of whole local days: `first` to `last` inclusive, cut at `end` if sooner."""

    first: date
    last: date
    window: Window

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self, zone: ZoneInfo) -> Period:
        """The same number of days just before (week-over-week, month-over-month)."""
        last = self.first - timedelta(days=1)
        first = last - timedelta(days=self.days - 1)
        length = self.window.end - self.window.start
        start = midnight(first, zone)
        # Compare like with like: a period that ends now covers as much of its last day.
        end = min(start + length, midnight(self.first, zone))
        return Period(first, last, Window(start, end, self.window.platform))


def midnight(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant a local day starts (zoneinfo resolves DST gaps forwards)."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def local_date(at: datetime, zone: ZoneInfo) -> date:
    return at.astimezone(zone).date()


def day_number(day: date) -> int:
    """Local days since 1970-01-01, as the repository numbers them."""
    return (day - EPOCH).days


def day_of(number: int) -> date:
    return EPOCH + timedelta(days=number)


def week_number(day: date) -> int:
    """Monday-based weeks since 1970, as the repository numbers them."""
    return (day_number(day) + 3) // 7


def week_start(week: int) -> date:
    return day_of(week * 7 - 3)


def parse_period(text: str, now: datetime, zone: ZoneInfo, platform: str | None = None) -> Period:
    """`day`, `week`, `month`, `quarter`, `year`, `14d`, or `2026-01-01..2026-01-31`.

    Named and numbered periods are the last N local days including today (so `week`
    is today and the six days before); a date range is whole local days, inclusive.
    """
    raw = " ".join(text.strip().lower().split())
    today = local_date(now, zone)
    # [start, end) must include what happened this very second.
    now = now + timedelta(seconds=1)
    days = NAMED.get(raw)
    match = _DAYS.match(raw)
    if match:
        days = int(match.group(1))
    if days is not None:
        if not 1 <= days <= MAX_DAYS:
            raise PeriodError(_("A period is 1 to {most} days long.", most=MAX_DAYS))
        first = today - timedelta(days=days - 1)
        return Period(first, today, Window(midnight(first, zone), now, platform))
    found = _RANGE.match(raw)
    if found is None:
        raise PeriodError(
            _(
                "I don't understand the period {text!r}. Use day, week, month, quarter, "
                "year, a number of days like 14d, or dates like 2026-01-01..2026-01-31.",
                text=text,
            )
        )
    try:
        first, last = (date.fromisoformat(found.group(i)) for i in (1, 2))
    except ValueError:
        raise PeriodError(_("{text!r} contains a date that does not exist.", text=text)) from None
    if last < first:
        raise PeriodError(_("The period ends before it starts: {text}", text=text))
    if (last - first).days >= MAX_DAYS:
        raise PeriodError(_("A period is 1 to {most} days long.", most=MAX_DAYS))
    if first > today:
        raise PeriodError(
            _(
                "That period has not started yet (today is {today}). Ask for one that "
                "includes today or earlier days.",
                today=formatting.day(today),
            )
        )
    # A range that runs on past today covers the days that have begun: the future is
    # neither silence nor part of a daily mean.
    last = min(last, today)
    start = midnight(first, zone)
    end = min(midnight(last + timedelta(days=1), zone), now)
    return Period(first, last, Window(start, end, platform))


def whole_week(week: int, zone: ZoneInfo, platform: str | None = None) -> Period:
    """Monday to Sunday of local week `week` (the weekly digest)."""
    first = week_start(week)
    last = first + timedelta(days=6)
    window = Window(midnight(first, zone), midnight(last + timedelta(days=1), zone), platform)
    return Period(first, last, window)


def shifts(zone: ZoneInfo, start: datetime, end: datetime) -> tuple[Shift, ...]:
    """The UTC offsets of `zone` from `start` to `end`: the first, then each change.

    Walks day by day and narrows a change down to the quarter hour (every zone changes
    on a quarter hour), so a year costs a few hundred offset look-ups.
    """

    def offset(at: datetime) -> int:
        found = at.astimezone(zone).utcoffset()
        return int(found.total_seconds()) if found is not None else 0

    found = [Shift(start, offset(start))]
    at = start
    step = timedelta(days=1)
    while at < end:
        later = min(at + step, end)
        if offset(later) != found[-1].seconds:
            quarter = timedelta(minutes=15)
            probe = at.replace(minute=at.minute - at.minute % 15, second=0, microsecond=0)
            while offset(probe) == found[-1].seconds:
                probe += quarter
            found.append(Shift(probe, offset(probe)))
        at = later
    return tuple(found)
