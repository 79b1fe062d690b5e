"""Polls and recurring polls on SQLAlchemy Core (SQLite and PostgreSQL).

Votes are the hot path: a vote is at most two statements (take back a matching
choice, else upsert), both on the primary key, never a read-modify-write in Python,
so concurrent clicks cannot produce a double vote — the key forbids it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    String,
    Table,
    bindparam,
    cast,
    delete,
    distinct,
    func,
    insert,
    literal,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import Insert

from bot.features.polls.anonymity import random_token
from bot.features.polls.store import (
    Participation,
    Poll,
    PollKind,
    PollSpec,
    PollStore,
    Post,
    PostKind,
    Schedule,
    ScheduleStore,
    Tally,
    Voter,
)
from bot.model import Ref
from storage.repositories import implements
from storage.sql import dumps, insert_ignore
from storage.tables.polls import (
    poll_ballots,
    poll_options,
    poll_posts,
    poll_schedules,
    poll_votes,
    polls,
)


def upsert(
    conn: AsyncConnection, table: Table, keys: Sequence[str], values: Mapping[str, Any]
) -> Insert:
    """INSERT … ON CONFLICT (keys) DO UPDATE the other columns, for either dialect."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table).values(dict(values))
    changes = {name: stmt.excluded[name] for name in values if name not in keys}
    return stmt.on_conflict_do_update(index_elements=list(keys), set_=changes)


def _spec_json(spec: PollSpec) -> str:
    return dumps(
        {
            "kind": spec.kind.value,
            "question": spec.question,
            "options": list(spec.options),
            "multi": spec.multi,
            "anonymous": spec.anonymous,
            "hidden": spec.hidden,
            "correct": spec.correct,
        }
    )


def _spec_from_json(text: str) -> PollSpec:
    data = json.loads(text)
    return PollSpec(
        PollKind(data["kind"]),
        data["question"],
        tuple(data["options"]),
        bool(data["multi"]),
        bool(data["anonymous"]),
        bool(data["hidden"]),
        data["correct"],
    )


def _poll(row: Row[Any], options: Sequence[str]) -> Poll:
    spec = PollSpec(
        PollKind(row.kind),
        row.question,
        tuple(options),
        bool(row.multi),
        bool(row.anonymous),
        bool(row.hidden),
        row.correct,
    )
    return Poll(
        id=row.id,
        spec=spec,
        channel=Ref(row.platform, row.workspace, row.channel_id),
        creator=row.creator_person_id,
        created_at=row.created_at,
        closes_at=row.closes_at,
        closed_at=row.closed_at,
        secret=row.secret,
        schedule_id=row.schedule_id,
    )


def _ballot(voter: Voter) -> tuple[Table, str, int | str]:
    """The table, key column and key value a voter's choices live under."""
    if voter.person_id is not None:
        return poll_votes, "person_id", voter.person_id
    assert voter.token is not None, "a voter is a person or a token"
    return poll_ballots, "voter", voter.token


