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
    status = runner.invoke(app, ["db", "status", "--config", str(file)])
    assert status.exit_code == 0
    assert status.output.splitlines() == [
        "The database is up to date.",
        "No workspace has been seen yet (none has sent an event).",
    ]


def test_db_status_lists_the_workspaces_seen(tmp_path: Path) -> None:
    file = _write(
        tmp_path / "agora.toml",
        '[bot]\nname = "Fjordkoderne"\n[storage]\nurl = "sqlite+aiosqlite:///w.db"\n',
    )
    script = _write(tmp_path / "s.txt", "hello\n")
    assert (
        runner.invoke(app, ["run", "--config", str(file), "--script", str(script)]).exit_code == 0
    )
    status = runner.invoke(app, ["db", "status", "--config", str(file)])
    lines = status.output.splitlines()
    assert lines[1] == "1 workspace seen:"
    assert lines[2].startswith("  console local: Fjordkoderne, first seen 20")


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
    # Rich markup is off for startup errors: the [storage] table keeps its brackets.
    assert "Agora cannot start: The database schema is out of date" in result.output
    assert "or set auto_migrate = true under [storage]." in result.output


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


# What `agora check` refuses, `agora run` and `agora db upgrade` refuse too (exit 2).
REFUSED = {
    "bad cron": ('[features.kudos]\nleaderboard_cron = "0 99 * * MON"\n', "line 2"),
    "repeated question id": (
        '[[features.onboarding.questions]]\nid = "a"\ntext = "A?"\nkind = "text"\n'
        '[[features.onboarding.questions]]\nid = "a"\ntext = "B?"\nkind = "text"\n',
        "question id 'a' is used twice",
    ),
    "choice without options": (
        '[[features.onboarding.questions]]\nid = "q"\ntext = "Q?"\nkind = "single"\n',
        "question 'q' has no options",
    ),
    "no #mod-queue": ('[console]\nchannels = ["general", "help"]\n', "no channel #mod-queue"),
    "nothing to run": ("[console]\nenabled = false\n", "nothing would run"),
}


@pytest.mark.parametrize(("text", "said"), REFUSED.values(), ids=REFUSED.keys())
def test_run_and_db_upgrade_refuse_what_check_refuses(tmp_path: Path, text: str, said: str) -> None:
    file = _write(tmp_path / "agora.toml", text)
    script = _write(tmp_path / "s.txt", "/help\n")
    checked = runner.invoke(app, ["check", str(file)])
    assert checked.exit_code == 2 and said in checked.output, checked.output
    for command in (["run", "--script", str(script)], ["db", "upgrade"]):
        result = runner.invoke(app, [*command, "--config", str(file)])
        assert result.exit_code == 2, result.output
        assert result.output == checked.output  # the same problems, word for word
    assert not (tmp_path / "agora.db").exists()  # refused before touching the database


def test_check_reports_schema_and_semantic_problems_at_once_on_whole_lines(
    tmp_path: Path,
) -> None:
    file = _write(
        tmp_path / "agora.toml",
        '[features.kudos]\nleaderboard_cron = "0 99 * * MON"\n[bot]\nlangauge = "nb"\n',
    )
    result = runner.invoke(app, ["check", str(file)], env={"COLUMNS": "40"})
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert lines[0] == f"{file} has 2 problems:"
    assert lines[1].startswith("  • line 2: features.kudos.leaderboard_cron: job leaderboard:")
    assert lines[1].endswith("(hint: five fields: minute hour day month weekday, e.g. 0 9 * * MON)")
    assert lines[2] == "  • line 4: bot.langauge: unknown key (hint: did you mean 'language'?)"
    assert len(lines) == 3


def test_check_warns_about_unset_token_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    file = _write(tmp_path / "agora.toml", "[discord]\nenabled = true\n")
    result = runner.invoke(app, ["check", str(file)])
    assert result.exit_code == 0, result.output
    assert "is valid" in result.output
    assert "Before `agora run`, set 1 environment variable:" in result.output
    assert "line 1: discord.token_env: the environment variable DISCORD_TOKEN is not set" in (
        result.output
    )
    monkeypatch.setenv("DISCORD_TOKEN", "t")
    assert "DISCORD_TOKEN" not in runner.invoke(app, ["check", str(file)]).output


def test_a_script_that_is_not_utf8_is_refused_with_a_sentence(tmp_path: Path) -> None:
    script = tmp_path / "bin.txt"
    script.write_bytes("/help\nhei, Bjørn\n".encode("cp1252"))
    result = runner.invoke(app, ["run", "--script", str(script)])
    assert result.exit_code == 2
    assert f"The script {script} is not UTF-8 text (byte 0xf8 on line 2)." in result.output
    assert "Save it as UTF-8" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "command", [["run", "--script", "s.txt"], ["db", "upgrade"], ["db", "status"], ["health"]]
)
def test_an_sqlite_file_that_cannot_be_opened_is_named(tmp_path: Path, command: list[str]) -> None:
    file = _write(
        tmp_path / "agora.toml", '[storage]\nurl = "sqlite+aiosqlite:////nonexistent/dir/x.db"\n'
    )
    _write(tmp_path / "s.txt", "/help\n")
    result = runner.invoke(app, [*command, "--config", str(file)], env={"COLUMNS": "300"})
    assert result.exit_code == 1, result.output
    assert "Cannot open the SQLite database /nonexistent/dir/x.db: the directory " in result.output
    assert "/nonexistent/dir does not exist" in result.output
    assert "Traceback" not in result.output


def test_a_database_from_a_newer_agora_is_refused(tmp_path: Path) -> None:
    import sqlite3

    file = _write(tmp_path / "agora.toml", '[storage]\nurl = "sqlite+aiosqlite:///n.db"\n')
    assert runner.invoke(app, ["db", "upgrade", "--config", str(file)]).exit_code == 0
    with sqlite3.connect(tmp_path / "n.db") as db:
        db.execute(
            "UPDATE alembic_version SET version_num = 'kudos_0009' WHERE version_num LIKE 'kudos_%'"
        )
    script = _write(tmp_path / "s.txt", "/help\n")
    for command in (["run", "--script", str(script)], ["db", "upgrade"], ["db", "status"]):
        result = runner.invoke(app, [*command, "--config", str(file)])
        assert result.exit_code == 1, result.output
        assert "The database is newer than this Agora" in result.output
        assert "(kudos_0009)" in result.output and "Upgrade Agora" in result.output


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
