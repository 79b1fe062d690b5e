"""`[features.onboarding]`: the welcome, the rules gate, the questionnaire and mentors.

Everything works with no section at all: a welcome DM, three short questions
(purpose, experience, language) that build segments, and mentor pairing as soon as
someone volunteers with `/mentor on`. The rules gate turns on when `rules` is set.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from bot.config import FeatureConfig, Section
from bot.features.onboarding.texts import (
    PLACEHOLDERS,
    Localized,
    unknown_placeholders,
    variants,
)
from bot.i18n import LANGUAGE_LABELS, N_, _
from bot.localized import check_languages
from bot.needs import Need

ID_PATTERN = r"^[\w\-]{1,32}$"
# Option ids may also be time zone names (Europe/Oslo, Etc/GMT+1).
OPTION_ID_PATTERN = r"^[\w\-/+.]{1,64}$"
_NOT_ID = re.compile(r"[^\w\-]+")

QuestionKind = Literal["single", "multi", "text"]
# What an answer also does: the member's topics (mentor pairing, /profile), or their
# language or time zone (Agora then speaks and schedules accordingly).
Purpose = Literal["", "topics", "language", "timezone"]


def slug(label: str) -> str:
    """An option id from its label: `Just looking` → `just-looking`."""
    return _NOT_ID.sub("-", label.strip().lower()).strip("-")[:32]


def _check_localized(value: Localized, placeholders: tuple[str, ...] = ()) -> Localized:
    check_languages(value)
    stray = unknown_placeholders(value, placeholders)
    if stray:
        allowed = ", ".join("{" + p + "}" for p in placeholders) or _("none")
        raise ValueError(
            _(
                "unknown placeholder {names}; placeholders here: {allowed}",
                names=", ".join("{" + s + "}" for s in stray),
                allowed=allowed,
            )
        )
    return value


class OptionConfig(Section):
    """One choice. Written as a table, or as a plain string (its label; id derived)."""

    id: str = Field(pattern=OPTION_ID_PATTERN)
    label: Localized = ""
    # Members who choose this belong to this segment ("" = "<question id>:<option id>").
    segment: str = Field("", max_length=64)
    # Discord role given to members who choose it (taken back when they change answer).
    role: str = Field("", max_length=100)

    _label = field_validator("label")(_check_localized)


class QuestionConfig(Section):
    id: str = Field(pattern=ID_PATTERN)
    text: Localized
    kind: QuestionKind = "single"
    sets: Purpose = ""
    options: list[OptionConfig] = Field(default_factory=list)
    # Shown on /profile to everyone; False: only the member and admins see the answer.
    public: bool = True

    _text = field_validator("text")(_check_localized)

    @field_validator("options", mode="before")
    @classmethod
    def _plain_options(cls, value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, list):
            return value
        zones = info.data.get("sets") == "timezone"
        options: list[Any] = []
        for item in value:
            if isinstance(item, str):
                # A time zone keeps its name as id; other labels become a slug.
                key = item.strip() if zones else slug(item)
                if not key:
                    raise ValueError(_("option {label!r} needs letters or digits", label=item))
                options.append({"id": key, "label": item})
            else:
                options.append(item)
        return options

    @model_validator(mode="after")
    def _text_is_set(self) -> QuestionConfig:
        if not any(v.strip() for v in variants(self.text)):
            raise ValueError(_("question {id!r} has no text", id=self.id))
        return self

    @property
    def choice(self) -> bool:
        return self.kind != "text"

    def option(self, option_id: str) -> OptionConfig | None:
        return next((o for o in self.options if o.id == option_id), None)

    def segment_of(self, option: OptionConfig) -> str:
        return option.segment or f"{self.id}:{option.id}"


def _option(id: str, label: str) -> OptionConfig:
    return OptionConfig(id=id, label=label)


DEFAULT_QUESTIONS = [
    QuestionConfig(
        id="purpose",
        text=N_("What brings you here?"),
        kind="multi",
        options=[
            _option("learn", N_("To learn")),
            _option("help", N_("To help others")),
            _option("meet", N_("To meet people")),
            _option("news", N_("To stay up to date")),
        ],
    ),
    QuestionConfig(
        id="experience",
        text=N_("How experienced are you?"),
        options=[
            _option("beginner", N_("Just starting")),
            _option("intermediate", N_("Some experience")),
            _option("expert", N_("Experienced")),
        ],
    ),
    QuestionConfig(
        id="language",
        text=N_("Which language should I speak with you?"),
        sets="language",
        options=[_option(code, label) for code, label in LANGUAGE_LABELS.items()],
    ),
]

DEFAULT_ALLOWED = ["help", "language", "timezone", "welcome", "profile", "link", "mydata"]


def _welcome_placeholders(value: Localized) -> Localized:
    return _check_localized(value, PLACEHOLDERS)


class OnboardingConfig(FeatureConfig):
    # --- welcome ---
    # DM the newcomer a welcome (with the rules and the questionnaire).
    welcome_dm: bool = True
    # The welcome text; "" = Agora's own, in the member's language. Placeholders:
    # {member}, {community}, {rules_channel}. One string, or one per language:
    # { en = "Welcome {member}!", nb = "Velkommen {member}!" }.
    welcome_message: Localized = ""
    # Also greet newcomers publicly in this channel (by name); "" = no public post.
    welcome_channel: str = ""
    # The public greeting; "" = Agora's own. Same placeholders.
    welcome_post: Localized = ""
    # The channel {rules_channel} points to ("" = the rules are in the welcome itself).
    rules_channel: str = ""
    # --- rules gate (on when `rules` is set) ---
    # The rules, shown with an "I agree" button. "" = no rules gate.
    rules: Localized = ""
    # Ask newcomers to press "I agree"; until then the newcomer state applies.
    require_agreement: bool = True
    # Role held until agreeing (Discord; platforms without roles keep the state in Agora).
    newcomer_role: str = Field("", max_length=100)
    # Role given on agreeing (e.g. the role that can see the channels); "" = none.
    member_role: str = Field("", max_length=100)
    # Until agreeing, only the commands below work.
    restrict_commands: bool = True
    # Commands a newcomer may use before agreeing (/welcome always works).
    allowed_commands: list[str] = Field(default_factory=lambda: list(DEFAULT_ALLOWED))
    # Remind (by DM) after this many hours: to agree, or to finish the questions. 0 = never.
    reminder_hours: int = Field(24, ge=0, le=720)
    # Tell moderators about members who have not agreed after this many hours. 0 = never.
    notify_moderators_hours: int = Field(72, ge=0, le=2160)
    # Where moderators are told ("" = nowhere).
    moderator_channel: str = "mod-queue"
    # --- questionnaire ---
    questions: list[QuestionConfig] = Field(default_factory=lambda: list(DEFAULT_QUESTIONS))
    # --- mentors ---
    # Pair each newcomer with a volunteer mentor (/mentor on) after the questions.
    mentors: bool = True
    # At most this many newcomers at a time per mentor.
    max_mentees: int = Field(3, ge=1, le=50)
    # After this many days, check whether mentor and newcomer talked.
    check_after_days: int = Field(7, ge=1, le=90)
    # Nudges before a pair that never talked is re-paired with another mentor.
    nudges: int = Field(1, ge=0, le=5)
    # Introduce the pair in a thread of this channel ("" = by DM to both).
    introduction_channel: str = ""

    _welcome = field_validator("welcome_message", "welcome_post", "rules")(_welcome_placeholders)

    @field_validator("allowed_commands")
    @classmethod
    def _commands(cls, value: list[str]) -> list[str]:
        return [name.strip().lstrip("/").lower() for name in value if name.strip()]

    @property
    def gated(self) -> bool:
        """Whether newcomers must agree to the rules."""
        return self.require_agreement and any(v.strip() for v in variants(self.rules))

    def segment_answers(self) -> dict[str, list[tuple[str, str]]]:
        """Segment name → the stored answers (question id, option id) that put a member in it.

        Public on purpose and made of plain values: other features (check-in audiences)
        find this method on the config by discovery and read the answers table in their
        own repository, so they never import onboarding. Same questions as the running
        questionnaire: a repeated id counts once (the first), a choice question without
        options is left out, text answers make no segment.
        """
        found: dict[str, list[tuple[str, str]]] = {}
        seen: set[str] = set()
        for question in self.questions:
            if question.id in seen or (question.choice and not question.options):
                continue
            seen.add(question.id)
            if not question.choice:
                continue
            for option in question.options:
                found.setdefault(question.segment_of(option), []).append((question.id, option.id))
        return found


def onboarding_needs(section: OnboardingConfig) -> Iterator[Need]:
    """Roles for the rules gate and answers that give one; threads for introductions."""
    answers_give_roles = any(o.role for q in section.questions for o in q.options)
    if section.newcomer_role or section.member_role or answers_give_roles:
        yield Need.ROLES
    if section.mentors and section.introduction_channel:
        yield Need.THREADS
