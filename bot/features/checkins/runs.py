"""Running a check-in: arming the next instant, asking each group, pacing, reminding.

Every step is a persisted job (`ctx.schedule`), so a restart re-arms it and two
instances never run it twice. One "run" job fires at each instant at which the
schedule reaches *some* member's clock (09:00 in Kyiv, then in Oslo, then in New
York); it asks the members whose clock shows the scheduled time then, and arms the
next instant. A thousand members due at once are spread over seconds, a batch of
`dms_per_second` per second, each batch its own job, so a big run stays within the
platforms' rate limits and never holds the event loop or one transaction for long.
"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.context import Context
from bot.features.checkins import render, service
from bot.features.checkins.store import Checkin, Delivery, NewDelivery, Participant, Sent
from bot.features.checkins.timing import fires_at, next_instant, run_key, summary_due
from bot.i18n import normalize_locale, using_locale
from bot.model import Outgoing, Ref
from bot.ports import JobStore

log = logging.getLogger(__name__)

RUN_JOB = "run"
SEND_JOB = "send"
REMIND_JOB = "remind"
SUMMARY_JOB = "summary"
_STAMP = "%Y%m%dT%H%M%S"


def _stamp(at: datetime) -> str:
    return at.strftime(_STAMP)


def run_job_key(checkin_id: int, at: datetime) -> str:
    return f"checkins:run:{checkin_id}:{_stamp(at)}"


def summary_job_key(checkin_id: int, key: str) -> str:
    return f"checkins:summary:{checkin_id}:{key}"


def answer_id(ctx: Context, checkin_id: int, key: str) -> str:
    return ctx.feature.action_id("answer", checkin_id, key)


def skip_id(ctx: Context, checkin_id: int, key: str) -> str:
    return ctx.feature.action_id("skip", checkin_id, key)


async def cancel_all(ctx: Context, checkin_id: int) -> None:
    """Drop every pending job of a check-in (it was deleted)."""
    jobs: JobStore = ctx.repo(JobStore)  # type: ignore[type-abstract]
    for kind in (RUN_JOB, SEND_JOB, REMIND_JOB, SUMMARY_JOB):
        await jobs.cancel_prefix(f"checkins:{kind}:{checkin_id}:")


async def zones_of(ctx: Context, checkin: Checkin, now: datetime) -> set[str]:
    if checkin.delivery is Delivery.CHANNEL:
        return {service.home_zone(ctx, checkin)}
    people = await service.audience(ctx, checkin, now)
    return {service.zone_of(ctx, checkin, p.timezone) for p in people}


async def arm_next(ctx: Context, checkin: Checkin, after: datetime) -> datetime | None:
    """Arm the run job of the next instant the schedule reaches anyone's clock."""
    zones = await zones_of(ctx, checkin, ctx.now())
    due = next_instant(checkin.schedule, zones, after)
    if due is not None:
        payload = {"checkin_id": checkin.id, "at": due.isoformat()}
        await ctx.schedule(run_job_key(checkin.id, due), RUN_JOB, due, payload)
    return due


async def on_run(ctx: Context, payload: dict[str, Any]) -> None:
    """A run job fired: ask whoever is due (unless it is too late), arm the next one."""
    checkin = await service.store(ctx).get(int(payload["checkin_id"]))
    if checkin is None:
        return  # deleted meanwhile
    at = datetime.fromisoformat(str(payload["at"]))
    now = ctx.now()
    late = now - at
    if late > service.settings(ctx).grace_window:
        log.warning(
            "check-in %s: the run due %s was missed by %s (beyond the grace window); skipped",
            checkin.name,
            at.isoformat(),
            late,
        )
    else:
        await start(ctx, checkin, at)
    await arm_next(ctx, checkin, max(at, now))


async def start(ctx: Context, checkin: Checkin, at: datetime, *, now_for_all: bool = False) -> int:
    """Ask the members due at `at` (everyone, with `now_for_all`); returns how many."""
    home = service.home_zone(ctx, checkin)
    if checkin.delivery is Delivery.CHANNEL:
        key = run_key(at, home)
        await open_run(ctx, checkin, key, at)
        await post_in_channel(ctx, checkin, key)
        return 0
    groups: dict[str, list[Participant]] = {}
    due_here: dict[str, bool] = {}  # per zone: does the schedule fire there at `at`?
    for person in await service.audience(ctx, checkin, ctx.now()):
        zone_name = service.zone_of(ctx, checkin, person.timezone)
        if now_for_all:
            key = run_key(at, home)
        else:
            if zone_name not in due_here:
                due_here[zone_name] = fires_at(checkin.schedule, zone_name, at)
            if not due_here[zone_name]:
                continue
            key = run_key(at, zone_name)
        groups.setdefault(key, []).append(person)
    per_second = service.settings(ctx).dms_per_second
    store = service.store(ctx)
    rows: list[NewDelivery] = []
    for key, people in groups.items():
        await open_run(ctx, checkin, key, at)
        done = {r.person_id for r in await store.responses(checkin.id, key)}  # skipped ahead
        done |= {d.person_id for d in await store.delivered(checkin.id, key)}  # asked already
        for person in people:
            if person.person_id in done:
                continue
            batch = len(rows) // per_second
            language = ctx.runtime.config.bot.language_for(person.locale, person.platform_locale)
            rows.append(
                NewDelivery(checkin.id, key, person.person_id, person.member, language, at, batch)
            )
    if not rows:
        return 0  # everyone due was asked this run already
    await store.deliver(rows)
    batches = (len(rows) - 1) // per_second + 1
    begin = max(at, ctx.now())
    for batch in range(batches):
        payload = {"checkin_id": checkin.id, "at": at.isoformat(), "batch": batch}
        if batch == 0:
            await send(ctx, checkin, at, 0)  # the first second's worth goes right away
        else:
            due = begin + timedelta(seconds=batch)
            await ctx.schedule(_batch_key(SEND_JOB, checkin.id, at, batch), SEND_JOB, due, payload)
        if checkin.remind_after is not None:
            due = begin + checkin.remind_after + timedelta(seconds=batch)
            await ctx.schedule(
                _batch_key(REMIND_JOB, checkin.id, at, batch), REMIND_JOB, due, payload
            )
    return len(rows)


