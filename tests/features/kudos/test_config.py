"""`[features.kudos]` validation: friendly errors, and clashes `agora check` reports."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from bot.app import validate_config
from bot.features import feature_models
from bot.features.kudos.config import KudosConfig
from bot.testing import load_config_dict


def test_defaults_work_out_of_the_box() -> None:
    cfg = KudosConfig()
    assert cfg.daily_allowance == 5 and cfg.weight("🙏") == 1 and cfg.weight("⭐️") == 1
    assert cfg.weight("👍") is None
    assert not cfg.thanks_keywords and set(cfg.keywords) == {"en", "nb", "lv", "fi", "uk"}
    assert cfg.answer_points == 0
    assert cfg.topic_of("Help") == "help"


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"emojis": {"🌮": 0}}, "weight of 🌮 must be between 1 and 100"),
        ({"emojis": {" ": 1}}, "is empty"),
        ({"keywords": {"de": ["danke"]}}, "'de' is not a language Agora speaks"),
        ({"welcome_keywords": {"en": ["", "hi"]}}, "contain an empty word"),
        ({"channel_topics": {"help": "two words"}}, "must be one word"),
        ({"spotlight_period": "year"}, "'month' or 'week'"),
        ({"daily_allowance": -1}, "greater than or equal to 0"),
    ],
)
def test_bad_values_say_what_to_do(section: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        KudosConfig.model_validate(section)


def problems(data: dict[str, Any]) -> list[str]:
    return [str(p) for p in validate_config(load_config_dict(data, feature_models()))]


def test_an_emoji_that_means_something_else_to_another_feature_is_reported() -> None:
    found = problems({"features": {"kudos": {"emojis": {"✅": 1, "🙏": 1}}}})
    assert any("✅ gives kudos but also means something to questions" in p for p in found)
    assert problems({"features": {"kudos": {}}}) == []


def test_keyword_detection_without_discord_message_content_is_reported() -> None:
    data = {
        "discord": {"enabled": True, "message_content": False},
        "features": {"kudos": {"thanks_keywords": True}},
    }
    assert any("Discord sends no content" in p for p in problems(data))


def test_a_bad_schedule_is_reported() -> None:
    found = problems({"features": {"kudos": {"spotlight_cron": "every month"}}})
    assert any("job spotlight: bad cron expression" in p for p in found)
