"""`Outgoing` messages as JSON text, so the outbox can keep them across a restart.

Only the model's own message types are written and read back (a closed list, not
arbitrary classes): dataclasses become `{"$": name, field: value}`, bytes (chart
PNGs, calendar files) base64 under `"$b64"`, enums `{"$enum": name, "value": v}` and
plain mappings (`Outgoing.meta`) `{"$map": {...}}`. Tuples come back as tuples, since
the model is frozen dataclasses of tuples throughout.

A message an older Agora wrote and this one cannot read raises `ValueError`; the
outbox logs and drops it rather than stopping delivery of the others.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from enum import Enum
from typing import Any

from bot.model import (
    Attachment,
    Button,
    Buttons,
    ButtonStyle,
    Context,
    Fields,
    Image,
    Option,
    Outgoing,
    Ref,
    Section,
    Select,
)

_TYPES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        Outgoing,
        Ref,
        Section,
        Fields,
        Context,
        Buttons,
        Button,
        Select,
        Option,
        Image,
        Attachment,
    )
}
_ENUMS: dict[str, type[Enum]] = {ButtonStyle.__name__: ButtonStyle}


def encode(out: Outgoing) -> str:
    return json.dumps(_plain(out), ensure_ascii=False, separators=(",", ":"))


def decode(text: str) -> Outgoing:
    try:
        found = _model(json.loads(text))
    except (KeyError, TypeError, json.JSONDecodeError) as error:
        raise ValueError(f"not a stored message: {error}") from error
    if not isinstance(found, Outgoing):
        raise ValueError("not a stored message: the top level is not an Outgoing")
    return found


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return {"$enum": type(value).__name__, "value": value.value}
    if is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__
        if name not in _TYPES:
            raise TypeError(f"{name} cannot be kept in the outbox")
        return {"$": name, **{f.name: _plain(getattr(value, f.name)) for f in fields(value)}}
    if isinstance(value, bytes):
        return {"$b64": base64.b64encode(value).decode("ascii")}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping):
        return {"$map": {str(k): _plain(v) for k, v in value.items()}}
    return value


def _model(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_model(item) for item in value)
    if not isinstance(value, dict):
        return value
    if "$" in value:
        cls = _TYPES[value["$"]]
        return cls(**{k: _model(v) for k, v in value.items() if k != "$"})
    if "$b64" in value:
        return base64.b64decode(value["$b64"])
    if "$enum" in value:
        return _ENUMS[value["$enum"]](value["value"])
    return {k: _model(v) for k, v in value["$map"].items()}
