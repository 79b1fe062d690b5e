"""Moments as text for platforms that cannot localise on the client.

Discord (`<t:UNIX:F>`) and Slack (`<!date^UNIX^…|fallback>`) show a moment in each
viewer's own time zone. The console and the memory adapter cannot, so the core names
the reader's zone and this module writes the moment in it with Babel, in the current
locale. Slack's fallback text (shown where its markup is not rendered) uses it too.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton, format_timedelta

from bot.i18n import _, current_locale
from bot.model import TimeStyle

# Babel skeletons per style: the locale decides order, words and punctuation.
_SKELETONS = {
    TimeStyle.FULL: ("yMMMMEEEEd", "Hm"),
    TimeStyle.SHORT: ("yMMMd", "Hm"),
    TimeStyle.DATE: ("yMMMMd", None),
    TimeStyle.TIME: (None, "Hm"),
}


def unix(at: datetime) -> int:
    """Seconds since the epoch (what platform timestamp markup carries)."""
    if at.tzinfo is None:
        raise ValueError("naive datetime given for a timestamp; use an aware time")
    return int(at.timestamp())


def local_text(at: datetime, style: TimeStyle, zone: str, now: datetime | None = None) -> str:
    """`at` written for a reader in `zone`, in the current locale.

    Absolute styles name the zone's abbreviation (`CET`, `EEST`) so nobody misreads
    whose evening it is; `RELATIVE` needs `now` ("in 2 days", "3 hours ago").
    """
    locale = current_locale()
    if style is TimeStyle.RELATIVE:
        reference = now or datetime.now(UTC)
        return str(
            format_timedelta(at - reference, threshold=1.5, add_direction=True, locale=locale)
        )
    local = at.astimezone(ZoneInfo(zone))
    date_skeleton, time_skeleton = _SKELETONS[style]
    parts: list[str] = []
    if date_skeleton is not None:
        parts.append(format_skeleton(date_skeleton, local, locale=locale))
    if time_skeleton is not None:
        clock = format_skeleton(time_skeleton, local, locale=locale)
        parts.append(_("{time} {zone}", time=clock, zone=local.tzname() or zone))
    return " ".join(parts)
