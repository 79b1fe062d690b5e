"""Keeping poll and idea messages current without flooding the platform.

A vote asks for its message to be re-rendered once the vote has committed. In a
quiet moment the render happens at once, so the voter sees the new count when the
click is answered. Requests arriving while a render runs, or within `interval`
seconds of the last one, only mark the message dirty; one background task renders
it again when the interval is over, and keeps going while votes keep coming. So
10,000 votes in a minute cause one edit every few seconds — what platforms allow —
never a queue of 10,000 edits, never a voter waiting for other voters' edits, and
the last edit always shows the final count.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable, Hashable

log = logging.getLogger(__name__)

Render = Callable[[], Awaitable[None]]


class Refresher:
    def __init__(self) -> None:
        self._busy: set[Hashable] = set()  # rendering now, or a catch-up is scheduled
        self._dirty: set[Hashable] = set()
        self._last: dict[Hashable, float] = {}
        self._background: set[asyncio.Task[None]] = set()

    async def request(self, key: Hashable, render: Render, interval: float = 0.0) -> None:
        """Render now, or make sure a render follows (at most one per `interval` s)."""
        if key in self._busy:
            self._dirty.add(key)
            return
        self._busy.add(key)
        if self._wait(key, interval) > 0:
            self._dirty.add(key)
            self._catch_up_later(key, render, interval)
            return
        try:
            await self._render(key, render)
        finally:
            if key in self._dirty:
                self._catch_up_later(key, render, interval)
            else:
                self._busy.discard(key)

    def _wait(self, key: Hashable, interval: float) -> float:
        now = asyncio.get_running_loop().time()
        return self._last.get(key, -math.inf) + interval - now

    def _catch_up_later(self, key: Hashable, render: Render, interval: float) -> None:
        task = asyncio.create_task(self._catch_up(key, render, interval), name=f"refresh {key}")
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _catch_up(self, key: Hashable, render: Render, interval: float) -> None:
        try:
            while key in self._dirty:
                wait = self._wait(key, interval)
                if wait > 0:
                    await asyncio.sleep(wait)
                self._dirty.discard(key)
                await self._render(key, render)
        finally:
            self._busy.discard(key)
            self._dirty.discard(key)

    async def _render(self, key: Hashable, render: Render) -> None:
        self._last[key] = asyncio.get_running_loop().time()
        try:
            await render()
        except Exception:
            log.exception("refreshing %s failed", key)

    async def settle(self) -> None:
        """Wait for background renders to finish (tests, benchmarks)."""
        while self._background:
            await asyncio.gather(*self._background, return_exceptions=True)


# One per process: keys include the runtime's identity, so test harnesses never mix.
REFRESHER = Refresher()
