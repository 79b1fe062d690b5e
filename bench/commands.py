"""(d) Command round-trip p50/p99 through the console adapter under 200 events/s.

The app is built as `agora run` builds it on the console (virtual clock, console
adapter attached, `app.start()`), on a fresh database. Background load: 200
events/s of messages and reactions from the console's seeded members, each
dispatched as its own task on a fixed timetable (open loop, so a slow bot does not
slow the load down). Meanwhile a console member types a command every 50 ms
(`/help`, `/language`); the round-trip is `await adapter.execute(line)` — parse,
dispatch, handler, reply rendered into the transcript — measured from call to return.
"""

from __future__ import annotations

import asyncio
import io
import random
import time
from collections.abc import Awaitable
from typing import Any

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
from bench.support import bench_config, database_url

BACKGROUND_PER_S = 200
COMMANDS_PER_S = 20
TARGET_P99_MS = 50.0
# Background events in flight at most (one second of load); beyond that they are shed
# and counted, so an overloaded bot shows as a low delivered rate, not as a queue that
# grows for the rest of the run.
MAX_BACKLOG = BACKGROUND_PER_S
COMMANDS = (("/help", "commands you can use"), ("/language", "available:"))


@benchmark("commands", title="console command round-trip", variants=STORAGE_VARIANTS)
async def commands(case: Case) -> list[Row]:
    from adapters.console.adapter import ConsoleAdapter
    from bot.app import build_app, open_storage
    from bot.clock import FakeClock, SystemClock

    duration = case.pick(4.0, 60.0)
    url = await database_url(case)
    config = bench_config(url)
    storage = await open_storage(config, create_schema=True)
    app = await build_app(config, clock=FakeClock(SystemClock().now()), storage=storage)
    console = ConsoleAdapter(config.console, out=io.StringIO())
    app.attach(console)
    await app.start()
    try:
        community = console.community
        names = list(community.members)
        channels = list(community.channels)
        rnd = random.Random(3)
        background: set[asyncio.Task[Any]] = set()
        offered = shed = 0
        bg_latency: list[float] = []

        async def timed(event_work: Awaitable[bool]) -> None:
            started = time.perf_counter()
            await event_work
            bg_latency.append(time.perf_counter() - started)

        async def load(until: float) -> None:
            nonlocal offered, shed
            interval = 1 / BACKGROUND_PER_S
            next_at = time.perf_counter()
            while next_at < until:
                delay = next_at - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                next_at += interval
                offered += 1
                if len(background) >= MAX_BACKLOG:
                    shed += 1  # the bot is a second behind: do not pile up more
                    continue
                who, where = rnd.choice(names), rnd.choice(channels)
                if offered % 10 == 0 and community.posts:
                    event: Any = community.react(who, community.posts[-1].number, "👍")
                else:
                    event = community.say(who, where, f"message {offered} " + "x" * 40)
                task = asyncio.create_task(timed(app.dispatcher.handle(event)))
                background.add(task)
                task.add_done_callback(background.discard)

        latencies: list[float] = []
        wrong = 0

        async def type_commands(until: float) -> None:
            nonlocal wrong
            interval = 1 / COMMANDS_PER_S
            next_at = time.perf_counter() + 0.5  # let the load settle first
            n = 0
            while next_at < until:
                delay = next_at - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                line, expected = COMMANDS[n % len(COMMANDS)]
                n += 1
                started = time.perf_counter()
                printed = await console.execute(line)
                latencies.append(time.perf_counter() - started)
                if not any(expected in text.lower() for text in printed):
                    wrong += 1
                next_at += interval

        until = time.perf_counter() + duration
        async with LoopProbe() as probe:
            await asyncio.gather(load(until), type_commands(until))
            unfinished = 0
            if background:
                # A bot slower than the load builds a backlog; give it a moment, no more.
                _done, pending = await asyncio.wait(set(background), timeout=case.pick(3, 15))
                unfinished = len(pending)
                for task in pending:
                    task.cancel()
                await asyncio.gather(*pending, return_exceptions=True)
        label = case.variant
        p50 = percentile(latencies, 50) * 1000
        p99 = percentile(latencies, 99) * 1000
        note = (
            f"commands, {label}: {len(latencies):,} commands at {COMMANDS_PER_S}/s "
            f"while {offered:,} background events were offered at {BACKGROUND_PER_S}/s "
            f"({shed:,} shed: more than {MAX_BACKLOG} in flight) "
            f"(background p99 {percentile(bg_latency, 99) * 1000:.1f} ms, "
            f"max {max(bg_latency, default=0) * 1000:.1f} ms); "
            f"{app.dispatcher.failures} dispatch failures; {probe.describe()}"
            + (f"; {unfinished:,} still queued at the end (overloaded)" if unfinished else "")
        )
        return [
            measured_row(
                f"console command p50, {label}", p50, "ms", digits=1, stall_ms=probe.max_ms
            ),
            measured_row(
                f"console command p99, {label}",
                p99,
                "ms",
                at_most=TARGET_P99_MS,
                digits=1,
                stall_ms=probe.max_ms,
                note=note,
            ),
            Row(
                figure=f"commands answered, {label}",
                target=f"{len(latencies):,}",
                measured=f"{len(latencies) - wrong:,}",
                status=PASS if wrong == 0 and latencies else FAIL,
            ),
        ]
    finally:
        await app.stop()
