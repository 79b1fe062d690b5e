"""`agora report`: one self-contained HTML file (charts inlined) and the CSV/JSON export.

The report is computed in steps of a few aggregate queries each, the independent
ones side by side on connections of their own, and the CLI shows each step as it is
done; charts are drawn in a worker thread as their numbers come in. The HTML has no
external resource at all: it can be mailed, archived or opened offline.
"""

from __future__ import annotations

import asyncio
import base64
import csv
import html
import io
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from bot import formatting
from bot.context import Context, Work
from bot.features.metrics import charts, render
from bot.features.metrics.compute import (
    COHORT_WEEKS,
    MIN_TONE_PEOPLE,
    CohortRow,
    DailyFacts,
    Day,
    Summary,
    SummaryFacts,
    chunks,
    cohorts,
    contributed,
    contributions,
    daily_facts,
    daily_rows,
    heat_map,
    hour_slots,
    hours_of,
    summarize,
    summary_facts,
    summary_of,
    tones_of,
    zone_of,
)
from bot.features.metrics.periods import Period
from bot.features.metrics.store import ChannelCount, HourCount, Tones
from bot.i18n import _, current_locale, ngettext
from bot.stats import Figure

Progress = Callable[[str], None]
T = TypeVar("T")
STEPS = 8
TOP_CHANNELS = 20


def quiet(_step: str) -> None:
    """Progress for callers that show none."""


@dataclass(frozen=True, slots=True)
class Chart:
    key: str
    title: str
    png: bytes


@dataclass(frozen=True, slots=True)
class Report:
    period: Period
    summary: Summary
    previous: Summary
    days: Sequence[Day]
    heat: Sequence[Sequence[float]]
    cohorts: Sequence[CohortRow]
    weeks: Sequence[Period]
    weekly: Sequence[Sequence[Figure]]
    charts: Sequence[Chart]
    generated_at: datetime


# The order charts appear in, whichever was drawn first.
CHART_ORDER = ("heat", "growth", "actives", "sentiment", "cohorts", "response")


class _Easel:
    """Draws each chart in the chart thread as soon as its numbers are in, so drawing
    (CPU) overlaps the next queries (database) instead of following them all."""

    def __init__(self) -> None:
        self.texts = chart_texts()  # translated here, where the locale is set
        self.pending: list[asyncio.Future[Chart]] = []

    def draw(self, key: str, title: str, paint: Callable[..., bytes], *args: object) -> None:
        def run() -> Chart:
            return Chart(key, title, paint(*args))

        self.pending.append(charts.in_thread(run))

    async def done(self) -> list[Chart]:
        drawn = await asyncio.gather(*self.pending)
        return sorted(drawn, key=lambda chart: CHART_ORDER.index(chart.key))


class _Parts:
    """Runs the report's independent parts side by side, each in a read-only unit of
    work of its own (`Storage.reading`): on PostgreSQL each has a server process, on
    SQLite a connection and a thread, and two cores finish sooner than one. With a
    single connection (SQLite in memory) they take turns in the caller's."""

    def __init__(self, ctx: Context, progress: Progress) -> None:
        self.ctx = ctx
        self.progress = progress
        self.turns = asyncio.Lock()

    async def run(self, name: str, part: Callable[[Context], Awaitable[T]]) -> T:
        ctx = self.ctx
        async with ctx.runtime.storage.reading() as uow:
            if uow is None:
                async with self.turns:
                    found = await part(ctx)
            else:
                found = await part(
                    Context(Work(ctx.runtime, uow), ctx.feature, None, ctx.actor, ctx.level)
                )
        self.progress(name)
        return found


