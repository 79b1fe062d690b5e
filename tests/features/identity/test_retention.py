"""The nightly retention job: old activity facts and replay keys go, recent ones stay."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.testing import Harness
from storage.schema import activity, processed_events


async def _count(h: Harness, table: object) -> int:
    async with h.runtime.storage.connection() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


async def test_old_activity_and_replay_keys_are_pruned_nightly() -> None:
    config = {"privacy": {"activity_retention_days": 3, "processed_events_retention_days": 1}}
    async with Harness(config=config) as h:
        await h.say("carol", "old news")
        await h.tick("2d")
        await h.say("carol", "fresh")
        assert await _count(h, activity) == 2
        await h.tick("1d12h")  # Jan 8 21:00: the 03:30 run's cutoff was Jan 5 03:30
        assert await _count(h, activity) == 2
        await h.tick("12h")  # past Jan 9 03:30: cutoff Jan 6 03:30, "old news" (Jan 5) goes
        assert await _count(h, activity) == 1
        assert await _count(h, processed_events) == 0
