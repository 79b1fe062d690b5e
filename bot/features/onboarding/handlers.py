"""Onboarding wired to joins, leaves, commands, buttons, forms and jobs."""

from __future__ import annotations

from typing import Any

from bot.args import ChoiceArg, ListArg, MemberArg
from bot.context import Context
from bot.features.onboarding import (
    actions,
    answering,
    checks,
    jobs,
    mentoring,
    render,
    reports,
    service,
)
from bot.features.onboarding.config import OnboardingConfig, onboarding_needs
from bot.i18n import N_
from bot.model import ButtonPressed, FormSubmitted, Level, MemberJoined, MemberLeft, MemberRecord
from bot.needs import Need
from bot.registry import CommandSpec, Feature

feature = Feature(
    actions.FEATURE,
    config=OnboardingConfig,
    description=N_("Welcome, rules gate, questionnaire and segments, mentors, profiles"),
    needs=frozenset({Need.MEMBER_EVENTS}),
)
feature.check(checks.check)
feature.requires(onboarding_needs)


# --- joining and leaving ------------------------------------------------------------


@feature.on(MemberJoined)
async def on_join(ctx: Context, event: MemberJoined) -> None:
    if ctx.actor is not None:
        await service.joined(ctx, ctx.actor)


@feature.on(MemberLeft)
async def on_leave(ctx: Context, event: MemberLeft) -> None:
    if ctx.actor is not None:
        await service.left(ctx, ctx.actor)


@feature.before_command
async def rules_gate(ctx: Context, spec: CommandSpec) -> None:
    await service.guard(ctx, spec)


# --- commands -----------------------------------------------------------------------


@feature.command(
    "welcome",
    help=N_("See the welcome again: the rules, the questions, your mentor"),
    ephemeral=True,
)
async def welcome(ctx: Context) -> None:
    await service.welcome_again(ctx)


@feature.command(
    "profile",
    verb="show",
    help=N_("Show your profile, or another member's"),
    args=[MemberArg("member", N_("whose profile (default: yours)"), required=False)],
    ephemeral=True,
)
async def profile(ctx: Context, member: MemberRecord | None) -> None:
    text, blocks = await reports.profile(ctx, member)
    await ctx.reply(text, blocks=blocks, ephemeral=True)


@feature.command(
    "profile edit", help=N_("Change your answers to the welcome questions"), ephemeral=True
)
async def profile_edit(ctx: Context) -> None:
    await answering.start(ctx, from_first=True)
    if ctx.channel is not None:
        await ctx.reply(render.edit_started(), ephemeral=True)


@feature.command(
    "mentor",
    help=N_("Volunteer to welcome newcomers: /mentor on|off [topics]"),
    args=[
        ChoiceArg(
            "switch", ["on", "off"], N_("on or off"), required=False, labels=[N_("on"), N_("off")]
        ),
        ListArg("topics", N_("the topics you can mentor in (none: any)")),
    ],
    ephemeral=True,
)
async def mentor(ctx: Context, switch: str | None, topics: list[str]) -> None:
    await ctx.reply(await mentoring.volunteer(ctx, switch, topics), ephemeral=True)


@feature.command(
    "mentors",
    help=N_("Mentors on duty, their load, and newcomers waiting for one"),
    level=Level.ADMIN,
    ephemeral=True,
)
async def mentors(ctx: Context) -> None:
    text, blocks = await reports.mentors_overview(ctx)
    await ctx.reply(text, blocks=blocks, ephemeral=True)


@feature.command(
    "segments",
    help=N_("How many members are in each segment (from the welcome questions)"),
    level=Level.ADMIN,
    ephemeral=True,
)
async def segments(ctx: Context) -> None:
    text, blocks = await reports.segments(ctx)
    await ctx.reply(text, blocks=blocks, ephemeral=True)


# --- buttons, menus and forms -------------------------------------------------------


@feature.button(actions.AGREE)
async def on_agree(ctx: Context, event: ButtonPressed) -> None:
    await service.agree(ctx)


@feature.button(actions.START)
async def on_start(ctx: Context, event: ButtonPressed) -> None:
    await answering.start(ctx)


@feature.button(actions.SKIP_ALL)
async def on_skip_all(ctx: Context, event: ButtonPressed) -> None:
    await answering.skip_all(ctx)


@feature.button(actions.ANSWER)
async def on_answer(ctx: Context, event: ButtonPressed) -> None:
    question, option = actions.parts(event.action_id)[:2]
    await answering.answer(ctx, question, [option], event.message)


@feature.button(actions.PICK)
async def on_pick(ctx: Context, event: ButtonPressed) -> None:
    (question,) = actions.parts(event.action_id)[:1]
    await answering.answer(ctx, question, list(event.values or (event.value,)), event.message)


@feature.button(actions.NEXT)
async def on_next(ctx: Context, event: ButtonPressed) -> None:
    (question,) = actions.parts(event.action_id)[:1]
    await answering.next_question(ctx, question, event.message)


@feature.button(actions.SKIP)
async def on_skip(ctx: Context, event: ButtonPressed) -> None:
    (question,) = actions.parts(event.action_id)[:1]
    await answering.skip(ctx, question, event.message)


@feature.button(actions.WRITE)
async def on_write(ctx: Context, event: ButtonPressed) -> None:
    (question,) = actions.parts(event.action_id)[:1]
    await answering.open_text_form(ctx, question)


@feature.form(actions.TEXT)
async def on_text(ctx: Context, event: FormSubmitted) -> None:
    (question,) = actions.parts(event.form_id)[:1]
    await answering.answer(ctx, question, [event.values.get("answer", "")], None)


@feature.button(actions.MET)
async def on_met(ctx: Context, event: ButtonPressed) -> None:
    (pairing,) = actions.parts(event.action_id)[:1]
    await mentoring.met(ctx, int(pairing))


# --- jobs ---------------------------------------------------------------------------


@feature.job(jobs.FOLLOW_UP)
async def follow_up(ctx: Context, payload: dict[str, Any]) -> None:
    await service.follow_up(ctx, int(payload["person_id"]))


@feature.job(jobs.MODERATORS)
async def moderators(ctx: Context, payload: dict[str, Any]) -> None:
    await service.notify_moderators(ctx, int(payload["person_id"]))


@feature.job(jobs.MENTOR_CHECK)
async def mentor_check(ctx: Context, payload: dict[str, Any]) -> None:
    await mentoring.check(ctx, int(payload["pairing_id"]))


# --- people and metrics -------------------------------------------------------------


@feature.forget
async def forget(ctx: Context, person_id: int) -> None:
    """Close what is open (mentees handed on, jobs cancelled); the rows go in the sweep."""
    await service.close(ctx, person_id, tell_mentor=False)


feature.export(reports.export)
feature.home(reports.home, first=True)  # the member's profile leads their home
feature.stats(reports.figures)
