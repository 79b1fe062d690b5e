"""Referrals: personal invites, who brought whom, and the reward once the newcomer stays.

A referral is recorded when a newcomer joins through a member's link (found by use
counts, see `attribution.py`), enters a member's code (`/referral CODE`, the way on
Slack) or an admin says who invited them. It pays out only after the newcomer has
stayed `qualify_days` and written `qualify_messages` messages — fake accounts rarely
do both — and never for inviting yourself or a newcomer who left.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from bot.context import Context, UserError
from bot.features.growth import attribution, grants, render
from bot.features.growth.config import GrowthConfig
from bot.features.growth.store import (
    Contributions,
    InviteBook,
    InviteKind,
    NewInvite,
    NewReferral,
    Referral,
    Referrals,
    Source,
    Status,
    TrackedInvite,
    Via,
)
from bot.i18n import _
from bot.model import Capability, MemberJoined, MemberLeft, MemberRecord, Outgoing
from bot.ports import CapabilityMissing, PlatformRefused
from bot.signals import ReferralRewarded

# Referral codes avoid letters people confuse (0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
QUALIFY_JOB = "qualify"
CLAIM_ACTION = "claim"


def book(ctx: Context) -> InviteBook:
    return ctx.repo(InviteBook)  # type: ignore[type-abstract]


def referrals(ctx: Context) -> Referrals:
    return ctx.repo(Referrals)  # type: ignore[type-abstract]


def contributions(ctx: Context) -> Contributions:
    return ctx.repo(Contributions)  # type: ignore[type-abstract]


def config(ctx: Context) -> GrowthConfig:
    return ctx.config_of(GrowthConfig)


def earned(cfg: GrowthConfig) -> str:
    return render.reward(cfg.reward_kudos, cfg.reward_badge or None, cfg.reward_role or None)


def when(cfg: GrowthConfig) -> str:
    return render.condition(cfg.qualify_days, cfg.qualify_messages)


async def name_of(ctx: Context, person_id: int, platform: str | None = None) -> str:
    """The person's name as members of `platform` know it (else any account's)."""
    accounts = list(await ctx.directory.accounts_of(person_id))
    if not accounts:
        return _("a former member")
    here = [a for a in accounts if a.ref.platform == platform and a.active]
    return (here or [a for a in accounts if a.active] or accounts)[0].label


async def account_of(
    ctx: Context, person_id: int, platform: str | None = None
) -> MemberRecord | None:
    """An account of the person still in the community, on `platform` when they have one."""
    present = await grants.present_accounts(ctx, person_id)
    here = [a for a in present if a.ref.platform == platform]
    found = here or present
    return found[0] if found else None


# --- /invite ---------------------------------------------------------------------------


async def invite(ctx: Context) -> str:
    """The member's personal invite: a tracked link where the platform makes them, else a code."""
    member = ctx.member()
    cfg = config(ctx)
    platform = member.ref.platform
    if ctx.can(platform, Capability.INVITES):
        try:
            link, reused = await _link(ctx, member, cfg)
            return render.invite_link(link.url, reused, when(cfg), earned(cfg))
        except CapabilityMissing:
            pass  # the platform cannot after all: a code works everywhere
    code = await _code(ctx, member)
    return render.invite_code(code.code, cfg.claim_days, when(cfg), earned(cfg))


async def _link(
    ctx: Context, member: MemberRecord, cfg: GrowthConfig
) -> tuple[TrackedInvite, bool]:
    ref = member.ref
    now = ctx.now()
    found = await book(ctx).mine(member.person_id, ref.platform, ref.workspace, InviteKind.LINK)
    if found is not None and found.live(now):
        return found, True
    channel = await ctx.directory.find_channel(ref.platform, ref.workspace, cfg.invite_channel)
    if channel is None:
        raise UserError(
            _(
                "I cannot find #{channel} to invite people to; ask an admin to check "
                "invite_channel in [features.growth].",
                channel=cfg.invite_channel,
            )
        )
    max_age = timedelta(days=cfg.invite_max_age_days) if cfg.invite_max_age_days else None
    try:
        made = await ctx.port(ref.platform).create_invite(
            channel, max_age=max_age, max_uses=cfg.invite_max_uses
        )
    except PlatformRefused as refused:
        raise UserError(_("I could not create your invite link: {why}", why=refused)) from None
    new = NewInvite(
        person_id=member.person_id,
        platform=ref.platform,
        workspace=ref.workspace,
        code=made.code,
        url=made.url,
        kind=InviteKind.LINK,
        uses=0,
        created_at=now,
        expires_at=now + max_age if max_age else None,
    )
    return await book(ctx).add(new), False


