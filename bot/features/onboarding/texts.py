"""Texts admins write in TOML: one string, or one per language, with placeholders.

`welcome_message = "Hi {member}!"` serves every language; `welcome_message = { en =
"Hi {member}!", nb = "Hei {member}!" }` speaks each member's language and falls back
to the community's, then English, then whichever is there. An empty string means
"Agora's own text", which is translated by the catalogs.

Placeholders are filled by name only: a stray `{` or an unknown `{name}` is left as
written instead of crashing a welcome (`agora check` reports unknown names).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.localized import Localized, pick, variants

__all__ = ["PLACEHOLDERS", "Localized", "fill", "pick", "unknown_placeholders", "variants"]

PLACEHOLDERS = ("member", "community", "rules_channel")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def fill(template: str, values: Mapping[str, str]) -> str:
    """Replace `{name}` for the names given; everything else stays as written."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def unknown_placeholders(text: Localized, known: tuple[str, ...] = PLACEHOLDERS) -> list[str]:
    found = {m.group(1) for variant in variants(text) for m in _PLACEHOLDER.finditer(variant)}
    return sorted(found - set(known))
