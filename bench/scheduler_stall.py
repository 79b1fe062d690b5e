"""(c) The longest event-loop stall while 2,000 persisted jobs fall due at once.

The real-clock path: 2,000 rows in `scheduled_jobs` share one `due_at` a few seconds
ahead; `Scheduler.start()` re-arms them as APScheduler 3.11 `DateTrigger`s (as after
a restart), and the loop-lag probe watches while APScheduler releases all 2,000 at
that instant and each one is claimed and run in its own unit of work. The handler
does nothing, so what is measured is the scheduler and the claim, not a feature.

Baseline: a bare `AsyncIOScheduler` firing the same 2,000 jobs, each doing the same
claim (`UPDATE scheduled_jobs … WHERE done_at IS NULL`) in its own transaction.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, update

from bench.framework import (
    FAIL,
    PASS,
    SQLITE,
    STORAGE_VARIANTS,
    Case,
    LoopProbe,
    Row,
    benchmark,
    measured_row,
    number,
)
from bench.support import BenchApp, database_url, open_app
from bot.context import Context
from bot.registry import Feature

JOBS = 2_000
TARGET_STALL_MS = 100.0
LEAD = timedelta(seconds=2)
BARE_LEAD = timedelta(seconds=1)  # nothing to re-arm from storage: adding 2,000 is quick

jobs_feature = Feature("benchjobs", description="benchmark jobs")
fired_at: list[float] = []


@jobs_feature.job("ping")
async def ping(ctx: Context, payload: dict[str, Any]) -> None:
    fired_at.append(time.perf_counter())


async def persist_jobs(bench: BenchApp, due: datetime) -> None:
    from storage.schema import scheduled_jobs

    now = datetime.now(UTC)
    rows = [
        {
            "key": f"benchjobs:ping:{i}",
            "feature": jobs_feature.name,
            "name": "ping",
            "due_at": due,
            "payload": "{}",
            "created_at": now,
        }
        for i in range(JOBS)
    ]
    async with bench.engine.begin() as conn:
        await conn.execute(insert(scheduled_jobs), rows)


async def wait_for(condition: Callable[[], bool], limit: float) -> bool:
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        if condition():
            return True
        await asyncio.sleep(0.02)
    return condition()


def perf_at(when: datetime) -> float:
    """The perf_counter() value at the wall-clock instant `when`."""
    return time.perf_counter() + (when - datetime.now(UTC)).total_seconds()


@benchmark("scheduler_stall", title="scheduler, 2,000 jobs due", variants=STORAGE_VARIANTS)
async def scheduler_stall(case: Case) -> list[Row]:
    from bot.features import all_features
    from storage.schema import scheduled_jobs

    label = case.variant
    url = await database_url(case)
    bench = await open_app(
        url, features=[*all_features(), jobs_feature], members=0, channels=0, start_scheduler=False
    )
    fired_at.clear()
    limit = case.pick(90.0, 300.0)
    try:
        due = datetime.now(UTC) + LEAD
        await persist_jobs(bench, due)
        armed_started = time.perf_counter()
        async with LoopProbe() as arming:
            await bench.app.start()  # as in production: arm, then freeze what start-up made
        arm_seconds = time.perf_counter() - armed_started
        due_perf = perf_at(due)
        async with LoopProbe() as firing:
            finished = await wait_for(lambda: len(fired_at) >= JOBS, limit)
            await asyncio.sleep(0.1)
        done = await bench.count(scheduled_jobs, scheduled_jobs.c.done_at.is_not(None))
        ours_drain = (max(fired_at) - due_perf) if fired_at else float("nan")
        ours_rate = len(fired_at) / ours_drain if fired_at else 0.0
    finally:
        await bench.close()

    bare = await bare_apscheduler(case, url)
    ok = finished and done == JOBS and len(fired_at) == JOBS
    return [
        measured_row(
            f"loop stall, {JOBS:,} jobs due, {label}",
            firing.max_ms,
            "ms",
            at_most=TARGET_STALL_MS,
            digits=1,
            ratio=firing.max_ms / bare["stall"] if bare["stall"] else None,
            stall_ms=firing.max_ms,
            note=(
                f"scheduler, {label}: real clock, APScheduler DateTriggers, all due at one "
                f"instant; every job ran within {ours_drain:.2f} s of it; {firing.describe()}; "
                f"the ratios are over the bare AsyncIOScheduler's stall and jobs/s"
            ),
        ),
        Row(
            figure=f"{JOBS:,} jobs fired once, {label}",
            target=number(JOBS),
            measured=f"{len(fired_at):,} ran, {done:,} done",
            status=PASS if ok else FAIL,
        ),
        measured_row(
            f"jobs/s after the due instant, {label}",
            ours_rate,
            "jobs/s",
            ratio=ours_rate / bare["rate"] if bare["rate"] else None,
            stall_ms=firing.max_ms,
        ),
        measured_row(
            f"re-arming {JOBS:,} jobs at start, {label}",
            arm_seconds * 1000,
            "ms",
            digits=0,
            stall_ms=arming.max_ms,
        ),
        measured_row(
            f"bare APScheduler jobs/s, {label}",
            bare["rate"],
            "jobs/s",
            stall_ms=bare["stall"],
            note=(
                f"bare APScheduler, {label}: the same {bare['ran']:,} claims from a plain "
                f"AsyncIOScheduler (the baseline of the stall and jobs/s ratios), run after "
                f"Agora's in the same process, so its peak RSS is the case's"
            ),
        ),
    ]


async def bare_apscheduler(case: Case, url: str) -> dict[str, float]:
    """The same 2,000 claims fired by a bare AsyncIOScheduler, no Agora in between."""
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from apscheduler.triggers.date import DateTrigger

    from storage.engine import create_engine
    from storage.schema import scheduled_jobs

    engine = create_engine(url)
    lock = asyncio.Lock() if case.variant == SQLITE else None
    ran: list[float] = []
    try:
        async with engine.begin() as conn:
            await conn.execute(update(scheduled_jobs).values(done_at=None, claimed_by=None))

        statement = (
            update(scheduled_jobs)
            .where(scheduled_jobs.c.id == bindparam("job_id"), scheduled_jobs.c.done_at.is_(None))
            .values(done_at=bindparam("now"), claimed_by="bare")
        )

        async def claim(job_id: int) -> None:
            params = {"job_id": job_id, "now": datetime.now(UTC)}
            if lock is not None:
                async with lock, engine.begin() as conn:
                    await conn.execute(statement, params)
            else:
                async with engine.begin() as conn:
                    await conn.execute(statement, params)
            ran.append(time.perf_counter())

        aps = AsyncIOScheduler(timezone="UTC")
        aps.start()
        due = datetime.now(UTC) + BARE_LEAD
        for job_id in range(1, JOBS + 1):
            aps.add_job(
                claim,
                DateTrigger(run_date=due),
                args=(job_id,),
                id=f"job:{job_id}",
                misfire_grace_time=None,
            )
        due_perf = perf_at(due)
        async with LoopProbe() as probe:
            await wait_for(lambda: len(ran) >= JOBS, case.pick(90.0, 300.0))
        aps.shutdown(wait=False)
        drain = max(ran) - due_perf if ran else float("nan")
        return {"rate": len(ran) / drain if ran else 0.0, "stall": probe.max_ms, "ran": len(ran)}
    finally:
        await engine.dispose()