@implements(PollStore)
class SqlPollStore:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def create(
        self,
        spec: PollSpec,
        channel: Ref,
        *,
        creator: int | None,
        at: datetime,
        closes_at: datetime | None,
        secret: str | None,
        schedule_id: int | None = None,
    ) -> Poll:
        created = await self.conn.execute(
            insert(polls)
            .values(
                kind=spec.kind.value,
                platform=channel.platform,
                workspace=channel.workspace,
                channel_id=channel.id,
                question=spec.question,
                multi=spec.multi,
                anonymous=spec.anonymous,
                hidden=spec.hidden,
                correct=spec.correct,
                creator_person_id=creator,
                created_at=at,
                closes_at=closes_at,
                secret=secret,
                schedule_id=schedule_id,
            )
            .returning(polls.c.id)
        )
        poll_id = int(created.scalar_one())
        await self.conn.execute(
            insert(poll_options),
            [
                {"poll_id": poll_id, "position": index, "label": label}
                for index, label in enumerate(spec.options)
            ],
        )
        return Poll(poll_id, spec, channel, creator, at, closes_at, None, secret, schedule_id)

    async def get(self, poll_id: int) -> Poll | None:
        rows = (
            await self.conn.execute(
                select(polls, poll_options.c.label)
                .join(poll_options, poll_options.c.poll_id == polls.c.id)
                .where(polls.c.id == poll_id)
                .order_by(poll_options.c.position)
            )
        ).all()
        if not rows:
            return None
        return _poll(rows[0], [r.label for r in rows])

    async def toggle(self, poll_id: int, voter: Voter, option: int, *, multi: bool) -> bool:
        table, column, key = _ballot(voter)
        slot = option if multi else 0
        taken_back = await self.conn.execute(
            delete(table).where(
                table.c.poll_id == poll_id,
                table.c[column] == key,
                table.c.slot == slot,
                table.c.option == option,
            )
        )
        if taken_back.rowcount:
            return False
        values = {"poll_id": poll_id, column: key, "slot": slot, "option": option}
        await self.conn.execute(upsert(self.conn, table, ("poll_id", column, "slot"), values))
        return True

    async def choices(self, poll_id: int, voter: Voter) -> tuple[int, ...]:
        table, column, key = _ballot(voter)
        rows = await self.conn.execute(
            select(table.c.option)
            .where(table.c.poll_id == poll_id, table.c[column] == key)
            .order_by(table.c.option)
        )
        return tuple(r.option for r in rows)

    async def tally(self, poll: Poll) -> Tally:
        if not poll.is_open:
            return await self._frozen(poll.id, len(poll.spec.options))
        return await self._live(poll.id, len(poll.spec.options), poll.spec.multi)

    async def _frozen(self, poll_id: int, size: int) -> Tally:
        rows = await self.conn.execute(
            select(poll_options.c.final_count)
            .where(poll_options.c.poll_id == poll_id)
            .order_by(poll_options.c.position)
        )
        counts = tuple(int(r.final_count or 0) for r in rows)
        voters = (
            await self.conn.execute(select(polls.c.voters).where(polls.c.id == poll_id))
        ).scalar_one()
        return Tally(counts or (0,) * size, int(voters or 0))

    async def _live(self, poll_id: int, size: int, multi: bool) -> Tally:
        # Open ballots and anonymous ones (a forgotten member's votes move there).
        both = union_all(
            select(
                poll_votes.c.option,
                (literal("p:") + cast(poll_votes.c.person_id, String)).label("voter"),
            ).where(poll_votes.c.poll_id == poll_id),
            select(poll_ballots.c.option, poll_ballots.c.voter).where(
                poll_ballots.c.poll_id == poll_id
            ),
        ).subquery()
        counts = [0] * size
        rows = await self.conn.execute(select(both.c.option, func.count()).group_by(both.c.option))
        for option, count in rows:
            if 0 <= option < size:
                counts[option] = int(count)
        if not multi:
            return Tally(tuple(counts), sum(counts))
        voters = (
            await self.conn.execute(select(func.count(func.distinct(both.c.voter))))
        ).scalar_one()
        return Tally(tuple(counts), int(voters))

    async def close(self, poll_id: int, at: datetime) -> bool:
        closed = await self.conn.execute(
            update(polls)
            .where(polls.c.id == poll_id, polls.c.closed_at.is_(None))
            .values(closed_at=at)
        )
        if closed.rowcount != 1:
            return False
        multi = (
            await self.conn.execute(select(polls.c.multi).where(polls.c.id == poll_id))
        ).scalar_one()
        size = (
            await self.conn.execute(select(func.count()).where(poll_options.c.poll_id == poll_id))
        ).scalar_one()
        tally = await self._live(poll_id, int(size), bool(multi))
        await self.conn.execute(
            update(poll_options)
            .where(
                poll_options.c.poll_id == bindparam("pid"),
                poll_options.c.position == bindparam("pos"),
            )
            .values(final_count=bindparam("count")),
            [
                {"pid": poll_id, "pos": index, "count": count}
                for index, count in enumerate(tally.counts)
            ],
        )
        await self.conn.execute(
            update(polls).where(polls.c.id == poll_id).values(voters=tally.voters, secret=None)
        )
        await self.conn.execute(delete(poll_ballots).where(poll_ballots.c.poll_id == poll_id))
        return True

    async def recent(
        self, platform: str, workspace: str, *, open_only: bool, limit: int
    ) -> Sequence[Poll]:
        query = select(polls).where(polls.c.platform == platform, polls.c.workspace == workspace)
        if open_only:
            query = query.where(polls.c.closed_at.is_(None))
        rows = (await self.conn.execute(query.order_by(polls.c.id.desc()).limit(limit))).all()
        return await self._with_options(rows)

    async def _with_options(self, rows: Sequence[Row[Any]]) -> list[Poll]:
        if not rows:
            return []
        labels: dict[int, list[str]] = defaultdict(list)
        found = await self.conn.execute(
            select(poll_options.c.poll_id, poll_options.c.label)
            .where(poll_options.c.poll_id.in_([r.id for r in rows]))
            .order_by(poll_options.c.poll_id, poll_options.c.position)
        )
        for poll_id, label in found:
            labels[poll_id].append(label)
        return [_poll(r, labels[r.id]) for r in rows]

    async def voters(self, poll_id: int) -> Sequence[tuple[int, int]]:
        rows = await self.conn.execute(
            select(poll_votes.c.person_id, poll_votes.c.option)
            .where(poll_votes.c.poll_id == poll_id)
            .order_by(poll_votes.c.option, poll_votes.c.person_id)
        )
        return [(r.person_id, r.option) for r in rows]

    async def votes_of(self, person_id: int) -> Sequence[tuple[Poll, tuple[int, ...]]]:
        chosen: dict[int, list[int]] = defaultdict(list)
        rows = await self.conn.execute(
            select(poll_votes.c.poll_id, poll_votes.c.option)
            .where(poll_votes.c.person_id == person_id)
            .order_by(poll_votes.c.poll_id, poll_votes.c.option)
        )
        for poll_id, option in rows:
            chosen[poll_id].append(option)
        if not chosen:
            return []
        found = (
            await self.conn.execute(
                select(polls).where(polls.c.id.in_(list(chosen))).order_by(polls.c.id)
            )
        ).all()
        return [(poll, tuple(chosen[poll.id])) for poll in await self._with_options(found)]

    async def release_person(self, person_id: int) -> None:
        rows = (
            await self.conn.execute(
                select(poll_votes.c.poll_id, poll_votes.c.slot, poll_votes.c.option)
                .join(polls, polls.c.id == poll_votes.c.poll_id)
                .where(poll_votes.c.person_id == person_id, polls.c.closed_at.is_(None))
            )
        ).all()
        tokens: dict[int, str] = {}
        ballots = []
        for row in rows:
            token = tokens.setdefault(row.poll_id, random_token())
            ballots.append(
                {"poll_id": row.poll_id, "voter": token, "slot": row.slot, "option": row.option}
            )
        if ballots:
            await self.conn.execute(insert(poll_ballots), ballots)
        await self.conn.execute(
            delete(poll_votes).where(
                poll_votes.c.person_id == person_id,
                poll_votes.c.poll_id.in_(list(tokens) or [-1]),
            )
        )
        await self.conn.execute(
            update(polls)
            .where(polls.c.creator_person_id == person_id)
            .values(creator_person_id=None)
        )

    async def participation(
        self, since: datetime, until: datetime, platform: str | None
    ) -> Participation:
        asked = select(polls.c.id, polls.c.voters).where(
            polls.c.created_at >= since, polls.c.created_at < until
        )
        if platform is not None:
            asked = asked.where(polls.c.platform == platform)
        window = asked.subquery()
        named = (
            select(poll_votes.c.poll_id, cast(poll_votes.c.person_id, String).label("who"))
            .where(poll_votes.c.poll_id.in_(select(window.c.id)))
            .distinct()
        )
        ballots = (
            select(poll_ballots.c.poll_id, poll_ballots.c.voter.label("who"))
            .where(poll_ballots.c.poll_id.in_(select(window.c.id)))
            .distinct()
        )
        live = union_all(select(named.subquery()), select(ballots.subquery())).subquery()
        counted = (
            select(live.c.poll_id, func.count().label("n")).group_by(live.c.poll_id).subquery()
        )
        # A closed poll keeps its frozen count (its anonymous ballots are gone).
        per_poll = func.coalesce(window.c.voters, counted.c.n, 0)
        totals = select(func.count(), func.coalesce(func.sum(per_poll), 0)).select_from(
            window.outerjoin(counted, counted.c.poll_id == window.c.id)
        )
        asked_count, responses = (await self.conn.execute(totals)).one()
        members = (
            await self.conn.execute(
                select(func.count(distinct(poll_votes.c.person_id))).where(
                    poll_votes.c.poll_id.in_(select(window.c.id))
                )
            )
        ).scalar_one()
        return Participation(int(asked_count), int(responses), int(members))

    async def add_post(self, kind: PostKind, item_id: int, post: Post) -> None:
        await self.conn.execute(
            insert_ignore(self.conn, poll_posts).values(
                kind=kind.value,
                item_id=item_id,
                platform=post.message.platform,
                workspace=post.message.workspace,
                channel_id=post.channel.id,
                message_id=post.message.id,
            )
        )

    async def posts(self, kind: PostKind, item_id: int) -> Sequence[Post]:
        rows = await self.conn.execute(
            select(poll_posts).where(
                poll_posts.c.kind == kind.value, poll_posts.c.item_id == item_id
            )
        )
        return [
            Post(
                Ref(r.platform, r.workspace, r.message_id),
                Ref(r.platform, r.workspace, r.channel_id),
            )
            for r in rows
        ]


