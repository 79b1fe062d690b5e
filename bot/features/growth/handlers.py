"""Growth wired to commands, joins and departures, buttons, signals and jobs."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.args import MemberArg, WordArg
from bot.context import Context
from bot.features.growth import pipeline, privacy, referrals, roles, summaries
from bot.features.growth.config import GrowthConfig, check_growth, growth_needs
from bot.i18n import N_
from bot.model import ButtonPressed, Level, MemberJoined, MemberLeft, MemberRecord
from bot.needs import Need
from bot.registry import Feature
from bot.signals import AnswerAccepted, ProfileRequested

feature = Feature(
    "growth",
    config=GrowthConfig,
    description=N_("Referrals, reward roles and perks, and the ambassador pipeline"),
    needs=frozenset({Need.MEMBER_EVENTS, Need.INVITES}),
)
feature.check(check_growth)
feature.requires(growth_needs)


# --- referrals --------------------------------------------------------------------------


@feature.command(
    "invite", help=N_("Get your personal invite link (or referral code)"), ephemeral=True
)
# Slack keeps /invite for itself (inviting to a channel): there, this is the way.
@feature.command(
    "referrals invite",
    help=N_("Get your personal invite link (or referral code)"),
    ephemeral=True,
)
async def invite(ctx: Context) -> None:
    await ctx.reply(await referrals.invite(ctx), ephemeral=True)


@feature.command(
    "referral",
    help=N_("Newcomers: say who invited you, with their referral code"),
    args=[WordArg("code", N_("the code the member gave you"))],
    ephemeral=True,
)
async def referral(ctx: Context, code: str) -> None:
    await ctx.reply(await referrals.claim(ctx, code), ephemeral=True)


@feature.command(
    "referrals",
    help=N_("The members you invited and how they are doing"),
    ephemeral=True,
    verb="me",  # on Discord, /referrals is /referrals me
)
@feature.command(
    "referrals me", help=N_("The members you invited and how they are doing"), ephemeral=True
)
async def referrals_me(ctx: Context) -> None:
    await ctx.reply(await summaries.me(ctx), ephemeral=True)


@feature.command("referrals top", help=N_("Who brought in the most members"), ephemeral=True)
async def referrals_top(ctx: Context) -> None:
    await ctx.reply(await summaries.top(ctx), ephemeral=True)


@feature.command(
    "referrals tree",
    help=N_("Who invited whom, as a tree"),
    level=Level.ADMIN,
    ephemeral=True,
)
async def referrals_tree(ctx: Context) -> None:
    await ctx.reply(await summaries.tree(ctx), ephemeral=True)


@feature.command(
    "referrals set",
    help=N_("Record who invited a newcomer (e.g. a Slack invite you approved)"),
    args=[MemberArg("newcomer", N_("who joined")), MemberArg("referrer", N_("who invited them"))],
    level=Level.ADMIN,
    ephemeral=True,
)
async def referrals_set(ctx: Context, newcomer: MemberRecord, referrer: MemberRecord) -> None:
    await ctx.reply(await referrals.assign(ctx, newcomer, referrer), ephemeral=True)


@feature.on(MemberJoined)
async def on_join(ctx: Context, event: MemberJoined) -> None:
    await referrals.on_join(ctx, event)


@feature.on(MemberLeft)
async def on_leave(ctx: Context, event: MemberLeft) -> None:
    await referrals.on_leave(ctx, event)


@feature.button(referrals.CLAIM_ACTION)
async def on_claim(ctx: Context, event: ButtonPressed) -> None:
    invite_id = event.action_id.rsplit(":", 1)[-1]
    await ctx.reply(await referrals.claim_invite(ctx, int(invite_id)), ephemeral=True)


@feature.job(referrals.QUALIFY_JOB)
async def qualify(ctx: Context, payload: dict[str, Any]) -> None:
    await referrals.qualify(ctx, int(payload["referral"]))


# --- reward roles and the pipeline ------------------------------------------------------


@feature.on(AnswerAccepted)
async def on_answer(ctx: Context, signal: AnswerAccepted) -> None:
    """An accepted answer may cross a threshold: review the answerer now, not next hour.

    As a job due at once, so it runs after this event committed, when kudos (which
    counts accepted answers) has recorded this one too.
    """
    answerer = await ctx.directory.get(signal.answerer)
    if answerer is not None and not answerer.is_bot and ctx.config_of(GrowthConfig).roles:
        key = f"growth:review:{answerer.person_id}"
        await ctx.schedule(key, "review_one", ctx.now(), {"person": answerer.person_id})


@feature.job("review_one")
async def review_one(ctx: Context, payload: dict[str, Any]) -> None:
    await roles.review(ctx, only=int(payload["person"]))


@feature.job("review", cron=lambda cfg: (cfg.review_cron or None) if cfg.roles else None)
async def review(ctx: Context, payload: dict[str, Any]) -> None:
    await roles.review(ctx)


@feature.job("report", cron=lambda cfg: (cfg.report_cron or None) if cfg.report_channel else None)
async def weekly_report(ctx: Context, payload: dict[str, Any]) -> None:
    await pipeline.weekly(ctx, datetime.fromisoformat(str(payload["fire_time"])))


@feature.command(
    "growth report",
    help=N_("Rising contributors now, with buttons to invite them to a track"),
    level=Level.ADMIN,
    ephemeral=True,
)
async def growth_report(ctx: Context) -> None:
    assert ctx.actor is not None
    # Up to and including this moment (what happened a second ago counts).
    until = ctx.now() + timedelta(seconds=1)
    (text, blocks), _named = await pipeline.build(ctx, until, ctx.actor.ref.platform)
    await ctx.reply(text, blocks=blocks, ephemeral=True)


@feature.command(
    "growth log",
    help=N_("Every role and perk granted or taken back (optionally one member's)"),
    args=[MemberArg("member", N_("whose grants"), required=False)],
    level=Level.ADMIN,
    ephemeral=True,
)
async def growth_log(ctx: Context, member: MemberRecord | None) -> None:
    await ctx.reply(await summaries.audit(ctx, member), ephemeral=True)


@feature.button(pipeline.NOMINATE)
async def on_nominate(ctx: Context, event: ButtonPressed) -> None:
    await ctx.reply(await pipeline.nominate(ctx, event), ephemeral=True)


@feature.button(pipeline.ANSWER)
async def on_answer_invitation(ctx: Context, event: ButtonPressed) -> None:
    reply = await pipeline.answer(ctx, event)
    if reply is not None:
        await ctx.reply(reply, ephemeral=True)


@feature.on(ProfileRequested)
async def on_profile(ctx: Context, signal: ProfileRequested) -> None:
    await summaries.profile_lines(ctx, signal)


# --- people, metrics, home --------------------------------------------------------------


feature.forget(privacy.forget_person)
feature.export(privacy.export_person)
feature.home(summaries.home)
feature.stats(summaries.figures)
