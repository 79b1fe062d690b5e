"""Kudos on SQLAlchemy Core (SQLite and PostgreSQL).

Giving is the hot path: one insert (its unique key makes replays no-ops) and one
update of the receiver's running total. Leaderboards read a covering index for week
and month windows and the running totals for all time, and rank in SQL (`RANK()`,
so tied members share a place), never summing a million rows in Python.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from itertools import product
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    Text,
    and_,
    bindparam,
    case,
    delete,
    distinct,
    exists,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.features.kudos.rules import Streak, joined_streaks
from bot.features.kudos.store import (
    CHOSEN,
    Achievements,
    Awarded,
    Board,
    BoardPrivacy,
    Entry,
    FactKind,
    FarmingReports,
    Flow,
    HistoryPage,
    Kudos,
    KudosLedger,
    Leaderboards,
    NewKudos,
    Pace,
    Removal,
    Source,
    Spotlight,
    Spotlights,
    Standing,
    Tallies,
)
from bot.model import Ref
from storage.repositories import implements, merges
from storage.schema import members
from storage.sql import dialect_insert, insert_ignore, prepared
from storage.tables.kudos import (
    kudos,
    kudos_alerts,
    kudos_badges,
    kudos_facts,
    kudos_privacy,
    kudos_removals,
    kudos_spotlights,
    kudos_streaks,
    kudos_totals,
)
from storage.types import REF, UTCDateTime

# The `kudos_totals` topic of a person's total over every topic.
OVERALL = ""


def _kudos(row: Row[Any]) -> Kudos:
    return Kudos(
        id=row.id,
        giver_person_id=row.giver_person_id,
        receiver_person_id=row.receiver_person_id,
        points=row.points,
        source=Source(row.source),
        platform=row.platform,
        given_at=row.given_at,
        emoji=row.emoji,
        message=Ref.parse(row.message_ref) if row.message_ref else None,
        topic=row.topic,
        reason=row.reason,
    )


def _chosen() -> ColumnElement[bool]:
    return kudos.c.source.in_([s.value for s in CHOSEN])


# --- the giving path's statements, built once (see `storage.sql.prepared`) -------------


def _when(name: str) -> Any:
    return bindparam(name, type_=UTCDateTime)


def _chosen_between(giver: str, receiver: str) -> Any:
    """Chosen kudos from one person to another since `trade_since` (a scalar subquery)."""
    return (
        select(func.count())
        .where(
            kudos.c.giver_person_id == bindparam(giver),
            kudos.c.receiver_person_id == bindparam(receiver),
            kudos.c.given_at >= _when("trade_since"),
            _chosen(),
        )
        .scalar_subquery()
    )


def _ring() -> Any:
    """The weakest link of the strongest circle giver → receiver → X → giver since
    `trade_since` (a scalar subquery): for each X the receiver thanked (a handful a
    day), the kudos X gave the giver, read by X's own index entries."""
    links = (
        select(kudos.c.receiver_person_id.label("x"), func.count().label("n"))
        .where(
            kudos.c.giver_person_id == bindparam("receiver"),
            kudos.c.receiver_person_id != bindparam("giver"),
            kudos.c.given_at >= _when("trade_since"),
            _chosen(),
        )
        .group_by(kudos.c.receiver_person_id)
        .subquery("links")
    )
    back = kudos.alias("back")
    closing = (
        select(func.count())
        .where(
            back.c.giver_person_id == links.c.x,
            back.c.receiver_person_id == bindparam("giver"),
            back.c.given_at >= _when("trade_since"),
            back.c.source.in_([s.value for s in CHOSEN]),
        )
        .scalar_subquery()
    )
    pairs = select(links.c.n, closing.label("back")).subquery("pairs")
    weakest = case((pairs.c.n < pairs.c.back, pairs.c.n), else_=pairs.c.back)
    return select(func.coalesce(func.max(weakest), 0)).scalar_subquery()


