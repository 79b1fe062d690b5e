"""UTCDateTime: the one rule for time in the database, identical on both backends."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import StatementError

from storage.engine import SqlStorage
from storage.schema import processed_events

OSLO = ZoneInfo("Europe/Oslo")


async def _store(storage: SqlStorage, event_id: str, at: datetime) -> None:
    async with storage.unit_of_work() as uow:
        await uow.conn.execute(insert(processed_events).values(event_id=event_id, processed_at=at))


async def _load(storage: SqlStorage, event_id: str) -> datetime:
    async with storage.connection() as conn:
        found: datetime = (
            await conn.execute(
                select(processed_events.c.processed_at).where(
                    processed_events.c.event_id == event_id
                )
            )
        ).scalar_one()
    return found


@pytest.mark.parametrize(
    "given",
    [
        datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=UTC),
        datetime(2026, 3, 29, 3, 30, tzinfo=OSLO),  # summer time, +02:00
        datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=OSLO),  # the second 02:30, +01:00
        datetime(2026, 1, 5, 23, 0, tzinfo=ZoneInfo("America/Los_Angeles")),
    ],
    ids=["utc", "oslo-summer", "oslo-fold", "los-angeles"],
)
async def test_an_aware_time_comes_back_as_the_same_instant_in_utc(
    storage: SqlStorage, given: datetime
) -> None:
    await _store(storage, "e", given)
    back = await _load(storage, "e")
    # (Compared in UTC: PEP 495 makes a time in a DST fold unequal to every other zone's.)
    assert back == given.astimezone(UTC)
    assert back.tzinfo is UTC
    assert back.timestamp() == given.timestamp()


async def test_a_naive_time_is_refused_and_nothing_is_written(storage: SqlStorage) -> None:
    with pytest.raises(StatementError) as caught:
        await _store(storage, "naive", datetime(2026, 1, 5, 9, 0))
    assert isinstance(caught.value.orig, ValueError)
    assert "naive" in str(caught.value.orig)
    async with storage.connection() as conn:
        assert (await conn.execute(select(processed_events))).first() is None


async def test_comparisons_in_sql_follow_instants_not_wall_clocks(storage: SqlStorage) -> None:
    """09:00 in Oslo (08:00 UTC) is earlier than 08:30 UTC, whatever the offsets say."""
    await _store(storage, "oslo", datetime(2026, 1, 5, 9, 0, tzinfo=OSLO))
    await _store(storage, "utc", datetime(2026, 1, 5, 8, 30, tzinfo=UTC))
    async with storage.connection() as conn:
        rows = await conn.execute(
            select(processed_events.c.event_id).order_by(processed_events.c.processed_at)
        )
        assert rows.scalars().all() == ["oslo", "utc"]
        earlier = await conn.execute(
            select(processed_events.c.event_id).where(
                processed_events.c.processed_at < datetime(2026, 1, 5, 9, 15, tzinfo=OSLO)
            )
        )
        assert earlier.scalars().all() == ["oslo"]
