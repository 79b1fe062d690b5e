"""Core `Outgoing` and `Form` → what Discord shows: content, embeds, components, files.

Rendering is split in two. `message()` and `modal()` are pure: they return plain
data clipped to Discord's limits (`limits.py`), so a property test can check that
any `Outgoing` fits. `to_embeds()`, `to_view()`, `to_files()` and `to_modal()` then
build the discord.py objects at send time (files are streams, read once per send).

Mapping:
- `text` → message content; longer than 2,000 characters it is split at line breaks
  into several messages (at most `MESSAGE_PARTS`), the last one carrying the rest;
- `Section` / `Fields` / `Context` → one embed (description, fields, footer); an image
  starts a new embed once the current one has one;
- `Image` with `url` → embed image; with `data` → an uploaded file shown in the embed;
- `Buttons` → buttons, five per row; `Select` → a select menu on a row of its own;
  at most five rows, what does not fit is dropped (and logged);
- `Attachment` → uploaded file;
- `Form` → a modal: text fields become text inputs, choices a select in a label.

Components carry no Python callbacks: every click reaches the adapter's catch-all
interaction handler by `custom_id`, so buttons survive restarts. discord.py must
therefore not keep the views (it would store every message's view forever), which
is why `to_view()` returns views that are already stopped.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import discord

from adapters.discord import limits
from adapters.discord.custom_ids import CustomIds
from adapters.text_limits import chunks, clip
from bot.i18n import _
from bot.model import (
    Buttons,
    ButtonStyle,
    Context,
    FieldKind,
    Fields,
    Form,
    Image,
    Outgoing,
    Section,
    Select,
)

log = logging.getLogger(__name__)

EMPTY = "\u200b"  # Discord refuses a message with nothing in it
_STYLES = {
    ButtonStyle.DEFAULT: discord.ButtonStyle.secondary.value,
    ButtonStyle.PRIMARY: discord.ButtonStyle.primary.value,
    ButtonStyle.DANGER: discord.ButtonStyle.danger.value,
}
_FILENAME = re.compile(r"[^A-Za-z0-9_.\-]+")


class FormTooLarge(ValueError):
    """A form Discord cannot show (more fields than a modal holds, or none)."""


# --- plain data ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ButtonSpec:
    custom_id: str
    label: str
    style: int


@dataclass(frozen=True, slots=True)
class ButtonRow:
    buttons: tuple[ButtonSpec, ...]


@dataclass(frozen=True, slots=True)
class SelectSpec:
    custom_id: str
    placeholder: str
    options: tuple[tuple[str, str], ...]  # (label, value)
    multi: bool = False
    required: bool = True


Row = ButtonRow | SelectSpec


@dataclass(frozen=True, slots=True)
class FileSpec:
    filename: str
    data: bytes
    description: str = ""


@dataclass(frozen=True, slots=True)
class Rendered:
    """One `Outgoing`, ready for Discord. `parts[-1]` goes out with everything else."""

    parts: tuple[str, ...]
    embeds: tuple[dict[str, Any], ...] = ()
    rows: tuple[Row, ...] = ()
    files: tuple[FileSpec, ...] = ()
    dropped: tuple[str, ...] = field(default=(), compare=False)

    @property
    def content(self) -> str:
        return self.parts[-1]

    @property
    def leading(self) -> tuple[str, ...]:
        """Parts sent as plain messages before the last one."""
        return self.parts[:-1]


@dataclass(frozen=True, slots=True)
class ModalField:
    custom_id: str
    label: str
    description: str | None
    style: str  # "short", "paragraph" or "select"
    required: bool
    placeholder: str | None = None
    options: tuple[tuple[str, str], ...] = ()
    multi: bool = False


@dataclass(frozen=True, slots=True)
class ModalSpec:
    custom_id: str
    title: str
    fields: tuple[ModalField, ...]


# --- messages -----------------------------------------------------------------------


def message(out: Outgoing, ids: CustomIds, *, split: bool = True) -> Rendered:
    """Render `out` within Discord's limits; `split=False` for edits (one message)."""
    dropped: list[str] = []
    files: list[FileSpec] = []
    embeds = _embeds(out.blocks, files, dropped)
    rows = _rows(out.blocks, ids, dropped)
    for attachment in out.attachments:
        _add_file(files, attachment.filename, attachment.data, "", dropped)
    embeds = _fit_embeds(embeds, dropped)
    parts = _parts(out.text, split)
    if not parts[-1].strip() and not (embeds or rows or files):
        parts = (*parts[:-1], EMPTY)
    if dropped:
        log.warning("parts of a message did not fit Discord's limits: %s", ", ".join(dropped))
    return Rendered(parts, tuple(embeds), tuple(rows), tuple(files), tuple(dropped))


