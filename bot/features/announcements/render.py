"""How announcements and their acknowledgement status read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.features.announcements.store import Announcement, Reader
from bot.formatting import number, percent
from bot.i18n import _, ngettext

PREVIEW = 80


def post_text(made: Announcement) -> str:
    """The announcement as members see it; with `--ack`, how to confirm."""
    text = _("📢 {text}", text=made.text)
    if made.ack:
        text += "\n" + _(
            "Please confirm you have read this (button below, or /announce ack {id}).", id=made.id
        )
    return text


def preview(made: Announcement) -> str:
    flat = " ".join(made.text.split())
    return flat if len(flat) <= PREVIEW else flat[: PREVIEW - 1] + "…"


def posted(made: Announcement, where: Sequence[str], pinned: int, notes: Sequence[str]) -> str:
    lines = [_("Announcement #{id} is posted in {where}.", id=made.id, where=", ".join(where))]
    if pinned:
        lines.append(_("📌 Pinned where the platform allows it."))
    if made.ack:
        lines.append(_("See who has read it with /announce status {id}.", id=made.id))
    lines.extend(notes)
    return "\n".join(lines)


def reminder(made: Announcement) -> str:
    """The DM to members who have not confirmed an announcement yet."""
    return "\n".join(
        [
            _("📢 Please read and confirm announcement #{id}:", id=made.id),
            made.text,
            _("(Press the button, or answer /announce ack {id}.)", id=made.id),
        ]
    )


def reminded(made: Announcement, count: int) -> str:
    if not count:
        return _("Everyone has confirmed announcement #{id}; nobody to remind.", id=made.id)
    return ngettext(
        "Reminded {n} member who has not confirmed announcement #{id} yet.",
        "Reminded {n} members who have not confirmed announcement #{id} yet.",
        count,
        id=made.id,
    )


def acknowledged(made: Announcement, fresh: bool) -> str:
    if fresh:
        return _("Thank you — announcement #{id} is marked as read.", id=made.id)
    return _("You had already confirmed announcement #{id}.", id=made.id)


def _names(readers: Sequence[Reader], limit: int) -> str:
    shown = [r.label for r in readers[:limit]]
    more = len(readers) - len(shown)
    if more > 0:
        shown.append(ngettext("and {n} more", "and {n} more", more))
    return ", ".join(shown)


def status(
    made: Announcement,
    acknowledged: Sequence[Reader],
    pending: Sequence[Reader],
    *,
    limit: int,
) -> str:
    total = len(acknowledged) + len(pending)
    lines = [
        _("📢 Announcement #{id}: “{text}”", id=made.id, text=preview(made)),
        _(
            "✅ Read by {done} of {total} ({share})",
            done=number(len(acknowledged)),
            total=number(total),
            share=percent(len(acknowledged) / total if total else 0),
        )
        + (": " + _names(acknowledged, limit) if acknowledged else ""),
        ngettext("⏳ Not yet: {n} member", "⏳ Not yet: {n} members", len(pending))
        + (": " + _names(pending, limit) if pending else ""),
    ]
    return "\n".join(lines)


def listing(found: Sequence[Announcement], counts: Mapping[int, int]) -> str:
    if not found:
        return _("No announcements yet. Post one with /announce #channel message.")
    lines = [_("Latest announcements:")]
    for made in found:
        line = f"#{made.id} {preview(made)}"
        if made.ack:
            line += " — " + ngettext(
                "{n} acknowledgement", "{n} acknowledgements", counts.get(made.id, 0)
            )
        lines.append(line)
    return "\n".join(lines)
