"""How a message looks in the console: numbered, with its place, author and buttons.

`[12] #help bob: …` for posts, `[13] DM → carol: …` for direct messages and
`[14] #general (only carol sees) Agora: …` for ephemeral replies, whoever the current
member is — the console shows the whole community at once.
"""

from __future__ import annotations

from adapters.memory.community import Community, Posted
from bot.i18n import _, ngettext
from bot.model import Buttons, Image, Select

INDENT = "     "


def _where(community: Community, posted: Posted) -> str:
    if posted.dm_to is not None:
        member = community.member_by_ref(posted.dm_to)
        name = member.name if member else posted.dm_to.id
        return _("DM → {name}", name=name)
    channel = posted.channel
    place = f"#{channel.name}" if channel is not None else "?"
    if posted.thread_of is not None:
        parent = community.post_by_ref(posted.thread_of)
        place += f" ↳[{parent.number}]" if parent else " ↳"
    if posted.ephemeral_to is not None:
        member = community.member_by_ref(posted.ephemeral_to)
        name = member.name if member else posted.ephemeral_to.id
        place += " " + _("(only {name} sees)", name=name)
    return place


def render(community: Community, posted: Posted, *, edited: bool = False) -> list[str]:
    """The transcript lines for one message (text, then its interactive parts)."""
    if posted.deleted:
        deleted = _("deleted")
        return [f"[{posted.number} {deleted}]"]
    mark = _("edited") if edited else ""
    pin = " 📌" if posted.pinned else ""
    number = f"[{posted.number}{' ' + mark if mark else ''}{pin}]"
    text_lines = posted.text.splitlines() or [""]
    head = f"{number} {_where(community, posted)} {posted.author}: {text_lines[0]}"
    lines = [head, *(INDENT + extra for extra in text_lines[1:])]
    for block in posted.blocks:
        if isinstance(block, Buttons):
            lines.append(INDENT + " ".join(f"[{b.label}]" for b in block.buttons))
        elif isinstance(block, Select):
            kind = _("choose any") if block.multi else _("choose one")
            options = " | ".join(o.label for o in block.options)
            lines.append(INDENT + f"▾ {block.placeholder} ({kind}): {options}")
        elif isinstance(block, Image):
            size = f", {len(block.data) // 1024} kB" if block.data else ""
            lines.append(INDENT + f"🖼 {block.alt} ({block.filename}{size})")
    for attachment in posted.attachments:
        size = ngettext("{n} byte", "{n} bytes", len(attachment.data))
        lines.append(INDENT + f"📎 {attachment.filename} ({size})")
    return lines


def render_actions(posted: Posted) -> list[str]:
    """`:buttons N`: each button and menu of a message with the id `:click` also takes.

    The transcript shows labels only, to stay readable; ids differ from labels when a
    label is translated or repeated, and scripts that click by id keep working when a
    label changes.
    """
    lines = [_("[{number}] buttons and menus (label = id):", number=posted.number)]
    for button in posted.buttons:
        lines.append(INDENT + f"[{button.label}] = {button.action_id}")
    for select in posted.selects:
        options = " | ".join(f"{o.label} = {o.value}" for o in select.options)
        lines.append(INDENT + f"▾ {select.placeholder} = {select.action_id}: {options}")
    return lines
