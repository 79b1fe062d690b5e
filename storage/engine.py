"""The async engine and the unit of work every event and job runs in.

SQLite is the zero-setup default: WAL mode, foreign keys on, and one writer at a
time (an asyncio lock, since SQLite allows one writer anyway and waiting in Python
beats `database is locked`). Units of work begin with `BEGIN IMMEDIATE`, so a
second process on the same file (an `agora` CLI command, a second instance) waits
for the write lock instead of failing. PostgreSQL gets a pool with pre-ping, so a
restarted server is reconnected to transparently, and timeouts on connecting, on
every statement and on waiting for the pool, so a network that swallows packets
becomes "unavailable" in seconds instead of a hang.

Every way the database can be away — refused, dropped mid-statement, timed out, a
transaction SQLAlchemy will not go on with because its connection died — reaches
the core as `StorageUnavailable`, at the statement that met it; and while the
database is known to be down, units of work are refused at once (`reconnect.py`).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast
from urllib.parse import quote

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    DBAPIError,
    InterfaceError,
    OperationalError,
    PendingRollbackError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncTransaction,
    create_async_engine,
)
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql.dml import UpdateBase

from bot.ports import StorageUnavailable
from storage import sqlite_driver
from storage.reconnect import ReconnectBackoff
from storage.repositories import implementation

R = TypeVar("R")

# Group-commit lanes on PostgreSQL (see `bot.ports.Storage.lanes`). One: batches
# in two lanes lock rows (kudos totals, badges) in different orders, and a 60 s flood
# of /kudos had 26 events fail on "deadlock detected". More lanes need the dispatcher
# to retry an event that lost a deadlock; until then, one writer as on SQLite.
POSTGRES_LANES = 1

# Execution option marking a SQLite engine whose transactions write (see on_begin).
_WRITER_OPTION = "agora_writer"

_TRANSIENT_TEXT = ("database is locked", "connection", "terminating", "server closed", "refused")
# asyncpg's exceptions for a connection that is gone (ConnectionDoesNotExistError, "the
# connection was closed in the middle of operation", and its kin), by class name: the
# adapted DBAPI error SQLAlchemy raises keeps the original as its cause.
_ASYNCPG_LOST = ("PostgresConnectionError", "ConnectionDoesNotExistError", "ConnectionFailureError")


def is_outage(error: BaseException) -> bool:
    """True for 'the database is not there right now', False for bugs in our SQL."""
    if isinstance(error, OSError | ConnectionError | asyncio.TimeoutError | PoolTimeout):
        return True
    # The connection died earlier in this transaction; SQLAlchemy refuses to go on.
    if isinstance(error, PendingRollbackError):
        return True
    if isinstance(error, DBAPIError) and (error.connection_invalidated or _lost(error.orig)):
        return True
    if isinstance(error, OperationalError | InterfaceError):
        message = str(error.orig if error.orig is not None else error).lower()
        return any(part in message for part in _TRANSIENT_TEXT)
    orig = getattr(error, "orig", None)
    return isinstance(orig, OSError | ConnectionError)


def _lost(orig: BaseException | None) -> bool:
    """An asyncpg error (or the adapter's wrapper of one) saying the connection is gone."""
    seen = 0
    while orig is not None and seen < 4:
        if isinstance(orig, OSError | asyncio.TimeoutError):
            return True
        if any(klass.__name__ in _ASYNCPG_LOST for klass in type(orig).__mro__):
            return True
        orig, seen = orig.__cause__ or orig.__context__, seen + 1
    return False


@contextmanager
def outages_reported() -> Iterator[None]:
    """Re-raise a database outage met inside as `StorageUnavailable`; other errors pass."""
    try:
        yield
    except StorageUnavailable:
        raise
    except Exception as error:
        if is_outage(error):
            raise StorageUnavailable(str(error)) from error
        raise


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds to wait for PostgreSQL (`[storage]` in agora.toml); SQLite ignores them."""

    connect: float = 5.0
    command: float = 15.0
    pool: float = 10.0


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL; None for other databases and in-memory ones."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or database in (None, "", ":memory:"):
        return None
    if database.startswith("file:"):  # a URI filename: file:/path?mode=…
        return Path(database.removeprefix("file:").split("?", 1)[0])
    return Path(database)


def cannot_open(error: BaseException) -> bool:
    """True when SQLite could not open or write its file (a path or permission problem)."""
    if not isinstance(error, OperationalError):
        return False
    message = str(error.orig if error.orig is not None else error).lower()
    return "unable to open database file" in message or "readonly database" in message


def create_engine(
    url: str, *, echo: bool = False, timeouts: Timeouts = Timeouts(), read_only: bool = False
) -> AsyncEngine:
    """`read_only`: for looking only (`agora health`, `agora db status`): a SQLite file is
    opened read-only and never created; PostgreSQL sessions refuse writes."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        memory = parsed.database in (None, "", ":memory:")
        kwargs: dict[str, Any] = {"connect_args": {"timeout": 30}, "module": sqlite_driver.dbapi()}
        if memory:
            kwargs["poolclass"] = StaticPool
        elif read_only:
            path = quote(str(Path(str(parsed.database)).absolute()))
            url = f"sqlite+aiosqlite:///file:{path}?mode=ro&uri=true"
        engine = create_async_engine(url, echo=echo, **kwargs)
        _configure_sqlite(engine, memory, writable=not read_only)
        return engine
    # asyncpg: `timeout` bounds connecting, `command_timeout` every statement (pre-ping,
    # BEGIN, COMMIT included).
    connect_args: dict[str, Any] = {
        "timeout": timeouts.connect,
        "command_timeout": timeouts.command,
    }
    if read_only:
        connect_args["server_settings"] = {"default_transaction_read_only": "on"}
    return create_async_engine(
        url,
        echo=echo,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=10,
        pool_timeout=timeouts.pool,
        connect_args=connect_args,
    )


def _configure_sqlite(engine: AsyncEngine, memory: bool, *, writable: bool = True) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, own transactions, so SAVEPOINT works.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if writable and not memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

        # SQLite's own lower() folds ASCII only; PostgreSQL's folds every letter. Names
        # are compared case-insensitively, so "Åse" must find "åse" on both.
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)

    @event.listens_for(sync_engine, "begin")
    def on_begin(conn: Any) -> None:
        # A deferred BEGIN that reads, then writes, fails at once ("database is locked")
        # when another connection wrote in between; IMMEDIATE takes the write lock
        # first, under busy_timeout. Read-only connections keep the cheap BEGIN.
        immediate = conn.get_execution_options().get(_WRITER_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _lower(value: str | None) -> str | None:
    return value.lower() if isinstance(value, str) else value


class _Savepoint:
    """A savepoint asked for; opened on the database only once a statement runs in it."""

    __slots__ = ("transaction",)

    def __init__(self) -> None:
        self.transaction: AsyncTransaction | None = None


class LazySavepoints:
    """The unit of work's connection as repositories see it.

    Every handler runs in a savepoint so that its failure undoes only its own writes.
    Most handlers look at an event and decide it is not theirs without a single
    statement; for them SAVEPOINT and RELEASE would be two wasted round trips (half of
    all statements on the ingest path). So a savepoint is opened just before the first
    statement that runs inside it, and one never opened costs nothing.

    Savepoints still pending when a statement comes (an event's and its handler's,
    with nothing run in between) share one real SAVEPOINT: rolling back to it undoes
    exactly what the innermost did, as nothing ran in the outer ones before. When the
    inner one ends well the outer keeps the SAVEPOINT; when it fails, the outer ones
    are pending again. A statement that fails on PostgreSQL therefore always has a
    savepoint to roll back to, and a handler that only returned has nothing to undo.
    """

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self._stack: list[_Savepoint] = []
        # Bumped by every INSERT/UPDATE/DELETE on a table and by every rollback to a
        # savepoint: what a repository read earlier in this transaction is still
        # true while the numbers it depends on have not moved.
        self.writes: Counter[str] = Counter()
        self.rollbacks = 0

    def generation(self, *tables: str) -> int:
        return sum(self.writes[t] for t in tables) + self.rollbacks

    @property
    def dialect(self) -> Any:
        return self._conn.dialect

    async def execute(self, statement: Any, *args: Any, **kwargs: Any) -> Any:
        # An outage met here surfaces as StorageUnavailable inside the handler, so the
        # core tells it from a bug (a handler's savepoint logs bugs, not outages).
        with outages_reported():
            await self._open_pending()
            if isinstance(statement, UpdateBase):
                self.writes[str(getattr(statement.table, "name", ""))] += 1
            return await self._conn.execute(statement, *args, **kwargs)

    async def _open_pending(self) -> None:
        pending = [s for s in self._stack if s.transaction is None]
        if pending:
            shared = await self._conn.begin_nested()
            for savepoint in pending:
                savepoint.transaction = shared

    def _shared(self, transaction: AsyncTransaction) -> list[_Savepoint]:
        return [s for s in self._stack if s.transaction is transaction]

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        savepoint = _Savepoint()
        self._stack.append(savepoint)
        try:
            yield
        except BaseException as error:
            self._stack.remove(savepoint)
            if savepoint.transaction is not None:
                self.rollbacks += 1
                for outer in self._shared(savepoint.transaction):
                    outer.transaction = None
                await self._roll_back(savepoint.transaction, error)
            raise
        self._stack.remove(savepoint)
        if savepoint.transaction is not None and not self._shared(savepoint.transaction):
            with outages_reported():
                await savepoint.transaction.commit()

    @staticmethod
    async def _roll_back(transaction: AsyncTransaction, error: BaseException) -> None:
        """Undo a savepoint; when the connection is gone, the outage is what is raised."""
        try:
            with outages_reported():
                await transaction.rollback()
        except StorageUnavailable:
            if isinstance(error, StorageUnavailable):
                return  # already on its way up
            raise


class SqlUnitOfWork:
    def __init__(self, conn: AsyncConnection) -> None:
        # What repositories (and tests that write directly) execute on.
        self.conn = LazySavepoints(conn)
        self._repos: dict[type, object] = {}

    def get(self, repo: type[R]) -> R:
        found = self._repos.get(repo)
        if found is None:
            found = implementation(repo)(self.conn)
            self._repos[repo] = found
        return cast(R, found)

    def savepoint(self) -> AbstractAsyncContextManager[None]:
        return self.conn.savepoint()


class SqlStorage:
    """Implements `bot.ports.Storage` on an async SQLAlchemy engine."""

    def __init__(self, engine: AsyncEngine, backoff: ReconnectBackoff | None = None) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        serial = self.dialect == "sqlite"
        self.lanes = 1 if serial else POSTGRES_LANES
        self._write_lock = asyncio.Lock() if serial else None
        self._writer = engine.execution_options(**{_WRITER_OPTION: True})
        self.backoff = backoff or ReconnectBackoff()

    def unit_of_work(self) -> AbstractAsyncContextManager[SqlUnitOfWork]:
        return self._unit_of_work()

    @asynccontextmanager
    async def _unit_of_work(self) -> AsyncIterator[SqlUnitOfWork]:
        if self._write_lock is None:
            async with self._transaction() as uow:
                yield uow
        else:
            async with self._write_lock, self._transaction() as uow:
                yield uow

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[SqlUnitOfWork]:
        async with self._reporting_outages(self._writer.begin) as conn:
            yield SqlUnitOfWork(conn)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[SqlUnitOfWork | None]:
        if isinstance(self.engine.sync_engine.pool, StaticPool):
            yield None  # one shared connection: a second transaction cannot open on it
            return
        async with self._reporting_outages(self.engine.connect) as conn:
            transaction = await conn.begin()
            try:
                yield SqlUnitOfWork(conn)
            finally:
                await transaction.rollback()

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConnection]:
        """A plain read connection (reports, exports)."""
        async with self._reporting_outages(self.engine.connect) as conn:
            yield conn

    @asynccontextmanager
    async def _reporting_outages(
        self, open_connection: Callable[[], AbstractAsyncContextManager[AsyncConnection]]
    ) -> AsyncIterator[AsyncConnection]:
        """Turn "the database is not there" into `StorageUnavailable`, and only that.

        What the caller's own code raises passes unchanged unless SQLAlchemy raised it:
        a chat platform hanging up inside a handler (a `ConnectionError` too) is that
        platform's failure, and must not be reported as a database outage. Each outage
        feeds the shared backoff; while it holds, nothing is attempted at all.
        """
        self.backoff.admit()
        own: BaseException | None = None
        try:
            async with open_connection() as conn:
                try:
                    yield conn
                except BaseException as error:
                    own = error
                    raise
        except StorageUnavailable:
            self.backoff.failed()
            raise
        except Exception as error:
            if is_outage(error) and (error is not own or isinstance(error, DBAPIError)):
                self.backoff.failed()
                raise StorageUnavailable(str(error)) from error
            self.backoff.succeeded()  # the database answered; the error is ours
            raise
        self.backoff.succeeded()

    async def healthy(self) -> bool:
        """Can a statement run now? Never slower than the configured timeouts; while the
        database is known down, answered at once (or as the backoff's next probe)."""
        try:
            async with self._reporting_outages(self.engine.connect) as conn:
                with outages_reported():
                    await conn.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    async def close(self) -> None:
        await self.engine.dispose()
