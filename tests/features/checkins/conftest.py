"""A team for check-ins: alice (admin), bob (moderator), carol, dave and erin (team).

`checkins(...)` builds a Harness whose keys go to `[features.checkins]`; helpers
read the check-in tables directly, so tests check what was stored and when.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from bot.testing import Harness
from storage.tables.checkins import checkin_answers, checkin_deliveries

MEMBERS = (
    ("alice", ("admin",)),
    ("bob", ("moderator",)),
    ("carol", ("team",)),
    ("dave", ("team",)),
    ("erin", ("team",)),
)

STANDUP = {
    "name": "standup",
    "title": "Daily standup",
    "schedule": "every weekday 09:00",
    "questions": ["What did you do?", "What next?"],
    "roles": ["team"],
    "channel": "general",
    "remind_after": "2h",
    "summary_at": "17:00",
}


def utc(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def checkins(
    *,
    start: datetime | None = None,
    members: Sequence[tuple[str, tuple[str, ...]]] = MEMBERS,
    bot: dict[str, Any] | None = None,
    storage_url: str | None = None,
    **section: Any,
) -> Harness:
    """`async with checkins(checkins=[STANDUP]) as h:`."""
    config: dict[str, Any] = {"features": {"checkins": section}}
    if bot:
        config["bot"] = bot
    extra: dict[str, Any] = {"storage_url": storage_url} if storage_url else {}
    return Harness(config=config, members=members, start=start, **extra)


async def set_zone(h: Harness, name: str, zone: str) -> None:
    await h.command(name, f"/timezone {zone}")


async def deliveries(h: Harness) -> list[Any]:
    async with h.runtime.storage.connection() as conn:
        rows = await conn.execute(select(checkin_deliveries).order_by(checkin_deliveries.c.id))
        return list(rows.all())


async def answers(h: Harness) -> list[Any]:
    async with h.runtime.storage.connection() as conn:
        return list((await conn.execute(select(checkin_answers))).all())


def asked(h: Harness, name: str) -> list[str]:
    """The check-in DMs `name` got (questions and reminders)."""
    return [p.text for p in h.dms(name) if "🗓️" in p.text or "⏰" in p.text]


def questions(h: Harness, name: str) -> list[str]:
    """The runs `name` was asked (reminders left out)."""
    return [t for t in asked(h, name) if "🗓️" in t]
