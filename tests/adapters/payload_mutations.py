"""Damaged copies of real payloads, for fuzzing what the adapters make of them.

Platforms send what they send: a field missing after an API change, a number where
a string was, a 40,000-character message, control characters in a name. Starting
from the shared samples (so every path a real payload takes is reached), each field
is kept, dropped, replaced by a value of another type, a huge string or control
characters, or damaged in turn — in dicts and lists alike.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
# Cheap to build however long: one piece repeated (plain, accented, emoji, bidi,
# markup a member could type).
huge_strings = st.builds(
    lambda piece, times: piece * times,
    st.sampled_from(["x", "é", "🙂", "\u202e", "<@123> ", "@everyone ", "\x00"]),
    st.integers(min_value=2_000, max_value=40_000),
)
control_strings = st.text(
    alphabet=st.characters(categories=["Cc", "Cf"]), min_size=1, max_size=20
) | st.builds(lambda s: f"a\x00b\x1b[2J{s}\u202e", st.text(max_size=8))
replacements = st.one_of(json_values, huge_strings, control_strings)
_CHOICES = ("keep", "keep", "keep", "drop", "replace", "damage")


def mutate(payload: Any, data: st.DataObject, depth: int = 0) -> Any:
    """A damaged copy of `payload` (JSON-like), drawn field by field from `data`."""
    if depth > 6:
        return payload
    if isinstance(payload, dict):
        result: dict[str, Any] = {}
        for key, value in payload.items():
            choice = data.draw(st.sampled_from(_CHOICES))
            if choice == "keep":
                result[key] = value
            elif choice == "replace":
                result[key] = data.draw(replacements)
            elif choice == "damage":
                result[key] = mutate(value, data, depth + 1)
        return result
    if isinstance(payload, list):
        return [
            mutate(item, data, depth + 1)
            for item in payload
            if data.draw(st.sampled_from(_CHOICES)) != "drop"
        ]
    if isinstance(payload, str) and data.draw(st.booleans()):
        return payload + data.draw(st.one_of(control_strings, huge_strings))
    return payload
