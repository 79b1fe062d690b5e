"""Slack's Block Kit limits as a checker, for tests: `violations(...)` lists what is wrong."""

from __future__ import annotations

from typing import Any

from adapters.slack import render as r


def _text(obj: Any, limit: int, where: str, problems: list[str], kind: str | None = None) -> None:
    if not isinstance(obj, dict) or obj.get("type") not in ("plain_text", "mrkdwn"):
        problems.append(f"{where}: not a text object: {obj!r}")
        return
    if kind and obj["type"] != kind:
        problems.append(f"{where}: must be {kind}")
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        problems.append(f"{where}: empty text")
    elif len(text) > limit:
        problems.append(f"{where}: {len(text)} > {limit} characters")


def _options(options: Any, where: str, problems: list[str]) -> None:
    if not options or len(options) > r.OPTIONS:
        problems.append(f"{where}: {len(options or [])} options")
        return
    values = [o["value"] for o in options]
    if len(set(values)) != len(values):
        problems.append(f"{where}: duplicate option values")
    for option in options:
        _text(option["text"], r.OPTION_TEXT, where + ".option", problems, "plain_text")
        if not option["value"] or len(option["value"]) > r.OPTION_VALUE:
            problems.append(f"{where}: option value length {len(option['value'])}")


def _element(element: dict[str, Any], where: str, problems: list[str]) -> None:
    action_id = element.get("action_id", "")
    if not action_id or len(action_id) > r.ACTION_ID:
        problems.append(f"{where}: action_id length {len(action_id)}")
    kind = element.get("type")
    if kind == "button":
        _text(element["text"], r.BUTTON_TEXT, where + ".text", problems, "plain_text")
        if len(element.get("value", "")) > r.BUTTON_VALUE:
            problems.append(f"{where}: value too long")
        if element.get("style") not in (None, "primary", "danger"):
            problems.append(f"{where}: style {element.get('style')}")
    elif kind in ("static_select", "multi_static_select"):
        if "placeholder" in element:
            _text(
                element["placeholder"],
                r.PLACEHOLDER,
                where + ".placeholder",
                problems,
                "plain_text",
            )
        _options(element.get("options"), where, problems)
    elif kind == "plain_text_input":
        if "placeholder" in element:
            _text(
                element["placeholder"],
                r.PLACEHOLDER,
                where + ".placeholder",
                problems,
                "plain_text",
            )
    else:
        problems.append(f"{where}: unexpected element {kind}")


def block_violations(blocks: list[dict[str, Any]], limit: int) -> list[str]:
    problems: list[str] = []
    if len(blocks) > limit:
        problems.append(f"{len(blocks)} blocks > {limit}")
    block_ids = [b["block_id"] for b in blocks if "block_id" in b]
    if len(set(block_ids)) != len(block_ids):
        problems.append("duplicate block_id")
    for i, block in enumerate(blocks):
        where = f"blocks[{i}]"
        kind = block.get("type")
        if kind == "section":
            if "text" in block:
                _text(block["text"], r.SECTION_TEXT, where + ".text", problems)
            fields = block.get("fields", [])
            if len(fields) > r.FIELDS_PER_SECTION:
                problems.append(f"{where}: {len(fields)} fields")
            for field in fields:
                _text(field, r.FIELD_TEXT, where + ".field", problems)
            if "text" not in block and not fields:
                problems.append(f"{where}: empty section")
        elif kind == "context":
            elements = block.get("elements", [])
            if not 1 <= len(elements) <= 10:
                problems.append(f"{where}: {len(elements)} context elements")
            for element in elements:
                _text(element, r.CONTEXT_TEXT, where + ".element", problems)
        elif kind == "actions":
            elements = block.get("elements", [])
            if not 1 <= len(elements) <= r.ACTION_ELEMENTS:
                problems.append(f"{where}: {len(elements)} elements")
            ids = [e.get("action_id") for e in elements]
            if len(set(ids)) != len(ids):
                problems.append(f"{where}: duplicate action_id in one block")
            for j, element in enumerate(elements):
                _element(element, f"{where}.elements[{j}]", problems)
        elif kind == "image":
            if not block.get("image_url") or len(block["image_url"]) > r.IMAGE_URL:
                problems.append(f"{where}: image_url")
            if not block.get("alt_text") or len(block["alt_text"]) > r.ALT_TEXT:
                problems.append(f"{where}: alt_text")
        elif kind == "input":
            _text(block["label"], r.INPUT_LABEL, where + ".label", problems, "plain_text")
            if len(block["block_id"]) > r.BLOCK_ID:
                problems.append(f"{where}: block_id too long")
            _element(block["element"], where + ".element", problems)
        else:
            problems.append(f"{where}: unknown block type {kind}")
    return problems


def message_violations(rendered: r.Rendered) -> list[str]:
    problems = block_violations(rendered.blocks, r.MESSAGE_BLOCKS)
    if not rendered.text.strip() or len(rendered.text) > r.MESSAGE_TEXT:
        problems.append(f"fallback text length {len(rendered.text)}")
    return problems


def modal_violations(view: dict[str, Any]) -> list[str]:
    problems = block_violations(view["blocks"], r.VIEW_BLOCKS)
    for key in ("title", "submit", "close"):
        _text(view[key], r.MODAL_TITLE, key, problems, "plain_text")
    if not view["callback_id"] or len(view["callback_id"]) > r.ACTION_ID:
        problems.append("callback_id length")
    if len(view["private_metadata"]) > r.PRIVATE_METADATA:
        problems.append("private_metadata too long")
    return problems
