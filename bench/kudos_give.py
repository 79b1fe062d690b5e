"""Giving kudos under load: 200 events/s of `/kudos` and kudos reactions, p99 in the core.

The real core (dispatcher, every feature's listeners, storage) with 500 members. An
open-loop timetable offers 200 events/s (each dispatched as its own task, so a slow
bot does not slow the load down): one in two is `/kudos @member reason` from a
random member to another, one in two a 🙏 reaction on a recent member message
(whose posting is part of the load too). The allowance and cooldown are unlimited
here so every kudos is written — the rules are still checked on every one. Latency
is `Dispatcher.handle` from call to return (rules, insert, running total, badge
check, replies). Target: p99 ≤ 50 ms. Every offered kudos must be stored exactly once.
"""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

from sqlalchemy import func, select

from bench.framework import (
    FAIL,
    PASS,
    STORAGE_VARIANTS,
    Case,
    LoopProbe,
    Row,
    benchmark,
    measured_row,
    percentile,
)
from bench.support import BenchApp, bench_config, database_url

RATE = 200
TARGET_P99_MS = 50.0
MEMBERS = 500
# More events than this in flight means the core fell behind: new ones are shed (and
# counted) rather than queued, as a platform would time them out anyway.
MAX_IN_FLIGHT = 200


async def open_kudos_app(url: str) -> BenchApp:
    """`bench.support.open_app`, with kudos' allowance and cooldown lifted."""
    from adapters.memory.community import Community
    from adapters.memory.port import MemoryPort
    from adapters.memory.seeding import register_directory
    from bot.app import build_app, open_storage
    from bot.clock import SystemClock
    from bot.features.kudos.config import KudosConfig

    config = bench_config(url)
    # The bench's members all joined at its start: not a cluster of new accounts.
    unlimited = KudosConfig(daily_allowance=0, cooldown_minutes=0, new_account_days=0)
    config = config.model_copy(update={"features": {**config.features, "kudos": unlimited}})
    clock = SystemClock()
    storage = await open_storage(config, create_schema=True)
    app = await build_app(config, clock=clock, storage=storage)
    community = Community(clock, "memory", "bench")
    app.runtime.ports[community.platform] = MemoryPort(community)
    bench = BenchApp(app, community)
    for i in range(4):
        bench.channels.append(community.add_channel(f"channel-{i}"))
    for i in range(MEMBERS):
        bench.members.append(community.add_member(f"member{i}"))
    await register_directory(app.runtime.storage, community, clock.now())
    await app.start()  # as in production (and as `bench.support.open_app` does)
    return bench


@benchmark("kudos_give", title="giving kudos at 200 events/s", variants=STORAGE_VARIANTS)
async def kudos_give(case: Case) -> list[Row]:
    from storage.tables.kudos import kudos

    label = case.variant
    duration = case.pick(4.0, 60.0)
    bench = await open_kudos_app(await database_url(case))
    community = bench.community
    names = [m.name for m in bench.members]
    rnd = random.Random(9)
    latencies: list[float] = []
    tasks: set[asyncio.Task[Any]] = set()
    offered = 0
    shed = 0
    expected = 0
    thanked: set[tuple[str, int]] = set()  # (giver, message): one kudos each
    recent: list[int] = []

    async def timed(event: Any, kudos_event: bool) -> None:
        started = time.perf_counter()
        await bench.app.dispatcher.handle(event)
        if kudos_event:
            latencies.append((time.perf_counter() - started) * 1000)

    try:
        async with LoopProbe() as probe:
            next_at = time.perf_counter()
            until = next_at + duration
            while next_at < until:
                delay = next_at - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                next_at += 1 / RATE
                if len(tasks) >= MAX_IN_FLIGHT:
                    shed += 1
                    continue
                giver, receiver = rnd.sample(names, 2)
                channel = bench.channels[offered % len(bench.channels)].name
                if offered % 4 == 1 or not recent:
                    event: Any = community.say(receiver, channel, "here is how I fixed it")
                    recent.append(community.posts[-1].number)
                    recent = recent[-50:]
                    is_kudos = False
                elif offered % 2:
                    number = rnd.choice(recent)
                    event = community.react(giver, number, "🙏")
                    is_kudos = community.post(number).author != giver
                    if is_kudos and (giver, number) not in thanked:
                        thanked.add((giver, number))
                        expected += 1
                else:
                    # As Discord and Slack send it: the mention is the member's id.
                    mention = f"<@{community.members[receiver].ref.id}>"
                    event = community.command(giver, channel, f"/kudos {mention} thanks!")
                    is_kudos = True
                    expected += 1
                offered += 1
                task = asyncio.create_task(timed(event, is_kudos))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            if tasks:
                await asyncio.wait(set(tasks), timeout=30)
        async with bench.engine.connect() as conn:
            stored = int((await conn.execute(select(func.count()).select_from(kudos))).scalar_one())
        failures = bench.app.dispatcher.failures
    finally:
        await bench.close()
    p99 = percentile(latencies, 99)
    return [
        measured_row(
            f"give kudos p99 at {RATE} events/s ({label})",
            p99,
            "ms",
            at_most=TARGET_P99_MS,
            digits=1,
            stall_ms=probe.max_ms,
            note=(
                f"kudos under load ({label}): {len(latencies):,} kudos events in "
                f"{duration:.0f} s among {RATE} events/s, p50 {percentile(latencies, 50):.1f} "
                f"ms, max {max(latencies, default=0):.1f} ms; {shed:,} events shed (more "
                f"than {MAX_IN_FLIGHT} in flight); {failures} dispatch failures"
            ),
        ),
        Row(
            figure=f"kudos stored, each once ({label})",
            target=f"{expected:,} of {offered:,} events",
            measured=f"{stored:,}",
            status=PASS if stored == expected and failures == 0 else FAIL,
            note=f"kudos integrity ({label}): a repeated 🙏 by the same member adds nothing",
        ),
    ]
