"""Group commit: what queues while a lane is busy shares its next batch; lanes run side by side."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from bot.batching import GroupCommit


class Recorder:
    """A `process` that holds each batch until released, and remembers the batches."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.running = 0
        self.most_at_once = 0
        self.gate = asyncio.Event()

    async def __call__(self, items: Sequence[int]) -> list[int]:
        self.batches.append(list(items))
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        await self.gate.wait()
        self.running -= 1
        if 13 in items:
            raise ValueError("a batch that fails as a whole")
        return [item * 10 for item in items]


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_one_lane_batches_what_queued_while_it_was_busy() -> None:
    process = Recorder()
    commit = GroupCommit(process, max_batch=3)
    calls = [asyncio.create_task(commit.submit(n)) for n in range(1, 6)]
    await settle()
    process.gate.set()
    assert await asyncio.gather(*calls) == [10, 20, 30, 40, 50]
    assert process.batches == [[1, 2, 3], [4, 5]]
    assert process.most_at_once == 1


async def test_lanes_take_batches_side_by_side_and_keep_each_callers_result() -> None:
    process = Recorder()
    commit = GroupCommit(process, max_batch=2, lanes=3)
    calls = [asyncio.create_task(commit.submit(n)) for n in range(1, 10)]
    await settle()
    assert process.most_at_once == 3  # three lanes busy, the rest queued
    process.gate.set()
    assert await asyncio.gather(*calls) == [n * 10 for n in range(1, 10)]
    assert sorted(n for batch in process.batches for n in batch) == list(range(1, 10))
    assert all(len(batch) <= 2 for batch in process.batches)


async def test_a_quiet_lane_handles_an_item_at_once() -> None:
    process = Recorder()
    process.gate.set()
    commit = GroupCommit(process, lanes=4)
    assert await commit.submit(7) == 70
    assert await commit.submit(8) == 80
    assert process.batches == [[7], [8]]


async def test_a_failing_batch_fails_only_its_own_callers() -> None:
    process = Recorder()
    commit = GroupCommit(process, max_batch=2)
    calls = [asyncio.create_task(commit.submit(n)) for n in (12, 13, 14)]
    await settle()
    process.gate.set()
    results = await asyncio.gather(*calls, return_exceptions=True)
    assert [type(r) for r in results[:2]] == [ValueError, ValueError]
    assert results[2] == 140


async def test_an_item_submitted_as_a_lane_winds_down_still_gets_a_lane() -> None:
    """Submitted after the lane saw an empty queue, before its task's callbacks ran."""
    late: list[asyncio.Task[int]] = []
    commit: GroupCommit[int, int]

    async def process(items: Sequence[int]) -> list[int]:
        if items == [1]:  # its first step runs once this lane has found the queue empty
            late.append(asyncio.create_task(commit.submit(2)))
        return [item * 10 for item in items]

    commit = GroupCommit(process)
    assert await commit.submit(1) == 10
    await settle()
    assert await asyncio.wait_for(late[0], timeout=1) == 20
