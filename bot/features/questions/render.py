"""Every message of question tracking: plain text first, blocks for the rich rendering.

Functions take what they show (mentions and links already made by the platform), so
they stay pure and each message can be read here in one place. Member-typed text
(titles) goes through `bot.text` so it can never ping anyone when echoed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from babel.dates import format_timedelta

from bot.features.questions.stats import Summary
from bot.features.questions.store import CloseReason, Question, State
from bot.formatting import number, percent
from bot.i18n import N_, _, current_locale, ngettext
from bot.model import Block, Button, Buttons, ButtonStyle, Context, Fields, Section
from bot.text import neutral, one_line

Message = tuple[str, tuple[Block, ...]]

_Unit = Literal["day", "hour", "minute"]
_UNITS: tuple[tuple[_Unit, int], ...] = (("day", 86400), ("hour", 3600), ("minute", 60))
_REASONS = {
    CloseReason.DUPLICATE: N_("duplicate"),
    CloseReason.OFF_TOPIC: N_("off-topic"),
    CloseReason.STALE: N_("stale"),
}
_STATES = {
    State.OPEN: N_("waiting for a first answer"),
    State.ANSWERED: N_("answered, not solved yet"),
    State.SOLVED: N_("solved"),
    State.CLOSED: N_("closed"),
}


def duration(delta: timedelta) -> str:
    """`1 hr 35 min`, `2 days 3 hr`: the two largest units, in the member's language."""
    seconds = int(delta.total_seconds())
    if seconds < 60:
        return format_timedelta(
            timedelta(seconds=max(seconds, 0)),
            granularity="second",
            threshold=1000,
            format="short",
            locale=current_locale(),
        )
    parts: list[str] = []
    for unit, size in _UNITS:
        amount, seconds = divmod(seconds, size)
        if amount and len(parts) < 2:
            parts.append(
                format_timedelta(
                    timedelta(seconds=amount * size),
                    granularity=unit,
                    threshold=1000,
                    format="short",
                    locale=current_locale(),
                )
            )
        elif parts:
            break
    return " ".join(parts)


def state_name(state: State) -> str:
    return _(_STATES[state])


def reason_name(reason: CloseReason) -> str:
    return _(_REASONS[reason])


def title_of(question: Question, *, limit: int = 200) -> str:
    return one_line(question.title, limit=limit) if question.title else _("(question text erased)")


def thread_name(question: Question, asker_name: str) -> str:
    if question.title:
        return one_line(_("Question {id}: {title}", id=question.id, title=question.title), limit=90)
    return one_line(_("Question {id} from {name}", id=question.id, name=asker_name), limit=90)


# --- opening ---------------------------------------------------------------------------


def question_post(question: Question, asker: str, accept_emoji: str) -> Message:
    """The root message of a question asked with /ask (edited when its state changes)."""
    if question.state is State.SOLVED:
        head = _("✅ Solved — question #{id} from {asker}", id=question.id, asker=asker)
    elif question.state is State.CLOSED and question.close_reason is not None:
        head = _(
            "🔒 Closed ({reason}) — question #{id} from {asker}",
            reason=reason_name(question.close_reason),
            id=question.id,
            asker=asker,
        )
    else:
        head = _("❓ Question #{id} from {asker}", id=question.id, asker=asker)
    if question.topic:
        head += " · " + _("topic: {topic}", topic=question.topic)
    body = neutral(question.title) if question.title else _("(question text erased)")
    hint = _(
        "Answer in the thread; react {emoji} to the answer that solves it.", emoji=accept_emoji
    )
    text = "\n".join([head, body, hint]) if question.state.unsolved else f"{head}\n{body}"
    blocks: tuple[Block, ...] = (Section(head), Section(body))
    if question.state.unsolved:
        blocks += (Context(hint),)
    return text, blocks


def posted_confirmation(question: Question, where: str, link: str, sla: timedelta) -> str:
    return _(
        "Your question is #{id} in {where}: {link}. If nobody answers within {sla}, "
        "I'll bring in the helpers.",
        id=question.id,
        where=where,
        link=link,
        sla=duration(sla),
    )


@dataclass(frozen=True, slots=True)
class Suggestion:
    question_id: int
    title: str
    link: str


def _suggestion_lines(suggestions: Sequence[Suggestion]) -> list[str]:
    return [f"• #{s.question_id} {one_line(s.title, limit=150)} — {s.link}" for s in suggestions]


