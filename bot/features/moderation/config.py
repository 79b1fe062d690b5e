"""`[features.moderation]`: flags, quorum, trust, the mod queue, sanctions and the rules.

Defaults work out of the box: 🚩 on any message flags it, three established members
(or one moderator) send it to #mod-queue, the flag is hidden from the channel, and
sanctions climb warn → 1 h timeout → 1 d timeout → ban, each strike counting for
90 days.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from pydantic import Field, field_validator

from bot.args import ArgError, parse_duration
from bot.config import AgoraConfig, FeatureConfig, Problem
from bot.i18n import DEFAULT_LOCALE, N_, _, current_locale
from bot.localized import Localized, check_languages, pick, variants

DEFAULT_INTRO = N_(
    "Our community guidelines. Criticism and disagreement are welcome; breaking these rules is not."
)
DEFAULT_RULES = (
    N_("Be respectful: criticise ideas, never people."),
    N_("No harassment, hate speech or threats."),
    N_("No spam, scams or unsolicited advertising."),
    N_("Keep private information private, yours and others'."),
    N_("Stay on topic in each channel."),
)
MAX_RULES = 25  # a Select (rule picker) holds 25 options on Discord and Slack
MAX_TIMEOUT = timedelta(days=28)  # the longest timeout Discord accepts


class SanctionKind(StrEnum):
    WARN = "warn"
    TIMEOUT = "timeout"
    KICK = "kick"
    BAN = "ban"


@dataclass(frozen=True, slots=True)
class LadderStep:
    """One rung of the sanctions ladder: what the Nth active strike brings."""

    kind: SanctionKind
    duration: timedelta | None = None


def parse_step(text: str) -> LadderStep:
    """`"warn"`, `"timeout 1h"`, `"kick"`, `"ban"` → LadderStep (ValueError with a hint)."""
    words = text.strip().lower().split()
    if not words:
        raise ValueError(_("a ladder step is empty; write warn, timeout 1h, kick or ban"))
    try:
        kind = SanctionKind(words[0])
    except ValueError:
        raise ValueError(
            _(
                "{step!r} is not a ladder step; write warn, timeout 1h, kick or ban",
                step=text,
            )
        ) from None
    if kind is SanctionKind.TIMEOUT:
        if len(words) != 2:
            raise ValueError(_('a timeout step needs a duration, e.g. "timeout 1h"'))
        return LadderStep(kind, parse_timeout(words[1]))
    if len(words) != 1:
        raise ValueError(_("only timeout steps take a duration: {step!r}", step=text))
    return LadderStep(kind)


def parse_timeout(text: str) -> timedelta:
    try:
        duration = parse_duration(text)
    except ArgError as error:
        raise ValueError(str(error)) from None
    if duration > MAX_TIMEOUT:
        raise ValueError(_("a timeout can last 28 days at most (Discord's limit)"))
    return duration


class ModerationConfig(FeatureConfig):
    # Reacting with this emoji to any message flags it for the moderators.
    flag_emoji: str = Field("🚩", min_length=1, max_length=64)
    # The channel (by name) where flagged messages wait for a moderator.
    queue_channel: str = "mod-queue"
    # Weighted member flags that send a message to the queue (a moderator's flag always does).
    quorum: float = Field(3.0, ge=0.5, le=100)
    # Weigh flags by trust: new members count less, long-standing members more.
    trust_weighting: bool = True
    # Members who joined fewer than this many days ago are "new"...
    new_member_days: int = Field(7, ge=0, le=3650)
    # ...and their flag counts this much.
    new_member_weight: float = Field(0.5, ge=0, le=10)
    # Members who joined at least this many days ago are "veterans"...
    veteran_days: int = Field(180, ge=1, le=3650)
    # ...and their flag counts this much (everyone else counts 1).
    veteran_weight: float = Field(1.5, ge=0, le=10)
    # A member's flags beyond this many per hour are recorded but count nothing.
    max_flags_per_hour: int = Field(10, ge=1, le=1000)
    # Flag-spam: after this many of a member's flags were reviewed...
    flag_spam_min_reviewed: int = Field(5, ge=1, le=1000)
    # ...and at least this share of them was dismissed...
    flag_spam_dismissed_share: float = Field(0.7, gt=0, le=1)
    # ...their flags count this much...
    flag_spam_weight: float = Field(0.25, ge=0, le=1)
    # ...and only one of their flags per this many minutes counts at all.
    flag_spam_cooldown_minutes: int = Field(60, ge=0, le=10080)
    # Remove the flag reaction (where the platform allows), so nobody sees who flagged.
    remove_flag_reaction: bool = True
    # Thank the flagger privately, with buttons to add a reason or withdraw the flag.
    acknowledge_flags: bool = True
    # When members' flags reach the quorum, delete the message until a moderator decides
    # (its text is kept in the mod record so a dismissal can restore it).
    auto_hide: bool = False
    # Durations offered by the queue's Timeout menu.
    timeout_choices: list[str] = Field(
        default_factory=lambda: ["10m", "1h", "1d", "1w"], min_length=1, max_length=10
    )
    # Warn, Timeout, Kick and Ban from the queue also delete the flagged message.
    delete_on_sanction: bool = True
    # Tell the author by direct message when their message is removed or they are sanctioned.
    dm_author: bool = True
    # Tell flaggers by direct message how the moderators decided.
    notify_flaggers: bool = True
    # Tell other features (kudos) when a member's flag was confirmed by a moderator.
    signal_accurate_flags: bool = True
    # What the 1st, 2nd, 3rd… active strike brings; the last step repeats.
    ladder: list[str] = Field(
        default_factory=lambda: ["warn", "timeout 1h", "timeout 1d", "ban"],
        min_length=1,
        max_length=10,
    )
    # Days a strike counts toward the ladder (0 = forever).
    sanction_expiry_days: int = Field(90, ge=0, le=3650)
    # Where escalated cases are announced besides the queue ("" = the queue only).
    escalation_channel: str = ""
    # Members may appeal a sanction with /appeal.
    appeals: bool = True
    # Shown above the rules by /rules: a string, or one per language ({ en = "…", nb =
    # "…" }); "" = Agora's own, translated.
    rules_intro: Localized = ""
    # The community's rules, numbered in this order; sanctions cite them. Each is a
    # string or one per language; Agora's own defaults are translated.
    rules: list[Localized] = Field(default_factory=lambda: _default_rules(), max_length=MAX_RULES)

    @field_validator("queue_channel", "escalation_channel")
    @classmethod
    def _channel_name(cls, value: str) -> str:
        return value.strip().lstrip("#")

    @field_validator("queue_channel")
    @classmethod
    def _queue_named(cls, value: str) -> str:
        if not value:
            raise ValueError(_("name the channel where flagged messages go, e.g. mod-queue"))
        return value

    @field_validator("flag_emoji")
    @classmethod
    def _emoji(cls, value: str) -> str:
        if not value.strip():
            raise ValueError(_("the flag emoji cannot be blank"))
        return value.strip()

    @field_validator("ladder")
    @classmethod
    def _ladder(cls, value: list[str]) -> list[str]:
        for step in value:
            parse_step(step)
        return value

    @field_validator("timeout_choices")
    @classmethod
    def _timeouts(cls, value: list[str]) -> list[str]:
        for choice in value:
            parse_timeout(choice)
        return value

    @field_validator("rules")
    @classmethod
    def _rules(cls, value: list[Localized]) -> list[Localized]:
        cleaned = [_stripped(check_languages(rule)) for rule in value]
        texts = [text for rule in cleaned for text in variants(rule)]
        if any(not r for r in cleaned) or any(not text for text in texts):
            raise ValueError(_("a rule cannot be blank"))
        if any(len(text) > 500 for text in texts):
            raise ValueError(_("keep each rule under 500 characters"))
        return cleaned

    @property
    def steps(self) -> list[LadderStep]:
        return [parse_step(s) for s in self.ladder]

    @property
    def timeouts(self) -> list[tuple[str, timedelta]]:
        return [(c, parse_timeout(c)) for c in self.timeout_choices]

    @property
    def expiry(self) -> timedelta | None:
        return timedelta(days=self.sanction_expiry_days) if self.sanction_expiry_days else None

    @field_validator("rules_intro")
    @classmethod
    def _intro_languages(cls, value: Localized) -> Localized:
        if any(len(text) > 1000 for text in variants(value)):
            raise ValueError(_("keep the introduction under 1000 characters"))
        return check_languages(value)

    def intro(self) -> str:
        """The text above the rules, in the current language."""
        return _in_current(self.rules_intro or DEFAULT_INTRO)

    def rule_texts(self) -> list[str]:
        """The rules in the current language (Agora's own defaults through the catalogs)."""
        return [_in_current(rule) for rule in self.rules]

    def rule(self, number: int | None) -> str | None:
        """Rule `number` (1-based) in the current language, or None when there is none."""
        if number is None or not 1 <= number <= len(self.rules):
            return None
        return _in_current(self.rules[number - 1])


def _stripped(text: Localized) -> Localized:
    if isinstance(text, str):
        return text.strip()
    return {language: variant.strip() for language, variant in text.items()}


def _default_rules() -> list[Localized]:
    return list(DEFAULT_RULES)


def _in_current(text: Localized) -> str:
    chosen = pick(text, current_locale(), DEFAULT_LOCALE)
    # Agora's own texts, even copied into the file (config.example.toml), are translated.
    return _(chosen) if chosen in DEFAULT_RULES or chosen == DEFAULT_INTRO else chosen


def check_someone_moderates(section: ModerationConfig, config: AgoraConfig) -> Iterator[Problem]:
    """Flags must reach somebody who may act on them, and veterans must outrank newcomers."""
    if not section.enabled:
        return
    if not config.permissions.moderator and not config.permissions.admin:
        yield Problem(
            "permissions.moderator",
            None,
            _("nobody could act on the moderation queue"),
            _('list moderators under [permissions], e.g. moderator = ["role:moderator"]'),
        )
    if section.trust_weighting and section.veteran_days <= section.new_member_days:
        yield Problem(
            "features.moderation.veteran_days",
            None,
            _("veterans must have been members longer than new members"),
            _("make veteran_days larger than new_member_days"),
        )
