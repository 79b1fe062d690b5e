"""What growth shows: /referrals me|top|tree, the audit log, profile lines, figures."""

from __future__ import annotations

from datetime import timedelta

from bot.context import Context
from bot.features.growth import grants, render
from bot.features.growth.referrals import config, contributions, name_of, referrals
from bot.features.growth.store import Referral, Status
from bot.i18n import _
from bot.model import Block, MemberRecord, Section
from bot.signals import ProfileRequested
from bot.stats import Figure, Window

TOP_SIZE = 10
TREE_LIMIT = 500
TREE_LINES = 60
LOG_SIZE = 25


async def me(ctx: Context) -> str:
    member = ctx.member()
    cfg = config(ctx)
    now = ctx.now()
    rows: list[tuple[str, Referral, str]] = []
    for referral in await referrals(ctx).of_referrer(member.person_id):
        name = await name_of(ctx, referral.newcomer_person_id, member.ref.platform)
        progress = ""
        if referral.status is Status.PENDING:
            due = referral.joined_at + timedelta(days=cfg.qualify_days)
            days_left = max(0, (due - now + timedelta(hours=23)).days)
            written = await contributions(ctx).messages_since(
                referral.newcomer_person_id, referral.joined_at
            )
            progress = render.progress(days_left, written, cfg.qualify_messages)
        rows.append((name, referral, progress))
    return render.my_referrals(rows)


async def top(ctx: Context) -> str:
    platform = ctx.member().ref.platform
    rows = []
    for person_id, rewarded, joined in await referrals(ctx).top(TOP_SIZE):
        rows.append((await name_of(ctx, person_id, platform), rewarded, joined))
    return render.top(rows)


async def tree(ctx: Context) -> str:
    """Who invited whom, as an indented tree from the members nobody referred."""
    platform = ctx.member().ref.platform
    every = await referrals(ctx).every(TREE_LIMIT)
    children: dict[int, list[Referral]] = {}
    for referral in every:
        children.setdefault(referral.referrer_person_id, []).append(referral)
    referred = {r.newcomer_person_id for r in every}
    roots = [p for p in children if p not in referred]
    lines: list[str] = []

    async def walk(person_id: int, depth: int, seen: set[int]) -> None:
        for referral in children.get(person_id, []):
            if len(lines) >= TREE_LINES or referral.newcomer_person_id in seen:
                return
            name = await name_of(ctx, referral.newcomer_person_id, platform)
            state = render.status_label(referral)
            lines.append(f"{'    ' * depth}└ {name} ({state})")
            await walk(referral.newcomer_person_id, depth + 1, seen | {referral.newcomer_person_id})

    for root in roots:
        if len(lines) >= TREE_LINES:
            break
        lines.append(await name_of(ctx, root, platform))
        await walk(root, 1, {root})
    cut = len(lines) >= TREE_LINES or len(every) >= TREE_LIMIT
    return render.tree(lines, cut)


async def audit(ctx: Context, member: MemberRecord | None) -> str:
    platform = ctx.member().ref.platform
    person = member.person_id if member is not None else None
    rows = []
    for entry in await grants.perks(ctx).history(person, LOG_SIZE):
        name = await name_of(ctx, entry.person_id, platform)
        by = await name_of(ctx, entry.by_person_id, platform) if entry.by_person_id else None
        rows.append((entry, name, by))
    return render.audit(rows, member.label if member is not None else None, ctx.reader_zone)


async def perk_names(ctx: Context, person_id: int) -> list[str]:
    return [p.role for p in await grants.perks(ctx).held(person_id)]


async def profile_lines(ctx: Context, signal: ProfileRequested) -> None:
    roles = await perk_names(ctx, signal.person_id)
    if roles:
        signal.lines.append((_("Perks"), render.perks_line(roles)))
    mine = await referrals(ctx).of_referrer(signal.person_id)
    if mine:
        settled = sum(1 for r in mine if r.status is Status.REWARDED)
        signal.lines.append(
            (
                _("Referrals"),
                _("{joined} joined, {settled} settled in", joined=len(mine), settled=settled),
            )
        )


async def home(ctx: Context) -> list[Block]:
    if ctx.actor is None:
        return []
    roles = await perk_names(ctx, ctx.actor.person_id)
    if not roles:
        return []
    return [Section(_("Your perks: {roles}", roles=render.perks_line(roles)))]


async def figures(ctx: Context, window: Window) -> list[Figure]:
    counts = await referrals(ctx).counts(window.start, window.end)
    rate = round(100 * counts.rewarded / counts.joined, 1) if counts.joined else None
    granted = await grants.perks(ctx).granted_count(window.start, window.end)
    group = _("Growth")
    return [
        Figure(
            "growth_referrals",
            _("Members who joined through a referral"),
            counts.joined,
            group=group,
        ),
        Figure(
            "growth_conversions",
            _("Referrals that settled in (rewarded)"),
            counts.rewarded,
            group=group,
        ),
        Figure(
            "growth_conversion_rate",
            _("Referral conversion (settled in per joined)"),
            rate,
            unit="%",
            group=group,
        ),
        Figure("growth_roles_granted", _("Reward roles and perks granted"), granted, group=group),
    ]
