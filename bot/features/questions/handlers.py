"""Question tracking wired to commands, messages, reactions, buttons and jobs."""

from __future__ import annotations

from typing import Any

from bot.args import Arg, ArgKind, ChoiceArg, IntArg, ListArg, TextArg, WordArg
from bot.context import Context
from bot.features.questions import actions, escalation, reports, service
from bot.features.questions.config import (
    QuestionsConfig,
    check_question_text,
    check_someone_is_pinged,
    questions_needs,
)
from bot.features.questions.store import CloseReason, Questions
from bot.i18n import N_, _
from bot.model import ButtonPressed, Level, MessagePosted, ReactionChanged
from bot.needs import Need
from bot.registry import Feature

CLOSE_LABELS = {
    CloseReason.DUPLICATE: N_("a duplicate"),
    CloseReason.OFF_TOPIC: N_("off-topic"),
    CloseReason.STALE: N_("stale"),
}

feature = Feature(
    actions.FEATURE,
    config=QuestionsConfig,
    description=N_("Track questions until they are answered; escalate, follow up, FAQ"),
    needs=frozenset({Need.REACTIONS, Need.THREADS}),
)
feature.check(check_someone_is_pinged)
feature.check(check_question_text)
feature.requires(questions_needs)


@feature.command(
    "ask",
    help=N_("Ask the community a question (it is tracked until it is solved)"),
    args=[
        TextArg("question", N_("your question; end with a known topic to file it there")),
        Arg("topic", ArgKind.WORD, N_("the question's topic"), required=False, option=True),
    ],
    ephemeral=True,
)
async def ask(ctx: Context, question: str, topic: str | None) -> None:
    await service.ask(ctx, question, topic)


@feature.command(
    "questions",
    help=N_("List questions: open, unanswered, mine or a topic"),
    args=[WordArg("which", N_("open (default), unanswered, mine or a topic"), required=False)],
    ephemeral=True,
)
async def questions(ctx: Context, which: str | None) -> None:
    text, blocks = await reports.listing(ctx, which)
    await ctx.reply(text, blocks=blocks, ephemeral=True)


@feature.command(
    "question stats",
    help=N_("Response times, SLA and unanswered questions for 7 and 30 days"),
    level=Level.HELPER,
    ephemeral=True,
)
async def question_stats(ctx: Context) -> None:
    text, blocks = await reports.stats_message(ctx)
    await ctx.reply(text, blocks=blocks, ephemeral=True)


@feature.command(
    "question close",
    help=N_("Close a question as duplicate, off-topic or stale (asker, helpers, moderators)"),
    args=[
        ChoiceArg(
            "reason",
            [r.value for r in CloseReason],
            N_("why it is closed"),
            labels=[CLOSE_LABELS[r] for r in CloseReason],
        ),
        IntArg(
            "question",
            N_("its number (not needed in its thread)"),
            required=False,
            min=1,
            lookup=service.suggest_unsolved,
        ),
        IntArg(
            "of", N_("for a duplicate: the original question"), required=False, min=1, option=True
        ),
    ],
    ephemeral=True,
)
async def question_close(ctx: Context, reason: str, question: int | None, of: int | None) -> None:
    closed = await service.close(ctx, CloseReason(reason), question, of)
    await ctx.reply(_("Question #{id} is closed.", id=closed.id), ephemeral=True)


@feature.command(
    "reopen",
    help=N_("Reopen a solved or closed question (asker, helpers, moderators)"),
    args=[IntArg("question", N_("its number (not needed in its thread)"), required=False, min=1)],
    ephemeral=True,
)
async def reopen(ctx: Context, question: int | None) -> None:
    reopened = await service.reopen(ctx, question)
    await ctx.reply(
        _("Question #{id} is open again; the helpers will see it.", id=reopened.id),
        ephemeral=True,
    )


@feature.command(
    "helper",
    help=N_("Volunteer to be pinged for unanswered questions: /helper on|off [topics]"),
    args=[
        ChoiceArg(
            "switch", ["on", "off"], N_("on or off"), required=False, labels=[N_("on"), N_("off")]
        ),
        ListArg("topics", N_("the topics you help with (none: all)")),
    ],
    ephemeral=True,
)
async def helper(ctx: Context, switch: str | None, topics: list[str]) -> None:
    on = None if switch is None else switch == "on"
    await ctx.reply(await service.volunteer(ctx, on, topics), ephemeral=True)


# --- events and buttons ----------------------------------------------------------------


@feature.on(MessagePosted)
async def on_message(ctx: Context, event: MessagePosted) -> None:
    await service.message_posted(ctx, event.message)


@feature.on(ReactionChanged)
async def on_reaction(ctx: Context, event: ReactionChanged) -> None:
    await service.reaction(ctx, event)


@feature.button(actions.DRAFT)
async def on_draft(ctx: Context, event: ButtonPressed) -> None:
    draft, choice = actions.parts(event.action_id)
    await service.draft_decided(ctx, int(draft), post=choice == actions.POST)


@feature.button(actions.ACCEPT)
async def on_accept(ctx: Context, event: ButtonPressed) -> None:
    (question,) = actions.parts(event.action_id)
    await service.accept_by_button(ctx, int(question), event.value)


@feature.button(actions.FOLLOW_UP)
async def on_follow_up(ctx: Context, event: ButtonPressed) -> None:
    question, answer = actions.parts(event.action_id)
    await service.follow_up_answered(ctx, int(question), solved=answer == actions.YES)


@feature.button(actions.FAQ)
async def on_faq(ctx: Context, event: ButtonPressed) -> None:
    (question,) = actions.parts(event.action_id)
    await service.faq_solved(ctx, int(question))


# --- jobs --------------------------------------------------------------------------------


@feature.job("first_response")
async def first_response(ctx: Context, payload: dict[str, Any]) -> None:
    await escalation.first_response_due(ctx, int(payload["question_id"]))


@feature.job("moderators")
async def moderators(ctx: Context, payload: dict[str, Any]) -> None:
    await escalation.moderators_due(ctx, int(payload["question_id"]))


@feature.job("ping")
async def ping(ctx: Context, payload: dict[str, Any]) -> None:
    await escalation.ping_due(ctx, int(payload["question_id"]), int(payload["person_id"]))


@feature.job("follow_up")
async def follow_up(ctx: Context, payload: dict[str, Any]) -> None:
    await service.follow_up_due(ctx, int(payload["question_id"]))


@feature.job("idle")
async def idle(ctx: Context, payload: dict[str, Any]) -> None:
    await service.idle_due(ctx, int(payload["question_id"]))


@feature.job("prune_drafts", cron="15 4 * * *")
async def prune_drafts(ctx: Context, payload: dict[str, Any]) -> None:
    """Nightly: drafts nobody posted or dropped are forgotten after a day."""
    await service.prune_drafts(ctx)


# --- people, metrics, home ---------------------------------------------------------------


@feature.forget
async def forget(ctx: Context, person_id: int) -> None:
    """Anonymise the person's questions (titles erased) so response-time stats stay true."""
    await ctx.repo(Questions).anonymize(person_id)  # type: ignore[type-abstract]


feature.export(reports.export)
feature.stats(reports.figures)
feature.home(reports.home)
