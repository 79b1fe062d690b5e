"""The CLI: every admin mistake ends in a sentence and an exit code, never a traceback."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from bot.cli import app
from bot.pidfile import PidFile

runner = CliRunner()


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AGORA_CONFIG", raising=False)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_check_accepts_the_example() -> None:
    example = Path(__file__).resolve().parents[2] / "config.example.toml"
    result = runner.invoke(app, ["check", str(example)])
    assert result.exit_code == 0, result.output
    assert "is valid" in result.output


def test_check_reports_line_and_hint(tmp_path: Path) -> None:
    file = _write(tmp_path / "agora.toml", '[bot]\nlangauge = "nb"\n')
    result = runner.invoke(app, ["check", str(file)])
    assert result.exit_code == 2
    assert "line 2" in result.output and "bot.langauge" in result.output
    assert "language" in result.output
    assert "Traceback" not in result.output


def test_check_finds_agora_toml_in_the_working_directory(tmp_path: Path) -> None:
    _write(tmp_path / "agora.toml", "[bot]\nname = 42\n")
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 2
    assert "bot.name" in result.output


def test_db_upgrade_then_status(tmp_path: Path) -> None:
    file = _write(tmp_path / "agora.toml", '[storage]\nurl = "sqlite+aiosqlite:///x.db"\n')
    status = runner.invoke(app, ["db", "status", "--config", str(file)])
    assert status.exit_code == 1 and "agora db upgrade" in status.output
    first = runner.invoke(app, ["db", "upgrade", "--config", str(file)])
    assert first.exit_code == 0, first.output
    assert "upgraded" in first.output
    again = runner.invoke(app, ["db", "upgrade", "--config", str(file)])
    assert "already up to date" in again.output
    assert runner.invoke(app, ["db", "status", "--config", str(file)]).exit_code == 0


def test_run_refuses_an_out_of_date_schema_without_auto_migrate(tmp_path: Path) -> None:
    file = _write(
        tmp_path / "agora.toml",
        '[storage]\nurl = "sqlite+aiosqlite:///y.db"\nauto_migrate = false\n',
    )
    script = _write(tmp_path / "s.txt", "/help\n")
    result = runner.invoke(app, ["run", "--config", str(file), "--script", str(script)])
    assert result.exit_code == 1
    assert "agora db upgrade" in result.output
    assert "Traceback" not in result.output


def test_run_with_an_unreachable_database_says_so(tmp_path: Path) -> None:
    file = _write(
        tmp_path / "agora.toml",
        '[storage]\nurl = "postgresql+asyncpg://postgres@127.0.0.1:1/none"\n',
    )
    script = _write(tmp_path / "s.txt", "/help\n")
    result = runner.invoke(app, ["run", "--config", str(file), "--script", str(script)])
    assert result.exit_code == 1
    assert "Cannot reach the database" in result.output


def test_run_with_a_missing_script(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", "--script", str(tmp_path / "none.txt")])
    assert result.exit_code == 2
    assert "Cannot read the script" in result.output


def test_version() -> None:
    result = runner.invoke(app, ["version"])
    assert result.exit_code == 0
    assert result.output.startswith("agora ")


def test_slack_manifest_lists_the_registry_commands() -> None:
    import json

    result = runner.invoke(app, ["slack-manifest", "--json"])
    assert result.exit_code == 0, result.output
    manifest = json.loads(result.output)
    commands = {c["command"] for c in manifest["features"]["slash_commands"]}
    assert {"/help", "/language", "/link"} <= commands
    yaml = runner.invoke(app, ["slack-manifest"])
    assert 'command: "/help"' in yaml.output


def test_modlog_export_prints_a_csv_header() -> None:
    result = runner.invoke(app, ["modlog", "export", "--days", "7"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("id,at,platform")


def test_onboarding_preview_prints_the_flow() -> None:
    result = runner.invoke(app, ["onboarding", "preview", "--member", "@dana"])
    assert result.exit_code == 0, result.output
    assert "@dana" in result.output


def test_health_in_an_empty_directory_creates_nothing_and_fails(tmp_path: Path) -> None:
    result = runner.invoke(app, ["health"])
    assert result.exit_code == 1, result.output  # nothing runs here
    assert "database: not created yet" in result.output
    assert "schema: will be created when Agora starts" in result.output
    assert "process: not running" in result.output
    assert not list(tmp_path.iterdir()), "health created files"


def test_health_does_not_trust_a_pid_file_nobody_holds(tmp_path: Path) -> None:
    """`echo $$ > agora.pid; agora health` once said "process: running"."""
    _write(tmp_path / "agora.pid", f"{os.getpid()}\n")  # a live process, not an Agora
    result = runner.invoke(app, ["health"])
    assert result.exit_code == 1
    assert "process: not running" in result.output


def _health_while_running(*args: str) -> Result:
    """`agora health` while this process holds ./agora.pid, as `agora run` does."""
    claim = PidFile.claim("agora.pid")
    assert claim is not None
    try:
        return runner.invoke(app, ["health", *args])
    finally:
        claim.release()


def test_health_of_a_running_agora() -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    result = _health_while_running()
    assert result.exit_code == 0, result.output
    assert "database: reachable" in result.output and "schema: current" in result.output
    assert f"process: running (pid {os.getpid()})" in result.output


def test_health_accepts_a_schema_agora_will_migrate_at_start(tmp_path: Path) -> None:
    sqlite3.connect(tmp_path / "agora.db").close()  # an empty database
    result = _health_while_running()
    assert result.exit_code == 0, result.output
    assert "Agora applies them when it starts" in result.output
    without = _write(tmp_path / "agora.toml", "[storage]\nauto_migrate = false\n")
    result = _health_while_running("--config", str(without))
    assert result.exit_code == 1 and "run `agora db upgrade`" in result.output
