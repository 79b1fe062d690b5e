"""`[features.questions]`: where questions live, who gets pinged, and how fast."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import time

from pydantic import Field, field_validator, model_validator

from bot.config import AgoraConfig, FeatureConfig, Problem
from bot.i18n import _
from bot.needs import Need

_QUIET = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_TOPIC = re.compile(r"^[\w\-]{1,32}$")


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A daily span of local time when nobody is pinged (it may wrap past midnight)."""

    start: time
    end: time

    def contains(self, moment: time) -> bool:
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


def parse_quiet_hours(text: str) -> QuietHours | None:
    """`"22:00-08:00"` → QuietHours; `""` → None (no quiet hours)."""
    if not text.strip():
        return None
    match = _QUIET.match(text)
    if match is None:
        raise ValueError(_('write quiet hours as HH:MM-HH:MM, e.g. 22:00-08:00, or "" for none'))
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise ValueError(_("quiet hours need times between 00:00 and 23:59"))
    if (h1, m1) == (h2, m2):
        raise ValueError(_("quiet hours must start and end at different times"))
    return QuietHours(time(h1, m1), time(h2, m2))


def _check_selectors(values: list[str]) -> list[str]:
    for value in values:
        kind, sep, rest = value.partition(":")
        if not sep or kind not in ("role", "user") or not rest.strip():
            raise ValueError(
                _("{value!r} is not a selector; write role:NAME or user:NAME", value=value)
            )
    return values


class QuestionsConfig(FeatureConfig):
    # /ask posts the question here (by name); "" posts where /ask was typed.
    ask_channel: str = "help"
    # Every new top-level message in these channels becomes a tracked question.
    help_channels: list[str] = Field(default_factory=list)
    # Reacting with this emoji to any message turns it into a question ("" turns it off).
    question_emoji: str = "❓"
    # The asker (or a helper) reacts with this to the answer that solved it.
    accept_emoji: str = "✅"
    # No reply from anyone but the asker within this many minutes → ping the helpers.
    first_response_minutes: int = Field(30, ge=1, le=1440)
    # Still no reply this many minutes after the helpers were pinged → ping moderators.
    escalate_after_minutes: int = Field(30, ge=1, le=10080)
    # Answered but not solved this many hours after the last reply → ask the asker.
    follow_up_hours: int = Field(24, ge=1, le=720)
    # Answered questions with no activity for this many days close as stale.
    idle_close_days: int = Field(7, ge=1, le=365)
    # Who is pinged for every question (selectors as in [permissions]).
    helpers: list[str] = Field(default_factory=lambda: ["role:helper"])
    # Extra helpers per topic: { billing = ["role:billing"] }. When topics are listed
    # here, /ask only accepts these topics; otherwise any one-word topic is fine.
    topics: dict[str, list[str]] = Field(default_factory=dict)
    # Where moderators are pinged when helpers did not answer ("" = by direct message).
    escalation_channel: str = "mod-queue"
    # Nobody is pinged during these hours of their own time zone ("" = always).
    quiet_hours: str = "22:00-08:00"
    # How many solved questions /ask suggests before posting (0 turns FAQ search off).
    faq_suggestions: int = Field(3, ge=0, le=5)

    _helpers = field_validator("helpers")(_check_selectors)

    @field_validator("topics")
    @classmethod
    def _topics(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for name, selectors in value.items():
            if not _TOPIC.match(name):
                raise ValueError(
                    _(
                        "topic {name!r} must be one word (letters, digits, - or _)",
                        name=name,
                    )
                )
            _check_selectors(selectors)
        return {name.lower(): selectors for name, selectors in value.items()}

    @field_validator("quiet_hours")
    @classmethod
    def _quiet(cls, value: str) -> str:
        parse_quiet_hours(value)
        return value

    @model_validator(mode="after")
    def _follow_up_before_close(self) -> QuestionsConfig:
        if self.idle_close_days * 24 <= self.follow_up_hours:
            raise ValueError(
                _(
                    "idle_close_days must be longer than follow_up_hours, or askers are never "
                    "asked whether their question was solved"
                )
            )
        return self

    @property
    def quiet(self) -> QuietHours | None:
        return parse_quiet_hours(self.quiet_hours)

    def topic_names(self) -> list[str]:
        return sorted(self.topics)


def check_someone_is_pinged(section: QuestionsConfig, config: AgoraConfig) -> Iterator[Problem]:
    """An unanswered question must reach somebody: helpers, a topic team or moderators."""
    if not section.enabled:
        return
    reachable = (
        section.helpers
        or any(section.topics.values())
        or config.permissions.moderator
        or config.permissions.admin
    )
    if not reachable:
        yield Problem(
            "features.questions.helpers",
            None,
            _("nobody would be pinged when a question goes unanswered"),
            _('list helpers (e.g. ["role:helper"]) or moderators under [permissions]'),
        )


def questions_needs(section: QuestionsConfig) -> Iterator[Need]:
    """A message made a question (help channel, question emoji) lends it its text."""
    if section.help_channels or section.question_emoji:
        yield Need.MESSAGE_TEXT


def check_question_text(section: QuestionsConfig, config: AgoraConfig) -> Iterator[Problem]:
    """Questions opened from messages take their title from the text Discord would withhold."""
    if not (section.enabled and config.discord.enabled and config.discord.message_content is False):
        return
    if section.help_channels or section.question_emoji:
        key = "help_channels" if section.help_channels else "question_emoji"
        yield Problem(
            f"features.questions.{key}",
            None,
            _(
                "questions opened from messages (help channels, the question emoji) take "
                "their title from the text, but Discord sends no content: they would have "
                "no title and the FAQ could not find them"
            ),
            _(
                "set message_content = true under [discord], or help_channels = [] and "
                'question_emoji = "" (/ask and forum posts still work)'
            ),
        )
