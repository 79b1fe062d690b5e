"""`[features.checkins]`: check-ins kept in the config file, recurring posts, pacing.

Nothing runs until an admin defines a check-in (`[[features.checkins.checkins]]` or
`/checkin create`) or a post (`[[features.checkins.posts]]`). Schedules are written
the friendly way ("every weekday 09:00") or as cron lines, and a check-in reaches
each member at that time on their own clock unless it names a `timezone`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import time, timedelta
from typing import Literal

from pydantic import Field, field_validator, model_validator

from bot.args import ArgError, parse_duration
from bot.config import AgoraConfig, FeatureConfig, Problem, Section, check_timezone
from bot.features.checkins import segments
from bot.features.checkins.timing import ScheduleError, parse_clock, parse_schedule
from bot.i18n import _

MAX_QUESTIONS = 5  # a Discord modal holds five fields
MAX_QUESTION = 45  # Discord cuts modal field labels at 45 characters
_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
_PLACEHOLDER = re.compile(r"\{(\w*)\}")
TEMPLATE_FIELDS = ("date", "weekday", "time", "week", "community")


def check_name(value: str) -> str:
    if not _NAME.match(value):
        raise ValueError(
            _(
                "{value!r} is not a name; use lowercase letters, digits, - or _, starting "
                'with a letter (e.g. "standup")',
                value=value,
            )
        )
    return value


def duration_or_none(value: str) -> timedelta | None:
    """`2h` → 2 hours; "" or "0" → None (off)."""
    text = value.strip()
    if text in ("", "0"):
        return None
    try:
        return parse_duration(text)
    except ArgError as error:
        raise ValueError(str(error)) from None


def clock_or_none(value: str) -> time | None:
    if not value.strip():
        return None
    try:
        return parse_clock(value)
    except ScheduleError as error:
        raise ValueError(str(error)) from None


class CheckinDefinition(Section):
    """One check-in kept in the file (`[[features.checkins.checkins]]`)."""

    # Stable id used in commands (/checkin join standup) and in stored answers.
    name: str
    # Shown as the heading of the questions and of the summary.
    title: str = Field(min_length=1, max_length=100)
    # "every weekday 09:00", "mon, wed 10:30", "every day at 9am" or a cron line.
    schedule: str
    # One to five questions (a Discord form holds five fields).
    questions: list[str] = Field(min_length=1, max_length=MAX_QUESTIONS)
    # Who takes part: members with any of these roles ...
    roles: list[str] = Field(default_factory=list)
    # ... or in any of these onboarding segments (a named `segment` of an answer, or
    # "<question id>:<option id>"; /segments lists them) ...
    segments: list[str] = Field(default_factory=list)
    # ... or every member. Members can always /checkin join or /checkin leave.
    everyone: bool = False
    # "" = 09:00 on each member's own clock (/timezone); a zone name = that zone for all.
    timezone: str = ""
    # "dm": a private message with an Answer button; "channel": one post in `channel`.
    delivery: Literal["dm", "channel"] = "dm"
    # Channel (by name) for the summary, and the post when delivery = "channel".
    channel: str = ""
    # Remind those who have not answered this long after it reached them; "" = never.
    remind_after: str = "2h"
    # When the summary is posted, on the clock of `timezone` (else [bot] timezone).
    summary_at: str = "17:00"

    _name = field_validator("name")(check_name)

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str) -> str:
        try:
            return parse_schedule(value)
        except ScheduleError as error:
            raise ValueError(str(error)) from None

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return check_timezone(value) if value else ""

    @field_validator("segments")
    @classmethod
    def _segments(cls, value: list[str]) -> list[str]:
        # Which names exist is onboarding's say: check_checkins compares them.
        return list(dict.fromkeys(name.strip() for name in value if name.strip()))

    @field_validator("questions")
    @classmethod
    def _questions(cls, value: list[str]) -> list[str]:
        cleaned = [" ".join(q.split()) for q in value]
        for question in cleaned:
            if not question or len(question) > MAX_QUESTION:
                raise ValueError(
                    _(
                        "each question needs 1 to {max} characters: {question!r}",
                        max=MAX_QUESTION,
                        question=question,
                    )
                )
        return cleaned

    @field_validator("channel")
    @classmethod
    def _channel(cls, value: str) -> str:
        return value.strip().lstrip("#")

    @field_validator("remind_after")
    @classmethod
    def _remind(cls, value: str) -> str:
        duration_or_none(value)
        return value

    @field_validator("summary_at")
    @classmethod
    def _summary(cls, value: str) -> str:
        clock_or_none(value)
        return value

    @model_validator(mode="after")
    def _channel_needed(self) -> CheckinDefinition:
        if self.delivery == "channel" and not self.channel:
            raise ValueError(_('delivery = "channel" needs a channel to post in'))
        return self


class PostDefinition(Section):
    """One recurring post (`[[features.checkins.posts]]`)."""

    name: str
    # When: "every monday 09:00" or a cron line.
    schedule: str
    # Channel (by name) it goes to (and to the channels bridged with it).
    channel: str = Field(min_length=1)
    # The text; {date}, {weekday}, {time}, {week} and {community} are filled in.
    text: str = Field(min_length=1, max_length=2000)
    # Post on the scheduled day at the hour the channel was busiest over the last four
    # weeks (the schedule's minute kept); without activity, at the scheduled time.
    best_time: bool = False
    # "" = [bot] timezone.
    timezone: str = ""

    _name = field_validator("name")(check_name)

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str) -> str:
        try:
            return parse_schedule(value)
        except ScheduleError as error:
            raise ValueError(str(error)) from None

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return check_timezone(value) if value else ""

    @field_validator("channel")
    @classmethod
    def _channel(cls, value: str) -> str:
        return value.strip().lstrip("#")

    @field_validator("text")
    @classmethod
    def _template(cls, value: str) -> str:
        unknown = [f for f in _PLACEHOLDER.findall(value) if f not in TEMPLATE_FIELDS]
        if unknown:
            raise ValueError(
                _(
                    "unknown placeholder {{{field}}}; use {fields}",
                    field=unknown[0],
                    fields=", ".join(f"{{{f}}}" for f in TEMPLATE_FIELDS),
                )
            )
        return value


class CheckinsConfig(FeatureConfig):
    # Check-ins kept in this file (admins can add more with /checkin create).
    checkins: list[CheckinDefinition] = Field(default_factory=list)
    # Recurring posts (a content calendar).
    posts: list[PostDefinition] = Field(default_factory=list)
    # After a restart, runs and posts missed by at most this long are made up once;
    # older ones are skipped (and logged).
    grace: str = "1h"
    # Check-in DMs (and reminders) sent per second at most: the platforms' rate limits
    # (Discord ~50 requests/s per bot, a DM costs two; Slack about one post per second
    # per conversation with bursts) are kept by spreading a big run over seconds.
    dms_per_second: int = Field(20, ge=1, le=50)

    @field_validator("grace")
    @classmethod
    def _grace(cls, value: str) -> str:
        duration_or_none(value)
        return value

    @model_validator(mode="after")
    def _unique(self) -> CheckinsConfig:
        for kind, names in (
            ("checkins", [c.name for c in self.checkins]),
            ("posts", [p.name for p in self.posts]),
        ):
            twice = sorted({n for n in names if names.count(n) > 1})
            if twice:
                raise ValueError(
                    _(
                        "{kind} names must be unique; repeated: {names}",
                        kind=kind,
                        names=", ".join(twice),
                    )
                )
        return self

    @property
    def grace_window(self) -> timedelta:
        return duration_or_none(self.grace) or timedelta(0)


def check_checkins(section: CheckinsConfig, config: AgoraConfig) -> Iterator[Problem]:
    """Settings that validate alone but make no sense with the rest of the file."""
    if not section.enabled:
        return
    made = segments.from_config(config) if any(c.segments for c in section.checkins) else None
    for index, checkin in enumerate(section.checkins):
        audience = checkin.roles or checkin.segments or checkin.everyone
        if not audience and checkin.delivery == "dm":
            yield Problem(
                f"features.checkins.checkins[{index}]",
                None,
                _("check-in {name!r} has no audience yet", name=checkin.name),
                _(
                    "set roles, segments or everyone = true, or let members /checkin join {name}",
                    name=checkin.name,
                ),
            )
        yield from _check_segments(index, checkin, made)
        if not checkin.channel and clock_or_none(checkin.summary_at) is not None:
            yield Problem(
                f"features.checkins.checkins[{index}].channel",
                None,
                _("check-in {name!r} has a summary time but no channel", name=checkin.name),
                _('name the channel for its summary, or set summary_at = ""'),
            )


def _check_segments(
    index: int, checkin: CheckinDefinition, made: segments.Catalogue | None
) -> Iterator[Problem]:
    """Segments are onboarding's: it must be on, and make every segment named."""
    if not checkin.segments:
        return
    where = f"features.checkins.checkins[{index}].segments"
    if made is None:
        yield Problem(
            where,
            None,
            _(
                "check-in {name!r} asks onboarding segments, but onboarding is off",
                name=checkin.name,
            ),
            _("enable [features.onboarding], or use roles instead of segments"),
        )
        return
    for name in checkin.segments:
        if name not in made:
            yield Problem(
                where,
                None,
                _(
                    "check-in {name!r}: there is no onboarding segment {segment!r}",
                    name=checkin.name,
                    segment=name,
                ),
                _("known segments: {names}", names=segments.known_names(made)),
            )
