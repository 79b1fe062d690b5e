"""`agora check` for `[features.onboarding]`: what the schema alone cannot see.

The bot still runs with these problems (a broken question is left out, a repeated id
asked once), but an admin should hear about them before newcomers do:
- choice questions without options, free-text questions with options, repeated
  question or option ids;
- `sets` used where it cannot work (a language question whose options are not
  languages Agora speaks, a time zone option that is no IANA zone, two questions
  setting the same thing);
- roles where knowable: a role that is also a permission role would make every
  newcomer choosing that option an admin, moderator or helper; the newcomer and
  member roles must differ;
- channels and commands where knowable: with only the console running its channels
  are known, and `allowed_commands` must name commands that exist.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.config import AgoraConfig, Problem
from bot.features.onboarding.config import OnboardingConfig
from bot.i18n import SUPPORTED_LOCALES, _
from bot.model import Level
from bot.permissions import level_group

SECTION = "features.onboarding"


def check(section: OnboardingConfig, config: AgoraConfig) -> Iterator[Problem]:
    if not section.enabled:
        return
    yield from _questions(section)
    yield from _roles(section, config)
    yield from _channels(section, config)
    yield from _commands(section)


def _questions(section: OnboardingConfig) -> Iterator[Problem]:
    seen: set[str] = set()
    setting: dict[str, str] = {}
    for index, question in enumerate(section.questions):
        path = f"{SECTION}.questions.{index}"
        if question.id in seen:
            yield Problem(
                f"{path}.id",
                None,
                _("question id {id!r} is used twice; only the first is asked", id=question.id),
                _("give every question its own id"),
            )
        seen.add(question.id)
        if question.choice and not question.options:
            yield Problem(
                f"{path}.options",
                None,
                _("question {id!r} has no options to choose from", id=question.id),
                _('add options = ["…", "…"], or make it kind = "text"'),
            )
        if not question.choice and question.options:
            yield Problem(
                f"{path}.options",
                None,
                _("question {id!r} is free text, so its options are never shown", id=question.id),
                _('remove the options, or make it kind = "single" or "multi"'),
            )
        ids = [o.id for o in question.options]
        for repeated in sorted({i for i in ids if ids.count(i) > 1}):
            yield Problem(
                f"{path}.options",
                None,
                _("option {option!r} appears twice in {id!r}", option=repeated, id=question.id),
                _("give every option its own id (or label)"),
            )
        yield from _purpose(path, question.id, question.sets, question.kind, ids, setting)


def _purpose(
    path: str, question_id: str, sets: str, kind: str, ids: list[str], setting: dict[str, str]
) -> Iterator[Problem]:
    if not sets:
        return
    if sets in setting and sets != "topics":
        yield Problem(
            f"{path}.sets",
            None,
            _(
                "questions {first!r} and {second!r} both set the {what}",
                first=setting[sets],
                second=question_id,
                what=sets,
            ),
            _("keep sets = {what!r} on one question", what=sets),
        )
    setting.setdefault(sets, question_id)
    if sets == "topics" and kind == "text":
        yield Problem(
            f"{path}.kind",
            None,
            _("topics must be chosen from options, so mentors can match them"),
            _('use kind = "multi" with the topics as options'),
        )
    if sets == "language":
        if kind != "single":
            yield Problem(
                f"{path}.kind",
                None,
                _("a language question needs exactly one answer"),
                _('use kind = "single"'),
            )
        unknown = [i for i in ids if i not in SUPPORTED_LOCALES]
        if unknown:
            yield Problem(
                f"{path}.options",
                None,
                _("Agora does not speak {codes}", codes=", ".join(unknown)),
                _("option ids must be among: {codes}", codes=", ".join(SUPPORTED_LOCALES)),
            )
    if sets == "timezone":
        for zone in ids:
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                yield Problem(
                    f"{path}.options",
                    None,
                    _("{zone!r} is not a time zone", zone=zone),
                    _('use IANA names like "Europe/Oslo", or kind = "text"'),
                )


def _permission_roles(config: AgoraConfig) -> dict[str, Level]:
    """Role name (lower case) → the level it grants."""
    found: dict[str, Level] = {}
    perms = config.permissions
    for level, selectors in (
        (Level.HELPER, perms.helper),
        (Level.MODERATOR, perms.moderator),
        (Level.ADMIN, perms.admin),
    ):
        for selector in selectors:
            kind, _sep, name = selector.partition(":")
            if kind == "role":
                found[name.strip().lower()] = level
    return found


def _roles(section: OnboardingConfig, config: AgoraConfig) -> Iterator[Problem]:
    powerful = _permission_roles(config)
    given: list[tuple[str, str]] = [("newcomer_role", section.newcomer_role)]
    given.append(("member_role", section.member_role))
    for qi, question in enumerate(section.questions):
        for oi, option in enumerate(question.options):
            given.append((f"questions.{qi}.options.{oi}.role", option.role))
    for key, role in given:
        level = powerful.get(role.strip().lower()) if role.strip() else None
        if level is not None:
            yield Problem(
                f"{SECTION}.{key}",
                None,
                _(
                    "role {role!r} makes its holders {levels} (see [permissions]); onboarding "
                    "would hand it to newcomers",
                    role=role,
                    levels=level_group(level),
                ),
                _("use a role that grants no permissions"),
            )
    if section.newcomer_role and section.newcomer_role == section.member_role:
        yield Problem(
            f"{SECTION}.member_role",
            None,
            _("the newcomer role and the member role are the same role"),
            _("the newcomer role is taken away when the member role is given; use two roles"),
        )


def _channels(section: OnboardingConfig, config: AgoraConfig) -> Iterator[Problem]:
    """Only the console's channels are known without connecting to a platform."""
    if config.discord.enabled or config.slack.enabled or not config.console.seed:
        return
    if config.console.enabled is False:
        return
    known = {c.lstrip("#").lower() for c in config.console.channels}
    for key in ("welcome_channel", "rules_channel", "moderator_channel", "introduction_channel"):
        name = getattr(section, key).lstrip("#").lower()
        if name and name not in known:
            yield Problem(
                f"{SECTION}.{key}",
                None,
                _("there is no channel #{name} in the console community", name=name),
                _("add it to [console] channels, or leave this empty"),
            )


def _commands(section: OnboardingConfig) -> Iterator[Problem]:
    from bot.features import all_features

    names = {c.name for f in all_features() for c in f.commands}
    names |= {n.split(" ", 1)[0] for n in names}
    for name in section.allowed_commands:
        if name not in names:
            close = difflib.get_close_matches(name, sorted(names), n=1)
            yield Problem(
                f"{SECTION}.allowed_commands",
                None,
                _("there is no command /{name}", name=name),
                _("did you mean {name!r}?", name=close[0]) if close else _("remove it"),
            )