def _from_new_accounts() -> Any:
    """Chosen kudos the receiver got from new accounts since `trade_since`."""
    return (
        select(func.count())
        .where(
            kudos.c.receiver_person_id == bindparam("receiver"),
            kudos.c.given_at >= _when("trade_since"),
            kudos.c.from_new_account == true(),
            _chosen(),
        )
        .scalar_subquery()
    )


def _pace(cooldown: bool, trading: bool, ring: bool, newcomer: bool) -> Select[Any]:
    # One range read of the giver's index serves both the allowance and the cooldown;
    # the farming counts ride along as indexed subqueries (one round trip in all).
    today = func.sum(case((kudos.c.given_at >= _when("since"), 1), else_=0))
    last: Any = literal(None, UTCDateTime)
    if cooldown:
        recent = and_(
            kudos.c.receiver_person_id == bindparam("receiver"),
            kudos.c.given_at >= _when("cooldown"),
        )
        last = func.max(case((recent, kudos.c.given_at)), type_=UTCDateTime)
    given: Any = literal(0)
    received: Any = literal(0)
    if trading:
        given = _chosen_between("giver", "receiver")
        received = _chosen_between("receiver", "giver")
    circle: Any = _ring() if ring else literal(0)
    new: Any = _from_new_accounts() if newcomer else literal(0)
    return select(today, last, given, received, circle, new).where(
        kudos.c.giver_person_id == bindparam("giver"),
        kudos.c.given_at >= _when("start"),
        _chosen(),
    )


_PACES = {flags: _pace(*flags) for flags in product((False, True), repeat=4)}
_GIVE = prepared(
    lambda dialect: (
        dialect_insert(dialect, kudos)
        .on_conflict_do_nothing(
            index_elements=["message_ref", "giver_person_id", "receiver_person_id"]
        )
        .returning(kudos.c.id)
    )
)
# The first row of each wanted topic (a linked person may have more than one).
_FIRST_TOTALS = (
    select(func.min(kudos_totals.c.id))
    .where(
        kudos_totals.c.person_id == bindparam("person"),
        kudos_totals.c.topic.in_(bindparam("topics", expanding=True)),
    )
    .group_by(kudos_totals.c.topic)
)
_ADD_TO_TOTALS = (
    update(kudos_totals)
    .where(kudos_totals.c.id.in_(_FIRST_TOTALS))
    .values(points=kudos_totals.c.points + bindparam("delta"))
    .returning(kudos_totals.c.topic)
)
_RECEIVED = select(func.coalesce(func.sum(kudos_totals.c.points), 0)).where(
    kudos_totals.c.topic == OVERALL, kudos_totals.c.person_id == bindparam("person")
)
# Kudos a person chose to give: an accepted answer's automatic kudos names the
# accepter as giver (for /kudos history) but is not their gift to count.
_GIVEN = select(func.count()).where(kudos.c.giver_person_id == bindparam("person"), _chosen())


def _badges_held(who: str) -> Any:
    held = func.aggregate_strings(kudos_badges.c.badge, " ")
    return select(held).where(kudos_badges.c.person_id == bindparam(who)).scalar_subquery()


_TALLIES = select(
    select(func.coalesce(func.sum(kudos_totals.c.points), 0))
    .where(kudos_totals.c.topic == OVERALL, kudos_totals.c.person_id == bindparam("receiver"))
    .scalar_subquery(),
    select(func.count())
    .where(kudos.c.giver_person_id == bindparam("giver"), _chosen())
    .scalar_subquery(),
    _badges_held("receiver"),
    _badges_held("giver"),
)
_BY_REACTION = select(kudos).where(
    kudos.c.message_ref == bindparam("message"),
    kudos.c.giver_person_id == bindparam("giver"),
    kudos.c.source == Source.REACTION.value,
)
_BY_REACTION_EMOJI = _BY_REACTION.where(kudos.c.emoji == bindparam("emoji"))
_AWARD = prepared(
    lambda dialect: dialect_insert(dialect, kudos_badges).on_conflict_do_nothing(
        index_elements=["person_id", "badge"]
    )
)
_COUNT_FACTS = select(func.count()).where(
    kudos_facts.c.person_id == bindparam("person"), kudos_facts.c.kind == bindparam("kind")
)
_BEST_STREAK = select(func.coalesce(func.max(kudos_streaks.c.best), 0)).where(
    kudos_streaks.c.person_id == bindparam("person")
)


