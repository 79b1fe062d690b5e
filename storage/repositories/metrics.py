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
    select,
    union_all,
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
    Tone,
    Tones,
)
from bot.stats import Window
from storage.repositories import implements
from storage.schema import activity, channels, members
from storage.sql import insert_ignore
from storage.tables.membership import LEAVE, membership
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


def _count(value: Any) -> int | None:
    return None if value is None else int(value)


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


# What a person's arrival was: a recorded join, or the first sight of an account the
# directory knew before joins were recorded (no join at or before its first event).
JOINED = "join"
SEEN = "seen"


def _account_changes(platform: str | None) -> Any:
    """Each account's history as changes of presence: +1 arriving, -1 departing, 0 when
    it changes nothing (a second join without a departure, a replayed leave)."""
    where: list[Any] = [members.c.is_bot.is_(False)]
    if platform is not None:
        where.append(members.c.platform == platform)
    recorded = select(
        members.c.person_id,
        members.c.id.label("member_id"),
        membership.c.at,
        membership.c.id.label("seq"),
        membership.c.kind,
    ).select_from(membership.join(members, members.c.id == membership.c.member_id))
    earlier = select(membership.c.id).where(
        membership.c.member_id == members.c.id, membership.c.at <= members.c.first_seen_at
    )
    first_seen = select(
        members.c.person_id,
        members.c.id.label("member_id"),
        members.c.first_seen_at.label("at"),
        literal(0, BigInteger).label("seq"),
        literal(SEEN).label("kind"),
    ).where(~earlier.exists())
    events = union_all(recorded.where(*where), first_seen.where(*where)).subquery("events")
    here = _flag(events.c.kind != LEAVE)
    before = func.lag(here).over(
        partition_by=events.c.member_id, order_by=(events.c.at, events.c.seq)
    )
    return select(
        events.c.person_id,
        events.c.member_id,
        events.c.at,
        events.c.seq,
        events.c.kind,
        (here - func.coalesce(before, 0)).label("change"),
    ).subquery("changes")


def _arrivals_and_departures(platform: str | None) -> Any:
    """When each person arrived (their first account present) and departed (their last
    account gone), in time order: `arrived` is +1 or -1, `kind` what the arrival was.

    A person is here while any of their accounts is; linked accounts (Discord + Slack)
    count once because the running sum is per person, resolved through `members` now.
    """
    changes = _account_changes(platform)
    order = (changes.c.at, changes.c.seq, changes.c.member_id)
    present = func.sum(changes.c.change).over(
        partition_by=changes.c.person_id, order_by=order, rows=(None, 0)
    )
    counted = (
        select(
            changes.c.person_id,
            changes.c.at,
            changes.c.kind,
            changes.c.change,
            present.label("present"),
        )
        .where(changes.c.change != 0)
        .subquery("counted")
    )
    arrived = case(
        (and_(counted.c.change > 0, counted.c.present == 1), 1),
        (and_(counted.c.change < 0, counted.c.present == 0), -1),
        else_=0,
    )
    steps = select(
        counted.c.person_id, counted.c.at, counted.c.kind, arrived.label("arrived")
    ).subquery("steps")
    return select(steps).where(steps.c.arrived != 0).subquery("moves")


@implements(CommunityMetrics)
class SqlCommunityMetrics:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def growth(self, window: Window, shifts: Sequence[Shift]) -> Growth:
        moves = _arrivals_and_departures(window.platform)
        inside = moves.c.at >= window.start
        day = case((inside, local_day(self.conn, moves.c.at, shifts)), else_=null())
        what = case((moves.c.arrived < 0, LEAVE), (moves.c.kind == JOINED, JOINED), else_=SEEN)
        rows = await self.conn.execute(
            select(day, what, func.sum(moves.c.arrived), func.count())
            .where(moves.c.at < window.end)
            .group_by(day, what)
        )
        before = 0
        found: dict[str, dict[int, int]] = {JOINED: {}, LEAVE: {}, SEEN: {}}
        for number, kind, net, count in rows.all():
            if number is None:
                before += int(net)
            else:
                found[kind][int(number)] = int(count)
        return Growth(before, found[JOINED], found[LEAVE], found[SEEN])

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
            select(hour, activity.c.kind, func.count())
            .where(*_in(window, kinds=None))
            .group_by(hour, activity.c.kind)
        )
        return [HourCount(int(h), k, int(n)) for h, k, n in rows.all()]

    async def tone(self, window: Window, shifts: Sequence[Shift]) -> Tones:
        # Only posts carry a score: the partial index on scored facts holds all we read.
        where = [*_in(window, kinds=None), activity.c.sentiment.is_not(None)]
        figures = (
            func.coalesce(func.sum(activity.c.sentiment), 0.0),
            func.count(),
            func.count(distinct(activity.c.person_id)),
        )
        total = (await self.conn.execute(select(*figures).where(*where))).one()
        day = local_day(self.conn, activity.c.at, shifts)
        rows = await self.conn.execute(select(day, *figures).where(*where).group_by(day))
        return Tones(
            Tone(float(total[0]), int(total[1]), int(total[2])),
            {int(d): Tone(float(s), int(n), int(p)) for d, s, n, p in rows.all()},
        )

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

    async def channels(
        self, window: Window, limit: int | None, *, detail: bool = False
    ) -> Sequence[ChannelCount]:
        is_post = activity.c.kind.in_(POST_KINDS)
        posts = func.sum(_flag(is_post)) if detail else func.count()
        figures = [
            func.sum(_flag(activity.c.kind == "message")).label("messages"),
            func.sum(_flag(activity.c.kind == "reply")).label("replies"),
            func.sum(_flag(activity.c.kind == "reaction")).label("reactions")
            if detail
            else null().label("reactions"),
            func.count(distinct(activity.c.person_id)).label("people")
            if detail
            else null().label("people"),
        ]
        place = (activity.c.platform, activity.c.workspace, activity.c.channel_id)
        counted = (
            select(*place, *figures, posts.label("posts"))
            .where(*_in(window, kinds=ACTIVE_KINDS if detail else POST_KINDS))
            .group_by(*place)
            .having(posts > 0)
            .order_by(posts.desc(), activity.c.channel_id)
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
                counted.c.reactions,
                counted.c.people,
            )
            .select_from(named)
            .order_by(counted.c.posts.desc(), counted.c.channel_id)
        )
        return [
            ChannelCount(p, w, c, name or c, int(m), int(r), _count(x), _count(n))
            for p, w, c, name, m, r, x, n in rows.all()
        ]

    async def cohorts(
        self,
        joined_from: datetime,
        joined_until: datetime,
        active_until: datetime,
        shifts: Sequence[Shift],
        platform: str | None,
    ) -> Cohorts:
        moves = _arrivals_and_departures(platform)
        arrivals = moves.c.arrived > 0
        first = func.min(case((arrivals, moves.c.at), else_=null()))
        first_join = func.min(case((and_(arrivals, moves.c.kind == JOINED), moves.c.at)))
        # A cohort is the week of a person's first join; one first seen without a
        # recorded join (here before Agora counted) belongs to none.
        people = (
            select(moves.c.person_id, first.label("came"))
            .group_by(moves.c.person_id)
            .having(first == first_join)
            .subquery("people")
        )
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
