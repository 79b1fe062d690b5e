"""`[features.polls]`: polls, quizzes, surveys, the ideas board and exit surveys.

Defaults work out of the box: anyone may start a poll, polls close after a day,
counts are live, and surveys or exit surveys only exist once an admin asks for them.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from bot.args import ArgError, parse_duration
from bot.config import FeatureConfig, Section
from bot.i18n import _

MAX_OPTIONS = 25  # Discord fits 25 buttons on a message (5 rows of 5); Slack 25 per block.
MAX_SURVEY_QUESTIONS = 10
MAX_CHOICE = 75  # Slack shows at most 75 characters of a menu option
QuestionKind = Literal["text", "paragraph", "choice", "multi"]
LevelName = Literal["member", "helper", "moderator", "admin"]
_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


class SurveyQuestion(Section):
    """One question of a survey defined in TOML."""

    id: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    label: str = Field(min_length=1, max_length=200)
    kind: QuestionKind = "text"
    options: list[str] = Field(default_factory=list)
    required: bool = True

    @model_validator(mode="after")
    def _options_fit_kind(self) -> SurveyQuestion:
        if self.kind in ("choice", "multi") and len(self.options) < 2:
            raise ValueError(
                _(
                    "question {id!r}: a {kind} question needs at least two options",
                    id=self.id,
                    kind=self.kind,
                )
            )
        if self.kind in ("text", "paragraph") and self.options:
            raise ValueError(
                _("question {id!r}: only choice and multi questions have options", id=self.id)
            )
        too_long = [o for o in self.options if len(o) > MAX_CHOICE]
        if too_long:
            raise ValueError(
                _(
                    "question {id!r}: option {option!r} is longer than {max} characters",
                    id=self.id,
                    option=too_long[0],
                    max=MAX_CHOICE,
                )
            )
        if len(self.options) > MAX_OPTIONS:
            raise ValueError(
                _("question {id!r}: at most {max} options", id=self.id, max=MAX_OPTIONS)
            )
        return self


class SurveyDefinition(Section):
    """A survey an admin keeps in the config file (`[[features.polls.surveys]]`)."""

    name: str
    title: str = Field(min_length=1, max_length=200)
    questions: list[SurveyQuestion] = Field(min_length=1, max_length=MAX_SURVEY_QUESTIONS)
    anonymous: bool = False

    @field_validator("name")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError(
                _(
                    "{value!r} is not a survey name; use lowercase letters, digits, - or _, "
                    'starting with a letter (e.g. "feedback")',
                    value=value,
                )
            )
        return value

    @model_validator(mode="after")
    def _unique_ids(self) -> SurveyDefinition:
        ids = [q.id for q in self.questions]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(
                _("question ids must be unique; repeated: {ids}", ids=", ".join(duplicates))
            )
        return self


class PollsConfig(FeatureConfig):
    # Who may start polls and quizzes.
    create_level: LevelName = "member"
    # Most options a poll may have (2 to 25).
    max_options: int = Field(MAX_OPTIONS, ge=2, le=MAX_OPTIONS)
    # When a poll closes unless --closes says otherwise ("" = open until /poll close).
    default_closes: str = "1d"
    # The furthest ahead a deadline may be.
    max_days: int = Field(90, ge=1, le=3650)
    # Show counts while a poll runs (a poll's --hidden flag hides them anyway).
    live_results: bool = True
    # Fewest seconds between two edits of one poll or idea message (platform rate limits).
    live_update_seconds: float = Field(2.0, ge=0, le=60)
    # Attach a bar chart (PNG) to results; needs matplotlib.
    results_chart: bool = True
    # Quizzes: name the members who answered correctly in the results.
    quiz_announce_winners: bool = True
    # Quizzes: tell other features (kudos) who answered correctly.
    quiz_signals: bool = True
    # Where /idea posts ideas ("" = the channel it is typed in).
    ideas_channel: str = ""
    # DM an idea's author and supporters when its status changes.
    notify_idea_voters: bool = True
    # Surveys kept in the config file.
    surveys: list[SurveyDefinition] = Field(default_factory=list)
    # DM members who leave a short "why are you leaving?" survey.
    exit_survey: bool = False
    # Which survey to use for that ("" = the built-in two questions).
    exit_survey_form: str = ""

    @field_validator("ideas_channel")
    @classmethod
    def _channel_name(cls, value: str) -> str:
        return value.strip().lstrip("#")

    @field_validator("default_closes")
    @classmethod
    def _duration(cls, value: str) -> str:
        if value.strip():
            try:
                parse_duration(value)
            except ArgError as error:
                raise ValueError(str(error)) from None
        return value.strip()

    @model_validator(mode="after")
    def _surveys_are_consistent(self) -> PollsConfig:
        names = [s.name for s in self.surveys]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(
                _("survey names must be unique; repeated: {names}", names=", ".join(duplicates))
            )
        if "exit" in names:
            raise ValueError(
                _(
                    '"exit" is the built-in exit survey; name yours differently and set '
                    "exit_survey_form to it"
                )
            )
        if self.exit_survey_form and self.exit_survey_form not in names:
            raise ValueError(
                _(
                    "exit_survey_form {name!r} is not one of the surveys ({names})",
                    name=self.exit_survey_form,
                    names=", ".join(names) or _("none defined"),
                )
            )
        return self

    def survey(self, name: str) -> SurveyDefinition | None:
        return next((s for s in self.surveys if s.name == name), None)