def _schedule(row: Row[Any]) -> Schedule:
    return Schedule(
        id=row.id,
        spec=_spec_from_json(row.spec),
        channel=Ref(row.platform, row.workspace, row.channel_id),
        cron=row.cron,
        timezone=row.timezone,
        duration=(
            timedelta(seconds=row.duration_seconds) if row.duration_seconds is not None else None
        ),
        creator=row.creator_person_id,
        active=bool(row.active),
    )


@implements(ScheduleStore)
class SqlScheduleStore:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def create(
        self,
        spec: PollSpec,
        channel: Ref,
        *,
        cron: str,
        timezone: str,
        duration: timedelta | None,
        creator: int | None,
        at: datetime,
    ) -> Schedule:
        created = await self.conn.execute(
            insert(poll_schedules)
            .values(
                platform=channel.platform,
                workspace=channel.workspace,
                channel_id=channel.id,
                spec=_spec_json(spec),
                cron=cron,
                timezone=timezone,
                duration_seconds=int(duration.total_seconds()) if duration else None,
                creator_person_id=creator,
                created_at=at,
                active=True,
            )
            .returning(poll_schedules.c.id)
        )
        schedule_id = int(created.scalar_one())
        return Schedule(schedule_id, spec, channel, cron, timezone, duration, creator, True)

    async def get(self, schedule_id: int) -> Schedule | None:
        row = (
            await self.conn.execute(
                select(poll_schedules).where(poll_schedules.c.id == schedule_id)
            )
        ).first()
        return _schedule(row) if row is not None else None

    async def active(self, platform: str, workspace: str) -> Sequence[Schedule]:
        rows = await self.conn.execute(
            select(poll_schedules)
            .where(
                poll_schedules.c.platform == platform,
                poll_schedules.c.workspace == workspace,
                poll_schedules.c.active.is_(True),
            )
            .order_by(poll_schedules.c.id)
        )
        return [_schedule(r) for r in rows]

    async def stop(self, schedule_id: int) -> bool:
        result = await self.conn.execute(
            update(poll_schedules)
            .where(poll_schedules.c.id == schedule_id, poll_schedules.c.active.is_(True))
            .values(active=False)
        )
        return result.rowcount == 1

    async def release_person(self, person_id: int) -> None:
        await self.conn.execute(
            update(poll_schedules)
            .where(poll_schedules.c.creator_person_id == person_id)
            .values(creator_person_id=None)
        )
