"""Badges: TOML rules checked when what they count changes, each awarded exactly once.

A badge is checked only after an event that can move its count (a kudos received, a
welcome, a longer streak…), so adding a badge to the config later awards it to a
member at their next such event. "Exactly once" is the database's promise: the
(person, badge) key lets one of any number of racing events insert it, and only
that one announces it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set

from bot.context import Context
from bot.features.kudos import render
from bot.features.kudos.board_privacy import is_hidden
from bot.features.kudos.config import BadgeKind, BadgeRule, KudosConfig
from bot.features.kudos.people import channel_named
from bot.features.kudos.store import Achievements, FactKind, KudosLedger
from bot.model import MemberRecord, Outgoing

FACTS = {
    BadgeKind.ACCEPTED_ANSWERS: FactKind.ANSWER,
    BadgeKind.NEWCOMERS_WELCOMED: FactKind.WELCOME,
    BadgeKind.MENTEES: FactKind.MENTEE,
    BadgeKind.QUIZ_ANSWERS: FactKind.QUIZ,
    BadgeKind.ACCURATE_FLAGS: FactKind.FLAG,
}


def _achievements(ctx: Context) -> Achievements:
    return ctx.repo(Achievements)  # type: ignore[type-abstract]


async def progress(ctx: Context, person_id: int, kind: BadgeKind) -> int:
    """The person's count for a badge rule (a streak counts its best run)."""
    if kind is BadgeKind.KUDOS_RECEIVED:
        return await ctx.repo(KudosLedger).received_points(person_id)  # type: ignore[type-abstract]
    if kind is BadgeKind.KUDOS_GIVEN:
        return await ctx.repo(KudosLedger).given_count(person_id)  # type: ignore[type-abstract]
    if kind is BadgeKind.STREAK_DAYS:
        return await _achievements(ctx).best_streak(person_id)
    return await _achievements(ctx).count_facts(person_id, FACTS[kind])


async def review(
    ctx: Context,
    member: MemberRecord,
    kinds: Iterable[BadgeKind],
    known: Mapping[BadgeKind, int] | None = None,
    have: Set[str] | None = None,
) -> list[BadgeRule]:
    """Award `member` every badge of these kinds they now qualify for; announce each.

    `known` holds counts and `have` the member's badge ids when the caller has just
    read them, so they are not read twice.
    """
    wanted = set(kinds)
    rules = [r for r in ctx.config_of(KudosConfig).badges if r.rule in wanted]
    if not rules:
        return []
    store = _achievements(ctx)
    if have is None:
        have = {a.badge for a in await store.badges_of(member.person_id)}
    counts: dict[BadgeKind, int] = dict(known or {})
    earned: list[BadgeRule] = []
    for rule in rules:
        if rule.id in have:
            continue
        if rule.rule not in counts:
            counts[rule.rule] = await progress(ctx, member.person_id, rule.rule)
        if counts[rule.rule] >= rule.threshold and await store.award(
            member.person_id, rule.id, ctx.now()
        ):
            earned.append(rule)
    for rule in earned:
        await announce(ctx, member, rule)
    return earned


async def announce(ctx: Context, member: MemberRecord, rule: BadgeRule) -> None:
    """In the badge channel of the member's workspace, else (or when the member keeps
    off public boards) by DM to the member."""
    channel = await channel_named(ctx, member.ref, ctx.config_of(KudosConfig).badge_channel)
    if channel is not None and not await is_hidden(ctx, member.person_id):
        async with ctx.in_public(channel):
            text, blocks = render.badge_earned(ctx.mention(member.ref), rule)
        await ctx.send(Outgoing(text, blocks, channel=channel))
        return
    with ctx.speaking_to(member):
        text, blocks = render.badge_earned(member.label, rule)
    ctx.deliver(Outgoing(text, blocks, dm=member.ref))
