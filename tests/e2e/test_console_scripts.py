"""Every console script in `scripts/` replayed through the real CLI (`agora run --script`).

A script `name.txt` runs with `name.toml` as its config when that file exists. Each
run gets a fresh working directory, so `./agora.db` starts empty.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from console_run import run_script

SCRIPTS = Path(__file__).parent / "scripts"

# Scripts whose ticks cross scheduled jobs, and starting times that once broke them:
# the console's clock starts at the real time, so a script must pass from any hour.
# (Years far from now, so the transcript shows that the pinned clock was used.)
AWKWARD_STARTS = (
    ("metrics", "2031-03-03T05:46:00+00:00"),  # a Monday before the 09:00 digest
    ("metrics", "2031-03-09T23:59:00+00:00"),  # a Sunday just before midnight
    ("checkins", "2031-03-03T00:30:00+00:00"),  # between a midnight run and its reminder
    ("checkins", "2031-03-03T21:59:30+00:00"),  # a tick ending between summary and run
)


@pytest.mark.parametrize("script", sorted(SCRIPTS.glob("*.txt")), ids=lambda p: p.stem)
def test_script_passes(script: Path, tmp_path: Path) -> None:
    config = script.with_suffix(".toml")
    result = run_script(script, tmp_path, config if config.exists() else None)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize(("name", "start"), AWKWARD_STARTS, ids=lambda v: str(v)[:16])
def test_scripts_with_scheduled_jobs_pass_from_any_start(
    name: str, start: str, tmp_path: Path
) -> None:
    script = SCRIPTS / f"{name}.txt"
    config = script.with_suffix(".toml")
    result = run_script(script, tmp_path, config if config.exists() else None, start=start)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(time is now 2031-03-" in result.stdout  # the script ran on the pinned clock


def test_failing_expectation_exits_non_zero(tmp_path: Path) -> None:
    script = tmp_path / "fail.txt"
    script.write_text("/help\n:expect this text is not there\n", encoding="utf-8")
    result = run_script(script, tmp_path)
    assert result.returncode == 1
    assert "this text is not there" in result.stdout
    assert "/help" in result.stdout  # what was seen is printed


def test_second_run_on_same_database_is_not_deduplicated(tmp_path: Path) -> None:
    script = tmp_path / "again.txt"
    script.write_text("/help\n:expect Commands you can use\n", encoding="utf-8")
    assert run_script(script, tmp_path).returncode == 0
    second = run_script(script, tmp_path)
    assert second.returncode == 0, second.stdout
