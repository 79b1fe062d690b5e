"""Messages delivered after the change that decided them committed.

Why: a handler that sends while its transaction is open (a reminder run to 1,000
members, a welcome wave paced at one post a second per Slack channel) holds the
database's one writer for as long as the platform takes, sends messages for changes
that may still roll back, and loses the rest when the process dies mid-run. Queued
with `ctx.deliver` / `ctx.dm` instead, a message is a row written in the same unit of
work; only once that committed is it handed here and sent in the background:

- in order per destination (one shard per channel or member, by hash), while other
  destinations go on in parallel; rate limits are each SDK's own business;
- one refusal per recipient (DMs closed, account gone): logged, and the others go on;
- a transient failure (network, 5xx) is retried with backoff, then given up on;
- delivered rows are deleted in batches; rows left by a crash are claimed again at
  the next start (or by another instance once their deliverer stopped renewing its
  claim), so a committed message is delivered. If the process died between the
  platform's answer and the row's deletion, the message goes out again, named by its
  key (`Parcel.once`): platforms that can tell a repeat by it (Discord's nonce, Slack's
  message metadata) post it once.

The console and the test harness run on a virtual clock where every line must show
its consequences before the next: there the outbox is `inline` and delivers at once,
in order, right after the commit.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.model import Outgoing
from bot.ports import CapabilityMissing, OutboxStore, Parcel, PlatformRefused, StorageUnavailable

if TYPE_CHECKING:
    from bot.context import Work
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

SHARDS = 8
# Seconds between attempts at a message the platform failed to take; then it is dropped.
RETRY_DELAYS = (1.0, 5.0, 30.0, 120.0, 600.0)
# How often a running instance renews its claim on its rows and looks for orphans, and
# how old a claim must be before another instance (or the next start) takes the rows.
KEEPALIVE = timedelta(seconds=15)
STALE_AFTER = timedelta(seconds=45)
TAKE_OVER_PAGE = 500
# The claim time given to rows left behind at a clean shutdown: stale at once.
RELEASED = datetime(2000, 1, 1, tzinfo=UTC)
# Delivered rows are deleted in one statement per this many, or per flush interval.
FLUSH_EVERY = 0.25
FLUSH_BATCH = 200


def _store(uow: Any) -> OutboxStore:
    return uow.get(OutboxStore)  # type: ignore[no-any-return]


def destination(out: Outgoing) -> str:
    target = out.dm or out.channel or out.ephemeral_to
    return str(target) if target is not None else ""


class Outbox:
    def __init__(self, runtime: Runtime, *, inline: bool) -> None:
        self.runtime = runtime
        self.inline = inline
        self.delivered = 0
        self.refused = 0
        self.dropped = 0
        self._queues: list[asyncio.Queue[Parcel]] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._done: list[int] = []
        self._retries: set[asyncio.TimerHandle] = set()
        self._attempts: dict[int, int] = {}
        self._busy = 0
        self._idle = asyncio.Event()
        self._idle.set()

    # --- inside the unit of work ------------------------------------------------------

    async def stage(self, works: Sequence[Work]) -> None:
        """Write the messages these units of work queued as rows of their transaction.

        One statement for all of them: a group-commit batch shares one transaction.
        """
        queued = [(work, out) for work in works for out in work.parcels]
        if not queued:
            return
        now = self.runtime.clock.now()
        store = _store(works[0].uow)
        ids = await store.add([out for _, out in queued], self.runtime.instance_id, now)
        for row_id, (work, out) in zip(ids, queued, strict=True):
            work.staged.append(Parcel(row_id, out, now))
        for work in works:
            work.parcels.clear()

    # --- after the commit ---------------------------------------------------------------

    async def hand_over(self, parcels: Sequence[Parcel]) -> None:
        """Deliver what a committed unit of work queued (at once when inline)."""
        if not parcels:
            return
        if self.inline:
            for parcel in parcels:
                await self._deliver(parcel, retry=False)
            await self._flush()
            return
        for parcel in parcels:
            self._enqueue(parcel)

    def _enqueue(self, parcel: Parcel) -> None:
        if not self._queues:
            # Not started (a CLI command's context): the row stays for the running bot.
            return
        shard = zlib.crc32(destination(parcel.out).encode()) % len(self._queues)
        self._busy += 1
        self._idle.clear()
        self._queues[shard].put_nowait(parcel)

    async def _deliver(self, parcel: Parcel, *, retry: bool) -> None:
        out = parcel.out
        target = out.dm or out.channel or out.ephemeral_to
        port = self.runtime.ports.get(target.platform) if target is not None else None
        try:
            if port is None:
                raise LookupError(f"no adapter is running for {target}")
            await port.send(out, parcel.once)
        except (PlatformRefused, CapabilityMissing) as refusal:
            self.refused += 1
            log.info("outbox: %s refused message %s: %s", target, parcel.id, refusal)
        except Exception as error:
            attempt = self._attempts.get(parcel.id, 0)
            if retry and attempt < len(RETRY_DELAYS):
                self._attempts[parcel.id] = attempt + 1
                log.warning(
                    "outbox: message %s to %s failed (%s); retrying in %.0f s",
                    parcel.id,
                    target,
                    error,
                    RETRY_DELAYS[attempt],
                )
                self._retry_later(parcel, RETRY_DELAYS[attempt])
                return
            self.dropped += 1
            log.error("outbox: message %s to %s given up: %s", parcel.id, target, error)
        else:
            self.delivered += 1
        self._attempts.pop(parcel.id, None)
        self._done.append(parcel.id)

    def _retry_later(self, parcel: Parcel, delay: float) -> None:
        loop = asyncio.get_running_loop()

        def again() -> None:
            self._retries.discard(handle)
            self._busy -= 1
            self._enqueue(parcel)

        self._busy += 1  # counted until it is queued again
        handle = loop.call_later(delay, again)
        self._retries.add(handle)

    # --- the background -----------------------------------------------------------------

    async def start(self) -> None:
        """Deliver rows a previous run left behind; then keep delivering (unless inline)."""
        if not self.inline:
            self._queues = [asyncio.Queue() for _ in range(SHARDS)]
            self._tasks = [asyncio.create_task(self._work(q)) for q in self._queues]
            self._tasks.append(asyncio.create_task(self._keep()))
        await self._take_over()

    async def _work(self, queue: asyncio.Queue[Parcel]) -> None:
        while True:
            parcel = await queue.get()
            try:
                await self._deliver(parcel, retry=True)
            except Exception:
                log.exception("outbox: delivering message %s failed", parcel.id)
            finally:
                self._busy -= 1
                if self._busy == 0:
                    self._idle.set()
            if len(self._done) >= FLUSH_BATCH:
                await self._flush()

    async def _keep(self) -> None:
        """Delete what was delivered, renew this instance's claims, adopt orphans."""
        renewed = asyncio.get_running_loop().time()
        while True:
            await asyncio.sleep(FLUSH_EVERY)
            await self._flush()
            now = asyncio.get_running_loop().time()
            if now - renewed >= KEEPALIVE.total_seconds():
                renewed = now
                await self._renew()
                await self._take_over()

    async def _flush(self) -> None:
        if not self._done:
            return
        ids, self._done = self._done, []
        try:
            async with self.runtime.storage.unit_of_work() as uow:
                await _store(uow).delivered(ids)
        except StorageUnavailable:
            self._done.extend(ids)  # the next flush tries again
        except Exception:
            self._done.extend(ids)
            log.exception("outbox: could not remove %d delivered message(s)", len(ids))

    async def _renew(self) -> None:
        try:
            async with self.runtime.storage.unit_of_work() as uow:
                await _store(uow).keep_claims(self.runtime.instance_id, self.runtime.clock.now())
        except StorageUnavailable:
            log.warning("outbox: database unavailable; claims not renewed")

    async def _take_over(self) -> None:
        """Claim rows nobody is delivering (a crashed run, a stopped instance)."""
        while True:
            now = self.runtime.clock.now()
            try:
                async with self.runtime.storage.unit_of_work() as uow:
                    parcels = await _store(uow).take_over(
                        self.runtime.instance_id, now, now - STALE_AFTER, TAKE_OVER_PAGE
                    )
            except StorageUnavailable:
                log.warning("outbox: database unavailable; waiting messages checked later")
                return
            if not parcels:
                return
            log.info("outbox: delivering %d message(s) left waiting", len(parcels))
            await self.hand_over(parcels)
            if len(parcels) < TAKE_OVER_PAGE:
                return

    async def drain(self, limit: float | None = None) -> bool:
        """Wait until everything handed over was delivered or given up (False on time-out)."""
        try:
            async with asyncio.timeout(limit):
                await self._idle.wait()
        except TimeoutError:
            return False
        await self._flush()
        return True

    async def stop(self, limit: float = 10.0) -> None:
        """Deliver what is queued (up to `limit` seconds); the rest waits in the table."""
        if not self._queues:
            await self._flush()
            return
        if not await self.drain(limit):
            log.warning("outbox: %d message(s) left at shutdown; sent at next start", self._busy)
        for handle in self._retries:
            handle.cancel()
        self._retries.clear()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks, self._queues = [], []
        await self._flush()
        # What is left is nobody's now: the next start takes it without waiting.
        try:
            async with self.runtime.storage.unit_of_work() as uow:
                await _store(uow).keep_claims(self.runtime.instance_id, RELEASED)
        except StorageUnavailable:
            log.warning("outbox: database unavailable; waiting messages are taken over later")
