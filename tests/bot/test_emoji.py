"""One emoji, however a platform spells it: variation selectors and skin tones."""

from __future__ import annotations

from bot.emoji import canonical, matches
from bot.features.kudos.config import KudosConfig
from bot.features.moderation.config import ModerationConfig
from bot.features.moderation.service import is_flag


def test_skin_tones_and_variation_selectors_are_dropped() -> None:
    assert canonical("🙏🏽") == "🙏"
    assert canonical(" 👍🏿 ") == "👍"
    assert canonical("⭐\ufe0f") == canonical("⭐\ufe0e") == "⭐"
    assert canonical("🧑🏻\u200d💻") == "🧑\u200d💻"  # a sequence keeps its joiner
    assert canonical(":taco:") == ":taco:"  # Slack custom emoji pass through


def test_matches_needs_a_configured_emoji() -> None:
    assert matches("🙏", "🙏🏾")
    assert not matches("🙏", "👍")
    assert not matches("", "")  # an empty setting (a feature turned off) matches nothing


def test_kudos_and_moderation_compare_the_same_way() -> None:
    assert KudosConfig().weight("🙏🏽") == 1
    assert KudosConfig().weight("⭐️") == 1
    flags = ModerationConfig(flag_emoji="👎")
    assert is_flag(flags, "👎🏼") and is_flag(flags, "👎")
    assert not is_flag(flags, "👍🏼")
