"""Time as a dependency: the real clock in production, a fake one in tests and the console.

Nothing in the core calls `datetime.now()` directly, so a test (or `:tick 2d` in the
console) can jump days ahead and watch reminders and deadlines fire.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        start = start or datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        if when < self._now:
            raise ValueError("time does not go backwards")
        self._now = when.astimezone(UTC)

    def advance(self, delta: timedelta) -> datetime:
        self.set(self._now + delta)
        return self._now
