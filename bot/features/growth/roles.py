"""Reward roles: granted when a member reaches the thresholds, taken back when a rule says.

The review reads every member who reaches the lowest threshold of any rule plus
everyone who holds a rule's role, so a community of any size costs a few grouped
queries. Only roles granted for thresholds are taken back by the review; a role
someone accepted through the pipeline or earned by a referral stays.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from bot.context import Context
from bot.features.growth import grants, render
from bot.features.growth.config import GrowthConfig, RoleRule
from bot.features.growth.referrals import account_of, config, contributions
from bot.features.growth.store import Source, Standing
from bot.i18n import _, ngettext
from bot.model import MemberRecord, Outgoing


async def review(ctx: Context, only: int | None = None) -> None:
    """Grant and take back threshold roles (for everyone, or the person `only`)."""
    cfg = config(ctx)
    if not cfg.roles:
        return
    holders = await grants.perks(ctx).holders()
    held = [only] if only is not None else list(holders)
    min_kudos = min((r.kudos for r in cfg.roles if r.kudos), default=0)
    min_answers = min((r.accepted_answers for r in cfg.roles if r.accepted_answers), default=0)
    if only is not None:
        min_kudos = min_answers = 0  # just this person, whatever they reached
    found = await contributions(ctx).standings(held, min_kudos, min_answers)
    if only is not None:
        found = {only: found.get(only, Standing(0, 0))}
    quiet = any(r.inactive_days for r in cfg.roles)
    last = await contributions(ctx).last_message(list(found)) if quiet else {}
    now = ctx.now()
    for person_id, standing in sorted(found.items()):
        has = holders.get(person_id, {})
        for rule in cfg.roles:
            await _apply(ctx, cfg, rule, person_id, standing, has, last.get(person_id), now)


def meets(rule: RoleRule, standing: Standing) -> bool:
    return standing.kudos >= rule.kudos and standing.answers >= rule.accepted_answers


def inactive(rule: RoleRule, last: datetime | None, now: datetime) -> bool:
    if not rule.inactive_days:
        return False
    return last is None or now - last > timedelta(days=rule.inactive_days)


async def _apply(
    ctx: Context,
    cfg: GrowthConfig,
    rule: RoleRule,
    person_id: int,
    standing: Standing,
    has: Mapping[str, Source],
    last: datetime | None,
    now: datetime,
) -> None:
    source = has.get(rule.role)
    quiet = inactive(rule, last, now)
    if source is None:
        if meets(rule, standing) and not quiet:
            await _grant(ctx, cfg, rule, person_id)
        return
    if source is not Source.THRESHOLD:
        return  # accepted or earned otherwise: not the review's to take back
    if quiet:
        await _take_back(ctx, rule, person_id, inactive_for=rule.inactive_days)
    elif rule.remove_below and not meets(rule, standing):
        await _take_back(ctx, rule, person_id, inactive_for=0)


async def _grant(ctx: Context, cfg: GrowthConfig, rule: RoleRule, person_id: int) -> None:
    reason = render.why(rule.describe())
    if not await grants.grant(ctx, person_id, rule.role, Source.THRESHOLD, reason):
        return
    member = await account_of(ctx, person_id)
    if member is None:
        return
    if cfg.announce_channel and await _announce(ctx, member, rule, reason):
        return
    with ctx.speaking_to(member):
        text = render.role_granted_dm(rule.role, render.why(rule.describe()))
    ctx.deliver(Outgoing(text, dm=member.ref))


async def _announce(ctx: Context, member: MemberRecord, rule: RoleRule, reason: str) -> bool:
    """Every account of the person is congratulated where its community gathers."""
    ref = member.ref
    channel = await ctx.directory.find_channel(
        ref.platform, ref.workspace, config(ctx).announce_channel
    )
    if channel is None:
        return False
    async with ctx.in_public(channel):
        text = render.role_announced(ctx.mention(ref), rule.role, reason)
    return await ctx.send(Outgoing(text, channel=channel)) is not None


async def _take_back(ctx: Context, rule: RoleRule, person_id: int, *, inactive_for: int) -> None:
    reason = (
        ngettext("no message for {n} day", "no message for {n} days", inactive_for, n=inactive_for)
        if inactive_for
        else _("below {why}", why=render.why(rule.describe()))
    )
    if await grants.revoke(ctx, person_id, rule.role, reason) is None:
        return
    member = await account_of(ctx, person_id)
    if member is None:
        return
    with ctx.speaking_to(member):
        if inactive_for:
            text = render.role_inactive_dm(member.label, rule.role, inactive_for)
        else:
            text = render.role_below_dm(member.label, rule.role, render.why(rule.describe()))
    ctx.deliver(Outgoing(text, dm=member.ref))
