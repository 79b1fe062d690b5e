"""Check-in texts: the questions, reminders, the summary, lists and confirmations.

Everything members typed (answers, titles made by /checkin create) is echoed through
`neutral`, so an answer saying "@everyone" pings nobody in the summary.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from babel.dates import format_skeleton
from babel.lists import format_list

from bot.features.checkins.store import Checkin, Delivery, Response
from bot.features.checkins.timing import describe_cron, run_label
from bot.i18n import _, current_locale, ngettext
from bot.model import (
    Block,
    Button,
    Buttons,
    ButtonStyle,
    Context,
    FieldKind,
    Form,
    FormField,
    Section,
)
from bot.text import neutral, one_line

FORM_TITLE = 45  # Discord's limit for a modal title
ANSWER_LIMIT = 1000


def run_date(run_key: str) -> str:
    """ "Mon 30 Mar, 09:00" in the reader's language (the run's wall-clock time)."""
    return _moment(run_label(run_key))


def _moment(moment: datetime) -> str:
    locale = current_locale()
    day = format_skeleton("MMMEd", moment, tzinfo=moment.tzinfo, locale=locale)
    return f"{day}, {format_skeleton('Hm', moment, tzinfo=moment.tzinfo, locale=locale)}"


def when(instant: datetime, zone_name: str) -> str:
    """An instant on a member's clock, with the zone named."""
    from zoneinfo import ZoneInfo

    return f"{_moment(instant.astimezone(ZoneInfo(zone_name)))} ({zone_name})"


def buttons(action_id: str, skip_id: str) -> Buttons:
    return Buttons(
        (
            Button(action_id, _("Answer"), style=ButtonStyle.PRIMARY),
            Button(skip_id, _("Skip this time")),
        )
    )


def questions_text(checkin: Checkin) -> str:
    return "\n".join(f"{n}. {one_line(q)}" for n, q in enumerate(checkin.questions, 1))


def ask(
    checkin: Checkin, run_key: str, answer_id: str, skip_id: str
) -> tuple[str, tuple[Block, ...]]:
    text = _(
        "🗓️ {title} — {date}\n{questions}",
        title=one_line(checkin.title),
        date=run_date(run_key),
        questions=questions_text(checkin),
    )
    return text, (Section(text), buttons(answer_id, skip_id))


def reminder(
    checkin: Checkin, run_key: str, answer_id: str, skip_id: str
) -> tuple[str, tuple[Block, ...]]:
    text = _(
        "⏰ A reminder: {title} of {date} is waiting for your answers.",
        title=one_line(checkin.title),
        date=run_date(run_key),
    )
    return text, (Section(text), buttons(answer_id, skip_id))


def channel_post(
    checkin: Checkin, run_key: str, answer_id: str, skip_id: str
) -> tuple[str, tuple[Block, ...]]:
    text = _(
        "🗓️ {title} — {date}\n{questions}\nPress Answer to take part.",
        title=one_line(checkin.title),
        date=run_date(run_key),
        questions=questions_text(checkin),
    )
    return text, (
        Section(text),
        Buttons((Button(answer_id, _("Answer"), style=ButtonStyle.PRIMARY),)),
    )


def form(checkin: Checkin, form_id: str) -> Form:
    fields = tuple(
        FormField(f"q{n}", one_line(q, limit=45), FieldKind.PARAGRAPH)
        for n, q in enumerate(checkin.questions, 1)
    )
    return Form(form_id, one_line(checkin.title, limit=FORM_TITLE), fields, _("Send"))


def answer_block(name: str, checkin: Checkin, answers: Sequence[str]) -> Section:
    lines = [f"**{one_line(name)}**"]
    for question, answer in zip(checkin.questions, answers, strict=False):
        lines.append(f"*{one_line(question)}*")
        lines.append(neutral(answer, limit=ANSWER_LIMIT) or "—")
    return Section("\n".join(lines))


def summary(
    checkin: Checkin,
    run_key: str,
    answered: Sequence[tuple[str, Response]],
    skipped: Sequence[str],
    silent: Sequence[str],
) -> tuple[str, tuple[Block, ...]]:
    asked = len(answered) + len(skipped) + len(silent)
    head = _("📋 {title} — {date}", title=one_line(checkin.title), date=run_date(run_key))
    if asked:
        count = ngettext(
            "{answered} of {asked} member answered.",
            "{answered} of {asked} members answered.",
            asked,
            answered=len(answered),
            asked=asked,
        )
    else:
        count = ngettext(
            "{answered} answer.", "{answered} answers.", len(answered), answered=len(answered)
        )
    blocks: list[Block] = [Section(f"{head}\n{count}")]
    blocks.extend(answer_block(name, checkin, r.answers) for name, r in answered)
    footer: list[str] = []
    if skipped:
        footer.append(_("Skipped: {names}", names=_names(skipped)))
    if silent:
        footer.append(_("No answer yet: {names}", names=_names(silent)))
    if not answered:
        footer.append(_("Nobody answered this time."))
    if footer:
        blocks.append(Context("\n".join(footer)))
    text = "\n\n".join([f"{head}\n{count}", *(_plain(b) for b in blocks[1:])])
    return text, tuple(blocks)


def _plain(block: Block) -> str:
    return block.text if isinstance(block, Section | Context) else ""


def _names(names: Sequence[str]) -> str:
    return str(format_list([one_line(n, limit=60) for n in names], locale=current_locale()))


def late_answer(
    name: str, checkin: Checkin, answers: Sequence[str]
) -> tuple[str, tuple[Block, ...]]:
    block = answer_block(name, checkin, answers)
    text = _("Late answer from {name}:", name=one_line(name)) + "\n" + block.text
    return text, (Section(text),)


def listing(checkin: Checkin, status: str, next_run: str | None, audience: str) -> Section:
    lines = [
        _(
            "**{title}** (`{name}`) — {schedule}",
            title=one_line(checkin.title),
            name=checkin.name,
            schedule=describe_cron(checkin.schedule),
        ),
        status,
    ]
    asks = audience_line(checkin)
    if asks:
        lines.append(asks)
    if next_run:
        lines.append(_("Next: {when}", when=next_run))
    if audience:
        lines.append(audience)
    return Section("\n".join(lines))


def audience_line(checkin: Checkin) -> str:
    """Who a DM check-in asks by itself, when roles or segments decide it ("" otherwise)."""
    if checkin.delivery is Delivery.CHANNEL or checkin.everyone:
        return ""
    roles = ", ".join(sorted(checkin.roles))
    segments = ", ".join(sorted(checkin.segments))
    if roles and segments:
        return _(
            "Asks members with the role {roles} or in the segment {segments}.",
            roles=roles,
            segments=segments,
        )
    if segments:
        return _("Asks members in the segment {segments}.", segments=segments)
    if roles:
        return _("Asks members with the role {roles}.", roles=roles)
    return ""