def _touch_streak(dialect: str) -> Any:
    today = bindparam("today", type_=Date)
    stmt = dialect_insert(dialect, kudos_streaks).values(
        person_id=bindparam("person"), last_day=today, length=1, best=1
    )
    length = case(
        (
            kudos_streaks.c.last_day == bindparam("yesterday", type_=Date),
            kudos_streaks.c.length + 1,
        ),
        else_=1,
    )
    return stmt.on_conflict_do_update(
        index_elements=["person_id"],
        set_={
            "last_day": today,
            "length": length,
            "best": case((length > kudos_streaks.c.best, length), else_=kudos_streaks.c.best),
        },
        # Later messages the same day change nothing (and return no row).
        where=kudos_streaks.c.last_day < today,
    ).returning(kudos_streaks.c.length)


_TOUCH_STREAK = prepared(_touch_streak)


@implements(KudosLedger)
class SqlKudosLedger:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def give(self, new: NewKudos) -> Kudos | None:
        values = {
            "giver_person_id": new.giver_person_id,
            "receiver_person_id": new.receiver_person_id,
            "points": new.points,
            "source": new.source.value,
            "platform": new.platform,
            "emoji": new.emoji,
            "message_ref": str(new.message) if new.message else None,
            "topic": new.topic,
            "reason": new.reason,
            "given_at": new.given_at,
            "from_new_account": new.from_new_account,
        }
        kudos_id = (await self.conn.execute(_GIVE(self.conn), values)).scalar_one_or_none()
        if kudos_id is None:
            return None
        await self._add_to_totals(new.receiver_person_id, new.points, new.topic)
        return Kudos(
            id=kudos_id,
            giver_person_id=new.giver_person_id,
            receiver_person_id=new.receiver_person_id,
            points=new.points,
            source=new.source,
            platform=new.platform,
            given_at=new.given_at,
            emoji=new.emoji,
            message=new.message,
            topic=new.topic,
            reason=new.reason,
        )

    async def _add_to_totals(self, person_id: int, points: int, topic: str | None) -> None:
        """Add to the person's overall total and their topic's, in one statement.

        A person has more than one row per topic after linking; the first one of each
        topic is adjusted. A row missing (a first kudos, a new topic) is created.
        """
        topics = [OVERALL, topic] if topic else [OVERALL]
        result = await self.conn.execute(
            _ADD_TO_TOTALS, {"person": person_id, "topics": topics, "delta": points}
        )
        missing = set(topics) - {row.topic for row in result}
        if missing:
            await self.conn.execute(
                insert(kudos_totals),
                [{"person_id": person_id, "topic": t, "points": points} for t in sorted(missing)],
            )

    async def pace(
        self,
        giver_person_id: int,
        since: datetime,
        receiver_person_id: int | None = None,
        cooldown_since: datetime | None = None,
        trade_since: datetime | None = None,
        *,
        rings: bool = False,
        new_giver: bool = False,
    ) -> Pace:
        start = min(since, cooldown_since) if cooldown_since is not None else since
        values: dict[str, Any] = {
            "giver": giver_person_id,
            "receiver": receiver_person_id,
            "since": since,
            "start": start,
            "cooldown": cooldown_since,
            "trade_since": trade_since,
        }
        known = receiver_person_id is not None
        watched = known and trade_since is not None
        query = _PACES[
            known and cooldown_since is not None, watched, watched and rings, watched and new_giver
        ]
        used, last_at, given, received, ring, new = (await self.conn.execute(query, values)).one()
        return Pace(
            int(used or 0),
            last_at,
            (int(given or 0), int(received or 0)),
            ring=int(ring or 0),
            from_new_accounts=int(new or 0),
        )

    async def ring_partner(
        self, giver_person_id: int, receiver_person_id: int, since: datetime
    ) -> int | None:
        links = await self.conn.execute(
            select(kudos.c.receiver_person_id, func.count().label("n"))
            .where(
                kudos.c.giver_person_id == receiver_person_id,
                kudos.c.receiver_person_id != giver_person_id,
                kudos.c.given_at >= since,
                _chosen(),
            )
            .group_by(kudos.c.receiver_person_id)
        )
        best: tuple[int, int] | None = None
        for x, n in links:
            back = await self.conn.execute(
                select(func.count()).where(
                    kudos.c.giver_person_id == x,
                    kudos.c.receiver_person_id == giver_person_id,
                    kudos.c.given_at >= since,
                    _chosen(),
                )
            )
            weakest = min(int(n), int(back.scalar_one()))
            if weakest and (best is None or weakest > best[0]):
                best = (weakest, int(x))
        return best[1] if best else None

    async def by_reaction(
        self, giver_person_id: int, message: Ref, emoji: str | None = None
    ) -> Kudos | None:
        values = {"message": str(message), "giver": giver_person_id, "emoji": emoji}
        query = _BY_REACTION if emoji is None else _BY_REACTION_EMOJI
        row = (await self.conn.execute(query, values)).first()
        return _kudos(row) if row is not None else None

    async def get(self, kudos_id: int) -> Kudos | None:
        row = (await self.conn.execute(select(kudos).where(kudos.c.id == kudos_id))).first()
        return _kudos(row) if row is not None else None

    async def remove(self, kudos_id: int) -> bool:
        found = await self.get(kudos_id)
        if found is None:
            return False
        result = await self.conn.execute(delete(kudos).where(kudos.c.id == kudos_id))
        if not result.rowcount:
            return False
        await self._add_to_totals(found.receiver_person_id, -found.points, found.topic)
        return True

    async def remove_as_moderator(
        self, kudos_id: int, by: int, at: datetime, reason: str | None
    ) -> Kudos | None:
        found = await self.get(kudos_id)
        if found is None or not await self.remove(kudos_id):
            return None
        await self.conn.execute(
            insert(kudos_removals).values(
                kudos_id=found.id,
                giver_person_id=found.giver_person_id,
                receiver_person_id=found.receiver_person_id,
                points=found.points,
                source=found.source.value,
                platform=found.platform,
                emoji=found.emoji,
                topic=found.topic,
                reason=found.reason,
                given_at=found.given_at,
                removed_by_person_id=by,
                removed_at=at,
                removal_reason=reason,
            )
        )
        return found

    async def received_points(self, person_id: int) -> int:
        return int((await self.conn.execute(_RECEIVED, {"person": person_id})).scalar_one())

    async def received_points_since(self, person_id: int, since: datetime) -> int:
        query = select(func.coalesce(func.sum(kudos.c.points), 0)).where(
            kudos.c.receiver_person_id == person_id, kudos.c.given_at >= since
        )
        return int((await self.conn.execute(query)).scalar_one())

    async def given_count(self, person_id: int) -> int:
        return int((await self.conn.execute(_GIVEN, {"person": person_id})).scalar_one())

    async def tallies(self, receiver_person_id: int, giver_person_id: int) -> Tallies:
        values = {"receiver": receiver_person_id, "giver": giver_person_id}
        received, given, receiver_badges, giver_badges = (
            await self.conn.execute(_TALLIES, values)
        ).one()
        badges = {
            receiver_person_id: frozenset((receiver_badges or "").split()),
            giver_person_id: frozenset((giver_badges or "").split()),
        }
        return Tallies(int(received), int(given), badges)

    async def history(
        self,
        person_id: int,
        limit: int | None,
        *,
        offset: int = 0,
        since: datetime | None = None,
    ) -> HistoryPage:
        # Kudos and removed kudos in one timeline: the removed ones show where they were.
        live = _history_rows(kudos, person_id, since, removed=False)
        gone = _history_rows(kudos_removals, person_id, since, removed=True)
        timeline = union_all(live, gone).subquery("timeline")
        total = (await self.conn.execute(select(func.count()).select_from(timeline))).scalar_one()
        query = (
            select(timeline)
            .order_by(timeline.c.given_at.desc(), timeline.c.id.desc())
            .offset(offset)
        )
        if limit is not None:
            query = query.limit(limit)
        entries = tuple(_entry(row) for row in await self.conn.execute(query))
        return HistoryPage(entries, int(total))

    async def latest_reason(
        self, receiver_person_id: int, since: datetime, until: datetime
    ) -> str | None:
        query = (
            select(kudos.c.reason)
            .where(
                kudos.c.receiver_person_id == receiver_person_id,
                kudos.c.given_at >= since,
                kudos.c.given_at < until,
                kudos.c.reason.is_not(None),
                kudos.c.reason != "",
            )
            .order_by(kudos.c.given_at.desc(), kudos.c.id.desc())
            .limit(1)
        )
        found: str | None = (await self.conn.execute(query)).scalar_one_or_none()
        return found

    async def release_giver(self, person_id: int) -> int:
        released = 0
        for table in (kudos, kudos_removals):
            result = await self.conn.execute(
                update(table)
                .where(table.c.giver_person_id == person_id)
                .values(giver_person_id=None, reason=None)
            )
            released += int(result.rowcount)
        return released

    async def release_moderator(self, person_id: int) -> int:
        result = await self.conn.execute(
            update(kudos_removals)
            .where(kudos_removals.c.removed_by_person_id == person_id)
            .values(removed_by_person_id=None)
        )
        return int(result.rowcount)

    async def flow(self, since: datetime, until: datetime, platform: str | None) -> Flow:
        query = select(
            func.count(),
            func.coalesce(func.sum(kudos.c.points), 0),
            func.count(distinct(case((_chosen(), kudos.c.giver_person_id)))),
            func.count(distinct(kudos.c.receiver_person_id)),
        ).where(kudos.c.given_at >= since, kudos.c.given_at < until)
        if platform is not None:
            query = query.where(kudos.c.platform == platform)
        count, points, givers, receivers = (await self.conn.execute(query)).one()
        return Flow(int(count), int(points), int(givers), int(receivers))


