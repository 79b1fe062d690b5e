"""SQLAlchemy's aiosqlite adapter, with one thread round trip per statement.

aiosqlite runs every call on its connection's own thread, and each call is a round
trip: queue the call, wake that thread, wake the event loop with the answer. The
stock adapter makes four per statement — make a cursor, execute, fetch the rows,
close the cursor — each ~100 µs on a small VM, so one `SELECT` by primary key cost
~600 µs, most of it waiting on the hand-offs (measured in `bench/README.md`). A
`/kudos` is a dozen statements, so at 200 commands/s the single SQLite writer was
saturated by hand-offs alone.

Here the four steps run as one function on aiosqlite's thread; the cursor SQLAlchemy
sees is a plain holder of the outcome (description, rows, rowcount, lastrowid).
Nothing else changes: same `sqlite+aiosqlite://` URLs, same transactions and
savepoints, same errors (they are raised on the thread and re-raised here exactly
as the stock adapter re-raises them). Server-side cursors keep the stock class.
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Sequence
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT, await_

_Outcome = tuple[Any, list[Any], int, int | None]


def _run(conn: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> _Outcome:
    """Everything one statement needs from SQLite, on aiosqlite's thread."""
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose statement runs in a single hop to the driver thread."""

    __slots__ = ("_arraysize", "_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        # No driver cursor is made here (that would be a round trip of its own).
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None
        self._arraysize = 1

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]

    @property
    def arraysize(self) -> int:
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value

    async def _async_soft_close(self) -> None:
        """Nothing to close: the driver cursor is gone once the statement returned."""

    def close(self) -> None:
        self._rows.clear()

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        return await self._hop(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        return await self._hop(operation, seq_of_parameters, many=True)

    async def _hop(self, operation: Any, parameters: Any, *, many: bool) -> None:
        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        async with self._adapt_connection._execute_mutex:
            outcome: _Outcome = await connection._execute(  # type: ignore[no-untyped-call]
                _run, connection._conn, operation, parameters, many
            )
        self._description, rows, self._rowcount, self._lastrowid = outcome
        self._rows = collections.deque(rows)

    def nextset(self) -> None:
        self._rows.clear()

    def setinputsizes(self, *inputsizes: Any) -> None:
        """SQLite has no input sizes (the stock adapter's call is a no-op too)."""

    def fetchall(self) -> Sequence[Any]:
        rows = list(self._rows)
        self._rows.clear()
        return rows


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = OneHopCursor  # type: ignore[assignment]


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The DBAPI module handed to `create_async_engine(module=...)`."""

    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        if "async_creator_fn" in kw:
            stock = super().connect(*arg, **kw)
            return OneHopConnection(self, stock._connection)
        connection = aiosqlite.connect(*arg, **kw)
        connection._thread.daemon = True  # as SQLAlchemy's stock adapter does
        try:
            opened: Any = await_(connection)
            return OneHopConnection(self, opened)
        except BaseException:
            # A file that cannot be opened: aiosqlite stops its thread, whose last act is
            # to answer on this event loop. Wait for it while the loop still exists, or
            # `agora` ends with a thread traceback under its own error message.
            connection._thread.join(timeout=5)
            raise


def dbapi() -> OneHopDBAPI:
    return OneHopDBAPI(aiosqlite, sqlite3)
