"""`[features.announcements]`: who may announce, and how acknowledgements look.

Defaults work out of the box: admins announce, `--ack` adds a "✅ I have read this"
button, and `/announce status` lists up to 50 names per group.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from bot.config import FeatureConfig


class AnnouncementsConfig(FeatureConfig):
    # Who may post announcements: "admin" (default) or "moderator".
    level: Literal["moderator", "admin"] = "admin"
    # The label of the acknowledgement button (`--ack`), in the community's language.
    ack_label: str = Field("✅ I have read this", min_length=1, max_length=60)
    # How many names `/announce status` lists per group before "and N more".
    status_names: int = Field(50, ge=1, le=500)
