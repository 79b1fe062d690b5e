"""Dates and numbers as members read them: their language (Babel), their time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton
from babel.numbers import format_decimal

from bot.i18n import _, current_locale


def when(moment: datetime, timezone: str) -> str:
    """`Wed, Jan 7 09:00 (UTC)` in the current locale and the given zone (no seconds)."""
    zone = ZoneInfo(timezone)
    locale = current_locale()
    return _(
        "{date} {time} ({zone})",
        date=format_skeleton("MMMEd", moment, tzinfo=zone, locale=locale),
        time=format_skeleton("Hm", moment, tzinfo=zone, locale=locale),
        zone=timezone,
    )


def number(value: int) -> str:
    """`10,000` in English, `10 000` in Latvian: counts grow large in big communities."""
    return str(format_decimal(value, locale=current_locale()))
