"""What metrics keeps about a person: only when they were sent a check-in DM.

Activity facts belong to the core (the generic GDPR walk erases and exports them);
aggregates already computed (a digest posted last month) hold no person.
"""

from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.features.metrics.store import CheckIns


def _checkins(ctx: Context) -> CheckIns:
    return ctx.repo(CheckIns)  # type: ignore[type-abstract]


async def forget(ctx: Context, person_id: int) -> None:
    await _checkins(ctx).forget(person_id)


async def export(ctx: Context, person_id: int) -> dict[str, Any]:
    sent = await _checkins(ctx).of(person_id)
    return {"checkins_sent": [at.isoformat() for at in sent]}
