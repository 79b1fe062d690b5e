"""Figures features contribute to community metrics, without metrics importing them.

A feature declares `@feature.stats` returning `Figure`s for a `Window`; the metrics
feature (`/stats`, `agora report`, the weekly digest) collects them from every
enabled feature. Question tracking adds response times, moderation its flags,
kudos its flow, polls their participation — each stays the owner of its numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class Window:
    """A half-open time range [start, end), optionally one platform only."""

    start: datetime
    end: datetime
    platform: str | None = None

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("a window must end after it starts")

    @property
    def days(self) -> float:
        return (self.end - self.start).total_seconds() / 86400


@dataclass(frozen=True, slots=True)
class Figure:
    """One named number. `key` is stable (CSV column, Prometheus name); `label` is shown."""

    key: str
    label: str
    value: float | None
    unit: str = ""
    group: str = ""


def as_percent(share: float | None) -> float | None:
    """A share (0 to 1) as a figure's value in percent, to one decimal; None (no data) stays."""
    return None if share is None else round(100 * share, 1)


def as_minutes(duration: timedelta | None) -> float | None:
    """A duration as a figure's value in minutes, to one decimal; None (no data) stays."""
    return None if duration is None else round(duration.total_seconds() / 60, 1)
