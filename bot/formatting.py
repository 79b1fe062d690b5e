"""Dates, durations and numbers as members read them: their language, their time zone.

Every feature formats with these (Babel, the current locale), so a Latvian member
reads `10 000` and `pirmd., 5. janv. 14:02` everywhere, never an English default in
one corner of the bot.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_interval, format_skeleton, format_timedelta
from babel.numbers import format_decimal, format_percent

from bot.i18n import _, current_locale


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
    """`10,000` in English, `10 000` in Latvian: counts grow large in big communities."""
    return str(format_decimal(value, locale=current_locale()))


def decimal(value: float, digits: int = 1) -> str:
    """`12,345.5` in English, `12 345,5` in Latvian: at most `digits` decimals."""
    pattern = "#,##0." + "#" * digits if digits else "#,##0"
    return str(format_decimal(value, format=pattern, locale=current_locale()))


def signed_decimal(value: float, digits: int) -> str:
    """`+0.25`, `−0,50`: exactly `digits` decimals and always a sign (a score, a change)."""
    body = "0." + "0" * digits if digits else "#,##0"
    return str(format_decimal(value, format=f"+{body};−{body}", locale=current_locale()))


def percent(share: float, digits: int = 0) -> str:
    """`16%` in English, `16 %` in Norwegian: a share (0.16), to at most `digits` decimals."""
    return str(
        format_percent(
            round(share, digits + 2), locale=current_locale(), decimal_quantization=False
        )
    )