async def build(ctx: Context, period: Period, progress: Progress = quiet) -> Report:
    """Every number and chart of the report; `progress` is told each of its `STEPS`
    steps as it is done (the middle ones run side by side)."""
    easel = _Easel()
    t = easel.texts
    zone = zone_of(ctx)
    weeks = chunks(period, zone)

    async def hours_part(part: Context) -> tuple[list[HourCount], Tones]:
        return await hours_of(part, period.window), await tones_of(part, period.window)

    async def features_part(part: Context) -> dict[str, list[Figure]]:
        return await contributions(part, period.window)

    async def days_part(part: Context) -> DailyFacts:
        return await daily_facts(part, period)

    async def now_part(part: Context) -> SummaryFacts:
        return await summary_facts(part, period, channels=TOP_CHANNELS)

    async def before_part(part: Context) -> Summary:
        return await summarize(part, period.previous(zone))

    async def cohorts_part(part: Context) -> list[CohortRow]:
        rows = await cohorts(part, period)
        joined = [formatting.day(r.week) for r in rows]
        easel.draw("cohorts", t["cohorts"], charts.cohorts, rows, joined, t["cohorts"], t["week"])
        return rows

    # Each series runs its own queries in a part (a unit of work of its own) and only
    # then waits for the counts it shares with others: with one shared connection
    # (SQLite in memory) a part waiting inside its turn would block the one it waits for.

    async def heat_series() -> list[list[float]]:
        hours, _tones = await first_pass
        heat = heat_map(hours, hour_slots(period.window, zone))
        easel.draw("heat", t["heat"], charts.heat, heat, t["heat"], t["weekdays"].split())
        return heat

    async def summary_series() -> Summary:
        facts = await parts.run(_("Summary"), now_part)
        (hours, tones), by_feature = await first_pass, await features
        figures = [figure for found in by_feature.values() for figure in found]
        return summary_of(period, facts, hours, tones, figures, zone)

    async def days_series() -> list[Day]:
        facts = await parts.run(_("Daily active members"), days_part)
        hours, tones = await first_pass
        days = daily_rows(facts, hours, tones)
        labels = (t["members"], t["joined"], t["left"])
        dates = [formatting.short_day(d.day) for d in days]
        easel.draw("growth", t["growth"], charts.growth, days, dates, t["growth"], labels)
        actives = ("DAU", "WAU", "MAU", "DAU/MAU")
        easel.draw("actives", t["actives"], charts.actives, days, dates, t["actives"], actives)
        if any(d.sentiment is not None for d in days):
            tone = {t["tone"]: [d.sentiment for d in days]}
            easel.draw("sentiment", t["sentiment"], charts.lines, t["sentiment"], dates, tone, "")
        return days

    async def weekly_series() -> list[list[Figure]]:
        by_feature = await features
        # Only features with time figures (response, resolution, decision) are asked again.
        timed = {n for n, found in by_feature.items() if any(f.unit == "min" for f in found)}

        async def weekly_part(part: Context) -> list[list[Figure]]:
            return [await contributed(part, week.window, only=timed) for week in weeks]

        weekly = await parts.run(_("Response times and other features, week by week"), weekly_part)
        starts = [formatting.short_day(w.first) for w in weeks]
        minutes = weekly_minutes(weekly)
        easel.draw(
            "response",
            t["response"],
            charts.lines,
            t["response"],
            starts,
            minutes,
            "min",
            t["none"],
        )
        return weekly

    parts = _Parts(ctx, progress)
    # Every part starts at once, each on a connection of its own; the counts by hour
    # and tones (`first_pass`) and the features' figures are shared by several series.
    first_pass = asyncio.ensure_future(parts.run(_("Activity by hour"), hours_part))
    features = asyncio.ensure_future(parts.run(_("Other features"), features_part))
    together = asyncio.gather(
        summary_series(),
        parts.run(_("Previous period"), before_part),
        days_series(),
        heat_series(),
        parts.run(_("Retention cohorts"), cohorts_part),
        weekly_series(),
    )
    charts.prepare()  # nothing to draw yet: matplotlib loads while the database works
    try:
        now, before, days, heat, rows, weekly = await together
    finally:
        for started in (first_pass, features, together):
            if not started.done():  # something failed: stop the others too
                started.cancel()
        await asyncio.gather(first_pass, features, together, return_exceptions=True)
    drawn = await easel.done()
    progress(_("Charts"))
    return Report(period, now, before, days, heat, rows, weeks, weekly, drawn, ctx.now())


def weekly_minutes(weekly: Sequence[Sequence[Figure]]) -> dict[str, list[float | None]]:
    """Time figures (unit "min", e.g. first response) per week, by label."""
    series: dict[str, list[float | None]] = {}
    for index, figures in enumerate(weekly):
        for figure in figures:
            if figure.unit == "min":
                values = series.setdefault(figure.label, [None] * len(weekly))
                values[index] = figure.value
    return {label: values for label, values in series.items() if any(v is not None for v in values)}


