"""Small portable SQL helpers for repositories."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import Insert


def insert_ignore(conn: AsyncConnection, table: Table, *keys: str) -> Insert:
    """INSERT … ON CONFLICT DO NOTHING for the connection's dialect."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=list(keys) or None)
    return sqlite.insert(table).on_conflict_do_nothing(index_elements=list(keys) or None)


def upsert(
    conn: AsyncConnection,
    table: Table,
    keys: Sequence[str],
    values: Mapping[str, Any],
    changes: Mapping[str, Any],
) -> Insert:
    """INSERT `values`, or on a clash of the unique `keys` UPDATE with `changes`."""
    insert = (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(table)
    return insert.values(**values).on_conflict_do_update(index_elements=list(keys), set_=changes)


def dumps(value: Mapping[str, Any] | list[Any]) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def loads(text: str | None) -> Any:
    return json.loads(text) if text else {}
