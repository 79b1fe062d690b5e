"""Dates, durations and numbers in the reader's language and time zone, across DST."""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.formatting import clock, dates, measure, number, percent, relative, span, when
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


@pytest.mark.parametrize(
    ("locale", "share", "tenth", "minutes", "weight"),
    [
        ("en", "43%", "42.5%", "4.5 min", "2.5"),
        ("nb", "43\xa0%", "42,5\xa0%", "4,5 min", "2,5"),
        ("lv", "43%", "42,5%", "4,5 min", "2,5"),
        ("fi", "43\xa0%", "42,5\xa0%", "4,5 min", "2,5"),
        ("uk", "43%", "42,5%", "4,5 хв", "2,5"),
    ],
)
def test_shares_figures_and_weights_in_each_language(
    locale: str, share: str, tenth: str, minutes: str, weight: str
) -> None:
    with using_locale(locale):
        assert percent(0.4251) == share
        assert percent(0.4251, 1) == tenth
        assert measure(42.5, "%") == tenth
        assert measure(4.5, "min") == minutes
        assert number(2.5) == weight
        assert number(2.0) == "2"
        assert percent(None) == measure(None, "%") == "–"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "Nov 16 – 22, 2026"),
        ("nb", "16.–22. nov. 2026"),
        ("fi", "16.–22. marraskuuta 2026"),
    ],
)
def test_a_period_names_its_days_on_the_readers_calendar(locale: str, expected: str) -> None:
    # A week that ends (exclusively) at midnight in Oslo: 23:00 UTC the day before.
    start = datetime(2026, 11, 15, 23, 0, tzinfo=UTC)
    end = datetime(2026, 11, 22, 23, 0, tzinfo=UTC)
    with using_locale(locale):
        assert dates(start, end, "Europe/Oslo").replace("\u2009", " ") == expected
        # In UTC the same instants cover 15 to 22 November.
        assert "15" in dates(start, end, "UTC")


def test_a_time_of_day_is_written_as_the_language_writes_it() -> None:
    with using_locale("en"):
        assert clock(time(17, 5)) == "17:05"
    with using_locale("fi"):
        assert clock(time(17, 5)) == "17.05"


def _number_format_specs(path: Path) -> list[str]:
    """f-string fields formatted as numbers by Python (`{x:g}`, `{x:,}`, `{x:.1%}`)."""
    found = []
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FormattedValue) and isinstance(node.format_spec, ast.JoinedStr):
            spec = "".join(
                str(v.value) for v in node.format_spec.values if isinstance(v, ast.Constant)
            )
            if _NUMBER_SPEC.fullmatch(spec) and DATA not in lines[node.lineno - 1]:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {{…:{spec}}}")
    return found


DATA = "# stored, not shown"  # a line that writes data (a key, a stored fact) says so
_NUMBER_SPEC = re.compile(r"[<>^=]?[+\- ]?#?0?\d*[,_]?(\.\d+)?[efgn%]?")
ROOT = Path(__file__).resolve().parents[2]


def test_features_format_numbers_with_babel() -> None:
    """Python's number formats are English (`1,234.5`); bot.formatting speaks the reader's.

    Zero-padded integers in keys and ids (`{n:02d}`) and lines marked as writing stored
    data are not numbers a member reads.
    Metrics is being reworked separately and is checked once that lands.
    """
    offenders = [
        line
        for path in sorted((ROOT / "bot" / "features").rglob("*.py"))
        if "metrics" not in path.parts
        for line in _number_format_specs(path)
        if not line.endswith("d}")
    ]
    assert not offenders, "format these with bot.formatting:\n" + "\n".join(offenders)


def test_relative_moments_and_the_last_minute() -> None:
    with using_locale("en"):
        assert relative(timedelta(minutes=45)) == "in 45 minutes"
        assert relative(timedelta(days=-3)) == "3 days ago"
        assert relative(timedelta(0)) == relative(timedelta(seconds=-30)) == "just now"
        assert relative(timedelta(seconds=-90)) == "2 minutes ago"
    with using_locale("lv"):
        assert relative(timedelta(hours=-5)) == "pirms 5 stundām"
