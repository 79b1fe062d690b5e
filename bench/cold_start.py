"""(e) Cold start: `agora run --script EMPTY` as a subprocess, median of a few runs.

Runs the installed `agora` console script of this virtualenv in an empty scratch
directory (no agora.toml, no AGORA_CONFIG), so it starts as a fresh install does:
console adapter on `./agora.db`. The first run also creates and migrates the
database and is reported on its own; the median is over the runs after it, which
is what an admin restarting Agora waits for.

One more run, not in the median, goes through `python -m bench.cold_start` instead:
the same `agora run --script EMPTY` with a loop-lag probe around its `asyncio.run`,
for the longest event-loop stall from the loop's start to its end (the imports before
it hold no loop).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.framework import Case, LoopProbe, Row, benchmark, measured_row

TARGET_SECONDS = 1.5
ROOT = Path(__file__).resolve().parent.parent  # where `bench` is importable from


def agora_executable() -> str:
    beside = Path(sys.executable).parent / "agora"
    if beside.exists():
        return str(beside)
    found = shutil.which("agora")
    if found is None:
        raise FileNotFoundError("the `agora` console script is not installed (pip install -e .)")
    return found


def start_once(
    executable: str | list[str], workdir: Path, script: Path, *, python_path: str = ""
) -> float:
    env = {k: v for k, v in os.environ.items() if k != "AGORA_CONFIG"}
    if python_path:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (python_path, env.get("PYTHONPATH")) if p)
    command = [executable] if isinstance(executable, str) else executable
    started = time.perf_counter()
    proc = subprocess.run(
        [*command, "run", "--script", str(script)],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    took = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(
            f"agora run --script exited {proc.returncode}: {proc.stderr.strip()[-500:]}"
        )
    return took


@benchmark("cold_start", title="cold start")
async def cold_start(case: Case) -> list[Row]:
    executable = agora_executable()
    script = case.workdir / "empty.txt"
    script.write_text("", encoding="utf-8")
    runs = int(case.pick(2, 7))
    first = await asyncio.to_thread(start_once, executable, case.workdir, script)
    times = [
        await asyncio.to_thread(start_once, executable, case.workdir, script) for _ in range(runs)
    ]
    median = statistics.median(times)
    probe_file = case.workdir / "probe.json"
    probed = [sys.executable, "-m", "bench.cold_start", str(probe_file)]
    await asyncio.to_thread(start_once, probed, case.workdir, script, python_path=str(ROOT))
    stall = json.loads(probe_file.read_text(encoding="utf-8"))
    return [
        measured_row(
            "cold start, agora run --script EMPTY",
            median,
            "s",
            at_most=TARGET_SECONDS,
            digits=2,
            stall_ms=stall["max_ms"],
            note=(
                f"cold start: median of {runs} runs "
                f"({', '.join(f'{t:.2f}' for t in times)} s) after a first run that created "
                f"agora.db; peak RSS is the agora process's; stall from one more run with a "
                f"loop-lag probe around agora's asyncio.run: {stall['describe']}"
            ),
        ),
        measured_row("cold start, first run (new agora.db)", first, "s", digits=2),
    ]


def probed_main(result: Path, argv: list[str]) -> None:
    """`agora ARGV` with a LoopProbe around each `asyncio.run`; its figures go to `result`."""
    real_run = asyncio.run
    probes: list[LoopProbe] = []

    def run(main: Any, **kwargs: Any) -> Any:
        async def watched() -> Any:
            async with LoopProbe() as probe:
                probes.append(probe)
                return await main

        return real_run(watched(), **kwargs)

    asyncio.run = run
    sys.argv = ["agora", *argv]
    from bot.cli import main

    try:
        main()
    finally:
        worst = max(probes, key=lambda p: p.max_ms, default=LoopProbe())
        figures = {"max_ms": worst.max_ms, "describe": worst.describe()}
        result.write_text(json.dumps(figures), encoding="utf-8")


if __name__ == "__main__":
    probed_main(Path(sys.argv[1]), sys.argv[2:])
