"""Messages of the identity feature."""

from __future__ import annotations

import json
from typing import Any

from bot.i18n import _
from bot.model import Attachment, Button, Buttons, ButtonStyle, MemberRecord, Outgoing, Ref, Section


def linked_text(accounts: list[MemberRecord], platform_name: Any) -> str:
    names = ", ".join(f"{platform_name(a.ref.platform)} ({a.label})" for a in accounts)
    return _(
        "Linked! These accounts are now one member: {accounts}. Kudos, profile and history "
        "are combined. Use /unlink to undo.",
        accounts=names,
    )


def export_file(data: dict[str, Any], when: str) -> Attachment:
    body = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
    return Attachment(f"agora-data-{when}.json", body.encode(), "application/json")


def export_message(to: Ref, data: dict[str, Any], when: str) -> Outgoing:
    rows = sum(len(r) for r in data["tables"].values())
    return Outgoing(
        _(
            "Here is everything Agora stores about you ({rows} records across {tables} tables), "
            "as JSON.",
            rows=rows,
            tables=len(data["tables"]),
        ),
        dm=to,
        attachments=(export_file(data, when),),
    )


def forget_confirmation(confirm: str, cancel: str) -> tuple[str, tuple[Section | Buttons, ...]]:
    text = _(
        "This erases everything Agora knows about you on every platform: profile, kudos, "
        "questions, answers and activity. Counts others see (poll totals, their kudos) stay, "
        "without your name. This cannot be undone."
    )
    buttons = Buttons(
        (
            Button(confirm, _("Forget me"), style=ButtonStyle.DANGER),
            Button(cancel, _("Cancel")),
        )
    )
    return text, (Section(text), buttons)
