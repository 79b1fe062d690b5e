"""Dates, durations and numbers as members read them: their language, their time zone.

Every feature formats with these (Babel, the current locale), so a Latvian member
reads `10 000` and `pirmd., 5. janv. 14:02` everywhere, never an English default in
one corner of the bot.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton, format_timedelta
from babel.numbers import format_decimal

from bot.i18n import _, current_locale


def when(moment: datetime, timezone: str) -> str:
    """`Mon, Jan 5 14:02 (Europe/Oslo)`: weekday, date and time in `timezone`, no seconds."""
    zone = ZoneInfo(timezone)
    locale = current_locale()
    return _(
        "{date} {time} ({zone})",
        date=format_skeleton("MMMEd", moment, tzinfo=zone, locale=locale),
        time=format_skeleton("Hm", moment, tzinfo=zone, locale=locale),
        zone=timezone,
    )


def relative(delta: timedelta) -> str:
    """`in 45 minutes` / `5 hours ago`: a moment relative to now (`delta` = moment - now).

    The last minute is "just now" (Babel would say "in 0 seconds" of this very moment).
    """
    if timedelta(minutes=-1) < delta <= timedelta(0):
        return _("just now")
    return str(format_timedelta(delta, locale=current_locale(), add_direction=True, threshold=1.5))


def span(duration: timedelta) -> str:
    """`1 hour`, `3 days`: a duration rounded to its largest unit."""
    return str(format_timedelta(duration, threshold=1, locale=current_locale()))


def number(value: int | float) -> str:
    """`10,000` in English, `10 000` in Latvian: counts grow large in big communities."""
    return str(format_decimal(value, locale=current_locale()))
