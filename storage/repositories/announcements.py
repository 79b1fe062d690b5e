"""Announcements on SQLAlchemy Core (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, insert, or_, select, tuple_, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.features.announcements.store import Ack, Announcement, AnnouncementStore, Reader
from bot.model import Ref
from storage.repositories import implements
from storage.schema import members
from storage.sql import insert_ignore
from storage.tables.announcements import announcement_acks, announcement_posts, announcements


def _announcement(row: Row[Any], posts: Sequence[Ref] = ()) -> Announcement:
    return Announcement(
        id=row.id,
        channel=Ref.parse(row.channel_ref),
        author_person_id=row.author_person_id,
        text=row.text,
        pin=bool(row.pin),
        ack=bool(row.ack),
        all_platforms=bool(row.all_platforms),
        created_at=row.created_at,
        posts=tuple(posts),
    )


@implements(AnnouncementStore)
class SqlAnnouncementStore:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def create(
        self,
        channel: Ref,
        author_person_id: int | None,
        text: str,
        *,
        pin: bool,
        ack: bool,
        all_platforms: bool,
        at: datetime,
    ) -> Announcement:
        result = await self.conn.execute(
            insert(announcements)
            .values(
                platform=channel.platform,
                workspace=channel.workspace,
                channel_ref=str(channel),
                author_person_id=author_person_id,
                text=text,
                pin=pin,
                ack=ack,
                all_platforms=all_platforms,
                created_at=at,
            )
            .returning(announcements.c.id)
        )
        new_id = int(result.scalar_one())
        return Announcement(new_id, channel, author_person_id, text, pin, ack, all_platforms, at)

    async def add_posts(self, announcement_id: int, posts: Sequence[Ref]) -> None:
        if posts:
            await self.conn.execute(
                insert(announcement_posts),
                [{"announcement_id": announcement_id, "message_ref": str(p)} for p in posts],
            )

    async def _posts(self, ids: Sequence[int]) -> dict[int, list[Ref]]:
        found: dict[int, list[Ref]] = {i: [] for i in ids}
        if ids:
            rows = await self.conn.execute(
                select(announcement_posts.c.announcement_id, announcement_posts.c.message_ref)
                .where(announcement_posts.c.announcement_id.in_(ids))
                .order_by(announcement_posts.c.message_ref)
            )
            for row in rows:
                found[row.announcement_id].append(Ref.parse(row.message_ref))
        return found

    async def _many(self, rows: Sequence[Row[Any]]) -> list[Announcement]:
        posts = await self._posts([r.id for r in rows])
        return [_announcement(r, posts[r.id]) for r in rows]

    async def get(self, announcement_id: int) -> Announcement | None:
        row = (
            await self.conn.execute(
                select(announcements).where(announcements.c.id == announcement_id)
            )
        ).first()
        return (await self._many([row]))[0] if row is not None else None

    async def recent(self, platform: str, workspace: str, limit: int) -> Sequence[Announcement]:
        posted_here = select(announcement_posts.c.announcement_id).where(
            announcement_posts.c.message_ref.like(f"{platform}:{workspace}:%")
        )
        rows = (
            await self.conn.execute(
                select(announcements)
                .where(
                    or_(
                        and_(
                            announcements.c.platform == platform,
                            announcements.c.workspace == workspace,
                        ),
                        announcements.c.id.in_(posted_here),
                    )
                )
                .order_by(announcements.c.id.desc())
                .limit(limit)
            )
        ).all()
        return await self._many(rows)

    async def acknowledge(
        self, announcement_id: int, person_id: int, member: Ref, at: datetime
    ) -> bool:
        stmt = insert_ignore(self.conn, announcement_acks, "announcement_id", "person_id").values(
            announcement_id=announcement_id,
            person_id=person_id,
            member_ref=str(member),
            acked_at=at,
        )
        return (await self.conn.execute(stmt)).rowcount == 1

    async def acks(self, announcement_id: int) -> Sequence[Ack]:
        rows = await self.conn.execute(
            select(announcement_acks)
            .where(announcement_acks.c.announcement_id == announcement_id)
            .order_by(announcement_acks.c.acked_at, announcement_acks.c.person_id)
        )
        return [Ack(r.person_id, Ref.parse(r.member_ref), r.acked_at) for r in rows]

    async def ack_counts(self, announcement_ids: Sequence[int]) -> dict[int, int]:
        if not announcement_ids:
            return {}
        rows = await self.conn.execute(
            select(announcement_acks.c.announcement_id, func.count())
            .where(announcement_acks.c.announcement_id.in_(announcement_ids))
            .group_by(announcement_acks.c.announcement_id)
        )
        return {int(r[0]): int(r[1]) for r in rows}

    async def readers(self, workspaces: Sequence[tuple[str, str]]) -> Sequence[Reader]:
        if not workspaces:
            return []
        rows = await self.conn.execute(
            select(
                members.c.person_id,
                members.c.platform,
                members.c.workspace,
                members.c.external_id,
                members.c.name,
                members.c.display_name,
            )
            .where(
                tuple_(members.c.platform, members.c.workspace).in_(list(workspaces)),
                members.c.left_at.is_(None),
                members.c.is_bot.is_(False),
            )
            .order_by(members.c.person_id, members.c.platform, members.c.id)
        )
        found: dict[int, Reader] = {}
        for r in rows:
            if r.person_id not in found:
                ref = Ref(r.platform, r.workspace, r.external_id)
                found[r.person_id] = Reader(r.person_id, ref, r.display_name or r.name)
        return sorted(found.values(), key=lambda reader: reader.label.casefold())

    async def release_person(self, person_id: int) -> None:
        await self.conn.execute(
            update(announcements)
            .where(announcements.c.author_person_id == person_id)
            .values(author_person_id=None)
        )

    async def of_person(
        self, person_id: int
    ) -> tuple[Sequence[Announcement], Sequence[tuple[Announcement, Ack]]]:
        written = (
            await self.conn.execute(
                select(announcements)
                .where(announcements.c.author_person_id == person_id)
                .order_by(announcements.c.id)
            )
        ).all()
        acked = (
            await self.conn.execute(
                select(announcements, announcement_acks.c.member_ref, announcement_acks.c.acked_at)
                .join(announcement_acks, announcement_acks.c.announcement_id == announcements.c.id)
                .where(announcement_acks.c.person_id == person_id)
                .order_by(announcements.c.id)
            )
        ).all()
        return (
            [_announcement(r) for r in written],
            [
                (_announcement(r), Ack(person_id, Ref.parse(r.member_ref), r.acked_at))
                for r in acked
            ],
        )

    async def counts(
        self, start: datetime, end: datetime, platform: str | None
    ) -> tuple[int, int, int]:
        made = and_(announcements.c.created_at >= start, announcements.c.created_at < end)
        if platform is not None:
            made = and_(made, announcements.c.platform == platform)
        row = (
            await self.conn.execute(
                select(
                    func.count(),
                    func.coalesce(func.sum(case((announcements.c.ack, 1), else_=0)), 0),
                ).where(made)
            )
        ).one()
        acked = and_(announcement_acks.c.acked_at >= start, announcement_acks.c.acked_at < end)
        if platform is not None:
            acked = and_(acked, announcement_acks.c.member_ref.like(f"{platform}:%"))
        acks = (
            await self.conn.execute(
                select(func.count()).select_from(announcement_acks).where(acked)
            )
        ).scalar_one()
        return int(row[0]), int(row[1]), int(acks)