def _parts(text: str, split: bool) -> tuple[str, ...]:
    if not split:
        return (clip(text, limits.CONTENT),)
    pieces = [p for p in chunks(text, limits.CONTENT) if p.strip()] or [""]
    if len(pieces) > limits.MESSAGE_PARTS:
        rest = "\n".join(pieces[limits.MESSAGE_PARTS - 1 :])
        pieces = [*pieces[: limits.MESSAGE_PARTS - 1], clip(rest, limits.CONTENT)]
    return tuple(pieces)


def _embeds(
    blocks: Iterable[object], files: list[FileSpec], dropped: list[str]
) -> list[dict[str, Any]]:
    embeds: list[dict[str, Any]] = []
    current: dict[str, Any] = {}

    def flush() -> None:
        nonlocal current
        if current:
            embeds.append(current)
        current = {}

    for block in blocks:
        if isinstance(block, Section):
            if block.text:
                text = current.get("description")
                current["description"] = f"{text}\n\n{block.text}" if text else block.text
        elif isinstance(block, Fields):
            for name, value in block.pairs:
                found = current.setdefault("fields", [])
                if len(found) >= limits.EMBED_FIELDS:
                    flush()
                    found = current.setdefault("fields", [])
                short = len(name) <= 40 and len(value) <= 40
                found.append(
                    {
                        "name": clip(name or EMPTY, limits.FIELD_NAME),
                        "value": clip(value or EMPTY, limits.FIELD_VALUE),
                        "inline": short,
                    }
                )
        elif isinstance(block, Context):
            if block.text:
                footer = current.get("footer", {}).get("text")
                current["footer"] = {"text": f"{footer} · {block.text}" if footer else block.text}
        elif isinstance(block, Image):
            url = _image_url(block, files, dropped)
            if url is None:
                continue
            if "image" in current:
                flush()
            current["image"] = {"url": url}
    flush()
    return embeds


def _image_url(image: Image, files: list[FileSpec], dropped: list[str]) -> str | None:
    if image.data is not None:
        name = _add_file(files, image.filename, image.data, image.alt, dropped)
        return f"attachment://{name}" if name else None
    if image.url and image.url.startswith(("https://", "http://")):
        return image.url
    dropped.append(f"image {image.alt!r} without data or web address")
    return None


def _add_file(
    files: list[FileSpec], filename: str, data: bytes, alt: str, dropped: list[str]
) -> str | None:
    if len(files) >= limits.FILES:
        dropped.append(f"file {filename!r}")
        return None
    base = _FILENAME.sub("_", filename).strip("._") or "file"
    name, n = base, 1
    taken = {f.filename for f in files}
    while name in taken:
        n += 1
        stem, dot, ext = base.rpartition(".")
        name = f"{stem}-{n}.{ext}" if dot else f"{base}-{n}"
    files.append(FileSpec(name, data, clip(alt, 1024)))
    return name


