"""Newcomers, answers, mentors and pairings on SQLite and PostgreSQL.

State changes that could race (two clicks on "I agree", a job and a `/mentor off`
ending the same pairing) are conditional UPDATEs, so each happens once. Counts for
/segments are "present members": persons with at least one account that has not left.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, delete, exists, func, insert, or_, select, true, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from bot.features.onboarding.store import (
    AnswerStore,
    Funnel,
    Load,
    Mentors,
    MentorState,
    Newcomer,
    Newcomers,
    Pairing,
    Pairings,
    PairingStatus,
    Progress,
    Volunteer,
)
from bot.model import Ref
from storage.repositories import implements
from storage.schema import members
from storage.sql import insert_ignore
from storage.tables import onboarding as tables

newcomers = tables.onboarding_newcomers
answers = tables.onboarding_answers
mentors = tables.onboarding_mentors
pairings = tables.onboarding_pairings


def _present(person_id: Any) -> ColumnElement[bool]:
    """The person still has an account in the community."""
    return exists(
        select(1).where(
            members.c.person_id == person_id,
            members.c.left_at.is_(None),
            members.c.is_bot.is_(False),
        )
    )


def _on_platform(column: Any, platform: str | None) -> ColumnElement[bool]:
    if platform is None:
        return true()
    prefix = f"{platform}:"
    return func.substr(column, 1, len(prefix)) == prefix


def _newcomer(row: Row[Any]) -> Newcomer:
    return Newcomer(
        person_id=row.person_id,
        account=Ref.parse(row.account_ref),
        joined_at=row.joined_at,
        gated=bool(row.gated),
        agreed_at=row.agreed_at,
        progress=Progress(row.progress),
        mentor=MentorState(row.mentor),
        left_at=row.left_at,
    )


@implements(Newcomers)
class SqlNewcomers:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def arrive(self, person_id: int, account: Ref, at: datetime, gated: bool) -> Newcomer:
        stmt = insert_ignore(self.conn, newcomers, "person_id").values(
            person_id=person_id,
            account_ref=str(account),
            joined_at=at,
            gated=gated,
            progress=Progress.PENDING.value,
            mentor=MentorState.NONE.value,
        )
        if (await self.conn.execute(stmt)).rowcount == 0:
            # Back again: the agreement and the answers stand; only the join is new.
            before = await self.get(person_id)
            assert before is not None
            await self.conn.execute(
                update(newcomers)
                .where(newcomers.c.person_id == person_id)
                .values(
                    account_ref=str(account),
                    joined_at=at,
                    left_at=None,
                    gated=gated and before.agreed_at is None,
                )
            )
        found = await self.get(person_id)
        assert found is not None
        return found

    async def get(self, person_id: int) -> Newcomer | None:
        row = (
            await self.conn.execute(select(newcomers).where(newcomers.c.person_id == person_id))
        ).first()
        return _newcomer(row) if row is not None else None

    async def agree(self, person_id: int, at: datetime) -> bool:
        result = await self.conn.execute(
            update(newcomers)
            .where(newcomers.c.person_id == person_id, newcomers.c.agreed_at.is_(None))
            .values(agreed_at=at)
        )
        return result.rowcount == 1

    async def set_progress(self, person_id: int, progress: Progress) -> None:
        await self.conn.execute(
            update(newcomers)
            .where(newcomers.c.person_id == person_id)
            .values(progress=progress.value)
        )

    async def set_mentor(self, person_id: int, state: MentorState) -> None:
        await self.conn.execute(
            update(newcomers).where(newcomers.c.person_id == person_id).values(mentor=state.value)
        )

    async def leave(self, person_id: int, at: datetime) -> bool:
        result = await self.conn.execute(
            update(newcomers)
            .where(newcomers.c.person_id == person_id, newcomers.c.left_at.is_(None))
            .values(left_at=at)
        )
        return result.rowcount == 1

    async def waiting(self) -> list[Newcomer]:
        query = (
            select(newcomers)
            .where(
                newcomers.c.mentor == MentorState.WAITING.value,
                newcomers.c.left_at.is_(None),
            )
            .order_by(newcomers.c.joined_at, newcomers.c.person_id)
        )
        return [_newcomer(r) for r in (await self.conn.execute(query)).all()]

    async def funnel(self, start: datetime, end: datetime, platform: str | None) -> Funnel:
        joined = and_(
            newcomers.c.joined_at >= start,
            newcomers.c.joined_at < end,
            _on_platform(newcomers.c.account_ref, platform),
        )

        def counted(condition: ColumnElement[bool]) -> Any:
            return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

        met = exists(
            select(1).where(
                pairings.c.newcomer_person_id == newcomers.c.person_id,
                pairings.c.status == PairingStatus.MET.value,
            )
        )
        row = (
            await self.conn.execute(
                select(
                    func.count().label("joined"),
                    counted(newcomers.c.gated.is_(True)).label("gated"),
                    counted(newcomers.c.agreed_at.is_not(None)).label("agreed"),
                    counted(newcomers.c.progress == Progress.DONE.value).label("answered"),
                    counted(newcomers.c.progress == Progress.SKIPPED.value).label("skipped"),
                    counted(newcomers.c.mentor == MentorState.PAIRED.value).label("paired"),
                    counted(met).label("met"),
                ).where(joined)
            )
        ).one()
        return Funnel(
            int(row.joined),
            int(row.gated),
            int(row.agreed),
            int(row.answered),
            int(row.skipped),
            int(row.paired),
            int(row.met),
        )


@implements(AnswerStore)
class SqlAnswers:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def put(
        self, person_id: int, question_id: str, values: Sequence[str], at: datetime
    ) -> None:
        await self.conn.execute(
            delete(answers).where(
                answers.c.person_id == person_id, answers.c.question_id == question_id
            )
        )
        rows = [
            {
                "person_id": person_id,
                "question_id": question_id,
                "value": value,
                "position": index,
                "answered_at": at,
            }
            for index, value in enumerate(values)
        ]
        if rows:
            await self.conn.execute(insert(answers), rows)

    async def of(self, person_id: int) -> dict[str, list[str]]:
        query = (
            select(answers.c.question_id, answers.c.value)
            .where(answers.c.person_id == person_id)
            .order_by(answers.c.question_id, answers.c.position, answers.c.id)
        )
        found: dict[str, list[str]] = defaultdict(list)
        for row in (await self.conn.execute(query)).all():
            found[row.question_id].append(row.value)
        return dict(found)

    async def counts(self, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
        wanted = set(pairs)
        questions = sorted({q for q, _v in wanted})
        if not questions:
            return {}
        query = (
            select(
                answers.c.question_id,
                answers.c.value,
                func.count(func.distinct(answers.c.person_id)).label("n"),
            )
            .where(answers.c.question_id.in_(questions), _present(answers.c.person_id))
            .group_by(answers.c.question_id, answers.c.value)
        )
        found = {pair: 0 for pair in pairs}
        for row in (await self.conn.execute(query)).all():
            key = (row.question_id, row.value)
            if key in wanted:
                found[key] = int(row.n)
        return found

    async def count_any(self, pairs: Sequence[tuple[str, str]]) -> int:
        if not pairs:
            return 0
        matches = or_(*(and_(answers.c.question_id == q, answers.c.value == v) for q, v in pairs))
        query = select(func.count(func.distinct(answers.c.person_id))).where(
            matches, _present(answers.c.person_id)
        )
        return int((await self.conn.execute(query)).scalar_one())

    async def respondents(self) -> int:
        query = select(func.count(func.distinct(answers.c.person_id))).where(
            _present(answers.c.person_id)
        )
        return int((await self.conn.execute(query)).scalar_one())


@implements(Mentors)
class SqlMentors:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def volunteer(self, person_id: int, topics: Sequence[str], at: datetime) -> None:
        rows = [{"person_id": person_id, "topic": t, "since": at} for t in dict.fromkeys(topics)]
        if rows:
            await self.conn.execute(insert_ignore(self.conn, mentors, "person_id", "topic"), rows)

    async def retire(self, person_id: int, topics: Sequence[str]) -> int:
        condition = mentors.c.person_id == person_id
        if topics:
            condition = and_(condition, mentors.c.topic.in_(list(topics)))
        return int((await self.conn.execute(delete(mentors).where(condition))).rowcount)

    async def get(self, person_id: int) -> Volunteer | None:
        found = await self._volunteers(mentors.c.person_id == person_id)
        return found[0] if found else None

    async def on_duty(self) -> list[Volunteer]:
        return await self._volunteers(true())

    async def _volunteers(self, condition: ColumnElement[bool]) -> list[Volunteer]:
        query = select(mentors).where(condition).order_by(mentors.c.person_id, mentors.c.topic)
        topics: dict[int, list[str]] = defaultdict(list)
        since: dict[int, datetime] = {}
        for row in (await self.conn.execute(query)).all():
            if row.topic:
                topics[row.person_id].append(row.topic)
            else:
                topics.setdefault(row.person_id, [])
            since[row.person_id] = min(since.get(row.person_id, row.since), row.since)
        return [Volunteer(pid, tuple(t), since[pid]) for pid, t in topics.items()]


def _pairing(row: Row[Any]) -> Pairing:
    return Pairing(
        id=row.id,
        newcomer_person_id=row.newcomer_person_id,
        mentor_person_id=row.mentor_person_id,
        newcomer=Ref.parse(row.newcomer_ref),
        mentor=Ref.parse(row.mentor_ref),
        topic=row.topic,
        status=PairingStatus(row.status),
        paired_at=row.paired_at,
        ended_at=row.ended_at,
        nudges=row.nudges,
        thread=Ref.parse(row.thread_ref) if row.thread_ref else None,
    )


_ACTIVE = PairingStatus.ACTIVE.value


@implements(Pairings)
class SqlPairings:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def create(
        self,
        newcomer_person_id: int,
        mentor_person_id: int,
        newcomer: Ref,
        mentor: Ref,
        topic: str | None,
        at: datetime,
    ) -> Pairing:
        result = await self.conn.execute(
            insert(pairings)
            .values(
                newcomer_person_id=newcomer_person_id,
                mentor_person_id=mentor_person_id,
                newcomer_ref=str(newcomer),
                mentor_ref=str(mentor),
                topic=topic,
                status=_ACTIVE,
                paired_at=at,
            )
            .returning(pairings.c.id)
        )
        found = await self.get(int(result.scalar_one()))
        assert found is not None
        return found

    async def get(self, pairing_id: int) -> Pairing | None:
        row = (await self.conn.execute(select(pairings).where(pairings.c.id == pairing_id))).first()
        return _pairing(row) if row is not None else None

    async def set_thread(self, pairing_id: int, thread: Ref) -> None:
        await self.conn.execute(
            update(pairings).where(pairings.c.id == pairing_id).values(thread_ref=str(thread))
        )

    async def _list(self, *conditions: ColumnElement[bool]) -> list[Pairing]:
        query = select(pairings).where(*conditions).order_by(pairings.c.id)
        return [_pairing(r) for r in (await self.conn.execute(query)).all()]

    async def active_of_newcomer(self, person_id: int) -> Pairing | None:
        found = await self._list(
            pairings.c.newcomer_person_id == person_id, pairings.c.status == _ACTIVE
        )
        return found[-1] if found else None

    async def active_of_mentor(self, person_id: int) -> list[Pairing]:
        return await self._list(
            pairings.c.mentor_person_id == person_id, pairings.c.status == _ACTIVE
        )

    async def past_mentors(self, newcomer_person_id: int) -> set[int]:
        query = select(pairings.c.mentor_person_id).where(
            pairings.c.newcomer_person_id == newcomer_person_id
        )
        return {r.mentor_person_id for r in (await self.conn.execute(query)).all()}

    async def loads(self) -> dict[int, Load]:
        query = select(
            pairings.c.mentor_person_id,
            func.count().label("total"),
            func.coalesce(func.sum(case((pairings.c.status == _ACTIVE, 1), else_=0)), 0).label(
                "active"
            ),
        ).group_by(pairings.c.mentor_person_id)
        return {
            r.mentor_person_id: Load(int(r.active), int(r.total))
            for r in (await self.conn.execute(query)).all()
        }

    async def finish(self, pairing_id: int, status: PairingStatus, at: datetime) -> bool:
        result = await self.conn.execute(
            update(pairings)
            .where(pairings.c.id == pairing_id, pairings.c.status == _ACTIVE)
            .values(status=status.value, ended_at=at)
        )
        return result.rowcount == 1

    async def nudged(self, pairing_id: int) -> int:
        await self.conn.execute(
            update(pairings).where(pairings.c.id == pairing_id).values(nudges=pairings.c.nudges + 1)
        )
        found = await self.get(pairing_id)
        return found.nudges if found is not None else 0

    async def of_person(self, person_id: int) -> list[Pairing]:
        return await self._list(
            or_(
                pairings.c.newcomer_person_id == person_id,
                pairings.c.mentor_person_id == person_id,
            )
        )
