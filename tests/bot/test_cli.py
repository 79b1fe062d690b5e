"""The CLI: every admin mistake ends in a sentence and an exit code, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app

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


def test_slack_manifest_public_url_means_http_mode() -> None:
    import json

    result = runner.invoke(
        app, ["slack-manifest", "--json", "--public-url", "https://bot.example.org"]
    )
    assert result.exit_code == 0, result.output
    settings = json.loads(result.stdout)["settings"]
    assert settings["socket_mode_enabled"] is False
    url = "https://bot.example.org/slack/events"
    assert settings["event_subscriptions"]["request_url"] == url
    assert settings["interactivity"]["request_url"] == url
    assert result.stderr == ""
    forced = runner.invoke(
        app, ["slack-manifest", "--json", "--public-url", "https://x.example", "--mode", "socket"]
    )
    assert json.loads(forced.stdout)["settings"]["socket_mode_enabled"] is True


def test_slack_manifest_http_mode_without_an_address_warns() -> None:
    import json

    result = runner.invoke(app, ["slack-manifest", "--json", "--mode", "http"])
    assert result.exit_code == 0, result.output
    manifest = json.loads(result.stdout)
    assert manifest["settings"]["interactivity"]["request_url"].startswith(
        "https://YOUR-PUBLIC-HOST/"
    )
    assert "--public-url" in result.stderr and "YOUR-PUBLIC-HOST" in result.stderr
    wrong = runner.invoke(app, ["slack-manifest", "--mode", "carrier-pigeon"])
    assert wrong.exit_code == 2 and "Traceback" not in wrong.output


def test_modlog_export_prints_a_csv_header() -> None:
    result = runner.invoke(app, ["modlog", "export", "--days", "7"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("id,at,platform")


def test_onboarding_preview_prints_the_flow() -> None:
    result = runner.invoke(app, ["onboarding", "preview", "--member", "@dana"])
    assert result.exit_code == 0, result.output
    assert "@dana" in result.output
