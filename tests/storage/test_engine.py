"""The engine and the unit of work: transactions, savepoints, outages, SQLite pragmas."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, func, insert, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError, PendingRollbackError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.ports import EventLog, StorageUnavailable
from storage.engine import SqlStorage, create_engine, is_outage
from storage.schema import members, processed_events

AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
UNREACHABLE = "postgresql+asyncpg://postgres@127.0.0.1:1/none"


class Boom(Exception):
    pass


async def _event_ids(storage: SqlStorage) -> list[str]:
    async with storage.connection() as conn:
        rows = await conn.execute(
            select(processed_events.c.event_id).order_by(processed_events.c.event_id)
        )
        return list(rows.scalars())


@pytest.mark.backends("sqlite")
async def test_a_sqlite_file_runs_in_wal_mode_with_foreign_keys(storage: SqlStorage) -> None:
    async with storage.connection() as conn:
        assert (await conn.execute(text("PRAGMA journal_mode"))).scalar_one() == "wal"
        assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar_one() == 1


async def test_foreign_keys_are_enforced(storage: SqlStorage) -> None:
    row = {
        "platform": "memory",
        "workspace": "test",
        "external_id": "U1",
        "person_id": 999,
        "name": "nobody",
        "first_seen_at": AT,
        "last_seen_at": AT,
    }
    with pytest.raises(IntegrityError):
        async with storage.unit_of_work() as uow:
            await uow.conn.execute(insert(members).values(**row))


async def test_a_savepoint_rollback_undoes_only_its_own_writes(storage: SqlStorage) -> None:
    async with storage.unit_of_work() as uow:
        log = uow.get(EventLog)  # type: ignore[type-abstract]
        assert await log.claim(["before"], AT)
        with pytest.raises(Boom):
            async with uow.savepoint():
                assert await log.claim(["inside"], AT)
                raise Boom
        async with uow.savepoint():
            assert await log.claim(["kept"], AT)
        assert await log.claim(["after"], AT)
    assert await _event_ids(storage) == ["after", "before", "kept"]


async def test_a_failing_unit_of_work_commits_nothing(storage: SqlStorage) -> None:
    with pytest.raises(Boom):
        async with storage.unit_of_work() as uow:
            assert await uow.get(EventLog).claim(["lost"], AT)  # type: ignore[type-abstract]
            raise Boom
    assert await _event_ids(storage) == []


async def test_an_error_that_is_not_the_database_is_not_called_an_outage(
    storage: SqlStorage,
) -> None:
    """A platform call failing inside a unit of work is that failure, not 'storage down'."""
    with pytest.raises(ConnectionResetError):
        async with storage.unit_of_work() as uow:
            await uow.get(EventLog).claim(["lost"], AT)  # type: ignore[type-abstract]
            raise ConnectionResetError("the chat platform hung up")
    assert await _event_ids(storage) == []


async def test_an_unreachable_postgres_raises_storage_unavailable() -> None:
    storage = SqlStorage(create_engine(UNREACHABLE))
    try:
        with pytest.raises(StorageUnavailable):
            async with storage.unit_of_work():
                pytest.fail("the body must not run without a database")
        with pytest.raises(StorageUnavailable):
            async with storage.connection():
                pytest.fail("the body must not run without a database")
        assert await storage.healthy() is False
    finally:
        await storage.close()


async def test_healthy_when_the_database_answers(storage: SqlStorage) -> None:
    assert await storage.healthy() is True
    async with storage.connection() as conn:
        assert (await conn.execute(select(func.count()).select_from(members))).scalar_one() == 0


async def test_a_savepoint_without_statements_never_reaches_the_database(
    storage: SqlStorage,
) -> None:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement.split()[0].upper())

    event.listen(storage.engine.sync_engine, "before_cursor_execute", record)
    try:
        async with storage.unit_of_work() as uow:
            async with uow.savepoint():
                pass  # a handler that decided the event was not its business
            async with uow.savepoint(), uow.savepoint():
                await uow.get(EventLog).claim(["nested"], AT)  # type: ignore[type-abstract]
    finally:
        event.remove(storage.engine.sync_engine, "before_cursor_execute", record)
    # The two around the claim opened together: one SAVEPOINT serves both; none for the
    # empty one.
    assert seen.count("SAVEPOINT") == 1
    assert seen.count("RELEASE") == 1
    assert await _event_ids(storage) == ["nested"]


async def test_a_failing_inner_savepoint_sharing_the_outer_one_undoes_only_itself(
    storage: SqlStorage,
) -> None:
    """An event's savepoint and its first handler's open as one; the next still work."""
    async with storage.unit_of_work() as uow:
        log = uow.get(EventLog)  # type: ignore[type-abstract]
        async with uow.savepoint():  # the event
            with pytest.raises(Boom):
                async with uow.savepoint():  # a handler that fails
                    assert await log.claim(["failed handler"], AT)
                    raise Boom
            async with uow.savepoint():  # the next handler
                assert await log.claim(["next handler"], AT)
            assert await log.claim(["event"], AT)
        with pytest.raises(Boom):
            async with uow.savepoint():  # an event that fails after a handler succeeded
                async with uow.savepoint():
                    assert await log.claim(["handler of a failed event"], AT)
                assert await log.claim(["failed event"], AT)
                raise Boom
        assert await log.claim(["after"], AT)
    assert await _event_ids(storage) == ["after", "event", "next handler"]


class ConnectionDoesNotExistError(Exception):
    """Named like asyncpg's: what it raises when the server vanishes mid-statement."""


