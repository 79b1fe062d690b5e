"""The channels the config names, checked against what conversations.list shows.

Slack sends the bot messages and reactions only from channels it is a member of, and
lists a private channel only once the bot is in it. A `#help` the bot was never
invited to therefore looks fine in the config while no question asked there is ever
tracked. At startup (and after an install) the adapter compares the channels the
config names with the workspace's list and says, in the log and in `agora health`,
which ones need `/invite @…` and which do not exist.

`[slack] join_channels` takes names or ids like every other setting; names become
ids here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_ID = re.compile(r"[CG][A-Z0-9]{2,}")
_CHANNEL_KEY = re.compile(r"(^|_)channel$")


@dataclass(frozen=True, slots=True)
class Listed:
    """One channel of conversations.list, as far as membership goes."""

    id: str
    name: str
    is_member: bool


def listed(channel: Mapping[str, Any]) -> Listed | None:
    channel_id, name = channel.get("id"), channel.get("name")
    if not isinstance(channel_id, str) or not channel_id:
        return None
    return Listed(channel_id, str(name or channel_id), bool(channel.get("is_member")))


def bare(name: str) -> str:
    """`#Help ` → `help`: how names are compared."""
    return name.strip().lstrip("#").strip().lower()


def named_in(section: Any) -> Iterator[str]:
    """Channel names in a config section: `*_channel`, `*_channels`, `channel` keys,
    at any depth (check-ins keep theirs in a list of tables)."""
    if isinstance(section, Mapping):
        for key, value in section.items():
            plural = str(key).endswith("_channels")
            if isinstance(value, str) and _CHANNEL_KEY.search(str(key)) and value.strip():
                yield value
            elif plural and isinstance(value, list):
                yield from (v for v in value if isinstance(v, str) and v.strip())
            else:
                yield from named_in(value)
    elif isinstance(section, list):
        for item in section:
            yield from named_in(item)


def resolve(wanted: Iterable[str], channels: Sequence[Listed]) -> tuple[frozenset[str], list[str]]:
    """(ids, unknown): each entry matched as an id, else as a name; ids Slack does not
    list (a private channel without the bot) are kept, unknown names are not."""
    by_id = {c.id: c for c in channels}
    by_name = {bare(c.name): c for c in channels}
    ids: set[str] = set()
    unknown: list[str] = []
    for entry in wanted:
        text = entry.strip().lstrip("#")
        found = by_id.get(text) or by_name.get(bare(text))
        if found is not None:
            ids.add(found.id)
            continue
        if _ID.fullmatch(text):
            ids.add(text)
        unknown.append(entry)
    return frozenset(ids), unknown


@dataclass(frozen=True, slots=True)
class Membership:
    """Configured channels the bot cannot see into, by reason."""

    not_member: tuple[str, ...]
    not_found: tuple[str, ...]

    def warnings(self, team: str, bot: str) -> list[str]:
        found: list[str] = []
        if self.not_member:
            names = ", ".join(f"#{n}" for n in self.not_member)
            found.append(
                f"Slack workspace {team}: the bot is not a member of {names}, so it sees no "
                f"messages or reactions there; type /invite @{bot} in each of them"
            )
        if self.not_found:
            names = ", ".join(f"#{n}" for n in self.not_found)
            found.append(
                f"Slack workspace {team}: no channel {names} visible to the bot; create it, "
                f"or if it is private type /invite @{bot} in it (or fix the name in the config)"
            )
        return found


def membership(configured: Iterable[str], channels: Sequence[Listed]) -> Membership:
    by_name = {bare(c.name): c for c in channels}
    by_id = {c.id: c for c in channels}
    not_member: list[str] = []
    not_found: list[str] = []
    for name in dict.fromkeys(bare(n) for n in configured):
        found = by_name.get(name) or by_id.get(name.upper())
        if found is None:
            not_found.append(name)
        elif not found.is_member:
            not_member.append(found.name)
    return Membership(tuple(not_member), tuple(not_found))
