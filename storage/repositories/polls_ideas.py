"""The ideas board on SQLAlchemy Core: ideas, support (one row per supporter), statuses."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.features.polls.store import Idea, IdeaStatus, IdeaStore
from bot.model import Ref
from storage.repositories import implements
from storage.sql import insert_ignore
from storage.tables.polls import idea_votes, ideas

_SUPPORT = (
    select(func.count())
    .where(idea_votes.c.idea_id == ideas.c.id)
    .correlate(ideas)
    .scalar_subquery()
)
_VOTES = (_SUPPORT + ideas.c.released_votes).label("votes")


def _idea(row: Row[Any]) -> Idea:
    return Idea(
        id=row.id,
        channel=Ref(row.platform, row.workspace, row.channel_id),
        title=row.title,
        details=row.details,
        author=row.author_person_id,
        status=IdeaStatus(row.status),
        note=row.note,
        created_at=row.created_at,
        status_at=row.status_at,
        votes=int(row.votes),
    )


@implements(IdeaStore)
class SqlIdeaStore:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def create(
        self, channel: Ref, title: str, details: str, *, author: int | None, at: datetime
    ) -> Idea:
        created = await self.conn.execute(
            insert(ideas)
            .values(
                platform=channel.platform,
                workspace=channel.workspace,
                channel_id=channel.id,
                title=title,
                details=details,
                author_person_id=author,
                status=IdeaStatus.NEW.value,
                note="",
                created_at=at,
                released_votes=0,
            )
            .returning(ideas.c.id)
        )
        idea_id = int(created.scalar_one())
        return Idea(idea_id, channel, title, details, author, IdeaStatus.NEW, "", at, None, 0)

    async def get(self, idea_id: int) -> Idea | None:
        row = (await self.conn.execute(select(ideas, _VOTES).where(ideas.c.id == idea_id))).first()
        return _idea(row) if row is not None else None

    async def toggle(self, idea_id: int, person_id: int) -> bool:
        withdrawn = await self.conn.execute(
            delete(idea_votes).where(
                idea_votes.c.idea_id == idea_id, idea_votes.c.person_id == person_id
            )
        )
        if withdrawn.rowcount:
            return False
        await self.conn.execute(
            insert_ignore(self.conn, idea_votes, "idea_id", "person_id").values(
                idea_id=idea_id, person_id=person_id
            )
        )
        return True

    async def supporters(self, idea_id: int) -> Sequence[int]:
        rows = await self.conn.execute(
            select(idea_votes.c.person_id)
            .where(idea_votes.c.idea_id == idea_id)
            .order_by(idea_votes.c.person_id)
        )
        return [r.person_id for r in rows]

    async def set_status(self, idea_id: int, status: IdeaStatus, note: str, at: datetime) -> None:
        await self.conn.execute(
            update(ideas)
            .where(ideas.c.id == idea_id)
            .values(status=status.value, note=note, status_at=at)
        )

    async def search(
        self,
        platform: str,
        workspace: str,
        *,
        status: IdeaStatus | None,
        newest_first: bool,
        limit: int,
    ) -> Sequence[Idea]:
        query = select(ideas, _VOTES).where(
            ideas.c.platform == platform, ideas.c.workspace == workspace
        )
        if status is not None:
            query = query.where(ideas.c.status == status.value)
        else:
            open_ones = [s.value for s in IdeaStatus if s.votable]
            query = query.where(ideas.c.status.in_(open_ones))
        order = [ideas.c.id.desc()] if newest_first else [_VOTES.desc(), ideas.c.id]
        rows = await self.conn.execute(query.order_by(*order).limit(limit))
        return [_idea(r) for r in rows]

    async def of_person(self, person_id: int) -> tuple[Sequence[Idea], Sequence[Idea]]:
        authored = await self.conn.execute(
            select(ideas, _VOTES).where(ideas.c.author_person_id == person_id).order_by(ideas.c.id)
        )
        supported = await self.conn.execute(
            select(ideas, _VOTES)
            .join(idea_votes, idea_votes.c.idea_id == ideas.c.id)
            .where(idea_votes.c.person_id == person_id)
            .order_by(ideas.c.id)
        )
        return [_idea(r) for r in authored], [_idea(r) for r in supported]

    async def release_person(self, person_id: int) -> None:
        supported = select(idea_votes.c.idea_id).where(idea_votes.c.person_id == person_id)
        await self.conn.execute(
            update(ideas)
            .where(ideas.c.id.in_(supported))
            .values(released_votes=ideas.c.released_votes + 1)
        )
        await self.conn.execute(delete(idea_votes).where(idea_votes.c.person_id == person_id))
        await self.conn.execute(
            update(ideas).where(ideas.c.author_person_id == person_id).values(author_person_id=None)
        )