def _fit_embeds(embeds: list[dict[str, Any]], dropped: list[str]) -> list[dict[str, Any]]:
    """Clip every text to its limit and all embeds together to 6,000 characters."""
    if len(embeds) > limits.EMBEDS:
        dropped.append(f"{len(embeds) - limits.EMBEDS} embed(s)")
        embeds = embeds[: limits.EMBEDS]
    budget = limits.EMBED_TOTAL
    fitted: list[dict[str, Any]] = []
    for embed in embeds:
        out: dict[str, Any] = {}
        if "description" in embed and budget > 0:
            out["description"] = clip(embed["description"], min(limits.EMBED_DESCRIPTION, budget))
            budget -= len(out["description"])
        for item in embed.get("fields", ()):
            cost = len(item["name"]) + len(item["value"])
            if cost > budget:
                dropped.append("embed field(s)")
                break
            out.setdefault("fields", []).append(item)
            budget -= cost
        if "footer" in embed and budget > 0:
            out["footer"] = {"text": clip(embed["footer"]["text"], min(limits.FOOTER, budget))}
            budget -= len(out["footer"]["text"])
        if "image" in embed:
            out["image"] = embed["image"]
        if out:
            fitted.append(out)
    return fitted


def _rows(blocks: Iterable[object], ids: CustomIds, dropped: list[str]) -> list[Row]:
    rows: list[Row] = []
    seen: set[str] = set()
    for block in blocks:
        if isinstance(block, Buttons):
            for row in _button_rows(block, ids, seen):
                if len(rows) < limits.ROWS:
                    rows.append(row)
                else:
                    dropped.append(f"{len(row.buttons)} button(s)")
        elif isinstance(block, Select):
            select = _select(block, ids, seen)
            if select is None:
                continue
            if len(rows) < limits.ROWS:
                rows.append(select)
            else:
                dropped.append(f"select {block.action_id!r}")
    return rows


def _button_rows(block: Buttons, ids: CustomIds, seen: set[str]) -> Iterator[ButtonRow]:
    row: list[ButtonSpec] = []
    for button in block.buttons:
        custom_id = ids.encode(button.action_id, button.value)
        if custom_id in seen:
            continue  # the same action twice: Discord refuses duplicate ids, and it is one
        seen.add(custom_id)
        label = clip(button.label.strip(), limits.BUTTON_LABEL) or "·"
        row.append(ButtonSpec(custom_id, label, _STYLES.get(button.style, 2)))
        if len(row) == limits.BUTTONS_PER_ROW:
            yield ButtonRow(tuple(row))
            row = []
    if row:
        yield ButtonRow(tuple(row))


def _select(block: Select, ids: CustomIds, seen: set[str]) -> SelectSpec | None:
    custom_id = ids.encode(block.action_id)
    if custom_id in seen:
        return None
    options = _options((o.label, o.value) for o in block.options)
    if not options:
        return None
    seen.add(custom_id)
    placeholder = clip(block.placeholder, limits.SELECT_PLACEHOLDER)
    return SelectSpec(custom_id, placeholder, options, block.multi)


