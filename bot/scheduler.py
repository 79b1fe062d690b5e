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
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import FakeClock
from bot.context import Context, Work
from bot.i18n import using_locale
from bot.ports import JobStore, PendingJob, StorageUnavailable
from bot.registry import JobSpec
from bot.runtime import Runtime

log = logging.getLogger(__name__)

CATCH_UP_WINDOW = timedelta(hours=1)
RETRY_AFTER = timedelta(seconds=30)
REFRESH_EVERY = timedelta(seconds=60)
JOB_CONCURRENCY = 8
ARM_PAGE = 200
# More than any daylight-saving shift (2 h at most, historically): how far wall-clock
# order and real-time order can disagree around a change.
_DST_SLACK = timedelta(hours=3)
_TICK = timedelta(microseconds=1)
_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


class CronError(ValueError):
    """A cron expression that does not parse; reported by `agora check`."""


class CronSchedule:
    """When a cron expression fires, matched on the wall clock of its time zone.

    APScheduler 3 matches in aware local time and goes wrong on the night clocks go
    back: `30 2 * * *` fires at both 02:30s, then keeps returning the second one
    forever. Here a UTC trigger serves as a plain calendar of wall-clock matches, and
    each match is then placed in the zone the PEP 495 way (`fold=0`):

    - a wall time that happens twice (autumn) fires once, at its first occurrence;
    - a wall time that does not exist (spring) fires once, moved forward by the gap
      (02:30 in Oslo becomes 03:30 summer time);
    - successive fire times only ever increase.
    """

    def __init__(self, expression: str, zone: ZoneInfo) -> None:
        self.expression = expression
        self.zone = zone
        self._calendar = CronTrigger.from_crontab(_crontab_weekdays(expression), timezone=UTC)

    def _instant(self, match: datetime) -> datetime:
        """Where a wall-clock match (UTC-tagged, from the calendar) falls in real time."""
        return match.replace(tzinfo=self.zone).astimezone(UTC)

    def _steady(self, instant: datetime) -> bool:
        """True when the zone's clocks do not change within _DST_SLACK of `instant`."""
        before = (instant - _DST_SLACK).astimezone(self.zone).utcoffset()
        return before == (instant + _DST_SLACK).astimezone(self.zone).utcoffset()

    def _next_match(self, wall: datetime) -> datetime | None:
        found: datetime | None = self._calendar.get_next_fire_time(None, wall + _TICK)
        return found

    def next_after(self, after: datetime) -> datetime | None:
        """The earliest fire time strictly after `after` (aware UTC)."""
        wall = after.astimezone(self.zone).replace(tzinfo=UTC, fold=0)
        match = self._next_match(wall)
        if match is None:
            return None
        fire = self._instant(match)
        if fire > after and self._steady(after) and self._steady(fire):
            return fire  # far from a clock change, wall-clock order is real-time order
        # Near a change, a match placed after `after` can lie up to _DST_SLACK earlier on
        # the wall clock (spring), and one further on the wall clock can still be earlier
        # in real time (autumn): scan that far either side and keep the earliest.
        best: tuple[datetime, datetime] | None = None  # (instant, wall-clock match)
        candidate = self._next_match(wall - _DST_SLACK)
        while candidate is not None and (best is None or candidate < best[1] + _DST_SLACK):
            fire = self._instant(candidate)
            if fire > after and (best is None or fire < best[0]):
                best = (fire, candidate)
            candidate = self._next_match(candidate)
        return best[0] if best is not None else None

    def last_between(self, start: datetime, end: datetime) -> datetime | None:
        """The latest fire time in (start, end]: the one run a catch-up owes."""
        last = None
        fire = self.next_after(start)
        while fire is not None and fire <= end:
            last = fire
            fire = self.next_after(fire)
        return last


def _crontab_weekdays(expression: str) -> str:
    """Give APScheduler the crontab meaning of numeric weekdays.

    In crontab 0 and 7 are Sunday and 1 is Monday; APScheduler 3 counts from Monday =
    0, so `0 9 * * 1-5` would run Tuesday to Saturday. Numbers (and names, ranges,
    lists, steps) are rewritten as the weekday names both agree on. A range may wrap
    round the weekend (`fri-mon`, `sat-sun`).
    """
    fields = expression.split()
    if len(fields) != 5 or fields[4] == "*":
        return expression
    days: set[int] = set()
    for part in fields[4].lower().split(","):
        span, _slash, step = part.partition("/")
        if span == "*":
            first, last = 0, 6
        else:
            low, _dash, high = span.partition("-")
            first = _weekday(low)
            last = _weekday(high) if high else (6 if step else first)
            if last < first:  # fri-mon: round the end of the week
                last += 7
        days.update(day % 7 for day in range(first, last + 1, int(step) if step else 1))
    fields[4] = ",".join(_WEEKDAYS[day] for day in sorted(days))
    return " ".join(fields)


def _weekday(text: str) -> int:
    if text.isdigit() and int(text) <= 7:
        return int(text)
    if text in _WEEKDAYS:
        return _WEEKDAYS.index(text)
    raise ValueError(f"{text!r} is not a weekday (0-7 or sun-sat)")


def cron_trigger(expression: str, timezone: str) -> CronSchedule:
    """Parse `expression` in `timezone`, or raise CronError saying what is wrong."""
    try:
        return CronSchedule(expression, ZoneInfo(timezone))
    except (ValueError, KeyError) as error:
        raise CronError(f"{expression!r}: {error}") from None


def next_fire(schedule: CronSchedule, after: datetime) -> datetime | None:
    """The first fire time strictly after `after` (aware UTC)."""
    return schedule.next_after(after)


