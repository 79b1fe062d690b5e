"""Slipping-away members: regulars who went quiet, for admins to reach out to.

A member slips away when they were active (posted or reacted) in at least
`slipping_active_weeks` of the `slipping_lookback_weeks` weeks before the last
`slipping_silent_weeks`, and silent since. Weeks are counted back from now, so the
list means the same on any weekday. The optional check-in DM goes at most once per
`nudge_every_weeks` to each person, and only when `nudge_dm` is on.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.context import Context
from bot.features.metrics import render
from bot.features.metrics.config import MetricsConfig
from bot.features.metrics.store import CheckIns, CommunityMetrics
from bot.model import MemberRecord

log = logging.getLogger(__name__)


def edges(now: datetime, config: MetricsConfig) -> list[datetime]:
    """Week boundaries of the look-back, then the start of the silence, then now."""
    silent = now - timedelta(weeks=config.slipping_silent_weeks)
    first = silent - timedelta(weeks=config.slipping_lookback_weeks)
    return [first + timedelta(weeks=i) for i in range(config.slipping_lookback_weeks)] + [
        silent,
        now,
    ]


async def find(ctx: Context, platform: str | None = None) -> Sequence[int]:
    config = ctx.config_of(MetricsConfig)
    metrics = ctx.repo(CommunityMetrics)  # type: ignore[type-abstract]
    return await metrics.slipping(edges(ctx.now(), config), config.slipping_active_weeks, platform)


def _present(accounts: Sequence[MemberRecord], platform: str | None) -> MemberRecord | None:
    """The account to name or message: still here, on `platform` when possible."""
    here = [a for a in accounts if a.left_at is None and not a.is_bot]
    preferred = [a for a in here if a.ref.platform == platform]
    found = preferred or here
    return found[0] if found else None


async def listing(ctx: Context) -> str:
    """`/stats slipping`: the names, on the admin's platform where the person has an account."""
    config = ctx.config_of(MetricsConfig)
    platform = ctx.actor.ref.platform if ctx.actor else None
    names: list[str] = []
    for person in (await find(ctx))[: config.slipping_limit]:
        account = _present(await ctx.directory.accounts_of(person), platform)
        if account is None:
            continue
        where = "" if account.ref.platform == platform else f" ({account.ref.platform})"
        names.append(f"{account.label}{where}")
    return render.slipping(
        names,
        config.slipping_lookback_weeks,
        config.slipping_active_weeks,
        config.slipping_silent_weeks,
    )


async def check_in(ctx: Context) -> int:
    """The weekly job: a friendly DM to each slipping member not checked on lately."""
    config = ctx.config_of(MetricsConfig)
    if not config.nudge_dm:
        return 0
    now = ctx.now()
    people = await find(ctx)
    checkins = ctx.repo(CheckIns)  # type: ignore[type-abstract]
    last = await checkins.last(people)
    quiet = timedelta(weeks=config.nudge_every_weeks)
    sent = 0
    for person in people:
        if person in last and now - last[person] < quiet:
            continue
        accounts = await ctx.directory.accounts_of(person)
        running = [a for a in accounts if a.ref.platform in ctx.runtime.ports]
        account = _present(running, None)
        if account is None:
            continue
        with ctx.speaking_to(account):
            text = (
                config.nudge_text.format(name=account.label, community=ctx.community)
                if config.nudge_text
                else render.checkin(account.label, ctx.community)
            )
        if not ctx.dm(account.ref, text):  # refusals (DMs closed) are the outbox's, per member
            log.info("check-in DM to %s could not be queued", account.ref)
            continue
        await checkins.record(person, now)
        sent += 1
    return sent