def _options(pairs: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    found: list[tuple[str, str]] = []
    values: set[str] = set()
    for label, value in pairs:
        value = value[: limits.OPTION_VALUE]
        if not value or value in values:
            continue
        values.add(value)
        found.append((clip(label.strip() or value, limits.OPTION_LABEL), value))
        if len(found) == limits.SELECT_OPTIONS:
            break
    return tuple(found)


# --- forms --------------------------------------------------------------------------


def modal(form: Form, ids: CustomIds) -> ModalSpec:
    """A modal for `form`; raises FormTooLarge when Discord cannot show it."""
    if not form.fields:
        raise FormTooLarge(_("The form “{title}” has no fields to fill in.", title=form.title))
    if len(form.fields) > limits.MODAL_FIELDS:
        raise FormTooLarge(
            _(
                "The form “{title}” has {count} fields; Discord shows at most {limit}.",
                title=form.title,
                count=len(form.fields),
                limit=limits.MODAL_FIELDS,
            )
        )
    fields: list[ModalField] = []
    for item in form.fields:
        label = clip(item.label.strip() or item.field_id, limits.LABEL_TEXT)
        description = (
            clip(item.label, limits.LABEL_DESCRIPTION)
            if len(item.label) > limits.LABEL_TEXT
            else None
        )
        placeholder = clip(item.placeholder, limits.INPUT_PLACEHOLDER) if item.placeholder else None
        choices = _options((o.label, o.value) for o in item.options)
        if item.kind in (FieldKind.CHOICE, FieldKind.MULTI) and choices:
            if len(item.options) > limits.SELECT_OPTIONS:
                # Too many for a select: a text input that lists what may be typed.
                listed = ", ".join(o.value for o in item.options)
                hint = _("One of: {options}", options=listed)
                fields.append(
                    ModalField(
                        item.field_id[: limits.CUSTOM_ID],
                        label,
                        clip(hint, limits.LABEL_DESCRIPTION),
                        "short",
                        item.required,
                        placeholder,
                    )
                )
                continue
            fields.append(
                ModalField(
                    item.field_id[: limits.CUSTOM_ID],
                    label,
                    description,
                    "select",
                    item.required,
                    placeholder,
                    choices,
                    item.kind is FieldKind.MULTI,
                )
            )
            continue
        style = "paragraph" if item.kind is FieldKind.PARAGRAPH else "short"
        fields.append(
            ModalField(
                item.field_id[: limits.CUSTOM_ID],
                label,
                description,
                style,
                item.required,
                placeholder,
            )
        )
    title = clip(form.title.strip() or form.form_id, limits.MODAL_TITLE)
    return ModalSpec(ids.encode(form.form_id, form.context), title, tuple(fields))


# --- discord.py objects ---------------------------------------------------------------


def to_embeds(rendered: Rendered) -> list[discord.Embed]:
    return [discord.Embed.from_dict(embed) for embed in rendered.embeds]


def to_files(rendered: Rendered) -> list[discord.File]:
    return [
        discord.File(io.BytesIO(f.data), filename=f.filename, description=f.description or None)
        for f in rendered.files
    ]


def edited_files(rendered: Rendered) -> Any:
    """Files for an edit: none given keeps the message's own, as on the other platforms.

    Discord replaces a message's attachments with the edit's list, so an edit that only
    changes the text (a poll's counts, an event's RSVPs) would drop its file.
    """
    return to_files(rendered) if rendered.files else discord.utils.MISSING


def to_view(rendered: Rendered) -> discord.ui.View | None:
    """A view that only describes components (see the module docstring)."""
    if not rendered.rows:
        return None
    view = discord.ui.View(timeout=None)
    for index, row in enumerate(rendered.rows):
        if isinstance(row, ButtonRow):
            for spec in row.buttons:
                view.add_item(
                    discord.ui.Button(
                        style=discord.ButtonStyle(spec.style),
                        label=spec.label,
                        custom_id=spec.custom_id,
                        row=index,
                    )
                )
        else:
            view.add_item(_to_select(row, index))
    view.stop()
    return view


def _to_select(spec: SelectSpec, row: int | None) -> discord.ui.Select[Any]:
    options = [discord.SelectOption(label=label, value=value) for label, value in spec.options]
    return discord.ui.Select(
        custom_id=spec.custom_id,
        placeholder=spec.placeholder or None,
        min_values=1 if spec.required else 0,
        max_values=len(options) if spec.multi else 1,
        options=options,
        required=spec.required,
        row=row,
    )


def to_modal(spec: ModalSpec) -> discord.ui.Modal:
    modal = discord.ui.Modal(title=spec.title, custom_id=spec.custom_id, timeout=None)
    for item in spec.fields:
        component: discord.ui.Item[Any]
        if item.style == "select":
            component = _to_select(
                SelectSpec(
                    item.custom_id, item.placeholder or "", item.options, item.multi, item.required
                ),
                None,
            )
        else:
            component = discord.ui.TextInput(
                custom_id=item.custom_id,
                style=(
                    discord.TextStyle.paragraph
                    if item.style == "paragraph"
                    else discord.TextStyle.short
                ),
                placeholder=item.placeholder,
                required=item.required,
                max_length=limits.INPUT_VALUE,
            )
        modal.add_item(
            discord.ui.Label(text=item.label, description=item.description, component=component)
        )
    modal.stop()
    return modal


__all__ = [
    "ButtonRow",
    "ButtonSpec",
    "FileSpec",
    "FormTooLarge",
    "ModalField",
    "ModalSpec",
    "Rendered",
    "SelectSpec",
    "message",
    "modal",
    "to_embeds",
    "to_files",
    "to_modal",
    "to_view",
]
