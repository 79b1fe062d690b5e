"""Who may do what: platform roles and user ids mapped to levels, checked in the core.

Each platform names roles differently (Discord roles, Slack user groups, console
roles), so `[permissions]` lists selectors (`role:Moderator`, `user:alice`,
`user:discord:123:456`) and the core compares them with what the adapter reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.i18n import N_, _
from bot.model import Level, Member

# "for moderators only": the level as a group of people, translated.
_LEVEL_GROUPS = {
    Level.MEMBER: N_("members"),
    Level.HELPER: N_("helpers"),
    Level.MODERATOR: N_("moderators"),
    Level.ADMIN: N_("admins"),
}


# "carol (moderator; …)": the level of one person, translated.
_LEVEL_NAMES = {
    Level.MEMBER: N_("member"),
    Level.HELPER: N_("helper"),
    Level.MODERATOR: N_("moderator"),
    Level.ADMIN: N_("admin"),
}


def level_group(level: Level) -> str:
    """The people who hold `level`, in the current language ("moderators")."""
    return _(_LEVEL_GROUPS[level])


def level_name(level: Level) -> str:
    """One person's level, in the current language ("moderator")."""
    return _(_LEVEL_NAMES[level])


@dataclass(frozen=True, slots=True)
class Selector:
    kind: str  # "role" or "user"
    value: str

    @classmethod
    def parse(cls, text: str) -> Selector:
        kind, _sep, value = text.partition(":")
        return cls(kind.strip().lower(), value.strip())

    def matches(self, member: Member) -> bool:
        if self.kind == "role":
            wanted = self.value.lower()
            return any(role.lower() == wanted for role in member.roles)
        if self.kind == "user":
            if self.value.count(":") == 2:
                return str(member.ref) == self.value
            wanted = self.value.lower().lstrip("@")
            return wanted in (member.ref.id.lower(), member.name.lower())
        return False


class Permissions:
    def __init__(
        self,
        admin: Sequence[str],
        moderator: Sequence[str],
        helper: Sequence[str],
    ) -> None:
        self._levels: list[tuple[Level, list[Selector]]] = [
            (Level.ADMIN, [Selector.parse(s) for s in admin]),
            (Level.MODERATOR, [Selector.parse(s) for s in moderator]),
            (Level.HELPER, [Selector.parse(s) for s in helper]),
        ]

    def level_of(self, member: Member) -> Level:
        for level, selectors in self._levels:
            if any(s.matches(member) for s in selectors):
                return level
        return Level.MEMBER

    def describe(self, level: Level) -> str:
        """Who holds a level, for polite refusals ("ask someone with role Moderator")."""
        for candidate, selectors in self._levels:
            if candidate is level:
                roles = [s.value for s in selectors if s.kind == "role"]
                return ", ".join(dict.fromkeys(roles)) or level.value
        return level.value
