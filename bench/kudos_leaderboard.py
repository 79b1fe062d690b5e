"""Kudos leaderboards over 1,000,000 kudos (100,000 in quick mode).

A year of kudos between 10,000 members (1,000 quick) is bulk-loaded — receivers
Zipf-distributed (a few members get most of the thanks, as in real communities),
eight topics, a running total per receiver — and 3 % of the members have left. Then
each board is read again and again through `Leaderboards.board`, as `/leaderboard`
does (the caller's own place included): the rolling week and 30 days, all time, and
all time for one topic. Target: the slowest board's p95 ≤ 100 ms on SQLite.

The same boards are also timed end to end through the dispatcher (`/leaderboard all`
typed by a member: parse, permission, query, names, render, reply) to show what a
member waits in the core.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update

from bench.framework import (
    PASS,
    SQLITE,
    STORAGE_VARIANTS,
    Case,
    LoopProbe,
    Row,
    benchmark,
    measured_row,
    percentile,
)
from bench.support import BenchApp, database_url, open_app

TARGET_MS = 100.0
BATCH = 20_000
TOPICS = ("general", "help", "python", "rust", "design", "events", "billing", "random")
BOARDS = (("week", None), ("month", None), ("all", None), ("all", "help"))


async def _people(bench: BenchApp) -> list[int]:
    from storage.schema import members

    async with bench.engine.connect() as conn:
        rows = await conn.execute(select(members.c.person_id).order_by(members.c.person_id))
        return [int(r[0]) for r in rows]


async def load_kudos(bench: BenchApp, persons: list[int], count: int, now: datetime) -> float:
    """Bulk-insert a year of kudos and the receivers' running totals; seconds taken."""
    from storage.schema import members
    from storage.tables.kudos import kudos, kudos_totals

    rnd = random.Random(6)
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(persons))]
    receivers = rnd.choices(persons, weights, k=count)
    totals: dict[tuple[int, str], int] = {}
    started = time.perf_counter()
    year = timedelta(days=365).total_seconds()
    for start in range(0, count, BATCH):
        rows: list[dict[str, Any]] = []
        for i in range(start, min(count, start + BATCH)):
            receiver = receivers[i]
            giver = rnd.choice(persons)
            points = rnd.choice((1, 1, 1, 2, 3))
            topic = rnd.choice(TOPICS)
            for key in ((receiver, ""), (receiver, topic)):
                totals[key] = totals.get(key, 0) + points
            rows.append(
                {
                    "giver_person_id": giver if giver != receiver else None,
                    "receiver_person_id": receiver,
                    "points": points,
                    "source": "reaction" if i % 3 else "command",
                    "platform": bench.community.platform,
                    "emoji": "🙏" if i % 3 else None,
                    "topic": topic,
                    "given_at": now - timedelta(seconds=rnd.random() * year),
                }
            )
        async with bench.engine.begin() as conn:
            await conn.execute(insert(kudos), rows)
    async with bench.engine.begin() as conn:
        await conn.execute(
            insert(kudos_totals),
            [{"person_id": p, "topic": t, "points": n} for (p, t), n in totals.items()],
        )
        gone = persons[1::33]  # 3 % have left: boards must leave them out
        await conn.execute(update(members).where(members.c.person_id.in_(gone)).values(left_at=now))
        total = (await conn.execute(select(func.count()).select_from(kudos))).scalar_one()
    assert total == count, f"loaded {total} kudos, expected {count}"
    if bench.engine.dialect.name == "postgresql":
        await settle_like_autovacuum(bench)
    return time.perf_counter() - started


async def settle_like_autovacuum(bench: BenchApp) -> None:
    """What PostgreSQL's autovacuum does soon after such a load, done at once.

    It analyses every table that changed this much (the members and running totals
    too: left unanalysed, `members` looked like 4 rows to the planner, which then
    checked "still here" with a nested loop over 10,000 × 10,000 rows — the 2.3 s the
    first full record measured), and it vacuums insert-only tables (PostgreSQL 13+),
    which lets the covering index serve the week and month boards alone. SQLite is
    left as production leaves it (never analysed), which the queries are written for.
    """
    async with bench.engine.connect() as conn:
        auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await auto.exec_driver_sql("VACUUM ANALYZE kudos")
        for table in ("kudos_totals", "members", "persons"):
            await auto.exec_driver_sql(f"ANALYZE {table}")


