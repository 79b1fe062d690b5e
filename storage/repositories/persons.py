"""Person-wide operations driven by the schema's declarations: merge, detach, dump, erase.

Each table names the columns that identify a person (`storage.schema.personal`): an
integer column holds a person id, a text column an account ref (`platform:ws:id`).
Walking those declarations means a feature's new table is linked, exported and
forgotten without anyone remembering to add code here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Integer,
    Table,
    UniqueConstraint,
    and_,
    delete,
    exists,
    false,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.model import Ref
from bot.ports import PersonData
from storage.repositories import implements, merger
from storage.schema import PERSONAL_COLUMNS, load_all, members, persons, scheduled_jobs


def _is_person_id(column: Column[Any]) -> bool:
    return isinstance(column.type, Integer) or column.type.python_type is int


def _matches(column: Column[Any], person_id: int, accounts: Sequence[Ref]) -> ColumnElement[bool]:
    if _is_person_id(column):
        return column == person_id
    refs = [str(a) for a in accounts]
    return column.in_(refs) if refs else false()


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return value


def _personal_tables() -> list[tuple[Table, list[Column[Any]]]]:
    """Personal tables, children before parents (so deletes respect foreign keys)."""
    metadata = load_all()
    found = []
    for table in reversed(metadata.sorted_tables):
        names = PERSONAL_COLUMNS.get(table.name)
        if names:
            found.append((table, [table.c[name] for name in names]))
    return found


def _unique_partners(table: Table, column: Column[Any]) -> list[list[Column[Any]]]:
    """For each unique key containing `column`, the other columns of that key."""
    keys: list[list[Column[Any]]] = []
    groups = [
        list(c.columns)
        for c in table.constraints
        if isinstance(c, UniqueConstraint) or c is table.primary_key
    ]
    groups += [list(i.columns) for i in table.indexes if i.unique]
    # ColumnCollection's `in` wants names; compare the Column objects themselves.
    for cols in groups:
        if any(c is column for c in cols):
            keys.append([c for c in cols if c is not column])
    return keys


@implements(PersonData)
class SqlPersonData:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def merge(self, keep: int, gone: int) -> None:
        if keep == gone:
            return
        for table, columns in _personal_tables():
            if table is persons:
                continue
            combine = merger(table)
            if combine is not None:
                await combine(self.conn, keep, gone)
                continue
            for column in columns:
                if _is_person_id(column):
                    await self._move(table, column, keep, gone)
        kept = (await self.conn.execute(select(persons).where(persons.c.id == keep))).one()
        old = (await self.conn.execute(select(persons).where(persons.c.id == gone))).first()
        if old is not None:
            await self.conn.execute(
                update(persons)
                .where(persons.c.id == keep)
                .values(
                    locale=kept.locale or old.locale,
                    timezone=kept.timezone or old.timezone,
                    created_at=min(kept.created_at, old.created_at),
                )
            )
            await self.conn.execute(delete(persons).where(persons.c.id == gone))

    async def _move(self, table: Table, column: Column[Any], keep: int, gone: int) -> None:
        """Re-point rows; where `keep` already has the unique row, `keep`'s row wins.

        Tables where that would lose something (a streak) declare a `@merges` combiner.
        """
        for partners in _unique_partners(table, column):
            twin = table.alias("twin")
            same = [twin.c[column.name] == keep] + [twin.c[c.name] == c for c in partners]
            await self.conn.execute(
                delete(table).where(column == gone, exists().where(and_(*same)))
            )
        await self.conn.execute(update(table).where(column == gone).values({column.name: keep}))

    async def detach(self, account: Ref, at: datetime) -> int:
        row = (
            await self.conn.execute(
                select(members.c.person_id, persons.c.locale, persons.c.timezone)
                .select_from(members.join(persons, persons.c.id == members.c.person_id))
                .where(
                    members.c.platform == account.platform,
                    members.c.workspace == account.workspace,
                    members.c.external_id == account.id,
                )
            )
        ).one()
        created = await self.conn.execute(
            insert(persons)
            .values(created_at=at, locale=row.locale, timezone=row.timezone)
            .returning(persons.c.id)
        )
        new_id = int(created.scalar_one())
        await self.conn.execute(
            update(members)
            .where(
                members.c.platform == account.platform,
                members.c.workspace == account.workspace,
                members.c.external_id == account.id,
            )
            .values(person_id=new_id)
        )
        return new_id

    async def dump(
        self, person_id: int, accounts: Sequence[Ref]
    ) -> dict[str, list[dict[str, Any]]]:
        found: dict[str, list[dict[str, Any]]] = {}
        for table, columns in reversed(_personal_tables()):
            condition = or_(*(_matches(c, person_id, accounts) for c in columns))
            rows = (await self.conn.execute(select(table).where(condition))).mappings().all()
            if rows:
                found[table.name] = [{k: _jsonable(v) for k, v in row.items()} for row in rows]
        return found

    async def erase(self, person_id: int, accounts: Sequence[Ref]) -> dict[str, int]:
        erased: dict[str, int] = {}
        jobs = await self._erase_jobs(person_id, accounts)
        if jobs:
            erased[scheduled_jobs.name] = jobs
        for table, columns in _personal_tables():
            condition = or_(*(_matches(c, person_id, accounts) for c in columns))
            result = await self.conn.execute(delete(table).where(condition))
            if result.rowcount:
                erased[table.name] = erased.get(table.name, 0) + int(result.rowcount)
        return erased

    async def _erase_jobs(self, person_id: int, accounts: Sequence[Ref]) -> int:
        """Pending jobs whose payload names the person (reminders, nudges) go too."""
        needles = [f'"person_id": {person_id},', f'"person_id": {person_id}}}']
        needles += [f'"{a}"' for a in accounts]
        conditions = [scheduled_jobs.c.payload.contains(n, autoescape=True) for n in needles]
        result = await self.conn.execute(
            delete(scheduled_jobs).where(scheduled_jobs.c.done_at.is_(None), or_(*conditions))
        )
        return int(result.rowcount)

    async def remaining(self, person_id: int, accounts: Sequence[Ref]) -> dict[str, int]:
        left: dict[str, int] = {}
        for table, rows in (await self.dump(person_id, accounts)).items():
            left[table] = len(rows)
        return left
