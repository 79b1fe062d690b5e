"""One emoji, however a platform spells it: how every feature compares reactions.

Platforms differ in details a member never notices: ⭐ arrives with or without the
variation selector (U+FE0E/U+FE0F), and 🙏🏽 carries a skin-tone modifier
(U+1F3FB–U+1F3FF) that Discord and the console keep while Slack sends the plain
name (`pray::skin-tone-3` → 🙏). A member who thanks with their own skin tone, or
flags from a phone that adds U+FE0F, means the configured emoji, so features compare
emoji in the one form `canonical` gives.
"""

from __future__ import annotations

# Variation selectors and the five Fitzpatrick skin-tone modifiers.
_IGNORED = dict.fromkeys([0xFE0E, 0xFE0F, *range(0x1F3FB, 0x1F3FF + 1)])


def canonical(emoji: str) -> str:
    """The form emoji are compared in: spaces trimmed, variation and skin tone dropped."""
    return emoji.strip().translate(_IGNORED)


def matches(configured: str, reacted: str) -> bool:
    """Whether a reaction is the configured emoji (an empty setting matches nothing)."""
    wanted = canonical(configured)
    return bool(wanted) and wanted == canonical(reacted)
