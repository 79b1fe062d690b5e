"""User text that the bot repeats must not ping anyone, hide a link or break the layout.

A poll question, a kudos reason or a question title is typed by a member; when Agora
echoes it, `@everyone`, `<!channel>` or a smuggled `<@123>` must not notify people,
`[Claim your prize](https://evil.example)` must not become a link whose text hides
where it goes, and control characters must not garble a terminal or a message.

Two layers use this module:
- `defuse` is applied where user text enters the core — free-text command
  arguments, form answers, and what error messages quote back — so features get
  text that is safe to echo whatever they do with it (`bot.dispatch`).
- `safe_placeholder` is applied to every value filled into a translated sentence
  (`bot.i18n`): it drops invisible characters and defuses mass mentions, the two
  things no sentence ever means to carry. It leaves user pings and links alone,
  because the bot's own mentions and an admin's configured links travel that way.

Defusing inserts a zero-width space, so the text still reads the same.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

ZWSP = "\u200b"

# C0/C1 controls except tab and newline, and the invisible format characters that
# reorder, hide or join text (bidi overrides and isolates, BOM, word joiners,
# interlinear annotations). Kept: zero-width (non-)joiners, which emoji and some
# scripts need, and tag characters (subdivision flags such as Scotland's).
_INVISIBLE = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2"
    "\u180e\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\ud800-\udfff"
)
_CONTROLS = re.compile(f"[{_INVISIBLE}]+")
_CONTROLS_AND_ZWSP = re.compile(f"[{_INVISIBLE}{ZWSP}]+")
_MASS_MENTION = re.compile(r"@(everyone|here|channel)\b", re.IGNORECASE)
# A member mention as platforms write it: Slack `<@U0002>` / `<@U0002|bob>`, Discord
# `<@123>` / `<@!123>`.
_MENTION = re.compile(r"<@!?([A-Za-z0-9]+)(?:\|([^<>]*))?>")
# Platform markup: Discord `<@1>` `<@&2>` `<#3>`, Slack `<!channel>` `<@U1>`, and
# Slack's own link syntax `<https://…|text>`.
_ANGLE = re.compile(r"<(?=[@#!]|(?:https?|mailto):)", re.IGNORECASE)
# Slack broadcasts only: `<!date^…>` and the like are the bot's own markup.
_BROADCAST = re.compile(r"<(?=!(?:channel|here|everyone)\b)", re.IGNORECASE)
# Markdown masked links: `[text](url)` (Discord also takes `[text](<url>)`).
_MASKED_LINK = re.compile(r"(\[[^\[\]\n]*\])(?=\(\s*<?\s*(?:https?|mailto):)", re.IGNORECASE)


def _mass_mentions_defused(text: str) -> str:
    return _MASS_MENTION.sub(lambda m: "@" + ZWSP + m.group(1), text)


def defuse(text: str) -> str:
    """`text` safe to echo anywhere: no control or invisible characters, no mention or
    broadcast that notifies, no link hiding its address. Idempotent."""
    cleaned = _CONTROLS_AND_ZWSP.sub("", text)
    cleaned = _mass_mentions_defused(cleaned)
    cleaned = _MASKED_LINK.sub(lambda m: m.group(1) + ZWSP, cleaned)
    return _ANGLE.sub("<" + ZWSP, cleaned)


def safe_placeholder(text: str) -> str:
    """The part of `defuse` that is right for any value put into a sentence."""
    cleaned = _CONTROLS.sub("", text)
    cleaned = _mass_mentions_defused(cleaned)
    return _BROADCAST.sub("<" + ZWSP, cleaned)


def neutral(text: str, *, limit: int = 1000) -> str:
    """`defuse`d and bounded to `limit` characters."""
    cleaned = defuse(text)
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
