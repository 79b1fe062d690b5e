"""`agora report` and `agora export metrics`: metrics for an admin at the command line."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.config import AgoraConfig
from bot.context import Context, UserError, Work
from bot.features.metrics import report
from bot.features.metrics.compute import (
    Summary,
    cohorts,
    daily,
    heat_map,
    hour_slots,
    hour_totals,
    hours_of,
    period_of,
    require_data,
    summarize,
    zone_of,
)
from bot.features.metrics.periods import Period
from bot.i18n import _
from bot.model import Level

T = TypeVar("T")
# Every channel with posts, for the export (the report lists the top 20).
CHANNELS = 100_000


async def _with_context(config: AgoraConfig, job: Callable[[Context], Awaitable[T]]) -> T:
    from bot.app import build_app
    from bot.features.metrics.handlers import feature

    app = await build_app(config)
    try:
        if feature.name not in app.runtime.registry.features:
            raise UserError(_("The metrics feature is turned off in this configuration."))
        async with app.runtime.storage.unit_of_work() as uow:
            return await job(Context(Work(app.runtime, uow), feature, None, level=Level.ADMIN))
    finally:
        await app.stop()


async def html_report(
    config: AgoraConfig,
    period: str,
    platform: str | None = None,
    progress: report.Progress = report.quiet,
) -> str:
    """The self-contained HTML report; `progress` hears each of its `STEPS` steps."""

    async def job(ctx: Context) -> str:
        found = await report.build(ctx, period_of(ctx, period, platform), progress)
        require_data(ctx, found.summary)
        return report.to_html(found, ctx.community, ctx.runtime.config.bot.timezone)

    return await _with_context(config, job)


EXPORTS = ("day", "summary", "channel", "cohort", "hour")


async def export_metrics(
    config: AgoraConfig, period: str, fmt: str, by: str, platform: str | None = None
) -> str:
    """The period's metrics as CSV or JSON, one row per `by` (one of `EXPORTS`): day,
    figure (`summary`), channel, joining week (`cohort`) or weekday and hour (`hour`)."""

    async def job(ctx: Context) -> str:
        chosen = period_of(ctx, period, platform)
        listed = CHANNELS if by == "channel" else 0
        summary = await summarize(
            ctx, chosen, hooks=by == "summary", channels=listed, channel_detail=True
        )
        require_data(ctx, summary)
        return report.encode(*await _rows(ctx, chosen, summary, by), fmt)

    return await _with_context(config, job)


async def _rows(
    ctx: Context, period: Period, summary: Summary, by: str
) -> tuple[list[dict[str, object]], tuple[str, ...]]:
    if by == "summary":
        return report.figure_rows(summary.figures()), report.FIGURE_COLUMNS
    if by == "channel":
        return report.channel_rows(summary.channels), report.CHANNEL_COLUMNS
    if by == "cohort":
        return report.cohort_rows(await cohorts(ctx, period)), report.COHORT_COLUMNS
    if by == "hour":
        hours = await hours_of(ctx, period.window)
        heat = heat_map(hours, hour_slots(period.window, zone_of(ctx)))
        return report.hour_rows(hour_totals(hours), heat), report.HOUR_COLUMNS
    return report.day_rows(await daily(ctx, period)), report.DAY_COLUMNS
