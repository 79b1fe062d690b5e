"""Surveys: multi-question forms from the config file or from chat, and exit surveys.

Surveys in `[[features.polls.surveys]]` are referred to by name; the file stays the
source of truth (an edited survey is updated in the database when next used).
Surveys made with `/survey create` are numbered. The built-in exit survey is named
"exit". Each member answers a survey once; answering again replaces the answers.
Anonymous surveys store no member with the answers (see `anonymity.py`).
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.context import Context, UserError
from bot.features.polls import render_surveys
from bot.features.polls.anonymity import new_secret, voter_token
from bot.features.polls.config import MAX_CHOICE, MAX_OPTIONS, MAX_SURVEY_QUESTIONS, PollsConfig
from bot.features.polls.feature import feature
from bot.features.polls.store import Question, Survey, SurveyStore
from bot.i18n import _, using_locale
from bot.model import FieldKind, Form, FormField, Level, MemberRecord, Option, Outgoing, Ref
from bot.text import one_line

EXIT = "exit"
MAX_ANSWER = 2000
MAX_LABEL = 200
MULTI_SEPARATOR = "\n"  # several choices of one answer, one per line (labels are one line)
KINDS = {
    "text": FieldKind.TEXT,
    "paragraph": FieldKind.PARAGRAPH,
    "choice": FieldKind.CHOICE,
    "multi": FieldKind.MULTI,
}


def store(ctx: Context) -> SurveyStore:
    return ctx.repo(SurveyStore)  # type: ignore[type-abstract]


# --- definitions ------------------------------------------------------------------------


def parse_questions(text: str) -> tuple[Question, ...]:
    """One question per line; `Question | a | b` offers choices, a leading + allows several."""
    questions: list[Question] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        multi = line.startswith("+")
        parts = [p.strip() for p in line.lstrip("+").split("|")]
        label, options = parts[0], [p for p in parts[1:] if p]
        number = len(questions) + 1
        if not label:
            raise UserError(_("Question {number} has no text.", number=number))
        if len(label) > MAX_LABEL:
            raise UserError(
                _(
                    "Question {number} is too long ({max} characters at most).",
                    number=number,
                    max=MAX_LABEL,
                )
            )
        if len(parts) > 1 and len(options) < 2:
            raise UserError(
                _(
                    "Question {number} needs at least two choices after |, "
                    "e.g. How often do you visit? | daily | weekly",
                    number=number,
                )
            )
        if any(len(option) > MAX_CHOICE for option in options):
            raise UserError(
                _(
                    "Keep the choices of question {number} under {max} characters each.",
                    number=number,
                    max=MAX_CHOICE,
                )
            )
        if len(options) > MAX_OPTIONS:
            raise UserError(
                _("Question {number} has more than {max} choices.", number=number, max=MAX_OPTIONS)
            )
        kind = ("multi" if multi else "choice") if options else "paragraph"
        questions.append(Question(f"q{number}", label, kind, tuple(options), True))
    if not questions:
        raise UserError(_("Write at least one question, one per line."))
    if len(questions) > MAX_SURVEY_QUESTIONS:
        raise UserError(_("A survey can have at most {max} questions.", max=MAX_SURVEY_QUESTIONS))
    return tuple(questions)


def _from_config(config: PollsConfig, name: str) -> tuple[str, tuple[Question, ...], bool] | None:
    found = config.survey(name)
    if found is None:
        return None
    questions = tuple(
        Question(q.id, q.label, q.kind, tuple(q.options), q.required) for q in found.questions
    )
    return found.title, questions, found.anonymous


def _exit_definition(ctx: Context) -> tuple[str, tuple[Question, ...], bool]:
    config = ctx.config_of(PollsConfig)
    if config.exit_survey_form:
        chosen = _from_config(config, config.exit_survey_form)
        if chosen is not None:
            return chosen
    with using_locale(ctx.runtime.config.bot.language):
        return render_surveys.builtin_exit_survey()


async def find(ctx: Context, handle: str) -> Survey:
    """A survey by number or name; config and exit surveys are created on first use."""
    word = handle.strip().lower()
    if word.isdigit():
        survey = await store(ctx).get(int(word))
        if survey is None:
            raise UserError(_("There is no survey {name}. /survey list shows them.", name=word))
        return survey
    if word == EXIT:
        return await _synced(ctx, EXIT, _exit_definition(ctx))
    defined = _from_config(ctx.config_of(PollsConfig), word)
    if defined is None:
        raise UserError(_("There is no survey {name}. /survey list shows them.", name=word))
    return await _synced(ctx, word, defined)


async def _synced(
    ctx: Context, name: str, definition: tuple[str, tuple[Question, ...], bool]
) -> Survey:
    title, questions, anonymous = definition
    found = await store(ctx).by_name(name)
    if found is None:
        return await store(ctx).create(
            name=name,
            title=title,
            questions=questions,
            anonymous=anonymous,
            secret=new_secret(),
            creator=None,
            at=ctx.now(),
        )
    if (found.title, found.questions, found.anonymous) != (title, questions, anonymous):
        await store(ctx).redefine(found.id, title, questions, anonymous)
        refreshed = await store(ctx).get(found.id)
        assert refreshed is not None
        return refreshed
    return found


async def create(ctx: Context, title: str, questions_text: str, anonymous: bool) -> Survey:
    ctx.require(Level.MODERATOR)
    title = one_line(title, limit=MAX_LABEL)
    if not title:
        raise UserError(_("Give the survey a title."))
    return await store(ctx).create(
        name=None,
        title=title,
        questions=parse_questions(questions_text),
        anonymous=anonymous,
        secret=new_secret(),
        creator=ctx.actor.person_id if ctx.actor else None,
        at=ctx.now(),
    )


async def everything(ctx: Context) -> list[tuple[Survey, int]]:
    """Every survey with its response count, the config's not-yet-used ones included."""
    for definition in ctx.config_of(PollsConfig).surveys:
        await find(ctx, definition.name)
    return list(await store(ctx).all())


