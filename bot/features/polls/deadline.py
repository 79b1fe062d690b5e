"""`--closes 2d` or `--closes 2026-12-01T18:00`: when a poll ends, checked for sense.

Dates without a zone are read in the member's time zone (else the community's), and
a bare date means the end of that day — "closes 1 December" means people may still
vote on the 1st.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.args import ArgError, parse_duration
from bot.context import UserError
from bot.i18n import _

NEVER = ("never", "none", "off")
MIN_OPEN = timedelta(minutes=1)
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_END_OF_DAY = time(23, 59)


def parse_closes(text: str, *, now: datetime, timezone: str, max_days: int) -> datetime | None:
    """The closing time for `text`; None for "never". Raises UserError with a fix."""
    raw = text.strip()
    if raw.lower() in NEVER:
        return None
    try:
        when = now + parse_duration(raw)
    except ArgError:
        when = _parse_date(raw, timezone)
    if when <= now:
        raise UserError(
            _(
                "{value} has already passed. Give a later time, or a duration such as 2d.",
                value=raw,
            )
        )
    if when - now < MIN_OPEN:
        raise UserError(_("A poll has to stay open for at least a minute."))
    if when - now > timedelta(days=max_days):
        raise UserError(
            _("A poll may run for at most {days} days. Pick an earlier time.", days=max_days)
        )
    return when


def _parse_date(raw: str, timezone: str) -> datetime:
    try:
        when = datetime.fromisoformat(raw.replace(" ", "T", 1))
    except ValueError:
        raise UserError(
            _(
                "{value!r} is neither a duration (30m, 2h, 2d, 1w) nor a date "
                "(2026-12-01 or 2026-12-01T18:00).",
                value=raw,
            )
        ) from None
    if _DATE_ONLY.match(raw):
        when = datetime.combine(when.date(), _END_OF_DAY)
    if when.tzinfo is None:
        when = when.replace(tzinfo=ZoneInfo(timezone))
    return when.astimezone(UTC)
