"""`[features.identity]`: linking accounts across platforms."""

from __future__ import annotations

from bot.config import FeatureConfig


class IdentityConfig(FeatureConfig):
    # Suggest linking when two accounts on different platforms report the same verified
    # email (Slack with users:read.email). Never links without the member's /link.
    suggest_by_email: bool = True
