"""`agora onboarding preview`: the flow as a newcomer sees it, from the config alone."""

from __future__ import annotations

from bot.features import feature_models
from bot.features.onboarding.preview import preview
from bot.testing import load_config_dict
from tests.features.onboarding.conftest import QUESTIONS


def config(**section: object) -> object:
    return load_config_dict({"features": {"onboarding": section}}, feature_models())


def test_default_flow_welcome_questions_and_mentor() -> None:
    lines = preview(config())  # type: ignore[arg-type]
    text = "\n".join(lines)
    assert "── Direct message on joining ──" in lines
    assert "Welcome to Agora community, @newcomer! We're glad you're here." in text
    assert "[Start] [Skip the questions]" in text
    assert "── Question 1 of 3 ──" in lines
    assert "▾ Choose any (choose any): To learn | To help others" in text
    assert "[Just starting] [Some experience] [Experienced]" in text
    assert "Meet @mentor, your mentor!" in text
    assert "I agree" not in text  # no rules, no gate


def test_gated_flow_shows_rules_roles_and_the_refusal() -> None:
    lines = preview(
        config(  # type: ignore[arg-type]
            rules="Be kind.",
            newcomer_role="newcomer",
            member_role="member",
            welcome_channel="general",
            questions=QUESTIONS,
            introduction_channel="introductions",
        ),
        member="@ola",
    )
    text = "\n".join(lines)
    assert "Our rules:\n    Be kind." in text
    assert "[I agree]" in text
    assert "── Posted in #general ──" in lines
    assert "(role newcomer)" in text and "(role member given)" in text
    assert "Only these commands work: /welcome, /help" in text
    assert "@ola joined 72 hours ago and has not accepted the rules yet." in text
    assert "Please accept the community rules before using /poll" in text
    assert "Tell us about yourself" in text and "[Answer] [Skip]" in text
    assert "@ola, meet @mentor" in text
    assert "── 24 h after joining, if not done ──" in lines


def test_preview_in_another_language_and_when_off() -> None:
    lines = preview(
        config(welcome_message={"en": "Hi {member}", "nb": "Hei {member}"}), language="nb"
    )  # type: ignore[arg-type]
    assert "    Hei @newcomer" in lines
    off = preview(config(enabled=False))  # type: ignore[arg-type]
    assert off == ["Onboarding is turned off ([features.onboarding] enabled = false)."]
