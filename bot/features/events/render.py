"""How events read: the channel post, replies, reminders and lists.

Times arrive already written for the platform (`ChatPort.timestamp`): markup that
Discord and Slack show in each viewer's zone, or text in the reader's zone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from babel.units import format_unit

from bot.features.events.store import Answer, Event, Rsvp
from bot.i18n import _, current_locale, ngettext
from bot.model import TimeStyle

Stamp = Callable[[TimeStyle], str]

RECURRENCE_LABELS = {
    "weekly": lambda: _("Repeats every week"),
    "biweekly": lambda: _("Repeats every two weeks"),
    "monthly": lambda: _("Repeats every month"),
}


@dataclass(frozen=True, slots=True)
class Tally:
    going: int
    maybe: int
    waitlist: int

    @classmethod
    def of(cls, rsvps: Sequence[Rsvp]) -> Tally:
        count = {a: sum(1 for r in rsvps if r.answer is a) for a in Answer}
        return cls(count[Answer.GOING], count[Answer.MAYBE], count[Answer.WAITLIST])


def length(event: Event) -> str:
    """`1 hour`, `1 hour 30 minutes`, `45 minutes` in the current language."""
    hours, minutes = divmod(int(event.duration.total_seconds() // 60), 60)
    locale = current_locale()
    parts = []
    if hours:
        parts.append(format_unit(hours, "duration-hour", locale=locale))
    if minutes or not parts:
        parts.append(format_unit(minutes, "duration-minute", locale=locale))
    return " ".join(parts)


def when(event: Event, stamp: Stamp) -> str:
    return _(
        "{when} ({relative}), {length}",
        when=stamp(TimeStyle.FULL),
        relative=stamp(TimeStyle.RELATIVE),
        length=length(event),
    )


def seats(event: Event, tally: Tally) -> str:
    if event.capacity is None:
        going = ngettext("{n} going", "{n} going", tally.going)
    else:
        going = _("{going}/{limit} going", going=tally.going, limit=event.capacity)
    parts = [going, ngettext("{n} maybe", "{n} maybe", tally.maybe)]
    if tally.waitlist:
        parts.append(ngettext("{n} on the waitlist", "{n} on the waitlist", tally.waitlist))
    return " · ".join(parts)


def post(event: Event, tally: Tally, stamp: Stamp) -> str:
    """The event in its channel, updated as people answer."""
    if event.cancelled:
        return _("📅 ~~{title}~~ (event #{id}) is cancelled.", title=event.title, id=event.id)
    lines = [
        _("📅 **{title}** (event #{id})", title=event.title, id=event.id),
        "🕕 " + when(event, stamp),
        "👥 " + seats(event, tally),
    ]
    if event.recurrence in RECURRENCE_LABELS:
        lines.append("🔁 " + RECURRENCE_LABELS[event.recurrence]())
    lines.append(_("Answer with the buttons, or /event rsvp {id} going|maybe|no.", id=event.id))
    return "\n".join(lines)


def created(event: Event, where: str, stamp: Stamp) -> str:
    return _(
        "Event #{id} “{title}” is posted in {where}: {when}.",
        id=event.id,
        title=event.title,
        where=where,
        when=stamp(TimeStyle.FULL),
    )


def answered(event: Event, answer: Answer, changed: bool) -> str:
    if not changed:
        if answer is Answer.WAITLIST:
            return _("You are already on the waitlist for “{title}”.", title=event.title)
        return _("Your answer for “{title}” stays the same.", title=event.title)
    texts = {
        Answer.GOING: _("You are going to “{title}”. See you there!", title=event.title),
        Answer.MAYBE: _("Noted: maybe for “{title}”.", title=event.title),
        Answer.NO: _("Noted: you are not going to “{title}”.", title=event.title),
        Answer.WAITLIST: _(
            "“{title}” is full: you are on the waitlist and will get a message if a seat frees up.",
            title=event.title,
        ),
    }
    return texts[answer]


def promoted(event: Event, stamp: Stamp) -> str:
    return _(
        "🎟 A seat freed up: you are now going to “{title}” ({when}). If you cannot come, "
        "answer /event rsvp {id} no so the next person gets it.",
        title=event.title,
        when=stamp(TimeStyle.FULL),
        id=event.id,
    )


def reminder(event: Event, stamp: Stamp) -> str:
    return _(
        "⏰ Reminder: “{title}” starts {relative} ({when}).",
        title=event.title,
        relative=stamp(TimeStyle.RELATIVE),
        when=stamp(TimeStyle.FULL),
    )


def cancelled_notice(event: Event, stamp: Stamp) -> str:
    return _("❌ “{title}” ({when}) is cancelled.", title=event.title, when=stamp(TimeStyle.FULL))


def listing(lines: Sequence[str]) -> str:
    if not lines:
        return _("No upcoming events. Create one with /event create.")
    return "\n".join([_("Upcoming events:"), *lines])


def listing_line(event: Event, tally: Tally, stamp: Stamp) -> str:
    return f"#{event.id} {event.title} — {stamp(TimeStyle.FULL)} · {seats(event, tally)}"


def mine_line(event: Event, answer: Answer, stamp: Stamp) -> str:
    marks = {Answer.GOING: "✅", Answer.MAYBE: "🤔", Answer.WAITLIST: "⏳", Answer.NO: "❌"}
    return f"{marks[answer]} #{event.id} {event.title} — {stamp(TimeStyle.FULL)}"


def home(lines: Sequence[str]) -> str:
    return "\n".join([_("📅 Your coming events"), *lines])


def attendees(event: Event, names: dict[Answer, list[str]]) -> str:
    lines = [_("📅 {title} (event #{id})", title=event.title, id=event.id)]
    heads = {
        Answer.GOING: _("Going"),
        Answer.MAYBE: _("Maybe"),
        Answer.WAITLIST: _("Waitlist"),
        Answer.NO: _("Not going"),
    }
    for answer in (Answer.GOING, Answer.MAYBE, Answer.WAITLIST, Answer.NO):
        shown = names.get(answer, [])
        lines.append(f"{heads[answer]} ({len(shown)}): {', '.join(shown) or '—'}")
    return "\n".join(lines)
