"""Recurring polls: the same question posted on a cron schedule ("every Monday at 9").

Each occurrence is a persisted one-off job keyed by its fire time, so it survives
restarts and fires once (a missed one fires once on start-up, then the schedule
carries on from the present). Firing posts the poll and arms the next occurrence.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.args import ArgError, parse_duration
from bot.context import Context, UserError
from bot.features.polls import service
from bot.features.polls.config import PollsConfig
from bot.features.polls.deadline import MIN_OPEN, NEVER
from bot.features.polls.store import PollSpec, Schedule, ScheduleStore
from bot.i18n import _
from bot.model import Level, Ref
from bot.ports import JobStore
from bot.scheduler import CronError, cron_trigger, next_fire

log = logging.getLogger(__name__)

RECURRING_JOB = "recurring"


def store(ctx: Context) -> ScheduleStore:
    return ctx.repo(ScheduleStore)  # type: ignore[type-abstract]


def job_key(schedule_id: int, due: datetime) -> str:
    return f"polls:recurring:{schedule_id}:{due:%Y%m%dT%H%M}"


def _duration(ctx: Context, closes: str | None) -> timedelta | None:
    text = closes if closes is not None else ctx.config_of(PollsConfig).default_closes
    if not text or text.strip().lower() in NEVER:
        return None
    try:
        duration = parse_duration(text)
    except ArgError:
        raise UserError(
            _(
                "For a recurring poll, --closes takes a duration such as 1d: each poll "
                "closes that long after it is posted."
            )
        ) from None
    if duration < MIN_OPEN:
        raise UserError(_("A poll has to stay open for at least a minute."))
    return duration


def _next(cron: str, timezone: str, after: datetime) -> datetime:
    try:
        trigger = cron_trigger(cron, timezone)
    except CronError:
        raise UserError(
            _(
                "{cron!r} is not a schedule. Use five fields — minute hour day month weekday — "
                'e.g. "0 9 * * MON" for Mondays at 9:00.',
                cron=cron,
            )
        ) from None
    fire = next_fire(trigger, after)
    if fire is None:
        raise UserError(_("The schedule {cron!r} never fires.", cron=cron))
    return fire


async def create(
    ctx: Context, cron: str, spec: PollSpec, channel: Ref, closes: str | None
) -> tuple[Schedule, datetime]:
    """Store the schedule and arm its first occurrence; returns it and when that is."""
    ctx.require(Level.MODERATOR)
    timezone = service.member_timezone(ctx)
    due = _next(cron, timezone, ctx.now())
    schedule = await store(ctx).create(
        spec,
        channel,
        cron=" ".join(cron.split()),
        timezone=timezone,
        duration=_duration(ctx, closes),
        creator=ctx.actor.person_id if ctx.actor else None,
        at=ctx.now(),
    )
    await ctx.schedule(job_key(schedule.id, due), RECURRING_JOB, due, {"schedule_id": schedule.id})
    return schedule, due


async def fire(ctx: Context, schedule_id: int) -> None:
    """Post this occurrence's poll and arm the next one (stopped schedules do nothing)."""
    schedule = await store(ctx).get(schedule_id)
    if schedule is None or not schedule.active:
        return
    now = ctx.now()
    creator = None
    if schedule.creator is not None:
        accounts = await ctx.directory.accounts_of(schedule.creator)
        creator = accounts[0] if accounts else None
    closes_at = now + schedule.duration if schedule.duration else None
    try:
        async with ctx.work.uow.savepoint():  # an unpostable poll leaves nothing behind
            await service.start_poll(
                ctx,
                schedule.spec,
                schedule.channel,
                closes_at=closes_at,
                creator=creator,
                schedule_id=schedule.id,
            )
    except UserError as error:
        log.warning("recurring poll R%s could not be posted: %s", schedule.id, error.message)
    due = _next(schedule.cron, schedule.timezone, now)
    await ctx.schedule(job_key(schedule.id, due), RECURRING_JOB, due, {"schedule_id": schedule.id})


async def stop(ctx: Context, schedule_id: int) -> None:
    ctx.require(Level.MODERATOR)
    if not await store(ctx).stop(schedule_id):
        raise UserError(
            _("There is no running recurring poll R{id}. /poll list shows them.", id=schedule_id)
        )
    jobs: JobStore = ctx.repo(JobStore)  # type: ignore[type-abstract]
    await jobs.cancel_prefix(f"polls:recurring:{schedule_id}:")
