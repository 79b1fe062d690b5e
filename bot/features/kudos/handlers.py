"""Kudos wired to commands, reactions, messages, other features' signals and jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.args import ChoiceArg, DateTimeArg, IntArg, MemberArg, TextArg, WordArg
from bot.context import Context
from bot.features.kudos import (
    badges,
    board_privacy,
    leaderboard,
    privacy,
    removals,
    service,
    spotlight,
    summaries,
)
from bot.features.kudos.config import BadgeKind, KudosConfig, check_kudos, kudos_needs
from bot.features.kudos.store import FactKind, NewKudos, Source
from bot.i18n import N_
from bot.model import Level, MemberRecord, MessagePosted, ReactionChanged
from bot.registry import Feature
from bot.signals import (
    AnswerAccepted,
    FlagConfirmed,
    MentorPaired,
    NewcomerWelcomed,
    ProfileRequested,
    QuizAnsweredCorrectly,
    ReferralRewarded,
)

feature = Feature(
    "kudos",
    config=KudosConfig,
    description=N_("Kudos, leaderboards, badges and the member spotlight"),
)
feature.check(check_kudos)
feature.requires(kudos_needs)


@feature.command(
    "kudos",
    verb="give",
    help=N_("Thank a member with kudos (a reason is welcome)"),
    args=[
        MemberArg("member", N_("who to thank")),
        TextArg("reason", N_("what for"), required=False),
    ],
)
async def kudos(ctx: Context, member: MemberRecord, reason: str) -> None:
    await service.by_command(ctx, member, reason or None)


@feature.command(
    "kudos me",
    help=N_("Your kudos: received, given, left today, badges"),
    ephemeral=True,
)
async def kudos_me(ctx: Context) -> None:
    text, blocks = await summaries.me(ctx)
    await ctx.reply(text, blocks=blocks, ephemeral=True)


@feature.command(
    "kudos history",
    help=N_("Kudos a member gave and received, with ids and removals"),
    args=[
        MemberArg("member", N_("whose kudos")),
        IntArg("page", N_("1 is the latest, 2 older…"), required=False, default=1, min=1),
        DateTimeArg("since", N_("only kudos given since this date"), required=False, option=True),
    ],
    level=Level.MODERATOR,
    ephemeral=True,
)
async def kudos_history(
    ctx: Context, member: MemberRecord, page: int, since: datetime | None
) -> None:
    text, blocks = await summaries.history(ctx, member, page, since)
    await ctx.reply(text, blocks=blocks, ephemeral=True)


@feature.command(
    "kudos remove",
    help=N_("Remove a kudos given in error or abuse (id from /kudos history)"),
    args=[
        IntArg("id", N_("the kudos number"), min=1),
        TextArg("reason", N_("why (kept for moderators, told to the receiver)"), required=False),
    ],
    level=Level.MODERATOR,
    ephemeral=True,
)
async def kudos_remove(ctx: Context, id: int, reason: str) -> None:
    await ctx.reply(await removals.remove(ctx, id, reason or None), ephemeral=True)


@feature.command(
    "kudos privacy",
    help=N_("Keep yourself off leaderboards and spotlights (on), or show up again (off)"),
    args=[ChoiceArg("setting", board_privacy.SETTINGS, N_("on or off"), required=False)],
    ephemeral=True,
)
async def kudos_privacy(ctx: Context, setting: str | None) -> None:
    await ctx.reply(await board_privacy.choose(ctx, setting), ephemeral=True)


@feature.command(
    "leaderboard",
    help=N_("Who received the most kudos (week, month or all time; optionally a topic)"),
    args=[
        ChoiceArg(
            "period",
            leaderboard.PERIODS,
            N_("the time span"),
            required=False,
            default="week",
            labels=[N_("last 7 days"), N_("last 30 days"), N_("all time")],
            passes=True,
        ),
        WordArg("topic", N_("a topic or channel name"), required=False),
    ],
    ephemeral=True,
)
async def show_leaderboard(ctx: Context, period: str, topic: str | None) -> None:
    await leaderboard.show(ctx, period, topic)


@feature.command(
    "badges",
    help=N_("Badges you (or another member) earned, and how to earn the rest"),
    args=[MemberArg("member", N_("whose badges"), required=False)],
    ephemeral=True,
)
async def show_badges(ctx: Context, member: MemberRecord | None) -> None:
    text, blocks = await summaries.badge_list(ctx, member or ctx.member())
    await ctx.reply(text, blocks=blocks, ephemeral=True)


@feature.command(
    "spotlight",
    help=N_("Spotlight a member (for the period that ended last, or one you name)"),
    args=[
        MemberArg("member", N_("who to spotlight"), required=False),
        WordArg(
            "period",
            N_("a month like 2026-12, or a week like 2026-W02"),
            required=False,
            pattern=spotlight.PERIOD_PATTERN,
            passes=True,
        ),
        TextArg("citation", N_("why (else the numbers speak)"), required=False),
    ],
    level=Level.ADMIN,
    ephemeral=True,
)
async def choose_spotlight(
    ctx: Context, member: MemberRecord | None, period: str | None, citation: str
) -> None:
    if member is None:
        text, blocks = await spotlight.preview(ctx)
        await ctx.reply(text, blocks=blocks, ephemeral=True)
        return
    choice = await spotlight.choose(ctx, member, period, citation or None)
    await ctx.reply(await spotlight.confirmation(ctx, member, choice), ephemeral=True)


# --- events and signals -----------------------------------------------------------------


@feature.on(ReactionChanged)
async def on_reaction(ctx: Context, event: ReactionChanged) -> None:
    await service.on_reaction(ctx, event)


@feature.on(MessagePosted)
async def on_message(ctx: Context, event: MessagePosted) -> None:
    await service.on_message(ctx, event)


@feature.on(AnswerAccepted)
async def on_answer_accepted(ctx: Context, signal: AnswerAccepted) -> None:
    await service.on_answer_accepted(ctx, signal)


@feature.on(NewcomerWelcomed)
async def on_newcomer_welcomed(ctx: Context, signal: NewcomerWelcomed) -> None:
    await service.helped(ctx, signal.welcomer, signal.newcomer, FactKind.WELCOME)


@feature.on(MentorPaired)
async def on_mentor_paired(ctx: Context, signal: MentorPaired) -> None:
    await service.helped(ctx, signal.mentor, signal.newcomer, FactKind.MENTEE)


@feature.on(QuizAnsweredCorrectly)
async def on_quiz(ctx: Context, signal: QuizAnsweredCorrectly) -> None:
    await service.achieved(
        ctx, signal.person_id, signal.member, FactKind.QUIZ, f"poll:{signal.poll_id}"
    )


@feature.on(FlagConfirmed)
async def on_flag(ctx: Context, signal: FlagConfirmed) -> None:
    await service.achieved(
        ctx, signal.person_id, signal.member, FactKind.FLAG, f"case:{signal.case_id}"
    )


@feature.on(ReferralRewarded)
async def on_referral(ctx: Context, signal: ReferralRewarded) -> None:
    """Growth's referral reward: kudos without a giver, and the badge when it is ours."""
    member = await ctx.directory.get(signal.member)
    if member is None or member.is_bot or member.person_id != signal.person_id:
        return
    now = ctx.now()
    if signal.points:
        new = NewKudos(
            None, signal.person_id, signal.points, Source.REFERRAL, member.ref.platform, now
        )
        await service.ledger(ctx).give(new)
    rule = ctx.config_of(KudosConfig).badge(signal.badge) if signal.badge else None
    if rule is not None and await service.achievements(ctx).award(signal.person_id, rule.id, now):
        await badges.announce(ctx, member, rule)
    await badges.review(ctx, member, (BadgeKind.KUDOS_RECEIVED,))


@feature.on(ProfileRequested)
async def on_profile(ctx: Context, signal: ProfileRequested) -> None:
    await summaries.profile_lines(ctx, signal)


# --- jobs -------------------------------------------------------------------------------


def _fire_time(payload: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(str(payload["fire_time"]))


@feature.job("leaderboard", cron=lambda cfg: cfg.leaderboard_cron or None)
async def weekly_leaderboard(ctx: Context, payload: dict[str, Any]) -> None:
    await leaderboard.weekly(ctx, _fire_time(payload))


@feature.job("spotlight", cron=lambda cfg: cfg.spotlight_cron or None)
async def scheduled_spotlight(ctx: Context, payload: dict[str, Any]) -> None:
    await spotlight.scheduled(ctx, _fire_time(payload))


# --- people, metrics, home --------------------------------------------------------------


feature.forget(privacy.forget_person)
feature.export(privacy.export_person)
feature.home(summaries.home)
feature.stats(summaries.flow)
