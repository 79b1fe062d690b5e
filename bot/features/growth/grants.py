"""Granting and taking back roles, on every platform the person is on, with an audit line.

A role is given on each platform that has roles (Discord, the console, Slack with
`[slack] user_groups = true`, where a role is a user group); where a platform has
none, or refuses (PlatformRefused: a missing scope, a free Slack plan), the stored
perk is what counts: it shows on /profile and the home tab. Either way the grant is
stored once per person and logged in `growth_grants`, the audit trail admins read
with /growth log.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.context import Context
from bot.features.growth.store import Action, GrantEntry, Perk, Perks, Source
from bot.model import Capability, MemberRecord
from bot.ports import CapabilityMissing, PlatformRefused

log = logging.getLogger(__name__)


def perks(ctx: Context) -> Perks:
    return ctx.repo(Perks)  # type: ignore[type-abstract]


async def present_accounts(ctx: Context, person_id: int) -> list[MemberRecord]:
    """The person's accounts that are still in the community (bots never count)."""
    return [a for a in await ctx.directory.accounts_of(person_id) if a.active and not a.is_bot]


async def _apply(ctx: Context, accounts: Sequence[MemberRecord], role: str, add: bool) -> bool:
    """Give (or take) the platform role on every account whose platform has roles."""
    done = False
    for account in accounts:
        platform = account.ref.platform
        if platform not in ctx.runtime.ports or not ctx.can(platform, Capability.ROLES):
            continue
        port = ctx.port(platform)
        try:
            if add:
                await port.add_role(account.ref, role)
            else:
                await port.remove_role(account.ref, role)
            done = True
        except (PlatformRefused, CapabilityMissing) as refused:
            # The perk still counts; the admin sees why the platform role is missing.
            log.warning("growth: role %r for %s: %s", role, account.ref, refused)
    return done


async def grant(
    ctx: Context,
    person_id: int,
    role: str,
    source: Source,
    reason: str,
    *,
    by: int | None = None,
) -> bool:
    """Grant `role` to the person; False when they hold it already (granted once)."""
    if any(p.role == role for p in await perks(ctx).held(person_id)):
        return False
    accounts = await present_accounts(ctx, person_id)
    now = ctx.now()
    on_platform = await _apply(ctx, accounts, role, add=True)
    if not await perks(ctx).grant(Perk(person_id, role, source, now, on_platform)):
        return False
    await perks(ctx).log(GrantEntry(person_id, role, Action.GRANT, source, reason, now, by))
    return True


async def revoke(
    ctx: Context, person_id: int, role: str, reason: str, *, by: int | None = None
) -> Perk | None:
    """Take `role` back; the perk it was, or None when the person did not hold it."""
    removed = await perks(ctx).revoke(person_id, role)
    if removed is None:
        return None
    await _apply(ctx, await present_accounts(ctx, person_id), role, add=False)
    entry = GrantEntry(person_id, role, Action.REMOVE, removed.source, reason, ctx.now(), by)
    await perks(ctx).log(entry)
    return removed
