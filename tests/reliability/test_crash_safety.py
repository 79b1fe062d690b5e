"""kill -9 in the middle of a burst: nothing acknowledged is lost, no job fires twice.

A real subprocess (`crash_driver.py`) processes events and persisted jobs on a SQLite
file, is killed with SIGKILL, and restarts on the same database. The test makes sure
the kill proves something: it comes once events were acknowledged and a first job
ran, and it is checked afterwards that events were in flight (handed to the core,
not acknowledged) and jobs still pending.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from contextlib import closing
from pathlib import Path

from crash_driver import JOBS

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


def _lines(path: str) -> set[str]:
    file = Path(path)
    return set(file.read_text().split()) if file.exists() else set()


def _jobs_done(db: str) -> int:
    """Jobs whose effect is committed (read while the driver writes: WAL allows it)."""
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
            return int(conn.execute("SELECT count(*) FROM crash_job_effects").fetchone()[0])
    except sqlite3.Error:
        return 0  # not created yet


def test_kill_minus_nine_loses_nothing_acknowledged(tmp_path: Path) -> None:
    db, acks = str(tmp_path / "crash.db"), str(tmp_path / "acks.txt")
    proc = _run([db, acks, "burst"], stdout=subprocess.PIPE)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + 30
        # Kill in the middle: events acknowledged, a first job done, the later ones due.
        while len(_lines(acks)) < 150 or _jobs_done(db) == 0:
            assert time.monotonic() < deadline, "the burst never got going"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    done_at_kill = _jobs_done(db)
    assert done_at_kill < JOBS, "every job had fired before the kill: it proved nothing"
    in_flight = _lines(acks + ".sent") - _lines(acks)
    assert in_flight, "no event was in flight at the kill: it proved nothing"
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
    assert sorted(jobs) == list(range(JOBS)), "a scheduled job was lost"
    assert max(jobs.values()) == 1, "a scheduled job fired twice"
