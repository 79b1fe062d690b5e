"""`/poll`, `/quiz` and their buttons and deadlines, wired to the poll service."""

from __future__ import annotations

from typing import Any

from bot.args import Arg, ArgKind, ChannelArg, ChoiceArg, FlagArg, ListArg, WordArg
from bot.context import Context, UserError
from bot.features.polls import closing, recurring, render, service
from bot.features.polls.feature import feature
from bot.features.polls.spec import build_spec
from bot.features.polls.store import PollKind, ScheduleStore
from bot.i18n import N_, _
from bot.model import ButtonPressed, Level, Ref

ITEMS = ListArg("question_and_options", N_('"question" "option 1" "option 2" …'))
CLOSES = Arg(
    "closes",
    ArgKind.WORD,
    N_("a duration (2d) or a date (2026-12-01T18:00); never for no deadline"),
    required=False,
    option=True,
)
CHANNEL = ChannelArg("channel", N_("post it in another channel"), required=False, option=True)
MULTI = FlagArg("multi", N_("members may choose several options"))
ANONYMOUS = FlagArg("anonymous", N_("nobody, moderators included, can see who voted what"))
HIDDEN = FlagArg("hidden", N_("show the results only when the poll closes"))
POLL_ID = WordArg("poll", N_("the poll's number, e.g. 3"), lookup=service.suggest_polls)


def number(word: str, prefix: str = "") -> int:
    """`3`, `#3` or `R3` → 3, or a sentence saying what was expected."""
    cleaned = word.strip().lstrip("#")
    if prefix and cleaned[:1].upper() == prefix:
        cleaned = cleaned[1:]
    if not cleaned.isdigit():
        raise UserError(_("{value!r} is not a number; write it like 3.", value=word))
    return int(cleaned)


def _here(ctx: Context) -> Ref:
    if ctx.channel is None:
        raise UserError(_("Run this in a channel."))
    return ctx.channel.ref


async def _start(
    ctx: Context,
    kind: PollKind,
    items: list[str],
    channel: Ref | None,
    closes: str | None,
    **flags: Any,
) -> None:
    target = channel or _here(ctx)
    service.check_may_create(ctx, target)
    spec = build_spec(kind, items, max_options=service.config(ctx).max_options, **flags)
    closes_at = service.resolve_closes(ctx, closes)
    poll = await service.start_poll(ctx, spec, target, closes_at=closes_at, creator=ctx.actor)
    where = ctx.channel_mention(target)
    await ctx.reply(render.created_text(poll, where, service.member_timezone(ctx)), ephemeral=True)


@feature.command(
    "poll",
    verb="create",
    help=N_('Start a poll: /poll "Question?" "Option 1" "Option 2" … [--multi] [--anonymous]'),
    args=[ITEMS, MULTI, ANONYMOUS, HIDDEN, CLOSES, CHANNEL],
)
async def poll_command(
    ctx: Context,
    question_and_options: list[str],
    multi: bool,
    anonymous: bool,
    hidden: bool,
    closes: str | None,
    channel: Ref | None,
) -> None:
    await _start(
        ctx,
        PollKind.POLL,
        question_and_options,
        channel,
        closes,
        multi=multi,
        anonymous=anonymous,
        hidden=hidden,
    )


@feature.command(
    "quiz",
    help=N_('Start a quiz: /quiz "Question?" "A" "B" "C" --answer 2 (revealed when it closes)'),
    args=[
        ITEMS,
        Arg("answer", ArgKind.WORD, N_("the right option's number"), required=False, option=True),
        ANONYMOUS,
        CLOSES,
        CHANNEL,
    ],
)
async def quiz_command(
    ctx: Context,
    question_and_options: list[str],
    answer: str | None,
    anonymous: bool,
    closes: str | None,
    channel: Ref | None,
) -> None:
    await _start(
        ctx,
        PollKind.QUIZ,
        question_and_options,
        channel,
        closes,
        anonymous=anonymous,
        answer=answer,
    )


@feature.button("vote")
async def on_vote(ctx: Context, event: ButtonPressed) -> None:
    parts = event.action_id.split(":")  # polls:vote:<poll>:<option>
    if len(parts) != 4 or not parts[2].isdigit() or not parts[3].isdigit():
        raise UserError(_("This button no longer works."))
    result = await service.vote(ctx, int(parts[2]), int(parts[3]))
    await ctx.reply(
        render.vote_feedback(result.poll, result.option, result.chosen, result.now_chosen),
        ephemeral=True,
    )


