"""Cron jobs and persisted one-off jobs, exactly once, on a real or a virtual clock.

- Cron jobs come from feature declarations (the cron string may come from TOML);
  APScheduler's `CronTrigger` computes fire times in the job's time zone, DST
  included.
- One-off jobs (poll deadlines, escalations, reminders) are rows with a `due_at`.
  They are re-armed at start, so a missed one fires once after a restart.
- Exactly once across instances: a one-off job is marked done by a conditional
  UPDATE inside the same transaction as its handler's writes; a cron run is claimed
  by inserting `(job, fire_time)` under a unique key. The loser sees no row and
  skips. A crash mid-job rolls both back, so the job fires again later, once.
- With the real clock, APScheduler 3.11 (`AsyncIOScheduler`, memory job store) wakes
  us up. With `FakeClock`, `advance()` walks virtual time and fires every due job in
  order, which is how tests and the console's `:tick` jump days ahead.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger

from bot.clock import FakeClock
from bot.context import Context, Work
from bot.i18n import using_locale
from bot.ports import JobStore, PendingJob, StorageUnavailable
from bot.registry import JobSpec
from bot.runtime import Runtime

log = logging.getLogger(__name__)

CATCH_UP_WINDOW = timedelta(hours=1)
RETRY_AFTER = timedelta(seconds=30)


class CronError(ValueError):
    """A cron expression that does not parse; reported by `agora check`."""


def cron_trigger(expression: str, timezone: str) -> CronTrigger:
    try:
        return CronTrigger.from_crontab(expression, timezone=ZoneInfo(timezone))
    except (ValueError, KeyError) as error:
        raise CronError(f"{expression!r}: {error}") from None


def next_fire(trigger: CronTrigger, after: datetime) -> datetime | None:
    """The first fire time strictly after `after` (aware)."""
    fire: datetime | None = trigger.get_next_fire_time(None, after + timedelta(microseconds=1))
    return fire


class Scheduler:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        runtime._scheduler = self
        self.virtual = isinstance(runtime.clock, FakeClock)
        self._aps: AsyncIOScheduler | None = None
        self._cron: dict[str, tuple[JobSpec, CronTrigger]] = {}
        self._next_cron: dict[str, datetime] = {}
        self._pending: dict[int, PendingJob] = {}
        self.fired = 0

    # --- lifecycle -------------------------------------------------------------------

    def _cron_specs(self) -> dict[str, tuple[JobSpec, CronTrigger]]:
        specs: dict[str, tuple[JobSpec, CronTrigger]] = {}
        default_tz = self.runtime.config.bot.timezone
        for spec in self.runtime.registry.jobs():
            expression = spec.cron
            if callable(expression):
                expression = expression(self.runtime.feature_config(spec.feature))
            if not expression:
                continue
            specs[spec.qualified] = (spec, cron_trigger(expression, spec.timezone or default_tz))
        return specs

    async def start(self) -> None:
        now = self.runtime.clock.now()
        self._cron = self._cron_specs()
        if not self.virtual:
            self._aps = AsyncIOScheduler(timezone="UTC")
            self._aps.start()
        for qualified, (_spec, trigger) in self._cron.items():
            missed = next_fire(trigger, now - CATCH_UP_WINDOW)
            if missed is not None and missed <= now:
                await self._fire_cron(qualified, missed)
            self._arm_cron(qualified, now)
        async with self.runtime.storage.unit_of_work() as uow:
            pending = await uow.get(JobStore).pending()  # type: ignore[type-abstract]
        for job in pending:
            self.arm(job)
        log.info("scheduler started: %d cron jobs, %d pending jobs", len(self._cron), len(pending))

    async def stop(self) -> None:
        if self._aps is not None:
            self._aps.shutdown(wait=False)
            self._aps = None

    async def reload(self) -> None:
        """Re-read cron expressions after a config reload."""
        for qualified in list(self._next_cron):
            self._remove_aps(f"cron:{qualified}")
        self._cron = self._cron_specs()
        self._next_cron.clear()
        now = self.runtime.clock.now()
        for qualified in self._cron:
            self._arm_cron(qualified, now)

    # --- arming ----------------------------------------------------------------------

    def _arm_cron(self, qualified: str, after: datetime) -> None:
        fire = next_fire(self._cron[qualified][1], after)
        if fire is None:
            self._next_cron.pop(qualified, None)
            return
        self._next_cron[qualified] = fire
        if self._aps is not None:
            self._aps.add_job(
                self._fire_cron,
                DateTrigger(run_date=fire),
                args=(qualified, fire),
                id=f"cron:{qualified}",
                replace_existing=True,
                misfire_grace_time=None,
            )

    def arm(self, job: PendingJob) -> None:
        self._pending[job.id] = job
        if self._aps is not None:
            self._aps.add_job(
                self._fire_pending,
                DateTrigger(run_date=max(job.due_at, self.runtime.clock.now())),
                args=(job.id,),
                id=f"job:{job.id}",
                replace_existing=True,
                misfire_grace_time=None,
            )

    def disarm_key(self, key: str) -> None:
        for job_id, job in list(self._pending.items()):
            if job.key == key:
                del self._pending[job_id]
                self._remove_aps(f"job:{job_id}")

    def _remove_aps(self, job_id: str) -> None:
        if self._aps is not None and self._aps.get_job(job_id) is not None:
            self._aps.remove_job(job_id)

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    def next_due(self) -> datetime | None:
        times = [j.due_at for j in self._pending.values()] + list(self._next_cron.values())
        return min(times) if times else None

    # --- virtual time ----------------------------------------------------------------

    async def advance(self, delta: timedelta) -> int:
        """Move the fake clock forward, firing every job that falls due, in order."""
        clock = self.runtime.clock
        if not isinstance(clock, FakeClock):
            raise RuntimeError("advance() needs the FakeClock")
        target = clock.now() + delta
        fired = 0
        while True:
            due = self.next_due()
            if due is None or due > target:
                break
            clock.set(max(due, clock.now()))
            fired += await self.run_due()
        clock.set(target)
        return fired

    async def run_due(self) -> int:
        """Fire everything due now (virtual mode, or a manual catch-up)."""
        now = self.runtime.clock.now()
        fired = 0
        for qualified, fire in sorted(self._next_cron.items(), key=lambda kv: kv[1]):
            if fire <= now:
                await self._fire_cron(qualified, fire)
                self._arm_cron(qualified, fire)
                fired += 1
        for job in sorted(self._pending.values(), key=lambda j: (j.due_at, j.id)):
            if job.due_at <= now:
                await self._fire_pending(job.id)
                fired += 1
        return fired

    # --- firing ----------------------------------------------------------------------

    async def _fire_cron(self, qualified: str, fire_time: datetime) -> None:
        spec = self._cron[qualified][0]
        try:
            await self._run(spec, {"fire_time": fire_time.isoformat()}, cron_fire=fire_time)
        finally:
            if self._aps is not None:
                self._arm_cron(qualified, fire_time)

    async def _fire_pending(self, job_id: int) -> None:
        job = self._pending.get(job_id)
        if job is None:
            return
        spec = self.runtime.registry.job(job.feature, job.name)
        if spec is None:
            log.error("job %s refers to unknown handler %s.%s", job.key, job.feature, job.name)
            self._pending.pop(job_id, None)
            return
        try:
            ran = await self._run(spec, dict(job.payload), job_id=job_id)
        except StorageUnavailable:
            retry = PendingJob(
                job.id,
                job.key,
                job.feature,
                job.name,
                self.runtime.clock.now() + RETRY_AFTER,
                job.payload,
            )
            log.warning("storage down; job %s retried in %s", job.key, RETRY_AFTER)
            if self.virtual:
                self._pending.pop(job_id, None)
            else:
                self.arm(retry)
            return
        current = self._pending.get(job_id)
        if current is not None and (ran or current.due_at == job.due_at):
            self._pending.pop(job_id, None)

    async def _run(
        self,
        spec: JobSpec,
        payload: dict[str, Any],
        *,
        job_id: int | None = None,
        cron_fire: datetime | None = None,
    ) -> bool:
        """Claim and run one job in a unit of work; False if another instance had it."""
        runtime = self.runtime
        feature = runtime.registry.features[spec.feature]
        work: Work | None = None
        async with runtime.storage.unit_of_work() as uow:
            store: JobStore = uow.get(JobStore)  # type: ignore[type-abstract]
            now = runtime.clock.now()
            if job_id is not None:
                claimed = await store.claim(job_id, runtime.instance_id, now)
            else:
                assert cron_fire is not None
                claimed = await store.claim_cron(spec.qualified, cron_fire, runtime.instance_id)
            if not claimed:
                return False
            work = Work(runtime, uow)
            ctx = Context(work, feature, None)
            with using_locale(runtime.config.bot.language):
                try:
                    async with uow.savepoint():
                        await spec.handler(ctx, payload)
                except StorageUnavailable:
                    raise
                except Exception:
                    log.exception("job %s failed (payload %s)", spec.qualified, payload)
        self.fired += 1
        await runtime.dispatcher._after_commit(work)
        return True


async def sleep_until_idle(scheduler: Scheduler, limit: float = 5.0) -> None:
    """Let APScheduler-started tasks finish (used by graceful shutdown and benches)."""
    deadline = asyncio.get_running_loop().time() + limit
    while asyncio.get_running_loop().time() < deadline:
        running = [t for t in asyncio.all_tasks() if "_fire_" in repr(t.get_coro())]
        if not running:
            return
        await asyncio.sleep(0.01)
