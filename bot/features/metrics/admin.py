"""`agora report` and `agora export metrics`: metrics for an admin at the command line."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.config import AgoraConfig
from bot.context import Context, UserError, Work
from bot.features.metrics import report
from bot.features.metrics.compute import daily, period_of, summarize
from bot.i18n import _
from bot.model import Level

T = TypeVar("T")


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
        return report.to_html(found, ctx.community, ctx.runtime.config.bot.timezone)

    return await _with_context(config, job)


async def export_metrics(
    config: AgoraConfig, period: str, fmt: str, by: str, platform: str | None = None
) -> str:
    """Daily rows (`by="day"`) or the period's figures (`by="summary"`) as CSV or JSON."""

    async def job(ctx: Context) -> str:
        chosen = period_of(ctx, period, platform)
        if by == "summary":
            summary = await summarize(ctx, chosen)
            rows = report.figure_rows(summary.figures())
            return report.encode(rows, report.FIGURE_COLUMNS, fmt)
        return report.encode(report.day_rows(await daily(ctx, chosen)), report.DAY_COLUMNS, fmt)

    return await _with_context(config, job)
