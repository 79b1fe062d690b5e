"""Periods on the community's clock, without a database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import formatting
from bot.features.metrics.compute import _running, busiest, change, chunks, heat_map, hour_slots
from bot.features.metrics.periods import (
    PeriodError,
    day_number,
    parse_period,
    shifts,
    week_number,
    week_start,
    whole_week,
)
from bot.features.metrics.render import delta, number, points, title, tone
from bot.features.metrics.store import HourCount
from bot.i18n import using_locale
from bot.stats import Window

OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # a Tuesday


def test_named_periods_are_the_last_local_days_including_today() -> None:
    week = parse_period("week", NOW, OSLO)
    assert (week.first, week.last, week.days) == (date(2026, 3, 4), date(2026, 3, 10), 7)
    assert week.window.start == datetime(2026, 3, 3, 23, 0, tzinfo=UTC)  # Oslo midnight
    assert week.window.end == NOW + timedelta(seconds=1)
    assert parse_period("day", NOW, OSLO).first == date(2026, 3, 10)
    assert parse_period("month", NOW, OSLO).days == 30
    assert parse_period(" 14D ", NOW, OSLO).days == 14


def test_date_ranges_are_whole_local_days() -> None:
    march = parse_period("2026-02-01..2026-02-28", NOW, OSLO, "slack")
    assert march.window.start == datetime(2026, 1, 31, 23, 0, tzinfo=UTC)
    assert march.window.end == datetime(2026, 2, 28, 23, 0, tzinfo=UTC)
    assert march.window.platform == "slack"
    ongoing = parse_period("2026-03-01..2026-03-31", NOW, OSLO)
    assert ongoing.window.end == NOW + timedelta(seconds=1)  # the future is not silence
    assert (ongoing.last, ongoing.days) == (date(2026, 3, 10), 10)  # nor part of a mean


def test_a_period_that_has_not_started_is_refused() -> None:
    with pytest.raises(PeriodError, match="has not started yet"):
        parse_period("2027-01-01..2027-01-31", NOW, OSLO)


@pytest.mark.parametrize("text", ["0d", "3661d", "99999d"])
def test_numbered_periods_say_the_allowed_range(text: str) -> None:
    with pytest.raises(PeriodError, match="1 to 3660 days"):
        parse_period(text, NOW, OSLO)


@pytest.mark.parametrize(
    "text", ["fortnight", "0d", "5000d", "2026-02-30..2026-03-01", "2026-03-02..2026-03-01"]
)
def test_bad_periods_say_how_to_write_one(text: str) -> None:
    with pytest.raises(PeriodError) as error:
        parse_period(text, NOW, OSLO)
    assert str(error.value)


def test_previous_period_has_the_same_length() -> None:
    week = parse_period("week", NOW, OSLO)
    before = week.previous(OSLO)
    assert (before.first, before.last) == (date(2026, 2, 25), date(2026, 3, 3))
    assert before.window.end - before.window.start == week.window.end - week.window.start


def test_shifts_find_daylight_saving_changes() -> None:
    found = shifts(OSLO, datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC))
    assert [(s.since, s.seconds) for s in found] == [
        (datetime(2026, 1, 1, tzinfo=UTC), 3600),
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), 7200),
        (datetime(2026, 10, 25, 1, 0, tzinfo=UTC), 3600),
    ]
    kolkata = shifts(ZoneInfo("Asia/Kolkata"), NOW, NOW.replace(month=12))
    assert [s.seconds for s in kolkata] == [19800]


def test_week_numbers_start_on_monday() -> None:
    assert week_start(week_number(date(2026, 3, 10))) == date(2026, 3, 9)
    assert week_start(week_number(date(2026, 3, 9))) == date(2026, 3, 9)
    assert week_start(week_number(date(2026, 3, 8))) == date(2026, 3, 2)
    digest = whole_week(week_number(date(2026, 3, 10)) - 1, OSLO)
    assert (digest.first, digest.last) == (date(2026, 3, 2), date(2026, 3, 8))
    assert day_number(date(1970, 1, 2)) == 1


def test_chunks_cut_a_period_into_weeks() -> None:
    month = parse_period("month", NOW, OSLO)
    weeks = chunks(month, OSLO)
    assert [(w.first, w.last) for w in weeks] == [
        (date(2026, 2, 9), date(2026, 2, 10)),
        (date(2026, 2, 11), date(2026, 2, 17)),
        (date(2026, 2, 18), date(2026, 2, 24)),
        (date(2026, 2, 25), date(2026, 3, 3)),
        (date(2026, 3, 4), date(2026, 3, 10)),
    ]
    assert weeks[0].window.start == month.window.start
    assert weeks[-1].window.end == month.window.end


def test_running_counts_from_starts_and_ends() -> None:
    # Stints [1, 4) and [2, 3): counts on days 0..4.
    assert _running({1: 1, 2: 1}, {4: 1, 3: 1}, 0, 4) == [0, 1, 2, 1, 0]
    # Started before the first day shown and still running.
    assert _running({-5: 2}, {10: 2}, 0, 1) == [2, 2]


def test_numbers_and_changes_read_well() -> None:
    assert (number(None), number(12), number(12.25), number(15, "%"), number(3, "min")) == (
        "—",
        "12",
        "12.2",
        "15%",
        "3 min",
    )
    assert delta(12, 10) == " (+20%)" and delta(5, 10) == " (−50%)" and delta(3, 0) == ""
    assert points(0.25, 0.2) == " (+5 pts)" and points(0.1, None) == ""
    assert change(None, 3) is None and change(6, 3) == 1.0


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", ("12,345.5", "66.7%", " (+20%)", "+0.25", "Dec 1 – 7, 2026", "09:00 – 10:00")),
        ("lv", ("12 345,5", "66,7%", " (+20%)", "+0,25", "2026. gada 1.–7. dec.", "09:00–10:00")),
        ("fi", ("12 345,5", "66,7 %", " (+20 %)", "+0,25", "1.–7. joulukuuta 2026", "9.00–10.00")),
    ],
)
def test_numbers_dates_and_hours_are_written_the_readers_way(
    locale: str, expected: tuple[str, ...]
) -> None:
    with using_locale(locale):
        found = (
            number(12345.5),
            number(66.7, "%"),
            delta(12, 10),
            tone(0.25),
            title(parse_period("week", datetime(2026, 12, 7, 12, tzinfo=UTC), OSLO)),
            formatting.hour_span(9),
        )
    spaces = str.maketrans({"\u00a0": " ", "\u2009": " ", "\u202f": " "})
    assert tuple(text.translate(spaces) for text in found[:4]) == expected[:4]
    assert found[4].translate(spaces).endswith(expected[4])
    assert found[5].translate(spaces) == expected[5]


def test_heat_map_is_a_mean_per_hour_so_frequent_weekdays_do_not_win() -> None:
    # Monday Mar 2 00:00 to Tuesday Mar 10 00:00 UTC: Mondays twice, other days once.
    window = Window(datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 10, tzinfo=UTC))
    slots = hour_slots(window, ZoneInfo("UTC"))
    assert slots[0][9] == 2 and slots[1][9] == 1 and sum(map(sum, slots)) == 8 * 24
    monday, tuesday = day_number(date(2026, 3, 2)), day_number(date(2026, 3, 3))
    hours = [
        HourCount(monday * 24 + 9, "message", 2),
        HourCount((monday + 7) * 24 + 9, "message", 2),
        HourCount(tuesday * 24 + 9, "reaction", 3),
        HourCount(tuesday * 24 + 10, "command", 50),  # commands are not activity here
    ]
    heat = heat_map(hours, slots)
    assert (heat[0][9], heat[1][9], heat[1][10]) == (2.0, 3.0, 0.0)
    assert busiest(heat) == (1, 9)
    assert busiest(heat_map([], slots)) is None


def hour_by_hour(window: Window, zone: ZoneInfo) -> list[list[int]]:
    """The slow, obvious count `hour_slots` must agree with."""
    slots = [[0] * 24 for _ in range(7)]
    at = window.start.replace(minute=0, second=0, microsecond=0)
    while at < window.end:
        local = at.astimezone(zone)
        slots[local.weekday()][local.hour] += 1
        at += timedelta(hours=1)
    return slots


@pytest.mark.parametrize("zone", ["Europe/Oslo", "Asia/Kathmandu", "America/St_Johns"])
@pytest.mark.parametrize(
    ("start", "days"),
    [
        (datetime(2026, 3, 27, 17, 40, tzinfo=UTC), 5),  # over the spring change
        (datetime(2026, 10, 20, 3, 0, tzinfo=UTC), 30),  # over the autumn change
        (datetime(2023, 1, 1, 11, 15, tzinfo=UTC), 1100),  # years of changes
    ],
)
def test_hour_slots_count_weeks_at_once_and_agree_with_counting_hours(
    zone: str, start: datetime, days: int
) -> None:
    window = Window(start, start + timedelta(days=days, minutes=7))
    assert hour_slots(window, ZoneInfo(zone)) == hour_by_hour(window, ZoneInfo(zone))