# --- sending and answering -------------------------------------------------------------


async def send_to_channel(ctx: Context, survey: Survey, channel: Ref) -> int:
    ctx.require(Level.MODERATOR)
    _refuse_closed(survey)
    async with ctx.in_public(channel):
        text, blocks = render_surveys.invitation(survey)
    sent = 0
    for target in [channel, *await ctx.bridged(channel)]:
        if await ctx.send(Outgoing(text, blocks, channel=target)) is not None:
            sent += 1
    if not sent:
        raise UserError(_("I could not post there. Check that I may write in that channel."))
    return sent


async def send_to_role(ctx: Context, survey: Survey, role: str) -> tuple[int, int]:
    """DM the survey to every active member holding `role`: (reached, not reachable)."""
    ctx.require(Level.MODERATOR)
    _refuse_closed(survey)
    here = ctx.channel.ref if ctx.channel else (ctx.actor.ref if ctx.actor else None)
    if here is None:
        return 0, 0
    audience = await store(ctx).audience(here.platform, here.workspace, role)
    if not audience:
        raise UserError(_("Nobody here has the role {role}.", role=role))
    reached = 0
    for member in audience:
        record = await ctx.directory.get(member)
        if record is None:
            continue
        if await _dm_invitation(ctx, survey, record):
            reached += 1
    return reached, len(audience) - reached


async def _dm_invitation(ctx: Context, survey: Survey, member: MemberRecord) -> bool:
    with ctx.speaking_to(member):
        text, blocks = render_surveys.invitation(survey, direct=True)
    return ctx.deliver(Outgoing(text, blocks, dm=member.ref))


def _refuse_closed(survey: Survey) -> None:
    if survey.closed_at is not None:
        raise UserError(_("Survey {name} is closed.", name=survey.handle))


