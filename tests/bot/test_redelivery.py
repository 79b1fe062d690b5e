"""Events kept through a database outage: in arrival order, retried until handled or too old."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from adapters.memory.community import Community
from bot.clock import FakeClock
from bot.model import Event
from bot.redelivery import Redelivery


async def _until(check: object, limit: float = 2.0) -> None:
    for _ in range(int(limit / 0.01)):
        if callable(check) and check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("never happened")


async def test_waiting_events_go_in_order_once_the_database_answers() -> None:
    clock = FakeClock()
    community = Community(clock, "memory", "test")
    community.add_channel("general")
    community.add_member("carol")
    down = True
    handled: list[str] = []

    async def handle(event: Event) -> bool:
        if down:
            redelivery.offer(event)  # what the dispatcher does on StorageUnavailable
            return False
        handled.append(event.message.text)  # type: ignore[attr-defined]
        return True

    redelivery = Redelivery(handle, clock.now, delays=(0.01,))
    for text in ("one", "two", "three"):
        redelivery.offer(community.say("carol", "general", text))
    await asyncio.sleep(0.05)  # a few failed rounds
    assert handled == [] and redelivery.waiting == 3
    redelivery.offer(community.say("carol", "general", "four"))  # arrived meanwhile
    down = False
    await _until(lambda: redelivery.waiting == 0)
    assert handled == ["one", "two", "three", "four"]
    assert redelivery.redelivered == 4
    await redelivery.stop()


async def test_an_event_older_than_an_hour_is_dropped() -> None:
    clock = FakeClock()
    community = Community(clock, "memory", "test")
    community.add_channel("general")
    community.add_member("carol")
    handled: list[Event] = []

    async def handle(event: Event) -> bool:
        handled.append(event)
        return True

    redelivery = Redelivery(handle, clock.now, delays=(0.01,))
    old = community.say("carol", "general", "long ago")
    clock.advance(timedelta(hours=2))
    redelivery.offer(old)
    await _until(lambda: redelivery.waiting == 0)
    assert handled == [] and redelivery.dropped == 1
    await redelivery.stop()
