"""(b) The activity write path vs raw SQLAlchemy Core executemany of the same rows.

Ours: `ActivityLog.record(batch)` through `storage.unit_of_work()` (the write lock on
SQLite, the repository turning `ActivityFact`s into rows, one transaction per batch).
Raw: `conn.execute(insert(activity), rows)` in `engine.begin()` with the rows already
built as dicts. Same rows, same batch size, same transaction boundaries; the two run
in alternating rounds (ours first, then raw first) so neither profits from a warmer
table or cache. Ratio = our rows/s ÷ raw rows/s; target ≥ 0.5×.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from bench.framework import FAIL, STORAGE_VARIANTS, Case, LoopProbe, Row, benchmark, judge, number
from bench.support import database_url, open_app
from bot.model import Ref
from bot.ports import ActivityFact, ActivityLog

BATCH = 500
ROUNDS = 6
TARGET_RATIO = 0.5


def make_facts(count: int, seed: int = 11) -> list[ActivityFact]:
    rnd = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    kinds = ("message", "message", "message", "reply", "reaction", "command")
    facts = []
    for i in range(count):
        kind = rnd.choice(kinds)
        facts.append(
            ActivityFact(
                person_id=rnd.randint(1, 5000),
                member=Ref("discord", "guild-1", f"u{rnd.randint(1, 5000)}"),
                channel_id=f"c{rnd.randint(1, 40)}",
                kind=kind,
                at=start + timedelta(seconds=i),
                length=rnd.randint(0, 400),
                reply=kind == "reply",
                sentiment=None,
            )
        )
    return facts


def as_rows(facts: list[ActivityFact]) -> list[dict[str, Any]]:
    return [
        {
            "person_id": f.person_id,
            "platform": f.member.platform,
            "workspace": f.member.workspace,
            "channel_id": f.channel_id,
            "kind": f.kind,
            "at": f.at,
            "length": f.length,
            "reply": f.reply,
            "sentiment": f.sentiment,
        }
        for f in facts
    ]


@benchmark("write_path", title="activity write path", variants=STORAGE_VARIANTS)
async def write_path(case: Case) -> list[Row]:
    from storage.schema import activity

    total = int(case.pick(30_000, 600_000))
    per_round = total // ROUNDS
    url = await database_url(case)
    bench = await open_app(url, members=0, channels=0, start_scheduler=False)
    try:
        storage = bench.app.runtime.storage
        engine = bench.engine
        ours_seconds = raw_seconds = 0.0

        async def ours(part: list[ActivityFact]) -> float:
            started = time.perf_counter()
            for i in range(0, len(part), BATCH):
                async with storage.unit_of_work() as uow:
                    await uow.get(ActivityLog).record(part[i : i + BATCH])  # type: ignore[type-abstract]
            return time.perf_counter() - started

        async def raw(part: list[dict[str, Any]]) -> float:
            started = time.perf_counter()
            statement = insert(activity)
            for i in range(0, len(part), BATCH):
                async with engine.begin() as conn:
                    await conn.execute(statement, part[i : i + BATCH])
            return time.perf_counter() - started

        # One small warm-up round each (statement caches, connection pool).
        warm_up = make_facts(BATCH, seed=0)
        await ours(warm_up)
        await raw(as_rows(warm_up))
        probe = LoopProbe()  # entered once per round; it accumulates across windows
        for n in range(ROUNDS):
            # Made per round, outside the timings and the probe, so that memory holds
            # one round only and making test data does not count as a stall.
            facts = make_facts(per_round, seed=n + 1)
            rows = as_rows(facts)
            async with probe:
                if n % 2 == 0:
                    ours_seconds += await ours(facts)
                    raw_seconds += await raw(rows)
                else:
                    raw_seconds += await raw(rows)
                    ours_seconds += await ours(facts)
        written = per_round * ROUNDS
        stored = await bench.count(activity)
        ours_rate = written / ours_seconds
        raw_rate = written / raw_seconds
        ratio = ours_rate / raw_rate
        label = case.variant
        complete = stored == 2 * written + 2 * BATCH
        return [
            Row(
                figure=f"write path vs raw Core, {label}",
                target=f"≥ {TARGET_RATIO}× raw Core",
                measured=number(ours_rate, "rows/s"),
                ratio=ratio,
                status=judge(ratio, at_least=TARGET_RATIO) if complete else FAIL,
                stall_ms=probe.max_ms,
                note=(
                    f"write path, {label}: {written:,} rows each way in batches of {BATCH}, "
                    f"{ROUNDS} alternating rounds; the table holds {stored:,} rows; "
                    f"{probe.describe()}" + ("" if complete else " — ROWS MISSING")
                ),
            ),
            Row(
                figure=f"raw Core executemany, {label}",
                target="baseline",
                measured=number(raw_rate, "rows/s"),
                stall_ms=probe.max_ms,
            ),
        ]
    finally:
        await bench.close()
