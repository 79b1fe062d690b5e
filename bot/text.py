"""User text that the bot repeats must not ping anyone or break the layout.

A poll question, a kudos reason or a question title is typed by a member; when Agora
echoes it, `@everyone`, `<!channel>` or a smuggled `<@123>` must not notify people,
and control characters must not garble a terminal or a message.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

ZWSP = "\u200b"
_MASS_MENTION = re.compile(r"@(everyone|here|channel)\b", re.IGNORECASE)
_ANGLE = re.compile(r"<([@#!])")
# A member mention as platforms write it: Slack `<@U0002>` / `<@U0002|bob>`, Discord
# `<@123>` / `<@!123>`.
_MENTION = re.compile(r"<@!?([A-Za-z0-9]+)(?:\|([^<>]*))?>")


def neutral(text: str, *, limit: int = 1000) -> str:
    """`text` safe to echo: no mentions that notify, no control characters, bounded."""
    cleaned = "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs")
    )
    cleaned = _MASS_MENTION.sub(lambda m: "@" + ZWSP + m.group(1), cleaned)
    cleaned = _ANGLE.sub(lambda m: "<" + ZWSP + m.group(1), cleaned)
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 1] + "…"
    return cleaned


def one_line(text: str, *, limit: int = 200) -> str:
    """`neutral` and on a single line (titles, list entries)."""
    return neutral(" ".join(text.split()), limit=limit)


def mention_ids(text: str) -> list[str]:
    """The ids of the members `text` mentions, in order, once each."""
    return list(dict.fromkeys(m.group(1) for m in _MENTION.finditer(text)))


def named_mentions(text: str, names: Mapping[str, str]) -> str:
    """Mentions as `@name` (from `names` by id, else the label the platform sent), so
    text kept for later reads well anywhere; a mention of nobody known stays as is."""

    def name(match: re.Match[str]) -> str:
        found = names.get(match.group(1)) or match.group(2)
        return f"@{found}" if found else match.group(0)

    return _MENTION.sub(name, text)


def without_mentions(text: str) -> str:
    """`text` with member mentions taken out (`<@U0004> help` → `help`)."""
    return " ".join(_MENTION.sub(" ", text).split())
