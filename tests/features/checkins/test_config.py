"""Friendly schedules, and config mistakes caught by `agora check` with a hint."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.app import validate_config
from bot.config import ConfigError
from bot.features import feature_models
from bot.features.checkins.config import CheckinDefinition, PostDefinition
from bot.features.checkins.timing import ScheduleError, parse_schedule
from bot.testing import load_config_dict
from tests.features.checkins.conftest import STANDUP


@pytest.mark.parametrize(
    ("text", "cron"),
    [
        ("every weekday 09:00", "0 9 * * mon-fri"),
        ("Every weekday at 9am", "0 9 * * mon-fri"),
        ("every day at 17:30", "30 17 * * *"),
        ("daily 8", "0 8 * * *"),
        ("mon, wed and fri 9.15", "15 9 * * mon,wed,fri"),
        ("every monday at 4 pm", "0 16 * * mon"),
        ("fri-mon 12:00", "0 12 * * mon,fri,sat,sun"),
        ("weekends 10h", "0 10 * * sat,sun"),
        ("0 9 * * 1-5", "0 9 * * 1-5"),
    ],
)
def test_friendly_schedules_become_cron(text: str, cron: str) -> None:
    assert parse_schedule(text) == cron


@pytest.mark.parametrize(
    "text", ["", "every weekday", "at 9", "every blursday 9", "every day 25:00", "13pm mon"]
)
def test_unreadable_schedules_say_how_to_write_one(text: str) -> None:
    with pytest.raises(ScheduleError):
        parse_schedule(text)


def test_a_definition_is_checked_field_by_field() -> None:
    with pytest.raises(ValidationError, match="not a name"):
        CheckinDefinition.model_validate({**STANDUP, "name": "Stand Up"})
    with pytest.raises(ValidationError, match="at most 5"):
        CheckinDefinition.model_validate({**STANDUP, "questions": ["q"] * 6})
    with pytest.raises(ValidationError, match="needs a channel"):
        CheckinDefinition.model_validate({**STANDUP, "delivery": "channel", "channel": ""})
    with pytest.raises(ValidationError, match="unknown placeholder"):
        PostDefinition.model_validate(
            {"name": "p", "schedule": "daily 9", "channel": "general", "text": "{dat}"}
        )


def test_agora_check_reports_a_check_in_nobody_is_asked() -> None:
    lonely = {**STANDUP, "roles": []}
    config = load_config_dict({"features": {"checkins": {"checkins": [lonely]}}}, feature_models())
    problems = [p for p in validate_config(config) if p.path.startswith("features.checkins")]
    assert len(problems) == 1 and "no audience" in problems[0].message


def test_names_must_be_unique() -> None:
    with pytest.raises(ConfigError, match="repeated: standup"):
        load_config_dict(
            {"features": {"checkins": {"checkins": [STANDUP, STANDUP]}}}, feature_models()
        )


def test_schedules_are_described_in_the_readers_language() -> None:
    from bot.features.checkins.timing import describe_cron
    from bot.i18n import using_locale

    with using_locale("nb"):
        assert describe_cron("0 16 * * mon,wed,fri").startswith("man., ons., fre.")
    assert describe_cron("30 9 * * mon-fri") == "every weekday at 09:30"
    assert describe_cron("*/5 * * * *") == "*/5 * * * *"


def _checkin_problems(checkin: dict[str, object], onboarding: dict[str, object]) -> list[str]:
    config = load_config_dict(
        {"features": {"checkins": {"checkins": [checkin]}, "onboarding": onboarding}},
        feature_models(),
    )
    return [
        f"{p.path}: {p.message} ({p.hint})"
        for p in validate_config(config)
        if p.path.startswith("features.checkins")
    ]


def test_agora_check_knows_the_onboarding_segments() -> None:
    questionnaire = {
        "questions": [
            {
                "id": "work",
                "text": "What do you do?",
                "options": [{"id": "code", "label": "Code", "segment": "developers"}, "Design"],
            }
        ]
    }
    asks = {**STANDUP, "roles": [], "segments": ["developers", "work:design"]}
    assert _checkin_problems(asks, questionnaire) == []  # segments alone are an audience
    typo = {**STANDUP, "segments": ["developers", "devs"]}
    assert _checkin_problems(typo, questionnaire) == [
        "features.checkins.checkins[0].segments: check-in 'standup': there is no onboarding "
        "segment 'devs' (known segments: developers, work:design)"
    ]
    [off] = _checkin_problems(asks, {**questionnaire, "enabled": False})
    assert "onboarding is off" in off and "enable [features.onboarding]" in off


def test_segments_are_trimmed_and_kept_once() -> None:
    definition = CheckinDefinition.model_validate(
        {**STANDUP, "segments": [" developers", "developers", "", "work:design "]}
    )
    assert definition.segments == ["developers", "work:design"]
