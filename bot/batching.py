"""Group commit: events that arrive while one transaction runs share the next one.

SQLite takes one writer at a time, so units of work queue behind each other anyway;
each then pays for its own BEGIN, COMMIT and one insert per bookkeeping row. Handing
the queue to one transaction instead — claims and activity rows written in bulk, each
event in its own savepoint — is what lets one SQLite file keep up with a busy
community. A caller still awaits its own event's outcome, so adapters and tests see
no difference; events are processed in the order they arrived.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Large enough to amortise a transaction, small enough that a command queued behind a
# batch waits for tens of milliseconds, not seconds.
MAX_BATCH = 64


class GroupCommit(Generic[T, R]):
    """Batches of queued items, processed by at most `lanes` runners at once.

    SQLite has one lane (one writer). PostgreSQL takes several transactions at once,
    so several lanes run side by side, each batching what queued while it was busy:
    a quiet bot handles each event at once, a busy one shares transactions.
    """

    def __init__(
        self,
        process: Callable[[Sequence[T]], Awaitable[Sequence[R]]],
        max_batch: int = MAX_BATCH,
        lanes: int = 1,
    ) -> None:
        self._process = process
        self._max_batch = max_batch
        self._lanes = lanes
        self._queue: list[tuple[T, asyncio.Future[R]]] = []
        self._running = 0  # lanes at work; counted synchronously, unlike tasks' `done()`
        self._tasks: set[asyncio.Task[None]] = set()

    async def submit(self, item: T) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queue.append((item, future))
        if self._running < self._lanes:
            self._running += 1
            runner = asyncio.create_task(self._run(), name="agora-group-commit")
            self._tasks.add(runner)
            runner.add_done_callback(self._tasks.discard)
        # A caller that gives up (cancelled) does not stop its event: it is in a batch.
        return await asyncio.shield(future)

    async def _run(self) -> None:
        try:
            await self._drain()
        finally:
            self._running -= 1

    async def _drain(self) -> None:
        while self._queue:
            batch = self._queue[: self._max_batch]
            del self._queue[: self._max_batch]
            try:
                results = await self._process([item for item, _ in batch])
            except BaseException as error:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                if not isinstance(error, Exception):
                    raise  # cancelled (shutdown): the loop is going away
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)
