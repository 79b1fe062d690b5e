"""Core text → Slack `mrkdwn`, and the length rules every Block Kit field has.

Slack wants `&`, `<` and `>` escaped, except in its own markup (`<@U…>` mentions,
`<#C…>` channels, `<https://…|links>`), which the core produces through
`ChatPort.mention()` and friends. Broadcasts (`<!channel>`, `<!here>`) are escaped
on purpose: echoing a member's text must never ping a whole channel. Light Markdown
(`**bold**`, `~~strike~~`, `[label](url)`) becomes its mrkdwn spelling.
"""

from __future__ import annotations

import re

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
