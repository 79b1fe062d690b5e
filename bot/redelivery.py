"""Events that arrived while the database was down, handled again once it is back.

A member who runs a command during an outage is told to try again: they know what
they did and can. Nobody can "try again" a message, a reaction or a join: without
this, a newcomer who joined in those 30 seconds would never be welcomed and a
question asked then never tracked. Such events wait here, in arrival order, and are
offered to the dispatcher again with growing pauses until the database answers.

They wait in memory: the platform already has its answer (Slack's acknowledgement,
Discord's gateway never asks), so a process stopped meanwhile loses them; the count
is logged at shutdown. Too many, or too old, and the oldest are dropped with a log
line rather than growing without bound.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.model import Event

log = logging.getLogger(__name__)

# Seconds before each new attempt; the last repeats until the event is too old.
DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0)
MAX_WAITING = 10_000
MAX_AGE = timedelta(hours=1)


class Redelivery:
    def __init__(
        self,
        handle: Callable[[Event], Awaitable[bool]],
        now: Callable[[], datetime],
        *,
        delays: tuple[float, ...] = DELAYS,
    ) -> None:
        self._handle = handle
        self._now = now
        self.delays = delays
        self._waiting: OrderedDict[str, Event] = OrderedDict()
        self._attempts: dict[str, int] = {}
        self._task: asyncio.Task[None] | None = None
        self.redelivered = 0
        self.dropped = 0

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def offer(self, event: Event) -> None:
        """Keep `event` to be handled again later (it failed on a database outage)."""
        self._waiting[event.event_id] = event
        while len(self._waiting) > MAX_WAITING:
            self._drop(next(iter(self._waiting)), "too many events waiting")
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())

    def _drop(self, event_id: str, why: str) -> None:
        self._waiting.pop(event_id, None)
        self._attempts.pop(event_id, None)
        self.dropped += 1
        log.warning("event %s dropped after the database outage: %s", event_id, why)

    async def _run(self) -> None:
        while self._waiting:
            attempt = min(self._attempts.get(next(iter(self._waiting)), 0), len(self.delays) - 1)
            await asyncio.sleep(self.delays[attempt])
            batch = list(self._waiting.values())
            self._waiting.clear()
            for index, event in enumerate(batch):
                if self._now() - event.occurred_at > MAX_AGE:
                    self._drop(event.event_id, "older than an hour")
                    continue
                self._attempts[event.event_id] = self._attempts.get(event.event_id, 0) + 1
                await self._handle(event)  # offers it again if the database is still down
                if event.event_id in self._waiting:
                    self._requeue([event, *batch[index + 1 :]])
                    break
                self._attempts.pop(event.event_id, None)
                self.redelivered += 1
            if self._waiting:
                log.info("%d event(s) wait for the database to come back", len(self._waiting))

    def _requeue(self, first: list[Event]) -> None:
        """Put `first` back ahead of what arrived meanwhile, keeping arrival order."""
        arrived = [e for key, e in self._waiting.items() if key not in {f.event_id for f in first}]
        self._waiting.clear()
        for event in (*first, *arrived):
            self._waiting[event.event_id] = event

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self._waiting:
            log.warning(
                "%d event(s) from the database outage were not handled before shutdown",
                len(self._waiting),
            )
