"""Dates, durations and numbers as members read them: their language, their time zone.

Every feature formats with these (Babel, the current locale), so a Latvian member
reads `10 000`, `42,5%` and `pirmd., 5. janv. 14:02` everywhere, never an English
default in one corner of the bot. Machine-readable output (CSV, JSON exports, keys)
stays ISO and is not written with these.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_interval, format_skeleton, format_timedelta
from babel.numbers import format_decimal, format_percent
from babel.units import format_unit

from bot.i18n import _, current_locale

# Shown where a figure has no value yet (no data in the period).
NO_VALUE = "–"


def when(moment: datetime, timezone: str, *, year: bool = False) -> str:
    """`Mon, Jan 5 14:02 (Europe/Oslo)`: weekday, date and time in `timezone`, no seconds;
    with `year` for what is read long after (a report's date)."""
    zone = ZoneInfo(timezone)
    locale = current_locale()
    return _(
        "{date} {time} ({zone})",
        date=format_skeleton("yMMMEd" if year else "MMMEd", moment, tzinfo=zone, locale=locale),
        time=format_skeleton("Hm", moment, tzinfo=zone, locale=locale),
        zone=timezone,
    )


def dates(start: datetime, end: datetime, timezone: str) -> str:
    """`Nov 16 – 23, 2026`: the days a period covers, on `timezone`'s calendar.

    `end` is exclusive (a report's window ends at midnight), so the last day shown is
    the one before it.
    """
    zone = ZoneInfo(timezone)
    first = start.astimezone(zone).date()
    return days(first, max(first, (end.astimezone(zone) - timedelta(microseconds=1)).date()))


def clock(moment: time) -> str:
    """`17:05` (`17.05` in Finnish): a time of day, 24-hour, as the language writes it."""
    return str(
        format_skeleton(
            "Hm", datetime.combine(datetime(2000, 1, 1), moment), locale=current_locale()
        )
    )


def relative(delta: timedelta) -> str:
    """`in 45 minutes` / `5 hours ago`: a moment relative to now (`delta` = moment - now).

    The last minute is "just now" (Babel would say "in 0 seconds" of this very moment).
    """
    if timedelta(minutes=-1) < delta <= timedelta(0):
        return _("just now")
    return str(format_timedelta(delta, locale=current_locale(), add_direction=True, threshold=1.5))


def day(value: date) -> str:
    """`Dec 1, 2026` in English, `1.12.2026` in Finnish."""
    return str(format_skeleton("yMMMd", value, locale=current_locale()))


def short_day(value: date) -> str:
    """`Dec 1` in English, `1. des.` in Norwegian: a day within a known year (chart axes)."""
    return str(format_skeleton("MMMd", value, locale=current_locale()))


def days(first: date, last: date) -> str:
    """`Dec 1 – 7, 2026`: a range of days, each language's way (one day: the date)."""
    return str(format_interval(first, last, "yMMMd", locale=current_locale()))


def hour_span(hour: int) -> str:
    """`09:00 – 10:00` in English, `9.00–10.00` in Finnish: one hour of the day."""
    return str(format_interval(time(hour), time((hour + 1) % 24), "Hm", locale=current_locale()))


def span(duration: timedelta) -> str:
    """`1 hour`, `3 days`: a duration rounded to its largest unit."""
    return str(format_timedelta(duration, threshold=1, locale=current_locale()))


def number(value: int | float) -> str:
    """`10,000` in English, `10 000` in Latvian, `2,5` in Finnish: counts and weights."""
    return str(format_decimal(value, locale=current_locale()))


def percent(share: float | None, digits: int = 0) -> str:
    """`42%` in English, `42 %` in Norwegian: a share from 0 to 1, to `digits` decimals."""
    if share is None:
        return NO_VALUE
    rounded = round(share, digits + 2)
    return str(format_percent(rounded, locale=current_locale(), decimal_quantization=False))


def measure(value: float | None, unit: str = "") -> str:
    """A figure's value with its unit: `%` (the value is in percent), `min`, or none."""
    if value is None:
        return NO_VALUE
    if unit == "%":
        return percent(value / 100, 1)
    if unit == "min":
        return str(format_unit(value, "duration-minute", length="short", locale=current_locale()))
    shown = number(value)
    return f"{shown} {unit}" if unit else shown


def decimal(value: float, digits: int = 1) -> str:
    """`12,345.5` in English, `12 345,5` in Latvian: at most `digits` decimals."""
    pattern = "#,##0." + "#" * digits if digits else "#,##0"
    return str(format_decimal(value, format=pattern, locale=current_locale()))


def signed_decimal(value: float, digits: int) -> str:
    """`+0.25`, `−0,50`: exactly `digits` decimals and always a sign (a score, a change)."""
    body = "0." + "0" * digits if digits else "#,##0"
    return str(format_decimal(value, format=f"+{body};−{body}", locale=current_locale()))