async def _code(ctx: Context, member: MemberRecord) -> TrackedInvite:
    ref = member.ref
    found = await book(ctx).mine(member.person_id, ref.platform, ref.workspace, InviteKind.CODE)
    if found is not None:
        return found
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
        if await book(ctx).by_code(code) is None:
            break
    new = NewInvite(
        person_id=member.person_id,
        platform=ref.platform,
        workspace=ref.workspace,
        code=code,
        url="",
        kind=InviteKind.CODE,
        uses=0,
        created_at=ctx.now(),
    )
    return await book(ctx).add(new)


# --- joining -----------------------------------------------------------------------------


async def on_join(ctx: Context, event: MemberJoined) -> None:
    newcomer = ctx.actor
    if newcomer is None or newcomer.is_bot:
        return
    if await referrals(ctx).of_newcomer(newcomer.person_id) is not None:
        return  # someone who came back: their first referral stands, nothing new to earn
    ref = newcomer.ref
    if event.invite_code:
        used = await book(ctx).by_code(event.invite_code, ref.platform)
        if used is not None:
            await record(ctx, used.person_id, newcomer, Via.INVITE, used.id)
        return
    if not ctx.can(ref.platform, Capability.INVITES):
        return
    tracked = await book(ctx).links(ref.platform, ref.workspace)
    if not tracked:
        return
    try:
        current = await ctx.port(ref.platform).invite_uses(ref.workspace)
    except (PlatformRefused, CapabilityMissing):
        return  # cannot read the counts (permission): the newcomer can still use a code
    found = attribution.attribute(tracked, current, ctx.now())
    for invite_id, seen in found.updates.items():
        await book(ctx).observe(invite_id, seen.uses, seen.unclaimed, seen.noticed_at)
    if found.used is not None:
        await record(ctx, found.used.person_id, newcomer, Via.INVITE, found.used.id)
    elif found.candidates:
        await _ask(ctx, newcomer, found.candidates)


async def _ask(ctx: Context, newcomer: MemberRecord, candidates: tuple[TrackedInvite, ...]) -> None:
    """Several links grew at once: the newcomer says whose they used."""
    named = []
    for candidate in candidates:
        if candidate.person_id != newcomer.person_id:
            name = await name_of(ctx, candidate.person_id, newcomer.ref.platform)
            named.append((str(candidate.id), name))
    if not named:
        return
    with ctx.speaking_to(newcomer):
        text, blocks = render.who_invited_you(named, ctx.feature.action_id(CLAIM_ACTION))
    ctx.deliver(Outgoing(text, blocks, dm=newcomer.ref))


async def record(
    ctx: Context,
    referrer_person_id: int,
    newcomer: MemberRecord,
    via: Via,
    invite_id: int | None = None,
) -> Referral | None:
    """Remember who brought the newcomer and arm the check; None when it cannot count."""
    cfg = config(ctx)
    if referrer_person_id == newcomer.person_id:
        return None  # inviting yourself (or your other account) earns nothing
    if await referrals(ctx).pending_count(referrer_person_id) >= cfg.max_pending:
        return None
    joined_at = newcomer.joined_at or ctx.now()
    new = NewReferral(referrer_person_id, newcomer.person_id, via, joined_at, invite_id)
    referral = await referrals(ctx).add(new)
    if referral is None:
        return None
    due = joined_at + timedelta(days=cfg.qualify_days)
    await ctx.schedule(_job_key(referral.id), QUALIFY_JOB, due, {"referral": referral.id})
    referrer = await account_of(ctx, referrer_person_id, newcomer.ref.platform)
    if referrer is not None:
        with ctx.speaking_to(referrer):
            text = render.referrer_told(newcomer.label, when(cfg), earned(cfg))
        ctx.deliver(Outgoing(text, dm=referrer.ref))
    return referral


def _job_key(referral_id: int) -> str:
    return f"growth:referral:{referral_id}"


# --- /referral CODE and the "who invited you?" buttons -------------------------------------


async def claim(ctx: Context, code: str) -> str:
    """A newcomer names whose code (or, from the buttons, whose link) brought them."""
    newcomer = ctx.member()
    found = await book(ctx).by_code(code)
    if found is None:
        raise UserError(
            _(
                "There is no referral code {code}; check it with the member who invited you.",
                code=code,
            )
        )
    return await _claim(ctx, newcomer, found)


async def claim_invite(ctx: Context, invite_id: int) -> str:
    """The newcomer of a burst pressed the name of the member who invited them."""
    found = await book(ctx).get(invite_id)
    if found is None:
        raise UserError(_("That invite no longer exists; ask the member for their code."))
    return await _claim(ctx, ctx.member(), found)


