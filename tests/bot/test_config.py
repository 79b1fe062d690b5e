"""Config errors name the TOML path, the line and a hint, for every class of mistake."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from bot.app import validate_config
from bot.config import AgoraConfig, ConfigError, FeatureConfig, key_lines, load_config
from bot.features import feature_models

ROOT = Path(__file__).resolve().parents[2]


def _errors(tmp_path: Path, text: str) -> list[Any]:
    file = tmp_path / "agora.toml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(file)
    return caught.value.problems


def test_defaults_without_a_file() -> None:
    config = load_config(None)
    assert config.storage.url == "sqlite+aiosqlite:///agora.db"
    assert config.storage.should_auto_migrate()
    assert config.bot.language == "en"


def test_unknown_key_is_an_error_with_line_and_suggestion(tmp_path: Path) -> None:
    (problem,) = _errors(tmp_path, '[bot]\nname = "X"\nlangauge = "nb"\n')
    assert problem.path == "bot.langauge"
    assert problem.line == 3
    assert "unknown key" in problem.message
    assert "language" in problem.hint


def test_wrong_type_says_what_to_write(tmp_path: Path) -> None:
    (problem,) = _errors(tmp_path, '[slack]\n\nport = "three thousand"\n')
    assert (problem.path, problem.line) == ("slack.port", 3)
    assert "whole number" in problem.hint


def test_bad_time_zone_and_language(tmp_path: Path) -> None:
    problems = _errors(tmp_path, '[bot]\ntimezone = "Mars/Base"\nlanguage = "xx"\n')
    by_path = {p.path: p for p in problems}
    assert by_path["bot.timezone"].line == 2 and "IANA" in by_path["bot.timezone"].message
    assert by_path["bot.language"].line == 3 and "nb" in by_path["bot.language"].message


def test_unknown_section(tmp_path: Path) -> None:
    (problem,) = _errors(tmp_path, "[bott]\nname = 'x'\n")
    assert problem.path == "bott" and problem.line == 1


def test_unknown_feature_suggests_the_close_one(tmp_path: Path) -> None:
    (problem,) = _errors(tmp_path, "[features.cor]\nenabled = false\n")
    assert problem.path == "features.cor" and problem.line == 1
    assert "core" in problem.hint


def test_syntax_error_has_a_line(tmp_path: Path) -> None:
    (problem,) = _errors(tmp_path, '[bot]\nname = "unclosed\n')
    assert problem.line == 2
    assert "not valid TOML" in problem.message


def test_bad_permission_selector(tmp_path: Path) -> None:
    (problem,) = _errors(tmp_path, '[permissions]\nadmin = ["Admin"]\n')
    assert problem.path == "permissions.admin" and problem.line == 2
    assert "role:NAME" in problem.message


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    problems = _errors(tmp_path, '[bot]\nlanguage = "xx"\n[storage]\nurl = "mysql://x"\n')
    assert {p.path for p in problems} == {"bot.language", "storage.url"}


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "nope.toml")


def test_key_lines_handles_arrays_of_tables_and_multiline_strings() -> None:
    text = '[bot]\nname = """a\nb = 1\n"""\n[[x.y]]\nk = 1\n[[x.y]]\nk = 2\n'
    lines = key_lines(text)
    assert lines[("bot", "name")] == 2
    assert ("bot", "b") not in lines
    assert lines[("x", "y", "0", "k")] == 6
    assert lines[("x", "y", "1", "k")] == 8


def test_console_start_as_must_be_a_member(tmp_path: Path) -> None:
    file = tmp_path / "agora.toml"
    file.write_text('[console]\nstart_as = "zed"\n', encoding="utf-8")
    problems = validate_config(load_config(file))
    assert [p.path for p in problems] == ["console.start_as"]
    assert problems[0].line == 2


def test_secrets_come_from_the_environment() -> None:
    config = load_config(None)
    storage = config.storage.model_copy(update={"url_env": "AGORA_DB"})
    assert storage.resolved_url({"AGORA_DB": "postgresql+asyncpg://u@h/db"}).endswith("/db")
    with pytest.raises(ConfigError, match="AGORA_DB is not set"):
        storage.resolved_url({})


def _fields(model: type[BaseModel], prefix: tuple[str, ...]) -> set[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            found |= _fields(annotation, (*prefix, name))
        else:
            found.add((*prefix, name))
    return found


def test_example_config_is_valid_and_documents_every_key() -> None:
    example = ROOT / "config.example.toml"
    config = load_config(example)
    assert validate_config(config) == []
    data = tomllib.loads(example.read_text(encoding="utf-8"))
    present = _present(data, ())
    wanted = {f for f in _fields(AgoraConfig, ()) if f[0] not in ("features", "source")}
    for name, model in feature_models().items():
        if model is FeatureConfig and name == "core":
            continue
        wanted |= _fields(model, ("features", name))
    text = example.read_text(encoding="utf-8")
    # Keys without a sensible default appear commented out: `# shard_count = 2`.
    commented = {
        k for k in wanted - present if re.search(rf"^# ({k[-1]} = |\[\[{k[-1]}\]\]$)", text, re.M)
    }
    missing = sorted(".".join(k) for k in wanted - present - commented)
    assert not missing, f"config.example.toml lacks: {missing}"


def _present(data: dict[str, Any], prefix: tuple[str, ...]) -> set[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()
    for key, value in data.items():
        path = (*prefix, key)
        found.add(path)
        if isinstance(value, dict):
            found |= _present(value, path)
    return found


def test_inline_secrets_are_rejected_with_the_env_var_hint(tmp_path: Path) -> None:
    (problem,) = _errors(tmp_path, '[discord]\nenabled = true\ntoken = "MTIz.abc.def"\n')
    assert problem.path == "discord.token" and problem.line == 3
    assert "token_env" in problem.hint and "never put secrets" in problem.hint
    (problem,) = _errors(tmp_path, '[slack]\nsigning_secret = "abc"\n')
    assert "signing_secret_env" in problem.hint
    assert "MTIz" not in str(problem)  # the secret itself is never echoed


def test_database_password_in_the_url_is_rejected(tmp_path: Path) -> None:
    (problem,) = _errors(
        tmp_path, '[storage]\nurl = "postgresql+asyncpg://agora:hunter2@db/agora"\n'
    )
    assert problem.path == "storage.url" and "url_env" in problem.message
    assert "hunter2" not in str(problem)


def test_auto_migrate_follows_the_url_actually_used() -> None:
    storage = load_config(None).storage.model_copy(update={"url_env": "DB"})
    assert storage.should_auto_migrate("sqlite+aiosqlite:///x.db")
    assert not storage.should_auto_migrate("postgresql+asyncpg://u@h/db")


def test_the_old_content_key_is_accepted_off_and_refused_on(tmp_path: Path) -> None:
    """Message content is never stored; files copied from an older example say so."""
    old = tmp_path / "old.toml"
    old.write_text("[privacy]\nstore_message_content = false\n", encoding="utf-8")
    assert load_config(old).privacy.activity_retention_days == 400
    (problem,) = _errors(tmp_path, "[privacy]\nstore_message_content = true\n")
    assert problem.path.startswith("privacy")
    assert "Agora never stores message content. Delete the line." in problem.message
