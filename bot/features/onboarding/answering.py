"""The questionnaire, one question at a time in a DM, every question skippable.

Each question message carries its own buttons (`answer:<question>:<option>`), menu
(`pick:<question>`) or "Answer" form (`write:<question>`), so the flow needs no
cursor: answering or skipping question N asks N+1, and an old message answered
again just updates that answer. A several-choices menu may report every change
(Slack does), so its choices are saved as they come and "Next" moves on.

Answers may also set the member's language or time zone and give Discord roles;
changing an answer takes back the roles it no longer earns. `/profile edit` walks
the same path with the current answers shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.context import Context, UserError
from bot.features.onboarding import actions, delivery, mentoring, questionnaire, render
from bot.features.onboarding.config import OnboardingConfig, QuestionConfig
from bot.features.onboarding.jobs import follow_up_key
from bot.features.onboarding.store import Progress, answer_store, newcomers
from bot.i18n import SUPPORTED_LOCALES, current_locale, using_locale
from bot.model import FieldKind, Form, FormField, MemberRecord, Ref

MAX_TEXT = 500


def _config(ctx: Context) -> OnboardingConfig:
    return ctx.config_of(OnboardingConfig)


def _fallback(ctx: Context) -> str:
    return ctx.runtime.config.bot.language


async def send_question(
    ctx: Context, member: Ref, question: QuestionConfig, current: Sequence[str] = ()
) -> None:
    number, total = questionnaire.position(_config(ctx), question.id)
    text, blocks = render.question_message(question, number, total, _fallback(ctx), current)
    delivery.dm(ctx, member, text, blocks)


async def start(ctx: Context, *, from_first: bool = False) -> None:
    """Ask the first question not answered yet (or the very first, to review answers)."""
    actor = ctx.member()
    cfg = _config(ctx)
    questions = questionnaire.usable(cfg)
    if not questions:
        raise UserError(render.no_questions())
    answers = await answer_store(ctx).of(actor.person_id)
    pending = [q for q in questions if q.id not in answers]
    question = questions[0] if from_first or not pending else pending[0]
    newcomer = await newcomers(ctx).get(actor.person_id)
    if newcomer is not None and not newcomer.progress.finished:
        await newcomers(ctx).set_progress(actor.person_id, Progress.ASKING)
    await send_question(ctx, actor.ref, question, answers.get(question.id, ()))


async def answer(
    ctx: Context, question_id: str, values: Sequence[str], message: Ref | None
) -> None:
    """Store an answer (option ids, or one text), apply what it sets, ask the next one."""
    actor = ctx.member()
    cfg = _config(ctx)
    question = _question(cfg, question_id)
    fallback = _fallback(ctx)
    if question.choice:
        try:
            stored = [o.id for o in questionnaire.chosen(question, values)]
        except questionnaire.UnknownOption:
            raise UserError(render.bad_choice(question, fallback)) from None
        if not stored and question.kind != "multi":
            raise UserError(render.bad_choice(question, fallback))
    else:
        stored = [_text_answer(question, values)]
    earned = questionnaire.roles_of(cfg, await answer_store(ctx).of(actor.person_id))
    await answer_store(ctx).put(actor.person_id, question.id, stored, ctx.now())
    locale = await _apply(ctx, actor, question, stored)
    await sync_roles(ctx, actor.person_id, earned)
    if question.kind == "multi" and message is not None:
        # The menu stays until "Next": show what is chosen so far.
        number, total = questionnaire.position(cfg, question.id)
        text, blocks = render.question_message(question, number, total, fallback, stored)
        await delivery.edit(ctx, message, text, blocks)
        return
    with using_locale(locale):
        await delivery.edit(ctx, message, render.question_answered(question, stored, fallback))
        await advance(ctx, question)


async def next_question(ctx: Context, question_id: str, message: Ref | None) -> None:
    """Done choosing under a several-choices question (its "Next" button)."""
    actor = ctx.member()
    question = _question(_config(ctx), question_id)
    chosen = (await answer_store(ctx).of(actor.person_id)).get(question.id, [])
    await delivery.edit(ctx, message, render.question_answered(question, chosen, _fallback(ctx)))
    await advance(ctx, question)


async def skip(ctx: Context, question_id: str, message: Ref | None) -> None:
    """Go on without answering; an earlier answer (from `/profile edit`) stays as it was."""
    actor = ctx.member()
    question = _question(_config(ctx), question_id)
    kept = (await answer_store(ctx).of(actor.person_id)).get(question.id, [])
    await delivery.edit(ctx, message, render.question_answered(question, kept, _fallback(ctx)))
    await advance(ctx, question)


async def skip_all(ctx: Context) -> None:
    actor = ctx.member()
    await _finished(ctx, actor, Progress.SKIPPED)
    await ctx.reply(render.questionnaire_done(skipped=True))
    await mentoring.pair_if_due(ctx, actor.person_id)


async def _finished(ctx: Context, actor: MemberRecord, progress: Progress) -> None:
    """The questionnaire is over: record it; no reminder is needed unless the gate holds."""
    newcomer = await newcomers(ctx).get(actor.person_id)
    if newcomer is None:
        return
    if newcomer.progress is not Progress.DONE:
        await newcomers(ctx).set_progress(actor.person_id, progress)
    if not (_config(ctx).gated and newcomer.must_agree):
        await ctx.cancel(follow_up_key(actor.person_id))


async def advance(ctx: Context, question: QuestionConfig) -> None:
    actor = ctx.member()
    following = questionnaire.after(_config(ctx), question.id)
    if following is not None:
        answers = await answer_store(ctx).of(actor.person_id)
        await send_question(ctx, actor.ref, following, answers.get(following.id, ()))
        return
    await _finished(ctx, actor, Progress.DONE)
    profile = "/" + ctx.command_path("profile", actor.ref.platform)
    delivery.dm(ctx, actor.ref, render.questionnaire_done(False, profile))
    await mentoring.pair_if_due(ctx, actor.person_id)


async def open_text_form(ctx: Context, question_id: str) -> None:
    question = _question(_config(ctx), question_id)
    label = render.localized(question.text, _fallback(ctx))
    zone = question.sets == "timezone"
    await ctx.open_form(
        Form(
            actions.action_id(actions.TEXT, question.id),
            render.text_form_title(question, _fallback(ctx)),
            (
                FormField(
                    "answer",
                    label[:45],
                    FieldKind.TEXT if zone else FieldKind.PARAGRAPH,
                    placeholder="Europe/Oslo" if zone else "",
                ),
            ),
            submit_label=render.save_label(),
        )
    )


def _question(cfg: OnboardingConfig, question_id: str) -> QuestionConfig:
    question = questionnaire.find(cfg, question_id)
    if question is None:
        raise UserError(render.question_gone())
    return question


def _text_answer(question: QuestionConfig, values: Sequence[str]) -> str:
    text = " ".join(values).strip()
    if not text:
        raise UserError(render.answer_empty())
    if len(text) > MAX_TEXT:
        raise UserError(render.answer_too_long(MAX_TEXT))
    if question.sets == "timezone":
        try:
            ZoneInfo(text)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            lowered = text.lower()
            close = sorted(z for z in available_timezones() if lowered in z.lower())[:5]
            raise UserError(render.bad_timezone(text, close)) from None
    return text


async def _apply(
    ctx: Context, actor: MemberRecord, question: QuestionConfig, stored: Sequence[str]
) -> str:
    """The language or time zone the answer sets; returns the language to go on in."""
    if question.sets == "language" and stored and stored[0] in SUPPORTED_LOCALES:
        await ctx.directory.set_person_prefs(actor.person_id, locale=stored[0])
        return stored[0]
    if question.sets == "timezone" and stored:
        await ctx.directory.set_person_prefs(actor.person_id, timezone=stored[0])
    return current_locale()


async def sync_roles(ctx: Context, person_id: int, before: set[str]) -> None:
    """Give the roles the answers earn now and take back those they earned `before` only."""
    cfg = _config(ctx)
    now = questionnaire.roles_of(cfg, await answer_store(ctx).of(person_id))
    if now == before:
        return
    for account in await delivery.present_accounts(ctx, person_id):
        for role in sorted(now - before):
            await delivery.set_role(ctx, account.ref, role, given=True)
        for role in sorted(before - now):
            await delivery.set_role(ctx, account.ref, role, given=False)
