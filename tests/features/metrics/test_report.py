"""`agora report` (HTML with every chart inlined) and `agora export metrics` (CSV/JSON)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app
from bot.context import Context, Work
from bot.features.metrics import report
from bot.features.metrics.compute import cohorts, daily, period_of
from bot.i18n import using_locale
from bot.model import Level
from bot.testing import Harness
from tests.features.metrics.conftest import metrics, plain

runner = CliRunner()
CHARTS = ("growth", "actives", "heat", "cohorts", "response", "sentiment")


def context(h: Harness, uow: object) -> Context:
    feature = h.runtime.registry.features["metrics"]
    return Context(Work(h.runtime, uow), feature, None, level=Level.ADMIN)  # type: ignore[arg-type]


async def test_report_has_every_chart_inline_and_no_outside_resource() -> None:
    steps: list[str] = []
    async with metrics(sentiment=True) as h:
        await h.say("carol", "I love this place")
        await h.react("dave", 1, "🎉")
        await h.tick("1d")
        # A tone is shown from five posts of three people (per day in the chart).
        for name in ("bob", "carol", "dave", "bob", "carol"):
            await h.say(name, "Thanks, that was helpful", channel="help")
        async with h.runtime.storage.unit_of_work() as uow:
            ctx = context(h, uow)
            found = await report.build(ctx, period_of(ctx, "30d"), steps.append)
        page = report.to_html(found, "Test community")
    assert len(steps) == report.STEPS
    for key in CHARTS:
        assert f'id="chart-{key}"' in page, key
    assert page.count('src="data:image/png;base64,') == len(CHARTS)
    assert "http://" not in page and "https://" not in page
    assert "Test community" in page and "#general" in page and "#help" in page
    assert "I love this place" not in page


async def test_report_speaks_the_language_it_is_written_in() -> None:
    async with metrics(top={"config": {"bot": {"timezone": "Europe/Helsinki"}}}) as h:
        await h.command("carol", "/ask How do I reset my password? It fails")
        with using_locale("fi"):
            async with h.runtime.storage.unit_of_work() as uow:
                ctx = context(h, uow)
                found = await report.build(ctx, period_of(ctx, "week"))
            page = plain(report.to_html(found, "Yhteisö", "Europe/Helsinki"))
    assert page.startswith('<!doctype html><html lang="fi">')
    assert "Yhteisön tilastot, 30. joulukuuta 2025 – 5. tammikuuta 2026" in page
    # Generated Monday Jan 5, 09:00 UTC: 11.00 on the community's clock.
    assert "luotu ma 5.1.2026 11.00 (Europe/Helsinki)" in page
    assert "Muista toiminnoista" in page and "Kanava" not in page  # no posts: no channels


async def test_report_without_sentiment_has_no_tone_chart(h: Harness) -> None:
    async with h.runtime.storage.unit_of_work() as uow:
        ctx = context(h, uow)
        found = await report.build(ctx, period_of(ctx, "week"))
    page = report.to_html(found, "x")
    assert 'id="chart-sentiment"' not in page and 'id="chart-heat"' in page


async def test_daily_rows_counted_by_hand(h: Harness) -> None:
    await h.say("carol", "monday")
    await h.react("dave", 1, "👍")
    await h.tick("1d")
    await h.say("carol", "tuesday")
    await h.leave("erin")
    async with h.runtime.storage.unit_of_work() as uow:
        rows = report.day_rows(await daily(context(h, uow), period_of(context(h, uow), "3d")))
    text = report.encode(rows, report.DAY_COLUMNS, "csv")
    found = list(csv.DictReader(io.StringIO(text)))
    assert [r["date"] for r in found] == ["2026-01-04", "2026-01-05", "2026-01-06"]
    sunday, monday, tuesday = found
    assert (sunday["members"], sunday["dau"], sunday["mau"], sunday["dau_mau"]) == (
        "0",
        "0",
        "0",
        "",
    )
    assert (monday["members"], monday["joined"], monday["dau"], monday["messages"]) == (
        "5",
        "5",
        "2",
        "1",
    )
    assert monday["reactions"] == "1" and monday["dau_mau"] == "1.0"
    # Tuesday: carol only; over the last 7 and 30 days carol and dave.
    assert (tuesday["members"], tuesday["left"], tuesday["dau"], tuesday["wau"]) == (
        "4",
        "1",
        "1",
        "2",
    )
    assert tuesday["mau"] == "2" and tuesday["dau_mau"] == "0.5"


async def test_days_follow_the_community_time_zone() -> None:
    # 23:30 UTC on Monday Jan 5 is 00:30 on Tuesday in Helsinki (UTC+2).
    async with metrics(top={"config": {"bot": {"timezone": "Europe/Helsinki"}}}) as h:
        await h.tick("14h30m")
        await h.say("carol", "late night")
        async with h.runtime.storage.unit_of_work() as uow:
            period = period_of(context(h, uow), "2d")
            rows = report.day_rows(await daily(context(h, uow), period))
    assert [(r["date"], r["messages"]) for r in rows] == [("2026-01-05", 0), ("2026-01-06", 1)]


def test_json_export_keeps_missing_values_null() -> None:
    rows = [{"date": "2026-01-01", "sentiment": None}]
    assert json.loads(report.encode(rows, ("date", "sentiment"), "json")) == rows


def write_config(tmp_path: Path) -> Path:
    file = tmp_path / "agora.toml"
    file.write_text(
        f'[storage]\nurl = "sqlite+aiosqlite:///{tmp_path / "agora.db"}"\n', encoding="utf-8"
    )
    return file


def test_cli_report_writes_a_self_contained_file(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    out = tmp_path / "report.html"
    result = runner.invoke(
        app, ["report", "--period", "7d", "--out", str(out), "--config", str(config)]
    )
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and 'id="chart-cohorts"' in page


def test_cli_export_metrics_csv_and_json(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    result = runner.invoke(
        app, ["export", "metrics", "--format", "csv", "--period", "2d", "--config", str(config)]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == ",".join(report.DAY_COLUMNS)
    assert len(result.output.splitlines()) == 3
    summary = runner.invoke(
        app,
        ["export", "metrics", "--by", "summary", "--format", "json", "--config", str(config)],
    )
    assert summary.exit_code == 0, summary.output
    keys = {row["key"] for row in json.loads(summary.output)}
    assert {"members", "dau", "mau", "dau_mau", "contributors_share", "engagement"} <= keys


def test_cli_refuses_a_bad_format_or_period(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    bad = runner.invoke(app, ["export", "metrics", "--format", "xml", "--config", str(config)])
    assert bad.exit_code == 2 and "csv or json" in bad.output
    period = runner.invoke(app, ["report", "--period", "soon", "--config", str(config)])
    assert period.exit_code == 1 and "I don't understand the period" in period.output


async def test_retention_cohorts_counted_by_hand(h: Harness) -> None:
    # Week of Mon Jan 5: the five seeded members, frank and gina join (7 in all).
    await h.join("frank")
    await h.tick("1d")
    await h.join("gina")
    await h.tick("6d")  # Jan 12, week +1: both post
    await h.say("frank", "week one")
    await h.say("gina", "week one")
    await h.tick("14d")  # Jan 26, week +3: frank only
    await h.say("frank", "week three")
    await h.tick("7d")  # Feb 2: week +4 has just begun, and hal joins
    await h.join("hal")
    async with h.runtime.storage.unit_of_work() as uow:
        ctx = context(h, uow)
        rows = await cohorts(ctx, period_of(ctx, "30d"))
        week = await cohorts(ctx, period_of(ctx, "week"))
    # 30 days from Sunday Jan 4: the weeks it touches, whole, this week's newcomers too.
    weeks = ["2025-12-29", "2026-01-05", "2026-01-12", "2026-01-19", "2026-01-26", "2026-02-02"]
    assert [r.week.isoformat() for r in rows] == weeks
    january = rows[1]
    assert january.size == 7
    assert january.shares == (2 / 7, 0.0, 1 / 7, 0.0, None, None, None, None)
    assert (rows[-1].size, set(rows[-1].shares)) == (1, {None})  # hal: no later week yet
    assert all(r.size == 0 for r in rows[2:-1]) and rows[0].size == 0
    # A week's period (Jan 27 to Feb 2) touches two joining weeks.
    assert [(r.week.isoformat(), r.size) for r in week] == [("2026-01-26", 0), ("2026-02-02", 1)]
