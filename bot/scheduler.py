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
- Never stuck: a run whose transaction did not commit (the database went away in the
  middle, or anything else escaped) is tried again with a growing delay — a one-off
  job until it commits, a cron run while it is within the catch-up window.
- With the real clock, APScheduler 3.11 (`AsyncIOScheduler`, memory job store) wakes
  us up: one timer per cron job, and one per instant (a tenth of a second) at which
  one-off jobs fall due, however many. APScheduler starts everything due in one loop
  iteration; 10,000 escalation checks due at the same second, one timer each, held
  the loop 150 ms. A shared instant's jobs are started a hundred per iteration.
  With `FakeClock`, `advance()` walks virtual time and fires every due job in
  order, which is how tests and the console's `:tick` jump days ahead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
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
# A run that did not commit is tried again after RETRY_FIRST, then twice as long each
# time, up to RETRY_LONGEST (the database's own backoff makes early retries cheap).
RETRY_FIRST = timedelta(seconds=1)
RETRY_LONGEST = timedelta(minutes=5)
REFRESH_EVERY = timedelta(seconds=60)
JOB_CONCURRENCY = 8
ARM_PAGE = 200
# One-off jobs fall due on this grid (a job is never started early, at most this late)…
DUE_GRID = timedelta(milliseconds=100)
# …and those of one instant are started this many per loop iteration.
FIRE_BATCH = 100
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


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed run (1, 2, 4 … seconds, capped)."""
    return min(RETRY_FIRST * (1 << min(attempts - 1, 20)), RETRY_LONGEST)


@dataclass(frozen=True, slots=True)
class CronRetry:
    """A cron run that did not commit, owed once more at `due_at`."""

    fire_time: datetime
    attempts: int
    due_at: datetime


class Scheduler:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        runtime._scheduler = self
        self.virtual = isinstance(runtime.clock, FakeClock)
        self._aps: AsyncIOScheduler | None = None
        self._cron: dict[str, tuple[JobSpec, CronSchedule]] = {}
        self._next_cron: dict[str, datetime] = {}
        self._pending: dict[int, PendingJob] = {}
        # Armed one-off jobs by the instant their timer fires, and each one's instant.
        self._due: dict[datetime, set[int]] = {}
        self._due_at: dict[int, datetime] = {}
        self._starting: set[asyncio.Task[None]] = set()
        self._attempts: dict[int, int] = {}  # failed runs per pending job
        self._running: set[int] = set()
        self._cron_retries: dict[str, CronRetry] = {}
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
        count = await self._arm_stored()
        if self._aps is not None:
            self._aps.add_job(
                self.refresh, IntervalTrigger(seconds=REFRESH_EVERY.total_seconds()), id="refresh"
            )
        log.info("scheduler started: %d cron jobs, %d pending jobs", len(self._cron), count)

    async def _arm_stored(self) -> int:
        """Arm every pending job in the table (not those running now); returns how many."""
        count, after = 0, 0
        while True:  # page by page, so thousands of jobs never hold the loop at once
            async with self.runtime.storage.unit_of_work() as uow:
                store: JobStore = uow.get(JobStore)  # type: ignore[type-abstract]
                page = await store.pending(after_id=after, limit=ARM_PAGE)
            for job in page:
                if job.id not in self._running and self._enabled(job):
                    self.arm(job)
            count += len(page)
            if len(page) < ARM_PAGE:
                return count
            after = page[-1].id
            await asyncio.sleep(0)

    async def refresh(self) -> int:
        """Arm jobs other instances scheduled (due soon); returns how many it armed.

        Each instance loads pending jobs at start; without this, a job scheduled by an
        instance that then died would wait for the next restart. A job this instance
        knows but APScheduler no longer holds (and that is not running) is armed again
        too: nothing may wait for a restart.
        """
        horizon = self.runtime.clock.now() + 2 * REFRESH_EVERY
        try:
            async with self.runtime.storage.unit_of_work() as uow:
                due = await uow.get(JobStore).pending(horizon)  # type: ignore[type-abstract]
        except StorageUnavailable:
            return 0
        fresh = [
            job
            for job in due
            if self._enabled(job) and (job.id not in self._pending or self._stranded(job.id))
        ]
        for job in fresh:
            if job.id in self._pending:
                log.warning("job %s had no timer left; armed again", job.key)
            self.arm(job)
        return len(fresh)

    def _enabled(self, job: PendingJob) -> bool:
        """Jobs of a feature that is off wait in the table until it is on again."""
        return job.feature in self.runtime.registry.features

    def _stranded(self, job_id: int) -> bool:
        if self._aps is None or job_id in self._running:
            return False
        instant = self._due_at.get(job_id)
        return instant is None or self._aps.get_job(_timer_id(instant)) is None

    async def stop(self) -> None:
        if self._aps is not None:
            self._aps.shutdown(wait=False)
            self._aps = None
        self._due.clear()  # the timers went with APScheduler; a new start arms again
        self._due_at.clear()

    @property
    def running(self) -> bool:
        """Is the scheduler alive? APScheduler's own state on the real clock; the
        virtual clock's scheduler runs whenever something advances it."""
        if self.virtual:
            return True
        return self._aps is not None and bool(self._aps.running)

    async def reload(self) -> None:
        """After a config reload: re-read cron expressions, and arm the stored jobs again
        (a feature turned back on finds its poll deadlines and reminders waiting)."""
        for qualified in list(self._next_cron):
            self._remove_aps(f"cron:{qualified}")
        self._cron = self._cron_specs()
        self._next_cron.clear()
        for qualified in set(self._cron_retries) - set(self._cron):
            del self._cron_retries[qualified]
            self._remove_aps(f"cron-retry:{qualified}")
        now = self.runtime.clock.now()
        for qualified in self._cron:
            self._arm_cron(qualified, now)
        try:
            await self._arm_stored()
        except StorageUnavailable:
            log.warning("reload: stored jobs not re-read (database unavailable); refresh will")

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
        if self._aps is None:
            return
        self._unarm(job.id)
        instant = _on_grid(max(job.due_at, self.runtime.clock.now()))
        self._due_at[job.id] = instant
        armed = self._due.get(instant)
        if armed is None:
            armed = self._due[instant] = set()
            self._aps.add_job(
                self._start_due,
                DateTrigger(run_date=instant),
                args=(instant,),
                id=_timer_id(instant),
                replace_existing=True,
                misfire_grace_time=None,
            )
        armed.add(job.id)

    def _unarm(self, job_id: int) -> None:
        """Take `job_id` off its instant's timer (the timer goes when nothing is left)."""
        instant = self._due_at.pop(job_id, None)
        armed = self._due.get(instant) if instant is not None else None
        if armed is None or instant is None:
            return
        armed.discard(job_id)
        if not armed:
            del self._due[instant]
            self._remove_aps(_timer_id(instant))

    def disarm_key(self, key: str) -> None:
        for job_id, job in list(self._pending.items()):
            if job.key == key:
                del self._pending[job_id]
                self._attempts.pop(job_id, None)
                self._unarm(job_id)

    def _remove_aps(self, job_id: str) -> None:
        if self._aps is not None and self._aps.get_job(job_id) is not None:
            self._aps.remove_job(job_id)

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    def next_due(self) -> datetime | None:
        times = [j.due_at for j in self._pending.values()] + list(self._next_cron.values())
        times += [retry.due_at for retry in self._cron_retries.values()]
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
        for qualified, retry in sorted(self._cron_retries.items(), key=lambda kv: kv[1].due_at):
            if retry.due_at <= now:
                await self._retry_cron(qualified)
                fired += 1
        for job in sorted(self._pending.values(), key=lambda j: (j.due_at, j.id)):
            if job.due_at <= now:
                await self._fire_pending(job.id)
                fired += 1
        return fired

    # --- firing ----------------------------------------------------------------------

    async def _fire_cron(self, qualified: str, fire_time: datetime) -> None:
        try:
            await self._attempt_cron(qualified, fire_time)
        finally:
            if self._aps is not None and qualified in self._cron:
                self._arm_cron(qualified, fire_time)

    async def _retry_cron(self, qualified: str) -> None:
        retry = self._cron_retries.get(qualified)
        if retry is not None and qualified in self._cron:
            await self._attempt_cron(qualified, retry.fire_time)

    async def _attempt_cron(self, qualified: str, fire_time: datetime) -> None:
        """Run one cron fire; if it did not commit, owe it again (the latest fire only)."""
        found = self._cron.get(qualified)
        if found is None:
            return  # the job went away with a reload
        try:
            await self._run(found[0], {"fire_time": fire_time.isoformat()}, cron_fire=fire_time)
        except Exception as error:
            earlier = self._cron_retries.get(qualified)
            attempts = earlier.attempts + 1 if earlier and earlier.fire_time == fire_time else 1
            if self.runtime.clock.now() - fire_time > CATCH_UP_WINDOW:
                self._cron_retries.pop(qualified, None)
                log.error(
                    "cron job %s of %s given up after %d attempt(s)", qualified, fire_time, attempts
                )
                return
            due = self.runtime.clock.now() + retry_delay(attempts)
            self._cron_retries[qualified] = CronRetry(fire_time, attempts, due)
            self._log_retry(f"cron job {qualified}", attempts, due, error)
            if self._aps is not None:
                self._aps.add_job(
                    self._retry_cron,
                    DateTrigger(run_date=due),
                    args=(qualified,),
                    id=f"cron-retry:{qualified}",
                    replace_existing=True,
                    misfire_grace_time=None,
                )
            return
        owed = self._cron_retries.get(qualified)
        if owed is not None and owed.fire_time <= fire_time:
            del self._cron_retries[qualified]  # this run (or a later one) has happened

    async def _start_due(self, instant: datetime) -> None:
        """Start the jobs armed for `instant`, in due order, FIRE_BATCH per loop iteration."""
        armed = self._due.pop(instant, set())
        jobs = sorted(
            (job for job_id in armed if (job := self._pending.get(job_id)) is not None),
            key=lambda job: (job.due_at, job.id),
        )
        for start in range(0, len(jobs), FIRE_BATCH):
            if start:
                await asyncio.sleep(0)
            for job in jobs[start : start + FIRE_BATCH]:
                if self._due_at.get(job.id) != instant:
                    continue  # cancelled or moved meanwhile
                del self._due_at[job.id]
                task = asyncio.create_task(self._fire_pending(job.id))
                self._starting.add(task)
                task.add_done_callback(self._started)

    def _started(self, task: asyncio.Task[None]) -> None:
        self._starting.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("a scheduled job could not start", exc_info=task.exception())

    async def _fire_pending(self, job_id: int) -> None:
        job = self._pending.get(job_id)
        if job is None:
            return
        spec = self.runtime.registry.job(job.feature, job.name)
        if spec is None:
            if job.feature in self.runtime.registry.features:
                log.error("job %s refers to unknown handler %s.%s", job.key, job.feature, job.name)
            else:  # the row stays pending; armed again when the feature is back on
                log.info("job %s waits: feature %s is not enabled", job.key, job.feature)
            self._pending.pop(job_id, None)
            return
        self._running.add(job_id)
        try:
            async with self._slots:
                await self._run(spec, dict(job.payload), job_id=job_id)
        except Exception as error:
            # Whatever escaped, the transaction did not commit: the job is still owed.
            self._retry_pending(job, error)
            return
        finally:
            self._running.discard(job_id)
        self._attempts.pop(job_id, None)
        # Forget it only if nothing re-armed it meanwhile: a handler that moves its own
        # job (same key, same row) has just armed the new due time.
        if self._pending.get(job_id) is job:
            del self._pending[job_id]

    def _retry_pending(self, job: PendingJob, error: Exception) -> None:
        if self._pending.get(job.id) is not job:
            return  # cancelled or moved meanwhile: its new state rules
        attempts = self._attempts.get(job.id, 0) + 1
        self._attempts[job.id] = attempts
        due = self.runtime.clock.now() + retry_delay(attempts)
        self._log_retry(f"job {job.key}", attempts, due, error)
        self.arm(replace(job, due_at=due))  # on the virtual clock too: `advance` reaches it

    def _log_retry(self, what: str, attempts: int, due: datetime, error: Exception) -> None:
        wait = due - self.runtime.clock.now()
        if isinstance(error, StorageUnavailable):
            log.warning("storage unavailable; %s retried in %s (attempt %d)", what, wait, attempts)
        else:
            log.error(
                "%s did not complete; retried in %s (attempt %d)",
                what,
                wait,
                attempts,
                exc_info=error,
            )

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


def _on_grid(moment: datetime) -> datetime:
    """`moment` rounded up to DUE_GRID, so that jobs due close together share a timer."""
    step = DUE_GRID // _TICK
    ticks = (moment - datetime(2000, 1, 1, tzinfo=UTC)) // _TICK
    return datetime(2000, 1, 1, tzinfo=UTC) + -(-ticks // step) * step * _TICK


def _timer_id(instant: datetime) -> str:
    return f"due:{instant.isoformat()}"


async def sleep_until_idle(scheduler: Scheduler, limit: float = 5.0) -> None:
    """Let jobs that are running finish (graceful shutdown, benches).

    Never waits for the calling task itself (a job, or a `:tick`, may be what stops).
    """
    me = asyncio.current_task()
    running = [left for task, left in scheduler._busy.items() if task is not me]
    if running:
        await asyncio.wait(running, timeout=limit)
