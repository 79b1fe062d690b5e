"""`agora export metrics --by …` and the friendly refusals of the metrics CLI.

The data set is written through a Harness into the SQLite file the CLI then reads
(Monday 2026-01-05, UTC): carol posts in #general at 09:00, bob replies in her
thread, dave reacts to her post, erin posts in #help; frank joins on Tuesday and
posts on Tuesday Jan 13.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app
from bot.testing import Harness
from storage.engine import create_engine
from storage.migrate import upgrade
from tests.features.metrics.conftest import MEMBERS

runner = CliRunner()
WEEK = "2026-01-05..2026-01-11"


async def populate(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)  # as `agora db upgrade` would: the CLI checks the revision
    finally:
        await engine.dispose()
    async with Harness(storage_url=url, members=MEMBERS) as h:
        await h.say("carol", "hello")
        await h.say("bob", "welcome!", thread_of=1)
        await h.react("dave", 1, "👍")
        await h.say("erin", "a question", channel="help")
        await h.tick("1d")
        await h.join("frank")
        await h.tick("7d")
        await h.say("frank", "a week later")


def community(tmp_path: Path) -> Path:
    database = tmp_path / "agora.db"
    asyncio.run(populate(f"sqlite+aiosqlite:///{database}"))
    config = tmp_path / "agora.toml"
    config.write_text(f'[storage]\nurl = "sqlite+aiosqlite:///{database}"\n', encoding="utf-8")
    return config


def export(config: Path, *options: str) -> list[dict[str, str]]:
    result = runner.invoke(app, ["export", "metrics", *options, "--config", str(config)])
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.output)))


def test_exports_by_channel_cohort_and_hour(tmp_path: Path) -> None:
    config = community(tmp_path)
    channels = export(config, "--by", "channel", "--period", WEEK)
    assert [
        (c["channel"], c["messages"], c["replies"], c["reactions"], c["people"]) for c in channels
    ] == [("general", "1", "1", "1", "3"), ("help", "1", "0", "0", "1")]
    cohorts = export(config, "--by", "cohort", "--period", "2026-01-05..2026-01-18")
    assert [(c["joined_week"], c["members"]) for c in cohorts] == [
        ("2026-01-05", "6"),
        ("2026-01-12", "0"),
    ]
    # Of the six who joined in the first week, frank was active the week after.
    assert (cohorts[0]["week_1"], cohorts[0]["week_2"]) == ("0.1667", "")
    hours = export(config, "--by", "hour", "--period", WEEK)
    assert len(hours) == 7 * 24
    monday_nine = next(h for h in hours if (h["weekday"], h["hour"]) == ("1", "9"))
    assert (monday_nine["facts"], monday_nine["per_hour"]) == ("4", "4.0")
    assert sum(int(h["facts"]) for h in hours) == 4
    options = ["--by", "Cohort", "--format", "json", "--period", WEEK]
    result = runner.invoke(app, ["export", "metrics", *options, "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[0]["members"] == 6


def test_platforms_are_matched_without_case_and_unknown_ones_refused(tmp_path: Path) -> None:
    config = community(tmp_path)
    console = runner.invoke(
        app,
        ["export", "metrics", "--by", "summary", "--platform", "Console", "--config", str(config)],
    )
    assert console.exit_code == 0, console.output
    typo = runner.invoke(app, ["report", "--platform", "foo", "--config", str(config)])
    assert typo.exit_code == 1
    assert "There is no platform called foo. Use one of: console, discord, slack." in typo.output
    slack = runner.invoke(
        app, ["export", "metrics", "--platform", "Slack", "--config", str(config)]
    )
    assert slack.exit_code == 1
    assert "There are no numbers from Slack: it is not connected to Agora" in slack.output


def test_an_output_that_cannot_be_written_is_refused_before_any_work(tmp_path: Path) -> None:
    config = community(tmp_path)
    missing = runner.invoke(
        app, ["report", "--out", "/nonexistent/r.html", "--config", str(config)]
    )
    assert missing.exit_code == 2
    assert "Cannot write /nonexistent/r.html: the folder /nonexistent does not exist" in (
        " ".join(missing.output.split())
    )
    folder = runner.invoke(app, ["report", "--out", str(tmp_path), "--config", str(config)])
    assert folder.exit_code == 2 and "it is a folder" in " ".join(folder.output.split())
    assert "Traceback" not in missing.output + folder.output
    bad_by = runner.invoke(app, ["export", "metrics", "--by", "week", "--config", str(config)])
    assert bad_by.exit_code == 2 and "--by day, summary, channel, cohort, hour" in bad_by.output
