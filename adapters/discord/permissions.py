"""The bot's Discord permissions, from what the enabled features need (`bot.needs`).

One source of truth for the invite link (`agora discord invite-url`) and the README:
a few permissions every Agora needs, plus those each need brings. The names are the
ones Discord's server settings show, so an admin can compare the two lists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from bot.i18n import N_
from bot.needs import Need

AUTHORIZE_URL = "https://discord.com/oauth2/authorize"
SCOPES = ("bot", "applications.commands")


@dataclass(frozen=True, slots=True)
class Permission:
    name: str  # msgid: the name in Discord's role settings
    flag: int
    purpose: str  # msgid: what Agora does with it


BASE = (
    Permission(N_("View Channels"), 1 << 10, N_("see the channels it works in")),
    Permission(N_("Send Messages"), 1 << 11, N_("answer commands and post notices")),
    Permission(N_("Send Messages in Threads"), 1 << 38, N_("answer in threads")),
    Permission(N_("Embed Links"), 1 << 14, N_("show rich messages (embeds)")),
    Permission(
        N_("Read Message History"), 1 << 16, N_("reply to, and start threads on, earlier messages")
    ),
)
BY_NEED: Mapping[Need, tuple[Permission, ...]] = {
    Need.THREADS: (Permission(N_("Create Public Threads"), 1 << 35, N_("start threads")),),
    Need.FILES: (Permission(N_("Attach Files"), 1 << 15, N_("post charts and files")),),
    Need.ROLES: (Permission(N_("Manage Roles"), 1 << 28, N_("give and take roles")),),
    Need.MANAGE_MESSAGES: (
        Permission(
            N_("Manage Messages"), 1 << 13, N_("remove flagged messages and flag reactions")
        ),
    ),
    Need.TIMEOUT: (Permission(N_("Timeout Members"), 1 << 40, N_("time members out")),),
    Need.KICK: (Permission(N_("Kick Members"), 1 << 1, N_("kick members")),),
    Need.BAN: (Permission(N_("Ban Members"), 1 << 2, N_("ban members")),),
    Need.PIN: (Permission(N_("Pin Messages"), 1 << 51, N_("pin messages")),),
    Need.INVITES: (
        Permission(N_("Create Invite"), 1 << 0, N_("create personal invite links")),
        Permission(
            N_("Manage Server"),
            1 << 5,
            N_("read how often each invite was used, to know who brought whom"),
        ),
    ),
}


@dataclass(frozen=True, slots=True)
class Granted:
    permission: Permission
    features: tuple[str, ...]  # () for the permissions every Agora needs


def required(needs: Mapping[Need, Sequence[str]]) -> list[Granted]:
    """The permissions for these needs (`Registry.needs`), the common ones first."""
    granted = [Granted(p, ()) for p in BASE]
    for need, features in needs.items():
        granted.extend(Granted(p, tuple(features)) for p in BY_NEED.get(need, ()))
    return granted


def everything() -> list[Granted]:
    """Every permission any feature may need (every feature on, every option set)."""
    return required({need: () for need in Need})


def integer(granted: Sequence[Granted]) -> int:
    value = 0
    for item in granted:
        value |= item.permission.flag
    return value


def invite_url(application_id: int, permissions: int) -> str:
    query = urlencode(
        {"client_id": application_id, "scope": " ".join(SCOPES), "permissions": permissions}
    )
    return f"{AUTHORIZE_URL}?{query}"
