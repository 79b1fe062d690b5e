"""Moderation repositories, the same suite on SQLite and PostgreSQL.

Includes the raid case: many members flagging one message in concurrent transactions
must lose no count and move the case into the queue exactly once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from bot.features.moderation.store import (
    Appeals,
    Cases,
    CaseStatus,
    Decision,
    Flags,
    LogEntry,
    LogKind,
    ModerationPeople,
    ModerationStats,
    ModLog,
    NewSanction,
    Sanctions,
    Trigger,
)
from bot.model import Member, Ref
from bot.ports import Directory
from storage.engine import SqlStorage

T = TypeVar("T")
AT = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
MESSAGE = Ref("discord", "guild", "channel-1/message-1")
CHANNEL = Ref("discord", "guild", "channel-1")
AUTHOR = Ref("discord", "guild", "U-author")


@asynccontextmanager
async def repo(storage: SqlStorage, protocol: type[T]) -> AsyncIterator[T]:
    async with storage.unit_of_work() as uow:
        yield uow.get(protocol)


async def people(storage: SqlStorage, count: int) -> list[int]:
    async with repo(storage, Directory) as directory:  # type: ignore[type-abstract]
        found = [
            await directory.upsert_member(Member(Ref("discord", "guild", f"U{i}"), f"m{i}"), AT)
            for i in range(count)
        ]
    return [m.person_id for m in found]


async def test_one_case_per_message_and_ids_without_gaps(storage: SqlStorage) -> None:
    (author,) = await people(storage, 1)
    async with repo(storage, Cases) as cases:  # type: ignore[type-abstract]
        first = await cases.open(MESSAGE, CHANNEL, AUTHOR, author, AT)
        again = await cases.open(MESSAGE, CHANNEL, None, None, AT + timedelta(hours=1))
        other = await cases.open(
            Ref("discord", "guild", "channel-1/message-2"), CHANNEL, None, None, AT
        )
    assert again == first and other.id == first.id + 1
    assert (first.status, first.flags, first.weight) == (CaseStatus.COLLECTING, 0, 0.0)
    assert first.author == AUTHOR and first.author_person_id == author
    assert first.message == MESSAGE and first.channel == CHANNEL


async def test_flags_totals_queue_and_decision(storage: SqlStorage) -> None:
    a, b = await people(storage, 2)
    async with repo(storage, Cases) as cases:  # type: ignore[type-abstract]
        case = await cases.open(MESSAGE, CHANNEL, None, None, AT)
    async with storage.unit_of_work() as uow:
        flags, cases = uow.get(Flags), uow.get(Cases)  # type: ignore[type-abstract]
        first = await flags.add(case.id, a, AT, 1.5, False)
        assert first is not None and first.weight == 1.5
        assert await flags.add(case.id, a, AT, 1.0, False) is None  # once per member
        await flags.add(case.id, b, AT, 0.5, True)
        totals = await cases.add_flag(case.id, 2, 2.0)
        assert (totals.flags, totals.weight) == (2, 2.0)
        assert await flags.withdraw(first.id, AT)
        assert not await flags.withdraw(first.id, AT)
        back = await flags.add(case.id, a, AT + timedelta(minutes=5), 1.0, False)
        assert back is not None and back.withdrawn_at is None and back.weight == 1.0
        await flags.set_reason(back.id, 2, "spam")
        assert [(f.rule, f.reason) for f in await flags.for_case(case.id)] == [
            (2, "spam"),
            (None, None),
        ]
        assert await cases.queue(case.id, Trigger.QUORUM, AT)
        assert not await cases.queue(case.id, Trigger.QUORUM, AT)
        assert await cases.escalate(case.id, a, AT)
        assert await cases.decide(case.id, Decision.BAN, b, AT)
        assert not await cases.decide(case.id, Decision.DISMISS, a, AT)
        decided = await cases.get(case.id)
        assert decided is not None
        assert (decided.status, decided.decision, decided.decided_by) == (
            CaseStatus.DECIDED,
            Decision.BAN,
            b,
        )
        assert await flags.since(a, AT) == 1
        assert await flags.last_counted(a) == AT + timedelta(minutes=5)
        record = await flags.record(a)
        assert (record.reviewed, record.dismissed) == (1, 0)
        (score,) = await flags.scores(AT - timedelta(days=1), "discord")
        assert (score.person_id, score.reviewed, score.confirmed) == (a, 1, 1)
        assert await flags.scores(AT - timedelta(days=1), "slack") == []


async def test_concurrent_flags_lose_nothing_and_queue_once(storage: SqlStorage) -> None:
    flaggers = await people(storage, 12)
    async with repo(storage, Cases) as cases:  # type: ignore[type-abstract]
        case = await cases.open(MESSAGE, CHANNEL, None, None, AT)
    queued: list[int] = []

    async def one(person_id: int) -> None:
        async with storage.unit_of_work() as uow:
            flags, cases = uow.get(Flags), uow.get(Cases)  # type: ignore[type-abstract]
            if await flags.add(case.id, person_id, AT, 1.0, False) is None:
                return
            now = await cases.add_flag(case.id, 1, 1.0)
            if now.weight >= 3 and await cases.queue(case.id, Trigger.QUORUM, AT):
                queued.append(person_id)

    await asyncio.gather(*(one(p) for p in flaggers + flaggers[:4]))
    async with repo(storage, Cases) as cases:  # type: ignore[type-abstract]
        final = await cases.get(case.id)
    assert final is not None and (final.flags, final.weight) == (12, 12.0)
    assert len(queued) == 1 and final.status is CaseStatus.OPEN


async def test_sanctions_appeals_and_the_log(storage: SqlStorage) -> None:
    member, moderator = await people(storage, 2)
    new = NewSanction(
        person_id=member,
        platform="discord",
        workspace="guild",
        kind="timeout",
        duration=timedelta(hours=1),
        strike=1,
        rule=3,
        note="spam",
        case_id=None,
        issued_at=AT,
        expires_at=AT + timedelta(days=90),
        issued_by=moderator,
        carried_out=True,
    )
    async with storage.unit_of_work() as uow:
        sanctions, appeals = uow.get(Sanctions), uow.get(Appeals)  # type: ignore[type-abstract]
        given = await sanctions.add(new)
        assert given.duration == timedelta(hours=1) and given.active(AT + timedelta(days=1))
        assert not given.active(AT + timedelta(days=91))
        appeal = await appeals.add(given.id, member, "sorry", AT)
        assert appeal is not None and await appeals.add(given.id, member, "again", AT) is None
        await appeals.set_queue_message(appeal.id, Ref("discord", "guild", "q/1"))
        assert await appeals.decide(appeal.id, "revoke", moderator, AT)
        assert not await appeals.decide(appeal.id, "uphold", moderator, AT)
        assert await sanctions.revoke(given.id, moderator, AT)
        (found,) = await sanctions.of(member)
        assert found.revoked_by == moderator and not found.active(AT)
        log = uow.get(ModLog)  # type: ignore[type-abstract]
        await log.write(
            [
                LogEntry(AT, "discord", "guild", LogKind.SANCTION, actor=moderator, subject=member),
                LogEntry(
                    AT + timedelta(minutes=1), "discord", "guild", LogKind.FLAG, actor=moderator
                ),
            ]
        )
        assert [e.kind for e in await log.recent(10)] == [LogKind.FLAG, LogKind.SANCTION]
        assert [e.kind for e in await log.recent(10, member)] == [LogKind.SANCTION]
        assert len(await log.between(AT, AT + timedelta(seconds=30))) == 1
        stats = uow.get(ModerationStats)  # type: ignore[type-abstract]
        assert await stats.sanctions(AT, AT + timedelta(days=1), "discord") == 1
        assert await stats.sanctions(AT, AT + timedelta(days=1), "slack") == 0


async def test_forget_anonymizes_and_reports_cases_to_redraw(storage: SqlStorage) -> None:
    author, flagger, moderator = await people(storage, 3)
    async with storage.unit_of_work() as uow:
        cases, flags = uow.get(Cases), uow.get(Flags)  # type: ignore[type-abstract]
        case = await cases.open(MESSAGE, CHANNEL, AUTHOR, author, AT)
        flag = await flags.add(case.id, flagger, AT, 1.0, False)
        assert flag is not None
        await flags.set_reason(flag.id, 1, "rude")
        await cases.add_flag(case.id, 1, 1.0)
        await cases.queue(case.id, Trigger.QUORUM, AT)
        await cases.hide(case.id, "the words", AT)
        await cases.decide(case.id, Decision.DELETE, moderator, AT)
        uow.get(ModerationPeople)  # type: ignore[type-abstract]
    async with repo(storage, ModerationPeople) as people_repo:  # type: ignore[type-abstract]
        exported = await people_repo.export(flagger)
        assert exported["flags_raised"][0]["reason"] == "rude"
        assert await people_repo.forget(flagger) == [case.id]
        assert await people_repo.forget(author) == [case.id]
        assert await people_repo.forget(moderator) == []
    async with storage.unit_of_work() as uow:
        found = await uow.get(Cases).get(case.id)  # type: ignore[type-abstract]
        (kept,) = await uow.get(Flags).for_case(case.id)  # type: ignore[type-abstract]
        facts = await uow.get(ModerationStats).flags(AT, AT + timedelta(days=1), None)  # type: ignore[type-abstract]
    assert found is not None and found.flags == 1 and found.decision is Decision.DELETE
    assert (found.author, found.author_person_id, found.hidden_text, found.decided_by) == (
        None,
        None,
        None,
        None,
    )
    assert (kept.person_id, kept.reason, kept.rule) == (None, None, 1)
    assert len(facts) == 1 and facts[0].decision is Decision.DELETE
