"""A poll's deadline is a persisted job: it survives restarts and fires exactly once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot.testing import Harness
from storage.schema import scheduled_jobs
from storage.tables.polls import polls

POLL = '/poll "Lunch on Friday?" "Pizza" "Soup" --closes 2d'


def results(h: Harness) -> list[str]:
    return [p.text for p in h.sent if p.text.startswith("📊 Results of poll #1")]


async def test_deadline_missed_while_down_fires_once_after_restart(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'agora.db'}"
    async with Harness(storage_url=url) as first:
        await first.command("alice", POLL)
        await first.click("carol", "Soup")
        await first.click("bob", "Soup")
        start = first.clock.now()
    # Down for three days: the deadline passes while nothing runs.
    later = start + timedelta(days=3)
    async with Harness(storage_url=url, start=later) as second:
        await second.tick("1m")  # the scheduler re-armed the job at start; it fires now
        found = results(second)
        assert len(found) == 1
        assert "2. Soup 🏆 — 2 votes (100%)" in found[0]
        async with second.runtime.storage.connection() as conn:
            closed_at = (await conn.execute(select(polls.c.closed_at))).scalar_one()
            done = (await conn.execute(select(scheduled_jobs.c.done_at))).scalar_one()
        assert closed_at == later and done == later
        await second.tick("3d")
        assert len(results(second)) == 1
    async with Harness(storage_url=url, start=later + timedelta(days=1)) as third:
        await third.tick("5d")
        assert results(third) == []  # a third start finds nothing left to fire


async def test_deadline_not_yet_due_is_rearmed_after_restart(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'agora.db'}"
    async with Harness(storage_url=url) as first:
        await first.command("alice", POLL)
        await first.click("carol", "Pizza")
        start = first.clock.now()
    async with Harness(storage_url=url, start=start + timedelta(days=1)) as second:
        assert await second.tick("23h") == []
        await second.tick("1h")
        assert len(results(second)) == 1
