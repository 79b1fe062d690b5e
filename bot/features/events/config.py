"""`[features.events]`: who creates events, default length, and when reminders go out.

Defaults work out of the box: moderators create events, an event lasts an hour
unless `--duration` says otherwise, and members who RSVPed get a direct message a
day and a quarter of an hour before it starts.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field, field_validator

from bot.args import ArgError, parse_duration
from bot.config import FeatureConfig


def _duration(value: str) -> str:
    try:
        parse_duration(value)
    except ArgError as error:
        raise ValueError(str(error)) from None
    return value


class EventsConfig(FeatureConfig):
    # Who may create events: "member", "moderator" (default) or "admin". The creator
    # and moderators may cancel an event.
    create_level: Literal["member", "moderator", "admin"] = "moderator"
    # How long an event lasts when /event create has no --duration (e.g. "90m", "2h").
    default_duration: str = "1h"
    # Reminders DM'd to members who RSVPed, as durations before the start.
    reminders: list[str] = Field(default_factory=lambda: ["24h", "15m"], max_length=5)
    # Whether members who answered "maybe" get the reminders too.
    remind_maybe: bool = True
    # The largest --limit an event may have.
    max_limit: int = Field(1000, ge=1, le=100_000)

    _default = field_validator("default_duration")(_duration)

    @field_validator("reminders")
    @classmethod
    def _reminders(cls, value: list[str]) -> list[str]:
        return [_duration(v) for v in value]

    @property
    def reminder_offsets(self) -> list[timedelta]:
        return sorted({parse_duration(v) for v in self.reminders}, reverse=True)

    @property
    def duration(self) -> timedelta:
        return parse_duration(self.default_duration)