def suggestions_before_posting(
    suggestions: Sequence[Suggestion], solved_id: str, post_id: str
) -> Message:
    head = _("Before you post: these solved questions look similar.")
    ask = _("Did one of them answer your question?")
    lines = _suggestion_lines(suggestions)
    text = "\n".join([head, *lines, ask])
    buttons = Buttons(
        (
            Button(solved_id, _("That solved it"), style=ButtonStyle.PRIMARY),
            Button(post_id, _("Post anyway")),
        )
    )
    return text, (Section(head), Section("\n".join(lines)), Section(ask), buttons)


def deflected() -> str:
    return _("Glad that helped! Nothing was posted. Ask again any time with /ask.")


def draft_gone() -> str:
    return _("This question was already posted or dropped. Use /ask to ask again.")


def tracking_notice(
    question: Question,
    asker: str,
    sla: timedelta,
    accept_emoji: str,
    suggestions: Sequence[Suggestion],
    solved_id: str,
) -> Message:
    """First message in the thread of a question opened by emoji or in a help channel."""
    head = _(
        "{asker}, I'm tracking this as question #{id}. If nobody answers within {sla}, I'll "
        "bring in the helpers. React {emoji} to the answer that solves it.",
        asker=asker,
        id=question.id,
        sla=duration(sla),
        emoji=accept_emoji,
    )
    if not suggestions:
        return head, (Section(head),)
    intro = _("These solved questions may already answer it:")
    lines = _suggestion_lines(suggestions)
    text = "\n".join([head, intro, *lines])
    button = Buttons((Button(solved_id, _("That solved it"), style=ButtonStyle.PRIMARY),))
    return text, (Section(head), Section(intro), Section("\n".join(lines)), button)


# --- answering and solving --------------------------------------------------------------


def accept_prompt(asker: str, answerer: str, accept_id: str, reply: str, emoji: str) -> Message:
    text = _(
        "{asker}: {answerer} answered. If that solves your question, react {emoji} to the "
        "answer or press Accept.",
        asker=asker,
        answerer=answerer,
        emoji=emoji,
    )
    label = one_line(_("Accept {name}'s answer", name=answerer.lstrip("@")), limit=80)
    return text, (
        Section(text),
        Buttons((Button(accept_id, label, value=reply, style=ButtonStyle.PRIMARY),)),
    )


def solved(accepted_by: str, answerer: str | None, by_asker: bool) -> str:
    if answerer is None:
        return _("✅ Solved! {who} marked this question as solved.", who=accepted_by)
    if by_asker:
        return _(
            "✅ Solved! {asker} accepted {answerer}'s answer. Thank you, {answerer}!",
            asker=accepted_by,
            answerer=answerer,
        )
    return _(
        "✅ Solved! {who} marked {answerer}'s answer as the solution. Thank you, {answerer}!",
        who=accepted_by,
        answerer=answerer,
    )


def follow_up(asker: str, yes_id: str, no_id: str) -> Message:
    text = _("{asker}, did the answers here solve your question?", asker=asker)
    buttons = Buttons(
        (
            Button(yes_id, _("Yes, it's solved"), style=ButtonStyle.PRIMARY),
            Button(no_id, _("No, I still need help")),
        )
    )
    return text, (Section(text), buttons)


def still_stuck(asker: str, pinged: Sequence[str]) -> str:
    if pinged:
        return _(
            "Thanks, {asker}. I've asked the helpers to take another look: {helpers}.",
            asker=asker,
            helpers=", ".join(pinged),
        )
    return _(
        "Thanks, {asker}. The helpers will get another ping as soon as one of them is around.",
        asker=asker,
    )


def closed(by: str | None, reason: CloseReason, duplicate: str | None) -> str:
    if duplicate is not None:
        return _("🔒 Closed by {who} as a duplicate of {original}.", who=by, original=duplicate)
    if by is None:
        return _("🔒 Closed as {reason}.", reason=reason_name(reason))
    return _("🔒 Closed by {who} as {reason}.", who=by, reason=reason_name(reason))


def closed_idle(question_id: int, idle: timedelta) -> str:
    return _(
        "🔒 Closed after {idle} without activity. If you still need help, type /reopen "
        "{id} and the helpers will see it again.",
        idle=duration(idle),
        id=question_id,
    )


def reopened(by: str) -> str:
    return _("🔓 {who} reopened this question.", who=by)


# --- escalation ------------------------------------------------------------------------


def helpers_pinged(asker: str, waited: timedelta, pinged: Sequence[str], later: int) -> str:
    """Tells the asker (in the thread) who was brought in; mentions ping the helpers."""
    if pinged:
        text = _(
            "{asker}, nobody has answered in {waited}, so I've asked the helpers: {helpers}.",
            asker=asker,
            waited=duration(waited),
            helpers=", ".join(pinged),
        )
    else:
        text = _(
            "{asker}, nobody has answered in {waited}. The helpers are outside their hours "
            "right now; each gets a ping when their day starts.",
            asker=asker,
            waited=duration(waited),
        )
    if pinged and later:
        text += " " + ngettext(
            "One more helper gets a ping when their day starts.",
            "{n} more helpers get a ping when their day starts.",
            later,
        )
    return text