def _batch_key(kind: str, checkin_id: int, at: datetime, batch: int) -> str:
    return f"checkins:{kind}:{checkin_id}:{_stamp(at)}:{batch}"


async def open_run(ctx: Context, checkin: Checkin, key: str, at: datetime) -> None:
    """Record that a run started; its first group also arms its summary."""
    due = None
    if checkin.summary_at is not None and checkin.channel:
        due = summary_due(at, checkin.summary_at, ZoneInfo(service.home_zone(ctx, checkin)))
    if await service.store(ctx).start_run(checkin.id, key, at, due) and due is not None:
        payload = {"checkin_id": checkin.id, "run_key": key}
        await ctx.schedule(summary_job_key(checkin.id, key), SUMMARY_JOB, due, payload)


async def post_in_channel(ctx: Context, checkin: Checkin, key: str) -> None:
    channel = await service.resolve_channel(ctx, checkin.channel)
    if channel is None:
        log.warning(
            "check-in %s: channel %r not found; nothing posted", checkin.name, checkin.channel
        )
        return
    text, blocks = render.channel_post(
        checkin, key, answer_id(ctx, checkin.id, key), skip_id(ctx, checkin.id, key)
    )
    sent = await ctx.send_bridged(Outgoing(text, blocks, channel=channel))
    if sent:
        await service.store(ctx).set_post(checkin.id, key, channel, sent[0])


async def on_send(ctx: Context, payload: dict[str, Any]) -> None:
    checkin = await service.store(ctx).get(int(payload["checkin_id"]))
    if checkin is not None:
        await send(ctx, checkin, datetime.fromisoformat(str(payload["at"])), int(payload["batch"]))


async def send(ctx: Context, checkin: Checkin, at: datetime, batch: int) -> None:
    """DM one batch its questions; every row is marked sent, delivered or not."""
    rows = await service.store(ctx).batch(checkin.id, at, batch)
    for row in rows:
        with _language(ctx, row):
            text, blocks = render.ask(checkin, row.run_key, *_ids(ctx, checkin, row))
        _dm(ctx, checkin, row.member, text, blocks)
    await service.store(ctx).mark_sent([r.id for r in rows], ctx.now())


async def on_remind(ctx: Context, payload: dict[str, Any]) -> None:
    """Remind one batch of a group who have neither answered nor skipped."""
    checkin = await service.store(ctx).get(int(payload["checkin_id"]))
    if checkin is None:
        return
    at = datetime.fromisoformat(str(payload["at"]))
    rows = await service.store(ctx).to_remind(checkin.id, at, int(payload["batch"]))
    reminded: list[int] = []
    for row in rows:
        run = await service.store(ctx).run(checkin.id, row.run_key)
        if run is not None and run.summarized_at is not None:
            continue  # the summary is out: no point in chasing
        with _language(ctx, row):
            text, blocks = render.reminder(checkin, row.run_key, *_ids(ctx, checkin, row))
        _dm(ctx, checkin, row.member, text, blocks)
        reminded.append(row.id)
    await service.store(ctx).mark_reminded(reminded, ctx.now())


def _ids(ctx: Context, checkin: Checkin, row: Sent) -> tuple[str, str]:
    return answer_id(ctx, checkin.id, row.run_key), skip_id(ctx, checkin.id, row.run_key)


def _language(ctx: Context, row: Sent) -> AbstractContextManager[str]:
    """Write to a member in the language resolved when they were asked (`language_for`)."""
    return using_locale(normalize_locale(row.locale) or ctx.runtime.config.bot.language)


def _dm(ctx: Context, checkin: Checkin, member: Ref, text: str, blocks: Any) -> None:
    # DMs closed, account gone: the outbox logs that member's refusal; the others go.
    if not ctx.dm(member, text, blocks=blocks):
        log.info("check-in %s: cannot DM %s here", checkin.name, member)
