"""`agora gdpr export|forget` on a real database left by a console session."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app

runner = CliRunner()
AGORA = Path(sys.executable).with_name("agora")


@pytest.fixture
def community(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AGORA_CONFIG", raising=False)
    script = tmp_path / "day.txt"
    script.write_text(":as carol\nhello there\n/timezone Europe/Oslo\n", encoding="utf-8")
    done = subprocess.run(
        [str(AGORA), "run", "--script", str(script)], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return tmp_path


def test_export_by_member_writes_json(community: Path) -> None:
    result = runner.invoke(
        app, ["gdpr", "export", "--member", "console:local:u-carol", "-o", "c.json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads((community / "c.json").read_text(encoding="utf-8"))
    assert data["accounts"][0]["name"] == "carol"
    assert data["person"]["timezone"] == "Europe/Oslo"
    assert data["tables"]["activity"]


def test_forget_then_export_finds_nothing(community: Path) -> None:
    result = runner.invoke(app, ["gdpr", "forget", "--member", "console:local:u-carol", "--yes"])
    assert result.exit_code == 0, result.output
    assert "Erased person" in result.output
    again = runner.invoke(app, ["gdpr", "export", "--member", "console:local:u-carol"])
    assert again.exit_code == 1
    assert "No account console:local:u-carol is known" in again.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--member", "carol"], "platform:workspace:id"),
        (["--person", "999"], "No person with id 999"),
        ([], "--member platform:workspace:id or --person ID"),
    ],
)
def test_bad_selectors_are_explained(community: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["gdpr", "export", *args])
    assert result.exit_code == 1
    assert message in result.output
