"""(e) Cold start: `agora run --script EMPTY` as a subprocess, median of a few runs.

Runs the installed `agora` console script of this virtualenv in an empty scratch
directory (no agora.toml, no AGORA_CONFIG), so it starts as a fresh install does:
console adapter on `./agora.db`. The first run also creates and migrates the
database and is reported on its own; the median is over the runs after it, which
is what an admin restarting Agora waits for.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.framework import Case, Row, benchmark, measured_row

TARGET_SECONDS = 1.5


def agora_executable() -> str:
    beside = Path(sys.executable).parent / "agora"
    if beside.exists():
        return str(beside)
    found = shutil.which("agora")
    if found is None:
        raise FileNotFoundError("the `agora` console script is not installed (pip install -e .)")
    return found


def start_once(executable: str, workdir: Path, script: Path) -> float:
    env = {k: v for k, v in os.environ.items() if k != "AGORA_CONFIG"}
    started = time.perf_counter()
    proc = subprocess.run(
        [executable, "run", "--script", str(script)],
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
    runs = int(case.pick(3, 7))
    first = await asyncio.to_thread(start_once, executable, case.workdir, script)
    times = [
        await asyncio.to_thread(start_once, executable, case.workdir, script) for _ in range(runs)
    ]
    median = statistics.median(times)
    return [
        measured_row(
            "cold start, agora run --script EMPTY",
            median,
            "s",
            at_most=TARGET_SECONDS,
            digits=2,
            note=(
                f"cold start: median of {runs} runs "
                f"({', '.join(f'{t:.2f}' for t in times)} s) after a first run that created "
                f"agora.db; peak RSS is the agora process's"
            ),
        ),
        measured_row("cold start, first run (new agora.db)", first, "s", digits=2),
    ]
