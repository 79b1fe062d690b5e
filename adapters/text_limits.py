"""Fitting text into a platform's length limits without breaking a mention token.

Both Discord and Slack write mentions as `<@…>` / `<#…>`; cutting one in half would
post garbage or a broken ping, so every cut backs off to before an unclosed `<`.
"""

from __future__ import annotations

ELLIPSIS = "…"


def _before_open_token(text: str, cut: int) -> int:
    """Move `cut` back before a `<` that is not closed by then (but never to 0)."""
    opened = text.rfind("<", 0, cut)
    if opened > text.rfind(">", 0, cut) and opened > 0:
        return opened
    return cut


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, marked with … when cut."""
    if len(text) <= limit:
        return text
    if limit <= 1:
        return text[:limit]
    return text[: _before_open_token(text, limit - 1)] + ELLIPSIS


def chunks(text: str, limit: int) -> list[str]:
    """Split long text into pieces of at most `limit`, preferring line breaks, then spaces."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        cut = _before_open_token(rest, cut)
        pieces.append(rest[:cut])
        rest = rest[cut:].lstrip("\n")
    if rest or not pieces:
        pieces.append(rest)
    return pieces
