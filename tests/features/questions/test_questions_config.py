"""`agora check` on the questions section: settings that clash with the rest of the file."""

from __future__ import annotations

from typing import Any

from bot.app import validate_config
from bot.features import feature_models
from bot.testing import load_config_dict


def problems(data: dict[str, Any]) -> list[str]:
    return [str(p) for p in validate_config(load_config_dict(data, feature_models()))]


def test_questions_from_messages_without_discord_message_content_are_reported() -> None:
    without = {"discord": {"enabled": True, "message_content": False}}
    found = problems({**without, "features": {"questions": {"help_channels": ["help"]}}})
    [problem] = [p for p in found if "features.questions" in p]
    assert "features.questions.help_channels" in problem and "no title" in problem
    assert "message_content = true" in problem
    emoji_only = problems(without)
    assert any("features.questions.question_emoji" in p for p in emoji_only)
    off = {**without, "features": {"questions": {"question_emoji": ""}}}
    assert not [p for p in problems(off) if "features.questions" in p], "/ask needs no text"
    derived = {"discord": {"enabled": True}, "features": {"questions": {"help_channels": ["h"]}}}
    assert not [p for p in problems(derived) if "features.questions" in p]