def _standing(row: Row[Any]) -> Standing:
    return Standing(int(row.person_id), int(row.points), int(row.rank))


def _sort_name(person_id: Any) -> Any:
    """The name tied members are listed by: their name as shown, in any case (the first
    of their accounts still here, alphabetically: the same on every platform)."""
    shown = func.coalesce(func.nullif(members.c.display_name, ""), members.c.name)
    return (
        select(func.min(func.lower(shown)))
        .where(members.c.person_id == person_id, members.c.left_at.is_(None))
        .scalar_subquery()
    )


def _shown(person_id: Any, me: int | None = None) -> ColumnElement[bool]:
    """Boards may show the person: not hidden by `/kudos privacy on` (or it is `me`)."""
    visible = ~exists().where(kudos_privacy.c.person_id == person_id)
    return or_(visible, person_id == me) if me is not None else visible


def _history_rows(table: Any, person_id: int, since: datetime | None, *, removed: bool) -> Any:
    """A person's kudos (or removed kudos) with the removal's columns, for one timeline."""
    c = table.c
    when: Any = c.removed_at if removed else literal(None, UTCDateTime)
    columns = [
        (c.kudos_id if removed else c.id).label("id"),
        c.giver_person_id,
        c.receiver_person_id,
        c.points,
        c.source,
        c.platform,
        c.emoji,
        (literal(None, REF) if removed else c.message_ref).label("message_ref"),
        c.topic,
        c.reason,
        c.given_at,
        (c.removed_by_person_id if removed else literal(None, Integer)).label("removed_by"),
        when.label("removed_at"),
        (c.removal_reason if removed else literal(None, Text)).label("removal_reason"),
        literal(removed).label("removed"),
    ]
    conditions = [or_(c.giver_person_id == person_id, c.receiver_person_id == person_id)]
    if since is not None:
        conditions.append(c.given_at >= since)
    return select(*columns).where(*conditions)


