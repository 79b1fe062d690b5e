"""Naming people in moderation messages: a mention on their platform, else their name.

Moderation keys everyone by person id; a message shows the account on the platform it
is read on, because a moderator on Discord cannot click a Slack mention.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.context import Context
from bot.model import MemberRecord, Ref


def running(ctx: Context, platform: str) -> bool:
    return platform in ctx.runtime.ports


def show(ctx: Context, ref: Ref, fallback: str = "") -> str:
    """A mention of the account where its platform runs, else `fallback` (or its id)."""
    if running(ctx, ref.platform):
        return ctx.mention(ref)
    return fallback or ref.id


async def account_on(ctx: Context, person_id: int, platform: str) -> MemberRecord | None:
    """The person's account on `platform`, else any of their accounts."""
    accounts = list(await ctx.directory.accounts_of(person_id))
    same = [a for a in accounts if a.ref.platform == platform]
    found = same or accounts
    return found[0] if found else None


async def label(ctx: Context, person_id: int | None, platform: str) -> str | None:
    if person_id is None:
        return None
    account = await account_on(ctx, person_id, platform)
    if account is None:
        return None
    return show(ctx, account.ref, account.label)


async def labels(ctx: Context, person_ids: Iterable[int | None], platform: str) -> dict[int, str]:
    found: dict[int, str] = {}
    for person_id in {p for p in person_ids if p is not None}:
        name = await label(ctx, person_id, platform)
        if name is not None:
            found[person_id] = name
    return found
