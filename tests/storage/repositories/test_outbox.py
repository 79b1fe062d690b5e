"""The outbox table on SQLite and PostgreSQL: claims, take-over, delivery, forgetting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, text

from bot.model import Member, Outgoing, Ref
from bot.ports import Directory, OutboxStore, Parcel, PersonData
from storage.engine import SqlStorage
from storage.tables.outbox import outbox

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BOB = Ref("discord", "guild", "2")
GENERAL = Ref("discord", "guild", "c1")


async def _rows(storage: SqlStorage) -> list[tuple[int, str, int | None, str]]:
    async with storage.connection() as conn:
        found = await conn.execute(
            select(outbox.c.id, outbox.c.target, outbox.c.person_id, outbox.c.claimed_by).order_by(
                outbox.c.id
            )
        )
        return [tuple(row) for row in found.all()]  # type: ignore[misc]


async def test_messages_are_kept_in_order_with_the_dm_recipients_person(
    storage: SqlStorage,
) -> None:
    async with storage.unit_of_work() as uow:
        bob = await uow.get(Directory).upsert_member(Member(BOB, "bob"), AT)  # type: ignore[type-abstract]
        ids = await uow.get(OutboxStore).add(  # type: ignore[type-abstract]
            [Outgoing("hi bob", dm=BOB), Outgoing("hello all", channel=GENERAL)], "one", AT
        )
    assert ids == sorted(ids) and len(ids) == 2
    rows = await _rows(storage)
    assert rows == [
        (ids[0], str(BOB), bob.person_id, "one"),
        (ids[1], str(GENERAL), None, "one"),
    ]


async def test_a_rolled_back_unit_of_work_leaves_nothing(storage: SqlStorage) -> None:
    try:
        async with storage.unit_of_work() as uow:
            await uow.get(OutboxStore).add([Outgoing("x", channel=GENERAL)], "one", AT)  # type: ignore[type-abstract]
            raise RuntimeError("the change failed")
    except RuntimeError:
        pass
    assert await _rows(storage) == []


async def test_only_stale_claims_are_taken_over_and_only_once(storage: SqlStorage) -> None:
    async with storage.unit_of_work() as uow:
        store = uow.get(OutboxStore)  # type: ignore[type-abstract]
        old = await store.add([Outgoing("old", channel=GENERAL)], "dead", AT)
        fresh = await store.add([Outgoing("fresh", channel=GENERAL)], "alive", AT)
        await store.keep_claims("alive", AT + timedelta(minutes=5))
    later = AT + timedelta(minutes=5)
    async with storage.unit_of_work() as uow:
        taken = await uow.get(OutboxStore).take_over(  # type: ignore[type-abstract]
            "new", later, later - timedelta(seconds=45), 10
        )
    assert [(p.id, p.out.text) for p in taken] == [(old[0], "old")]
    async with storage.unit_of_work() as uow:
        again = await uow.get(OutboxStore).take_over(  # type: ignore[type-abstract]
            "other", later, later - timedelta(seconds=45), 10
        )
    assert again == []
    assert [r[3] for r in await _rows(storage)] == ["new", "alive"]
    async with storage.unit_of_work() as uow:
        await uow.get(OutboxStore).delivered([old[0], fresh[0]])  # type: ignore[type-abstract]
    assert await _rows(storage) == []


async def test_a_message_taken_over_keeps_the_key_its_first_run_sent_it_with(
    storage: SqlStorage,
) -> None:
    """Platforms tell a repeat by the key (`Once`): it must survive the round trip."""
    written = AT.replace(microsecond=123457)
    out = Outgoing("welcome", channel=GENERAL)
    async with storage.unit_of_work() as uow:
        [row_id] = await uow.get(OutboxStore).add([out], "dead", written)  # type: ignore[type-abstract]
    first_run = Parcel(row_id, out, written)
    later = written + timedelta(minutes=1)
    async with storage.unit_of_work() as uow:
        [taken] = await uow.get(OutboxStore).take_over("new", later, later, 10)  # type: ignore[type-abstract]
    assert not first_run.once.resumed and taken.once.resumed
    assert taken.once.key == first_run.once.key
    assert taken.once.since == written


async def test_a_page_is_the_oldest_rows(storage: SqlStorage) -> None:
    async with storage.unit_of_work() as uow:
        ids = await uow.get(OutboxStore).add(  # type: ignore[type-abstract]
            [Outgoing(str(n), channel=GENERAL) for n in range(5)], "dead", AT
        )
    async with storage.unit_of_work() as uow:
        page = await uow.get(OutboxStore).take_over("new", AT, AT + timedelta(seconds=1), 3)  # type: ignore[type-abstract]
    assert [p.id for p in page] == ids[:3]
    assert [p.out.text for p in page] == ["0", "1", "2"]


async def test_an_unreadable_row_is_dropped_and_the_rest_delivered(storage: SqlStorage) -> None:
    async with storage.unit_of_work() as uow:
        ids = await uow.get(OutboxStore).add(  # type: ignore[type-abstract]
            [Outgoing("a", channel=GENERAL), Outgoing("b", channel=GENERAL)], "dead", AT
        )
    async with storage.connection() as conn:
        await conn.execute(
            text("UPDATE outbox SET payload = :p WHERE id = :i"), {"p": "{broken", "i": ids[0]}
        )
        await conn.commit()
    async with storage.unit_of_work() as uow:
        page = await uow.get(OutboxStore).take_over("new", AT, AT + timedelta(seconds=1), 10)  # type: ignore[type-abstract]
    assert [p.out.text for p in page] == ["b"]
    assert [r[0] for r in await _rows(storage)] == [ids[1]]


async def test_forgetting_a_person_drops_their_waiting_dms(storage: SqlStorage) -> None:
    async with storage.unit_of_work() as uow:
        bob = await uow.get(Directory).upsert_member(Member(BOB, "bob"), AT)  # type: ignore[type-abstract]
        await uow.get(OutboxStore).add(  # type: ignore[type-abstract]
            [Outgoing("for bob", dm=BOB), Outgoing("for all", channel=GENERAL)], "one", AT
        )
    async with storage.unit_of_work() as uow:
        await uow.get(PersonData).erase(bob.person_id, [BOB])  # type: ignore[type-abstract]
    async with storage.connection() as conn:
        left = (await conn.execute(select(func.count()).select_from(outbox))).scalar_one()
    assert left == 1
