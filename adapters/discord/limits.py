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
