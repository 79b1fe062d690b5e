"""Messages of the ideas board: the idea card, status news, the board listing."""

from __future__ import annotations

from collections.abc import Sequence

from bot.features.polls.feature import feature
from bot.features.polls.store import Idea, IdeaStatus
from bot.formatting import number
from bot.i18n import N_, _, ngettext
from bot.model import Block, Button, Buttons, ButtonStyle, Section
from bot.text import neutral, one_line

STATUS_NAMES = {
    IdeaStatus.NEW: N_("new"),
    IdeaStatus.PLANNED: N_("planned"),
    IdeaStatus.IN_PROGRESS: N_("in progress"),
    IdeaStatus.DONE: N_("done"),
    IdeaStatus.DECLINED: N_("declined"),
}
STATUS_ICONS = {
    IdeaStatus.NEW: "🆕",
    IdeaStatus.PLANNED: "🗓",
    IdeaStatus.IN_PROGRESS: "🚧",
    IdeaStatus.DONE: "✅",
    IdeaStatus.DECLINED: "✖",
}


def status_name(status: IdeaStatus) -> str:
    return _(STATUS_NAMES[status])


def _status(idea: Idea) -> str:
    return f"{STATUS_ICONS[idea.status]} {status_name(idea.status)}"


def title(idea: Idea) -> str:
    return _("💡 Idea #{id}: {title}", id=idea.id, title=one_line(idea.title, limit=150))


def idea_message(idea: Idea, author: str | None) -> tuple[str, tuple[Block, ...]]:
    lines = [title(idea)]
    if idea.details:
        lines.append(neutral(idea.details, limit=2000))
    facts = [
        _("Status: {status}", status=_status(idea)),
        ngettext("{n} supporter", "{n} supporters", idea.votes, n=number(idea.votes)),
    ]
    if author:
        facts.append(_("proposed by {name}", name=author))
    lines.append(" · ".join(facts))
    if idea.note:
        lines.append(_("Moderators: {note}", note=neutral(idea.note, limit=500)))
    if idea.status.votable:
        lines.append(_("Support it if you want it too; click again to withdraw."))
    text = "\n".join(lines)
    blocks: list[Block] = [Section(text)]
    if idea.status.votable:
        support = Button(
            feature.action_id("support", idea.id),
            _("👍 Support"),
            str(idea.id),
            ButtonStyle.PRIMARY,
        )
        blocks.append(Buttons((support,)))
    return text, tuple(blocks)


def posted_text(idea: Idea, where: str) -> str:
    return _(
        "Thanks! Your idea #{id} is on the board in {where}. You will hear from us when "
        "its status changes.",
        id=idea.id,
        where=where,
    )


def support_feedback(idea: Idea, supported: bool) -> str:
    if supported:
        return ngettext(
            "You support idea #{id} ({n} supporter). We will tell you when its status changes.",
            "You support idea #{id} ({n} supporters). We will tell you when its status changes.",
            idea.votes,
            n=number(idea.votes),
            id=idea.id,
        )
    return _("You no longer support idea #{id}.", id=idea.id)


def status_announcement(idea: Idea, by: str | None) -> str:
    text = _(
        "{icon} Idea #{id} “{title}” is now {status}.",
        icon=STATUS_ICONS[idea.status],
        id=idea.id,
        title=one_line(idea.title, limit=150),
        status=status_name(idea.status),
    )
    if idea.note:
        text += " " + _("Note: {note}", note=neutral(idea.note, limit=500))
    if by:
        text += " " + _("(updated by {name})", name=by)
    return text


def status_dm(idea: Idea, *, mine: bool) -> str:
    if mine:
        text = _(
            "Your idea #{id} “{title}” is now {status}.",
            id=idea.id,
            title=one_line(idea.title, limit=150),
            status=status_name(idea.status),
        )
    else:
        text = _(
            "Idea #{id} “{title}”, which you support, is now {status}.",
            id=idea.id,
            title=one_line(idea.title, limit=150),
            status=status_name(idea.status),
        )
    if idea.note:
        text += " " + _("Note: {note}", note=neutral(idea.note, limit=500))
    return text


def board_text(view: str, ideas: Sequence[Idea], propose: str = "/idea") -> str:
    """`propose`: how the member types the command that proposes an idea."""
    headings = {
        "top": _("Most supported ideas:"),
        "new": _("Newest ideas:"),
    }
    heading = headings.get(view) or _(
        "Ideas that are {status}:", status=status_name(IdeaStatus(view))
    )
    if not ideas:
        return _("No ideas here yet. Propose one with {command}.", command=propose)
    lines = [heading]
    for idea in ideas:
        lines.append(
            ngettext(
                "#{id} {title} — {n} supporter, {status}",
                "#{id} {title} — {n} supporters, {status}",
                idea.votes,
                n=number(idea.votes),
                id=idea.id,
                title=one_line(idea.title, limit=80),
                status=_status(idea),
            )
        )
    return "\n".join(lines)


def status_changed(idea: Idea, notified: int) -> str:
    return ngettext(
        "Idea #{id} is now {status}; {n} member was told.",
        "Idea #{id} is now {status}; {n} members were told.",
        notified,
        id=idea.id,
        status=status_name(idea.status),
    )
