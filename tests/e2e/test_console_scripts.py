"""Every console script in `scripts/` replayed through the real CLI (`agora run --script`).

A script `name.txt` runs with `name.toml` as its config when that file exists. Each
run gets a fresh working directory, so `./agora.db` starts empty.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from console_run import run_script

SCRIPTS = Path(__file__).parent / "scripts"


@pytest.mark.parametrize("script", sorted(SCRIPTS.glob("*.txt")), ids=lambda p: p.stem)
def test_script_passes(script: Path, tmp_path: Path) -> None:
    config = script.with_suffix(".toml")
    result = run_script(script, tmp_path, config if config.exists() else None)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


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
