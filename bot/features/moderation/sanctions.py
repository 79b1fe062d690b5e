"""The sanctions ladder: each active strike brings the next step, carried out where possible.

A strike counts for `sanction_expiry_days` (unless revoked on appeal); the ladder
step is chosen by how many strikes are active, the last step repeating. A step the
platform cannot carry out (Slack has no timeouts) is still recorded — the record is
what the next step is based on — and the moderator is told to do it by hand.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.context import Context, UserError
from bot.features.moderation import audit, details, render
from bot.features.moderation.config import LadderStep, ModerationConfig, SanctionKind
from bot.features.moderation.people import running
from bot.features.moderation.store import LogKind, NewSanction, Sanction, Sanctions
from bot.i18n import _
from bot.model import Capability, MemberRecord, Outgoing, Ref
from bot.ports import CapabilityMissing, PlatformRefused

log = logging.getLogger(__name__)

CAPABILITIES = {
    SanctionKind.TIMEOUT: Capability.TIMEOUT,
    SanctionKind.KICK: Capability.KICK,
    SanctionKind.BAN: Capability.BAN,
}


def ladder_step(steps: list[LadderStep], strike: int) -> LadderStep:
    """The step for the `strike`-th active strike (1-based); the last step repeats."""
    return steps[min(max(strike, 1), len(steps)) - 1]


def active(sanctions: list[Sanction], now: datetime) -> list[Sanction]:
    return [s for s in sanctions if s.active(now)]


async def history(ctx: Context, person_id: int) -> list[Sanction]:
    return await ctx.repo(Sanctions).of(person_id)  # type: ignore[type-abstract]


async def next_step(ctx: Context, person_id: int) -> tuple[int, LadderStep]:
    """How many strikes are active, and what one more would bring."""
    config = ctx.config_of(ModerationConfig)
    count = len(active(await history(ctx, person_id), ctx.now()))
    return count, ladder_step(config.steps, count + 1)


@dataclass(frozen=True, slots=True)
class Imposed:
    sanction: Sanction
    missing: Capability | None  # set when the platform could not carry the step out


def platform_reason(config: ModerationConfig, rule: int | None, moderator: str) -> str:
    """What the platform's own audit log shows (Discord's reason field)."""
    cited = render.rule_text(config, rule, limit=200)
    return f"{cited} — {moderator} (Agora)" if cited else f"{moderator} (Agora)"


async def carry_out(ctx: Context, step: LadderStep, account: Ref, reason: str) -> Capability | None:
    """Do the step on the platform; returns the capability it lacked, if it lacked one.

    A platform that refuses (missing permission, member gone) raises UserError, so the
    caller's writes are undone and the moderator reads why.
    """
    needed = CAPABILITIES.get(step.kind)
    if needed is None:
        return None
    if not running(ctx, account.platform) or not ctx.can(account.platform, needed):
        return needed
    port = ctx.port(account.platform)
    try:
        if step.kind is SanctionKind.TIMEOUT:
            assert step.duration is not None
            await port.timeout(account, ctx.now() + step.duration, reason)
        elif step.kind is SanctionKind.KICK:
            await port.kick(account, reason)
        else:
            await port.ban(account, reason)
    except CapabilityMissing as missing:
        return missing.capability
    except PlatformRefused as refused:
        raise UserError(
            _(
                "{platform} refused: {error}. Nothing was recorded.",
                platform=render.platform_name(account.platform),
                error=str(refused),
            )
        ) from refused
    return None


async def impose(
    ctx: Context,
    *,
    member: MemberRecord,
    account: Ref,
    step: LadderStep | None,
    rule: int | None,
    note: str,
    case_id: int | None,
    link: str | None,
) -> Imposed:
    """Give `member` a strike: `step`, or the ladder's next step when None."""
    config = ctx.config_of(ModerationConfig)
    actor = ctx.actor
    assert actor is not None
    now = ctx.now()
    count, ladder = await next_step(ctx, member.person_id)
    chosen = step or ladder
    missing = await carry_out(ctx, chosen, account, platform_reason(config, rule, actor.label))
    expires = now + config.expiry if config.expiry else None
    sanctions: Sanctions = ctx.repo(Sanctions)  # type: ignore[type-abstract]
    sanction = await sanctions.add(
        NewSanction(
            person_id=member.person_id,
            platform=account.platform,
            workspace=account.workspace,
            kind=chosen.kind.value,
            duration=chosen.duration,
            strike=count + 1,
            rule=rule,
            note=note.strip()[:500],
            case_id=case_id,
            issued_at=now,
            expires_at=expires,
            issued_by=actor.person_id,
            carried_out=missing is None,
        )
    )
    if expires is not None:
        await ctx.schedule(expiry_key(sanction.id), "expire", expires, {"sanction": sanction.id})
    await audit.record(
        ctx,
        LogKind.SANCTION,
        account,
        case_id=case_id,
        sanction_id=sanction.id,
        actor=actor.person_id,
        subject=member.person_id,
        detail=details.of_sanction(sanction),
    )
    if config.dm_author:
        following = ladder_step(config.steps, count + 2)
        with ctx.speaking_to(member):
            text = render.sanction_dm(
                ctx.community, sanction, config, next_step=following, link=link
            )
        tell(ctx, account, text)
    return Imposed(sanction, missing)


def expiry_key(sanction_id: int) -> str:
    return f"moderation:expire:{sanction_id}"


def tell(ctx: Context, account: Ref, text: str) -> None:
    """DM someone after the commit; a closed DM is the outbox's to log, never fatal."""
    if running(ctx, account.platform):
        ctx.deliver(Outgoing(text, dm=account))
