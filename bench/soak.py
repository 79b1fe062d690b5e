"""Soak: 30 minutes (6 s quick) of mixed traffic at 200 events/s — leaks and drift.

The real core with every feature on, on SQLite, fed through the memory adapter on the
real clock: messages, reactions, commands (`/help`, `/language`, `/kudos`), button
clicks, joins and leaves, each dispatched as a task of its own on a fixed timetable
(open loop: a slow bot does not slow the load down; beyond one second of backlog
events are shed and counted, as in `commands`). First WARM_UP of the same traffic
(15 minutes, 1.5 s quick) fills the caches (not measured): the longest-lived ones
keep entries 15 minutes (Discord interaction tokens), so before that the bot is
still filling bounded caches, not leaking; then the measured run. What a long run shows and
a short benchmark does not:

- memory: resident set size after the warm-up and at the end, each time drained,
  garbage collected and with the C heap's free pages handed back (`malloc_trim`); growth
  beyond 10 % is a leak. The RSS before that hand-back, the Python blocks in use and the
  RSS every minute of the run are in the notes (where it grew, if it did);
- tasks: `asyncio.all_tasks()` after the warm-up drained and after the run drained;
  more at the end is a task leak (something spawned per event that never ends);
- command latency: p99 per window (5 minutes; 1.5 s quick). From each window to the
  next it may not more than double (a bot that slows down as it runs), and no window
  may pass an absolute limit (a mid-run stall between two good windows);
- shedding: every event offered must be taken; one shed is a failure (the bot fell
  a second behind).

The simulated platform keeps only its last messages (it is not the bot: a real
platform does not live in our memory).
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import itertools
import math
import os
import random
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bench.framework import (
    FAIL,
    INFO,
    PASS,
    PLATFORMS,
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
RSS_GROWTH_LIMIT = 10.0  # percent, from the warmed-up baseline to the end
WARM_UP = (1.5, 900.0)  # seconds (quick, full): past the longest cache lifetime
P99_DRIFT_LIMIT = 2.0  # any window's p99 over the one before it
P99_LIMIT_MS = 100.0  # any window's p99 (the console command target is 50 ms; /kudos writes)
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
            self.community.keep_only((button if button and button[0] not in keep else []) + keep)


@dataclass
class Windows:
    """Command latencies per window of the measured run, and what the run offered."""

    length: float
    samples: list[list[float]]
    offered: int = 0
    shed: int = 0
    failed: int = 0
    kinds: dict[str, int] = field(default_factory=dict)

    def p99s_ms(self) -> list[float]:
        return [percentile(w, 99) * 1000 for w in self.samples]


def worst_step(p99s: list[float]) -> tuple[float, int]:
    """The largest p99 rise from one window to the next, and the later window's index."""
    steps = [
        (later / earlier, i + 1)
        for i, (earlier, later) in enumerate(itertools.pairwise(p99s))
        if earlier > 0 and not math.isnan(earlier) and not math.isnan(later)
    ]
    return max(steps, default=(math.nan, 0))


class Load:
    """Runs the timetable: `seconds` of traffic, timed into `windows` when given."""

    def __init__(self, app: Any, traffic: Traffic) -> None:
        self.app = app
        self.traffic = traffic
        self.in_flight: set[asyncio.Task[Any]] = set()

    async def run(self, seconds: float, windows: Windows | None = None) -> None:
        interval = 1 / EVENTS_PER_S
        started = next_at = time.perf_counter()
        until, next_trim = started + seconds, started + 1
        while next_at < until:
            delay = next_at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            now = time.perf_counter()
            if now >= next_trim:
                self.traffic.trim()
                next_trim = now + 1
            next_at += interval
            if windows is not None:
                windows.offered += 1
            if len(self.in_flight) >= MAX_BACKLOG:
                if windows is not None:
                    windows.shed += 1
                continue
            kind, event = self.traffic.next()
            slot = None
            if windows is not None:
                windows.kinds[kind] = windows.kinds.get(kind, 0) + 1
                if kind == "command":
                    slot = min(int((now - started) / windows.length), len(windows.samples) - 1)
            task = asyncio.create_task(
                self._timed(self.app.dispatcher.handle(event), now, slot, windows)
            )
            self.in_flight.add(task)
            task.add_done_callback(self.in_flight.discard)

    async def _timed(
        self, work: Awaitable[bool], at: float, slot: int | None, windows: Windows | None
    ) -> None:
        try:
            await work
        except Exception:
            if windows is not None:
                windows.failed += 1
            return
        if slot is not None and windows is not None:
            windows.samples[slot].append(time.perf_counter() - at)

    async def drain(self, limit: float) -> int:
        """Wait for what is in flight; cancel what is left after `limit`; how many were."""
        if self.in_flight:
            await asyncio.wait(set(self.in_flight), timeout=limit)
        unfinished = len(self.in_flight)
        for task in list(self.in_flight):
            task.cancel()
        await asyncio.gather(*self.in_flight, return_exceptions=True)
        await asyncio.sleep(1.0)  # let anything the events started wind down
        return unfinished


def leak_rows(what: str, growth: float, tasks_before: int, tasks_after: int) -> list[Row]:
    """Memory and task growth from the warmed-up baseline to the end of the run."""
    return [
        measured_row(
            f"{what}: RSS growth from the warmed-up baseline",
            growth,
            "%",
            at_most=RSS_GROWTH_LIMIT,
            digits=1,
        ),
        Row(
            figure=f"{what}: asyncio tasks, warmed up → end",
            target="no more at the end",
            measured=f"{tasks_before} → {tasks_after}",
            status=PASS if tasks_after <= tasks_before else FAIL,
        ),
    ]