@feature.job(service.CLOSE_JOB)
async def close_at_deadline(ctx: Context, payload: dict[str, Any]) -> None:
    await closing.close_poll(ctx, int(payload["poll_id"]))


@feature.command(
    "poll close", help=N_("Close a poll now and post its results"), args=[POLL_ID], ephemeral=True
)
async def poll_close(ctx: Context, poll: str) -> None:
    closed = await closing.close_by_command(ctx, number(poll))
    await ctx.reply(_("Poll #{id} is closed; the results are posted.", id=closed.id))


@feature.command("poll results", help=N_("See a poll's results"), args=[POLL_ID], ephemeral=True)
async def poll_results(ctx: Context, poll: str) -> None:
    text, blocks = await closing.results(ctx, number(poll))
    await ctx.reply(text, blocks=blocks, ephemeral=True)


@feature.command(
    "poll list",
    help=N_("List open polls (or all recent ones) and recurring polls"),
    args=[
        ChoiceArg(
            "which",
            ["open", "all"],
            N_("open polls, or all recent ones"),
            required=False,
            default="open",
            labels=[N_("open"), N_("all recent")],
        )
    ],
    ephemeral=True,
)
async def poll_list(ctx: Context, which: str) -> None:
    open_only = which == "open"
    found = await service.listing(ctx, open_only=open_only)
    here = _here(ctx)
    schedules = await ctx.repo(ScheduleStore).active(here.platform, here.workspace)  # type: ignore[type-abstract]
    text = render.poll_list(
        found, schedules, open_only=open_only, timezone=service.member_timezone(ctx)
    )
    await ctx.reply(text, ephemeral=True)


@feature.command(
    "poll voters",
    help=N_("See who voted for what (not for anonymous polls)"),
    args=[POLL_ID],
    level=Level.MODERATOR,
    ephemeral=True,
)
async def poll_voters(ctx: Context, poll: str) -> None:
    found, names = await service.voter_names(ctx, number(poll))
    await ctx.reply(render.voters_text(found, names), ephemeral=True)


@feature.command(
    "poll every",
    help=N_('Repeat a poll on a schedule: /poll every "0 9 * * MON" "Question?" "A" "B"'),
    args=[
        ListArg("schedule_question_and_options", N_('"cron" "question" "option 1" …')),
        MULTI,
        ANONYMOUS,
        HIDDEN,
        CLOSES,
        CHANNEL,
    ],
    level=Level.MODERATOR,
    ephemeral=True,
)
async def poll_every(
    ctx: Context,
    schedule_question_and_options: list[str],
    multi: bool,
    anonymous: bool,
    hidden: bool,
    closes: str | None,
    channel: Ref | None,
) -> None:
    items = schedule_question_and_options
    if not items:
        raise UserError(
            _('Start with the schedule in quotes: /poll every "0 9 * * MON" "Question?" "A" "B"')
        )
    spec = build_spec(
        PollKind.POLL,
        items[1:],
        multi=multi,
        anonymous=anonymous,
        hidden=hidden,
        max_options=service.config(ctx).max_options,
    )
    target = channel or _here(ctx)
    schedule, due = await recurring.create(ctx, items[0], spec, target, closes)
    await ctx.reply(
        render.schedule_created(schedule, ctx.channel_mention(target), due), ephemeral=True
    )


@feature.job(recurring.RECURRING_JOB)
async def post_recurring(ctx: Context, payload: dict[str, Any]) -> None:
    await recurring.fire(ctx, int(payload["schedule_id"]))


@feature.command(
    "poll stop",
    help=N_("Stop a recurring poll (R3 in /poll list)"),
    args=[WordArg("schedule", N_("the recurring poll's number, e.g. R3"))],
    level=Level.MODERATOR,
    ephemeral=True,
)
async def poll_stop(ctx: Context, schedule: str) -> None:
    schedule_id = number(schedule, "R")
    await recurring.stop(ctx, schedule_id)
    await ctx.reply(_("Recurring poll R{id} is stopped.", id=schedule_id), ephemeral=True)
