"""One post per channel per interval: Slack's posting limit, kept by waiting our turn.

chat.postMessage allows about one message per second per channel; bursts beyond
that get `429 ratelimited`. A welcome wave or a poll closing in a busy channel would
hit that, so posts to one channel queue behind each other (other channels do not
wait). The SDK's retry handler still covers a 429 that slips through.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager


class ChannelPacer:
    def __init__(
        self,
        interval: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        size: int = 2048,
    ) -> None:
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._size = size
        self._lanes: OrderedDict[str, tuple[asyncio.Lock, list[float]]] = OrderedDict()

    def _lane(self, channel: str) -> tuple[asyncio.Lock, list[float]]:
        lane = self._lanes.get(channel)
        if lane is None:
            lane = (asyncio.Lock(), [float("-inf")])
            self._lanes[channel] = lane
            self._forget_idle()
        self._lanes.move_to_end(channel)
        return lane

    def _forget_idle(self) -> None:
        while len(self._lanes) > self._size:
            channel, (lock, _last) = next(iter(self._lanes.items()))
            if lock.locked():
                break
            del self._lanes[channel]

    @asynccontextmanager
    async def turn(self, channel: str) -> AsyncIterator[None]:
        """Wait until `channel` may receive a post, then hold it while posting."""
        if self.interval <= 0:
            yield
            return
        lock, last = self._lane(channel)
        async with lock:
            wait = last[0] + self.interval - self._clock()
            if wait > 0:
                await self._sleep(wait)
            try:
                yield
            finally:
                last[0] = self._clock()
