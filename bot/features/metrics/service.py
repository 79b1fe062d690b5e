"""`/stats` and the weekly digest: a period's summary, its change, and a small chart."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from bot import formatting
from bot.context import Context
from bot.features.metrics import charts, render
from bot.features.metrics.compute import (
    Summary,
    daily,
    hours_of,
    period_of,
    require_data,
    summarize,
    tones_of,
    zone_of,
)
from bot.features.metrics.config import MetricsConfig
from bot.features.metrics.periods import Period, local_date, week_number, whole_week
from bot.features.metrics.store import HourCount, Tones
from bot.i18n import _, using_locale
from bot.model import Block, Image, Outgoing, Ref, Section
from bot.ports import PlatformRefused

log = logging.getLogger(__name__)
# Longer periods get no /stats chart: a bar a day stops being readable, and the daily
# series of a year is report work (`agora report`), not chat work.
CHART_MAX_DAYS = 92


def split_platform(ctx: Context, text: str) -> tuple[str, str | None]:
    """`week slack` → ("week", "slack"): a trailing platform name narrows the figures."""
    words = text.split()
    known = set(ctx.runtime.ports) | {"discord", "slack"}
    if words and words[-1].lower() in known:
        return " ".join(words[:-1]), words[-1].lower()
    return text, None


def channel_names(ctx: Context, summary: Summary) -> dict[str, str]:
    """Channel mentions where the platform runs, else #name."""
    names: dict[str, str] = {}
    for channel in summary.channels:
        if channel.platform in ctx.runtime.ports:
            ref = Ref(channel.platform, channel.workspace, channel.channel_id)
            names[channel.channel_id] = ctx.channel_mention(ref)
    return names


async def chart_of(
    ctx: Context, period: Period, hours: Sequence[HourCount], tones: Tones
) -> bytes | None:
    """The /stats chart, drawn in the chart thread; None if drawing failed (logged)."""
    # Only daily actives are drawn: no look-back for rolling WAU/MAU is needed.
    days = await daily(ctx, period, hours, tones=tones, lookback_days=0)
    labels = (_("Daily posts and active members"), _("Posts"), _("Active members"))
    dates = [formatting.short_day(d.day) for d in days]
    try:
        return await charts.in_thread(lambda: charts.activity(days, dates, *labels))
    except Exception:
        log.exception("the /stats chart could not be drawn")
        return None


async def stats(ctx: Context, text: str) -> tuple[str, tuple[Block, ...]]:
    config = ctx.config_of(MetricsConfig)
    wanted, platform = split_platform(ctx, text.strip())
    period = period_of(ctx, wanted or config.default_period, platform)
    hours = await hours_of(ctx, period.window)
    tones = await tones_of(ctx, period.window)
    now = await summarize(ctx, period, channels=config.top_channels, hours=hours, tones=tones)
    require_data(ctx, now)
    before = await summarize(ctx, period.previous(zone_of(ctx)))
    body = render.summary(now, before, channel_names(ctx, now))
    blocks: list[Block] = [Section(body)]
    if config.chart and 1 < period.days <= CHART_MAX_DAYS:
        picture = await chart_of(ctx, period, hours, tones)
        if picture is not None:
            blocks.append(
                Image(_("Chart of daily posts and active members"), picture, None, "stats.png")
            )
    return body, tuple(blocks)


async def digest(ctx: Context, fire_time: datetime) -> int:
    """The weekly digest: last Monday-to-Sunday week, with the change from the week before.

    Posted to `digest_channel` on every running platform, in the community's language.
    A community with no activity and no members gets no digest (it would read as broken).
    """
    config = ctx.config_of(MetricsConfig)
    if not config.digest_channel:
        return 0
    zone = zone_of(ctx)
    week = week_number(local_date(fire_time, zone)) - 1
    last, before = whole_week(week, zone), whole_week(week - 1, zone)
    now = await summarize(ctx, last, channels=config.top_channels)
    if now.members == 0 and now.interactions == 0:
        return 0
    previous = await summarize(ctx, before)
    posted = 0
    with using_locale(ctx.runtime.config.bot.language):
        head = _("🗓 Weekly digest")
        body = head + "\n" + render.summary(now, previous, channel_names(ctx, now))
    for platform in sorted(ctx.runtime.ports):
        channel = await ctx.directory.find_channel(platform, None, config.digest_channel)
        if channel is None:
            continue
        try:
            if await ctx.send(Outgoing(body, channel=channel)) is not None:
                posted += 1
        except PlatformRefused as refusal:  # one platform's refusal spares the others
            log.warning("weekly digest refused on %s: %s", platform, refusal)
    if not posted:
        log.warning("weekly digest: no channel called #%s on any platform", config.digest_channel)
    return posted


def fire_time_of(payload: dict[str, object], ctx: Context) -> datetime:
    raw = payload.get("fire_time")
    return datetime.fromisoformat(str(raw)) if raw else ctx.now()
