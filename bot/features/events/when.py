"""When an event happens: parsing what members type, and the next occurrence.

Times are wall-clock times in the event's zone: a weekly 18:00 meetup in Oslo stays
at 18:00 local time across daylight-saving changes, so its UTC time moves. A local
time that does not exist (the spring-forward gap) is refused when typed, and shifted
forward by the gap when a repetition lands in it; an ambiguous one (the autumn
repeat) means its first occurrence.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.context import UserError
from bot.i18n import _

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")


class Recurrence(StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise UserError(
            _("{zone!r} is not a time zone I know; use a name like Europe/Oslo.", zone=name)
        ) from None


def local_to_utc(local: datetime, tz: str) -> datetime:
    """The UTC moment of a naive wall-clock time in `tz` (first one when ambiguous)."""
    aware = local.replace(tzinfo=zone(tz), fold=0)
    return aware.astimezone(UTC)


def exists(local: datetime, tz: str) -> bool:
    """False for wall-clock times skipped by a daylight-saving jump."""
    moment = local_to_utc(local, tz)
    return moment.astimezone(zone(tz)).replace(tzinfo=None) == local


def _day(text: str, now: datetime, tz: str) -> str:
    """`today` and `tomorrow` (in `tz`) as ISO dates; anything else unchanged."""
    words = {"today": 0, "tomorrow": 1}
    offset = words.get(text.strip().lower())
    if offset is None:
        return text
    return (now.astimezone(zone(tz)).date() + timedelta(days=offset)).isoformat()


def parse_start(day: str, clock: str, tz: str, now: datetime) -> datetime:
    """`2026-12-05` (or `tomorrow`) `18:00` in `tz` → an aware UTC datetime.

    Raises `UserError` with the fix for anything else.
    """
    day = _day(day, now, tz)
    if not _DATE.match(day):
        raise UserError(_("{value!r} is not a date; write it like 2026-12-05.", value=day))
    match = _TIME.match(clock)
    if match is None:
        raise UserError(_("{value!r} is not a time; write it like 18:00.", value=clock))
    try:
        local = datetime.combine(
            date.fromisoformat(day), time(int(match.group(1)), int(match.group(2)))
        )
    except ValueError:
        raise UserError(
            _("{day} {time} is not a real date and time.", day=day, time=clock)
        ) from None
    if not exists(local, tz):
        raise UserError(
            _(
                "{day} {time} does not exist in {zone} (the clocks jump forward then). "
                "Pick another time.",
                day=day,
                time=clock,
                zone=tz,
            )
        )
    return local_to_utc(local, tz)


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last))


def next_start(start: datetime, tz: str, recurrence: Recurrence) -> datetime:
    """The next occurrence: same wall-clock time in `tz`, a week, two or a month later."""
    local = start.astimezone(zone(tz)).replace(tzinfo=None)
    if recurrence is Recurrence.MONTHLY:
        following = datetime.combine(_add_months(local.date(), 1), local.time())
    else:
        weeks = 2 if recurrence is Recurrence.BIWEEKLY else 1
        following = local + timedelta(weeks=weeks)
    return local_to_utc(following, tz)
