"""A community for kudos: alice (admin), bob (moderator), carol, dave and erin.

`kudos(...)` builds a Harness whose keys go to `[features.kudos]`; helpers read the
ledger directly, so tests check what was stored, not only what was said.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.features.kudos.store import Achievements, KudosLedger
from bot.model import Member, MemberRecord
from bot.ports import Directory
from bot.testing import Harness

MEMBERS = (
    ("alice", ("admin",)),
    ("bob", ("moderator",)),
    ("carol", ()),
    ("dave", ()),
    ("erin", ()),
)


def kudos(*, top: dict[str, Any] | None = None, **section: Any) -> Harness:
    """`async with kudos(daily_allowance=2) as h:`.

    `top` holds Harness arguments and, under "config", other sections of the config.
    """
    return Harness.of_feature("kudos", section, top={"members": MEMBERS, **(top or {})})


@pytest.fixture
async def h() -> AsyncIterator[Harness]:
    async with kudos() as ready:
        yield ready


async def record(h: Harness, name: str) -> MemberRecord:
    return await h.record(name)


async def points(h: Harness, name: str) -> int:
    """Points `name` received, all time."""
    person = (await record(h, name)).person_id
    async with h.runtime.storage.unit_of_work() as uow:
        return await uow.get(KudosLedger).received_points(person)


async def badges(h: Harness, name: str) -> list[str]:
    person = (await record(h, name)).person_id
    async with h.runtime.storage.unit_of_work() as uow:
        return [a.badge for a in await uow.get(Achievements).badges_of(person)]


async def add_bot(h: Harness, name: str) -> Member:
    """A bot account the directory knows (platforms report bots as members too)."""
    member = Member(h.community.ref(f"u-{name}"), name, name, is_bot=True)
    h.community.members[name] = member
    async with h.runtime.storage.unit_of_work() as uow:
        await uow.get(Directory).member_joined(member, h.clock.now())
    return member


def public(posts: list[Any]) -> list[Any]:
    return [p for p in posts if p.by_bot and p.ephemeral_to is None and p.dm_to is None]


def said_to(h: Harness, posts: list[Any], name: str) -> list[str]:
    """What only `name` saw among `posts` (ephemeral replies and DMs)."""
    ref = h.ref(name)
    return [p.text for p in posts if p.ephemeral_to == ref or p.dm_to == ref]
