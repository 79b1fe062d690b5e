"""Events and announcements repositories, the same suite on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from bot.features.announcements.store import AnnouncementStore
from bot.features.events.store import Answer, EventStore, NewEvent
from bot.model import Member, Ref
from bot.ports import Directory, PersonData
from storage.engine import SqlStorage

T = TypeVar("T")
AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
GENERAL = Ref("discord", "guild", "c-general")


@asynccontextmanager
async def repo(storage: SqlStorage, protocol: type[T]) -> AsyncIterator[T]:
    async with storage.unit_of_work() as uow:
        yield uow.get(protocol)


async def people(storage: SqlStorage, *names: str, platform: str = "discord") -> dict[str, int]:
    found = {}
    async with repo(storage, Directory) as directory:  # type: ignore[type-abstract]
        for name in names:
            record = await directory.member_joined(
                Member(Ref(platform, "guild", f"u-{name}"), name), AT
            )
            found[name] = record.person_id
    return found


def ref(name: str, platform: str = "discord") -> Ref:
    return Ref(platform, "guild", f"u-{name}")


def new_event(title: str = "Board games", starts: datetime = AT + timedelta(days=5)) -> NewEvent:
    return NewEvent(title, GENERAL, None, starts, "Europe/Oslo", timedelta(hours=2), 2, "weekly")


async def test_events_round_trip_and_answers_keep_their_order(storage: SqlStorage) -> None:
    ids = await people(storage, "carol", "dave", "erin")
    async with repo(storage, EventStore) as store:  # type: ignore[type-abstract]
        made = await store.create(new_event(), AT)
        await store.set_post(made.id, Ref("discord", "guild", "c-general/m1"))
        for name in ("carol", "dave", "erin"):
            await store.answer(made.id, ids[name], ref(name), Answer.WAITLIST, AT)
        await store.answer(made.id, ids["carol"], ref("carol"), Answer.GOING, AT)
    async with repo(storage, EventStore) as store:  # type: ignore[type-abstract]
        found = await store.get(made.id)
        assert found is not None
        assert found.starts_at == AT + timedelta(days=5) and found.duration == timedelta(hours=2)
        assert found.capacity == 2 and found.recurrence == "weekly" and not found.cancelled
        assert found.post == Ref("discord", "guild", "c-general/m1")
        order = [(r.person_id, r.answer) for r in await store.rsvps(made.id)]
        assert order == [
            (ids["dave"], Answer.WAITLIST),
            (ids["erin"], Answer.WAITLIST),
            (ids["carol"], Answer.GOING),
        ]


async def test_upcoming_skips_cancelled_and_finished_events(storage: SqlStorage) -> None:
    async with repo(storage, EventStore) as store:  # type: ignore[type-abstract]
        past = await store.create(new_event("Past", AT - timedelta(hours=3)), AT)
        running = await store.create(new_event("Running", AT - timedelta(hours=1)), AT)
        later = await store.create(new_event("Later", AT + timedelta(days=2)), AT)
        gone = await store.create(new_event("Gone", AT + timedelta(days=1)), AT)
        await store.cancel(gone.id, AT)
        found = await store.upcoming("discord", "guild", AT, 10)
        assert [e.title for e in found] == ["Running", "Later"]
        assert await store.upcoming("slack", None, AT, 10) == []
        assert [e.id for e in await store.everything()] == [past.id, running.id, gone.id, later.id]


async def test_event_counts_and_forgetting(storage: SqlStorage) -> None:
    ids = await people(storage, "carol", "dave")
    async with repo(storage, EventStore) as store:  # type: ignore[type-abstract]
        made = await store.create(
            NewEvent(
                "Meetup",
                GENERAL,
                ids["carol"],
                AT + timedelta(days=1),
                "UTC",
                timedelta(hours=1),
                None,
                None,
            ),
            AT,
        )
        await store.answer(made.id, ids["carol"], ref("carol"), Answer.GOING, AT)
        await store.answer(made.id, ids["dave"], ref("dave"), Answer.NO, AT)
        counts = await store.counts(AT, AT + timedelta(days=7), None)
        assert counts == (1, 1, 1)
        assert await store.counts(AT, AT + timedelta(days=7), "slack") == (0, 0, 0)
        await store.release_person(ids["carol"])
    async with repo(storage, PersonData) as data:  # type: ignore[type-abstract]
        await data.erase(ids["carol"], [ref("carol")])
    async with repo(storage, EventStore) as store:  # type: ignore[type-abstract]
        found = await store.get(made.id)
        assert found is not None and found.creator_person_id is None
        assert [r.person_id for r in await store.rsvps(made.id)] == [ids["dave"]]


async def test_announcements_acks_once_and_readers_per_person(storage: SqlStorage) -> None:
    ids = await people(storage, "alice", "carol", "dave")
    await people(storage, "sam", platform="slack")
    async with repo(storage, Directory) as directory:  # type: ignore[type-abstract]
        await directory.member_left(ref("dave"), AT)
    async with repo(storage, AnnouncementStore) as store:  # type: ignore[type-abstract]
        made = await store.create(
            GENERAL, ids["alice"], "Storm", pin=True, ack=True, all_platforms=True, at=AT
        )
        await store.add_posts(
            made.id, [Ref("discord", "guild", "c-general/m1"), Ref("slack", "guild", "C1/1.2")]
        )
        assert await store.acknowledge(made.id, ids["carol"], ref("carol"), AT)
        assert not await store.acknowledge(made.id, ids["carol"], ref("carol"), AT)
    async with repo(storage, AnnouncementStore) as store:  # type: ignore[type-abstract]
        found = await store.get(made.id)
        assert found is not None and found.workspaces == (("discord", "guild"), ("slack", "guild"))
        readers = await store.readers(found.workspaces)
        assert [r.label for r in readers] == ["alice", "carol", "sam"]  # dave left
        assert [a.person_id for a in await store.acks(made.id)] == [ids["carol"]]
        assert await store.ack_counts([made.id]) == {made.id: 1}
        assert [a.id for a in await store.recent("slack", "guild", 5)] == [made.id]
        assert await store.counts(AT, AT + timedelta(days=1), None) == (1, 1, 1)
        assert await store.counts(AT, AT + timedelta(days=1), "slack") == (0, 0, 0)
        written, acked = await store.of_person(ids["carol"])
        assert written == [] and [a.id for a, _ack in acked] == [made.id]
        await store.release_person(ids["alice"])
        found = await store.get(made.id)
        assert found is not None and found.author_person_id is None
