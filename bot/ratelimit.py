"""Per-person rate limits, so one member (or a script) cannot flood the bot.

A sliding window per person: at most `limit` uses in `window`. The dispatcher keeps
one limiter for commands and one for clicks (buttons, menus, forms), keyed by the
person when the directory knows them, so linked Discord and Slack accounts share one
allowance. The first refusal in a window says how long to wait; later ones stay
silent, so the refusals themselves cannot become the flood.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.model import MemberRecord, Ref


def rate_key(account: Ref, record: MemberRecord | None) -> Hashable:
    """Whose allowance a use counts against: the person, else the account."""
    return ("person", record.person_id) if record is not None else account


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    retry_after: timedelta = timedelta(0)
    tell: bool = False


class RateLimiter:
    def __init__(self, limit: int, window: timedelta = timedelta(minutes=1)) -> None:
        self.limit = limit
        self.window = window
        self._seen: dict[Hashable, deque[datetime]] = {}
        self._told: dict[Hashable, datetime] = {}

    def check(self, who: Hashable, now: datetime) -> Verdict:
        if self.limit <= 0:
            return Verdict(True)
        times = self._seen.setdefault(who, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) < self.limit:
            times.append(now)
            self._told.pop(who, None)
            return Verdict(True)
        retry = self.window - (now - times[0])
        told = self._told.get(who)
        tell = told is None or now - told >= self.window
        if tell:
            self._told[who] = now
        self._forget_idle(now)
        return Verdict(False, retry, tell)

    def _forget_idle(self, now: datetime) -> None:
        """Keep memory bounded: drop members whose window has passed."""
        if len(self._seen) < 10_000:
            return
        for who in [w for w, t in self._seen.items() if not t or now - t[-1] >= self.window]:
            del self._seen[who]
            self._told.pop(who, None)
