"""The small framework every benchmark module uses.

A benchmark is an async function registered with `@benchmark(name, variants=…)`; it
gets a `Case` (quick or full mode, the storage variant, a scratch directory) and
returns `Row`s. The runner starts each (benchmark, variant) pair in its own Python
process, so peak RSS is that case's own and one crashing case cannot take the others
down. Inside the case, `LoopProbe` measures the longest event-loop stall.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import math
import os
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
STORAGE_VARIANTS = (SQLITE, POSTGRESQL)
# Traffic through the fake Discord and Slack instead of straight into the core (`soak`);
# like PostgreSQL, run in quick mode only when named (two fake processes to start).
PLATFORMS = "platforms"
DEFAULT_PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def pg_url() -> str:
    """The PostgreSQL server to use (the test one unless AGORA_BENCH_PG_URL says otherwise)."""
    return os.environ.get("AGORA_BENCH_PG_URL", DEFAULT_PG_URL)


# --- results -------------------------------------------------------------------------

PASS = "PASS"
FAIL = "FAIL"
INFO = "info"
SKIP = "SKIP"
CRASH = "CRASH"


@dataclass
class Row:
    """One line of the results table."""

    figure: str
    target: str = ""
    measured: str = ""
    ratio: float | None = None
    status: str = INFO
    rss_mb: float | None = None
    stall_ms: float | None = None
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Row:
        return cls(**data)


def number(value: float, unit: str = "", *, digits: int = 0) -> str:
    text = f"{value:,.{digits}f}"
    return f"{text} {unit}".strip()


def judge(value: float, *, at_least: float | None = None, at_most: float | None = None) -> str:
    if math.isnan(value):
        return FAIL
    if at_least is not None and value < at_least:
        return FAIL
    if at_most is not None and value > at_most:
        return FAIL
    return PASS if at_least is not None or at_most is not None else INFO


def measured_row(
    figure: str,
    value: float,
    unit: str,
    *,
    at_least: float | None = None,
    at_most: float | None = None,
    digits: int = 0,
    ratio: float | None = None,
    stall_ms: float | None = None,
    note: str = "",
) -> Row:
    """A row whose pass/fail follows from a bound on the measured value."""
    if at_least is not None:
        target = "≥ " + number(at_least, unit, digits=digits)
    elif at_most is not None:
        target = "≤ " + number(at_most, unit, digits=digits)
    else:
        target = ""
    return Row(
        figure=figure,
        target=target,
        measured=number(value, unit, digits=digits),
        ratio=ratio,
        status=judge(value, at_least=at_least, at_most=at_most),
        stall_ms=stall_ms,
        note=note,
    )


def percentile(samples: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (p99 of 100 samples is the 99th smallest)."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


# --- the case a benchmark runs in ----------------------------------------------------


@dataclass
class Case:
    name: str
    variant: str
    quick: bool
    workdir: Path
    notes: list[str] = field(default_factory=list)
    # Run by the worker when the case ends, crash or not (e.g. drop its database).
    cleanups: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def pick(self, quick: float, full: float) -> float:
        """The quick-mode or full-mode value of a parameter (duration, row count…)."""
        return quick if self.quick else full

    @property
    def label(self) -> str:
        return f"{self.name} ({self.variant})" if self.variant else self.name


BenchFn = Callable[[Case], Awaitable[list[Row]]]


@dataclass(frozen=True)
class Benchmark:
    name: str
    title: str
    variants: tuple[str, ...]
    fn: BenchFn
    timeout: float | None = None  # full-mode time limit per case, seconds (None: the runner's)


BENCHMARKS: dict[str, Benchmark] = {}


def benchmark(
    name: str, *, title: str = "", variants: Sequence[str] = ("",), timeout: float | None = None
) -> Callable[[BenchFn], BenchFn]:
    def register(fn: BenchFn) -> BenchFn:
        if name in BENCHMARKS:
            raise RuntimeError(f"benchmark {name!r} registered twice")
        BENCHMARKS[name] = Benchmark(name, title or name, tuple(variants), fn, timeout)
        return fn

    return register


# --- the loop-lag probe ----------------------------------------------------------------


class LoopProbe:
    """Sleeps `interval` over and over and records how late it wakes up.

    A handler that blocks the loop for 80 ms makes one wake-up 80 ms late, so the
    largest overshoot is the longest stall any coroutine suffered in the window.

        async with LoopProbe() as probe:
            ...
        probe.max_ms

    It may be entered again: the figures then cover all the windows together.

    Lags are counted in a histogram of tenth-of-a-millisecond steps, not kept one by
    one: a 30-minute soak wakes it 300,000 times, and a list of that many floats was
    10 MB of the very RSS growth the soak measures.
    """

    STEP = 0.0001  # seconds: the histogram's resolution

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.lags: Counter[int] = Counter()  # lag in STEPs → wake-ups that late
        self._max_lag = 0.0
        self._gc_max = 0.0  # seconds, the longest collection in the window
        self._task: asyncio.Task[None] | None = None
        self._gc_started = 0.0
        self._worst = (0.0, 0.0)  # (lag, process CPU seconds during it)

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        # The garbage collector stops the loop too; telling its pauses apart from slow
        # code is the first question about any stall.
        if phase == "start":
            self._gc_started = time.perf_counter()
        else:
            self._gc_max = max(self._gc_max, time.perf_counter() - self._gc_started)

    async def _run(self) -> None:
        while True:
            started = time.perf_counter()
            cpu = time.process_time()
            await asyncio.sleep(self.interval)
            lag = max(0.0, time.perf_counter() - started - self.interval)
            self.lags[round(lag / self.STEP)] += 1
            self._max_lag = max(self._max_lag, lag)
            if lag >= self._worst[0]:
                # How much CPU this process got meanwhile: a stall with little CPU is the
                # machine (other processes) or I/O, not our code hogging the loop.
                self._worst = (lag, time.process_time() - cpu)

    async def __aenter__(self) -> LoopProbe:
        gc.callbacks.append(self._on_gc)
        self._task = asyncio.create_task(self._run(), name="loop-probe")
        await asyncio.sleep(0)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    @property
    def max_ms(self) -> float:
        return self._max_lag * 1000

    def pct_ms(self, pct: float) -> float:
        """Nearest-rank percentile of the lags, to the histogram's 0.1 ms."""
        total = sum(self.lags.values())
        if not total:
            return math.nan
        rank, seen = max(1, math.ceil(pct / 100 * total)), 0
        for steps in sorted(self.lags):
            seen += self.lags[steps]
            if seen >= rank:
                return steps * self.STEP * 1000
        raise AssertionError("unreachable: the ranks add up to the total")

    @property
    def gc_max_ms(self) -> float:
        return self._gc_max * 1000

    def describe(self) -> str:
        """`longest stall 120.3 ms (process on CPU 118 ms of it; p99 4.1 ms); longest GC …`"""
        return (
            f"longest stall {self.max_ms:.1f} ms (process on CPU {self.worst_cpu_ms:.0f} ms "
            f"of it; p99 {self.pct_ms(99):.1f} ms); longest GC pause {self.gc_max_ms:.1f} ms"
        )

    @property
    def worst_cpu_ms(self) -> float:
        """CPU time (all threads) this process used during the longest stall."""
        return self._worst[1] * 1000


def peak_rss_mb(children: bool = False) -> float:
    """Peak resident set size of this process (or its largest waited-for child), MB."""
    import resource

    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    kib = resource.getrusage(who).ru_maxrss  # KiB on Linux
    return kib / 1024
