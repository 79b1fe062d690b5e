"""What a member does about check-ins: list, join, leave, skip one run, pause, resume."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.args import Suggestion, matching
from bot.context import Context, UserError
from bot.features.checkins import render, runs, service
from bot.features.checkins.store import Checkin, Delivery, Membership, Response, Stance
from bot.features.checkins.timing import next_instant, run_key
from bot.i18n import _
from bot.model import Block, Section
from bot.text import one_line

MAX_PAUSE = timedelta(days=365)


async def listing(ctx: Context) -> tuple[str, list[Block]]:
    actor = service.me(ctx)
    checkins = await service.store(ctx).all()
    if not checkins:
        return _("There are no check-ins yet. An admin can start one with /checkin create."), []
    memberships = await service.store(ctx).memberships_of(actor.person_id)
    roles = await service.roles_of(ctx, actor)
    segments = await service.segments_of(ctx, actor, checkins)
    now = ctx.now()
    blocks: list[Block] = []
    for checkin in checkins:
        membership = memberships.get(checkin.id)
        zone_name = service.zone_of(ctx, checkin, actor.timezone)
        if checkin.delivery is Delivery.CHANNEL:
            zone_name = service.home_zone(ctx, checkin)
        due = next_instant(checkin.schedule, [zone_name], now)
        blocks.append(
            render.listing(
                checkin,
                _status(checkin, roles, segments, membership, now, zone_name),
                render.when(due, zone_name) if due else None,
                _questions(checkin),
            )
        )
    head = _("Check-ins ({count}):", count=len(checkins))
    text = "\n\n".join([head, *(b.text for b in blocks if isinstance(b, Section))])
    return text, [Section(head), *blocks]


async def suggest_checkins(ctx: Context, typed: str) -> list[Suggestion]:
    """Every check-in for autocomplete, by name: `standup — Daily stand-up`."""
    return _suggested(typed, await service.store(ctx).all())


async def suggest_my_checkins(ctx: Context, typed: str) -> list[Suggestion]:
    """Skip, pause and resume act on the member's check-ins: every one they did not leave."""
    if ctx.actor is None:
        return []
    own = await service.store(ctx).memberships_of(ctx.actor.person_id)
    left = {i for i, m in own.items() if m.stance is Stance.LEFT}
    return _suggested(typed, [c for c in await service.store(ctx).all() if c.id not in left])


def _suggested(typed: str, checkins: Sequence[Checkin]) -> list[Suggestion]:
    return matching(
        typed,
        [Suggestion(c.name, f"{c.name} — {one_line(c.title, limit=80)}") for c in checkins],
    )


def _questions(checkin: Checkin) -> str:
    return " · ".join(one_line(q, limit=60) for q in checkin.questions)


def _status(
    checkin: Checkin,
    roles: frozenset[str],
    segments: frozenset[str],
    membership: Membership | None,
    now: datetime,
    zone_name: str,
) -> str:
    if checkin.delivery is Delivery.CHANNEL:
        return _("Posted in the channel; anyone may answer.")
    if not service.wanted(checkin, roles, membership, segments):
        return _("You are not in it. /checkin join {name} adds you.", name=checkin.name)
    if membership is not None and membership.paused_until and service.paused(membership, now):
        return _(
            "You take part, paused until {when}.",
            when=render.when(membership.paused_until, zone_name),
        )
    return _("You take part (by DM).")


async def join(ctx: Context, name: str) -> str:
    actor = service.me(ctx)
    checkin = await service.find(ctx, name)
    if checkin.delivery is Delivery.CHANNEL:
        raise UserError(
            _("{title} is posted in a channel; just answer there.", title=checkin.title)
        )
    await service.store(ctx).set_stance(checkin.id, actor.person_id, Stance.JOINED)
    await runs.arm_next(ctx, checkin, ctx.now())
    zone_name = service.zone_of(ctx, checkin, actor.timezone)
    due = next_instant(checkin.schedule, [zone_name], ctx.now())
    return _(
        "You joined {title}. First questions: {when}.",
        title=one_line(checkin.title),
        when=render.when(due, zone_name) if due else "—",
    )