async def _claim(ctx: Context, newcomer: MemberRecord, invite: TrackedInvite) -> str:
    cfg = config(ctx)
    if invite.person_id == newcomer.person_id:
        raise UserError(_("That is your own code: share it with people you invite."))
    existing = await referrals(ctx).of_newcomer(newcomer.person_id)
    if existing is not None:
        who = await name_of(ctx, existing.referrer_person_id, newcomer.ref.platform)
        raise UserError(_("We already know that {name} invited you. Thank you!", name=who))
    joined = newcomer.joined_at
    if joined is None or ctx.now() - joined > timedelta(days=cfg.claim_days):
        raise UserError(
            _(
                "Referral codes are for newcomers in their first {n} days; yours have passed.",
                n=cfg.claim_days,
            )
        )
    referral = await record(ctx, invite.person_id, newcomer, Via.CODE, invite.id)
    if referral is None:
        raise UserError(_("This code cannot take more newcomers right now; try again later."))
    seen = attribution.claimed(invite)
    if seen is not None:
        await book(ctx).observe(invite.id, seen.uses, seen.unclaimed, seen.noticed_at)
    referrer = await name_of(ctx, invite.person_id, newcomer.ref.platform)
    return render.newcomer_told(referrer, when(cfg), earned(cfg))


async def assign(ctx: Context, newcomer: MemberRecord, referrer: MemberRecord) -> str:
    """An admin says who invited the newcomer (Slack invites they approved, a lost link)."""
    if newcomer.person_id == referrer.person_id:
        raise UserError(_("A member cannot have invited themselves."))
    existing = await referrals(ctx).of_newcomer(newcomer.person_id)
    if existing is not None:
        who = await name_of(ctx, existing.referrer_person_id, newcomer.ref.platform)
        raise UserError(
            _("{newcomer} was already invited by {name}.", newcomer=newcomer.label, name=who)
        )
    if await record(ctx, referrer.person_id, newcomer, Via.ADMIN) is None:
        raise UserError(
            _("{name} has too many referrals waiting; try again later.", name=referrer.label)
        )
    return _(
        "Recorded: {referrer} invited {newcomer}.", referrer=referrer.label, newcomer=newcomer.label
    )


# --- leaving and qualifying -----------------------------------------------------------------


async def on_leave(ctx: Context, event: MemberLeft) -> None:
    record_ = ctx.actor
    if record_ is None:
        return
    referral = await referrals(ctx).of_newcomer(record_.person_id)
    if referral is None or referral.status is not Status.PENDING:
        return
    if await grants.present_accounts(ctx, record_.person_id):
        return  # still here on another platform
    if await referrals(ctx).decide(referral.id, Status.LEFT, ctx.now()):
        await ctx.cancel(_job_key(referral.id))


async def qualify(ctx: Context, referral_id: int) -> None:
    """The check armed at join + `qualify_days`: reward, wait another day, or give up."""
    cfg = config(ctx)
    referral = await referrals(ctx).get(referral_id)
    if referral is None or referral.status is not Status.PENDING:
        return
    now = ctx.now()
    newcomer = await account_of(ctx, referral.newcomer_person_id)
    if newcomer is None:
        await referrals(ctx).decide(referral.id, Status.LEFT, now)
        return
    written = await contributions(ctx).messages_since(
        referral.newcomer_person_id, referral.joined_at
    )
    if written >= cfg.qualify_messages:
        await reward(ctx, referral, newcomer)
        return
    if now - referral.joined_at >= timedelta(days=cfg.expire_days):
        await referrals(ctx).decide(referral.id, Status.EXPIRED, now)
        return
    await ctx.schedule(
        _job_key(referral.id), QUALIFY_JOB, now + timedelta(days=1), {"referral": referral.id}
    )


async def reward(ctx: Context, referral: Referral, newcomer: MemberRecord) -> None:
    cfg = config(ctx)
    if not await referrals(ctx).decide(referral.id, Status.REWARDED, ctx.now()):
        return
    referrer = await account_of(ctx, referral.referrer_person_id, newcomer.ref.platform)
    pairs = [(newcomer, referrer, True)]
    if referrer is not None:
        pairs.append((referrer, newcomer, False))
    for person, other, is_newcomer in pairs:
        if cfg.reward_kudos or cfg.reward_badge:
            await ctx.emit(
                ReferralRewarded(
                    referral.id,
                    person.person_id,
                    person.ref,
                    cfg.reward_kudos,
                    cfg.reward_badge or None,
                )
            )
        if cfg.reward_role:
            reason = _("referral #{id}", id=referral.id)
            await grants.grant(ctx, person.person_id, cfg.reward_role, Source.REFERRAL, reason)
        other_name = other.label if other is not None else _("a former member")
        with ctx.speaking_to(person):
            text = render.referral_rewarded(other_name, earned(cfg), is_newcomer)
        ctx.deliver(Outgoing(text, dm=person.ref))


def qualify_payload(payload: dict[str, object]) -> int:
    return int(str(payload["referral"]))
