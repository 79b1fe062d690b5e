"""Soak: 30 minutes (10 s quick) of mixed traffic at 200 events/s — leaks and drift.

The real core with every feature on, on SQLite, fed through the memory adapter on the
real clock: messages, reactions, commands (`/help`, `/language`, `/kudos`), button
clicks, joins and leaves, each dispatched as a task of its own on a fixed timetable
(open loop: a slow bot does not slow the load down; beyond one second of backlog
events are shed and counted, as in `commands`). What a long run shows and a short
benchmark does not:

- memory: resident set size after the first window (caches warm) and at the end;
  growth beyond 10 % is a leak;
- tasks: `asyncio.all_tasks()` before the load and after it drained; more at the
  end is a task leak (something spawned per event that never ends);
- command latency: p99 per window (5 minutes; 2.5 s quick); a p99 that climbs from
  window to window means the bot slows down as it runs.

The simulated platform keeps only its last messages (it is not the bot: a real
platform does not live in our memory).
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import Awaitable
from typing import Any

from bench.framework import (
    FAIL,
    INFO,
    PASS,
    SQLITE,
    Case,
    LoopProbe,
    Row,
    benchmark,
    measured_row,
    percentile,
)
from bench.support import BenchApp, database_url, open_app

EVENTS_PER_S = 200
MAX_BACKLOG = EVENTS_PER_S  # one second of load in flight at most; more is shed
RSS_GROWTH_LIMIT = 10.0  # percent, from the end of the first window to the end
P99_DRIFT_LIMIT = 2.0  # last window's p99 over the first's
KEPT_POSTS = 500
# Share of each kind in the mix (the rest are messages).
MIX = (("reaction", 0.15), ("command", 0.08), ("click", 0.04), ("join", 0.015))
COMMANDS = ("/help", "/language", "/kudos @member{n} thanks for the help")


def probe_feature() -> Any:
    """A button to click: the features' own buttons need a scenario to appear."""
    from bot.context import Context
    from bot.model import ButtonPressed
    from bot.registry import Feature

    feature = Feature("soakprobe")

    @feature.button("ping")
    async def ping(ctx: Context, event: ButtonPressed) -> None:
        await ctx.reply("pong", ephemeral=True)

    return feature


def kind_of(roll: float) -> str:
    """The kind of event a roll in [0, 1) stands for, by the shares in MIX."""
    for kind, share in MIX:
        if roll < share:
            return kind
        roll -= share
    return "message"


def rss_mb() -> float:
    """Resident set size now (not the peak), MB."""
    with open("/proc/self/statm", encoding="ascii") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


class Traffic:
    """Makes the events; deterministic for a seed."""

    def __init__(self, bench: BenchApp, button_post: int) -> None:
        self.bench = bench
        self.community = bench.community
        self.random = random.Random(11)
        self.button_post = button_post
        self.names = [m.name for m in bench.members]
        self.channels = [c.name for c in bench.channels]
        self.joined: list[str] = []
        self.n = 0

    def next(self) -> tuple[str, Any]:
        rnd, community = self.random, self.community
        self.n += 1
        who = rnd.choice(self.names)
        kind = kind_of(rnd.random())
        if kind == "reaction" and len(community.posts) > 1:
            number = community.posts[-rnd.randint(1, min(50, len(community.posts)))].number
            return kind, community.react(who, number, rnd.choice(("👍", "🎉", "❤️")))
        if kind == "command":
            line = rnd.choice(COMMANDS).format(n=rnd.randrange(len(self.names)))
            return kind, community.command(who, rnd.choice(self.channels), line)
        if kind == "click":
            return kind, community.click(who, "ping", self.button_post)
        if kind == "join":
            if len(self.joined) >= 50:
                return "leave", community.leave(self.joined.pop(0))
            name = f"newcomer{self.n}"
            self.joined.append(name)
            return kind, community.join(name)
        text = f"message {self.n} " + "x" * rnd.randint(5, 120)
        return "message", community.say(who, rnd.choice(self.channels), text)

    def trim(self) -> None:
        """The platform forgets old messages (the button message stays)."""
        posts = self.community.posts
        if len(posts) > 2 * KEPT_POSTS:
            button = [p for p in posts if p.number == self.button_post]
            keep = posts[-KEPT_POSTS:]
            self.community.posts = (button if button and button[0] not in keep else []) + keep