@dataclass(frozen=True)
class Settled:
    """The process's memory once garbage is collected: `held` is the RSS as it stands,
    `rss` the RSS once glibc has handed its heap's free pages back (as `held` where
    there is no glibc), `blocks` the Python objects' memory blocks in use.

    Why both: glibc keeps freed memory for reuse, so a passing peak (a burst of large
    requests, a big result set) leaves the RSS one step higher for good, and whether
    that step lands before or after the baseline is luck. A leak grows what is in use;
    `rss` follows that, and `held` shows what the process kept besides."""

    held: float
    rss: float
    blocks: int

    def growth_over(self, base: Settled) -> float:
        """Growth of the trimmed RSS since `base`, in per cent."""
        return (self.rss - base.rss) / base.rss * 100

    def describe(self) -> str:
        return f"{self.rss:.0f} MB ({self.held:.0f} MB before the trim, {self.blocks:,} blocks)"


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL("libc.so.6")
        trim: Callable[[int], int] = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    return trim


MALLOC_TRIM = _malloc_trim()


async def settled_rss() -> Settled:
    gc.collect()
    await asyncio.sleep(0.2)
    held = rss_mb()
    if MALLOC_TRIM is not None:
        MALLOC_TRIM(0)
    return Settled(held=held, rss=rss_mb(), blocks=sys.getallocatedblocks())


class RssTrail:
    """The RSS every `every` seconds while a run goes on (MB, rounded), for the notes."""

    def __init__(self, every: float) -> None:
        self.every = every
        self.samples: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _sample(self) -> None:
        while True:
            await asyncio.sleep(self.every)
            self.samples.append(round(rss_mb()))

    async def __aenter__(self) -> RssTrail:
        self._task = asyncio.create_task(self._sample())
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def describe(self) -> str:
        shown = ", ".join(f"{mb:.0f}" for mb in self.samples)
        return f"RSS every {self.every:g} s: {shown} MB"


@benchmark(
    "soak", title="soak: mixed traffic for 30 minutes", variants=(SQLITE, PLATFORMS), timeout=3600
)
async def soak(case: Case) -> list[Row]:
    if case.variant == PLATFORMS:
        from bench.soak_platforms import soak_platforms

        return await soak_platforms(case)
    return await soak_core(case)


async def soak_core(case: Case) -> list[Row]:
    """The traffic straight into the core (the `sqlite` variant)."""
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
        load = Load(app, Traffic(bench, bench.community.posts[-1].number))
        rss_cold = rss_mb()
        await load.run(case.pick(*WARM_UP))  # caches, statement cache, interned names
        await load.drain(case.pick(10, 60))
        rss_base = await settled_rss()
        tasks_before = len(asyncio.all_tasks())
        windows = Windows(window, [[] for _ in range(int(duration / window))])
        async with LoopProbe() as probe, RssTrail(case.pick(1.0, 60.0)) as trail:
            await load.run(duration, windows)
            unfinished = await load.drain(case.pick(10, 60))
        rss_end = await settled_rss()
        tasks_after = len(asyncio.all_tasks())
    finally:
        await bench.close()

    growth = rss_end.growth_over(rss_base)
    p99s = windows.p99s_ms()
    step, at = worst_step(p99s)
    worst = max((p for p in p99s if not math.isnan(p)), default=math.nan)
    delivered = windows.offered - windows.shed
    mix = ", ".join(f"{k} {v:,}" for k, v in sorted(windows.kinds.items()))
    case.notes.append(
        f"soak: {case.pick(*WARM_UP):g} s of warm-up, then {duration:.0f} s at "
        f"{EVENTS_PER_S} events/s "
        f"offered ({windows.offered:,}; {windows.shed:,} shed beyond {MAX_BACKLOG} in flight, "
        f"so {delivered / duration:.0f} events/s delivered); mix {mix}; {windows.failed} "
        f"raised, {app.dispatcher.failures} handler failures, {unfinished} unfinished at the "
        f"end; RSS {rss_cold:.0f} MB cold, {rss_base.describe()} warmed up, "
        f"{rss_end.describe()} at the end; command p99 per {window:g} s window: "
        + ", ".join(f"{p:.0f}" for p in p99s)
        + f" ms; {trail.describe()}; {probe.describe()}"
    )
    return [
        *leak_rows("soak", growth, tasks_before, tasks_after),
        measured_row(
            f"soak command p99, worst {window:g} s window",
            worst,
            "ms",
            at_most=P99_LIMIT_MS,
            digits=1,
            stall_ms=probe.max_ms,
        ),
        measured_row(
            f"soak command p99 rise, worst window over the one before (window {at + 1})",
            step,
            "×",
            at_most=P99_DRIFT_LIMIT,
            digits=2,
        ),
        Row(
            figure="soak events shed (bot over a second behind)",
            target="0",
            measured=f"{windows.shed:,} of {windows.offered:,}",
            status=PASS if windows.shed == 0 and windows.failed == 0 else FAIL,
        ),
        Row(
            figure="soak events delivered",
            target=f"{EVENTS_PER_S}/s offered",
            measured=f"{delivered / duration:,.0f}/s",
            status=INFO,
        ),
    ]