def _entry(row: Row[Any]) -> Entry:
    if not row.removed:
        return Entry(_kudos(row))
    return Entry(_kudos(row), Removal(row.removed_by, row.removed_at, row.removal_reason))


def _still_here(person_id: Any) -> ColumnElement[bool]:
    """The person has an account that has not left the community (and is not a bot)."""
    return exists().where(
        members.c.person_id == person_id,
        members.c.left_at.is_(None),
        members.c.is_bot == false(),
    )


@implements(Leaderboards)
class SqlLeaderboards:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    def _scores(
        self, since: datetime | None, until: datetime | None, topic: str | None
    ) -> Select[Any]:
        if since is None and until is None:
            return (
                select(
                    kudos_totals.c.person_id.label("person_id"),
                    func.sum(kudos_totals.c.points).label("points"),
                )
                .where(kudos_totals.c.topic == (topic or OVERALL))
                .group_by(kudos_totals.c.person_id)
            )
        # `+ 0` keeps SQLite from grouping along the receiver index (a full scan): it
        # then reads only the window's slice of the (given_at, receiver, points) index.
        receiver = (kudos.c.receiver_person_id + 0).label("person_id")
        conditions = []
        if until is not None:
            conditions.append(kudos.c.given_at < until)
        if since is not None:
            conditions.append(kudos.c.given_at >= since)
        if topic is not None:
            conditions.append(kudos.c.topic == topic)
        return (
            select(receiver, func.sum(kudos.c.points).label("points"))
            .where(*conditions)
            .group_by(receiver)
        )

    async def board(
        self,
        *,
        since: datetime | None,
        until: datetime | None,
        topic: str | None,
        size: int,
        me: int | None,
        tied: int,
    ) -> Board:
        scores = self._scores(since, until, topic).subquery("scores")
        ranked = (
            select(
                scores.c.person_id,
                scores.c.points,
                func.rank().over(order_by=scores.c.points.desc()).label("rank"),
                func.count().over().label("ranked"),
            )
            .where(
                scores.c.points > 0,
                _still_here(scores.c.person_id),
                _shown(scores.c.person_id, me),
            )
            .subquery("ranked")
        )
        wanted = ranked.c.rank <= size
        if me is not None:
            wanted = or_(wanted, ranked.c.person_id == me)
        # How many share each place (the last place's count tells how many are left
        # unlisted), and the name ties are listed by.
        placed = (
            select(
                ranked,
                func.count().over(partition_by=ranked.c.rank).label("tied"),
                _sort_name(ranked.c.person_id).label("name"),
            )
            .where(wanted)
            .subquery("placed")
        )
        # Positions in the database's own collation, so the order below is the one the
        # limit cut by.
        by_place = [placed.c.rank, placed.c.name, placed.c.person_id]
        ordered = select(
            placed, func.row_number().over(order_by=by_place).label("position")
        ).subquery("ordered")
        # The caller first, then by position: the limit keeps every place before the
        # last (fewer than `size` rows) and at least `tied` of the last place.
        order = [ordered.c.position]
        if me is not None:
            order.insert(0, case((ordered.c.person_id == me, 0), else_=1))
        query = select(ordered).order_by(*order).limit(size + tied)
        rows = sorted((await self.conn.execute(query)).all(), key=lambda r: int(r.position))
        mine = next((_standing(r) for r in rows if r.person_id == me), None)
        placed_rows = [r for r in rows if r.rank <= size]
        if not placed_rows:
            return Board((), mine, int(rows[0].ranked) if rows else 0)
        last = placed_rows[-1].rank
        at_last = [r for r in placed_rows if r.rank == last]
        listed = [r for r in placed_rows if r.rank < last] + at_last[:tied]
        more = int(at_last[0].tied) - len(at_last[:tied])
        return Board(tuple(_standing(r) for r in listed), mine, int(rows[0].ranked), more)

    async def received_between(self, since: datetime, until: datetime) -> Mapping[int, int]:
        scores = self._scores(since, until, None).subquery("scores")
        rows = await self.conn.execute(
            select(scores.c.person_id, scores.c.points).where(
                scores.c.points > 0, _still_here(scores.c.person_id), _shown(scores.c.person_id)
            )
        )
        return {int(r.person_id): int(r.points) for r in rows}

    async def on_boards(self, person_ids: Sequence[int]) -> set[int]:
        if not person_ids:
            return set()
        rows = await self.conn.execute(
            select(members.c.person_id)
            .where(
                members.c.person_id.in_(list(person_ids)),
                members.c.left_at.is_(None),
                members.c.is_bot == false(),
                _shown(members.c.person_id),
            )
            .distinct()
        )
        return {int(r[0]) for r in rows}


