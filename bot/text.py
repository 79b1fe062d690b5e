"""User text that the bot repeats must not ping anyone or break the layout.

A poll question, a kudos reason or a question title is typed by a member; when Agora
echoes it, `@everyone`, `<!channel>` or a smuggled `<@123>` must not notify people,
and control characters must not garble a terminal or a message.
"""

from __future__ import annotations

import re
import unicodedata

ZWSP = "\u200b"
_MASS_MENTION = re.compile(r"@(everyone|here|channel)\b", re.IGNORECASE)
_ANGLE = re.compile(r"<([@#!])")


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
