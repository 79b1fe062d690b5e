"""Persons as members see them, and posting to a named channel on every platform.

Kudos are counted per person, but people are shown per platform: the same person is
`@bob` on Discord and `Bob B.` in a Slack post. Posts that belong to the whole
community (leaderboard, spotlight) go to the channel of that name on every running
platform.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from bot.context import Context
from bot.i18n import _
from bot.model import MemberRecord, Outgoing, Ref


def account_on(accounts: Iterable[MemberRecord], platform: str) -> MemberRecord | None:
    """The person's account on `platform` (one still here first), if any."""
    here = [a for a in accounts if a.ref.platform == platform]
    here.sort(key=lambda a: (not a.active, a.ref))
    return here[0] if here else None


async def label_of(ctx: Context, person_id: int, platform: str) -> str:
    """A name to show without pinging anyone (leaderboards list many people)."""
    accounts = list(await ctx.directory.accounts_of(person_id))
    if not accounts:
        return _("a former member")
    chosen = account_on(accounts, platform) or sorted(accounts, key=lambda a: a.ref)[0]
    return chosen.label


async def labels(ctx: Context, person_ids: Iterable[int], platform: str) -> dict[int, str]:
    return {p: await label_of(ctx, p, platform) for p in dict.fromkeys(person_ids)}


async def mention_of(ctx: Context, person_id: int, platform: str) -> str:
    """A mention where the person has an account on `platform`, else their name."""
    accounts = list(await ctx.directory.accounts_of(person_id))
    here = account_on(accounts, platform)
    if here is not None and here.active:
        return ctx.mention(here.ref)
    return await label_of(ctx, person_id, platform)


async def channel_named(ctx: Context, near: Ref, name: str) -> Ref | None:
    """The channel called `name` in the workspace of `near` (a member or channel)."""
    if not name:
        return None
    return await ctx.directory.find_channel(near.platform, near.workspace, name)


async def post_everywhere(
    ctx: Context, channel_name: str, build: Callable[[str], Awaitable[Outgoing]]
) -> list[Ref]:
    """Post to the channel called `channel_name` on every running platform.

    `build(platform)` makes the message for one platform (mentions differ); a platform
    without such a channel is skipped.
    """
    posted: list[Ref] = []
    if not channel_name:
        return posted
    for platform in sorted(ctx.runtime.ports):
        channel = await ctx.directory.find_channel(platform, None, channel_name)
        if channel is None:
            continue
        out = await build(platform)
        sent = await ctx.send(Outgoing(out.text, out.blocks, channel=channel, silent=out.silent))
        if sent is not None:
            posted.append(sent)
    return posted
