"""The moderation feature object, apart from its handlers so every module can name it.

Renderers need `feature.action_id(...)` for buttons, and `handlers.py` registers the
handlers on this same object; keeping it here avoids an import cycle.
"""

from __future__ import annotations

from bot.features.moderation.config import ModerationConfig
from bot.i18n import N_
from bot.needs import Need
from bot.registry import Feature

feature = Feature(
    "moderation",
    config=ModerationConfig,
    description=N_("Member flags, the moderation queue, sanctions, the audit log and rules"),
    # Flags are reactions; the queue offers removing the message, timeouts, kicks and bans.
    needs=frozenset({Need.REACTIONS, Need.MANAGE_MESSAGES, Need.TIMEOUT, Need.KICK, Need.BAN}),
)


@feature.requires
def needs(section: ModerationConfig) -> set[Need]:
    """Auto-hide keeps the text of a hidden message, to restore it on dismissal."""
    return {Need.MESSAGE_TEXT} if section.auto_hide else set()
