"""Dates, durations and numbers in the reader's language and time zone, across DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.formatting import number, relative, span, when
from bot.i18n import using_locale


@pytest.mark.parametrize(
    ("utc", "zone", "expected"),
    [
        # Europe moves its clocks forward at 01:00 UTC on 2026-03-29: 02:xx never happens.
        (datetime(2026, 3, 29, 0, 59, tzinfo=UTC), "Europe/Oslo", "Sun, Mar 29 01:59"),
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "Europe/Oslo", "Sun, Mar 29 03:00"),
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "Europe/Riga", "Sun, Mar 29 04:00"),
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "Europe/Helsinki", "Sun, Mar 29 04:00"),
        # ... and back at 01:00 UTC on 2026-10-25: 03:30 in Kyiv happens twice.
        (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "Europe/Kyiv", "Sun, Oct 25 03:30"),
        (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "Europe/Kyiv", "Sun, Oct 25 03:30"),
        # New York changes on other Sundays, and the date can differ from UTC's.
        (datetime(2026, 3, 8, 6, 59, tzinfo=UTC), "America/New_York", "Sun, Mar 8 01:59"),
        (datetime(2026, 3, 8, 7, 0, tzinfo=UTC), "America/New_York", "Sun, Mar 8 03:00"),
        (datetime(2026, 1, 1, 2, 0, tzinfo=UTC), "America/New_York", "Wed, Dec 31 21:00"),
    ],
)
def test_a_moment_is_shown_on_the_readers_clock(utc: datetime, zone: str, expected: str) -> None:
    with using_locale("en"):
        assert when(utc, zone) == f"{expected} ({zone})"


@pytest.mark.parametrize(
    ("locale", "moment", "length", "count"),
    [
        ("en", "Sun, Mar 29 03:00", "2 days", "12,345"),
        ("nb", "søn. 29. mars 03:00", "2 døgn", "12\xa0345"),
        ("lv", "svētd., 29. marts 03:00", "2 dienas", "12\xa0345"),
        ("fi", "su 29.3. 3.00", "2 päivää", "12\xa0345"),
        ("uk", "нд, 29 бер., 03:00", "2 дні", "12\xa0345"),
    ],
)
def test_each_language_writes_dates_durations_and_numbers_its_own_way(
    locale: str, moment: str, length: str, count: str
) -> None:
    with using_locale(locale):
        assert when(datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "Europe/Oslo").startswith(moment)
        assert span(timedelta(days=2)) == length
        assert number(12345) == count


def test_relative_moments_and_the_last_minute() -> None:
    with using_locale("en"):
        assert relative(timedelta(minutes=45)) == "in 45 minutes"
        assert relative(timedelta(days=-3)) == "3 days ago"
        assert relative(timedelta(0)) == relative(timedelta(seconds=-30)) == "just now"
        assert relative(timedelta(seconds=-90)) == "2 minutes ago"
    with using_locale("lv"):
        assert relative(timedelta(hours=-5)) == "pirms 5 stundām"
