"""`[features.kudos]`: how members thank each other, the limits, badges and spotlights.

Defaults work out of the box: `/kudos @member` and 🙏 ⭐ 🌮 reactions give kudos, five
a day per member, one per receiver per hour; a weekly leaderboard and a monthly
member spotlight go to #general, and a handful of badges reward the first kudos,
generosity, answers, streaks, welcoming and mentoring.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from enum import StrEnum
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from bot.config import AgoraConfig, FeatureConfig, Problem, Section
from bot.emoji import canonical
from bot.features.kudos.keywords import DEFAULT_THANKS, DEFAULT_WELCOMES
from bot.i18n import N_, SUPPORTED_LOCALES, _
from bot.needs import Need

_BADGE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_TOPIC = re.compile(r"^[\w\-]{1,64}$")


class BadgeKind(StrEnum):
    """What a badge rule counts; a badge is earned when the count reaches its threshold."""

    KUDOS_RECEIVED = "kudos_received"
    KUDOS_GIVEN = "kudos_given"
    ACCEPTED_ANSWERS = "accepted_answers"
    STREAK_DAYS = "streak_days"
    NEWCOMERS_WELCOMED = "newcomers_welcomed"
    MENTEES = "mentees"
    QUIZ_ANSWERS = "quiz_answers"
    ACCURATE_FLAGS = "accurate_flags"


class BadgeRule(Section):
    """One badge (`[[features.kudos.badges]]`): earned once, when `rule` reaches `threshold`."""

    id: str
    name: str = Field(min_length=1, max_length=60)
    emoji: str = Field("🏅", min_length=1, max_length=32)
    rule: BadgeKind
    threshold: int = Field(ge=1, le=100_000)

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _BADGE_ID.match(value):
            raise ValueError(
                _(
                    "{value!r} is not a badge id; use lowercase letters, digits, - or _ "
                    '(e.g. "first-kudos"). Awarded badges are stored by id, so keep it stable.',
                    value=value,
                )
            )
        return value


# id, name, emoji, what it counts, threshold.
DEFAULT_BADGES = [
    BadgeRule(id=badge_id, name=name, emoji=emoji, rule=rule, threshold=threshold)
    for badge_id, name, emoji, rule, threshold in (
        ("first-kudos", N_("First kudos"), "🌱", BadgeKind.KUDOS_RECEIVED, 1),
        ("appreciated", N_("Appreciated"), "🌟", BadgeKind.KUDOS_RECEIVED, 25),
        ("generous", N_("Generous"), "🤝", BadgeKind.KUDOS_GIVEN, 10),
        ("problem-solver", N_("Problem solver"), "🧭", BadgeKind.ACCEPTED_ANSWERS, 10),
        ("streak-30", N_("30-day streak"), "🔥", BadgeKind.STREAK_DAYS, 30),
        ("welcomer", N_("Welcomer"), "👋", BadgeKind.NEWCOMERS_WELCOMED, 5),
        ("mentor", N_("Mentor"), "🎓", BadgeKind.MENTEES, 3),
        ("quiz-whiz", N_("Quiz whiz"), "🧠", BadgeKind.QUIZ_ANSWERS, 5),
        ("guardian", N_("Guardian"), "🛡️", BadgeKind.ACCURATE_FLAGS, 5),
    )
]


class SpotlightWeights(Section):
    """How the member of the month is scored: points per kudos, answer, newcomer helped."""

    kudos: float = Field(1.0, ge=0, le=1000)
    answers: float = Field(3.0, ge=0, le=1000)
    newcomers: float = Field(2.0, ge=0, le=1000)


def _check_words(value: dict[str, list[str]]) -> dict[str, list[str]]:
    cleaned: dict[str, list[str]] = {}
    for language, words in value.items():
        if language not in SUPPORTED_LOCALES:
            raise ValueError(
                _(
                    "{language!r} is not a language Agora speaks; use one of {choices}",
                    language=language,
                    choices=", ".join(SUPPORTED_LOCALES),
                )
            )
        kept = [" ".join(w.split()).lower() for w in words if w.strip()]
        if len(kept) != len(words):
            raise ValueError(
                _("keywords for {language!r} contain an empty word", language=language)
            )
        cleaned[language] = kept
    return cleaned


class KudosConfig(FeatureConfig):
    # Reactions that give kudos, each with its weight (points the receiver gets).
    # Slack custom emoji are written :name:.
    emojis: dict[str, int] = Field(default_factory=lambda: {"🙏": 1, "⭐": 1, "🌮": 1})
    # Kudos one member may give per day (their own time zone's day); 0 = unlimited.
    daily_allowance: int = Field(5, ge=0, le=1000)
    # Minutes before the same giver may thank the same receiver again; 0 = no wait.
    cooldown_minutes: int = Field(60, ge=0, le=10080)
    # Kudos farming: once two members have thanked each other (both ways) this many
    # times within trade_days, kudos between the two pause; 0 = no limit.
    trade_limit: int = Field(6, ge=0, le=1000)
    # The window, in days, that trade_limit counts in (and ring_limit, new_account_limit).
    trade_days: int = Field(7, ge=1, le=90)
    # Kudos farming in a circle: once every link of A → B → C → A carries this many
    # kudos within trade_days, kudos along the circle pause; 0 = no check.
    ring_limit: int = Field(3, ge=0, le=1000)
    # Accounts that joined fewer than this many days ago are new; 0 = nobody is.
    new_account_days: int = Field(7, ge=0, le=365)
    # Kudos one member may receive from new accounts within trade_days before kudos from
    # new accounts to them pause (sock-puppet clusters); 0 = no limit.
    new_account_limit: int = Field(10, ge=0, le=1000)
    # Where suspected farming (circles, new-account clusters) is reported once to the
    # moderators, by channel name; "" = the log only.
    report_channel: str = "mod-queue"
    # Removing the reaction within this many minutes takes the kudos back; 0 = never.
    take_back_minutes: int = Field(10, ge=0, le=1440)
    # DM the receiver when a reaction or a "thanks @…" message gives them kudos.
    notify_receiver: bool = True
    # Count messages like "thanks @bob" as kudos (needs message content).
    thanks_keywords: bool = False
    # The words that count, per language.
    keywords: dict[str, list[str]] = Field(default_factory=lambda: dict(DEFAULT_THANKS))
    # Notice "welcome @newcomer" messages (for the newcomers_welcomed badges and spotlight).
    detect_welcomes: bool = True
    # The words that count as welcoming, per language.
    welcome_keywords: dict[str, list[str]] = Field(default_factory=lambda: dict(DEFAULT_WELCOMES))
    # A member counts as a newcomer for this many days after joining.
    newcomer_days: int = Field(14, ge=1, le=365)
    # Points the author of an accepted answer receives automatically; 0 = off.
    answer_points: int = Field(0, ge=0, le=100)
    # Topic of kudos given in a channel, by channel name; other channels are their own topic.
    channel_topics: dict[str, str] = Field(default_factory=dict)
    # How many places leaderboards show (ties at the last place are listed, up to 25).
    leaderboard_size: int = Field(10, ge=1, le=50)
    # Where the weekly leaderboard is posted, by channel name; "" = nowhere.
    leaderboard_channel: str = "general"
    # When the weekly leaderboard (the last 7 days) is posted; "" = never.
    leaderboard_cron: str = "0 9 * * MON"
    # Where new badges are announced, by channel name; "" = by DM to the member only.
    badge_channel: str = "general"
    # Badges: awarded once when `rule` reaches `threshold`.
    badges: list[BadgeRule] = Field(default_factory=lambda: list(DEFAULT_BADGES))
    # Where the member spotlight is posted, by channel name; "" = nowhere.
    spotlight_channel: str = "general"
    # When the spotlight for the period just ended is posted; "" = never.
    spotlight_cron: str = "0 10 1 * *"
    # The period a spotlight covers: the previous calendar "month" or ISO "week".
    spotlight_period: Literal["month", "week"] = "month"
    # The winners of this many previous spotlights are not picked again; 0 = anyone.
    spotlight_skip_recent: int = Field(1, ge=0, le=24)
    # Scoring of the spotlight.
    spotlight_weights: SpotlightWeights = SpotlightWeights()

    @field_validator("emojis")
    @classmethod
    def _emojis(cls, value: dict[str, int]) -> dict[str, int]:
        cleaned: dict[str, int] = {}
        for emoji, weight in value.items():
            key = canonical(emoji)
            if not key:
                raise ValueError(_("an emoji in features.kudos.emojis is empty"))
            if not 1 <= weight <= 100:
                raise ValueError(_("the weight of {emoji} must be between 1 and 100", emoji=emoji))
            cleaned[key] = weight
        return cleaned

    _thanks = field_validator("keywords")(_check_words)
    _welcomes = field_validator("welcome_keywords")(_check_words)

    @field_validator("channel_topics")
    @classmethod
    def _topics(cls, value: dict[str, str]) -> dict[str, str]:
        for channel, topic in value.items():
            if not _TOPIC.match(topic):
                raise ValueError(
                    _(
                        "the topic of #{channel} must be one word (letters, digits, - or _)",
                        channel=channel,
                    )
                )
        return {c.lstrip("#").lower(): t.lower() for c, t in value.items()}

    @field_validator("leaderboard_channel", "badge_channel", "spotlight_channel", "report_channel")
    @classmethod
    def _channel(cls, value: str) -> str:
        return value.strip().lstrip("#")

    @model_validator(mode="after")
    def _unique_badges(self) -> KudosConfig:
        ids = [b.id for b in self.badges]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(_("badge ids must be unique; repeated: {ids}", ids=", ".join(twice)))
        return self

    def weight(self, emoji: str) -> int | None:
        """The weight of a reaction, or None when it gives no kudos."""
        return self.emojis.get(canonical(emoji))

    def topic_of(self, channel_name: str) -> str:
        name = channel_name.lower()
        return self.channel_topics.get(name, name)

    def topic_named(self, word: str) -> str:
        """The topic a member means by `word`: a configured topic as it is, else the
        topic of the channel of that name (`help` → `support` with `help = "support"`)."""
        name = word.strip().lstrip("#").lower()
        return name if name in self.channel_topics.values() else self.topic_of(name)

    def badge(self, badge_id: str) -> BadgeRule | None:
        return next((b for b in self.badges if b.id == badge_id), None)


def _emoji_settings(section: Any) -> Iterator[tuple[str, str]]:
    """(key, emoji) for every emoji another feature reacts to, found by key name."""
    if not isinstance(section, Section):
        return
    for key, value in section.model_dump().items():
        if "emoji" not in key:
            continue
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            if isinstance(item, str) and item.strip():
                yield key, canonical(item)


def check_kudos(section: KudosConfig, config: AgoraConfig) -> Iterator[Problem]:
    """Settings that validate alone but clash with the rest of the file."""
    if not section.enabled:
        return
    reads_text = section.thanks_keywords or section.detect_welcomes
    if reads_text and config.discord.enabled and config.discord.message_content is False:
        yield Problem(
            "features.kudos.thanks_keywords",
            None,
            _("keyword kudos and welcome detection read messages, but Discord sends no content"),
            _("set message_content = true under [discord], or turn the detection off"),
        )
    from bot.features import feature_models  # discovery, at check time only (no cycle)

    for name, model in feature_models().items():
        other = config.feature(name, model)
        if name == "kudos" or not other.enabled:
            continue
        for key, emoji in _emoji_settings(other):
            if emoji in section.emojis:
                yield Problem(
                    "features.kudos.emojis",
                    None,
                    _(
                        "{emoji} gives kudos but also means something to {feature} ({key})",
                        emoji=emoji,
                        feature=name,
                        key=key,
                    ),
                    _("use a different emoji for one of them"),
                )


def kudos_needs(section: KudosConfig) -> Iterator[Need]:
    if section.emojis:
        yield Need.REACTIONS
    if section.thanks_keywords or section.detect_welcomes:
        yield Need.MESSAGE_TEXT