def _adapted(cause: BaseException) -> DBAPIError:
    """What SQLAlchemy's asyncpg adapter raises: a DBAPI error whose cause is asyncpg's."""
    adapted = Exception("connection was closed in the middle of operation")
    adapted.__cause__ = cause
    return DBAPIError("SELECT 1", {}, adapted, connection_invalidated=False)


@pytest.mark.parametrize(
    "error",
    [
        _adapted(ConnectionDoesNotExistError("connection was closed in the middle of operation")),
        _adapted(ConnectionResetError(104, "Connection reset by peer")),
        PendingRollbackError("Can't reconnect until invalid transaction is rolled back."),
        PoolTimeout("QueuePool limit of size 10 overflow 10 reached"),
        TimeoutError(),
        DBAPIError("SELECT 1", {}, Exception("gone"), connection_invalidated=True),
    ],
    ids=["asyncpg-closed", "reset", "pending-rollback", "pool-timeout", "timeout", "invalidated"],
)
def test_every_way_the_database_goes_away_is_an_outage(error: BaseException) -> None:
    assert is_outage(error)


@pytest.mark.parametrize(
    "error",
    [
        IntegrityError("INSERT", {}, Exception("duplicate key value violates unique constraint")),
        DBAPIError("SELECT nope", {}, Exception('column "nope" does not exist')),
        ValueError("a bug"),
    ],
    ids=["integrity", "bad-sql", "bug"],
)
def test_bugs_are_not_outages(error: BaseException) -> None:
    assert not is_outage(error)


async def test_reading_units_run_beside_a_writer_and_keep_nothing(storage: SqlStorage) -> None:
    """Reports read in units of work of their own: no write lock, nothing written stays."""
    async with storage.unit_of_work() as uow:
        await uow.get(EventLog).claim(["before"], AT)  # type: ignore[type-abstract]

    async def seen(uow: Any) -> set[str]:
        rows = await uow.conn.execute(select(processed_events.c.event_id))
        return set(rows.scalars())

    async with asyncio.timeout(30):  # a reader waiting for the writer would hang here
        async with storage.unit_of_work() as writer:
            await writer.get(EventLog).claim(["during"], AT)  # type: ignore[type-abstract]
            async with storage.reading() as one, storage.reading() as two:
                assert one is not None and two is not None and one is not two
                assert await seen(one) == await seen(two) == {"before"}  # committed only
    async with storage.reading() as reader:
        await reader.get(EventLog).claim(["by a report"], AT)  # type: ignore[union-attr, type-abstract]
        assert "by a report" in await seen(reader)
    assert await _event_ids(storage) == ["before", "during"]


async def test_reading_on_a_single_in_memory_connection_is_the_callers_own() -> None:
    memory = SqlStorage(create_engine("sqlite+aiosqlite:///:memory:"))
    try:
        async with memory.reading() as uow:
            assert uow is None
    finally:
        await memory.close()
