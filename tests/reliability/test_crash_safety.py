"""kill -9 in the middle of a burst: nothing acknowledged is lost, no job fires twice.

A real subprocess (`crash_driver.py`) processes events and persisted jobs on a SQLite
file, is killed with SIGKILL, and restarts on the same database.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

DRIVER = Path(__file__).with_name("crash_driver.py")
ROOT = Path(__file__).resolve().parents[2]


def _run(args: list[str], **kwargs: object) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, str(DRIVER), *args],
        env=env,
        text=True,
        cwd=ROOT,
        **kwargs,
    )


def test_kill_minus_nine_loses_nothing_acknowledged(tmp_path: Path) -> None:
    db, acks = str(tmp_path / "crash.db"), str(tmp_path / "acks.txt")
    proc = _run([db, acks, "burst"], stdout=subprocess.PIPE)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if Path(acks).exists() and Path(acks).read_text().count("\n") >= 150:
                break
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    recovery = _run([db, acks, "recover"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = recovery.communicate(timeout=60)
    assert recovery.returncode == 0, err
    verdict = json.loads(out.strip().splitlines()[-1])
    acked, processed = verdict["acked"], set(verdict["processed"])
    assert len(acked) >= 150
    assert set(acked) <= processed, "an acknowledged event was lost"
    effects = Counter(verdict["effects"])
    assert set(effects) == {p for p in processed if p.startswith("memory:")}, "half-written event"
    assert max(effects.values()) == 1, "an event took effect twice"
    jobs = Counter(verdict["jobs"])
    assert sorted(jobs) == list(range(40)), "a scheduled job was lost"
    assert max(jobs.values()) == 1, "a scheduled job fired twice"
