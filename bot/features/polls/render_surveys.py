"""Messages of surveys: invitations, the exit survey, per-question summaries, lists."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from bot.features.polls.feature import feature
from bot.features.polls.store import Question, Response, Survey
from bot.formatting import number, percent
from bot.i18n import _, ngettext
from bot.model import Block, Button, Buttons, ButtonStyle, Section
from bot.text import one_line

TEXT_ANSWERS_SHOWN = 5


def builtin_exit_survey() -> tuple[str, tuple[Question, ...], bool]:
    """Two short questions, anonymous: people leaving answer more honestly that way."""
    reasons = (
        _("I found what I needed"),
        _("Not enough activity"),
        _("The topics are not for me"),
        _("I did not feel welcome"),
        _("Too many notifications"),
        _("Something else"),
    )
    questions = (
        Question("reason", _("Why are you leaving?"), "choice", reasons, True),
        Question("better", _("What could we have done better?"), "paragraph", (), False),
    )
    return _("Before you go"), questions, True


def _answer_button(survey: Survey) -> Buttons:
    button = Button(
        feature.action_id("answer", survey.id), _("Answer"), str(survey.id), ButtonStyle.PRIMARY
    )
    return Buttons((button,))


def invitation(survey: Survey, *, direct: bool = False) -> tuple[str, tuple[Block, ...]]:
    count = len(survey.questions)
    lines = [
        _("📋 Survey: {title}", title=one_line(survey.title, limit=200)),
        ngettext(
            "{n} question — click Answer to fill it in.",
            "{n} questions — click Answer to fill them in.",
            count,
        ),
    ]
    if survey.anonymous:
        lines.append(_("Answers are anonymous: nobody can see who wrote what."))
    elif direct:
        lines.append(_("Your answers are seen only by the moderators."))
    text = "\n".join(lines)
    return text, (Section(text), _answer_button(survey))


def exit_invitation(survey: Survey, community: str) -> tuple[str, tuple[Block, ...]]:
    text = _(
        "Sorry to see you leave {community}. Would you tell us why? It takes a minute, "
        "and it helps us do better for everyone who stays.",
        community=community,
    )
    if survey.anonymous:
        text += " " + _("Your answers are anonymous.")
    return text, (Section(text), _answer_button(survey))


def answered_text(survey: Survey, first: bool) -> str:
    if first:
        return _("Thank you! Your answers to “{title}” are saved.", title=survey.title)
    return _("Thank you! Your answers to “{title}” are updated.", title=survey.title)


def created_text(survey: Survey) -> str:
    return _(
        "Survey {id} “{title}” is ready. Post it with /survey send {id} (in a channel, or "
        "--role NAME to DM a group), see answers with /survey results {id}.",
        id=survey.id,
        title=one_line(survey.title, limit=200),
    )


def survey_list(items: Sequence[tuple[Survey, int]]) -> str:
    if not items:
        return _("No surveys yet. Define them in the config file or use /survey create.")
    lines = [_("Surveys:")]
    for survey, responses in items:
        state = _("closed") if survey.closed_at is not None else _("open")
        lines.append(
            ngettext(
                "{handle} — {title}: {n} response, {state}",
                "{handle} — {title}: {n} responses, {state}",
                responses,
                n=number(responses),
                handle=survey.handle,
                title=one_line(survey.title, limit=80),
                state=state,
            )
        )
    return "\n".join(lines)


def _choice_lines(question: Question, answers: Sequence[str], total: int) -> list[str]:
    counts: Counter[str] = Counter()
    for answer in answers:
        for part in answer.split("\n") if question.kind == "multi" else [answer]:
            counts[part] += 1
    lines = []
    for option in question.options:
        count = counts.get(option, 0)
        share = percent(count / total if total else 0)
        lines.append(f"   {one_line(option, limit=80)} — {number(count)} ({share})")
    return lines


def _text_lines(answers: Sequence[str]) -> list[str]:
    shown = [f"   “{one_line(a, limit=200)}”" for a in answers[-TEXT_ANSWERS_SHOWN:]]
    hidden = len(answers) - len(shown)
    if hidden > 0:
        shown.append("   " + ngettext("… and {n} more", "… and {n} more", hidden))
    return shown


def summary(survey: Survey, responses: Sequence[Response]) -> str:
    """Per question: counts and shares for choices, the latest answers for free text."""
    total = len(responses)
    lines = [
        ngettext(
            "📋 Survey “{title}” ({handle}) — {n} response",
            "📋 Survey “{title}” ({handle}) — {n} responses",
            total,
            n=number(total),
            title=one_line(survey.title, limit=200),
            handle=survey.handle,
        )
    ]
    for position, question in enumerate(survey.questions, start=1):
        answers = [r.answers[question.id] for r in responses if r.answers.get(question.id)]
        if question.kind in ("choice", "multi"):
            lines.append(f"{position}. {one_line(question.label, limit=200)}")
            lines += _choice_lines(question, answers, total)
        else:
            lines.append(
                ngettext(
                    "{number}. {question} — {n} answer",
                    "{number}. {question} — {n} answers",
                    len(answers),
                    n=number(len(answers)),
                    number=position,
                    question=one_line(question.label, limit=200),
                )
            )
            lines += _text_lines(answers)
    if total:
        lines.append(
            _(
                "All answers as CSV: agora export survey {handle} (on the server).",
                handle=survey.handle,
            )
        )
    return "\n".join(lines)
