"""Core repositories: directory, processed events, activity log, jobs."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.model import Member, MemberRecord, Ref, Workspace
from bot.ports import ActivityFact, ActivityLog, Directory, EventLog, JobStore, PendingJob
from storage.repositories import implements
from storage.schema import (
    activity,
    channels,
    cron_runs,
    members,
    persons,
    processed_events,
    workspaces,
)
from storage.schema import scheduled_jobs as jobs
from storage.sql import dialect_insert, dumps, insert_ignore, loads, prepared, upsert
from storage.tables.membership import JOIN, LEAVE, membership
from storage.types import REF, UTCDateTime

# Don't rewrite a member row on every message just to move last_seen_at.
_SEEN_RESOLUTION = timedelta(hours=1)

_MEMBER_COLUMNS = (
    members.c.id,
    members.c.platform,
    members.c.workspace,
    members.c.external_id,
    members.c.person_id,
    members.c.name,
    members.c.display_name,
    members.c.is_bot,
    members.c.joined_at,
    members.c.left_at,
    members.c.locale,
    members.c.roles,
    members.c.last_seen_at,
    persons.c.locale.label("person_locale"),
    persons.c.timezone.label("person_timezone"),
)


def _record(row: Row[Any]) -> MemberRecord:
    return MemberRecord(
        ref=Ref(row.platform, row.workspace, row.external_id),
        person_id=row.person_id,
        name=row.name,
        display_name=row.display_name,
        is_bot=bool(row.is_bot),
        joined_at=row.joined_at,
        left_at=row.left_at,
        locale=row.person_locale,
        timezone=row.person_timezone,
        roles=frozenset(json.loads(row.roles or "[]")),
        platform_locale=row.locale,
    )


def _account(ref: Ref) -> Any:
    return and_(
        members.c.platform == ref.platform,
        members.c.workspace == ref.workspace,
        members.c.external_id == ref.id,
    )


_JOINED = members.join(persons, persons.c.id == members.c.person_id)


def _members_in_workspace(*conditions: Any) -> Any:
    """Member rows (with their person's settings) of the bound platform and workspace."""
    return (
        select(*_MEMBER_COLUMNS)
        .select_from(_JOINED)
        .where(
            members.c.platform == bindparam("platform"),
            members.c.workspace == bindparam("workspace"),
            *conditions,
        )
    )


# One statement for a batch's accounts on one platform (an expanding IN: compiled once).
_PRELOAD = _members_in_workspace(members.c.external_id.in_(bindparam("ids", expanding=True)))
# The hot lookups, built once (see `storage.sql.prepared`).
_BY_ACCOUNT = _members_in_workspace(members.c.external_id == bindparam("id"))
_BY_NAME = _members_in_workspace(
    or_(
        func.lower(members.c.name) == bindparam("name"),
        func.lower(members.c.display_name) == bindparam("name"),
    )
).order_by(members.c.left_at.is_not(None), members.c.id)


def _find_channel(in_workspace: bool) -> Any:
    query = select(channels.c.workspace, channels.c.external_id).where(
        channels.c.platform == bindparam("platform"),
        or_(
            func.lower(channels.c.name) == bindparam("lowered"),
            channels.c.external_id == bindparam("wanted"),
        ),
    )
    if in_workspace:
        query = query.where(channels.c.workspace == bindparam("workspace"))
    return query.order_by(channels.c.id)


_FIND_CHANNEL = _find_channel(False)
_CHANNEL_NAME = select(channels.c.name).where(
    channels.c.platform == bindparam("platform"),
    channels.c.workspace == bindparam("workspace"),
    channels.c.external_id == bindparam("id"),
)
_FIND_CHANNEL_IN_WORKSPACE = _find_channel(True)
_CLAIM = prepared(
    lambda dialect: (
        dialect_insert(dialect, processed_events)
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(processed_events.c.event_id)
    )
)


# A join or departure appended to the history, for the account the directory knows.
_HISTORY = insert(membership).from_select(
    ["member_id", "account", "kind", "at"],
    select(
        members.c.id,
        bindparam("account", type_=REF),
        bindparam("kind", type_=membership.c.kind.type),
        bindparam("at", type_=UTCDateTime()),
    ).where(
        members.c.platform == bindparam("platform"),
        members.c.workspace == bindparam("workspace"),
        members.c.external_id == bindparam("id"),
    ),
)


def _account_values(ref: Ref) -> dict[str, str]:
    return {"platform": ref.platform, "workspace": ref.workspace, "id": ref.id}


@implements(Directory)
class SqlDirectory:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        # Rows read in bulk by `preload`, trusted while no member or person row was
        # written and no savepoint rolled back in this transaction since.
        self._preloaded: dict[Ref, Row[Any] | None] = {}
        self._preloaded_at: int | None = None

    def _generation(self) -> int | None:
        """None on a bare connection (no unit of work): then nothing preloaded is trusted."""
        generation = getattr(self.conn, "generation", None)
        return None if generation is None else int(generation("members", "persons"))

    async def preload(self, refs: Sequence[Ref]) -> None:
        wanted = list(dict.fromkeys(refs))
        if not wanted:
            return
        found: dict[Ref, Row[Any] | None] = dict.fromkeys(wanted)
        places: dict[tuple[str, str], list[str]] = {}
        for ref in wanted:
            places.setdefault((ref.platform, ref.workspace), []).append(ref.id)
        for (platform, workspace), ids in places.items():
            result = await self.conn.execute(
                _PRELOAD, {"platform": platform, "workspace": workspace, "ids": ids}
            )
            for row in result:
                found[Ref(row.platform, row.workspace, row.external_id)] = row
        self._preloaded = found
        self._preloaded_at = self._generation()

    async def _row(self, ref: Ref) -> Row[Any] | None:
        trusted = self._preloaded_at is not None and self._preloaded_at == self._generation()
        if trusted and ref in self._preloaded:
            return self._preloaded[ref]
        return (await self.conn.execute(_BY_ACCOUNT, _account_values(ref))).first()

    async def upsert_member(self, member: Member, seen_at: datetime) -> MemberRecord:
        row = await self._row(member.ref)
        if row is None:
            if await self._insert_member(member, seen_at):
                return await self._found(member.ref)
            # Another event of this newcomer registered the account first: update it.
            row = await self._row(member.ref)
            assert row is not None
        roles = dumps(sorted(member.roles))
        changes: dict[str, Any] = {}
        if row.name != member.name:
            changes["name"] = member.name
        if member.display_name and row.display_name != member.display_name:
            changes["display_name"] = member.display_name
        if member.locale and row.locale != member.locale:
            changes["locale"] = member.locale
        if member.roles and row.roles != roles:
            changes["roles"] = roles
        if row.last_seen_at is None or seen_at - row.last_seen_at > _SEEN_RESOLUTION:
            changes["last_seen_at"] = seen_at
        if not changes:
            return _record(row)
        await self.conn.execute(update(members).where(members.c.id == row.id).values(**changes))
        return await self._found(member.ref)

    async def _insert_member(self, member: Member, seen_at: datetime) -> bool:
        """Register a new account with a person of its own; False if it exists already.

        Two events of one newcomer can be handled at once (PostgreSQL, or two
        instances): the account's unique key decides, and the loser's person goes.
        """
        person_id = (
            await self.conn.execute(
                insert(persons).values(created_at=seen_at).returning(persons.c.id)
            )
        ).scalar_one()
        stmt = insert_ignore(self.conn, members, "platform", "workspace", "external_id").values(
            platform=member.ref.platform,
            workspace=member.ref.workspace,
            external_id=member.ref.id,
            person_id=person_id,
            name=member.name,
            display_name=member.display_name,
            is_bot=member.is_bot,
            locale=member.locale,
            roles=dumps(sorted(member.roles)),
            first_seen_at=seen_at,
            last_seen_at=seen_at,
        )
        if (await self.conn.execute(stmt)).rowcount == 1:
            return True
        await self.conn.execute(delete(persons).where(persons.c.id == person_id))
        return False

    async def _found(self, ref: Ref) -> MemberRecord:
        row = await self._row(ref)
        assert row is not None, f"{ref} was just written"
        return _record(row)

    async def member_joined(self, member: Member, at: datetime) -> MemberRecord:
        await self.upsert_member(member, at)
        await self.conn.execute(
            update(members).where(_account(member.ref)).values(joined_at=at, left_at=None)
        )
        await self._history(member.ref, JOIN, at)
        return await self._found(member.ref)

    async def member_left(self, ref: Ref, at: datetime) -> MemberRecord | None:
        await self.conn.execute(update(members).where(_account(ref)).values(left_at=at))
        await self._history(ref, LEAVE, at)
        row = await self._row(ref)
        return _record(row) if row is not None else None

    async def _history(self, ref: Ref, kind: str, at: datetime) -> None:
        """Append the join or departure to the membership history (one statement; an
        account the directory does not know adds nothing)."""
        values = {**_account_values(ref), "account": str(ref), "kind": kind, "at": at}
        await self.conn.execute(_HISTORY, values)

    async def get(self, ref: Ref) -> MemberRecord | None:
        row = await self._row(ref)
        return _record(row) if row is not None else None

    async def find(self, platform: str, workspace: str, text: str) -> MemberRecord | None:
        wanted = text.strip().lstrip("@").lower()
        if not wanted:
            return None
        # Platforms send mentions as ids: one indexed lookup. Only a typed name (the
        # console, a name in plain text) needs the case-insensitive comparison.
        by_id = await self._row(Ref(platform, workspace, text.strip()))
        if by_id is not None:
            return _record(by_id)
        values = {"platform": platform, "workspace": workspace, "name": wanted}
        row = (await self.conn.execute(_BY_NAME, values)).first()
        return _record(row) if row is not None else None

    async def accounts_of(self, person_id: int) -> Sequence[MemberRecord]:
        query = (
            select(*_MEMBER_COLUMNS).select_from(_JOINED).where(members.c.person_id == person_id)
        )
        return [_record(r) for r in (await self.conn.execute(query)).all()]

    async def set_person_prefs(
        self, person_id: int, *, locale: str | None = None, timezone: str | None = None
    ) -> None:
        values: dict[str, Any] = {}
        if locale is not None:
            values["locale"] = locale or None
        if timezone is not None:
            values["timezone"] = timezone or None
        if values:
            await self.conn.execute(
                update(persons).where(persons.c.id == person_id).values(**values)
            )

    async def person_prefs(self, person_id: int) -> tuple[str | None, str | None]:
        row = (
            await self.conn.execute(
                select(persons.c.locale, persons.c.timezone).where(persons.c.id == person_id)
            )
        ).first()
        return (row.locale, row.timezone) if row is not None else (None, None)

    async def set_roles(self, ref: Ref, roles: frozenset[str]) -> None:
        await self.conn.execute(
            update(members).where(_account(ref)).values(roles=dumps(sorted(roles)))
        )

    async def count_members(self, platform: str | None = None) -> int:
        query = select(func.count(func.distinct(members.c.person_id))).where(
            members.c.left_at.is_(None), members.c.is_bot.is_(False)
        )
        if platform is not None:
            query = query.where(members.c.platform == platform)
        return int((await self.conn.execute(query)).scalar_one())

    async def upsert_channel(self, ref: Ref, name: str, kind: str) -> None:
        stmt = insert_ignore(self.conn, channels, "platform", "workspace", "external_id").values(
            platform=ref.platform, workspace=ref.workspace, external_id=ref.id, name=name, kind=kind
        )
        result = await self.conn.execute(stmt)
        if result.rowcount == 0:
            await self.conn.execute(
                update(channels)
                .where(
                    channels.c.platform == ref.platform,
                    channels.c.workspace == ref.workspace,
                    channels.c.external_id == ref.id,
                    channels.c.name != name,
                )
                .values(name=name)
            )

    async def register_workspace(
        self, platform: str, workspace: str, seen_at: datetime, name: str | None = None
    ) -> None:
        stmt = insert_ignore(self.conn, workspaces, "platform", "external_id").values(
            platform=platform, external_id=workspace, name=name, first_seen_at=seen_at
        )
        if (await self.conn.execute(stmt)).rowcount == 0 and name:
            await self.conn.execute(
                update(workspaces)
                .where(
                    workspaces.c.platform == platform,
                    workspaces.c.external_id == workspace,
                    or_(workspaces.c.name.is_(None), workspaces.c.name != name),
                )
                .values(name=name)
            )

    async def workspaces(self) -> Sequence[Workspace]:
        query = select(workspaces).order_by(
            workspaces.c.platform, workspaces.c.first_seen_at, workspaces.c.id
        )
        return [
            Workspace(row.platform, row.external_id, row.name, row.first_seen_at)
            for row in await self.conn.execute(query)
        ]

    async def find_channel(self, platform: str, workspace: str | None, name: str) -> Ref | None:
        wanted = name.strip().lstrip("#")
        values = {
            "platform": platform,
            "workspace": workspace,
            "wanted": wanted,
            "lowered": wanted.lower(),
        }
        query = _FIND_CHANNEL if workspace is None else _FIND_CHANNEL_IN_WORKSPACE
        row = (await self.conn.execute(query, values)).first()
        return Ref(platform, row.workspace, row.external_id) if row is not None else None

    async def channel_name(self, ref: Ref) -> str | None:
        values = {"platform": ref.platform, "workspace": ref.workspace, "id": ref.id}
        return (await self.conn.execute(_CHANNEL_NAME, values)).scalar()


@implements(EventLog)
class SqlEventLog:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def claim(self, event_ids: Sequence[str], at: datetime) -> set[str]:
        if not event_ids:
            return set()
        rows = [{"event_id": event_id, "processed_at": at} for event_id in dict.fromkeys(event_ids)]
        return set((await self.conn.execute(_CLAIM(self.conn), rows)).scalars())

    async def release(self, event_id: str) -> None:
        await self.conn.execute(
            delete(processed_events).where(processed_events.c.event_id == event_id)
        )

    async def prune(self, before: datetime) -> int:
        result = await self.conn.execute(
            delete(processed_events).where(processed_events.c.processed_at < before)
        )
        return int(result.rowcount)


@implements(ActivityLog)
class SqlActivityLog:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def record(self, facts: Sequence[ActivityFact]) -> None:
        if not facts:
            return
        rows = [
            {
                "person_id": f.person_id,
                "platform": f.member.platform,
                "workspace": f.member.workspace,
                "channel_id": f.channel_id,
                "kind": f.kind,
                "at": f.at,
                "length": f.length,
                "reply": f.reply,
                "sentiment": f.sentiment,
            }
            for f in facts
        ]
        await self.conn.execute(insert(activity), rows)

    async def prune(self, before: datetime) -> int:
        result = await self.conn.execute(delete(activity).where(activity.c.at < before))
        return int(result.rowcount)

    async def encounters(self, a: int, b: int, since: datetime, within: timedelta) -> int:
        if a == b:
            return 0
        query = (
            select(
                activity.c.person_id,
                activity.c.platform,
                activity.c.workspace,
                activity.c.channel_id,
                activity.c.at,
            )
            .where(
                activity.c.person_id.in_((a, b)),
                activity.c.kind.in_(_POST_KINDS),
                activity.c.at >= since,
            )
            .order_by(activity.c.at, activity.c.id)
        )
        posts = [
            (row.person_id, (row.platform, row.workspace, row.channel_id), row.at)
            for row in (await self.conn.execute(query)).all()
        ]
        return count_encounters(posts, within)


# Activity kinds that are somebody speaking (reactions, clicks and commands are not).
_POST_KINDS = ("message", "reply")


def count_encounters(
    posts: Sequence[tuple[int, tuple[str, str, str], datetime]], within: timedelta
) -> int:
    """Posts (person, place, at), in time order, that follow the other person's in one place.

    Kept apart from SQL so both databases count the same way (no date arithmetic
    dialects disagree on).
    """
    latest: dict[tuple[str, str, str], dict[int, datetime]] = {}
    found = 0
    for person, place, at in posts:
        here = latest.setdefault(place, {})
        other = next((when for who, when in here.items() if who != person), None)
        if other is not None and at - other <= within:
            found += 1
        here[person] = at
    return found


def _job(row: Row[Any]) -> PendingJob:
    return PendingJob(row.id, row.key, row.feature, row.name, row.due_at, loads(row.payload))


@implements(JobStore)
class SqlJobStore:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def schedule(
        self, key: str, feature: str, name: str, due_at: datetime, payload: Mapping[str, Any]
    ) -> PendingJob:
        # One statement, so two events scheduling the same key at once cannot both insert.
        values = {
            "feature": feature,
            "name": name,
            "due_at": due_at,
            "payload": dumps(dict(payload)),
            "done_at": None,
            "claimed_by": None,
        }
        new = {"key": key, "created_at": due_at, **values}
        stmt = upsert(self.conn, jobs, ("key",), new, values)
        row = (await self.conn.execute(stmt.returning(*jobs.c))).one()
        return _job(row)

    async def cancel(self, key: str) -> bool:
        result = await self.conn.execute(
            delete(jobs).where(jobs.c.key == key, jobs.c.done_at.is_(None))
        )
        return result.rowcount > 0

    async def cancel_prefix(self, prefix: str) -> int:
        # Not LIKE: its wildcards would need escaping, and SQLite's LIKE ignores case.
        result = await self.conn.execute(
            delete(jobs).where(
                func.substr(jobs.c.key, 1, len(prefix)) == prefix, jobs.c.done_at.is_(None)
            )
        )
        return int(result.rowcount)

    async def pending(
        self, due_before: datetime | None = None, *, after_id: int = 0, limit: int | None = None
    ) -> Sequence[PendingJob]:
        query = select(jobs).where(jobs.c.done_at.is_(None))
        if due_before is not None:
            query = query.where(jobs.c.due_at <= due_before)
        if limit is not None:
            query = query.where(jobs.c.id > after_id).order_by(jobs.c.id).limit(limit)
        else:
            query = query.order_by(jobs.c.due_at, jobs.c.id)
        return [_job(r) for r in (await self.conn.execute(query)).all()]

    async def get(self, job_id: int) -> PendingJob | None:
        row = (await self.conn.execute(select(jobs).where(jobs.c.id == job_id))).first()
        return _job(row) if row is not None else None

    async def claim(self, job_id: int, instance: str, at: datetime) -> bool:
        result = await self.conn.execute(
            update(jobs)
            .where(jobs.c.id == job_id, jobs.c.done_at.is_(None))
            .values(done_at=at, claimed_by=instance)
        )
        return result.rowcount == 1

    async def claim_cron(self, job: str, fire_time: datetime, instance: str) -> bool:
        stmt = insert_ignore(self.conn, cron_runs, "job", "fire_time").values(
            job=job, fire_time=fire_time, claimed_by=instance
        )
        return (await self.conn.execute(stmt)).rowcount == 1