async def time_boards(
    bench: BenchApp, me: int, rounds: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Wall time and CPU time (all threads: the query runs in aiosqlite's) per board, ms.

    CPU time tells what the board costs when the machine is busy with other work.
    """
    from bot.features.kudos.leaderboard import MAX_TIED
    from bot.features.kudos.store import Leaderboards

    runtime = bench.app.runtime
    wall: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    now = runtime.clock.now()
    for _ in range(rounds):
        for period, topic in BOARDS:
            span = {"week": timedelta(days=7), "month": timedelta(days=30)}.get(period)
            started, used = time.perf_counter(), time.process_time()
            async with runtime.storage.unit_of_work() as uow:
                board = await uow.get(Leaderboards).board(
                    tied=MAX_TIED,
                    since=now - span if span else None,
                    until=None,
                    topic=topic,
                    size=10,
                    me=me,
                )
            name = f"{period}{' ' + topic if topic else ''}"
            wall.setdefault(name, []).append((time.perf_counter() - started) * 1000)
            cpu.setdefault(name, []).append((time.process_time() - used) * 1000)
            assert board.top, f"empty {name} board"
    return wall, cpu


async def time_command(bench: BenchApp, rounds: int) -> list[float]:
    """`/leaderboard all` typed by a member, through the dispatcher, reply included."""
    member = bench.members[-1].name
    channel = bench.channels[0].name
    latencies = []
    for _ in range(rounds):
        event = bench.community.command(member, channel, "/leaderboard all")
        before = len(bench.community.posts)
        started = time.perf_counter()
        await bench.app.dispatcher.handle(event)
        latencies.append((time.perf_counter() - started) * 1000)
        assert "Kudos leaderboard" in bench.community.posts[before].text
    return latencies


@benchmark("kudos_leaderboard", title="kudos leaderboards, 1 M kudos", variants=STORAGE_VARIANTS)
async def kudos_leaderboard(case: Case) -> list[Row]:
    label = case.variant
    count = int(case.pick(100_000, 1_000_000))
    members = int(case.pick(1_000, 10_000))
    rounds = int(case.pick(10, 30))
    url = await database_url(case)
    bench = await open_app(url, members=members, channels=2, start_scheduler=False)
    try:
        persons = await _people(bench)
        now = datetime.now(UTC)
        load_seconds = await load_kudos(bench, persons, count, now)
        async with LoopProbe() as probe:
            timings, cpu = await time_boards(bench, persons[-1], rounds)
            command = await time_command(bench, rounds)
    finally:
        await bench.close()
    bound = TARGET_MS if label == SQLITE else None
    worst = max(timings, key=lambda name: percentile(timings[name], 95))
    detail = ", ".join(
        f"{name} p50 {percentile(t, 50):.1f} / p95 {percentile(t, 95):.1f} ms "
        f"(CPU p50 {percentile(cpu[name], 50):.1f} ms)"
        for name, t in timings.items()
    )
    rows = [
        measured_row(
            f"leaderboard p95, slowest board ({worst}), {count:,} kudos ({label})",
            percentile(timings[worst], 95),
            "ms",
            at_most=bound,
            digits=1,
            stall_ms=probe.max_ms,
            note=(
                f"kudos leaderboards ({label}): {count:,} kudos, {members:,} members, "
                f"{rounds} rounds: {detail}; loaded in {load_seconds:.1f} s"
                + ("" if bound else "; the 100 ms target is for SQLite, shown for comparison")
            ),
        ),
        measured_row(
            f"/leaderboard all round-trip p95 ({label})",
            percentile(command, 95),
            "ms",
            digits=1,
            stall_ms=probe.max_ms,
        ),
    ]
    if count < 1_000_000:
        rows[0].note += f"; quick mode loads {count:,} kudos (the target is for 1,000,000)"
        if rows[0].status == PASS:
            rows[0].status = "info"
    return rows