@implements(FarmingReports)
class SqlFarmingReports:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def claim(self, person_id: int, kind: str, at: datetime, quiet_since: datetime) -> bool:
        insert = dialect_insert(self.conn.dialect.name, kudos_alerts).values(
            person_id=person_id, kind=kind, reported_at=at
        )
        stmt = insert.on_conflict_do_update(
            index_elements=["person_id", "kind"],
            set_={"reported_at": at},
            where=kudos_alerts.c.reported_at < quiet_since,
        )
        return bool((await self.conn.execute(stmt)).rowcount)


@implements(BoardPrivacy)
class SqlBoardPrivacy:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def hide(self, person_id: int, at: datetime) -> bool:
        stmt = insert_ignore(self.conn, kudos_privacy, "person_id").values(
            person_id=person_id, hidden_since=at
        )
        return bool((await self.conn.execute(stmt)).rowcount)

    async def show(self, person_id: int) -> bool:
        result = await self.conn.execute(
            delete(kudos_privacy).where(kudos_privacy.c.person_id == person_id)
        )
        return bool(result.rowcount)

    async def hidden_since(self, person_id: int) -> datetime | None:
        found: datetime | None = (
            await self.conn.execute(
                select(kudos_privacy.c.hidden_since).where(kudos_privacy.c.person_id == person_id)
            )
        ).scalar_one_or_none()
        return found


