"""The pid file names the running Agora only while Agora holds it; reload answers beside it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.pidfile import PidFile, outcome_path, read_outcome, running_pid


def test_a_claimed_pid_file_names_this_process(tmp_path: Path) -> None:
    path = tmp_path / "agora.pid"
    claim = PidFile.claim(path)
    assert claim is not None
    try:
        assert path.read_text(encoding="utf-8") == f"{os.getpid()}\n"
        assert running_pid(path) == os.getpid()
        assert PidFile.claim(path) is None  # a second Agora does not take it over
    finally:
        claim.release()
    assert not path.exists() and running_pid(path) is None


def test_a_pid_nobody_holds_is_stale_even_when_the_process_lives(tmp_path: Path) -> None:
    """`echo $$ > agora.pid`: a live process, but not an Agora holding the file."""
    path = tmp_path / "agora.pid"
    path.write_text(f"{os.getpid()}\n", encoding="utf-8")
    assert running_pid(path) is None
    assert running_pid(tmp_path / "absent.pid") is None


def test_the_lock_ends_with_the_process_however_it_ends(tmp_path: Path) -> None:
    path = tmp_path / "agora.pid"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from bot.pidfile import PidFile; "
            f"PidFile.claim({str(path)!r}); print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert running_pid(path) == holder.pid
    finally:
        holder.kill()  # SIGKILL: no clean-up ran
        holder.wait(10)
    assert path.exists() and running_pid(path) is None  # the file stayed, the claim did not
    claim = PidFile.claim(path)  # a restart takes it over
    assert claim is not None
    claim.release()


def test_reload_outcomes_count_up_and_go_with_the_claim(tmp_path: Path) -> None:
    path = tmp_path / "agora.pid"
    outcome_path(path).write_text('{"pid": 1, "attempt": 9}', encoding="utf-8")  # old run
    claim = PidFile.claim(path)
    assert claim is not None
    assert read_outcome(path) is None  # a previous run's answer is not this one's
    claim.report_reload(True, "agora.toml", [])
    claim.report_reload(False, "agora.toml", ["line 2: bot.name: not a string"])
    answer = read_outcome(path)
    assert answer is not None
    assert (answer.pid, answer.attempt, answer.ok) == (os.getpid(), 2, False)
    assert answer.problems == ("line 2: bot.name: not a string",)
    claim.release()
    assert read_outcome(path) is None
