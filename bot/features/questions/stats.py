"""Response-time statistics from question timestamps: pure, so they can be checked by hand.

- Medians are the usual median (the mean of the two middle values for an even count);
  p90 is the nearest-rank percentile (the smallest value ≥ 90 % of the values), so
  it is always a time some member actually waited.
- "Answered within the SLA" counts only questions whose deadline has passed or that
  were answered: a question asked five minutes ago has not failed anything yet.
- "Unanswered" means asked in the window, nobody but the asker replied, not closed.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.features.questions.store import QuestionFacts, State


def median(values: Sequence[timedelta]) -> timedelta | None:
    if not values:
        return None
    return timedelta(seconds=statistics.median(v.total_seconds() for v in values))


def percentile(values: Sequence[timedelta], share: float) -> timedelta | None:
    """Nearest-rank percentile (`share` in 0..1)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True, slots=True)
class Summary:
    asked: int
    solved: int
    unanswered: int
    within_sla: float | None
    first_response_median: timedelta | None
    first_response_p90: timedelta | None
    solution_median: timedelta | None
    solution_p90: timedelta | None


def summarize(facts: Sequence[QuestionFacts], now: datetime, sla: timedelta) -> Summary:
    first = [f.first_response_at - f.created_at for f in facts if f.first_response_at]
    solved = [f.solved_at - f.created_at for f in facts if f.solved_at]
    judged = [f for f in facts if f.first_response_at is not None or f.created_at + sla <= now]
    in_time = [
        f
        for f in judged
        if f.first_response_at is not None and f.first_response_at - f.created_at <= sla
    ]
    return Summary(
        asked=len(facts),
        solved=sum(1 for f in facts if f.state is State.SOLVED),
        unanswered=sum(1 for f in facts if f.state is State.OPEN),
        within_sla=len(in_time) / len(judged) if judged else None,
        first_response_median=median(first),
        first_response_p90=percentile(first, 0.9),
        solution_median=median(solved),
        solution_p90=percentile(solved, 0.9),
    )


def by_topic(
    facts: Sequence[QuestionFacts], now: datetime, sla: timedelta
) -> list[tuple[str | None, Summary]]:
    """One summary per topic (None = no topic), busiest first."""
    groups: dict[str | None, list[QuestionFacts]] = {}
    for fact in facts:
        groups.setdefault(fact.topic, []).append(fact)
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0] or ""))
    return [(topic, summarize(group, now, sla)) for topic, group in ordered]
