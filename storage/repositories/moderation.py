"""Cases, flags, sanctions, appeals, the audit log and moderation statistics in SQL.

The hot path is a raid: many members flagging the same few messages at once. A case
is created with INSERT … ON CONFLICT DO NOTHING on its message, a flag with the same
on (case, person), and the running totals move in one UPDATE … RETURNING, which
locks the case row on PostgreSQL — so concurrent flags never lose a count and the
quorum is seen by exactly one of them (`queue` is a conditional update too).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, and_, case, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.features.moderation.store import (
    Appeal,
    Appeals,
    Case,
    CaseFact,
    Cases,
    CaseStatus,
    Decision,
    Flag,
    FlagFact,
    FlaggerRecord,
    FlaggerScore,
    Flags,
    LogEntry,
    LogKind,
    ModerationPeople,
    ModerationStats,
    ModLog,
    NewSanction,
    Sanction,
    Sanctions,
    Trigger,
)
from bot.model import Ref
from storage.repositories import implements
from storage.sql import insert_ignore
from storage.tables.moderation import mod_appeals, mod_cases, mod_flags, mod_log, mod_sanctions


def _case(row: Row[Any]) -> Case:
    return Case(
        id=row.id,
        message=Ref(row.platform, row.workspace, row.message_id),
        channel=Ref(row.platform, row.workspace, row.channel_id),
        author=Ref.parse(row.author_ref) if row.author_ref else None,
        author_person_id=row.author_person_id,
        created_at=row.created_at,
        flags=row.flags,
        weight=float(row.weight),
        status=CaseStatus(row.status),
        trigger=Trigger(row.trigger) if row.trigger else None,
        queued_at=row.queued_at,
        queue_message=Ref.parse(row.queue_ref) if row.queue_ref else None,
        decision=Decision(row.decision) if row.decision else None,
        decided_at=row.decided_at,
        decided_by=row.decided_by,
        escalated_at=row.escalated_at,
        escalated_by=row.escalated_by,
        rule=row.rule,
        hidden_at=row.hidden_at,
        hidden_text=row.hidden_text,
    )


@implements(Cases)
class SqlCases:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def open(
        self,
        message: Ref,
        channel: Ref,
        author: Ref | None,
        author_person_id: int | None,
        at: datetime,
    ) -> Case:
        # Look first: most flags find their case, and a failed INSERT would still use up
        # an id (case numbers are shown to moderators, so they should not skip).
        existing = await self.by_message(message)
        if existing is not None:
            return existing
        stmt = insert_ignore(self.conn, mod_cases, "platform", "workspace", "message_id")
        await self.conn.execute(
            stmt.values(
                platform=message.platform,
                workspace=message.workspace,
                channel_id=channel.id,
                message_id=message.id,
                author_person_id=author_person_id,
                author_ref=str(author) if author else None,
                created_at=at,
                flags=0,
                weight=0.0,
                status=CaseStatus.COLLECTING.value,
            )
        )
        found = await self.by_message(message)
        assert found is not None, f"case of {message} was just written"
        return found

    async def get(self, case_id: int) -> Case | None:
        row = (await self.conn.execute(select(mod_cases).where(mod_cases.c.id == case_id))).first()
        return _case(row) if row else None

    async def by_message(self, message: Ref) -> Case | None:
        row = (
            await self.conn.execute(
                select(mod_cases).where(
                    mod_cases.c.platform == message.platform,
                    mod_cases.c.workspace == message.workspace,
                    mod_cases.c.message_id == message.id,
                )
            )
        ).first()
        return _case(row) if row else None

    async def add_flag(self, case_id: int, count: int, weight: float) -> Case:
        row = (
            await self.conn.execute(
                update(mod_cases)
                .where(mod_cases.c.id == case_id)
                .values(flags=mod_cases.c.flags + count, weight=mod_cases.c.weight + weight)
                .returning(*mod_cases.c)
            )
        ).one()
        return _case(row)

    async def queue(self, case_id: int, trigger: Trigger, at: datetime) -> bool:
        result = await self.conn.execute(
            update(mod_cases)
            .where(mod_cases.c.id == case_id, mod_cases.c.status == CaseStatus.COLLECTING.value)
            .values(status=CaseStatus.OPEN.value, trigger=trigger.value, queued_at=at)
        )
        return result.rowcount == 1

    async def set_queue_message(self, case_id: int, message: Ref) -> None:
        await self.conn.execute(
            update(mod_cases).where(mod_cases.c.id == case_id).values(queue_ref=str(message))
        )

    async def decide(self, case_id: int, decision: Decision, by: int, at: datetime) -> bool:
        waiting = (CaseStatus.OPEN.value, CaseStatus.ESCALATED.value)
        result = await self.conn.execute(
            update(mod_cases)
            .where(mod_cases.c.id == case_id, mod_cases.c.status.in_(waiting))
            .values(
                status=CaseStatus.DECIDED.value,
                decision=decision.value,
                decided_by=by,
                decided_at=at,
            )
        )
        return result.rowcount == 1

    async def escalate(self, case_id: int, by: int, at: datetime) -> bool:
        result = await self.conn.execute(
            update(mod_cases)
            .where(mod_cases.c.id == case_id, mod_cases.c.status == CaseStatus.OPEN.value)
            .values(status=CaseStatus.ESCALATED.value, escalated_by=by, escalated_at=at)
        )
        return result.rowcount == 1

    async def set_rule(self, case_id: int, rule: int | None) -> None:
        await self.conn.execute(
            update(mod_cases).where(mod_cases.c.id == case_id).values(rule=rule)
        )

    async def hide(self, case_id: int, text: str, at: datetime) -> None:
        await self.conn.execute(
            update(mod_cases)
            .where(mod_cases.c.id == case_id)
            .values(hidden_at=at, hidden_text=text)
        )

    async def forget_hidden_text(self, case_id: int) -> None:
        await self.conn.execute(
            update(mod_cases).where(mod_cases.c.id == case_id).values(hidden_text=None)
        )

    async def waiting(self, platform: str, workspace: str, limit: int) -> list[Case]:
        rows = await self.conn.execute(
            select(mod_cases)
            .where(
                mod_cases.c.platform == platform,
                mod_cases.c.workspace == workspace,
                mod_cases.c.status.in_((CaseStatus.OPEN.value, CaseStatus.ESCALATED.value)),
            )
            .order_by(mod_cases.c.queued_at, mod_cases.c.id)
            .limit(limit)
        )
        return [_case(r) for r in rows]


def _flag(row: Row[Any]) -> Flag:
    return Flag(
        id=row.id,
        case_id=row.case_id,
        person_id=row.person_id,
        flagged_at=row.flagged_at,
        weight=float(row.weight),
        moderator=bool(row.moderator),
        withdrawn_at=row.withdrawn_at,
        rule=row.rule,
        reason=row.reason,
    )


_REVIEWED = (mod_cases.c.status == CaseStatus.DECIDED.value, mod_flags.c.withdrawn_at.is_(None))


@implements(Flags)
class SqlFlags:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(
        self, case_id: int, person_id: int, at: datetime, weight: float, moderator: bool
    ) -> Flag | None:
        stmt = insert_ignore(self.conn, mod_flags, "case_id", "person_id").values(
            case_id=case_id, person_id=person_id, flagged_at=at, weight=weight, moderator=moderator
        )
        inserted = (await self.conn.execute(stmt.returning(*mod_flags.c))).first()
        if inserted is not None:
            return _flag(inserted)
        came_back = await self.conn.execute(
            update(mod_flags)
            .where(
                mod_flags.c.case_id == case_id,
                mod_flags.c.person_id == person_id,
                mod_flags.c.withdrawn_at.is_not(None),
            )
            .values(withdrawn_at=None, weight=weight, moderator=moderator, flagged_at=at)
        )
        return await self.of(case_id, person_id) if came_back.rowcount == 1 else None

    async def of(self, case_id: int, person_id: int) -> Flag | None:
        row = (
            await self.conn.execute(
                select(mod_flags).where(
                    mod_flags.c.case_id == case_id, mod_flags.c.person_id == person_id
                )
            )
        ).first()
        return _flag(row) if row else None

    async def withdraw(self, flag_id: int, at: datetime) -> bool:
        result = await self.conn.execute(
            update(mod_flags)
            .where(mod_flags.c.id == flag_id, mod_flags.c.withdrawn_at.is_(None))
            .values(withdrawn_at=at)
        )
        return result.rowcount == 1

    async def set_reason(self, flag_id: int, rule: int | None, reason: str | None) -> None:
        await self.conn.execute(
            update(mod_flags).where(mod_flags.c.id == flag_id).values(rule=rule, reason=reason)
        )

    async def for_case(self, case_id: int) -> list[Flag]:
        rows = await self.conn.execute(
            select(mod_flags).where(mod_flags.c.case_id == case_id).order_by(mod_flags.c.id)
        )
        return [_flag(r) for r in rows]

    async def since(self, person_id: int, since: datetime) -> int:
        query = select(func.count()).where(
            mod_flags.c.person_id == person_id, mod_flags.c.flagged_at >= since
        )
        return int((await self.conn.execute(query)).scalar_one())

    async def last_counted(self, person_id: int) -> datetime | None:
        query = select(func.max(mod_flags.c.flagged_at)).where(
            mod_flags.c.person_id == person_id, mod_flags.c.weight > 0
        )
        found: datetime | None = (await self.conn.execute(query)).scalar_one()
        return found

    async def record(self, person_id: int) -> FlaggerRecord:
        dismissed = case((mod_cases.c.decision == Decision.DISMISS.value, 1), else_=0)
        row = (
            await self.conn.execute(
                select(func.count(), func.coalesce(func.sum(dismissed), 0))
                .select_from(mod_flags.join(mod_cases, mod_cases.c.id == mod_flags.c.case_id))
                .where(mod_flags.c.person_id == person_id, *_REVIEWED)
            )
        ).one()
        return FlaggerRecord(reviewed=int(row[0]), dismissed=int(row[1]))

    async def scores(self, since: datetime, platform: str | None) -> list[FlaggerScore]:
        confirmed = case((mod_cases.c.decision != Decision.DISMISS.value, 1), else_=0)
        query = (
            select(mod_flags.c.person_id, func.count(), func.sum(confirmed))
            .select_from(mod_flags.join(mod_cases, mod_cases.c.id == mod_flags.c.case_id))
            .where(
                mod_flags.c.person_id.is_not(None),
                mod_flags.c.flagged_at >= since,
                mod_flags.c.moderator.is_(False),
                *_REVIEWED,
            )
            .group_by(mod_flags.c.person_id)
        )
        if platform is not None:
            query = query.where(mod_cases.c.platform == platform)
        rows = await self.conn.execute(query)
        return [FlaggerScore(int(r[0]), int(r[1]), int(r[2] or 0)) for r in rows]


def _sanction(row: Row[Any]) -> Sanction:
    return Sanction(
        id=row.id,
        person_id=row.person_id,
        platform=row.platform,
        workspace=row.workspace,
        kind=row.kind,
        duration=timedelta(seconds=row.duration_seconds) if row.duration_seconds else None,
        strike=row.strike,
        rule=row.rule,
        note=row.note,
        case_id=row.case_id,
        issued_at=row.issued_at,
        expires_at=row.expires_at,
        issued_by=row.issued_by,
        carried_out=bool(row.carried_out),
        revoked_at=row.revoked_at,
        revoked_by=row.revoked_by,
    )


@implements(Sanctions)
class SqlSanctions:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, new: NewSanction) -> Sanction:
        row = (
            await self.conn.execute(
                insert(mod_sanctions)
                .values(
                    person_id=new.person_id,
                    platform=new.platform,
                    workspace=new.workspace,
                    kind=new.kind,
                    duration_seconds=int(new.duration.total_seconds()) if new.duration else None,
                    strike=new.strike,
                    rule=new.rule,
                    note=new.note,
                    case_id=new.case_id,
                    issued_at=new.issued_at,
                    expires_at=new.expires_at,
                    issued_by=new.issued_by,
                    carried_out=new.carried_out,
                )
                .returning(*mod_sanctions.c)
            )
        ).one()
        return _sanction(row)

    async def get(self, sanction_id: int) -> Sanction | None:
        row = (
            await self.conn.execute(select(mod_sanctions).where(mod_sanctions.c.id == sanction_id))
        ).first()
        return _sanction(row) if row else None

    async def of(self, person_id: int) -> list[Sanction]:
        rows = await self.conn.execute(
            select(mod_sanctions)
            .where(mod_sanctions.c.person_id == person_id)
            .order_by(mod_sanctions.c.issued_at.desc(), mod_sanctions.c.id.desc())
        )
        return [_sanction(r) for r in rows]

    async def revoke(self, sanction_id: int, by: int, at: datetime) -> bool:
        result = await self.conn.execute(
            update(mod_sanctions)
            .where(mod_sanctions.c.id == sanction_id, mod_sanctions.c.revoked_at.is_(None))
            .values(revoked_at=at, revoked_by=by)
        )
        return result.rowcount == 1


def _appeal(row: Row[Any]) -> Appeal:
    return Appeal(
        id=row.id,
        sanction_id=row.sanction_id,
        person_id=row.person_id,
        text=row.text,
        created_at=row.created_at,
        queue_message=Ref.parse(row.queue_ref) if row.queue_ref else None,
        decided_at=row.decided_at,
        decision=row.decision,
        decided_by=row.decided_by,
    )


@implements(Appeals)
class SqlAppeals:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, sanction_id: int, person_id: int, text: str, at: datetime) -> Appeal | None:
        stmt = insert_ignore(self.conn, mod_appeals, "sanction_id").values(
            sanction_id=sanction_id, person_id=person_id, text=text, created_at=at
        )
        result = await self.conn.execute(stmt.returning(mod_appeals.c.id))
        new_id = result.scalar_one_or_none()
        return await self.get(int(new_id)) if new_id is not None else None

    async def get(self, appeal_id: int) -> Appeal | None:
        row = (
            await self.conn.execute(select(mod_appeals).where(mod_appeals.c.id == appeal_id))
        ).first()
        return _appeal(row) if row else None

    async def set_queue_message(self, appeal_id: int, message: Ref) -> None:
        await self.conn.execute(
            update(mod_appeals).where(mod_appeals.c.id == appeal_id).values(queue_ref=str(message))
        )

    async def decide(self, appeal_id: int, decision: str, by: int, at: datetime) -> bool:
        result = await self.conn.execute(
            update(mod_appeals)
            .where(mod_appeals.c.id == appeal_id, mod_appeals.c.decided_at.is_(None))
            .values(decision=decision, decided_by=by, decided_at=at)
        )
        return result.rowcount == 1


def _entry(row: Row[Any]) -> LogEntry:
    return LogEntry(
        id=row.id,
        at=row.at,
        platform=row.platform,
        workspace=row.workspace,
        kind=LogKind(row.kind),
        case_id=row.case_id,
        sanction_id=row.sanction_id,
        actor=row.actor,
        subject=row.subject,
        detail=row.detail,
    )


@implements(ModLog)
class SqlModLog:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def write(self, entries: Sequence[LogEntry]) -> None:
        if not entries:
            return
        await self.conn.execute(
            insert(mod_log),
            [
                {
                    "at": e.at,
                    "platform": e.platform,
                    "workspace": e.workspace,
                    "kind": e.kind.value,
                    "case_id": e.case_id,
                    "sanction_id": e.sanction_id,
                    "actor": e.actor,
                    "subject": e.subject,
                    "detail": e.detail[:100],
                }
                for e in entries
            ],
        )

    async def recent(self, limit: int, person_id: int | None = None) -> list[LogEntry]:
        query = select(mod_log).order_by(mod_log.c.at.desc(), mod_log.c.id.desc()).limit(limit)
        if person_id is not None:
            query = query.where(or_(mod_log.c.actor == person_id, mod_log.c.subject == person_id))
        return [_entry(r) for r in await self.conn.execute(query)]

    async def between(self, start: datetime | None, end: datetime | None) -> list[LogEntry]:
        query = select(mod_log).order_by(mod_log.c.at, mod_log.c.id)
        if start is not None:
            query = query.where(mod_log.c.at >= start)
        if end is not None:
            query = query.where(mod_log.c.at < end)
        return [_entry(r) for r in await self.conn.execute(query)]


@implements(ModerationStats)
class SqlModerationStats:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def flags(self, start: datetime, end: datetime, platform: str | None) -> list[FlagFact]:
        query = (
            select(
                mod_flags.c.person_id,
                mod_flags.c.flagged_at,
                mod_flags.c.moderator,
                mod_flags.c.withdrawn_at,
                mod_cases.c.decision,
            )
            .select_from(mod_flags.join(mod_cases, mod_cases.c.id == mod_flags.c.case_id))
            .where(mod_flags.c.flagged_at >= start, mod_flags.c.flagged_at < end)
        )
        if platform is not None:
            query = query.where(mod_cases.c.platform == platform)
        return [
            FlagFact(
                person_id=r.person_id,
                flagged_at=r.flagged_at,
                moderator=bool(r.moderator),
                withdrawn=r.withdrawn_at is not None,
                decision=Decision(r.decision) if r.decision else None,
            )
            for r in await self.conn.execute(query)
        ]

    async def cases(self, start: datetime, end: datetime, platform: str | None) -> list[CaseFact]:
        query = select(
            mod_cases.c.trigger, mod_cases.c.queued_at, mod_cases.c.decided_at, mod_cases.c.decision
        ).where(mod_cases.c.queued_at >= start, mod_cases.c.queued_at < end)
        if platform is not None:
            query = query.where(mod_cases.c.platform == platform)
        return [
            CaseFact(
                trigger=Trigger(r.trigger) if r.trigger else None,
                queued_at=r.queued_at,
                decided_at=r.decided_at,
                decision=Decision(r.decision) if r.decision else None,
            )
            for r in await self.conn.execute(query)
        ]

    async def sanctions(self, start: datetime, end: datetime, platform: str | None) -> int:
        query = select(func.count()).where(
            mod_sanctions.c.issued_at >= start, mod_sanctions.c.issued_at < end
        )
        if platform is not None:
            query = query.where(mod_sanctions.c.platform == platform)
        return int((await self.conn.execute(query)).scalar_one())


@implements(ModerationPeople)
class SqlModerationPeople:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def forget(self, person_id: int) -> list[int]:
        conn = self.conn
        shown = await conn.execute(
            select(mod_flags.c.case_id)
            .where(mod_flags.c.person_id == person_id, mod_flags.c.reason.is_not(None))
            .union(
                select(mod_cases.c.id).where(
                    mod_cases.c.author_person_id == person_id, mod_cases.c.hidden_text.is_not(None)
                )
            )
        )
        cases = sorted(int(r[0]) for r in shown)
        await conn.execute(
            update(mod_flags)
            .where(mod_flags.c.person_id == person_id)
            .values(person_id=None, reason=None)
        )
        await conn.execute(
            update(mod_cases)
            .where(mod_cases.c.author_person_id == person_id)
            .values(author_person_id=None, author_ref=None, hidden_text=None)
        )
        for column in (mod_cases.c.decided_by, mod_cases.c.escalated_by):
            await conn.execute(
                update(mod_cases).where(column == person_id).values({column.name: None})
            )
        await conn.execute(
            update(mod_sanctions)
            .where(mod_sanctions.c.person_id == person_id)
            .values(person_id=None, note="")
        )
        for column in (mod_sanctions.c.issued_by, mod_sanctions.c.revoked_by):
            await conn.execute(
                update(mod_sanctions).where(column == person_id).values({column.name: None})
            )
        await conn.execute(
            update(mod_appeals).where(mod_appeals.c.decided_by == person_id).values(decided_by=None)
        )
        for column in (mod_log.c.actor, mod_log.c.subject):
            await conn.execute(
                update(mod_log).where(column == person_id).values({column.name: None})
            )
        return cases

    async def export(self, person_id: int) -> dict[str, Any]:
        conn = self.conn
        flags = await conn.execute(
            select(mod_flags.c.flagged_at, mod_flags.c.rule, mod_flags.c.reason)
            .where(mod_flags.c.person_id == person_id)
            .order_by(mod_flags.c.flagged_at)
        )
        sanctions = await conn.execute(
            select(mod_sanctions)
            .where(mod_sanctions.c.person_id == person_id)
            .order_by(mod_sanctions.c.issued_at)
        )
        flagged = await conn.execute(
            select(func.count()).where(
                and_(mod_cases.c.author_person_id == person_id, mod_cases.c.queued_at.is_not(None))
            )
        )
        return {
            "flags_raised": [
                {"at": r.flagged_at.isoformat(), "rule": r.rule, "reason": r.reason} for r in flags
            ],
            "sanctions": [
                {
                    "kind": s.kind,
                    "issued_at": s.issued_at.isoformat(),
                    "expires_at": s.expires_at.isoformat() if s.expires_at else None,
                    "rule": s.rule,
                    "note": s.note,
                    "revoked": s.revoked_at is not None,
                }
                for s in sanctions
            ],
            "own_messages_reviewed": int(flagged.scalar_one()),
        }
