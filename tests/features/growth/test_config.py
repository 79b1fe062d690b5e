"""`[features.growth]` validation: friendly errors, and clashes `agora check` reports."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from bot.app import validate_config
from bot.features import feature_models
from bot.features.growth.config import GrowthConfig
from bot.testing import load_config_dict


def test_defaults_work_out_of_the_box() -> None:
    cfg = GrowthConfig()
    assert (cfg.qualify_days, cfg.qualify_messages, cfg.reward_kudos) == (7, 5, 5)
    assert cfg.roles == [] and cfg.tracks["helpers"] == "Helper"
    assert problems({"features": {"growth": {}}}) == []


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"roles": [{"role": "Regular"}]}, "has no threshold; set kudos or accepted_answers"),
        ({"roles": [{"role": "Regular", "kudos": -1}]}, "greater than or equal to 0"),
        ({"tracks": {"Helpers!": "Helper"}}, "is not a track name"),
        ({"tracks": {"helpers": " "}}, "names no role"),
        ({"qualify_days": 0}, "greater than or equal to 1"),
    ],
)
def test_bad_values_say_what_to_do(section: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        GrowthConfig.model_validate(section)


def problems(data: dict[str, Any]) -> list[str]:
    return [str(p) for p in validate_config(load_config_dict(data, feature_models()))]


def test_clashes_are_reported_by_agora_check() -> None:
    section = {
        "roles": [
            {"role": "Regular", "kudos": 50},
            {"role": "regular", "accepted_answers": 3},
            {"role": "Helper", "accepted_answers": 10},
        ],
        "qualify_days": 30,
        "expire_days": 20,
        "reward_badge": "no-such-badge",
    }
    found = problems({"features": {"growth": section}})
    assert any("the role 'regular' has two rules" in p for p in found)
    assert any("'Helper' is both a reward role and a pipeline track role" in p for p in found)
    assert any("referrals are given up before they can qualify" in p for p in found)
    assert any("there is no kudos badge 'no-such-badge'" in p for p in found)


def test_rewards_need_kudos_or_a_role() -> None:
    found = problems({"features": {"growth": {"reward_kudos": 0}}})
    assert any("a qualified referral earns nothing" in p for p in found)
    found = problems({"features": {"growth": {}, "kudos": {"enabled": False}}})
    assert any("need the kudos feature" in p for p in found)
    data = {
        "features": {
            "growth": {"reward_kudos": 0, "reward_role": "Recruiter"},
            "kudos": {"enabled": False},
        }
    }
    assert problems(data) == []


def test_a_bad_schedule_is_reported() -> None:
    found = problems(
        {"features": {"growth": {"report_cron": "weekly", "report_channel": "admins"}}}
    )
    assert any("job report: bad cron expression" in p for p in found)