@implements(Achievements)
class SqlAchievements:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def record_fact(self, person_id: int, kind: FactKind, subject: str, at: datetime) -> bool:
        stmt = insert_ignore(self.conn, kudos_facts, "person_id", "kind", "subject").values(
            person_id=person_id, kind=kind.value, subject=subject, at=at
        )
        return bool((await self.conn.execute(stmt)).rowcount)

    async def count_facts(self, person_id: int, kind: FactKind) -> int:
        values = {"person": person_id, "kind": kind.value}
        return int((await self.conn.execute(_COUNT_FACTS, values)).scalar_one())

    async def facts_between(
        self, kind: FactKind, since: datetime, until: datetime
    ) -> Mapping[int, int]:
        rows = await self.conn.execute(
            select(kudos_facts.c.person_id, func.count())
            .where(
                kudos_facts.c.kind == kind.value,
                kudos_facts.c.at >= since,
                kudos_facts.c.at < until,
            )
            .group_by(kudos_facts.c.person_id)
        )
        return {int(person): int(count) for person, count in rows}

    async def touch_streak(self, person_id: int, today: date) -> int | None:
        yesterday = date.fromordinal(today.toordinal() - 1)
        values = {"person": person_id, "today": today, "yesterday": yesterday}
        found = (await self.conn.execute(_TOUCH_STREAK(self.conn), values)).scalar_one_or_none()
        return int(found) if found is not None else None

    async def best_streak(self, person_id: int) -> int:
        return int((await self.conn.execute(_BEST_STREAK, {"person": person_id})).scalar_one())

    async def award(self, person_id: int, badge: str, at: datetime) -> bool:
        values = {"person_id": person_id, "badge": badge, "awarded_at": at}
        return bool((await self.conn.execute(_AWARD(self.conn), values)).rowcount)

    async def badges_of(self, person_id: int) -> Sequence[Awarded]:
        rows = await self.conn.execute(
            select(kudos_badges.c.badge, kudos_badges.c.awarded_at)
            .where(kudos_badges.c.person_id == person_id)
            .order_by(kudos_badges.c.awarded_at, kudos_badges.c.badge)
        )
        return [Awarded(r.badge, r.awarded_at) for r in rows]

    async def anonymize_subject(self, subject: str) -> int:
        # Rows sharing a subject differ in (person, kind), so one token keeps keys unique.
        result = await self.conn.execute(
            update(kudos_facts)
            .where(kudos_facts.c.subject == subject)
            .values(subject=f"gone:{secrets.token_hex(8)}")
        )
        return int(result.rowcount)