@benchmark("soak", title="soak: mixed traffic for 30 minutes", variants=(SQLITE,), timeout=2400)
async def soak(case: Case) -> list[Row]:
    from bot.features import all_features
    from bot.model import Button, Buttons, Outgoing

    duration = case.pick(6.0, 1800.0)
    window = case.pick(1.5, 300.0)
    url = await database_url(case)
    bench = await open_app(url, features=[*all_features(), probe_feature()], members=200)
    app = bench.app
    try:
        port = app.runtime.ports[bench.community.platform]
        button = Buttons((Button("soakprobe:ping", "Ping"),))
        await port.send(Outgoing("press me", (button,), channel=bench.channels[0].ref))
        traffic = Traffic(bench, bench.community.posts[-1].number)
        await asyncio.sleep(0.5)
        tasks_before = len(asyncio.all_tasks())
        rss_start = rss_mb()

        in_flight: set[asyncio.Task[Any]] = set()
        windows: list[list[float]] = [[] for _ in range(int(duration / window))]
        rss_after_first: list[float] = []
        offered = shed = failed = 0
        kinds: dict[str, int] = {}
        started = time.perf_counter()

        async def timed(kind: str, work: Awaitable[bool], at: float) -> None:
            nonlocal failed
            try:
                await work
            except Exception:
                failed += 1
                return
            if kind == "command":
                slot = min(int((at - started) / window), len(windows) - 1)
                windows[slot].append(time.perf_counter() - at)

        async def load() -> None:
            nonlocal offered, shed
            interval = 1 / EVENTS_PER_S
            next_at = started
            until = started + duration
            next_trim = started + 1
            while next_at < until:
                delay = next_at - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                now = time.perf_counter()
                if now >= next_trim:
                    traffic.trim()
                    next_trim = now + 1
                    if not rss_after_first and now - started >= window:
                        rss_after_first.append(rss_mb())
                next_at += interval
                offered += 1
                if len(in_flight) >= MAX_BACKLOG:
                    shed += 1
                    continue
                kind, event = traffic.next()
                kinds[kind] = kinds.get(kind, 0) + 1
                task = asyncio.create_task(timed(kind, app.dispatcher.handle(event), now))
                in_flight.add(task)
                task.add_done_callback(in_flight.discard)

        async with LoopProbe() as probe:
            await load()
            if in_flight:
                await asyncio.wait(set(in_flight), timeout=case.pick(10, 60))
        unfinished = len(in_flight)
        for task in list(in_flight):
            task.cancel()
        await asyncio.gather(*in_flight, return_exceptions=True)
        await asyncio.sleep(1.0)  # let anything the events started wind down
        rss_end = rss_mb()
        tasks_after = len(asyncio.all_tasks())
    finally:
        await bench.close()

    base = rss_after_first[0] if rss_after_first else rss_start
    growth = (rss_end - base) / base * 100
    p99s = [percentile(w, 99) * 1000 for w in windows]
    measured = [p for p in p99s if p == p]  # windows with commands in them
    drift = measured[-1] / measured[0] if len(measured) >= 2 and measured[0] > 0 else float("nan")
    delivered = offered - shed
    mix = ", ".join(f"{k} {v:,}" for k, v in sorted(kinds.items()))
    case.notes.append(
        f"soak: {duration:.0f} s at {EVENTS_PER_S} events/s offered ({offered:,}; {shed:,} shed "
        f"beyond {MAX_BACKLOG} in flight, so {delivered / duration:.0f} events/s delivered); "
        f"mix {mix}; {failed} raised, {app.dispatcher.failures} handler failures, "
        f"{unfinished} unfinished at the end; RSS {rss_start:.0f} MB before the load, "
        f"{base:.0f} MB after the first window, {rss_end:.0f} MB at the end; "
        f"command p99 per {window:g} s window: "
        + ", ".join(f"{p:.0f}" for p in p99s)
        + f" ms; {probe.describe()}"
    )
    return [
        measured_row(
            "soak RSS growth after warm-up", growth, "%", at_most=RSS_GROWTH_LIMIT, digits=1
        ),
        Row(
            figure="soak asyncio tasks, start → end",
            target="no more at the end",
            measured=f"{tasks_before} → {tasks_after}",
            status=PASS if tasks_after <= tasks_before else FAIL,
        ),
        measured_row(
            f"soak command p99 drift, last / first {window:g} s window",
            drift,
            "×",
            at_most=P99_DRIFT_LIMIT,
            digits=2,
            stall_ms=probe.max_ms,
        ),
        Row(
            figure="soak events delivered",
            target=f"{EVENTS_PER_S}/s offered",
            measured=f"{delivered / duration:,.0f}/s",
            status=INFO,
        ),
    ]
