"""Community metrics, aggregated in SQL on both dialects.

Nothing here returns a row per event: every query groups in the database, so a
report over a million activity rows moves a few thousand numbers into Python.
Local days and hours come from whole seconds since 1970 plus the community's UTC
offset at that moment (a CASE over the `Shift`s the caller computed with zoneinfo),
which SQLite and PostgreSQL evaluate identically.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    and_,
    case,
    cast,
    delete,
    distinct,
    func,
    literal,
    null,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.features.metrics.store import (
    ACTIVE_KINDS,
    POST_KINDS,
    ChannelCount,
    CheckIns,
    Cohorts,
    CommunityMetrics,
    Growth,
    HourCount,
    Reach,
    Shift,
    Stint,
)
from bot.stats import Window
from storage.repositories import implements
from storage.schema import activity, channels, members
from storage.sql import insert_ignore
from storage.tables.metrics import metrics_checkins

DAY = 86400
# Grouping a time range by person: on `activity.person_id` itself, unanalysed SQLite
# walks the whole (person_id, at) index to save a sort (7x slower on a million rows);
# `person_id + 0` leaves it the range of the covering index (storage.tables.metrics).
PERSON = (activity.c.person_id + 0).label("person")
# Local day number 0 (1970-01-01) was a Thursday: (day + 3) // 7 numbers Monday weeks.
_MONDAY = 3


def seconds(conn: AsyncConnection, column: Any) -> ColumnElement[int]:
    """Whole seconds since 1970-01-01 UTC, on either dialect."""
    if conn.dialect.name == "postgresql":
        # date_part is double precision; EXTRACT is numeric since PostgreSQL 14 (2x slower).
        return cast(func.floor(func.date_part("epoch", column)), BigInteger)
    if sqlite3.sqlite_version_info >= (3, 38):
        return func.unixepoch(column, type_=Integer)  # twice as fast as strftime
    return cast(func.strftime("%s", column), Integer)


def local_seconds(
    conn: AsyncConnection, column: Any, shifts: Sequence[Shift]
) -> ColumnElement[int]:
    """Seconds since 1970 on the community's wall clock (UTC plus the offset then)."""
    if not shifts:
        return seconds(conn, column)
    if len(shifts) == 1:
        offset: Any = literal(shifts[0].seconds, Integer)
    else:
        offset = case(
            *[(column < later.since, earlier.seconds) for earlier, later in pairwise(shifts)],
            else_=shifts[-1].seconds,
        )
    return seconds(conn, column) + offset


def local_day(conn: AsyncConnection, column: Any, shifts: Sequence[Shift]) -> ColumnElement[int]:
    return local_seconds(conn, column, shifts) // DAY


def local_week(conn: AsyncConnection, column: Any, shifts: Sequence[Shift]) -> ColumnElement[int]:
    return (local_day(conn, column, shifts) + _MONDAY) // 7


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """1 or 0, so MAX/SUM work on both dialects (PostgreSQL has no MAX(boolean))."""
    return case((condition, 1), else_=0)


def _in(window: Window, *, kinds: Sequence[str] | None = ACTIVE_KINDS) -> list[Any]:
    where: list[Any] = [activity.c.at >= window.start, activity.c.at < window.end]
    if kinds is not None:
        where.append(activity.c.kind.in_(kinds))
    if window.platform is not None:
        where.append(activity.c.platform == window.platform)
    return where


def _persons(platform: str | None) -> Any:
    """One row per person: when they came (None: known before joins were recorded) and
    when they went (None: an account is still here)."""
    came = case(
        (func.count(members.c.joined_at) == func.count(), func.min(members.c.joined_at)),
        else_=null(),
    )
    gone = case(
        (func.count(members.c.left_at) == func.count(), func.max(members.c.left_at)),
        else_=null(),
    )
    query = select(members.c.person_id, came.label("came"), gone.label("gone")).where(
        members.c.is_bot.is_(False)
    )
    if platform is not None:
        query = query.where(members.c.platform == platform)
    return query.group_by(members.c.person_id).subquery("people")