@merges(kudos_streaks)
async def merge_streaks(conn: AsyncConnection, keep: int, gone: int) -> None:
    """Linked accounts keep the better of their streaks, joined when the runs meet."""
    rows = await conn.execute(
        select(kudos_streaks).where(kudos_streaks.c.person_id.in_([keep, gone]))
    )
    found = {r.person_id: Streak(r.last_day, r.length, r.best) for r in rows}
    if gone not in found:
        return
    await conn.execute(delete(kudos_streaks).where(kudos_streaks.c.person_id == gone))
    streak = joined_streaks(found[keep], found[gone]) if keep in found else found[gone]
    values = {"last_day": streak.last_day, "length": streak.length, "best": streak.best}
    if keep in found:
        await conn.execute(
            update(kudos_streaks).where(kudos_streaks.c.person_id == keep).values(values)
        )
    else:
        await conn.execute(insert(kudos_streaks).values(person_id=keep, **values))


def _spotlight(row: Row[Any]) -> Spotlight:
    return Spotlight(
        row.period, row.person_id, float(row.score), row.source, row.posted_at, row.citation
    )


@implements(Spotlights)
class SqlSpotlights:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def record(self, spotlight: Spotlight) -> None:
        dialect = postgresql if self.conn.dialect.name == "postgresql" else sqlite
        values = {
            "period": spotlight.period,
            "person_id": spotlight.person_id,
            "score": spotlight.score,
            "source": spotlight.source,
            "posted_at": spotlight.posted_at,
            "citation": spotlight.citation,
        }
        stmt = dialect.insert(kudos_spotlights).values(**values)
        await self.conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["period"],
                set_={k: v for k, v in values.items() if k != "period"},
            )
        )

    async def get(self, period: str) -> Spotlight | None:
        row = (
            await self.conn.execute(
                select(kudos_spotlights).where(kudos_spotlights.c.period == period)
            )
        ).first()
        return _spotlight(row) if row is not None else None

    async def recent(self, limit: int, *, excluding: str) -> Sequence[Spotlight]:
        if limit <= 0:
            return []
        rows = await self.conn.execute(
            select(kudos_spotlights)
            .where(
                kudos_spotlights.c.period != excluding, kudos_spotlights.c.posted_at.is_not(None)
            )
            .order_by(kudos_spotlights.c.posted_at.desc())
            .limit(limit)
        )
        return [_spotlight(r) for r in rows]
