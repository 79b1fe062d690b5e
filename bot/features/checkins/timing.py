"""When things happen: friendly schedules, each member's zone, runs and summaries.

Admins write "every weekday 09:00"; the scheduler speaks cron. A check-in's cron is
read on each member's own wall clock, so one "09:00" is many instants, one per time
zone, and `bot.scheduler.CronSchedule` places each of them correctly across daylight
saving changes. A *run* is one occurrence as the members see it (the wall-clock
match, e.g. `20260330T0900`): members in Oslo and in Kyiv answering their own 09:00
of 30 March answer the same run, and its summary collects both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import get_day_names

from bot.i18n import _, current_locale
from bot.scheduler import CronError, CronSchedule, cron_trigger

_TICK = timedelta(microseconds=1)
_DAYS = {
    "mon": "mon",
    "monday": "mon",
    "mondays": "mon",
    "tue": "tue",
    "tues": "tue",
    "tuesday": "tue",
    "tuesdays": "tue",
    "wed": "wed",
    "wednesday": "wed",
    "wednesdays": "wed",
    "thu": "thu",
    "thur": "thu",
    "thurs": "thu",
    "thursday": "thu",
    "thursdays": "thu",
    "fri": "fri",
    "friday": "fri",
    "fridays": "fri",
    "sat": "sat",
    "saturday": "sat",
    "saturdays": "sat",
    "sun": "sun",
    "sunday": "sun",
    "sundays": "sun",
}
_GROUPS = {
    "day": "*",
    "days": "*",
    "daily": "*",
    "weekday": "mon,tue,wed,thu,fri",
    "weekdays": "mon,tue,wed,thu,fri",
    "workday": "mon,tue,wed,thu,fri",
    "workdays": "mon,tue,wed,thu,fri",
    "weekend": "sat,sun",
    "weekends": "sat,sun",
}
_FILLER = {"every", "each", "on", "at", "and", "from", "to"}
_CLOCK = re.compile(r"^(\d{1,2})(?:[:.h](\d{2})|h)?\s*(am|pm)?$")
_ORDER = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ScheduleError(ValueError):
    """A schedule nobody can read; the message says how to write one."""


def _example() -> str:
    return _(
        'Write a schedule like "every weekday 09:00", "every monday at 10:30", '
        '"mon, wed, fri 9am" or a cron line such as "0 9 * * 1-5".'
    )


def parse_clock(text: str) -> time:
    """`9`, `09:30`, `9.30`, `9am`, `5:15pm`, `17h` → a wall-clock time."""
    found = _CLOCK.match(text.strip().lower())
    if found is None:
        raise ScheduleError(_("{value!r} is not a time of day.", value=text) + " " + _example())
    hour, minute = int(found.group(1)), int(found.group(2) or 0)
    meridiem = found.group(3)
    if meridiem is not None:
        if not 1 <= hour <= 12:
            raise ScheduleError(_("{value!r} is not a time of day.", value=text))
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if hour > 23 or minute > 59:
        raise ScheduleError(_("{value!r} is not a time of day.", value=text))
    return time(hour, minute)


def parse_schedule(text: str) -> str:
    """A friendly schedule or a cron line → a validated five-field cron line."""
    cleaned = " ".join(text.split())
    if not cleaned:
        raise ScheduleError(_example())
    if len(cleaned.split(" ")) == 5:
        try:
            cron_trigger(cleaned, "UTC")
            return cleaned
        except CronError:
            pass  # "every monday at 9 am" has five words too: try the friendly form
    joined = re.sub(r"(\d)\s+(am|pm)\b", r"\1\2", cleaned.lower())
    days: set[str] = set()
    every_day = False
    clock: time | None = None
    for word in re.split(r"[\s,/&+]+", joined):
        if not word or word in _FILLER:
            continue
        if word in _GROUPS:
            if _GROUPS[word] == "*":
                every_day = True
            else:
                days.update(_GROUPS[word].split(","))
        elif word in _DAYS:
            days.add(_DAYS[word])
        elif "-" in word and all(part in _DAYS for part in word.split("-", 1)):
            first, last = (_ORDER.index(_DAYS[p]) for p in word.split("-", 1))
            span = range(first, last + 1) if first <= last else [*range(first, 7), *range(last + 1)]
            days.update(_ORDER[i] for i in span)
        elif clock is None and word[:1].isdigit():
            clock = parse_clock(word)
        else:
            raise ScheduleError(_("I don't understand {word!r}.", word=word) + " " + _example())
    if clock is None:
        raise ScheduleError(_("Say at what time.") + " " + _example())
    if not days and not every_day:
        raise ScheduleError(_("Say on which days.") + " " + _example())
    weekday = "*" if every_day or len(days) == 7 else ",".join(d for d in _ORDER if d in days)
    if weekday == "mon,tue,wed,thu,fri":
        weekday = "mon-fri"
    return f"{clock.minute} {clock.hour} * * {weekday}"


def zone(name: str | None, fallback: str) -> ZoneInfo:
    """The zone called `name`, or `fallback` when it is empty or unknown."""
    for candidate in (name, fallback):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


@lru_cache(maxsize=512)
def schedule_in(cron: str, zone_name: str) -> CronSchedule:
    """The cron line read on the wall clock of `zone_name` (cached: parsing is not free)."""
    return cron_trigger(cron, zone_name)


def fires_at(cron: str, zone_name: str, instant: datetime) -> bool:
    """Whether the schedule, in that zone, fires exactly at `instant`."""
    return schedule_in(cron, zone_name).next_after(instant - _TICK) == instant


def next_instant(cron: str, zones: Iterable[str], after: datetime) -> datetime | None:
    """The earliest instant after `after` at which the schedule fires in any of `zones`."""
    found = [schedule_in(cron, z).next_after(after) for z in set(zones)]
    times = [t for t in found if t is not None]
    return min(times) if times else None


def run_key(instant: datetime, zone_name: str) -> str:
    """The run an instant starts, as that zone's wall clock shows it (`20260330T0900`)."""
    return instant.astimezone(ZoneInfo(zone_name)).strftime("%Y%m%dT%H%M")


