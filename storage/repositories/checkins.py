"""Check-ins on SQLAlchemy Core (SQLite and PostgreSQL).

The hot path is a big run: a thousand deliveries are inserted in one statement
(their unique key makes a replayed run a no-op), each paced batch is read by an
index on (check-in, instant, batch) and marked sent in one UPDATE.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.features.checkins.store import (
    Checkin,
    CheckinStore,
    Delivery,
    Membership,
    NewDelivery,
    Participant,
    Rate,
    Response,
    Run,
    Sent,
    Source,
    Stance,
)
from bot.model import Ref
from storage.repositories import implements
from storage.schema import activity, members, persons
from storage.sql import dumps, insert_ignore, upsert
from storage.tables.checkins import (
    checkin_answers,
    checkin_deliveries,
    checkin_members,
    checkin_posts,
    checkin_runs,
    checkins,
)
from storage.tables.onboarding import onboarding_answers  # read only (segment audiences)

# Activity kinds that are somebody posting (what "busy" means for the best time).
_POST_KINDS = ("message", "reply")
# Deliveries per executemany: the loop gets a turn between chunks.
_CHUNK = 250


def _checkin(row: Row[Any]) -> Checkin:
    return Checkin(
        id=row.id,
        name=row.name,
        title=row.title,
        questions=tuple(json.loads(row.questions)),
        schedule=row.schedule,
        timezone=row.timezone,
        delivery=Delivery(row.delivery),
        channel=row.channel,
        roles=frozenset(json.loads(row.roles or "[]")),
        everyone=bool(row.everyone),
        remind_after=timedelta(minutes=row.remind_minutes) if row.remind_minutes else None,
        summary_at=time.fromisoformat(row.summary_at) if row.summary_at else None,
        source=Source(row.source),
        segments=frozenset(json.loads(row.segments or "[]")),
    )


def _values(checkin: Checkin) -> dict[str, Any]:
    remind = checkin.remind_after
    return {
        "name": checkin.name,
        "title": checkin.title,
        "questions": json.dumps(list(checkin.questions), ensure_ascii=False),
        "schedule": checkin.schedule,
        "timezone": checkin.timezone,
        "delivery": checkin.delivery.value,
        "channel": checkin.channel,
        "roles": dumps(sorted(checkin.roles)),
        "everyone": checkin.everyone,
        "remind_minutes": int(remind.total_seconds() // 60) if remind else None,
        "summary_at": checkin.summary_at.strftime("%H:%M") if checkin.summary_at else None,
        "source": checkin.source.value,
        "segments": dumps(sorted(checkin.segments)),
    }


def _sent(row: Row[Any]) -> Sent:
    return Sent(
        id=row.id,
        checkin_id=row.checkin_id,
        run_key=row.run_key,
        person_id=row.person_id,
        member=Ref.parse(row.member_ref),
        locale=row.locale,
        due_at=row.due_at,
        batch=row.batch,
        sent_at=row.sent_at,
        reminded_at=row.reminded_at,
    )


def _response(row: Row[Any]) -> Response:
    return Response(
        checkin_id=row.checkin_id,
        run_key=row.run_key,
        person_id=row.person_id,
        skipped=bool(row.skipped),
        answers=tuple(json.loads(row.answers or "[]")),
        at=row.at,
    )


def _run(row: Row[Any]) -> Run:
    return Run(
        checkin_id=row.checkin_id,
        run_key=row.run_key,
        started_at=row.started_at,
        summary_due=row.summary_due,
        post_channel=Ref.parse(row.post_channel) if row.post_channel else None,
        post_message=Ref.parse(row.post_message) if row.post_message else None,
        summary_channel=Ref.parse(row.summary_channel) if row.summary_channel else None,
        summary_message=Ref.parse(row.summary_message) if row.summary_message else None,
        summarized_at=row.summarized_at,
    )


def _membership(row: Row[Any]) -> Membership:
    return Membership(row.checkin_id, row.person_id, Stance(row.stance), row.paused_until)


def _hour(value: Any) -> datetime:
    """An hour bucket as either database returns it, as an aware UTC datetime."""
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


@implements(CheckinStore)
class SqlCheckinStore:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    # --- definitions -------------------------------------------------------------------

    async def create(self, checkin: Checkin, at: datetime) -> Checkin | None:
        stmt = (
            insert_ignore(self.conn, checkins, "name")
            .values(**_values(checkin), created_at=at)
            .returning(checkins.c.id)
        )
        new_id = (await self.conn.execute(stmt)).scalar_one_or_none()
        if new_id is None:
            return None
        return await self.get(new_id)

    async def replace(self, checkin: Checkin) -> None:
        await self.conn.execute(
            update(checkins).where(checkins.c.name == checkin.name).values(**_values(checkin))
        )

    async def get(self, checkin_id: int) -> Checkin | None:
        row = (await self.conn.execute(select(checkins).where(checkins.c.id == checkin_id))).first()
        return _checkin(row) if row is not None else None

    async def by_name(self, name: str) -> Checkin | None:
        row = (await self.conn.execute(select(checkins).where(checkins.c.name == name))).first()
        return _checkin(row) if row is not None else None

    async def all(self) -> Sequence[Checkin]:
        rows = await self.conn.execute(select(checkins).order_by(checkins.c.name))
        return [_checkin(r) for r in rows.all()]

    async def delete(self, checkin_id: int) -> bool:
        # Children first: SQLite enforces the cascade only with foreign keys on.
        for table in (checkin_answers, checkin_deliveries, checkin_runs, checkin_members):
            await self.conn.execute(delete(table).where(table.c.checkin_id == checkin_id))
        result = await self.conn.execute(delete(checkins).where(checkins.c.id == checkin_id))
        return result.rowcount > 0

    # --- people ------------------------------------------------------------------------

    async def participants(self) -> Sequence[Participant]:
        query = (
            select(
                members.c.platform,
                members.c.workspace,
                members.c.external_id,
                members.c.person_id,
                members.c.name,
                members.c.display_name,
                members.c.roles,
                members.c.locale,
                members.c.last_seen_at,
                persons.c.locale.label("person_locale"),
                persons.c.timezone,
            )
            .select_from(members.join(persons, persons.c.id == members.c.person_id))
            .where(members.c.left_at.is_(None), members.c.is_bot.is_(False))
            .order_by(members.c.person_id, members.c.last_seen_at.desc(), members.c.id)
        )
        found: dict[int, Row[Any]] = {}  # the account seen last is the one written to
        roles: dict[int, set[str]] = {}
        for row in (await self.conn.execute(query)).all():
            if row.roles and row.roles != "[]":
                roles.setdefault(row.person_id, set()).update(json.loads(row.roles))
            found.setdefault(row.person_id, row)
        return [
            Participant(
                person_id=person,
                member=Ref(row.platform, row.workspace, row.external_id),
                name=row.display_name or row.name,
                locale=row.person_locale,
                platform_locale=row.locale,
                timezone=row.timezone,
                roles=frozenset(roles.get(person, ())),
            )
            for person, row in found.items()
        ]

    async def onboarding_answers(
        self, answers: Sequence[tuple[str, str]], person_id: int | None = None
    ) -> dict[int, frozenset[tuple[str, str]]]:
        wanted = set(answers)
        questions = sorted({question for question, _value in wanted})
        if not questions:
            return {}
        table = onboarding_answers
        query = select(table.c.person_id, table.c.question_id, table.c.value).where(
            table.c.question_id.in_(questions),
            table.c.value.in_(sorted({value for _question, value in wanted})),
        )
        if person_id is not None:
            query = query.where(table.c.person_id == person_id)
        found: dict[int, set[tuple[str, str]]] = {}
        for row in (await self.conn.execute(query)).all():
            pair = (row.question_id, row.value)
            if pair in wanted:  # the IN lists also match other questions' option ids
                found.setdefault(row.person_id, set()).add(pair)
        return {person: frozenset(pairs) for person, pairs in found.items()}

    async def memberships(self, checkin_id: int) -> dict[int, Membership]:
        rows = await self.conn.execute(
            select(checkin_members).where(checkin_members.c.checkin_id == checkin_id)
        )
        return {r.person_id: _membership(r) for r in rows.all()}

    async def memberships_of(self, person_id: int) -> dict[int, Membership]:
        rows = await self.conn.execute(
            select(checkin_members).where(checkin_members.c.person_id == person_id)
        )
        return {r.checkin_id: _membership(r) for r in rows.all()}

    async def set_stance(self, checkin_id: int, person_id: int, stance: Stance) -> None:
        values = {"checkin_id": checkin_id, "person_id": person_id, "stance": stance.value}
        await self.conn.execute(
            upsert(
                self.conn,
                checkin_members,
                ("checkin_id", "person_id"),
                values,
                {"stance": stance.value},
            )
        )

    async def set_paused(self, checkin_id: int, person_id: int, until: datetime | None) -> None:
        values = {"checkin_id": checkin_id, "person_id": person_id, "paused_until": until}
        await self.conn.execute(
            upsert(
                self.conn,
                checkin_members,
                ("checkin_id", "person_id"),
                values,
                {"paused_until": until},
            )
        )

    # --- runs and deliveries -----------------------------------------------------------

    async def start_run(
        self, checkin_id: int, run_key: str, at: datetime, summary_due: datetime | None
    ) -> bool:
        stmt = insert_ignore(self.conn, checkin_runs, "checkin_id", "run_key").values(
            checkin_id=checkin_id, run_key=run_key, started_at=at, summary_due=summary_due
        )
        return (await self.conn.execute(stmt)).rowcount == 1

    async def run(self, checkin_id: int, run_key: str) -> Run | None:
        row = (
            await self.conn.execute(
                select(checkin_runs).where(
                    checkin_runs.c.checkin_id == checkin_id, checkin_runs.c.run_key == run_key
                )
            )
        ).first()
        return _run(row) if row is not None else None

    async def set_post(self, checkin_id: int, run_key: str, channel: Ref, message: Ref) -> None:
        await self.conn.execute(
            update(checkin_runs)
            .where(checkin_runs.c.checkin_id == checkin_id, checkin_runs.c.run_key == run_key)
            .values(post_channel=str(channel), post_message=str(message))
        )

    async def summarized(
        self, checkin_id: int, run_key: str, channel: Ref | None, message: Ref | None, at: datetime
    ) -> bool:
        result = await self.conn.execute(
            update(checkin_runs)
            .where(
                checkin_runs.c.checkin_id == checkin_id,
                checkin_runs.c.run_key == run_key,
                checkin_runs.c.summarized_at.is_(None),
            )
            .values(
                summarized_at=at,
                summary_channel=str(channel) if channel else None,
                summary_message=str(message) if message else None,
            )
        )
        return result.rowcount == 1

    async def deliver(self, rows: Sequence[NewDelivery]) -> None:
        if not rows:
            return
        values = [
            {
                "checkin_id": r.checkin_id,
                "run_key": r.run_key,
                "person_id": r.person_id,
                "member_ref": str(r.member),
                "locale": r.locale,
                "due_at": r.due_at,
                "batch": r.batch,
            }
            for r in rows
        ]
        # executemany of one statement: compiled once (a multi-row VALUES of a thousand
        # rows takes SQLAlchemy a quarter of a second to compile, all on the loop).
        stmt = insert_ignore(self.conn, checkin_deliveries, "checkin_id", "run_key", "person_id")
        for start in range(0, len(values), _CHUNK):
            await self.conn.execute(stmt, values[start : start + _CHUNK])

    async def batch(self, checkin_id: int, due_at: datetime, batch: int) -> Sequence[Sent]:
        rows = await self.conn.execute(
            select(checkin_deliveries)
            .where(
                checkin_deliveries.c.checkin_id == checkin_id,
                checkin_deliveries.c.due_at == due_at,
                checkin_deliveries.c.batch == batch,
                checkin_deliveries.c.sent_at.is_(None),
            )
            .order_by(checkin_deliveries.c.id)
        )
        return [_sent(r) for r in rows.all()]

    async def batches(self, checkin_id: int, due_at: datetime) -> int:
        found = await self.conn.execute(
            select(func.max(checkin_deliveries.c.batch)).where(
                checkin_deliveries.c.checkin_id == checkin_id,
                checkin_deliveries.c.due_at == due_at,
            )
        )
        last = found.scalar_one_or_none()
        return 0 if last is None else int(last) + 1

    async def mark_sent(self, ids: Sequence[int], at: datetime) -> None:
        if ids:
            await self.conn.execute(
                update(checkin_deliveries)
                .where(checkin_deliveries.c.id.in_(list(ids)))
                .values(sent_at=at)
            )

    def _unanswered(self) -> Any:
        answered = select(checkin_answers.c.person_id).where(
            checkin_answers.c.checkin_id == checkin_deliveries.c.checkin_id,
            checkin_answers.c.run_key == checkin_deliveries.c.run_key,
            checkin_answers.c.person_id == checkin_deliveries.c.person_id,
        )
        return ~answered.exists()

    async def to_remind(self, checkin_id: int, due_at: datetime, batch: int) -> Sequence[Sent]:
        rows = await self.conn.execute(
            select(checkin_deliveries)
            .where(
                checkin_deliveries.c.checkin_id == checkin_id,
                checkin_deliveries.c.due_at == due_at,
                checkin_deliveries.c.batch == batch,
                checkin_deliveries.c.sent_at.is_not(None),
                checkin_deliveries.c.reminded_at.is_(None),
                self._unanswered(),
            )
            .order_by(checkin_deliveries.c.id)
        )
        return [_sent(r) for r in rows.all()]

    async def mark_reminded(self, ids: Sequence[int], at: datetime) -> None:
        if ids:
            await self.conn.execute(
                update(checkin_deliveries)
                .where(checkin_deliveries.c.id.in_(list(ids)))
                .values(reminded_at=at)
            )

    async def delivered(self, checkin_id: int, run_key: str) -> Sequence[Sent]:
        rows = await self.conn.execute(
            select(checkin_deliveries)
            .where(
                checkin_deliveries.c.checkin_id == checkin_id,
                checkin_deliveries.c.run_key == run_key,
            )
            .order_by(checkin_deliveries.c.id)
        )
        return [_sent(r) for r in rows.all()]

    async def latest_delivery(self, checkin_id: int, person_id: int) -> Sent | None:
        row = (
            await self.conn.execute(
                select(checkin_deliveries)
                .where(
                    checkin_deliveries.c.checkin_id == checkin_id,
                    checkin_deliveries.c.person_id == person_id,
                )
                .order_by(checkin_deliveries.c.due_at.desc(), checkin_deliveries.c.id.desc())
                .limit(1)
            )
        ).first()
        return _sent(row) if row is not None else None

    # --- answers -----------------------------------------------------------------------

    async def respond(self, response: Response) -> None:
        answers = json.dumps(list(response.answers), ensure_ascii=False)
        values = {
            "checkin_id": response.checkin_id,
            "run_key": response.run_key,
            "person_id": response.person_id,
            "skipped": response.skipped,
            "answers": answers,
            "at": response.at,
        }
        changes = {"skipped": response.skipped, "answers": answers, "at": response.at}
        await self.conn.execute(
            upsert(
                self.conn, checkin_answers, ("checkin_id", "run_key", "person_id"), values, changes
            )
        )

    async def response(self, checkin_id: int, run_key: str, person_id: int) -> Response | None:
        row = (
            await self.conn.execute(
                select(checkin_answers).where(
                    checkin_answers.c.checkin_id == checkin_id,
                    checkin_answers.c.run_key == run_key,
                    checkin_answers.c.person_id == person_id,
                )
            )
        ).first()
        return _response(row) if row is not None else None

    async def responses(self, checkin_id: int, run_key: str) -> Sequence[Response]:
        rows = await self.conn.execute(
            select(checkin_answers)
            .where(checkin_answers.c.checkin_id == checkin_id, checkin_answers.c.run_key == run_key)
            .order_by(checkin_answers.c.at)
        )
        return [_response(r) for r in rows.all()]

    async def rate(self, start: datetime, end: datetime) -> Rate:
        answer = checkin_answers
        joined = checkin_deliveries.outerjoin(
            answer,
            and_(
                answer.c.checkin_id == checkin_deliveries.c.checkin_id,
                answer.c.run_key == checkin_deliveries.c.run_key,
                answer.c.person_id == checkin_deliveries.c.person_id,
            ),
        )
        row = (
            await self.conn.execute(
                select(
                    func.count(),
                    func.count(answer.c.at).filter(answer.c.skipped.is_(False)),
                    func.count(answer.c.at).filter(answer.c.skipped.is_(True)),
                )
                .select_from(joined)
                .where(
                    checkin_deliveries.c.sent_at >= start,
                    checkin_deliveries.c.sent_at < end,
                )
            )
        ).one()
        return Rate(sent=int(row[0]), answered=int(row[1]), skipped=int(row[2]))

    # --- recurring posts and activity --------------------------------------------------

    async def claim_post(self, post: str, slot: datetime, at: datetime) -> bool:
        stmt = insert_ignore(self.conn, checkin_posts, "post", "slot").values(
            post=post, slot=slot, posted_at=at
        )
        return (await self.conn.execute(stmt)).rowcount == 1

    async def posted(self, post: str, slot: datetime) -> bool:
        found = await self.conn.execute(
            select(checkin_posts.c.post).where(
                checkin_posts.c.post == post, checkin_posts.c.slot == slot
            )
        )
        return found.first() is not None

    async def set_post_message(self, post: str, slot: datetime, message: Ref) -> None:
        await self.conn.execute(
            update(checkin_posts)
            .where(checkin_posts.c.post == post, checkin_posts.c.slot == slot)
            .values(message=str(message))
        )

    async def activity_hours(
        self, channel: Ref, since: datetime, until: datetime
    ) -> Sequence[tuple[datetime, int]]:
        if self.conn.dialect.name == "postgresql":
            bucket: Any = func.date_trunc("hour", activity.c.at)
        else:
            bucket = func.strftime("%Y-%m-%d %H:00:00", activity.c.at)
        query = (
            select(bucket.label("hour"), func.count().label("posts"))
            .where(
                activity.c.platform == channel.platform,
                activity.c.workspace == channel.workspace,
                activity.c.channel_id == channel.id,
                activity.c.kind.in_(_POST_KINDS),
                activity.c.at >= since,
                activity.c.at < until,
            )
            .group_by(bucket)
        )
        return [(_hour(r.hour), int(r.posts)) for r in (await self.conn.execute(query)).all()]

    # --- personal data -----------------------------------------------------------------

    async def export(self, person_id: int) -> dict[str, Any]:
        names = {c.id: c.name for c in await self.all()}
        answers = await self.conn.execute(
            select(checkin_answers)
            .where(checkin_answers.c.person_id == person_id)
            .order_by(checkin_answers.c.at)
        )
        choices = await self.memberships_of(person_id)
        return {
            "answers": [
                {
                    "checkin": names.get(r.checkin_id, str(r.checkin_id)),
                    "run": r.run_key,
                    "skipped": bool(r.skipped),
                    "answers": json.loads(r.answers or "[]"),
                    "at": r.at.isoformat(),
                }
                for r in answers.all()
            ],
            "memberships": [
                {
                    "checkin": names.get(m.checkin_id, str(m.checkin_id)),
                    "choice": m.stance.value or None,
                    "paused_until": m.paused_until.isoformat() if m.paused_until else None,
                }
                for m in choices.values()
            ],
        }

    async def forget(self, person_id: int) -> int:
        removed = 0
        for table in (checkin_answers, checkin_deliveries, checkin_members):
            result = await self.conn.execute(delete(table).where(table.c.person_id == person_id))
            removed += int(result.rowcount)
        return removed
