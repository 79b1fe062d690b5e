"""Metrics wired to commands and jobs: /stats, /stats slipping, the digest, nudges."""

from __future__ import annotations

from typing import Any

from bot.args import TextArg
from bot.context import Context
from bot.features.metrics import privacy, service, slipping
from bot.features.metrics.config import MetricsConfig, check_metrics, metrics_needs
from bot.i18n import N_
from bot.model import Level
from bot.needs import Need
from bot.registry import Feature

feature = Feature(
    "metrics",
    config=MetricsConfig,
    description=N_("Community metrics: /stats, weekly digest, slipping-away members"),
    needs=frozenset({Need.MEMBER_EVENTS, Need.FILES}),
)
feature.check(check_metrics)
feature.requires(metrics_needs)


@feature.command(
    "stats",
    verb="show",
    help=N_("Community numbers for a period (day, week, month, 14d, 2026-01-01..2026-01-31)"),
    args=[
        TextArg("period", N_("the period, optionally followed by discord or slack"), required=False)
    ],
    level=Level.MODERATOR,
    ephemeral=True,
)
async def stats(ctx: Context, period: str) -> None:
    text, blocks = await service.stats(ctx, period)
    await ctx.reply(text, blocks=blocks, ephemeral=True)


@feature.command(
    "stats slipping",
    help=N_("Regulars who have gone quiet lately"),
    level=Level.ADMIN,
    ephemeral=True,
)
async def stats_slipping(ctx: Context) -> None:
    await ctx.reply(await slipping.listing(ctx), ephemeral=True)


@feature.job("digest", cron=lambda cfg: cfg.digest_cron if cfg.digest_channel else None)
async def weekly_digest(ctx: Context, payload: dict[str, Any]) -> None:
    await service.digest(ctx, service.fire_time_of(payload, ctx))


@feature.job("nudge", cron=lambda cfg: cfg.nudge_cron if cfg.nudge_dm else None)
async def weekly_nudge(ctx: Context, payload: dict[str, Any]) -> None:
    await slipping.check_in(ctx)


feature.forget(privacy.forget)
feature.export(privacy.export)
