"""Reward roles on Slack as user groups (`[slack] user_groups = true`).

Slack has no roles a bot can grant, but a user group (`@helpers`) is the nearest thing:
it is mentionable, shows on the profile, and Agora already reads groups as roles for
`[permissions]`. A role maps to the group whose handle or name is the role name
(case-insensitive), or whose handle is the role name slugified (what Agora gives a
group it creates with `[slack] create_user_groups = true`).

Slack's write is `usergroups.users.update`, which *replaces* the whole member list, so
every change reads the list, edits it and writes it back under a lock per group: two
grants at once must not lose one another. Slack refuses an empty list, so taking the
last member out disables the group (`usergroups.disable`); a disabled group counts as
empty, and the next grant enables it again with that one member.

Everything Slack refuses (a missing scope, a free plan, a workspace that lets only
admins edit groups, a group that does not exist) becomes `PlatformRefused` with the
reason: the growth feature then keeps the stored perk and logs why.
"""

from __future__ import annotations

import asyncio
import logging
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from slack_sdk.errors import SlackApiError

from adapters.slack.people import LOOKUP_ERRORS
from bot.i18n import _
from bot.ports import PlatformRefused

log = logging.getLogger(__name__)

_NOT_HANDLE = re.compile(r"[^a-z0-9._-]+")
# Letters that NFKD does not take apart into an ASCII letter and an accent.
_SPELLED = str.maketrans({"æ": "ae", "ø": "o", "œ": "oe", "ß": "ss", "ł": "l", "đ": "d", "þ": "th"})


@dataclass(frozen=True, slots=True)
class Group:
    """One user group as `usergroups.list` describes it."""

    id: str
    handle: str
    name: str
    enabled: bool = True

    def answers_to(self, role: str) -> bool:
        wanted = role.strip().casefold()
        return wanted in (self.handle.casefold(), self.name.casefold()) or (
            self.handle == handle_for(role)
        )


def handle_for(role: str) -> str:
    """The handle Agora gives the group of `role`: "Core Helpers" → "core-helpers"."""
    spelled = role.lower().translate(_SPELLED)
    plain = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode()
    return _NOT_HANDLE.sub("-", plain).strip("-._")


def group_from(raw: Mapping[str, Any]) -> Group | None:
    group_id, handle = raw.get("id"), raw.get("handle")
    if not isinstance(group_id, str) or not isinstance(handle, str):
        return None
    name = raw.get("name")
    return Group(
        group_id,
        handle,
        name if isinstance(name, str) else handle,
        enabled=not raw.get("date_delete"),
    )


