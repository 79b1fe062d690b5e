"""`agora export events`: the community's events as one .ics file, from the database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from icalendar import Calendar
from typer.testing import CliRunner

from bot.cli import app
from tests.features.events.conftest import events

runner = CliRunner()


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AGORA_CONFIG", raising=False)


async def _two_events(url: str) -> None:
    async with events(storage_url=url) as h:
        await h.command("bob", '/event create "Board games" 2026-12-05 18:00 Europe/Oslo')
        await h.command("bob", '/event create "Talk" 2026-12-09 17:00 Europe/Riga')
        await h.command("bob", "/event cancel 2")


def test_export_writes_every_event_as_icalendar(tmp_path: Path) -> None:
    db = tmp_path / "agora.db"
    config = tmp_path / "agora.toml"
    config.write_text(
        f'[bot]\nname = "Oslo Py"\n[storage]\nurl = "sqlite+aiosqlite:///{db}"\n',
        encoding="utf-8",
    )
    empty = runner.invoke(app, ["export", "events", "--config", str(config)])
    assert empty.exit_code == 0, empty.output
    assert "BEGIN:VEVENT" not in empty.output and "BEGIN:VCALENDAR" in empty.output
    asyncio.run(_two_events(f"sqlite+aiosqlite:///{db}"))
    target = tmp_path / "community.ics"
    result = runner.invoke(app, ["export", "events", "--out", str(target), "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "Wrote" in result.output
    parsed = Calendar.from_ical(target.read_bytes())
    assert parsed["X-WR-CALNAME"] == "Oslo Py"
    summaries = {str(e["SUMMARY"]): str(e["STATUS"]) for e in parsed.walk("VEVENT")}
    assert summaries == {"Board games": "CONFIRMED", "Talk": "CANCELLED"}


def test_export_with_events_turned_off_says_so(tmp_path: Path) -> None:
    config = tmp_path / "agora.toml"
    config.write_text("[features.events]\nenabled = false\n", encoding="utf-8")
    result = runner.invoke(app, ["export", "events", "--config", str(config)])
    assert result.exit_code == 1
    assert "events feature is turned off" in result.output
