"""A community for growth: alice (admin), bob (moderator), carol and erin.

`growth(...)` builds a Harness whose keys go to `[features.growth]`; helpers read the
stores directly, so tests check what was stored, not only what was said.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.features.growth.store import Perks, Referral, Referrals
from bot.features.kudos.store import KudosLedger
from bot.model import MemberRecord
from bot.testing import Harness

MEMBERS = (
    ("alice", ("admin",)),
    ("bob", ("moderator",)),
    ("carol", ()),
    ("erin", ()),
)


def growth(*, top: dict[str, Any] | None = None, **section: Any) -> Harness:
    """`async with growth(qualify_messages=2) as h:`; `top` holds Harness arguments."""
    return Harness.of_feature("growth", section, top={"members": MEMBERS, **(top or {})})


@pytest.fixture
async def h() -> AsyncIterator[Harness]:
    async with growth() as ready:
        yield ready


async def record(h: Harness, name: str) -> MemberRecord:
    return await h.record(name)


async def points(h: Harness, name: str) -> int:
    person = (await record(h, name)).person_id
    async with h.runtime.storage.unit_of_work() as uow:
        return await uow.get(KudosLedger).received_points(person)


async def referral_of(h: Harness, newcomer: str) -> Referral | None:
    person = (await record(h, newcomer)).person_id
    async with h.runtime.storage.unit_of_work() as uow:
        return await uow.get(Referrals).of_newcomer(person)  # type: ignore[type-abstract]


async def perks(h: Harness, name: str) -> list[str]:
    person = (await record(h, name)).person_id
    async with h.runtime.storage.unit_of_work() as uow:
        return [p.role for p in await uow.get(Perks).held(person)]  # type: ignore[type-abstract]


def said_to(h: Harness, name: str) -> list[str]:
    """Everything only `name` saw (ephemeral replies and DMs)."""
    ref = h.ref(name)
    return [p.text for p in h.sent if p.ephemeral_to == ref or p.dm_to == ref]


async def post(h: Harness, name: str, count: int) -> None:
    for i in range(count):
        await h.say(name, f"message {i} from {name}")
