"""`agora check` on [features.onboarding]: problems reported with their path and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import validate_config
from bot.config import ConfigError, Problem, load_config

GOOD = """
[features.onboarding]
rules = "Be kind."
newcomer_role = "newcomer"
welcome_channel = "general"

[[features.onboarding.questions]]
id = "topics"
text = "Topics?"
kind = "multi"
sets = "topics"
options = ["python", "rust"]
"""


def problems(tmp_path: Path, text: str) -> list[Problem]:
    path = tmp_path / "agora.toml"
    path.write_text(text, encoding="utf-8")
    return validate_config(load_config(path))


def test_a_good_section_has_no_problems(tmp_path: Path) -> None:
    assert problems(tmp_path, GOOD) == []


def test_questions_without_options_and_repeated_ids(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        GOOD
        + """
[[features.onboarding.questions]]
id = "level"
text = "Level?"

[[features.onboarding.questions]]
id = "topics"
text = "Again?"
kind = "text"
options = ["a", "a"]
""",
    )
    by_path = {p.path: p for p in found}
    empty = by_path["features.onboarding.questions.1.options"]
    assert "'level' has no options" in empty.message and empty.line == 14
    assert "used twice" in by_path["features.onboarding.questions.2.id"].message
    messages = " | ".join(p.message for p in found)
    assert "free text, so its options are never shown" in messages
    assert "option 'a' appears twice" in messages


def test_roles_that_would_grant_permissions(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        """
[permissions]
moderator = ["role:Mods"]

[features.onboarding]
member_role = "mods"

[[features.onboarding.questions]]
id = "level"
text = "Level?"
options = [{ id = "pro", label = "Pro", role = "admin" }]
""",
    )
    paths = {p.path: p.message for p in found}
    assert "makes its holders moderators" in paths["features.onboarding.member_role"]
    assert "makes its holders admins" in paths["features.onboarding.questions.0.options.0.role"]


def test_same_newcomer_and_member_role(tmp_path: Path) -> None:
    found = problems(tmp_path, '[features.onboarding]\nnewcomer_role = "x"\nmember_role = "x"\n')
    assert [p.path for p in found] == ["features.onboarding.member_role"]


def test_language_and_time_zone_questions(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        """
[[features.onboarding.questions]]
id = "lang"
text = "Language?"
sets = "language"
options = ["en", "de"]

[[features.onboarding.questions]]
id = "lang2"
text = "Language again?"
sets = "language"
options = ["en"]

[[features.onboarding.questions]]
id = "tz"
text = "Zone?"
sets = "timezone"
options = ["Europe/Oslo", "Mars/Olympus"]
""",
    )
    messages = " | ".join(p.message for p in found)
    assert "Agora does not speak de" in messages
    assert "questions 'lang' and 'lang2' both set the language" in messages
    assert "'Mars/Olympus' is not a time zone" in messages


def test_console_channels_and_commands_are_known(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        '[features.onboarding]\nwelcome_channel = "lobby"\nallowed_commands = ["help", "halp"]\n',
    )
    by_path = {p.path: p for p in found}
    assert "no channel #lobby" in by_path["features.onboarding.welcome_channel"].message
    commands = by_path["features.onboarding.allowed_commands"]
    assert "no command /halp" in commands.message and "'help'" in commands.hint


def test_channels_are_not_checked_when_a_real_platform_runs(tmp_path: Path) -> None:
    text = '[discord]\nenabled = true\n[features.onboarding]\nwelcome_channel = "lobby"\n'
    assert problems(tmp_path, text) == []


@pytest.mark.parametrize(
    ("snippet", "wanted"),
    [
        ('welcome_message = "Hi {membr}"', "unknown placeholder {membr}"),
        ('rules = { en = "x", de = "y" }', "unknown language de"),
        (
            '[[features.onboarding.questions]]\nid = "bad id"\ntext = "x"',
            "features.onboarding.questions.0.id",
        ),
        (
            '[[features.onboarding.questions]]\nid = "q"\ntext = ""',
            "has no text",
        ),
    ],
)
def test_schema_errors_name_the_key(tmp_path: Path, snippet: str, wanted: str) -> None:
    path = tmp_path / "agora.toml"
    path.write_text(f"[features.onboarding]\n{snippet}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert wanted in str(error.value)
