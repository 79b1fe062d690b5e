"""What `agora check` finds: the schema's problems and those only the whole config shows.

`agora run` and `agora db upgrade` refuse a file this finds fault with, so a config
that `check` rejects never starts half-way. Problems are sorted by line, and schema
errors do not hide the rest: their keys are left at the defaults for the checks here.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

from bot.config import (
    AgoraConfig,
    ConfigError,
    DiscordConfig,
    FeatureConfig,
    Problem,
    SlackConfig,
    StorageConfig,
    by_line,
    key_lines,
    load_config,
)
from bot.i18n import N_, _

NOTHING_TO_RUN = N_("nothing would run: the console is off and neither Discord nor Slack is on")
ENABLE_ONE = N_(
    "set enabled = true under [discord] or [slack] and export its token, or remove "
    "enabled = false under [console]"
)


def console_enabled(config: AgoraConfig) -> bool:
    """`[console] enabled`, else on exactly when no platform is."""
    if config.console.enabled is not None:
        return config.console.enabled
    return not (config.discord.enabled or config.slack.enabled)


def examine(path: str | Path | None) -> tuple[AgoraConfig | None, list[Problem]]:
    """Load a config file and check it all: schema and semantic problems, by line.

    Schema errors leave their keys at the defaults, so the checks beyond the schema
    still run on the rest and every problem is reported at once.
    """

    try:
        config: AgoraConfig | None = load_config(path)
        problems: list[Problem] = []
    except ConfigError as error:
        config, problems = error.partial, list(error.problems)
    if config is not None:
        problems += [p for p in validate_config(config) if p not in problems]
    return config, by_line(problems)


def _line_finder(config: AgoraConfig) -> Callable[..., int | None]:
    """Line of a key path in the config's file (else of its closest enclosing table)."""
    lines: dict[tuple[str, ...], int] = {}
    if config.source:
        try:
            with open(config.source, encoding="utf-8") as handle:
                lines = key_lines(handle.read())
        except (OSError, UnicodeDecodeError):
            lines = {}

    def line(*path: str) -> int | None:
        while path:
            if path in lines:
                return lines[path]
            path = path[:-1]
        return None

    return line


def validate_config(config: AgoraConfig) -> list[Problem]:
    """Checks beyond the schema: cron strings, console seed, each feature's own rules."""
    from bot.app import enabled_features  # the composition root knows the features
    from bot.scheduler import CronError, cron_trigger

    line = _line_finder(config)
    problems: list[Problem] = []
    if not (console_enabled(config) or config.discord.enabled or config.slack.enabled):
        problems.append(
            Problem("console.enabled", line("console", "enabled"), _(NOTHING_TO_RUN), _(ENABLE_ONE))
        )
    members = [m.name.lower() for m in config.console.members]
    if config.console.seed and config.console.start_as.lower() not in members:
        problems.append(
            Problem(
                "console.start_as",
                line("console", "start_as"),
                _("{name!r} is not one of the console members", name=config.console.start_as),
                _("use one of: {names}", names=", ".join(members)),
            )
        )
    for feature in enabled_features(config):
        section = config.feature(feature.name, feature.config)
        for spec in feature.jobs:
            expression = spec.cron(section) if callable(spec.cron) else spec.cron
            if not expression:
                continue
            try:
                cron_trigger(expression, spec.timezone or config.bot.timezone)
            except CronError as error:
                key = _key_holding(section, expression)
                path = ("features", feature.name, *((key,) if key else ()))
                problems.append(
                    Problem(
                        ".".join(path),
                        line(*path),
                        _("job {job}: bad cron expression {error}", job=spec.name, error=error),
                        _("five fields: minute hour day month weekday, e.g. 0 9 * * MON"),
                    )
                )
        for check in feature.checks:
            for found in check(section, config):
                parts = tuple(found.path.split("."))
                problems.append(
                    Problem(found.path, found.line or line(*parts), found.message, found.hint)
                )
    return by_line(problems)


def _key_holding(section: FeatureConfig, value: str) -> str | None:
    """The section's key whose value is `value` (where a job's cron string came from)."""
    return next((name for name, held in section if held == value), None)


def unset_variables(config: AgoraConfig, env: Mapping[str, str] | None = None) -> list[Problem]:
    """Environment variables the config names for what it enables, but that are not set.

    The file can be valid while `agora run` still fails for want of a token: `agora
    check` warns about these, so the admin learns it before starting.
    """
    source = os.environ if env is None else env
    line = _line_finder(config)
    sections: list[tuple[str, StorageConfig | DiscordConfig | SlackConfig]] = [
        ("storage", config.storage)
    ]
    if config.discord.enabled:
        sections.append(("discord", config.discord))
    if config.slack.enabled:
        sections.append(("slack", config.slack))
    problems: list[Problem] = []
    for name, section in sections:
        for key in section.required_env():
            variable = getattr(section, key)
            if not source.get(variable, "").strip():
                problems.append(
                    Problem(
                        f"{name}.{key}",
                        line(name, key),
                        _("the environment variable {name} is not set", name=variable),
                        _("export {name}=… before `agora run`", name=variable),
                    )
                )
    return by_line(problems)