@implements(CommunityMetrics)
class SqlCommunityMetrics:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def growth(self, window: Window, shifts: Sequence[Shift]) -> Growth:
        people = _persons(window.platform)
        came, gone = people.c.came, people.c.gone
        before = await self.conn.execute(
            select(func.count()).where(
                or_(came.is_(None), came < window.start),
                or_(gone.is_(None), gone >= window.start),
            )
        )
        counts: list[dict[int, int]] = []
        for column in (came, gone):
            day = local_day(self.conn, column, shifts)
            rows = await self.conn.execute(
                select(day, func.count())
                .where(column >= window.start, column < window.end)
                .group_by(day)
            )
            counts.append({int(d): int(n) for d, n in rows.all()})
        return Growth(int(before.scalar_one()), counts[0], counts[1])

    async def reach(self, window: Window, shifts: Sequence[Shift]) -> Reach:
        week = window.end - timedelta(days=7)
        month = window.end - timedelta(days=30)
        span = Window(min(window.start, month), window.end, window.platform)
        inside = activity.c.at >= window.start
        day = local_day(self.conn, activity.c.at, shifts)
        per_person = (
            select(
                func.max(_flag(inside)).label("active"),
                func.max(_flag(and_(inside, activity.c.kind.in_(POST_KINDS)))).label("posted"),
                func.count(distinct(case((inside, day), else_=null()))).label("days"),
                func.max(_flag(activity.c.at >= week)).label("week"),
                func.max(_flag(activity.c.at >= month)).label("month"),
            )
            .where(*_in(span))
            .group_by(PERSON)
            .subquery()
        )
        row = (
            await self.conn.execute(
                select(
                    func.coalesce(func.sum(per_person.c.active), 0),
                    func.coalesce(func.sum(per_person.c.posted), 0),
                    func.coalesce(func.sum(per_person.c.days), 0),
                    func.coalesce(func.sum(per_person.c.week), 0),
                    func.coalesce(func.sum(per_person.c.month), 0),
                )
            )
        ).one()
        return Reach(*(int(v) for v in row))

    async def hours(self, window: Window, shifts: Sequence[Shift]) -> Sequence[HourCount]:
        hour = local_seconds(self.conn, activity.c.at, shifts) // 3600
        rows = await self.conn.execute(
            select(
                hour,
                activity.c.kind,
                func.count(),
                func.coalesce(func.sum(activity.c.sentiment), 0.0),
                func.count(activity.c.sentiment),
            )
            .where(*_in(window, kinds=None))
            .group_by(hour, activity.c.kind)
        )
        return [HourCount(int(h), k, int(n), float(s), int(c)) for h, k, n, s, c in rows.all()]

    async def stints(self, window: Window, shifts: Sequence[Shift]) -> Sequence[Stint]:
        day = local_day(self.conn, activity.c.at, shifts).label("day")
        # DISTINCT, not GROUP BY: deduplicates as it goes instead of sorting every fact.
        pairs = select(PERSON, day).where(*_in(window)).distinct().subquery("pairs")
        following = (
            select(
                pairs.c.day,
                func.lead(pairs.c.day)
                .over(partition_by=pairs.c.person, order_by=pairs.c.day)
                .label("next"),
            )
        ).subquery("following")

        def cut(days: int) -> ColumnElement[int]:
            limit = following.c.day + days
            return case(
                (and_(following.c.next.is_not(None), following.c.next < limit), following.c.next),
                else_=limit,
            )

        until30, until7 = cut(30).label("until30"), cut(7).label("until7")
        rows = await self.conn.execute(
            select(following.c.day, until30, until7, func.count()).group_by(
                following.c.day, until30, until7
            )
        )
        return [Stint(int(d), int(a), int(b), int(n)) for d, a, b, n in rows.all()]

    async def channels(self, window: Window, limit: int) -> Sequence[ChannelCount]:
        counted = (
            select(
                activity.c.platform,
                activity.c.workspace,
                activity.c.channel_id,
                func.sum(_flag(activity.c.kind == "message")).label("messages"),
                func.sum(_flag(activity.c.kind == "reply")).label("replies"),
                func.count().label("posts"),
            )
            .where(*_in(window, kinds=POST_KINDS))
            .group_by(activity.c.platform, activity.c.workspace, activity.c.channel_id)
            .order_by(func.count().desc(), activity.c.channel_id)
            .limit(limit)
            .subquery("counted")
        )
        named = counted.outerjoin(
            channels,
            and_(
                channels.c.platform == counted.c.platform,
                channels.c.workspace == counted.c.workspace,
                channels.c.external_id == counted.c.channel_id,
            ),
        )
        rows = await self.conn.execute(
            select(
                counted.c.platform,
                counted.c.workspace,
                counted.c.channel_id,
                channels.c.name,
                counted.c.messages,
                counted.c.replies,
            )
            .select_from(named)
            .order_by(counted.c.posts.desc(), counted.c.channel_id)
        )
        return [
            ChannelCount(p, w, c, name or c, int(m), int(r)) for p, w, c, name, m, r in rows.all()
        ]

    async def cohorts(
        self,
        joined_from: datetime,
        joined_until: datetime,
        active_until: datetime,
        shifts: Sequence[Shift],
        platform: str | None,
    ) -> Cohorts:
        people = _persons(platform)
        newcomers = (
            select(people.c.person_id, local_week(self.conn, people.c.came, shifts).label("week"))
            .where(people.c.came >= joined_from, people.c.came < joined_until)
            .subquery("newcomers")
        )
        sizes = await self.conn.execute(
            select(newcomers.c.week, func.count()).group_by(newcomers.c.week)
        )
        week = local_week(self.conn, activity.c.at, shifts)
        where = _in(Window(joined_from, active_until, platform))
        cells = await self.conn.execute(
            select(newcomers.c.week, week, func.count(distinct(activity.c.person_id)))
            .select_from(activity.join(newcomers, newcomers.c.person_id == activity.c.person_id))
            .where(*where)
            .group_by(newcomers.c.week, week)
        )
        return Cohorts(
            {int(w): int(n) for w, n in sizes.all()},
            {(int(c), int(w)): int(n) for c, w, n in cells.all()},
        )

    async def slipping(
        self, edges: Sequence[datetime], needed: int, platform: str | None
    ) -> Sequence[int]:
        if len(edges) < 3:
            raise ValueError("slipping needs at least one active block and a silent one")
        before = Window(edges[0], edges[-2], platform)
        silent = Window(edges[-2], edges[-1], platform)
        block = case(
            *[(activity.c.at < edge, index) for index, edge in enumerate(edges[1:-2])],
            else_=len(edges) - 3,
        )
        present = select(members.c.person_id).where(
            members.c.left_at.is_(None), members.c.is_bot.is_(False)
        )
        if platform is not None:
            present = present.where(members.c.platform == platform)
        spoke = select(activity.c.person_id).where(*_in(silent))
        rows = await self.conn.execute(
            select(PERSON)
            .where(
                *_in(before),
                activity.c.person_id.in_(present),
                activity.c.person_id.not_in(spoke),
            )
            .group_by(PERSON)
            .having(func.count(distinct(block)) >= needed)
            .order_by(PERSON)
        )
        return [int(p) for p in rows.scalars().all()]


@implements(CheckIns)
class SqlCheckIns:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def last(self, person_ids: Sequence[int]) -> Mapping[int, datetime]:
        if not person_ids:
            return {}
        rows = await self.conn.execute(
            select(metrics_checkins.c.person_id, func.max(metrics_checkins.c.sent_at))
            .where(metrics_checkins.c.person_id.in_(list(person_ids)))
            .group_by(metrics_checkins.c.person_id)
        )
        return {int(p): at for p, at in rows.all()}

    async def record(self, person_id: int, at: datetime) -> None:
        await self.conn.execute(
            insert_ignore(self.conn, metrics_checkins, "person_id", "sent_at").values(
                person_id=person_id, sent_at=at
            )
        )

    async def of(self, person_id: int) -> Sequence[datetime]:
        rows = await self.conn.execute(
            select(metrics_checkins.c.sent_at)
            .where(metrics_checkins.c.person_id == person_id)
            .order_by(metrics_checkins.c.sent_at)
        )
        return list(rows.scalars().all())

    async def forget(self, person_id: int) -> int:
        result = await self.conn.execute(
            delete(metrics_checkins).where(metrics_checkins.c.person_id == person_id)
        )
        return int(result.rowcount)
