"""Who may do what: platform roles and user ids mapped to levels, checked in the core.

Each platform names roles differently (Discord roles, Slack user groups, console
roles), so `[permissions]` lists selectors (`role:Moderator`, `user:alice`,
`user:discord:123:456`) and the core compares them with what the adapter reports.
A refusal names who can help: the roles, and the people the user selectors name,
looked up in the directory so that an id reads as the member's name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from babel.lists import format_list

from bot.i18n import N_, _, current_locale
from bot.model import Level, Member, Ref
from bot.ports import Directory

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

    def selectors(self, level: Level) -> list[Selector]:
        return next((found for held, found in self._levels if held is level), [])

    def describe(self, level: Level, names: Mapping[str, str] | None = None) -> str:
        """Who holds a level, for polite refusals: "alice or anyone with the role
        Moderator". `names` gives user selectors' values as members read them (see
        `who_can`); without it they are shown as configured."""
        chosen = self.selectors(level)
        roles = list(dict.fromkeys(s.value for s in chosen if s.kind == "role"))
        people = [s.value for s in chosen if s.kind == "user"]
        users = list(dict.fromkeys((names or {}).get(v, v.lstrip("@")) for v in people))
        users = [u for u in users if u]
        locale = current_locale()
        if roles and users:
            return _(
                "{users} or anyone with the role {roles}",
                users=format_list(users, style="or", locale=locale),
                roles=format_list(roles, style="or", locale=locale),
            )
        if roles:
            return _(
                "anyone with the role {roles}", roles=format_list(roles, style="or", locale=locale)
            )
        if users:
            return format_list(users, style="or", locale=locale)
        return _("the people who run this community")

    async def who_can(self, level: Level, directory: Directory, viewer: Ref | None) -> str:
        """`describe`, with each user selector looked up: an account (`discord:G:U`) or an
        id on the viewer's platform reads as that member's name; an unknown account is
        left out (its id would tell nobody anything), a plain name stays as written."""
        names: dict[str, str] = {}
        for selector in self.selectors(level):
            if selector.kind == "user":
                names[selector.value] = await _name_of(selector.value, directory, viewer)
        return self.describe(level, names)


async def _name_of(value: str, directory: Directory, viewer: Ref | None) -> str:
    if value.count(":") == 2:
        try:
            found = await directory.get(Ref.parse(value))
        except ValueError:
            found = None
        return found.label if found is not None else ""
    wanted = value.lstrip("@")
    if viewer is not None:
        found = await directory.get(viewer.sibling(wanted)) or await directory.find(
            viewer.platform, viewer.workspace, wanted
        )
        if found is not None:
            return found.label
    return wanted
