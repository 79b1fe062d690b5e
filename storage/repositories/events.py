"""Events and RSVPs on SQLAlchemy Core (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, insert, or_, select, true, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.features.events.store import Answer, Event, EventStore, NewEvent, Post, Rsvp
from bot.model import Ref
from storage.repositories import implements
from storage.sql import insert_ignore
from storage.tables.events import event_posts, event_rsvps, events


def _event(row: Row[Any]) -> Event:
    return Event(
        id=row.id,
        title=row.title,
        channel=Ref.parse(row.channel_ref),
        creator_person_id=row.creator_person_id,
        starts_at=row.starts_at,
        timezone=row.timezone,
        duration=timedelta(minutes=row.duration_minutes),
        capacity=row.capacity,
        recurrence=row.recurrence,
        created_at=row.created_at,
        post=Ref.parse(row.post_ref) if row.post_ref else None,
        cancelled_at=row.cancelled_at,
    )


def _rsvp(row: Row[Any]) -> Rsvp:
    return Rsvp(
        row.event_id, row.person_id, Ref.parse(row.member_ref), Answer(row.answer), row.answered_at
    )


def _made_in(platform: str | None, workspace: str | None) -> ColumnElement[bool]:
    return and_(
        true() if platform is None else events.c.platform == platform,
        true() if workspace is None else events.c.workspace == workspace,
    )


def _copied_to(platform: str | None, workspace: str | None) -> ColumnElement[bool]:
    """The event has a copy in a bridged channel of `platform`/`workspace`."""
    copies = select(event_posts.c.event_id).where(
        true() if platform is None else event_posts.c.platform == platform,
        true() if workspace is None else event_posts.c.workspace == workspace,
    )
    return events.c.id.in_(copies)


@implements(EventStore)
class SqlEventStore:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def create(self, new: NewEvent, at: datetime) -> Event:
        result = await self.conn.execute(
            insert(events)
            .values(
                platform=new.channel.platform,
                workspace=new.channel.workspace,
                channel_ref=str(new.channel),
                title=new.title,
                creator_person_id=new.creator_person_id,
                starts_at=new.starts_at,
                timezone=new.timezone,
                duration_minutes=int(new.duration.total_seconds() // 60),
                capacity=new.capacity,
                recurrence=new.recurrence,
                created_at=at,
            )
            .returning(events.c.id)
        )
        made = await self.get(int(result.scalar_one()))
        assert made is not None
        return made

    async def set_post(self, event_id: int, post: Ref) -> None:
        await self.conn.execute(
            update(events).where(events.c.id == event_id).values(post_ref=str(post))
        )

    async def add_copy(self, event_id: int, copy: Post) -> None:
        await self.conn.execute(
            insert_ignore(self.conn, event_posts).values(
                event_id=event_id,
                platform=copy.message.platform,
                workspace=copy.message.workspace,
                channel_id=copy.channel.id,
                message_id=copy.message.id,
            )
        )

    async def posts(self, event_id: int) -> Sequence[Post]:
        event = await self.get(event_id)
        if event is None:
            return []
        found = [Post(event.post, event.channel)] if event.post is not None else []
        rows = await self.conn.execute(
            select(event_posts)
            .where(event_posts.c.event_id == event_id)
            .order_by(event_posts.c.platform, event_posts.c.workspace, event_posts.c.message_id)
        )
        found += [
            Post(
                Ref(r.platform, r.workspace, r.message_id),
                Ref(r.platform, r.workspace, r.channel_id),
            )
            for r in rows
        ]
        return found

    async def get(self, event_id: int) -> Event | None:
        row = (await self.conn.execute(select(events).where(events.c.id == event_id))).first()
        return _event(row) if row is not None else None

    async def upcoming(
        self, platform: str | None, workspace: str | None, after: datetime, limit: int
    ) -> Sequence[Event]:
        # The end is start + duration: look a day back and filter exactly in Python.
        stmt = select(events).where(
            events.c.cancelled_at.is_(None), events.c.starts_at >= after - timedelta(days=1)
        )
        if platform is not None or workspace is not None:
            stmt = stmt.where(or_(_made_in(platform, workspace), _copied_to(platform, workspace)))
        rows = await self.conn.execute(stmt.order_by(events.c.starts_at, events.c.id))
        found = [e for e in map(_event, rows) if e.ends_at > after]
        return found[:limit]

    async def everything(self) -> Sequence[Event]:
        rows = await self.conn.execute(select(events).order_by(events.c.starts_at, events.c.id))
        return [_event(r) for r in rows]

    async def cancel(self, event_id: int, at: datetime) -> None:
        await self.conn.execute(
            update(events).where(events.c.id == event_id).values(cancelled_at=at)
        )

    async def rsvps(self, event_id: int) -> Sequence[Rsvp]:
        rows = await self.conn.execute(
            select(event_rsvps)
            .where(event_rsvps.c.event_id == event_id)
            .order_by(event_rsvps.c.answered_at, event_rsvps.c.id)
        )
        return [_rsvp(r) for r in rows]

    async def answer(
        self, event_id: int, person_id: int, member: Ref, answer: Answer, at: datetime
    ) -> None:
        await self.conn.execute(
            delete(event_rsvps).where(
                event_rsvps.c.event_id == event_id, event_rsvps.c.person_id == person_id
            )
        )
        await self.conn.execute(
            insert(event_rsvps).values(
                event_id=event_id,
                person_id=person_id,
                member_ref=str(member),
                answer=answer.value,
                answered_at=at,
            )
        )

    async def release_person(self, person_id: int) -> None:
        await self.conn.execute(
            update(events)
            .where(events.c.creator_person_id == person_id)
            .values(creator_person_id=None)
        )

    async def of_person(self, person_id: int) -> Sequence[tuple[Event, Rsvp]]:
        rows = await self.conn.execute(
            select(
                events,
                event_rsvps.c.event_id,
                event_rsvps.c.person_id,
                event_rsvps.c.member_ref,
                event_rsvps.c.answer,
                event_rsvps.c.answered_at,
            )
            .join(event_rsvps, event_rsvps.c.event_id == events.c.id)
            .where(event_rsvps.c.person_id == person_id)
            .order_by(events.c.starts_at)
        )
        return [(_event(r), _rsvp(r)) for r in rows]

    async def created_by(self, person_id: int) -> Sequence[Event]:
        rows = await self.conn.execute(
            select(events).where(events.c.creator_person_id == person_id).order_by(events.c.id)
        )
        return [_event(r) for r in rows]

    async def counts(
        self, start: datetime, end: datetime, platform: str | None
    ) -> tuple[int, int, int]:
        held = and_(
            events.c.cancelled_at.is_(None), events.c.starts_at >= start, events.c.starts_at < end
        )
        if platform is not None:
            held = and_(held, events.c.platform == platform)
        count = (await self.conn.execute(select(func.count()).where(held))).scalar_one()
        going = (
            await self.conn.execute(
                select(func.count())
                .select_from(event_rsvps.join(events, events.c.id == event_rsvps.c.event_id))
                .where(held, event_rsvps.c.answer == Answer.GOING.value)
            )
        ).scalar_one()
        answered = and_(
            event_rsvps.c.answered_at >= start,
            event_rsvps.c.answered_at < end,
            event_rsvps.c.answer != Answer.NO.value,
        )
        if platform is not None:
            answered = and_(answered, event_rsvps.c.member_ref.like(f"{platform}:%"))
        answers = (
            await self.conn.execute(select(func.count()).select_from(event_rsvps).where(answered))
        ).scalar_one()
        return int(count), int(answers), int(going)
