"""How much one flag counts: pure, so the weighting can be checked by hand.

A quorum of members sends a message to the moderators, so a flag is a vote, and a
vote's weight follows trust: a member who joined yesterday counts less than one who
has been here for months. Kudos cannot be read from here (features never import each
other), so trust is tenure only; a member's own record of flags decides the rest:
whose flags are mostly dismissed counts less and gets a cooldown, and anyone flagging
faster than the hourly limit is recorded but not counted (a raid of false flags must
not empty a channel).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.features.moderation.config import ModerationConfig
from bot.features.moderation.store import FlaggerRecord


class Standing(StrEnum):
    """Why a flag weighs what it weighs (shown to moderators in /modstats)."""

    MODERATOR = "moderator"
    NEW = "new"
    REGULAR = "regular"
    VETERAN = "veteran"
    FLAG_SPAM = "flag_spam"
    COOLDOWN = "cooldown"
    RATE_LIMITED = "rate_limited"


@dataclass(frozen=True, slots=True)
class Weighing:
    weight: float
    standing: Standing

    @property
    def counted(self) -> bool:
        return self.weight > 0


def is_flag_spammer(config: ModerationConfig, record: FlaggerRecord) -> bool:
    """Enough of the member's flags were reviewed, and most were dismissed."""
    return (
        record.reviewed >= config.flag_spam_min_reviewed
        and record.dismissed_share >= config.flag_spam_dismissed_share
    )


def tenure_weight(config: ModerationConfig, joined_at: datetime | None, now: datetime) -> Weighing:
    """Weight by time in the community. An unknown join date is no evidence of newness."""
    if not config.trust_weighting or joined_at is None:
        return Weighing(1.0, Standing.REGULAR)
    tenure = now - joined_at
    if tenure < timedelta(days=config.new_member_days):
        return Weighing(config.new_member_weight, Standing.NEW)
    if tenure >= timedelta(days=config.veteran_days):
        return Weighing(config.veteran_weight, Standing.VETERAN)
    return Weighing(1.0, Standing.REGULAR)


def member_flag_weight(
    config: ModerationConfig,
    *,
    joined_at: datetime | None,
    now: datetime,
    flags_last_hour: int,
    record: FlaggerRecord,
    last_counted: datetime | None,
) -> Weighing:
    """The weight of a member's (not a moderator's) new flag."""
    if flags_last_hour >= config.max_flags_per_hour:
        return Weighing(0.0, Standing.RATE_LIMITED)
    spammer = is_flag_spammer(config, record)
    if spammer and last_counted is not None:
        cooldown = timedelta(minutes=config.flag_spam_cooldown_minutes)
        if now - last_counted < cooldown:
            return Weighing(0.0, Standing.COOLDOWN)
    base = tenure_weight(config, joined_at, now)
    if spammer:
        return Weighing(base.weight * config.flag_spam_weight, Standing.FLAG_SPAM)
    return base
