"""Making and removing check-ins: `/checkin create|delete|run-now` and the config mirror.

A check-in made by command is validated by the same model as one in the file, so
the two can never accept different things. The file's check-ins are mirrored into
the table by the `sync` job (at start, then hourly), which also re-arms every
schedule: a member who moved to another time zone is asked on their new clock.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from pydantic import ValidationError

from bot.context import Context, UserError
from bot.features.checkins import posts, render, runs, segments, service
from bot.features.checkins.config import CheckinDefinition, clock_or_none, duration_or_none
from bot.features.checkins.store import Checkin, Delivery, Source
from bot.features.checkins.timing import describe_cron
from bot.formatting import clock
from bot.i18n import _, ngettext
from bot.model import ChannelKind, Ref
from bot.ports import JobStore
from bot.text import one_line

log = logging.getLogger(__name__)


def from_definition(definition: CheckinDefinition, source: Source) -> Checkin:
    return Checkin(
        id=0,
        name=definition.name,
        title=definition.title,
        questions=tuple(definition.questions),
        schedule=definition.schedule,
        timezone=definition.timezone or None,
        delivery=Delivery(definition.delivery),
        channel=definition.channel or None,
        roles=frozenset(definition.roles),
        everyone=definition.everyone,
        remind_after=duration_or_none(definition.remind_after),
        summary_at=clock_or_none(definition.summary_at),
        source=source,
        segments=frozenset(definition.segments),
    )


def _definition(values: dict[str, Any]) -> CheckinDefinition:
    try:
        return CheckinDefinition.model_validate(values)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        message = str(first.get("msg", "")).removeprefix("Value error, ")
        raise UserError(f"{where}: {message}" if where else message) from None


async def create(
    ctx: Context,
    name: str,
    schedule: str,
    questions: list[str],
    *,
    channel: Ref | None,
    role: str | None,
    everyone: bool,
    timezone: str | None,
    remind: str | None,
    summary: str | None,
    delivery: str,
    title: str | None = None,
    segment: str | None = None,
) -> str:
    here = ctx.channel if ctx.channel and ctx.channel.kind is not ChannelKind.DM else None
    where = channel or (here.ref if here else None)
    values: dict[str, Any] = {
        "name": name.lower(),
        "title": title or name.replace("-", " ").replace("_", " ").capitalize(),
        "schedule": schedule,
        "questions": questions,
        "roles": [role] if role else [],
        "segments": segments.clean([segment or ""]),
        "everyone": everyone,
        "timezone": timezone or "",
        "delivery": delivery,
        "channel": "here" if where else "",
    }
    if remind is not None:
        values["remind_after"] = remind
    if summary is not None:
        values["summary_at"] = summary
    definition = _definition(values)
    segments.require_known(ctx, definition.segments)
    checkin = replace(
        from_definition(definition, Source.COMMAND), channel=str(where) if where else None
    )
    made = await service.store(ctx).create(checkin, ctx.now())
    if made is None:
        raise UserError(
            _("A check-in called {name!r} exists already; pick another name.", name=name)
        )
    due = await runs.arm_next(ctx, made, ctx.now())
    audience = _audience(made)
    questions_count = ngettext(
        "{count} question", "{count} questions", len(made.questions), count=len(made.questions)
    )
    if made.summary_at is not None and where is not None:
        summary_text = _(
            "Summary at {time} in {channel}.",
            time=clock(made.summary_at),
            channel=ctx.channel_mention(where),
        )
    else:
        summary_text = _("No summary is posted.")
    return _(
        "Check-in {name} created: {schedule}, {questions}. {audience} {summary} First run: {when}.",
        name=made.name,
        schedule=describe_cron(made.schedule),
        questions=questions_count,
        audience=audience,
        summary=summary_text,
        when=render.when(due, service.home_zone(ctx, made)) if due else _("when a member joins"),
    )


def _audience(checkin: Checkin) -> str:
    if checkin.delivery is Delivery.CHANNEL:
        return _("Posted in the channel for anyone to answer.")
    if checkin.everyone:
        return _("Every member is asked by DM, on their own clock.")
    roles = ", ".join(sorted(checkin.roles))
    segments = ", ".join(sorted(checkin.segments))
    if roles and segments:
        return _(
            "Members with the role {roles} or in the segment {segments} are asked by DM, "
            "on their own clock.",
            roles=roles,
            segments=segments,
        )
    if segments:
        return _(
            "Members in the segment {segments} are asked by DM, on their own clock.",
            segments=segments,
        )
    if roles:
        return _("Members with the role {roles} are asked by DM, on their own clock.", roles=roles)
    return _("Members join with /checkin join {name}.", name=checkin.name)


def _values_of(checkin: Checkin) -> dict[str, Any]:
    """A stored check-in as definition values (to change some and validate again)."""
    return {
        "name": checkin.name,
        "title": checkin.title,
        "schedule": checkin.schedule,
        "questions": list(checkin.questions),
        "roles": sorted(checkin.roles),
        "segments": sorted(checkin.segments),
        "everyone": checkin.everyone,
        "timezone": checkin.timezone or "",
        "delivery": checkin.delivery.value,
        "channel": "here" if checkin.channel else "",
        "remind_after": f"{int(checkin.remind_after.total_seconds() // 60)}m"
        if checkin.remind_after
        else "",
        "summary_at": checkin.summary_at.strftime("%H:%M") if checkin.summary_at else "",
    }


async def edit(ctx: Context, name: str, questions: Sequence[str], changes: dict[str, Any]) -> str:
    """Change a command-made check-in; its answers stay, its schedule is re-armed."""
    checkin = await service.find(ctx, name)
    if checkin.source is Source.CONFIG:
        raise UserError(
            _("{name} is defined in the config file; change it there.", name=checkin.name)
        )
    channel: Ref | None = changes.pop("channel", None)
    values = _values_of(checkin)
    values.update({k: v for k, v in changes.items() if v is not None})
    if changes.get("role") is not None:
        values["roles"] = [values.pop("role")] if changes["role"] else []
    values.pop("role", None)
    segment = values.pop("segment", None)
    if segment is not None:
        values["segments"] = segments.clean([segment])
    if questions:
        values["questions"] = list(questions)
    if channel is not None:
        values["channel"] = "here"
    definition = _definition(values)
    if segment is not None:
        segments.require_known(ctx, definition.segments)
    updated = replace(
        from_definition(definition, Source.COMMAND),
        id=checkin.id,
        channel=str(channel) if channel is not None else checkin.channel,
    )
    if updated == checkin:
        return _("Nothing to change. Give new questions or options such as --schedule.")
    await service.store(ctx).replace(updated)
    jobs: JobStore = ctx.repo(JobStore)  # type: ignore[type-abstract]
    await jobs.cancel_prefix(f"checkins:{runs.RUN_JOB}:{checkin.id}:")
    due = await runs.arm_next(ctx, updated, ctx.now())
    return _(
        "Check-in {name} changed: {schedule}. Next run: {when}.",
        name=updated.name,
        schedule=describe_cron(updated.schedule),
        when=render.when(due, service.home_zone(ctx, updated)) if due else "—",
    )


async def delete(ctx: Context, name: str) -> str:
    checkin = await service.find(ctx, name)
    if checkin.source is Source.CONFIG:
        raise UserError(
            _(
                "{name} is defined in the config file; remove it there (it goes at the next "
                "reload or restart).",
                name=checkin.name,
            )
        )
    await runs.cancel_all(ctx, checkin.id)
    await service.store(ctx).delete(checkin.id)
    return _("Check-in {name} deleted, with its answers.", name=checkin.name)


async def run_now(ctx: Context, name: str) -> str:
    checkin = await service.find(ctx, name)
    asked = await runs.start(ctx, checkin, ctx.now(), now_for_all=True)
    if checkin.delivery is Delivery.CHANNEL:
        return _("{title} posted.", title=one_line(checkin.title))
    return ngettext(
        "{title} started now: {count} member asked.",
        "{title} started now: {count} members asked.",
        asked,
        title=one_line(checkin.title),
        count=asked,
    )


async def sync(ctx: Context) -> None:
    """Mirror the file's check-ins into the table, then arm every schedule and post."""
    store = service.store(ctx)
    config = service.settings(ctx)
    defined = {d.name: d for d in config.checkins}
    for existing in await store.all():
        if existing.source is Source.CONFIG and existing.name not in defined:
            log.info("check-in %s left the config file; deleted", existing.name)
            await runs.cancel_all(ctx, existing.id)
            await store.delete(existing.id)
    for definition in config.checkins:
        wanted = from_definition(definition, Source.CONFIG)
        found = await store.by_name(definition.name)
        if found is None:
            await store.create(wanted, ctx.now())
        elif found != _with_id(wanted, found.id):
            if found.source is Source.COMMAND:
                log.warning(
                    "check-in %s: the config file's definition replaces the command's", found.name
                )
            await store.replace(wanted)
    now = ctx.now()
    for checkin in await store.all():
        await runs.arm_next(ctx, checkin, now)
    for post in config.posts:
        await posts.arm(ctx, post, now)


def _with_id(checkin: Checkin, checkin_id: int) -> Checkin:
    return replace(checkin, id=checkin_id)
