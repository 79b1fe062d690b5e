"""(checkins) 1,000 check-in DMs due at the same minute, on the real clock.

A check-in for everyone, due at the next whole minute, with 1,000 members on the
community's clock: its run job fires through APScheduler, records 1,000 deliveries
in one statement, sends the first second's batch and arms the rest as paced jobs
(`dms_per_second`, default 20). The memory adapter stamps every DM as it leaves.

Quick mode does not wait up to a minute for the next whole one: the run of the
minute that has just begun (a cron schedule only fires on whole minutes) is armed a
few seconds ahead, as when a run fires late after a restart within the grace window
(an hour); the run job, the deliveries and the pacing are the same code, paced from
the moment it fires. It asks 100 members (5 s at 20/s) instead of 1,000.

Rows: the most DMs in any one-second window against Discord's global budget (50
requests a second), the loop's longest stall while it all happens (≤ 100 ms), the
time the whole run took, and that every member got exactly one DM and every
delivery is marked sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from bisect import bisect_left
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.framework import (
    FAIL,
    PASS,
    STORAGE_VARIANTS,
    Case,
    LoopProbe,
    Row,
    benchmark,
    measured_row,
    number,
)
from bench.support import BenchApp, database_url, open_app
from bot.features.checkins.store import Checkin, CheckinStore, Delivery, Source
from bot.model import Outgoing, Ref
from bot.ports import JobStore, Once

MEMBERS = 1_000
QUICK_MEMBERS = 100
BUDGET_PER_SECOND = 50  # Discord: 50 requests a second per bot, the tightest platform limit
TARGET_STALL_MS = 100.0
LEAD = timedelta(seconds=3)
QUICK_LEAD = timedelta(seconds=1.5)  # 100 members are armed in a blink


async def _arm_checkin(bench: BenchApp, due: datetime, fires: datetime) -> None:
    """One check-in for everyone, its run of `due` armed at `fires` (UTC, whole minutes)."""
    checkin = Checkin(
        id=0,
        name="standup",
        title="Standup",
        questions=("What did you do?", "What next?"),
        schedule=f"{due.minute} {due.hour} * * *",
        timezone=None,
        delivery=Delivery.DM,
        channel=None,
        roles=frozenset(),
        everyone=True,
        remind_after=None,
        summary_at=None,
        source=Source.COMMAND,
    )
    async with bench.app.runtime.storage.unit_of_work() as uow:
        made = await uow.get(CheckinStore).create(checkin, datetime.now(UTC))  # type: ignore[type-abstract]
        assert made is not None
        payload = {"checkin_id": made.id, "at": due.isoformat()}
        jobs: JobStore = uow.get(JobStore)  # type: ignore[type-abstract]
        await jobs.schedule(f"checkins:run:{made.id}:bench", "checkins", "run", fires, payload)


def _stamp_dms(
    bench: BenchApp, sent: list[tuple[float, Ref]], done: asyncio.Event, members: int
) -> None:
    port: Any = bench.app.runtime.ports[bench.community.platform]
    original = port.send

    async def send(out: Outgoing, once: Once | None = None) -> Ref:
        ref: Ref = await original(out, once)
        if out.dm is not None:
            sent.append((time.perf_counter(), out.dm))
            if len(sent) >= members:
                done.set()
        return ref

    port.send = send


def busiest_second(stamps: list[float]) -> int:
    """The most events in any window of one second (sliding, not calendar seconds)."""
    ordered = sorted(stamps)
    return max(
        (bisect_left(ordered, t + 1.0) - i for i, t in enumerate(ordered)),
        default=0,
    )


@benchmark("checkins_dms", title="check-ins, 1,000 DMs due at once", variants=STORAGE_VARIANTS)
async def checkins_dms(case: Case) -> list[Row]:
    from storage.tables.checkins import checkin_deliveries

    label = case.variant
    members = int(case.pick(QUICK_MEMBERS, MEMBERS))
    url = await database_url(case)
    bench = await open_app(url, members=members, channels=1, start_scheduler=False)
    sent: list[tuple[float, Ref]] = []
    all_sent = asyncio.Event()
    per_second = 0
    try:
        per_second = bench.app.runtime.feature_config("checkins").dms_per_second
        if case.quick:
            # The minute that has just begun, its run fired LEAD from now (late, within
            # the grace window): no waiting for the next whole minute.
            fires = datetime.now(UTC) + QUICK_LEAD
            due = fires.replace(second=0, microsecond=0)
        else:
            # Whole minutes only (a cron schedule): the next minute at least LEAD away.
            due = (datetime.now(UTC) + LEAD + timedelta(minutes=1)).replace(second=0, microsecond=0)
            if due - datetime.now(UTC) > timedelta(minutes=1):
                due -= timedelta(minutes=1)
            fires = due
        await _arm_checkin(bench, due, fires)
        _stamp_dms(bench, sent, all_sent, members)
        await bench.app.start()  # the scheduler and the outbox that sends the DMs
        wait = (fires - datetime.now(UTC)).total_seconds()
        await asyncio.sleep(max(0.0, wait - 0.5))
        limit = members / per_second + case.pick(30.0, 120.0)
        async with LoopProbe() as probe:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(all_sent.wait(), limit)
            await asyncio.sleep(case.pick(1.0, 1.5))  # anything sent twice shows up now
        marked = await bench.count(checkin_deliveries, checkin_deliveries.c.sent_at.is_not(None))
    finally:
        await bench.close()

    stamps = [t for t, _ref in sent]
    spread = (max(stamps) - min(stamps)) if stamps else float("nan")
    per_member = Counter(ref for _t, ref in sent)
    once = len(per_member) == members and set(per_member.values()) == {1} and marked == members
    scale = (
        f"; quick mode: {members:,} members, the run fired "
        f"{(fires - due).total_seconds():.0f} s after its minute (the target is for "
        f"{MEMBERS:,} at the minute)"
        if case.quick
        else ""
    )
    return [
        measured_row(
            f"most DMs in one second, {label}",
            busiest_second(stamps),
            "DMs",
            at_most=BUDGET_PER_SECOND,
            stall_ms=probe.max_ms,
            note=(
                f"checkins, {label}: {members:,} DMs due at one minute, paced at "
                f"{per_second}/s (dms_per_second) against Discord's 50 requests/s{scale}"
            ),
        ),
        measured_row(
            f"loop stall, {members:,} check-in DMs, {label}",
            probe.max_ms,
            "ms",
            at_most=TARGET_STALL_MS,
            digits=1,
            stall_ms=probe.max_ms,
            note=f"checkins, {label}: {probe.describe()}",
        ),
        measured_row(
            f"{members:,} check-in DMs sent within, {label}",
            spread,
            "s",
            digits=1,
            stall_ms=probe.max_ms,
        ),
        Row(
            figure=f"every member asked exactly once, {label}",
            target=number(members),
            measured=(f"{len(per_member):,} members, {len(sent):,} DMs, {marked:,} marked sent"),
            status=PASS if once else FAIL,
        ),
    ]
