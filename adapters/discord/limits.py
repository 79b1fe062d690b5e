"""The sizes Discord enforces, in one place.

Discord answers `400 Invalid Form Body` when any of these is exceeded, and the whole
message is lost. Rendering clips to these numbers, and the property tests check every
rendered message against them, so a long poll or a big report degrades instead of
vanishing.
"""

from __future__ import annotations

CONTENT = 2000
MESSAGE_PARTS = 4  # long text becomes at most this many messages; the rest is cut

EMBEDS = 10
EMBED_TOTAL = 6000
EMBED_DESCRIPTION = 4096
EMBED_FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048

ROWS = 5
BUTTONS_PER_ROW = 5
BUTTON_LABEL = 80
CUSTOM_ID = 100
SELECT_OPTIONS = 25
SELECT_PLACEHOLDER = 150
OPTION_LABEL = 100
OPTION_VALUE = 100
FILES = 10

MODAL_TITLE = 45
MODAL_FIELDS = 5
LABEL_TEXT = 45
LABEL_DESCRIPTION = 100
INPUT_PLACEHOLDER = 100
INPUT_VALUE = 4000

COMMAND_NAME = 32
COMMAND_DESCRIPTION = 100
COMMAND_OPTIONS = 25
COMMAND_CHOICES = 25
CHOICE_NAME = 100
CHOICE_VALUE = 100
SUBCOMMANDS = 25

ELLIPSIS = "…"


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, marked with … when cut (never half a `<@…>` token)."""
    if len(text) <= limit:
        return text
    if limit <= 1:
        return text[:limit]
    cut = text[: limit - 1]
    opened = cut.rfind("<")
    if opened > cut.rfind(">") and opened > 0:
        cut = cut[:opened]
    return cut + ELLIPSIS


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
        opened = rest.rfind("<", 0, cut)
        if opened > rest.rfind(">", 0, cut) and opened > 0:
            cut = opened
        pieces.append(rest[:cut])
        rest = rest[cut:].lstrip("\n")
    if rest or not pieces:
        pieces.append(rest)
    return pieces
