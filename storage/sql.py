"""Small portable SQL helpers for repositories."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import Insert

T = TypeVar("T")


def prepared(build: Callable[[str], T]) -> Callable[[AsyncConnection], T]:
    """A statement built once per dialect, for the hot paths.

    Building a SQLAlchemy statement is pure Python and not cheap: ~350 µs for the
    kudos trading check, more than executing it on SQLite. A statement built once
    with `bindparam`s is executed with a dict of values instead, and SQLAlchemy's
    cache key for it is memoized, so each use skips both costs. `build` gets the
    dialect name ("sqlite" or "postgresql") for the statements that differ.
    """
    built: dict[str, T] = {}

    def statement(conn: AsyncConnection) -> T:
        name = conn.dialect.name
        found = built.get(name)
        if found is None:
            found = built[name] = build(name)
        return found

    return statement


def dialect_insert(dialect: str, table: Table) -> postgresql.Insert | sqlite.Insert:
    """The dialect's own INSERT (with ON CONFLICT), by dialect name."""
    return (postgresql if dialect == "postgresql" else sqlite).insert(table)


def insert_ignore(conn: AsyncConnection, table: Table, *keys: str) -> Insert:
    """INSERT … ON CONFLICT DO NOTHING for the connection's dialect."""
    insert = dialect_insert(conn.dialect.name, table)
    return insert.on_conflict_do_nothing(index_elements=list(keys) or None)


def upsert(
    conn: AsyncConnection,
    table: Table,
    keys: Sequence[str],
    values: Mapping[str, Any],
    changes: Mapping[str, Any],
) -> Insert:
    """INSERT `values`, or on a clash of the unique `keys` UPDATE with `changes`."""
    insert = dialect_insert(conn.dialect.name, table)
    return insert.values(**values).on_conflict_do_update(index_elements=list(keys), set_=changes)


def dumps(value: Mapping[str, Any] | list[Any]) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def loads(text: str | None) -> Any:
    return json.loads(text) if text else {}
