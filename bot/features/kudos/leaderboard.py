"""Leaderboards: `/leaderboard [week|month|all] [topic]` and the weekly post.

Windows are rolling (the last 7 or 30 days up to now), so Monday morning's board is
never empty. Members who left disappear from boards (the kudos they gave still count
for the receivers); tied members share a place, and the members tied at the last
place shown are all listed, by name, up to `MAX_TIED` (the others are counted).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.context import Context
from bot.features.kudos import render
from bot.features.kudos.config import KudosConfig
from bot.features.kudos.people import labels, post_everywhere
from bot.features.kudos.store import Board, Leaderboards
from bot.model import Outgoing

SPANS = {"week": timedelta(days=7), "month": timedelta(days=30)}
PERIODS = ("week", "month", "all")
# Members tied at a board's last place listed at most (by name); the rest are counted.
MAX_TIED = 25


def boards(ctx: Context) -> Leaderboards:
    return ctx.repo(Leaderboards)  # type: ignore[type-abstract]


async def standings(
    ctx: Context, period: str, topic: str | None, until: datetime | None, me: int | None
) -> Board:
    """The board of `period` ending at `until` (None: up to now, this very moment included)."""
    span = SPANS.get(period)
    end = until or ctx.now()
    return await boards(ctx).board(
        since=end - span if span is not None else None,
        until=until,
        topic=topic,
        size=ctx.config_of(KudosConfig).leaderboard_size,
        me=me,
        tied=MAX_TIED,
    )


async def show(ctx: Context, period: str, topic: str | None) -> None:
    """The board for whoever asked, with their own place."""
    me = ctx.actor
    topic = ctx.config_of(KudosConfig).topic_named(topic) if topic else None
    result = await standings(ctx, period, topic, None, me.person_id if me else None)
    platform = me.ref.platform if me else ""
    names = await labels(ctx, [s.person_id for s in result.top], platform)
    text, blocks = render.board(
        period,
        topic,
        result,
        names,
        viewer=me.person_id if me else None,
        give="/" + ctx.command_path("kudos"),
    )
    await ctx.reply(text, blocks=blocks, ephemeral=True)


async def weekly(ctx: Context, fire_time: datetime) -> None:
    """The cron job: last week's board in the leaderboard channel on every platform.

    A week without kudos posts nothing: an empty board every Monday reads as a broken bot.
    """
    result = await standings(ctx, "week", None, fire_time, None)
    if result.empty:
        return

    async def build(platform: str) -> Outgoing:
        names = await labels(ctx, [s.person_id for s in result.top], platform)
        async with ctx.in_public(ctx.config_of(KudosConfig).leaderboard_channel):
            text, blocks = render.board("week", None, result, names)
        return Outgoing(text, blocks)

    await post_everywhere(ctx, ctx.config_of(KudosConfig).leaderboard_channel, build)