def run_label(key: str) -> datetime:
    """The wall-clock time a run key names (naive: it is the same on every member's clock)."""
    return datetime.strptime(key, "%Y%m%dT%H%M")


def summary_due(first_delivery: datetime, at: time, home: ZoneInfo) -> datetime:
    """The first `at` on the home zone's clock after a run's first delivery (aware UTC)."""
    local = first_delivery.astimezone(home)
    day = local.date()
    while True:
        candidate = datetime.combine(day, at, tzinfo=home)
        # A wall time in the spring gap does not exist: normalise it through UTC.
        instant = candidate.astimezone(UTC)
        if instant > first_delivery:
            return instant
        day += timedelta(days=1)


def describe_cron(cron: str) -> str:
    """A short human reading of the cron lines `parse_schedule` makes (else the line)."""
    fields = cron.split()
    if len(fields) != 5 or fields[2:4] != ["*", "*"]:
        return cron
    minute, hour, weekday = fields[0], fields[1], fields[4]
    if not (minute.isdigit() and hour.isdigit()):
        return cron
    clock = f"{int(hour):02d}:{int(minute):02d}"
    if weekday == "*":
        return _("every day at {clock}", clock=clock)
    if weekday in ("mon-fri", "1-5", "mon,tue,wed,thu,fri"):
        return _("every weekday at {clock}", clock=clock)
    names = weekday.split(",")
    if not all(n in _ORDER for n in names):
        return cron
    shown = get_day_names("abbreviated", locale=current_locale())
    days = ", ".join(str(shown[_ORDER.index(n)]) for n in names)
    return _("{days} at {clock}", days=days, clock=clock)
