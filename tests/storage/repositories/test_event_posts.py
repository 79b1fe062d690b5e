"""Copies of event posts in bridged channels, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, inspect, select

from bot.features.events.store import EventStore, NewEvent, Post
from bot.model import Ref
from storage.engine import SqlStorage, create_engine
from storage.migrate import current_heads, upgrade
from storage.tables.events import event_posts, events

AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
GENERAL = Ref("discord", "guild", "c-general")
SLACK_EVENTS = Ref("slack", "T1", "C-events")


def new_event(title: str, channel: Ref = GENERAL) -> NewEvent:
    starts = AT + timedelta(days=5)
    return NewEvent(title, channel, None, starts, "Europe/Oslo", timedelta(hours=1), None, None)


async def test_posts_are_the_own_post_first_then_each_copy_once(storage: SqlStorage) -> None:
    async with storage.unit_of_work() as uow:
        store = uow.get(EventStore)  # type: ignore[type-abstract]
        made = await store.create(new_event("Board games"), AT)
        assert await store.posts(made.id) == []
        copy = Post(SLACK_EVENTS.sibling("C-events/1700.1"), SLACK_EVENTS)
        await store.add_copy(made.id, copy)
        await store.add_copy(made.id, copy)  # a retried event adds nothing
        await store.set_post(made.id, GENERAL.sibling("c-general/m1"))
    async with storage.unit_of_work() as uow:
        store = uow.get(EventStore)  # type: ignore[type-abstract]
        assert await store.posts(made.id) == [
            Post(GENERAL.sibling("c-general/m1"), GENERAL),
            copy,
        ]
        assert await store.posts(made.id + 1) == []


async def test_upcoming_on_a_platform_includes_events_copied_there(storage: SqlStorage) -> None:
    async with storage.unit_of_work() as uow:
        store = uow.get(EventStore)  # type: ignore[type-abstract]
        bridged = await store.create(new_event("Bridged"), AT)
        await store.set_post(bridged.id, GENERAL.sibling("c-general/m1"))
        await store.add_copy(bridged.id, Post(SLACK_EVENTS.sibling("C-events/1"), SLACK_EVENTS))
        await store.create(new_event("Discord only"), AT)
        await store.create(new_event("Slack only", SLACK_EVENTS), AT)
        other = Ref("slack", "T2", "C-x")
        elsewhere = await store.create(new_event("Other workspace", other), AT)
        await store.add_copy(elsewhere.id, Post(other.sibling("C-x/1"), other))
    async with storage.unit_of_work() as uow:
        store = uow.get(EventStore)  # type: ignore[type-abstract]
        on_slack = await store.upcoming("slack", "T1", AT, 10)
        assert [e.title for e in on_slack] == ["Bridged", "Slack only"]
        on_discord = await store.upcoming("discord", "guild", AT, 10)
        assert [e.title for e in on_discord] == ["Bridged", "Discord only"]
        assert len(await store.upcoming(None, None, AT, 10)) == 4


async def test_events_0002_adds_the_copies_table_and_keeps_existing_events(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        await upgrade(engine, "0001")
        await upgrade(engine, "events_0001")
        async with engine.begin() as conn:
            await conn.execute(
                insert(events).values(
                    id=1,
                    platform="discord",
                    workspace="guild",
                    channel_ref=str(GENERAL),
                    title="Made before bridging",
                    starts_at=AT,
                    timezone="Europe/Oslo",
                    duration_minutes=60,
                    post_ref=str(GENERAL.sibling("c-general/m1")),
                    created_at=AT,
                )
            )
            names = await conn.run_sync(lambda c: inspect(c).get_table_names())
            assert "event_posts" not in names
        await upgrade(engine, "events_0002")
        assert "events_0002" in await current_heads(engine)
        async with engine.begin() as conn:
            names = await conn.run_sync(lambda c: inspect(c).get_table_names())
            assert "event_posts" in names
            await conn.execute(
                insert(event_posts).values(
                    event_id=1,
                    platform="slack",
                    workspace="T1",
                    channel_id="C-events",
                    message_id="C-events/1",
                )
            )
            kept = (await conn.execute(select(events.c.post_ref))).scalar_one()
            assert kept == str(GENERAL.sibling("c-general/m1"))
    finally:
        await engine.dispose()
