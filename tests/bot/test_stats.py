"""Turning shares and durations into figure values, the same way in every feature."""

from __future__ import annotations

from datetime import timedelta

from bot.stats import as_minutes, as_percent


def test_a_share_becomes_percent_to_one_decimal() -> None:
    assert as_percent(0.12345) == 12.3
    assert as_percent(1.0) == 100.0
    assert as_percent(0.0) == 0.0


def test_a_duration_becomes_minutes_to_one_decimal() -> None:
    assert as_minutes(timedelta(seconds=93)) == 1.6
    assert as_minutes(timedelta(hours=2)) == 120.0


def test_no_data_stays_no_data() -> None:
    assert as_percent(None) is None
    assert as_minutes(None) is None