def chart_texts() -> dict[str, str]:
    return {
        "growth": _("Members, joins and departures"),
        "members": _("Members"),
        "joined": _("Joined"),
        "left": _("Left"),
        "actives": _("Daily, weekly and monthly active members"),
        "heat": _("Busiest hours: posts and reactions per hour, community time"),
        "weekdays": _("Mon Tue Wed Thu Fri Sat Sun"),
        "cohorts": _("Retention: share of each joining week active in later weeks"),
        "week": _("week"),
        "response": _("Response times per week (minutes)"),
        "sentiment": _("Tone of posts per day (-1 negative … +1 positive)"),
        "tone": _("Tone"),
        "none": _("No answered questions in this period"),
    }


# --- HTML ------------------------------------------------------------------------------

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;color:#222;padding:0 1em}
h1{font-size:1.6em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0}td,th{padding:.25em .75em;text-align:left}
tr:nth-child(even){background:#f6f6f6}td.n{text-align:right;font-variant-numeric:tabular-nums}
img{max-width:100%;height:auto}.note{color:#666;font-size:.9em}
"""


def _figure_rows(figures: Sequence[Figure], previous: Sequence[Figure]) -> str:
    before = {f.key: f.value for f in previous}
    rows = []
    for figure in figures:
        label = html.escape(figure.label)
        value = html.escape(render.number(figure.value, figure.unit))
        change = html.escape(render.delta(figure.value, before.get(figure.key)).strip())
        rows.append(f"<tr><td>{label}</td><td class=n>{value}</td><td class=n>{change}</td></tr>")
    return "".join(rows)


def _cohort_table(rows: Sequence[CohortRow]) -> str:
    if not rows:
        return ""
    width = max(len(r.shares) for r in rows)
    head = "".join(f"<th>+{k}</th>" for k in range(1, width + 1))
    body = []
    for row in rows:
        cells = "".join(
            f"<td class=n>{'' if s is None else html.escape(formatting.percent(s))}</td>"
            for s in row.shares
        )
        week = html.escape(formatting.day(row.week))
        body.append(f"<tr><td>{week}</td><td class=n>{render.number(row.size)}</td>{cells}</tr>")
    joined, members = html.escape(_("Joined in week")), html.escape(_("Members"))
    return f"<table><tr><th>{joined}</th><th>{members}</th>{head}</tr>{''.join(body)}</table>"


def _channel_table(summary: Summary) -> list[str]:
    if not summary.channels:
        return []
    rows = "".join(
        f"<tr><td>#{html.escape(c.name)}</td><td>{html.escape(c.platform)}</td>"
        f"<td class=n>{render.number(c.messages)}</td><td class=n>{render.number(c.replies)}</td>"
        "</tr>"
        for c in summary.channels
    )
    heading = html.escape(_("Messages and replies per channel"))
    names = (_("Channel"), _("Platform"), _("Messages"), _("Replies"))
    head = "".join(f"<th>{html.escape(name)}</th>" for name in names)
    return [f"<h2>{heading}</h2>", f"<table><tr>{head}</tr>{rows}</table>"]


def _note(report: Report, community: str, timezone: str) -> str:
    days = report.period.days
    return ngettext(
        "{community} · generated {at} · changes compare with the day before",
        "{community} · generated {at} · changes compare with the {n} days before",
        days,
        community=community,
        at=formatting.when(report.generated_at, timezone, year=True),
    )


def to_html(report: Report, community: str, timezone: str = "UTC") -> str:
    """The whole report as one HTML document in the current language, images inlined as
    base64 PNG; dates and times on the community's clock (`timezone`)."""
    summary, previous = report.summary, report.previous
    heading = html.escape(render.title(report.period))
    summary_heading = _("Summary")
    sections = [
        f"<h1>{heading}</h1>",
        f"<p class=note>{html.escape(_note(report, community, timezone))}</p>",
        f"<h2>{html.escape(summary_heading)}</h2>",
        f"<table>{_figure_rows(summary.own(), previous.own())}</table>",
    ]
    if summary.contributed:
        others = html.escape(_("From other features"))
        sections += [
            f"<h2>{others}</h2>",
            f"<table>{_figure_rows(summary.contributed, previous.contributed)}</table>",
        ]
    for chart in report.charts:
        data = base64.b64encode(chart.png).decode("ascii")
        sections.append(
            f'<h2>{html.escape(chart.title)}</h2><img id="chart-{chart.key}" '
            f'alt="{html.escape(chart.title)}" src="data:image/png;base64,{data}">'
        )
        if chart.key == "cohorts":
            sections.append(_cohort_table(report.cohorts))
    sections += _channel_table(summary)
    privacy = _(
        "Counts are of people, not accounts: someone linked on Discord and Slack counts "
        "once. No message content is stored; tone is an average of numbers scored in "
        "memory (English only), shown only from posts of at least {people} people.",
        people=MIN_TONE_PEOPLE,
    )
    sections.append(f"<p class=note>{html.escape(privacy)}</p>")
    language = html.escape(current_locale())
    return (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
        f"<title>{heading}</title><style>{_STYLE}</style>"
        f"</head><body>{''.join(sections)}</body></html>"
    )


# --- export ----------------------------------------------------------------------------

DAY_COLUMNS = (
    "date",
    "members",
    "joined",
    "left",
    "first_seen",
    "dau",
    "wau",
    "mau",
    "dau_mau",
    "messages",
    "replies",
    "reactions",
    "sentiment",
)


def day_rows(days: Sequence[Day]) -> list[dict[str, object]]:
    return [
        {
            "date": d.day.isoformat(),
            "members": d.members,
            "joined": d.joined,
            "left": d.left,
            "first_seen": d.seen,
            "dau": d.dau,
            "wau": d.wau,
            "mau": d.mau,
            "dau_mau": None if d.stickiness is None else round(d.stickiness, 4),
            "messages": d.messages,
            "replies": d.replies,
            "reactions": d.reactions,
            "sentiment": None if d.sentiment is None else round(d.sentiment, 4),
        }
        for d in days
    ]


CHANNEL_COLUMNS = (
    "platform",
    "workspace",
    "channel_id",
    "channel",
    "messages",
    "replies",
    "reactions",
    "people",
)


def channel_rows(channels: Sequence[ChannelCount]) -> list[dict[str, object]]:
    """Every channel with posts in the period, busiest first."""
    return [
        {
            "platform": c.platform,
            "workspace": c.workspace,
            "channel_id": c.channel_id,
            "channel": c.name,
            "messages": c.messages,
            "replies": c.replies,
            "reactions": c.reactions,
            "people": c.people,
        }
        for c in channels
    ]


COHORT_COLUMNS = ("joined_week", "members", *(f"week_{k}" for k in range(1, COHORT_WEEKS + 1)))


def cohort_rows(rows: Sequence[CohortRow]) -> list[dict[str, object]]:
    """Each joining week: its newcomers and the share of them active k weeks later."""
    found: list[dict[str, object]] = []
    for row in rows:
        item: dict[str, object] = {"joined_week": row.week.isoformat(), "members": row.size}
        for k, share in enumerate(row.shares, start=1):
            item[f"week_{k}"] = None if share is None else round(share, 4)
        found.append(item)
    return found


HOUR_COLUMNS = ("weekday", "hour", "facts", "per_hour")


def hour_rows(
    totals: Sequence[Sequence[int]], heat: Sequence[Sequence[float]]
) -> list[dict[str, object]]:
    """The heat map as 168 rows: ISO weekday (1 = Monday), local hour, posts and
    reactions in that hour over the period, and their mean per occurrence of the hour."""
    return [
        {
            "weekday": weekday + 1,
            "hour": hour,
            "facts": totals[weekday][hour],
            "per_hour": round(heat[weekday][hour], 3),
        }
        for weekday in range(7)
        for hour in range(24)
    ]


FIGURE_COLUMNS = ("key", "label", "value", "unit", "group")


def figure_rows(figures: Sequence[Figure]) -> list[dict[str, object]]:
    return [
        {"key": f.key, "label": f.label, "value": f.value, "unit": f.unit, "group": f.group}
        for f in figures
    ]


def encode(rows: Sequence[dict[str, object]], columns: Sequence[str], fmt: str) -> str:
    """Rows as CSV (header first, empty cells for missing values) or JSON."""
    if fmt == "json":
        return json.dumps(list(rows), ensure_ascii=False, indent=2)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buffer.getvalue()
