"""Posting pace: one post per channel per interval, other channels never wait."""

from __future__ import annotations

import asyncio

from adapters.slack.pacing import ChannelPacer


class VirtualTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


async def test_posts_to_one_channel_are_spaced() -> None:
    time = VirtualTime()
    pacer = ChannelPacer(1.0, clock=time.clock, sleep=time.sleep)
    posted: list[tuple[str, float]] = []

    async def post(channel: str) -> None:
        async with pacer.turn(channel):
            posted.append((channel, time.now))

    await asyncio.gather(post("C1"), post("C1"), post("C2"), post("C1"))
    assert [t for c, t in posted if c == "C1"] == [100.0, 101.0, 102.0]
    assert time.slept == [1.0, 1.0]  # only C1 waited; C2 had its own lane


async def test_zero_interval_never_waits() -> None:
    time = VirtualTime()
    pacer = ChannelPacer(0, clock=time.clock, sleep=time.sleep)
    for _ in range(3):
        async with pacer.turn("C1"):
            pass
    assert time.slept == []


async def test_idle_channels_are_forgotten() -> None:
    time = VirtualTime()
    pacer = ChannelPacer(1.0, clock=time.clock, sleep=time.sleep, size=2)
    for channel in ("C1", "C2", "C3"):
        async with pacer.turn(channel):
            pass
    assert len(pacer._lanes) == 2