def moderators_told(asker: str) -> str:
    return _(
        "{asker}, there is still no answer, so I've brought in the moderators. Thank you "
        "for your patience.",
        asker=asker,
    )


def moderator_alert(question: Question, waited: timedelta, link: str, pinged: Sequence[str]) -> str:
    topic = " " + _("(topic: {topic})", topic=question.topic) if question.topic else ""
    text = _(
        "🚨 Question #{id}{topic} has waited {waited} without an answer, helpers included: "
        "“{title}” {link}",
        id=question.id,
        topic=topic,
        waited=duration(waited),
        title=title_of(question, limit=150),
        link=link,
    )
    return f"{text} {' '.join(pinged)}" if pinged else text


def helper_dm(question: Question, platform: str, link: str) -> str:
    topic = " " + _("(topic: {topic})", topic=question.topic) if question.topic else ""
    return _(
        "A question on {platform} is waiting for an answer — can you help? #{id}{topic}: "
        "“{title}” {link}",
        platform=platform,
        id=question.id,
        topic=topic,
        title=title_of(question, limit=150),
        link=link,
    )


# --- lists and statistics ----------------------------------------------------------------


def listing(heading: str, entries: Sequence[tuple[Question, timedelta, str]]) -> Message:
    if not entries:
        text = _("No questions here. 🎉")
        return f"{heading}\n{text}", (Section(heading), Section(text))
    lines = []
    for question, age, link in entries:
        topic = f" · {question.topic}" if question.topic else ""
        lines.append(
            f"#{question.id} · {duration(age)} · {state_name(question.state)}{topic} · "
            f"{title_of(question, limit=80)} {link}"
        )
    return "\n".join([heading, *lines]), (Section(heading), Section("\n".join(lines)))


def _times(middle: timedelta | None, p90: timedelta | None) -> str:
    if middle is None or p90 is None:
        return "–"
    return f"{duration(middle)} / {duration(p90)}"


def stats_report(
    windows: Sequence[tuple[int, Summary, int]],
    unanswered_now: int,
    sla: timedelta,
    topics: Sequence[tuple[str | None, Summary]],
) -> Message:
    """`windows` are (days, summary, deflections); `topics` cover the longest window."""
    spans = " | ".join(ngettext("last {n} day", "last {n} days", days) for days, _s, _d in windows)
    head = _("Questions — {windows}", windows=spans)
    rows: list[tuple[str, str]] = [
        (_("Asked"), " | ".join(number(s.asked) for _d, s, _f in windows)),
        (
            _("First answer within {sla}", sla=duration(sla)),
            " | ".join(percent(s.within_sla) for _d, s, _f in windows),
        ),
        (
            _("Time to first answer (median / p90)"),
            " | ".join(
                _times(s.first_response_median, s.first_response_p90) for _d, s, _f in windows
            ),
        ),
        (
            _("Time to solution (median / p90)"),
            " | ".join(_times(s.solution_median, s.solution_p90) for _d, s, _f in windows),
        ),
        (_("Solved"), " | ".join(number(s.solved) for _d, s, _f in windows)),
        (_("Still unanswered"), " | ".join(number(s.unanswered) for _d, s, _f in windows)),
        (_("Answered by the FAQ"), " | ".join(number(f) for _d, _s, f in windows)),
    ]
    waiting = ngettext(
        "{n} question is waiting for a first answer right now.",
        "{n} questions are waiting for a first answer right now.",
        unanswered_now,
    )
    lines = [head, *(f"{label}: {value}" for label, value in rows), waiting]
    blocks: list[Block] = [Section(head), Fields(tuple(rows)), Section(waiting)]
    if topics:
        days = windows[-1][0]
        title = ngettext("By topic (last {n} day):", "By topic (last {n} days):", days)
        topic_lines = [
            _(
                "{topic}: {asked} asked, first answer {times}, {unanswered} unanswered",
                topic=topic or _("no topic"),
                asked=number(summary.asked),
                times=_times(summary.first_response_median, summary.first_response_p90),
                unanswered=number(summary.unanswered),
            )
            for topic, summary in topics
        ]
        lines += [title, *topic_lines]
        blocks += [Section(title), Section("\n".join(topic_lines))]
    return "\n".join(lines), tuple(blocks)
