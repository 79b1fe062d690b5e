"""Check-ins wired to commands, buttons, the answer form and jobs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from bot.args import Arg, ArgKind, ChannelArg, DurationArg, FlagArg, ListArg, WordArg
from bot.context import Context
from bot.features.checkins import admin, answers, members, posts, privacy, runs
from bot.features.checkins.config import MAX_QUESTIONS, CheckinsConfig, check_checkins
from bot.i18n import N_
from bot.model import ButtonPressed, FormSubmitted, Level, Ref
from bot.registry import Feature

feature = Feature(
    "checkins",
    config=CheckinsConfig,
    description=N_("Check-ins (standups, pulses) in each member's time zone, recurring posts"),
)
feature.check(check_checkins)

NAME = WordArg(
    "name", N_("the check-in's name (see /checkin list)"), lookup=members.suggest_checkins
)
MAYBE_NAME = WordArg(
    "name",
    N_("one check-in (default: all of yours)"),
    required=False,
    lookup=members.suggest_my_checkins,
)


def _option(name: str, help: str, **extra: Any) -> Arg:
    return Arg(name, ArgKind.WORD, help, required=False, option=True, **extra)


@feature.command(
    "checkin list", help=N_("Check-ins, when they next ask you, and your status"), ephemeral=True
)
async def checkin_list(ctx: Context) -> None:
    text, blocks = await members.listing(ctx)
    await ctx.reply(text, blocks=tuple(blocks), ephemeral=True)


@feature.command("checkin join", help=N_("Take part in a check-in"), args=[NAME], ephemeral=True)
async def checkin_join(ctx: Context, name: str) -> None:
    await ctx.reply(await members.join(ctx, name), ephemeral=True)


@feature.command(
    "checkin leave", help=N_("Stop taking part in a check-in"), args=[NAME], ephemeral=True
)
async def checkin_leave(ctx: Context, name: str) -> None:
    await ctx.reply(await members.leave(ctx, name), ephemeral=True)


@feature.command(
    "checkin skip",
    help=N_("Skip the open run of your check-ins (or the next one)"),
    args=[MAYBE_NAME],
    ephemeral=True,
)
async def checkin_skip(ctx: Context, name: str | None) -> None:
    await ctx.reply(await members.skip(ctx, name), ephemeral=True)


@feature.command(
    "checkin pause",
    help=N_("Pause your check-ins for a while, e.g. /checkin pause 2w"),
    args=[DurationArg("length", N_("how long: 3d, 2w …")), MAYBE_NAME],
    ephemeral=True,
)
async def checkin_pause(ctx: Context, length: timedelta, name: str | None) -> None:
    await ctx.reply(await members.pause(ctx, length, name), ephemeral=True)


@feature.command("checkin resume", help=N_("End a pause early"), args=[MAYBE_NAME], ephemeral=True)
async def checkin_resume(ctx: Context, name: str | None) -> None:
    await ctx.reply(await members.resume(ctx, name), ephemeral=True)


@feature.command(
    "checkin create",
    help=N_('Create a check-in: /checkin create standup "every weekday 09:00" "Question?" …'),
    args=[
        NAME,
        WordArg("schedule", N_('"every weekday 09:00", "mon, thu 10:30" or a cron line')),
        ListArg(
            "questions", N_('"Question 1?" "Question 2?" (up to five)'), min=1, max=MAX_QUESTIONS
        ),
        ChannelArg(
            "channel", N_("where the summary goes (default: here)"), required=False, option=True
        ),
        _option("title", N_('the heading, e.g. "Daily standup" (default: from the name)')),
        _option("role", N_("ask members with this role")),
        _option("segment", N_("ask members in this onboarding segment (several: a,b)")),
        FlagArg("everyone", N_("ask every member")),
        _option("timezone", N_("one zone for all (default: each member's own)")),
        _option("remind", N_("remind after this long (default 2h; 0 = never)")),
        _option("summary", N_('summary time, e.g. 17:00 ("" = none)')),
        Arg(
            "delivery",
            ArgKind.CHOICE,
            N_("dm (default) or channel (one post anyone answers)"),
            required=False,
            default="dm",
            choices=("dm", "channel"),
            option=True,
            labels=(N_("by direct message"), N_("in a channel (one post)")),
        ),
    ],
    level=Level.ADMIN,
    ephemeral=True,
)
async def checkin_create(
    ctx: Context,
    name: str,
    schedule: str,
    questions: list[str],
    channel: Ref | None,
    role: str | None,
    segment: str | None,
    everyone: bool,
    timezone: str | None,
    remind: str | None,
    summary: str | None,
    delivery: str,
    title: str | None,
) -> None:
    text = await admin.create(
        ctx,
        name,
        schedule,
        questions,
        channel=channel,
        role=role,
        segment=segment,
        everyone=everyone,
        timezone=timezone,
        remind=remind,
        summary=summary,
        delivery=delivery,
        title=title,
    )
    await ctx.reply(text, ephemeral=True)


@feature.command(
    "checkin edit",
    help=N_('Change a check-in: /checkin edit standup ["New question?" …] [--schedule "…"]'),
    args=[
        NAME,
        Arg(
            "questions",
            ArgKind.LIST,
            N_("new questions, replacing the old ones"),
            required=False,
            default=(),
            max=MAX_QUESTIONS,
        ),
        _option("schedule", N_('"every weekday 09:30" or a cron line')),
        _option("title", N_("the heading")),
        ChannelArg("channel", N_("where the summary goes"), required=False, option=True),
        _option("role", N_('ask members with this role ("" = none)')),
        _option("segment", N_('ask members in these onboarding segments: a,b ("" = none)')),
        _option("timezone", N_('one zone for all ("" = each member\'s own)')),
        _option("remind", N_("remind after this long (0 = never)")),
        _option("summary", N_('summary time, e.g. 17:00 ("" = none)')),
    ],
    level=Level.ADMIN,
    ephemeral=True,
)
async def checkin_edit(
    ctx: Context,
    name: str,
    questions: Sequence[str],
    schedule: str | None,
    title: str | None,
    channel: Ref | None,
    role: str | None,
    segment: str | None,
    timezone: str | None,
    remind: str | None,
    summary: str | None,
) -> None:
    changes = {
        "schedule": schedule,
        "title": title,
        "channel": channel,
        "role": role,
        "segment": segment,
        "timezone": timezone,
        "remind_after": remind,
        "summary_at": summary,
    }
    await ctx.reply(await admin.edit(ctx, name, questions, changes), ephemeral=True)


@feature.command(
    "checkin delete",
    help=N_("Delete a check-in made by command, with its answers"),
    args=[NAME],
    level=Level.ADMIN,
    ephemeral=True,
)
async def checkin_delete(ctx: Context, name: str) -> None:
    await ctx.reply(await admin.delete(ctx, name), ephemeral=True)


@feature.command(
    "checkin run-now",
    help=N_("Ask a check-in's questions now, to everyone in it"),
    args=[NAME],
    level=Level.ADMIN,
    ephemeral=True,
)
async def checkin_run_now(ctx: Context, name: str) -> None:
    await ctx.reply(await admin.run_now(ctx, name), ephemeral=True)


# --- buttons and the form ----------------------------------------------------------------


@feature.button("answer")
async def on_answer(ctx: Context, event: ButtonPressed) -> None:
    await answers.open_form(ctx, event.action_id)


@feature.button("skip")
async def on_skip(ctx: Context, event: ButtonPressed) -> None:
    await answers.skip(ctx, event.action_id)


@feature.form("form")
async def on_form(ctx: Context, event: FormSubmitted) -> None:
    await answers.submit(ctx, event.form_id, dict(event.values))


# --- jobs --------------------------------------------------------------------------------


@feature.job("sync", cron="7 * * * *")
async def sync(ctx: Context, payload: dict[str, Any]) -> None:
    """Mirror the file's check-ins and (re-)arm every schedule: at start, then hourly."""
    await admin.sync(ctx)


@feature.job(runs.RUN_JOB)
async def run(ctx: Context, payload: dict[str, Any]) -> None:
    await runs.on_run(ctx, payload)


@feature.job(runs.SEND_JOB)
async def send(ctx: Context, payload: dict[str, Any]) -> None:
    await runs.on_send(ctx, payload)


@feature.job(runs.REMIND_JOB)
async def remind(ctx: Context, payload: dict[str, Any]) -> None:
    await runs.on_remind(ctx, payload)


@feature.job(runs.SUMMARY_JOB)
async def summary(ctx: Context, payload: dict[str, Any]) -> None:
    await answers.on_summary(ctx, payload)


@feature.job(posts.POST_JOB)
async def post(ctx: Context, payload: dict[str, Any]) -> None:
    await posts.on_post(ctx, payload)


# --- people and metrics ------------------------------------------------------------------


feature.forget(privacy.forget_person)
feature.export(privacy.export_person)
feature.home(members.home)
feature.stats(privacy.figures)