class Scheduler:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        runtime._scheduler = self
        self.virtual = isinstance(runtime.clock, FakeClock)
        self._aps: AsyncIOScheduler | None = None
        self._cron: dict[str, tuple[JobSpec, CronSchedule]] = {}
        self._next_cron: dict[str, datetime] = {}
        self._pending: dict[int, PendingJob] = {}
        self.fired = 0
        # Tasks inside a job right now, each with a future resolved when it leaves, so
        # that shutdown can let running jobs finish.
        # Many jobs due at once (a restart after downtime) run a few at a time, so the
        # loop keeps serving events and the connection pool is not drained.
        self._slots = asyncio.Semaphore(JOB_CONCURRENCY)
        self._busy: dict[asyncio.Task[Any] | None, asyncio.Future[None]] = {}

    # --- lifecycle -------------------------------------------------------------------

    def _cron_specs(self) -> dict[str, tuple[JobSpec, CronSchedule]]:
        specs: dict[str, tuple[JobSpec, CronSchedule]] = {}
        default_tz = self.runtime.config.bot.timezone
        for spec in self.runtime.registry.jobs():
            expression = spec.cron
            if callable(expression):
                expression = expression(self.runtime.feature_config(spec.feature))
            if not expression:
                continue
            try:
                schedule = cron_trigger(expression, spec.timezone or default_tz)
            except CronError as error:
                raise CronError(f"{spec.qualified} {error}") from None
            specs[spec.qualified] = (spec, schedule)
        return specs

    async def start(self) -> None:
        now = self.runtime.clock.now()
        self._cron = self._cron_specs()
        if not self.virtual:
            self._aps = AsyncIOScheduler(timezone="UTC")
            self._aps.start()
        for qualified, (_spec, schedule) in self._cron.items():
            # Down over a fire time (a restart, a deploy): run the latest one missed, once.
            missed = schedule.last_between(now - CATCH_UP_WINDOW, now)
            if missed is not None:
                await self._fire_cron(qualified, missed)
            self._arm_cron(qualified, now)
        count, after = 0, 0
        while True:  # page by page, so thousands of jobs never hold the loop at once
            async with self.runtime.storage.unit_of_work() as uow:
                store: JobStore = uow.get(JobStore)  # type: ignore[type-abstract]
                page = await store.pending(after_id=after, limit=ARM_PAGE)
            for job in page:
                self.arm(job)
            count += len(page)
            if len(page) < ARM_PAGE:
                break
            after = page[-1].id
            await asyncio.sleep(0)
        if self._aps is not None:
            self._aps.add_job(
                self.refresh, IntervalTrigger(seconds=REFRESH_EVERY.total_seconds()), id="refresh"
            )
        log.info("scheduler started: %d cron jobs, %d pending jobs", len(self._cron), count)

    async def refresh(self) -> int:
        """Arm jobs other instances scheduled (due soon); returns how many were new here.

        Each instance loads pending jobs at start; without this, a job scheduled by an
        instance that then died would wait for the next restart.
        """
        horizon = self.runtime.clock.now() + 2 * REFRESH_EVERY
        try:
            async with self.runtime.storage.unit_of_work() as uow:
                due = await uow.get(JobStore).pending(horizon)  # type: ignore[type-abstract]
        except StorageUnavailable:
            return 0
        fresh = [job for job in due if job.id not in self._pending]
        for job in fresh:
            self.arm(job)
        return len(fresh)

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
        fire = self._cron[qualified][1].next_after(after)
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
            async with self._slots:
                await self._run(spec, dict(job.payload), job_id=job_id)
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
            self.arm(retry)  # on the virtual clock too: `advance` reaches the retry in order
            return
        # Forget it only if nothing re-armed it meanwhile: a handler that moves its own
        # job (same key, same row) has just armed the new due time.
        if self._pending.get(job_id) is job:
            del self._pending[job_id]

    async def _run(
        self,
        spec: JobSpec,
        payload: dict[str, Any],
        *,
        job_id: int | None = None,
        cron_fire: datetime | None = None,
    ) -> None:
        """Claim and run one job in a unit of work; nothing if another instance had it."""
        with self._marked_busy():
            await self._claim_and_run(spec, payload, job_id=job_id, cron_fire=cron_fire)

    @contextmanager
    def _marked_busy(self) -> Iterator[None]:
        task = asyncio.current_task()
        left = asyncio.get_running_loop().create_future()
        self._busy[task] = left
        try:
            yield
        finally:
            del self._busy[task]
            left.set_result(None)

    async def _claim_and_run(
        self,
        spec: JobSpec,
        payload: dict[str, Any],
        *,
        job_id: int | None,
        cron_fire: datetime | None,
    ) -> None:
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
                return
            work = Work(runtime, uow)
            ctx = Context(work, feature, None)
            with using_locale(runtime.config.bot.language):
                try:
                    async with uow.savepoint():
                        await spec.handler(ctx, payload)
                except StorageUnavailable:
                    raise
                except Exception:
                    work.parcels.clear()  # what the failed run queued is not sent
                    log.exception("job %s failed (payload %s)", spec.qualified, payload)
            await runtime.outbox.stage([work])
        self.fired += 1
        await runtime.dispatcher._after_commit(work)


async def sleep_until_idle(scheduler: Scheduler, limit: float = 5.0) -> None:
    """Let jobs that are running finish (graceful shutdown, benches).

    Never waits for the calling task itself (a job, or a `:tick`, may be what stops).
    """
    me = asyncio.current_task()
    running = [left for task, left in scheduler._busy.items() if task is not me]
    if running:
        await asyncio.wait(running, timeout=limit)
