"""Growth repositories, the same suite on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from bot.features.growth.store import (
    Action,
    Contributions,
    GrantEntry,
    Invitations,
    InviteBook,
    InviteKind,
    NewInvite,
    NewReferral,
    Perk,
    Perks,
    Referrals,
    Source,
    Standing,
    Status,
    Via,
)
from bot.features.kudos.store import Achievements, FactKind, KudosLedger, NewKudos
from bot.features.kudos.store import Source as KudosSource
from bot.model import Member, Ref
from bot.ports import ActivityFact, ActivityLog, Directory
from storage.engine import SqlStorage

T = TypeVar("T")
AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@asynccontextmanager
async def repo(storage: SqlStorage, protocol: type[T]) -> AsyncIterator[T]:
    async with storage.unit_of_work() as uow:
        yield uow.get(protocol)


async def people(storage: SqlStorage, *names: str) -> dict[str, int]:
    found = {}
    async with repo(storage, Directory) as directory:  # type: ignore[type-abstract]
        for name in names:
            record = await directory.member_joined(
                Member(Ref("discord", "g", f"u-{name}"), name), AT
            )
            found[name] = record.person_id
    return found


async def test_invites_by_owner_code_and_workspace(storage: SqlStorage) -> None:
    p = await people(storage, "carol")
    async with repo(storage, InviteBook) as book:  # type: ignore[type-abstract]
        link = await book.add(
            NewInvite(p["carol"], "discord", "g", "aBc9", "https://x/aBc9", InviteKind.LINK, 2, AT)
        )
        code = await book.add(
            NewInvite(p["carol"], "slack", "T1", "K7Q2XM", "", InviteKind.CODE, 0, AT)
        )
        assert (await book.mine(p["carol"], "discord", "g", InviteKind.LINK)) == link
        assert await book.mine(p["carol"], "discord", "g", InviteKind.CODE) is None
        assert await book.by_code("k7q2xm") == code  # typed codes are case-insensitive
        assert await book.by_code("aBc9", "discord") == link
        assert await book.by_code("aBc9", "slack") is None
        assert [i.id for i in await book.links("discord", "g")] == [link.id]
        await book.observe(link.id, 4, 1, AT)
        seen = await book.get(link.id)
        assert seen is not None and (seen.uses, seen.unclaimed, seen.noticed_at) == (4, 1, AT)


async def test_a_newcomer_has_one_referrer_and_a_referral_is_decided_once(
    storage: SqlStorage,
) -> None:
    p = await people(storage, "carol", "erin", "dave", "frank")
    async with repo(storage, Referrals) as referrals:  # type: ignore[type-abstract]
        first = await referrals.add(NewReferral(p["carol"], p["dave"], Via.INVITE, AT))
        assert first is not None and first.status is Status.PENDING
        assert await referrals.add(NewReferral(p["erin"], p["dave"], Via.CODE, AT)) is None
        await referrals.add(NewReferral(p["carol"], p["frank"], Via.CODE, AT + timedelta(days=1)))
        assert await referrals.pending_count(p["carol"]) == 2
        assert await referrals.decide(first.id, Status.REWARDED, AT + timedelta(days=8))
        assert not await referrals.decide(first.id, Status.LEFT, AT + timedelta(days=9))
        assert await referrals.top(5) == [(p["carol"], 1, 2)]
        counts = await referrals.counts(AT, AT + timedelta(days=30))
        assert (counts.joined, counts.rewarded) == (2, 1)
        assert [r.newcomer_person_id for r in await referrals.every(10)] == [p["dave"], p["frank"]]


async def test_perks_once_with_an_audit_trail(storage: SqlStorage) -> None:
    p = await people(storage, "carol", "alice")
    async with repo(storage, Perks) as perks:  # type: ignore[type-abstract]
        assert await perks.grant(Perk(p["carol"], "Regular", Source.THRESHOLD, AT, True))
        assert not await perks.grant(Perk(p["carol"], "Regular", Source.PIPELINE, AT, True))
        assert await perks.holders() == {p["carol"]: {"Regular": Source.THRESHOLD}}
        await perks.log(
            GrantEntry(
                p["carol"], "Regular", Action.GRANT, Source.THRESHOLD, "50 kudos", AT, p["alice"]
            )
        )
        removed = await perks.revoke(p["carol"], "Regular")
        assert removed is not None and removed.on_platform
        assert await perks.revoke(p["carol"], "Regular") is None
        assert await perks.granted_count(AT, AT + timedelta(seconds=1)) == 1
        assert await perks.release_actor(p["alice"]) == 1
        [entry] = await perks.history(p["carol"], 10)
        assert entry.by_person_id is None and entry.reason == "50 kudos"


async def test_one_open_invitation_per_track(storage: SqlStorage) -> None:
    p = await people(storage, "carol", "alice")
    async with repo(storage, Invitations) as invitations:  # type: ignore[type-abstract]
        opened = await invitations.open(p["carol"], "helpers", "Helper", p["alice"], AT)
        assert opened is not None
        assert await invitations.open(p["carol"], "helpers", "Helper", p["alice"], AT) is None
        assert await invitations.answer(opened.id, True, AT)
        assert not await invitations.answer(opened.id, False, AT)
        assert await invitations.open(p["carol"], "helpers", "Helper", None, AT) is not None


async def test_contributions_read_kudos_answers_and_activity(storage: SqlStorage) -> None:
    p = await people(storage, "carol", "erin", "dave")
    async with storage.unit_of_work() as uow:
        ledger = uow.get(KudosLedger)  # type: ignore[type-abstract]
        for _i in range(3):
            await ledger.give(
                NewKudos(p["erin"], p["carol"], 2, KudosSource.COMMAND, "discord", AT)
            )
        facts = uow.get(Achievements)  # type: ignore[type-abstract]
        await facts.record_fact(p["dave"], FactKind.ANSWER, "question:1", AT)
        await facts.record_fact(p["dave"], FactKind.ANSWER, "question:2", AT)
        log = uow.get(ActivityLog)  # type: ignore[type-abstract]
        member = Ref("discord", "g", "u-carol")
        await log.record(
            [ActivityFact(p["carol"], member, "c1", "message", AT - timedelta(days=8))]
            + [
                ActivityFact(p["carol"], member, "c1", "reply", AT + timedelta(hours=i))
                for i in range(3)
            ]
        )
    async with repo(storage, Contributions) as found:  # type: ignore[type-abstract]
        assert await found.standings([], 6, 2) == {
            p["carol"]: Standing(6, 0),
            p["dave"]: Standing(0, 2),
        }
        assert await found.standings([p["erin"]], 100, 100) == {p["erin"]: Standing(0, 0)}
        assert await found.last_message([p["carol"], p["dave"]]) == {
            p["carol"]: AT + timedelta(hours=2)
        }
        assert await found.messages_since(p["carol"], AT) == 3
        rising = {
            r.person_id: r
            for r in await found.rising(
                AT - timedelta(days=14), AT - timedelta(days=7), AT + timedelta(days=1)
            )
        }
        assert rising[p["carol"]].messages == 3 and rising[p["carol"]].kudos == 6
        assert rising[p["dave"]].answers == 2
