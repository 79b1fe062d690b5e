"""Core `Outgoing` and `Form` → Slack Block Kit, within Slack's published limits.

Pure functions: no I/O, so a property test can throw any message at them.

The core's `text` is the whole message in plain words, and Section/Fields/Context
blocks are a richer layout of the same content (the console shows `text` and only
the interactive blocks). So: when the blocks carry text, they are the message and
`text` is the notification fallback; when they are only buttons, menus or images,
the text is shown as a first section.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from adapters.slack.mrkdwn import to_mrkdwn
from adapters.text_limits import ELLIPSIS, chunks, clip
from bot.i18n import _
from bot.model import (
    Block,
    Button,
    Buttons,
    ButtonStyle,
    Context,
    FieldKind,
    Fields,
    Form,
    FormField,
    Image,
    Option,
    Outgoing,
    Section,
    Select,
)

log = logging.getLogger(__name__)

# https://docs.slack.dev/reference/block-kit — the limits we render within.
MESSAGE_TEXT = 40_000
MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
SECTION_TEXT = 3000
FIELD_TEXT = 2000
FIELDS_PER_SECTION = 10
CONTEXT_TEXT = 3000
ACTION_ELEMENTS = 25
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
ACTION_ID = 255
OPTIONS = 100
OPTION_TEXT = 75
OPTION_VALUE = 150
PLACEHOLDER = 150
IMAGE_URL = 3000
ALT_TEXT = 2000
MODAL_TITLE = 24
MODAL_BUTTON = 24
INPUT_LABEL = 2000
INPUT_MAX_LENGTH = 3000
BLOCK_ID = 255
PRIVATE_METADATA = 3000

JsonBlock = dict[str, Any]


class FormTooLarge(ValueError):
    """A form's context does not fit Slack's 3000-character private_metadata."""


@dataclass(frozen=True, slots=True)
class Upload:
    """A file to send with files_upload_v2 after the message (images given as bytes)."""

    filename: str
    data: bytes
    title: str


@dataclass(frozen=True, slots=True)
class Rendered:
    text: str
    blocks: list[JsonBlock]
    uploads: tuple[Upload, ...] = ()


def _visible(text: str) -> str:
    """Slack rejects empty and blank text objects."""
    return text if text.strip() else ELLIPSIS


def plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": _visible(clip(text, limit)), "emoji": True}


def mrkdwn(text: str, limit: int) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": _visible(clip(to_mrkdwn(text), limit))}


# --- messages -------------------------------------------------------------------------


def message(out: Outgoing, *, uploads_allowed: bool = True, files_by_dm: bool = False) -> Rendered:
    """Render a whole message; `uploads_allowed=False` for edits.

    `files_by_dm` is for ephemeral replies: Slack shows no file in a message only one
    member sees, so images and attachments stay in `uploads` for the caller to send to
    the member's DM, and the reply says where they went.
    """
    blocks: list[Block] = list(out.blocks)
    if blocks and not any(isinstance(b, Section | Fields | Context) for b in blocks) and out.text:
        blocks.insert(0, Section(out.text))
    keep = uploads_allowed or files_by_dm
    json_blocks, uploads = render_blocks(blocks, limit=MESSAGE_BLOCKS, uploads_allowed=keep)
    attachments = [Upload(a.filename, a.data, a.filename) for a in out.attachments]
    if keep:
        uploads = [*uploads, *attachments]
    elif attachments:
        notes = [_("📎 {name} (not shown here)", name=a.filename) for a in attachments]
        json_blocks = _append_note(json_blocks, "\n".join(notes), MESSAGE_BLOCKS)
    if files_by_dm and uploads:
        notes = [
            _(
                "📎 {name} is in your direct messages with me (Slack shows no files in "
                "replies only you can see).",
                name=u.title,
            )
            for u in uploads
        ]
        json_blocks = _append_note(json_blocks, "\n".join(notes), MESSAGE_BLOCKS)
    return Rendered(fallback_text(out.text, blocks), json_blocks, tuple(uploads))


def fallback_text(text: str, blocks: Sequence[Block] = ()) -> str:
    """The `text` Slack shows in notifications; never empty."""
    if not text.strip():
        text = next((b.text for b in blocks if isinstance(b, Section | Context) and b.text), "")
    return clip(to_mrkdwn(text), MESSAGE_TEXT) if text.strip() else "…"


def render_blocks(
    blocks: Sequence[Block], *, limit: int, uploads_allowed: bool
) -> tuple[list[JsonBlock], list[Upload]]:
    rendered: list[JsonBlock] = []
    uploads: list[Upload] = []
    for block in blocks:
        if isinstance(block, Section):
            rendered.extend(_section(block))
        elif isinstance(block, Fields):
            rendered.extend(_fields(block))
        elif isinstance(block, Context):
            if block.text.strip():
                rendered.append({"type": "context", "elements": [mrkdwn(block.text, CONTEXT_TEXT)]})
        elif isinstance(block, Buttons):
            rendered.extend(_actions(block.buttons))
        elif isinstance(block, Select):
            rendered.extend(_select(block))
        elif isinstance(block, Image):
            shown, upload = _image(block, uploads_allowed)
            rendered.extend(shown)
            if upload is not None:
                uploads.append(upload)
    return _cap(rendered, limit), uploads


def _cap(blocks: list[JsonBlock], limit: int) -> list[JsonBlock]:
    if len(blocks) <= limit:
        return blocks
    hidden = len(blocks) - (limit - 1)
    log.warning("message has %d blocks; Slack shows %d", len(blocks), limit)
    note = _("… and {count} more (not shown: Slack limits the size of a message)", count=hidden)
    return [*blocks[: limit - 1], {"type": "context", "elements": [mrkdwn(note, CONTEXT_TEXT)]}]


def _append_note(blocks: list[JsonBlock], note: str, limit: int) -> list[JsonBlock]:
    element = {"type": "context", "elements": [mrkdwn(note, CONTEXT_TEXT)]}
    return _cap([*blocks, element], limit)


def _section(block: Section) -> list[JsonBlock]:
    text = to_mrkdwn(block.text)
    if not text.strip():
        return []
    pieces = [p for p in chunks(text, SECTION_TEXT) if p.strip()]
    return [{"type": "section", "text": {"type": "mrkdwn", "text": p}} for p in pieces]


def _fields(block: Fields) -> list[JsonBlock]:
    fields = [
        {"type": "mrkdwn", "text": clip(f"*{to_mrkdwn(label)}*\n{to_mrkdwn(value)}", FIELD_TEXT)}
        for label, value in block.pairs
    ]
    return [
        {"type": "section", "fields": fields[i : i + FIELDS_PER_SECTION]}
        for i in range(0, len(fields), FIELDS_PER_SECTION)
    ]


def _action_id(action_id: str) -> str:
    if len(action_id) > ACTION_ID:
        # Routing is by prefix (`feature:action`), which survives the cut.
        log.warning("action id longer than %d characters cut: %s…", ACTION_ID, action_id[:40])
        return action_id[:ACTION_ID]
    return action_id or "_"


def _button(button: Button) -> JsonBlock:
    element: JsonBlock = {
        "type": "button",
        "action_id": _action_id(button.action_id),
        "text": plain(button.label, BUTTON_TEXT),
    }
    if button.value:
        if len(button.value) > BUTTON_VALUE:
            log.warning("button value of %s cut to %d characters", button.action_id, BUTTON_VALUE)
        element["value"] = button.value[:BUTTON_VALUE]
    if button.style is not ButtonStyle.DEFAULT:
        element["style"] = button.style.value
    return element


def _actions(buttons: Iterable[Button]) -> list[JsonBlock]:
    """Buttons in rows of 25; two buttons with one action id go to different rows,
    because Slack wants action ids unique within a block."""
    rows: list[list[JsonBlock]] = []
    for element in (_button(b) for b in buttons):
        row = next(
            (
                r
                for r in rows
                if len(r) < ACTION_ELEMENTS
                and all(e["action_id"] != element["action_id"] for e in r)
            ),
            None,
        )
        if row is None:
            row = []
            rows.append(row)
        row.append(element)
    return [{"type": "actions", "elements": row} for row in rows]


def _options(options: Iterable[Option]) -> list[JsonBlock]:
    seen: set[str] = set()
    rendered: list[JsonBlock] = []
    for option in options:
        value = option.value[:OPTION_VALUE] or "_"
        if value in seen:
            continue
        seen.add(value)
        rendered.append({"text": plain(option.label, OPTION_TEXT), "value": value})
        if len(rendered) == OPTIONS:
            break
    return rendered


def _select(block: Select) -> list[JsonBlock]:
    options = _options(block.options)
    if not options:
        return []
    element: JsonBlock = {
        "type": "multi_static_select" if block.multi else "static_select",
        "action_id": _action_id(block.action_id),
        "placeholder": plain(block.placeholder or _("Choose"), PLACEHOLDER),
        "options": options,
    }
    return [{"type": "actions", "elements": [element]}]


def _image(block: Image, uploads_allowed: bool) -> tuple[list[JsonBlock], Upload | None]:
    alt = block.alt or block.filename
    if block.url and len(block.url) <= IMAGE_URL:
        return [
            {"type": "image", "image_url": block.url, "alt_text": clip(alt, ALT_TEXT) or "image"}
        ], None
    if block.data and uploads_allowed:
        return [], Upload(block.filename, block.data, alt)
    note = _("🖼 {alt} (image not shown here)", alt=alt)
    return [{"type": "context", "elements": [mrkdwn(note, CONTEXT_TEXT)]}], None


# --- views ----------------------------------------------------------------------------


def private_metadata(form: Form, channel: str | None) -> str:
    """Carry `Form.context` (and where the form was opened) through the modal."""
    data: dict[str, Any] = {"agora": 1, "context": form.context}
    if channel:
        data["channel"] = channel
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    if len(text) > PRIVATE_METADATA and channel:
        return private_metadata(form, None)
    if len(text) > PRIVATE_METADATA:
        raise FormTooLarge(
            f"form {form.form_id}: context of {len(form.context)} characters does not fit "
            f"Slack's {PRIVATE_METADATA}-character private_metadata"
        )
    return text


def modal(form: Form, *, channel: str | None = None) -> JsonBlock:
    blocks: list[JsonBlock] = []
    seen: set[str] = set()
    for field in form.fields:
        block_id = field.field_id[:BLOCK_ID] or "_"
        if block_id in seen:
            log.warning("form %s repeats field %s; the repeat is left out", form.form_id, block_id)
            continue
        seen.add(block_id)
        blocks.append(_input(field, block_id))
    if not blocks:
        blocks.append({"type": "section", "text": mrkdwn(form.title, SECTION_TEXT)})
    return {
        "type": "modal",
        "callback_id": _action_id(form.form_id),
        "title": plain(form.title, MODAL_TITLE),
        "submit": plain(_(form.submit_label), MODAL_BUTTON),
        "close": plain(_("Cancel"), MODAL_BUTTON),
        "private_metadata": private_metadata(form, channel),
        "blocks": _cap(blocks, VIEW_BLOCKS),
    }


def _input(field: FormField, block_id: str) -> JsonBlock:
    element: JsonBlock
    options = _options(field.options)
    if field.kind in (FieldKind.CHOICE, FieldKind.MULTI) and options:
        kind = "multi_static_select" if field.kind is FieldKind.MULTI else "static_select"
        element = {"type": kind, "options": options}
    else:
        element = {"type": "plain_text_input", "max_length": INPUT_MAX_LENGTH}
        if field.kind is FieldKind.PARAGRAPH:
            element["multiline"] = True
    element["action_id"] = block_id
    if field.placeholder:
        element["placeholder"] = plain(field.placeholder, PLACEHOLDER)
    return {
        "type": "input",
        "block_id": block_id,
        "optional": not field.required,
        "label": plain(field.label or field.field_id, INPUT_LABEL),
        "element": element,
    }


def home(blocks: Sequence[Block]) -> JsonBlock:
    """The App Home tab: the same blocks, no uploads (a view cannot carry files)."""
    rendered, _uploads = render_blocks(blocks, limit=VIEW_BLOCKS, uploads_allowed=False)
    return {"type": "home", "blocks": rendered}