async def leave(ctx: Context, name: str) -> str:
    actor = service.me(ctx)
    checkin = await service.find(ctx, name)
    await service.store(ctx).set_stance(checkin.id, actor.person_id, Stance.LEFT)
    return _(
        "You left {title}. /checkin join {name} brings you back.",
        title=one_line(checkin.title),
        name=checkin.name,
    )


async def pause(ctx: Context, length: timedelta, name: str | None) -> str:
    if length < timedelta(hours=1) or length > MAX_PAUSE:
        raise UserError(_("Pause for an hour to a year, e.g. /checkin pause 2w."))
    actor = service.me(ctx)
    until = ctx.now() + length
    targets = await service.mine(ctx, name)
    for checkin, _membership in targets:
        await service.store(ctx).set_paused(checkin.id, actor.person_id, until)
    titles = [one_line(checkin.title) for checkin, _membership in targets]
    zone_name = service.zone_of(ctx, targets[0][0], actor.timezone)
    return _(
        "Paused {titles} until {when}. /checkin resume ends the pause sooner.",
        titles=", ".join(titles),
        when=render.when(until, zone_name),
    )


async def resume(ctx: Context, name: str | None) -> str:
    actor = service.me(ctx)
    now = ctx.now()
    titles = []
    for checkin, membership in await service.mine(ctx, name):
        if service.paused(membership, now):
            await service.store(ctx).set_paused(checkin.id, actor.person_id, None)
            titles.append(one_line(checkin.title))
    if not titles:
        return _("Nothing was paused.")
    return _("Welcome back: {titles} will ask you again.", titles=", ".join(titles))


async def skip(ctx: Context, name: str | None) -> str:
    """Skip the open run (asked, not answered, no summary yet), else the next one."""
    actor = service.me(ctx)
    store = service.store(ctx)
    now = ctx.now()
    done = []
    for checkin, _membership in await service.mine(ctx, name):
        key = None
        last = await store.latest_delivery(checkin.id, actor.person_id)
        if last is not None:
            run = await store.run(checkin.id, last.run_key)
            answered = await store.response(checkin.id, last.run_key, actor.person_id)
            if run is not None and run.summarized_at is None and answered is None:
                key = last.run_key
        if key is None:
            zone_name = service.zone_of(ctx, checkin, actor.timezone)
            due = next_instant(checkin.schedule, [zone_name], now)
            if due is None:
                continue
            key = run_key(due, zone_name)
        await store.respond(Response(checkin.id, key, actor.person_id, True, (), now))
        done.append(
            _("{title} of {date}", title=one_line(checkin.title), date=render.run_date(key))
        )
    if not done:
        raise UserError(_("There is no run to skip."))
    return _("Skipped: {runs}.", runs="; ".join(done))


async def home(ctx: Context) -> list[Block]:
    """The member's check-ins on their home tab: when each asks next, or the pause."""
    actor = service.me(ctx)
    memberships = await service.store(ctx).memberships_of(actor.person_id)
    roles = await service.roles_of(ctx, actor)
    checkins = await service.store(ctx).all()
    segments = await service.segments_of(ctx, actor, checkins)
    now = ctx.now()
    lines = []
    for checkin in checkins:
        membership = memberships.get(checkin.id)
        if checkin.delivery is Delivery.CHANNEL or not service.wanted(
            checkin, roles, membership, segments
        ):
            continue
        zone_name = service.zone_of(ctx, checkin, actor.timezone)
        status = _status(checkin, roles, segments, membership, now, zone_name)
        due = next_instant(checkin.schedule, [zone_name], now)
        if due is not None and not service.paused(membership, now):
            status = _("Next: {when}", when=render.when(due, zone_name))
        lines.append(f"• {one_line(checkin.title)} — {status}")
    if not lines:
        return []
    return [Section("\n".join([_("**Your check-ins**"), *lines]))]