class UserGroups:
    """Finds, creates and edits one workspace's user groups; one instance per port.

    The group list is cached per workspace and asked again on a miss (a group an admin
    created since); the member list is never cached, since admins edit it in Slack too.
    """

    def __init__(self, *, create: bool = False) -> None:
        self.create = create
        self._groups: dict[str, list[Group]] = {}
        self._finding: dict[str, asyncio.Lock] = {}
        self._editing: dict[tuple[str, str], asyncio.Lock] = {}

    def forget(self, team: str) -> None:
        """The workspace uninstalled the app (or its token changed): list it again."""
        self._groups.pop(team, None)

    async def add(self, client: Any, team: str, user: str, role: str) -> bool:
        """Put `user` in the group of `role`; False when they were in it already."""
        group = await self._find(client, team, role, create=self.create)
        if group is None:
            raise PlatformRefused(
                _(
                    "There is no Slack user group for the role {role}. Create one with the "
                    "handle @{handle}, or set create_user_groups = true under [slack].",
                    role=role,
                    handle=handle_for(role) or "…",
                )
            )
        async with self._lock(team, group.id):
            group = self._current(team, group)
            if not group.enabled:
                # Disabled: Agora took its last member out (or an admin retired it).
                # It counts as empty, so the list is this member alone.
                await _call(client.usergroups_enable, "usergroups.enable", role, usergroup=group.id)
                self._store(team, replace(group, enabled=True))
                members: list[str] = []
            else:
                members = await self._members(client, group, role)
            if user in members:
                return False
            await _call(
                client.usergroups_users_update,
                "usergroups.users.update",
                role,
                usergroup=group.id,
                users=[*members, user],
            )
        log.info("slack: %s added to user group @%s (%s)", user, group.handle, team)
        return True

    async def remove(self, client: Any, team: str, user: str, role: str) -> bool:
        """Take `user` out of the group of `role`; False when they were not in it."""
        group = await self._find(client, team, role, create=False)
        if group is None:
            return False
        async with self._lock(team, group.id):
            group = self._current(team, group)
            if not group.enabled:
                return False
            members = await self._members(client, group, role)
            if user not in members:
                return False
            rest = [m for m in members if m != user]
            if rest:
                await _call(
                    client.usergroups_users_update,
                    "usergroups.users.update",
                    role,
                    usergroup=group.id,
                    users=rest,
                )
            else:
                # Slack refuses an empty member list: a group without members is disabled.
                await _call(
                    client.usergroups_disable, "usergroups.disable", role, usergroup=group.id
                )
                self._store(team, replace(group, enabled=False))
        log.info("slack: %s taken out of user group @%s (%s)", user, group.handle, team)
        return True

    # --- finding ---------------------------------------------------------------------------

    async def _find(self, client: Any, team: str, role: str, *, create: bool) -> Group | None:
        """The group of `role`: from the cache, else from a fresh list, else created."""
        found = _match(self._groups.get(team, ()), role)
        if found is not None:
            return found
        # One workspace lists (and creates) one group at a time: a burst of grants for a
        # new role asks Slack once and never creates the group twice.
        async with self._finding.setdefault(team, asyncio.Lock()):
            found = _match(self._groups.get(team, ()), role)
            if found is not None:
                return found
            response = await _call(
                client.usergroups_list, "usergroups.list", role, include_disabled=True
            )
            raw = response.get("usergroups") or ()
            groups = [g for g in (group_from(r) for r in raw if isinstance(r, Mapping)) if g]
            self._groups[team] = groups
            found = _match(groups, role)
            if found is not None or not create:
                return found
            return await self._create(client, team, role)

    async def _create(self, client: Any, team: str, role: str) -> Group:
        handle = handle_for(role)
        if not handle:
            raise PlatformRefused(
                _(
                    "The role {role} has no letters Slack allows in a user group handle; "
                    "create its group by hand.",
                    role=role,
                )
            )
        response = await _call(
            client.usergroups_create,
            "usergroups.create",
            role,
            name=role.strip(),
            handle=handle,
            description=_("Reward role granted by Agora"),
        )
        raw = response.get("usergroup")
        group = group_from(raw) if isinstance(raw, Mapping) else None
        if group is None:
            raise PlatformRefused(
                _("Slack created the user group {handle} but did not say its id.", handle=handle)
            )
        log.info("slack: created user group @%s for role %r (%s)", group.handle, role, team)
        self._groups.setdefault(team, []).append(group)
        return group

    async def _members(self, client: Any, group: Group, role: str) -> list[str]:
        response = await _call(
            client.usergroups_users_list,
            "usergroups.users.list",
            role,
            usergroup=group.id,
            include_disabled=True,
        )
        return [str(u) for u in response.get("users") or ()]

    # --- bookkeeping -----------------------------------------------------------------------

    def _lock(self, team: str, group_id: str) -> asyncio.Lock:
        return self._editing.setdefault((team, group_id), asyncio.Lock())

    def _current(self, team: str, group: Group) -> Group:
        """The cached state of `group` (another grant may have enabled or disabled it)."""
        for known in self._groups.get(team, ()):
            if known.id == group.id:
                return known
        return group

    def _store(self, team: str, group: Group) -> None:
        groups = self._groups.setdefault(team, [])
        groups[:] = [group if g.id == group.id else g for g in groups]


def _match(groups: Sequence[Group], role: str) -> Group | None:
    """The group for `role`, an enabled one first when an old one has the same name."""
    found = [g for g in groups if g.answers_to(role)]
    return next((g for g in found if g.enabled), found[0] if found else None)


async def _call(method: Any, name: str, role: str, /, **args: Any) -> Any:
    """One Web API call; Slack's refusals become PlatformRefused naming the role."""
    try:
        return await method(**args)
    except SlackApiError as error:
        code = str(error.response.get("error") or "unknown_error")
        raise PlatformRefused(
            _(
                "Slack refused {method} for the role {role}: {code}. {hint}",
                method=name,
                role=role,
                code=code,
                hint=user_group_hint(code),
            ).strip()
        ) from error
    except LOOKUP_ERRORS as error:
        raise PlatformRefused(_("Slack could not be reached: {error}", error=error)) from error


def user_group_hint(code: str) -> str:
    """What an admin can do about Slack's refusal `code` ("" when nothing specific)."""
    hints = {
        "missing_scope": _(
            "Add the usergroups:read and usergroups:write scopes in the Slack app settings "
            "(see `agora slack-manifest`) and reinstall the app."
        ),
        "not_allowed_token_type": _("User groups need the bot token (xoxb-…)."),
        "paid_teams_only": _("User groups need a paid Slack plan."),
        "paid_only": _("User groups need a paid Slack plan."),
        "permission_denied": _(
            "The workspace lets only some people manage user groups: allow the app in the "
            "workspace settings (Permissions → User Groups)."
        ),
    }
    return hints.get(code, "")
