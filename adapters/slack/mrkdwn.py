"""Core text → Slack `mrkdwn`, and the length rules every Block Kit field has.

Slack wants `&`, `<` and `>` escaped, except in its own markup (`<@U…>` mentions,
`<#C…>` channels, `<https://…|links>`), which the core produces through
`ChatPort.mention()` and friends. Broadcasts (`<!channel>`, `<!here>`) are escaped
on purpose: echoing a member's text must never ping a whole channel. Light Markdown
(`**bold**`, `~~strike~~`, `[label](url)`) becomes its mrkdwn spelling.
"""

from __future__ import annotations

import re

ELLIPSIS = "…"

_TOKEN = re.compile(
    r"<(?:@[UWB][A-Z0-9]+|#[CGD][A-Z0-9]+|!date\^[^<>]*|(?:https?|mailto):[^<>\s|]+)"
    r"(?:\|[^<>]*)?>"
    r"|\[(?P<label>[^\[\]\n]+)\]\((?P<url>(?:https?|mailto):[^()\s<>]+)\)"
)
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*", re.DOTALL)
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~", re.DOTALL)
_UNESCAPE = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Slack escapes `& < >` in what members type; the core wants the characters."""
    for escaped, char in _UNESCAPE:
        text = text.replace(escaped, char)
    return text


def to_mrkdwn(text: str) -> str:
    """Escape `text` for mrkdwn, keeping Slack markup and converting light Markdown."""
    parts: list[str] = []
    pos = 0
    for match in _TOKEN.finditer(text):
        parts.append(escape(text[pos : match.start()]))
        if match.group("url"):
            parts.append(f"<{match.group('url')}|{escape(match.group('label'))}>")
        else:
            parts.append(match.group(0))
        pos = match.end()
    parts.append(escape(text[pos:]))
    converted = _BOLD.sub(r"*\1*", "".join(parts))
    return _STRIKE.sub(r"~\1~", converted)


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, marked with … when cut (never a half `<@U…>` token)."""
    if len(text) <= limit:
        return text
    if limit <= 1:
        return text[:limit]
    cut = text[: limit - 1]
    opened = cut.rfind("<")
    if opened > cut.rfind(">"):
        cut = cut[:opened]
    return cut + ELLIPSIS


def chunks(text: str, limit: int) -> list[str]:
    """Split long text into pieces of at most `limit`, preferring line breaks."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        opened = rest.rfind("<", 0, cut)
        if opened > rest.rfind(">", 0, cut) and opened > 0:
            cut = opened
        pieces.append(rest[:cut])
        rest = rest[cut:].lstrip("\n")
    if rest or not pieces:
        pieces.append(rest)
    return pieces
