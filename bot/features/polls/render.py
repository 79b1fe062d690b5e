"""Poll and quiz messages: the live poll, its closed form, results, lists, feedback.

`text` is always the whole message in plain words (the console shows it, screen
readers read it); blocks add the buttons and the chart. Member-typed questions and
options pass through `bot.text` so they never ping anyone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.features.polls.feature import feature
from bot.features.polls.store import Poll, PollKind, Schedule, Tally
from bot.formatting import number, percent, when
from bot.i18n import _, ngettext
from bot.model import Block, Button, Buttons, Context, Image, Section
from bot.text import one_line

Rendered = tuple[str, tuple[Block, ...]]

BAR_WIDTH = 10
BUTTON_LABEL = 80
FULL, EMPTY = "█", "░"


def share(count: int, voters: int) -> str:
    """`42%`: the part of the voters who chose an option, as the language writes it."""
    return percent(count / voters if voters else 0)


def bar(count: int, voters: int) -> str:
    filled = round(BAR_WIDTH * count / voters) if voters else 0
    return FULL * filled + EMPTY * (BAR_WIDTH - filled)


def label(option: str) -> str:
    return one_line(option, limit=BUTTON_LABEL)


def title(poll: Poll) -> str:
    question = one_line(poll.spec.question, limit=300)
    if poll.spec.kind is PollKind.QUIZ:
        return _("🧠 Quiz #{id}: {question}", id=poll.id, question=question)
    return _("📊 Poll #{id}: {question}", id=poll.id, question=question)


def _count_line(index: int, option: str, count: int, voters: int, mark: str = "") -> str:
    return _(
        "{number}. {option}{mark}  {bar} {count} · {percent}",
        number=index + 1,
        option=label(option),
        mark=mark,
        bar=bar(count, voters),
        count=number(count),
        percent=share(count, voters),
    )


def _options(poll: Poll, tally: Tally, *, counts: bool, reveal: bool) -> list[str]:
    lines = []
    for index, option in enumerate(poll.spec.options):
        mark = " ✅" if reveal and index == poll.spec.correct else ""
        if counts:
            lines.append(_count_line(index, option, tally.counts[index], tally.voters, mark))
        else:
            lines.append(f"{index + 1}. {label(option)}{mark}")
    return lines


def _facts(poll: Poll, tally: Tally, timezone: str) -> str:
    facts = [ngettext("{n} voter", "{n} voters", tally.voters, n=number(tally.voters))]
    facts.append(_("several choices") if poll.spec.multi else _("one choice"))
    if poll.spec.anonymous:
        facts.append(_("anonymous"))
    if poll.closed_at is not None:
        facts.append(_("closed {when}", when=when(poll.closed_at, timezone)))
    elif poll.closes_at is not None:
        facts.append(_("closes {when}", when=when(poll.closes_at, timezone)))
    else:
        facts.append(_("open until closed"))
    return " · ".join(facts)


def shows_counts(poll: Poll, live_results: bool) -> bool:
    """Counts are visible once closed; before that unless hidden (quizzes always are)."""
    if not poll.is_open:
        return True
    return live_results and not poll.spec.hidden and poll.spec.kind is PollKind.POLL


def poll_message(
    poll: Poll, tally: Tally, *, live_results: bool, timezone: str, creator: str | None
) -> Rendered:
    """The poll as posted: question, options (with counts when live), vote buttons."""
    counts = shows_counts(poll, live_results)
    head = title(poll)
    if not poll.is_open:
        head = _("{title} (closed)", title=head)
    lines = [head, *_options(poll, tally, counts=counts, reveal=not poll.is_open)]
    lines.append(_facts(poll, tally, timezone))
    if poll.is_open:
        if poll.spec.kind is PollKind.QUIZ:
            lines.append(_("The right answer is revealed when the quiz closes."))
        elif not counts:
            lines.append(_("Results are shown when the poll closes."))
        if poll.spec.anonymous:
            lines.append(_("Nobody, moderators included, can see who voted for what."))
        if poll.spec.multi:
            lines.append(_("Click options to choose them; click again to take one back."))
        else:
            lines.append(_("Click an option to vote; click it again to take your vote back."))
    if creator:
        lines.append(_("Asked by {name}.", name=creator))
    text = "\n".join(lines)
    blocks: list[Block] = [Section(text)]
    if poll.is_open:
        blocks.append(Buttons(tuple(vote_buttons(poll))))
    return text, tuple(blocks)


def live_results(poll: Poll, tally: Tally, *, timezone: str) -> str:
    """Counts of a running poll, for its creator or a moderator (even when hidden)."""
    lines = [_("{title} (still open)", title=title(poll))]
    lines += _options(poll, tally, counts=True, reveal=False)
    lines.append(_facts(poll, tally, timezone))
    return "\n".join(lines)


def vote_buttons(poll: Poll) -> list[Button]:
    return [
        Button(feature.action_id("vote", poll.id, index), label(option), str(index))
        for index, option in enumerate(poll.spec.options)
    ]


def results_message(
    poll: Poll,
    tally: Tally,
    *,
    chart: bytes | None,
    chart_missing: bool,
    winners: Sequence[str] = (),
    more_winners: int = 0,
) -> Rendered:
    """Final results: percentages in words, the chart as an image, quiz answer revealed."""
    question = one_line(poll.spec.question, limit=300)
    if poll.spec.kind is PollKind.QUIZ:
        head = _("🧠 Answer to quiz #{id}: {question}", id=poll.id, question=question)
    else:
        head = _("📊 Results of poll #{id}: {question}", id=poll.id, question=question)
    lines = [head]
    best = max(tally.counts) if tally.votes else None
    for index, option in enumerate(poll.spec.options):
        count = tally.counts[index]
        mark = ""
        if poll.spec.kind is PollKind.QUIZ and index == poll.spec.correct:
            mark = " ✅"
        elif poll.spec.kind is PollKind.POLL and count == best:
            mark = " 🏆"
        lines.append(
            ngettext(
                "{number}. {option}{mark} — {n} vote ({percent})",
                "{number}. {option}{mark} — {n} votes ({percent})",
                count,
                n=number(count),
                number=index + 1,
                option=label(option),
                mark=mark,
                percent=share(count, tally.voters),
            )
        )
    if tally.voters == 0:
        lines.append(_("Nobody voted."))
    elif poll.spec.kind is PollKind.QUIZ and poll.spec.correct is not None:
        right = tally.counts[poll.spec.correct]
        lines.append(
            _(
                "Correct answer: {answer}. {right} of {total} answered correctly ({percent}).",
                answer=label(poll.spec.options[poll.spec.correct]),
                right=number(right),
                total=number(tally.voters),
                percent=share(right, tally.voters),
            )
        )
        if winners:
            names = ", ".join(winners)
            if more_winners:
                names += " " + ngettext("and {n} more", "and {n} more", more_winners)
            lines.append(_("Well done, {names}!", names=names))
    else:
        lines.append(
            ngettext(
                "{n} member voted.", "{n} members voted.", tally.voters, n=number(tally.voters)
            )
        )
    text = "\n".join(lines)
    blocks: list[Block] = [Section(text)]
    if chart is not None:
        blocks.append(Image(_("Bar chart of the results"), chart, None, f"poll-{poll.id}.png"))
    elif chart_missing:
        note = _("No chart: the server needs matplotlib for charts (pip install matplotlib).")
        text += "\n" + note
        blocks.append(Context(note))
    return text, tuple(blocks)


def vote_feedback(poll: Poll, option: int, chosen: Sequence[int], now_chosen: bool) -> str:
    picked = label(poll.spec.options[option])
    if poll.spec.multi:
        if not chosen:
            return _("You took back all your choices in poll #{id}.", id=poll.id)
        names = ", ".join(label(poll.spec.options[i]) for i in chosen)
        return _("Your choices in poll #{id}: {names}.", id=poll.id, names=names)
    if poll.spec.kind is PollKind.QUIZ:
        if now_chosen:
            return _("Your answer to quiz #{id}: “{option}”.", option=picked, id=poll.id)
        return _("You took back your answer to quiz #{id}.", id=poll.id)
    if now_chosen:
        return _("You voted “{option}” in poll #{id}.", option=picked, id=poll.id)
    return _("You took back your vote in poll #{id}.", id=poll.id)


def created_text(poll: Poll, where: str, timezone: str) -> str:
    if poll.spec.kind is PollKind.QUIZ:
        if poll.closes_at is None:
            return _(
                "Quiz #{id} is up in {where}. Reveal the answer with /poll close {id}.",
                id=poll.id,
                where=where,
            )
        return _(
            "Quiz #{id} is up in {where}; the answer is revealed {when}.",
            id=poll.id,
            where=where,
            when=when(poll.closes_at, timezone),
        )
    if poll.closes_at is None:
        return _(
            "Poll #{id} is up in {where}. Close it with /poll close {id}.", id=poll.id, where=where
        )
    return _(
        "Poll #{id} is up in {where}; it closes {when}.",
        id=poll.id,
        where=where,
        when=when(poll.closes_at, timezone),
    )


def poll_list(
    polls: Sequence[tuple[Poll, Tally]],
    schedules: Sequence[Schedule],
    *,
    open_only: bool,
    timezone: str,
) -> str:
    if not polls and not schedules:
        return _("No open polls right now.") if open_only else _("No polls yet.")
    lines = [_("Open polls:") if open_only else _("Recent polls:")] if polls else []
    for poll, tally in polls:
        state = (
            _("closes {when}", when=when(poll.closes_at, timezone))
            if poll.is_open and poll.closes_at is not None
            else _("open")
            if poll.is_open
            else _("closed")
        )
        lines.append(
            ngettext(
                "#{id} {question} — {n} voter, {state}",
                "#{id} {question} — {n} voters, {state}",
                tally.voters,
                n=number(tally.voters),
                id=poll.id,
                question=one_line(poll.spec.question, limit=80),
                state=state,
            )
        )
    if schedules:
        lines.append(_("Recurring polls:"))
        for schedule in schedules:
            lines.append(
                _(
                    "R{id} “{question}” on cron {cron} ({zone}) — stop with /poll stop {id}",
                    id=schedule.id,
                    question=one_line(schedule.spec.question, limit=80),
                    cron=schedule.cron,
                    zone=schedule.timezone,
                )
            )
    return "\n".join(lines)


def schedule_created(schedule: Schedule, where: str, due: datetime) -> str:
    return _(
        "Recurring poll R{id} is set: “{question}” in {where}, first on {when}. "
        "Stop it with /poll stop R{id}.",
        id=schedule.id,
        question=one_line(schedule.spec.question, limit=120),
        where=where,
        when=when(due, schedule.timezone),
    )


def voters_text(poll: Poll, names: Sequence[Sequence[str]]) -> str:
    lines = [_("Who voted in poll #{id}:", id=poll.id)]
    for index, option in enumerate(poll.spec.options):
        who = ", ".join(names[index]) or _("nobody")
        lines.append(f"{index + 1}. {label(option)}: {who}")
    return "\n".join(lines)