def form_for(survey: Survey) -> Form:
    fields = tuple(
        FormField(
            q.id,
            one_line(q.label, limit=MAX_LABEL),
            KINDS.get(q.kind, FieldKind.TEXT),
            tuple(Option(o, o) for o in q.options),
            q.required,
        )
        for q in survey.questions
    )
    return Form(
        feature.action_id("survey", survey.id),
        one_line(survey.title, limit=100),
        fields,
        submit_label=_("Send"),
    )


async def open_form(ctx: Context, survey_id: int) -> Survey:
    survey = await store(ctx).get(survey_id)
    if survey is None:
        raise UserError(_("This survey no longer exists."))
    _refuse_closed(survey)
    await ctx.open_form(form_for(survey))
    return survey


def clean_answers(survey: Survey, values: Mapping[str, str]) -> dict[str, str]:
    """Check a submitted form against the questions; choices may be given by number."""
    answers: dict[str, str] = {}
    for question in survey.questions:
        raw = (values.get(question.id) or "").strip()
        if not raw:
            if question.required:
                raise UserError(
                    _("Please answer “{question}”.", question=one_line(question.label, limit=100))
                )
            continue
        if question.kind == "choice":
            answers[question.id] = _choice(question, raw)
        elif question.kind == "multi":
            parts = raw.replace("\n", ",").split(",")
            picked = [_choice(question, part) for part in parts if part.strip()]
            answers[question.id] = MULTI_SEPARATOR.join(dict.fromkeys(picked))
        else:
            if len(raw) > MAX_ANSWER:
                raise UserError(
                    _("Please keep each answer under {max} characters.", max=MAX_ANSWER)
                )
            answers[question.id] = raw
    return answers


def _choice(question: Question, raw: str) -> str:
    """An option by its text (what platforms send back), else by its number (typed)."""
    word = raw.strip()
    for option in question.options:
        if option.casefold() == word.casefold():
            return option
    if word.isdigit() and 1 <= int(word) <= len(question.options):
        return question.options[int(word) - 1]
    raise UserError(
        _(
            "“{value}” is not a choice for “{question}”. Choose one of: {choices}.",
            value=one_line(word, limit=80),
            question=one_line(question.label, limit=100),
            choices=", ".join(question.options),
        )
    )


async def answer(ctx: Context, survey_id: int, values: Mapping[str, str]) -> tuple[Survey, bool]:
    """Store the actor's answers; True for a first response."""
    actor = ctx.member()
    survey = await store(ctx).get(survey_id)
    if survey is None:
        raise UserError(_("This survey no longer exists."))
    _refuse_closed(survey)
    answers = clean_answers(survey, values)
    respondent = voter_token(survey.secret, actor.person_id)
    person = None if survey.anonymous else actor.person_id
    first = await store(ctx).respond(survey.id, respondent, person, answers, ctx.now())
    return survey, first


async def close(ctx: Context, handle: str) -> Survey:
    ctx.require(Level.MODERATOR)
    survey = await find(ctx, handle)
    if not await store(ctx).close(survey.id, ctx.now()):
        raise UserError(_("Survey {name} is already closed.", name=survey.handle))
    return survey


async def summary(ctx: Context, handle: str) -> str:
    ctx.require(Level.MODERATOR)
    survey = await find(ctx, handle)
    responses = await store(ctx).responses(survey.id)
    return render_surveys.summary(survey, responses)


# --- exit surveys ----------------------------------------------------------------------


async def ask_leaver(ctx: Context, member: MemberRecord) -> bool:
    """DM a member who left the exit survey, if the platform still lets us; never fails."""
    survey = await find(ctx, EXIT)
    if survey.closed_at is not None:
        return False
    with ctx.speaking_to(member):
        text, blocks = render_surveys.exit_invitation(survey, ctx.community)
    return ctx.deliver(Outgoing(text, blocks, dm=member.ref))
