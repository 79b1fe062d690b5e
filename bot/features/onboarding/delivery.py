"""Talking to members and touching their roles without letting a platform's "no" spread.

A newcomer with closed DMs, a role the server does not have, a platform that is not
running at the moment: each is logged and skipped (DMs and posts nobody waits for go
through the outbox, whose refusals are per recipient), so the onboarding state (the
agreement, the answers, the pairing) is still recorded and the rest of the flow goes on.
"""

from __future__ import annotations

import logging

from bot.context import Context
from bot.model import Block, Capability, MemberRecord, Outgoing, Ref
from bot.ports import CapabilityMissing, PlatformRefused

log = logging.getLogger(__name__)


def running(ctx: Context, platform: str) -> bool:
    return platform in ctx.runtime.ports


async def send(ctx: Context, out: Outgoing) -> Ref | None:
    target = out.dm or out.channel or out.ephemeral_to
    if target is None or not running(ctx, target.platform):
        return None
    try:
        return await ctx.send(out)
    except PlatformRefused as refused:
        log.info("onboarding: %s refused a message to %s: %s", target.platform, target, refused)
        return None


def post(ctx: Context, out: Outgoing) -> bool:
    """Queue a message nobody waits for (sent after the commit, see `bot.outbox`)."""
    target = out.dm or out.channel or out.ephemeral_to
    return target is not None and running(ctx, target.platform) and ctx.deliver(out)


def dm(ctx: Context, member: Ref, text: str, blocks: tuple[Block, ...] = ()) -> bool:
    return post(ctx, Outgoing(text, blocks, dm=member))


async def edit(
    ctx: Context, message: Ref | None, text: str, blocks: tuple[Block, ...] = ()
) -> None:
    """Replace a message we sent (a question once answered); nothing if that fails."""
    if message is None or not running(ctx, message.platform):
        return
    try:
        await ctx.port(message.platform).edit(message, Outgoing(text, blocks))
    except (PlatformRefused, CapabilityMissing) as refused:
        log.info("onboarding: could not edit %s: %s", message, refused)


async def channel(ctx: Context, near: Ref, name: str) -> Ref | None:
    """The channel called `name` in `near`'s workspace ("" or unknown: None)."""
    if not name:
        return None
    return await ctx.directory.find_channel(near.platform, near.workspace, name)


def channel_label(ctx: Context, ref: Ref | None, name: str) -> str:
    if ref is not None and running(ctx, ref.platform):
        return ctx.channel_mention(ref)
    return f"#{name}" if name else ""


def mention(ctx: Context, member: Ref, fallback: str) -> str:
    return ctx.mention(member) if running(ctx, member.platform) else fallback


async def set_role(ctx: Context, member: Ref, role: str, *, given: bool) -> None:
    """Give or take a role where the platform has roles; elsewhere Agora's state is enough."""
    if (
        not role
        or not running(ctx, member.platform)
        or not ctx.can(member.platform, Capability.ROLES)
    ):
        return
    port = ctx.port(member.platform)
    try:
        if given:
            await port.add_role(member, role)
        else:
            await port.remove_role(member, role)
    except (PlatformRefused, CapabilityMissing) as refused:
        log.warning(
            "onboarding: could not %s role %r for %s (does the role exist, and may the bot "
            "manage it?): %s",
            "give" if given else "take",
            role,
            member,
            refused,
        )


async def present_accounts(ctx: Context, person_id: int) -> list[MemberRecord]:
    """The person's accounts still in the community (humans only)."""
    return [a for a in await ctx.directory.accounts_of(person_id) if a.active and not a.is_bot]


async def best_account(ctx: Context, person_id: int, platform: str) -> MemberRecord | None:
    """Where to reach the person: their account on `platform`, else any present one."""
    accounts = await present_accounts(ctx, person_id)
    same = [a for a in accounts if a.ref.platform == platform and running(ctx, a.ref.platform)]
    elsewhere = [a for a in accounts if running(ctx, a.ref.platform)]
    found = same or elsewhere or accounts
    return found[0] if found else None
