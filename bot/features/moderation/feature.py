"""The moderation feature object, apart from its handlers so every module can name it.

Renderers need `feature.action_id(...)` for buttons, and `handlers.py` registers the
handlers on this same object; keeping it here avoids an import cycle.
"""

from __future__ import annotations

from bot.features.moderation.config import ModerationConfig
from bot.i18n import N_
from bot.registry import Feature

feature = Feature(
    "moderation",
    config=ModerationConfig,
    description=N_("Member flags, the moderation queue, sanctions, the audit log and rules"),
)
