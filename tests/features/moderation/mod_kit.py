"""Shared setup for the moderation tests: a community with moderators and flaggers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from adapters.memory.community import Posted
from bot.model import Button, ButtonPressed, Capability
from bot.testing import Harness
from storage.tables.moderation import mod_log

MEMBERS = (
    ("alice", ("admin",)),
    ("bob", ("moderator",)),
    ("mia", ("moderator",)),
    ("carol", ()),
    ("dave", ()),
    ("erin", ()),
    ("frank", ()),
    ("gus", ()),
)
# What Slack lets a bot do: no timeouts, kicks, bans, nor removing others' reactions.
SLACK_LIKE = frozenset(
    {
        Capability.THREADS,
        Capability.BUTTONS,
        Capability.SELECTS,
        Capability.FORMS,
        Capability.EPHEMERAL,
        Capability.DM,
    }
)


def harness(
    settings: Mapping[str, Any] | None = None,
    *,
    capabilities: frozenset[Capability] | None = None,
    **kwargs: Any,
) -> Harness:
    config = {"features": {"moderation": dict(settings or {})}}
    return Harness(config, members=MEMBERS, capabilities=capabilities, **kwargs)


async def settle(h: Harness) -> None:
    """Let a month pass: everyone seeded is a regular member (weight 1), not a newcomer."""
    await h.tick("30d")


def queue(h: Harness) -> list[Posted]:
    """Queue items (not the ephemeral replies moderators get in the same channel)."""
    return [p for p in h.in_channel("mod-queue") if p.ephemeral_to is None]


async def flag(h: Harness, number: int, *names: str) -> list[Posted]:
    out: list[Posted] = []
    for name in names:
        out += await h.react(name, number, "🚩")
    return out


async def flagged(h: Harness, names: tuple[str, ...] = ("dave", "erin", "frank")) -> Posted:
    """Carol posts; `names` flag it (by default a quorum of three regular members)."""
    message = await h.say("carol", "you are all idiots", channel="general")
    await flag(h, message.number, *names)
    return message


async def log_kinds(h: Harness) -> list[str]:
    async with h.runtime.storage.connection() as conn:
        rows = await conn.execute(select(mod_log.c.kind).order_by(mod_log.c.id))
        return [r.kind for r in rows]


async def press(h: Harness, name: str, button: Button, *, value: str = "") -> list[Posted]:
    """`name` presses `button` even if they cannot see it (an old or forwarded message)."""
    event = ButtonPressed(
        event_id=f"test:{name}:{button.action_id}:{len(h.community.posts)}",
        occurred_at=h.clock.now(),
        actor=h.community.member(name),
        action_id=button.action_id,
        value=value or button.value,
        message=None,
        channel=h.community.channel("general"),
    )
    before = len(h.community.posts)
    await h.dispatch(event)
    return h.community.posts[before:]
