"""Slack reaction names ↔ the Unicode emoji the core and the other platforms use.

Slack reports reactions by short name (`white_check_mark`), Discord and the console by
the character (`✅`). Features compare emoji, so one form must reach the core: the
character when the name is a standard emoji, else `:name:` (custom workspace emoji).
The names come from the `emoji` package's complete alias table (GitHub/Slack-style
names such as `hugging_face`, `sparkling_heart`, `thumbsup`), so any configured emoji
(🤗, 💖 …) matches. Skin tones (`+1::skin-tone-3`) count as the base emoji.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import emoji as emoji_data

# Where Slack's own name differs from the first alias the package knows.
_SLACK_NAMES = {"👍": "+1", "👎": "-1"}
_VARIATION = "\ufe0f"


def to_core(name: str) -> str:
    """`white_check_mark` → `✅`; names that are no standard emoji stay `:name:`."""
    base = name.strip(":").split("::", 1)[0]
    return str(emoji_data.emojize(f":{base}:", language="alias"))


def _data(text: str) -> Mapping[str, Any] | None:
    table = emoji_data.EMOJI_DATA
    bare = text.replace(_VARIATION, "")
    found: Mapping[str, Any] | None = (
        table.get(text) or table.get(bare) or table.get(bare + _VARIATION)
    )
    return found


def to_slack(emoji: str) -> str:
    """`✅` → `white_check_mark`, `:party_parrot:` → `party_parrot` (for reactions.*)."""
    text = emoji.strip()
    if text.startswith(":") and text.endswith(":") and len(text) > 2:
        return text[1:-1]
    bare = text.replace(_VARIATION, "")
    if bare in _SLACK_NAMES:
        return _SLACK_NAMES[bare]
    data = _data(text)
    if data is None:
        return text
    names = [*data.get("alias", ()), data["en"]]
    return str(names[0]).strip(":")


def expressible(emoji: str) -> bool:
    """Whether members can react with `emoji` on Slack: one standard emoji, or a
    custom one written `:name:` (which the workspace must have)."""
    text = emoji.strip()
    if text.startswith(":") and text.endswith(":") and len(text) > 2:
        return " " not in text
    return _data(text) is not None


def configured(sections: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(setting, emoji) for every reaction a feature listens for: `*_emoji` keys and
    the keys of `emojis` tables (kudos), in each feature's section."""
    for feature, section in sections.items():
        if not isinstance(section, Mapping):
            continue
        for key, value in section.items():
            where = f"features.{feature}.{key}"
            if str(key).endswith("_emoji") and isinstance(value, str) and value:
                yield where, value
            elif key == "emojis" and isinstance(value, Mapping):
                yield from ((where, str(e)) for e in value)
