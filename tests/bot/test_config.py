"""Config errors name the TOML path, the line and a hint, for every class of mistake."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from bot.config import (
    AgoraConfig,
    ConfigError,
    FeatureConfig,
    Problem,
    key_lines,
    load_config,
)
from bot.config_checks import examine, unset_variables, validate_config
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
    zone, language = by_path["bot.timezone"], by_path["bot.language"]
    assert (zone.line, zone.message) == (2, "unknown time zone 'Mars/Base'")
    assert zone.hint == "use an IANA name like Europe/Oslo"
    assert (language.line, language.message) == (3, "unsupported language 'xx'")
    assert language.hint == "choose one of en, nb, lv, fi, uk"


def test_unknown_section(tmp_path: Path) -> None:
    (problem,) = _errors(tmp_path, "[bott]\nname = 'x'\n")
    assert problem.path == "bott" and problem.line == 1
    assert problem.hint == "did you mean 'bot'?"


def test_unknown_feature_suggests_the_close_one(tmp_path: Path) -> None:
    (problem,) = _errors(tmp_path, "[features.cor]\nenabled = false\n")
    assert problem.path == "features.cor" and problem.line == 1
    assert "core" in problem.hint


def test_syntax_error_has_a_line(tmp_path: Path) -> None:
    (problem,) = _errors(tmp_path, '[bot]\nname = "unclosed\n')
    assert problem.line == 2
    assert "not valid TOML" in problem.message
    assert problem.hint == 'check quotes, brackets and "=" on that line'


def test_bad_permission_selector(tmp_path: Path) -> None:
    (problem,) = _errors(tmp_path, '[permissions]\nadmin = ["Admin"]\n')
    assert problem.path == "permissions.admin" and problem.line == 2
    assert problem.message == "'Admin' is not a selector"
    assert "role:NAME or user:NAME" in problem.hint


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    problems = _errors(tmp_path, '[bot]\nlanguage = "xx"\n[storage]\nurl = "mysql://x"\n')
    assert [(p.path, p.line) for p in problems] == [("bot.language", 2), ("storage.url", 4)]
    assert "en, nb" in problems[0].hint
    assert "postgresql+asyncpg://" in problems[1].hint


def _examined(tmp_path: Path, text: str) -> list[Problem]:
    file = tmp_path / "agora.toml"
    file.write_text(text, encoding="utf-8")
    return examine(file)[1]


def test_a_bad_cron_string_names_its_key_line_and_the_cron_shape(tmp_path: Path) -> None:
    (problem,) = _examined(tmp_path, '[features.kudos]\n\nleaderboard_cron = "0 99 * * MON"\n')
    assert (problem.path, problem.line) == ("features.kudos.leaderboard_cron", 3)
    assert "bad cron expression '0 99 * * MON'" in problem.message
    assert "(99) is higher than the maximum value (23)" in problem.message
    assert problem.hint == "five fields: minute hour day month weekday, e.g. 0 9 * * MON"


def test_schema_and_semantic_problems_come_together_in_file_order(tmp_path: Path) -> None:
    problems = _examined(
        tmp_path,
        '[features.kudos]\nleaderboard_cron = "61 9 * * MON"\n'
        '[bot]\nlangauge = "nb"\n[console]\nstart_as = "zed"\nseed = "maybe"\n',
    )
    assert [(p.path, p.line) for p in problems] == [
        ("features.kudos.leaderboard_cron", 2),
        ("bot.langauge", 4),
        ("console.start_as", 6),
        ("console.seed", 7),
    ]
    assert all(p.hint for p in problems)


def test_a_broken_key_keeps_its_default_for_the_semantic_checks(tmp_path: Path) -> None:
    file = tmp_path / "agora.toml"
    file.write_text('[bot]\ntimezone = "Mars"\nname = "Ours"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(file)
    partial = caught.value.partial
    assert partial is not None
    assert (partial.bot.name, partial.bot.timezone) == ("Ours", "UTC")


def test_nothing_to_run_is_a_problem(tmp_path: Path) -> None:
    (problem,) = _examined(tmp_path, "[console]\nenabled = false\n")
    assert (problem.path, problem.line) == ("console.enabled", 2)
    assert "nothing would run" in problem.message
    assert "[discord] or [slack]" in problem.hint


def test_unset_token_variables_of_enabled_adapters_are_named(tmp_path: Path) -> None:
    file = tmp_path / "agora.toml"
    file.write_text(
        '[discord]\nenabled = true\n[slack]\nenabled = true\nmode = "http"\n'
        '[storage]\nurl_env = "AGORA_DB"\n',
        encoding="utf-8",
    )
    config = load_config(file)
    unset = unset_variables(config, {"SLACK_BOT_TOKEN": "xoxb-1"})
    assert [(p.path, p.line) for p in unset] == [
        ("discord.token_env", 1),
        ("slack.signing_secret_env", 3),
        ("storage.url_env", 7),
    ]
    assert unset[0].message == "the environment variable DISCORD_TOKEN is not set"
    assert unset[0].hint == "export DISCORD_TOKEN=… before `agora run`"
    everything = {"DISCORD_TOKEN": "x", "SLACK_BOT_TOKEN": "x", "SLACK_SIGNING_SECRET": "x"}
    assert unset_variables(config, {**everything, "AGORA_DB": "sqlite+aiosqlite://"}) == []


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
    assert problems[0].hint == "use one of: alice, bob, carol"


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
    assert (problem.path, problem.line) == ("storage.url", 2)
    assert problem.message == "the URL contains a password"
    assert "url_env" in problem.hint
    assert "hunter2" not in str(problem)


SLACK_TOKEN = "xoxb-9999-2222-AbCdEfGhIjKlMnOp"
DISCORD_TOKEN = "MTMyODk5NzA5OTExMTUyODAyNA.GhIjKl.AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"


@pytest.mark.parametrize(
    "toml",
    [
        f'[bot]\ntimezone = "{SLACK_TOKEN}"\n',
        f'[bot]\nlanguage = "{DISCORD_TOKEN}"\n',
        f'[permissions]\nadmin = ["{SLACK_TOKEN}"]\n',
        f'[slack]\nscopes = ["{SLACK_TOKEN}"]\n',
        f'[bot.channel_languages]\ngeneral = "{DISCORD_TOKEN}"\n',
        '[bot]\ntimezone = "postgresql://agora:hunter2secret@db/agora"\n',
    ],
    ids=["timezone", "language", "selector", "scope", "channel-language", "url-password"],
)
def test_a_secret_pasted_into_an_ordinary_key_is_never_echoed(tmp_path: Path, toml: str) -> None:
    (problem,) = _errors(tmp_path, toml)
    shown = str(problem)
    assert "***" in shown
    for secret in (SLACK_TOKEN, "9999-2222", DISCORD_TOKEN, "GhIjKl", "hunter2secret"):
        assert secret not in shown


def test_a_token_in_a_checked_value_is_masked_too(tmp_path: Path) -> None:
    """Problems found after loading (console members, cron strings) are masked alike."""
    file = tmp_path / "agora.toml"
    file.write_text(f'[console]\nstart_as = "{SLACK_TOKEN}"\n', encoding="utf-8")
    (problem,) = validate_config(load_config(file))
    assert problem.path == "console.start_as" and SLACK_TOKEN not in str(problem)


def test_auto_migrate_follows_the_url_actually_used() -> None:
    storage = load_config(None).storage.model_copy(update={"url_env": "DB"})
    assert storage.should_auto_migrate("sqlite+aiosqlite:///x.db")
    assert not storage.should_auto_migrate("postgresql+asyncpg://u@h/db")


def test_defer_after_is_capped_to_keep_acknowledgements_in_time(tmp_path: Path) -> None:
    (problem,) = _errors(tmp_path, "[discord]\ndefer_after = 1.0\n")
    assert (problem.path, problem.line) == ("discord.defer_after", 2)
    assert "0.25" in str(problem)
    assert load_config(None).discord.defer_after == 0.25


def test_console_names_are_one_word_the_console_can_reach(tmp_path: Path) -> None:
    problems = _errors(
        tmp_path, '[console]\nchannels = ["general", "off topic"]\nmembers = [{ name = "a b" }]\n'
    )
    assert [(p.path, p.line, p.message) for p in problems] == [
        ("console.channels", 2, "'off topic' is not a channel name"),
        ("console.members.0.name", 3, "'a b' is not a member name"),
    ]
    assert "at most 50 characters" in problems[0].hint
    assert "at most 32 characters" in problems[1].hint


def test_the_example_leaves_the_decided_defaults_unset() -> None:
    """`[console] enabled` and `[storage] auto_migrate` depend on what else is set."""
    config = load_config(ROOT / "config.example.toml")
    assert config.console.enabled is None and config.storage.auto_migrate is None


def test_a_problem_reads_in_the_current_language() -> None:
    from bot.config import Problem
    from bot.i18n import using_locale

    problem = Problem("bot.languag", 3, "unknown key", "did you mean 'language'?")
    assert str(problem) == "line 3: bot.languag: unknown key (hint: did you mean 'language'?)"
    with using_locale("nb"):
        assert str(problem) == "linje 3: bot.languag: unknown key (tips: did you mean 'language'?)"


def test_the_old_content_key_is_accepted_off_and_refused_on(tmp_path: Path) -> None:
    """Message content is never stored; files copied from an older example say so."""
    old = tmp_path / "old.toml"
    old.write_text("[privacy]\nstore_message_content = false\n", encoding="utf-8")
    assert load_config(old).privacy.activity_retention_days == 400
    (problem,) = _errors(tmp_path, "[privacy]\nstore_message_content = true\n")
    assert problem.path.startswith("privacy")
    assert "Agora never stores message content. Delete the line." in problem.message
