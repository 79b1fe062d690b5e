"""Who mentors a newcomer: the rule, as a pure function.

1. Only mentors with room (fewer active newcomers than `max_mentees`), never the
   newcomer themself, never a mentor they already had.
2. A newcomer who named topics gets a mentor sharing one; mentors "for any topic"
   share every topic but come after those who chose the topic. A newcomer without
   topics may get anyone.
3. Least loaded first, so the work spreads; then the same language, then the
   closest time zone (hours apart now, across midnight), then more shared topics,
   then who volunteered first.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@dataclass(frozen=True, slots=True)
class Candidate:
    person_id: int
    topics: tuple[str, ...]  # () = any topic
    load: int
    language: str
    timezone: str
    since: datetime


@dataclass(frozen=True, slots=True)
class Seeker:
    person_id: int
    topics: tuple[str, ...]
    language: str
    timezone: str


@dataclass(frozen=True, slots=True)
class Match:
    person_id: int
    topic: str | None


def hours_apart(a: str, b: str, at: datetime) -> float:
    """How far apart two zones' clocks are at `at` (0–12); unknown zones count as UTC."""

    def offset(zone: str) -> float:
        try:
            delta = ZoneInfo(zone).utcoffset(at)
        except (ZoneInfoNotFoundError, ValueError):
            return 0.0
        return delta.total_seconds() / 3600 if delta is not None else 0.0

    gap = abs(offset(a) - offset(b)) % 24
    return min(gap, 24 - gap)


def choose(
    seeker: Seeker,
    candidates: Sequence[Candidate],
    *,
    limit: int,
    exclude: Collection[int] = (),
    at: datetime,
) -> Match | None:
    pool = [
        c
        for c in candidates
        if c.person_id != seeker.person_id and c.person_id not in exclude and c.load < limit
    ]

    def shared(c: Candidate) -> list[str]:
        return [t for t in seeker.topics if t in c.topics]

    if seeker.topics:
        eligible = [c for c in pool if shared(c)] or [c for c in pool if not c.topics]
    else:
        eligible = pool
    if not eligible:
        return None
    best = min(
        eligible,
        key=lambda c: (
            c.load,
            c.language != seeker.language,
            hours_apart(c.timezone, seeker.timezone, at),
            -len(shared(c)),
            c.since,
            c.person_id,
        ),
    )
    common = shared(best)
    return Match(best.person_id, common[0] if common else None)
