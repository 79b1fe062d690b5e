"""The scheduler: cron in a time zone across DST, persisted jobs across restarts, and
exactly-once firing when two instances share one database.

Time is a `FakeClock` moved by `Scheduler.advance`, so days pass in milliseconds and
every fire instant is known exactly. Tests that touch storage run on SQLite and
PostgreSQL (the `db_url` fixture).
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.app import App, build_app
from bot.clock import FakeClock, SystemClock
from bot.context import Context
from bot.features import feature_models
from bot.model import Channel, CommandInvoked, Member, Ref
from bot.ports import JobStore, StorageUnavailable
from bot.registry import Feature, JobHandler, JobSpec
from bot.scheduler import (
    CATCH_UP_WINDOW,
    RETRY_LONGEST,
    CronError,
    cron_trigger,
    next_fire,
    retry_delay,
)
from bot.testing import load_config_dict
from storage.engine import SqlStorage
from storage.schema import cron_runs, scheduled_jobs

OSLO = ZoneInfo("Europe/Oslo")
TZ = "Europe/Oslo"


def utc(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- cron arithmetic (no database) -------------------------------------------------


def fires(expression: str, start: datetime, count: int, timezone: str = TZ) -> list[datetime]:
    schedule = cron_trigger(expression, timezone)
    found: list[datetime] = []
    after = start
    for _ in range(count):
        fire = next_fire(schedule, after)
        assert fire is not None
        found.append(fire)
        after = fire
    return found


@pytest.mark.parametrize(
    ("expression", "start", "expected"),
    [
        # Spring forward, 29 March 02:00 CET -> 03:00 CEST: 02:30 does not exist that
        # night; it runs once, moved on by the gap (03:30 CEST = 01:30 UTC).
        ("30 2 * * *", utc(3, 27, 12), [utc(3, 28, 1, 30), utc(3, 29, 1, 30), utc(3, 30, 0, 30)]),
        ("0 9 * * *", utc(3, 27, 12), [utc(3, 28, 8), utc(3, 29, 7), utc(3, 30, 7)]),
        # Fall back, 25 October 03:00 CEST -> 02:00 CET: 02:30 happens twice; it runs
        # once, at the first (00:30 UTC), then at 02:30 CET the next day.
        (
            "30 2 * * *",
            utc(10, 23, 12),
            [utc(10, 24, 0, 30), utc(10, 25, 0, 30), utc(10, 26, 1, 30)],
        ),
        ("0 9 * * *", utc(10, 23, 12), [utc(10, 24, 7), utc(10, 25, 8), utc(10, 26, 8)]),
        # Every 30 minutes through both nights: never backwards, never the same slot twice.
        ("*/30 * * * *", utc(3, 29, 0), [utc(3, 29, 0, 30), utc(3, 29, 1), utc(3, 29, 1, 30)]),
        ("*/30 * * * *", utc(10, 25, 0), [utc(10, 25, 0, 30), utc(10, 25, 2), utc(10, 25, 2, 30)]),
    ],
    ids=[
        "0230-spring",
        "0900-spring",
        "0230-autumn",
        "0900-autumn",
        "30min-spring",
        "30min-autumn",
    ],
)
def test_cron_fire_instants_across_daylight_saving_changes(
    expression: str, start: datetime, expected: list[datetime]
) -> None:
    assert fires(expression, start, len(expected)) == expected


@pytest.mark.parametrize("expression", ["30 2 * * *", "0 9 * * *", "0 2,3 * * *", "15 * * * *"])
def test_a_year_of_fire_times_only_moves_forward_and_skips_no_day(expression: str) -> None:
    schedule = cron_trigger(expression, TZ)
    after, seen = utc(1, 1, 0), Counter[tuple[int, int]]()
    while True:
        fire = next_fire(schedule, after)
        assert fire is not None and fire > after
        if fire.year > 2026:
            break
        local = fire.astimezone(OSLO)
        seen[(local.month, local.day)] += 1
        after = fire
    per_day = Counter(seen.values())
    expected_per_day = {"30 2 * * *": 1, "0 9 * * *": 1, "0 2,3 * * *": 2, "15 * * * *": 24}
    usual = expected_per_day[expression]
    assert len(seen) == 365  # every local day has its runs
    if usual == 24:  # hourly: the short day has 23 hours, the long one 24 distinct wall times
        assert per_day == {24: 364, 23: 1}
    elif expression == "0 2,3 * * *":  # 02:00 moves onto 03:00 in spring: one run that day
        assert per_day == {2: 364, 1: 1}
    else:
        assert per_day == {usual: 365}


def test_a_restart_in_the_spring_gap_still_runs_that_nights_job() -> None:
    """Started at 03:10 CEST on the short night: 02:30 (run at 03:30) is still ahead."""
    schedule = cron_trigger("30 2 * * *", TZ)
    assert next_fire(schedule, utc(3, 29, 1, 10)) == utc(3, 29, 1, 30)


def test_a_restart_in_the_repeated_hour_does_not_run_the_job_again() -> None:
    """Started at the second 02:10 (CET): the 02:30 of this night already ran (CEST)."""
    schedule = cron_trigger("30 2 * * *", TZ)
    assert next_fire(schedule, utc(10, 25, 1, 10)) == utc(10, 26, 1, 30)


@pytest.mark.parametrize(
    ("weekdays", "expected"),
    [
        ("1", ["Mon"]),
        ("1-5", ["Mon", "Tue", "Wed", "Thu", "Fri"]),
        ("0", ["Sun"]),
        ("7", ["Sun"]),
        ("*/2", ["Tue", "Thu", "Sat", "Sun"]),  # 0, 2, 4, 6
        ("MON,wed", ["Mon", "Wed"]),
        ("sat-sun", ["Sat", "Sun"]),
        ("5-1", ["Mon", "Fri", "Sat", "Sun"]),
        ("*", ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]),
    ],
)
def test_weekday_numbers_mean_what_they_mean_in_crontab(weekdays: str, expected: list[str]) -> None:
    """APScheduler 3 counts weekdays from Monday = 0; crontab from Sunday = 0."""
    days = {f.strftime("%a") for f in fires(f"0 9 * * {weekdays}", utc(1, 4, 12), 14, "UTC")}
    order = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert sorted(days, key=order.index) == expected


@pytest.mark.parametrize(
    ("expression", "timezone"),
    [
        ("0 9 * *", "UTC"),
        ("61 9 * * *", "UTC"),
        ("0 9 * * 8", "UTC"),
        ("0 9 * * funday", "UTC"),
        ("0 9 * * *", "Europe/Atlantis"),
    ],
)
def test_a_bad_schedule_is_a_cron_error(expression: str, timezone: str) -> None:
    with pytest.raises(CronError, match=re.escape(repr(expression))):
        cron_trigger(expression, timezone)


# --- a running app on a real database ----------------------------------------------


class Run(NamedTuple):
    job: str
    instance: str
    at: datetime
    payload: dict[str, Any]


def probe(runs: list[Run], crons: Mapping[str, str] | None = None) -> Feature:
    """A test feature: cron jobs in Oslo time, one-off jobs, and /later to schedule one."""
    feature = Feature("probe")

    def recorder(name: str) -> JobHandler:
        async def record(ctx: Context, payload: dict[str, Any]) -> None:
            runs.append(Run(name, ctx.runtime.instance_id, ctx.now(), payload))
            await asyncio.sleep(0.01)  # hold the claim a moment: concurrent instances overlap

        return record

    for name, cron in (crons or {}).items():
        feature.job(name, cron=cron, timezone=TZ)(recorder(name))
    feature.job("remind")(recorder("remind"))

    @feature.job("again")
    async def again(ctx: Context, payload: dict[str, Any]) -> None:
        """Moves its own job (same key) an hour on, until `left` runs out."""
        await recorder("again")(ctx, payload)
        if payload["left"] > 1:
            due = ctx.now() + timedelta(hours=1)
            await ctx.schedule("probe:again", "again", due, {"left": payload["left"] - 1})

    @feature.command("later", help="Remind me in two hours")
    async def later(ctx: Context) -> None:
        await ctx.schedule("probe:later", "remind", ctx.now() + timedelta(hours=2), {"n": 1})

    return feature


@asynccontextmanager
async def running(
    db_url: str, clock: FakeClock, features: Sequence[Feature], instance: str = "one"
) -> AsyncIterator[App]:
    """An Agora instance as `agora run` builds it (auto-migrating), without adapters."""
    config = load_config_dict(
        {"bot": {"instance_id": instance}, "storage": {"url": db_url, "auto_migrate": True}},
        feature_models(),
    )
    app = await build_app(config, clock=clock, features=features, env={})
    await app.start()
    try:
        yield app
    finally:
        await app.stop()


def command(name: str, at: datetime) -> CommandInvoked:
    return CommandInvoked(
        event_id=f"console:{name}:{at.isoformat()}",
        occurred_at=at,
        actor=Member(Ref("console", "local", "carol"), "carol"),
        channel=Channel(Ref("console", "local", "general"), "general"),
        name=name,
    )


async def schedule(storage: SqlStorage, key: str, name: str, due: datetime, **payload: Any) -> None:
    async with storage.unit_of_work() as uow:
        await uow.get(JobStore).schedule(key, "probe", name, due, payload)  # type: ignore[type-abstract]


async def rows(storage: SqlStorage, table: Any) -> list[Any]:
    async with storage.connection() as conn:
        return list((await conn.execute(select(table))).all())


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (
            utc(3, 27, 12),
            [
                ("night", utc(3, 28, 1, 30)),
                ("morning", utc(3, 28, 8)),
                ("night", utc(3, 29, 1, 30)),  # 02:30 does not exist: 03:30 CEST
                ("morning", utc(3, 29, 7)),  # 09:00 CEST
                ("night", utc(3, 30, 0, 30)),
                ("morning", utc(3, 30, 7)),
            ],
        ),
        (
            utc(10, 23, 12),
            [
                ("night", utc(10, 24, 0, 30)),
                ("morning", utc(10, 24, 7)),
                ("night", utc(10, 25, 0, 30)),  # the first 02:30 only
                ("morning", utc(10, 25, 8)),  # 09:00 CET
                ("night", utc(10, 26, 1, 30)),
                ("morning", utc(10, 26, 8)),
            ],
        ),
    ],
    ids=["spring", "autumn"],
)
async def test_cron_jobs_fire_at_the_right_instants_across_dst(
    db_url: str, start: datetime, expected: list[tuple[str, datetime]]
) -> None:
    runs: list[Run] = []
    feature = probe(runs, {"night": "30 2 * * *", "morning": "0 9 * * *"})
    async with running(db_url, FakeClock(start), [feature]) as app:
        await app.scheduler.advance(timedelta(days=3))
        claimed = await rows(app.runtime.storage, cron_runs)
    assert [(r.job, r.at) for r in runs] == expected
    assert all(r.payload == {"fire_time": r.at.isoformat()} for r in runs)
    mine = sorted((c.job, c.fire_time) for c in claimed if c.job.startswith("probe."))
    assert mine == sorted((f"probe.{job}", at) for job, at in expected)


async def test_a_persisted_job_survives_a_restart_and_fires_once(db_url: str) -> None:
    runs: list[Run] = []
    feature = probe(runs)
    start = utc(1, 5, 9)
    async with running(db_url, FakeClock(start), [feature], "first") as app:
        assert await app.dispatcher.handle(command("later", start)) is True  # due 11:00
        assert app.scheduler.pending_count == 1
        await app.scheduler.advance(timedelta(hours=1))
        assert runs == []
    # Agora was down from 10:00 to 14:00: the job fell due while nothing ran.
    async with running(db_url, FakeClock(start + timedelta(hours=5)), [feature], "second") as app:
        assert app.scheduler.pending_count == 1
        await app.scheduler.advance(timedelta(0))
        assert runs == [Run("remind", "second", start + timedelta(hours=5), {"n": 1})]
        await app.scheduler.advance(timedelta(days=1))
        assert app.scheduler.pending_count == 0
    async with running(db_url, FakeClock(start + timedelta(days=2)), [feature], "third") as app:
        assert app.scheduler.pending_count == 0
        await app.scheduler.advance(timedelta(days=1))
        (job,) = await rows(app.runtime.storage, scheduled_jobs)
    assert len(runs) == 1
    assert (job.key, job.claimed_by, job.done_at) == ("probe:later", "second", runs[0].at)


async def test_a_missed_cron_run_fires_once_within_the_catch_up_window(db_url: str) -> None:
    runs: list[Run] = []
    feature = probe(runs, {"morning": "0 9 * * *"})  # 09:00 Oslo = 08:00 UTC in January
    back = utc(1, 5, 8, 40)  # down over 09:00, back 40 minutes later
    assert back - utc(1, 5, 8) < CATCH_UP_WINDOW
    async with running(db_url, FakeClock(back), [feature], "first") as app:
        assert [(r.job, r.at, r.payload) for r in runs] == [
            ("morning", back, {"fire_time": utc(1, 5, 8).isoformat()})
        ]
        await app.scheduler.advance(timedelta(minutes=5))
    # Restarted again within the window: that run is done, it does not come back.
    async with running(db_url, FakeClock(back + timedelta(minutes=10)), [feature], "two") as app:
        assert len(runs) == 1
        await app.scheduler.advance(timedelta(days=1))
    assert [r.at for r in runs] == [back, utc(1, 6, 8)]


async def test_a_cron_run_missed_by_more_than_the_window_is_skipped(db_url: str) -> None:
    runs: list[Run] = []
    feature = probe(runs, {"morning": "0 9 * * *"})
    back = utc(1, 5, 8) + CATCH_UP_WINDOW + timedelta(minutes=1)
    async with running(db_url, FakeClock(back), [feature]) as app:
        assert runs == []
        await app.scheduler.advance(timedelta(days=1))
    assert [r.at for r in runs] == [utc(1, 6, 8)]


async def test_catch_up_runs_only_the_latest_missed_slot(db_url: str) -> None:
    runs: list[Run] = []
    feature = probe(runs, {"quarterly": "*/15 * * * *"})
    back = utc(1, 5, 8, 40)  # missed 07:45, 08:00, 08:15 and 08:30
    async with running(db_url, FakeClock(back), [feature]) as app:
        await app.scheduler.advance(timedelta(minutes=10))
    assert [r.payload["fire_time"] for r in runs] == [
        utc(1, 5, 8, 30).isoformat(),
        utc(1, 5, 8, 45).isoformat(),
    ]


async def test_a_job_that_moves_itself_keeps_firing(db_url: str, storage: SqlStorage) -> None:
    runs: list[Run] = []
    feature = probe(runs)
    start = utc(1, 5, 9)
    await schedule(storage, "probe:again", "again", start + timedelta(hours=1), left=3)
    async with running(db_url, FakeClock(start), [feature]) as app:
        await app.scheduler.advance(timedelta(hours=6))
        assert app.scheduler.pending_count == 0
    assert [r.at for r in runs] == [start + timedelta(hours=h) for h in (1, 2, 3)]
    assert [r.payload["left"] for r in runs] == [3, 2, 1]


async def test_two_instances_fire_each_due_job_once(db_url: str, storage: SqlStorage) -> None:
    runs: list[Run] = []
    feature = probe(runs)
    start = utc(1, 5, 9)
    for n in range(10):
        await schedule(storage, f"probe:remind:{n}", "remind", start - timedelta(minutes=n), n=n)
    async with (
        running(db_url, FakeClock(start), [feature], "one") as one,
        running(db_url, FakeClock(start), [feature], "two") as two,
    ):
        assert one.scheduler.pending_count == two.scheduler.pending_count == 10
        await asyncio.gather(one.scheduler.run_due(), two.scheduler.run_due())
        assert one.scheduler.pending_count == two.scheduler.pending_count == 0
    assert Counter(r.payload["n"] for r in runs) == Counter(range(10))
    claims = {job.key: job.claimed_by for job in await rows(storage, scheduled_jobs)}
    assert claims == {f"probe:remind:{r.payload['n']}": r.instance for r in runs}


async def test_two_instances_run_a_cron_fire_once(db_url: str) -> None:
    runs: list[Run] = []
    feature = probe(runs, {"morning": "0 9 * * *"})
    start = utc(1, 5, 7, 30)
    async with (
        running(db_url, FakeClock(start), [feature], "one") as one,
        running(db_url, FakeClock(start), [feature], "two") as two,
    ):
        for step in (timedelta(hours=1), timedelta(days=1), timedelta(days=1)):
            await asyncio.gather(one.scheduler.advance(step), two.scheduler.advance(step))
        claimed = await rows(one.runtime.storage, cron_runs)
    assert [r.at for r in runs] == [utc(1, 5, 8), utc(1, 6, 8), utc(1, 7, 8)]
    winners = {(c.job, c.fire_time): c.claimed_by for c in claimed}
    assert [winners[("probe.morning", r.at)] for r in runs] == [r.instance for r in runs]


async def test_stopping_lets_a_running_job_finish_and_commit(
    db_url: str, storage: SqlStorage
) -> None:
    started, release = asyncio.Event(), asyncio.Event()
    feature = Feature("probe")

    @feature.job("slow")
    async def slow(ctx: Context, payload: dict[str, Any]) -> None:
        started.set()
        await release.wait()

    start = utc(1, 5, 9)
    await schedule(storage, "probe:slow", "slow", start)
    config = load_config_dict({"storage": {"url": db_url}}, feature_models())
    app = await build_app(config, clock=FakeClock(start), features=[feature], env={})
    await app.start()
    firing = asyncio.create_task(app.scheduler.run_due())
    await started.wait()
    stopping = asyncio.create_task(app.stop())
    for _ in range(20):
        await asyncio.sleep(0)
    assert not stopping.done()  # waiting for the job, not closing storage under it
    release.set()
    await stopping
    assert await firing == 1
    (job,) = await rows(storage, scheduled_jobs)
    assert (job.done_at, job.claimed_by) == (start, app.runtime.instance_id)


async def test_jobs_due_at_one_instant_share_one_timer_and_each_runs_once(
    db_url: str, storage: SqlStorage
) -> None:
    """On the real clock: 250 jobs due within the same tenth of a second have one timer
    (APScheduler would start 250 timers' jobs in one loop iteration); each runs once,
    except the one cancelled before it was due."""
    runs: list[Run] = []
    due = datetime.now(UTC) + timedelta(milliseconds=400)
    for n in range(250):
        await schedule(storage, f"probe:r{n}", "remind", due + timedelta(microseconds=n), n=n)
    config = load_config_dict({"storage": {"url": db_url}}, feature_models())
    app = await build_app(config, clock=SystemClock(), features=[probe(runs)], env={})
    await app.start()
    try:
        aps = app.scheduler._aps
        assert aps is not None
        assert len([j for j in aps.get_jobs() if j.id.startswith("due:")]) == 1
        app.scheduler.disarm_key("probe:r7")
        for _ in range(100):
            if len(runs) >= 249:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)
        assert sorted(r.payload["n"] for r in runs) == [n for n in range(250) if n != 7]
        assert all(r.at >= due for r in runs)
        assert not [j for j in aps.get_jobs() if j.id.startswith("due:")]
    finally:
        await app.stop()


async def test_refresh_arms_jobs_another_instance_scheduled(db_url: str) -> None:
    """Instance B learns of a job instance A put in the table, without restarting."""
    from datetime import timedelta

    from bot.ports import JobStore
    from bot.testing import Harness

    async with Harness(storage_url=db_url) as h:
        scheduler = h.app.scheduler  # type: ignore[union-attr]
        async with h.runtime.storage.unit_of_work() as uow:
            await uow.get(JobStore).schedule(
                "other:1", "core", "prune", h.clock.now() + timedelta(seconds=30), {}
            )
        assert scheduler.pending_count == 0
        assert await scheduler.refresh() == 1
        assert await scheduler.refresh() == 0
        assert scheduler.pending_count == 1


def failing_first(app: App, times: int, error: Exception) -> list[Exception]:
    """Make the first `times` runs of any job fail outside its handler with `error`
    (as a claim or a commit does), as if its transaction never committed."""
    scheduler = app.scheduler
    real = type(scheduler)._claim_and_run.__get__(scheduler)  # not an earlier wrapper
    raised: list[Exception] = []

    async def flaky(spec: JobSpec, *args: Any, **kwargs: Any) -> None:
        if spec.feature == "probe" and len(raised) < times:
            raised.append(error)
            raise error
        await real(spec, *args, **kwargs)

    scheduler._claim_and_run = flaky  # type: ignore[method-assign]
    return raised


@pytest.mark.parametrize(
    "error", [RuntimeError("commit failed"), StorageUnavailable("down")], ids=["bug", "outage"]
)
async def test_a_job_whose_run_did_not_commit_is_retried_with_backoff(
    db_url: str, storage: SqlStorage, error: Exception
) -> None:
    runs: list[Run] = []
    start = utc(1, 5, 9)
    await schedule(storage, "probe:later", "remind", start, n=1)
    async with running(db_url, FakeClock(start), [probe(runs)]) as app:
        raised = failing_first(app, 3, error)
        await app.scheduler.advance(timedelta(0))
        assert len(raised) == 1 and runs == []
        assert app.scheduler.pending_count == 1, "the job must stay owed, never stuck"
        assert app.scheduler.next_due() == start + retry_delay(1)
        await app.scheduler.advance(timedelta(minutes=1))
        assert len(raised) == 3  # retried after 1 s and 2 s, …
        assert [r.at for r in runs] == [start + retry_delay(1) + retry_delay(2) + retry_delay(3)]
        assert app.scheduler.pending_count == 0
        await app.scheduler.advance(timedelta(days=1))
    assert len(runs) == 1


def test_retry_delays_double_up_to_a_ceiling() -> None:
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert retry_delay(100) == RETRY_LONGEST


async def test_a_cron_run_that_did_not_commit_is_owed_once_within_the_window(
    db_url: str,
) -> None:
    runs: list[Run] = []
    feature = probe(runs, {"morning": "0 9 * * *"})  # 08:00 UTC in January
    async with running(db_url, FakeClock(utc(1, 5, 7, 59)), [feature]) as app:
        raised = failing_first(app, 2, StorageUnavailable("down"))
        await app.scheduler.advance(timedelta(minutes=5))
        assert len(raised) == 2
        assert [(r.at, r.payload["fire_time"]) for r in runs] == [
            (utc(1, 5, 8) + retry_delay(1) + retry_delay(2), utc(1, 5, 8).isoformat())
        ]
        await app.scheduler.advance(timedelta(days=1))
    assert [r.payload["fire_time"] for r in runs] == [
        utc(1, 5, 8).isoformat(),
        utc(1, 6, 8).isoformat(),
    ]


async def test_a_cron_run_is_given_up_after_the_catch_up_window(db_url: str) -> None:
    runs: list[Run] = []
    feature = probe(runs, {"morning": "0 9 * * *"})
    async with running(db_url, FakeClock(utc(1, 5, 7, 59)), [feature]) as app:
        raised = failing_first(app, 1000, StorageUnavailable("down"))
        await app.scheduler.advance(CATCH_UP_WINDOW + timedelta(hours=1))
        assert runs == [] and len(raised) < 30  # backoff, not a busy loop
        given_up = len(raised)
        await app.scheduler.advance(timedelta(hours=22))  # to 07:59 the next day
        assert len(raised) == given_up  # nothing more owed for the 5th
        failing_first(app, 0, StorageUnavailable("down"))
        await app.scheduler.advance(timedelta(minutes=2))
    assert [r.payload["fire_time"] for r in runs] == [utc(1, 6, 8).isoformat()]
