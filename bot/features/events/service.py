"""The rules of events: creating, answering with a waitlist, reminders, repeats, cancelling."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta

from bot.args import Suggestion, matching
from bot.context import Context, UserError
from bot.features.events import ics, render, when
from bot.features.events.config import EventsConfig
from bot.features.events.store import Answer, Event, EventStore, NewEvent, Post, Rsvp
from bot.features.events.when import Recurrence
from bot.i18n import _
from bot.model import (
    Attachment,
    Button,
    Buttons,
    ButtonStyle,
    Level,
    MemberRecord,
    Outgoing,
    Ref,
    TimeStyle,
)
from bot.ports import CapabilityMissing, PlatformRefused
from bot.text import one_line
from bot.timestamps import local_text

REMIND_JOB = "remind"
NEXT_JOB = "next"
RSVP_ACTION = "rsvp"

log = logging.getLogger(__name__)


def config(ctx: Context) -> EventsConfig:
    return ctx.config_of(EventsConfig)


def store(ctx: Context) -> EventStore:
    return ctx.repo(EventStore)  # type: ignore[type-abstract]


def number(word: str) -> int:
    cleaned = word.strip().lstrip("#")
    if not cleaned.isdigit():
        raise UserError(_("{value!r} is not an event number; write it like 3.", value=word))
    return int(cleaned)


async def find(ctx: Context, event_id: int) -> Event:
    found = await store(ctx).get(event_id)
    if found is None:
        raise UserError(_("There is no event #{id}. /events lists what is coming.", id=event_id))
    return found


def stamper(ctx: Context, platform: str, zone: str, event: Event) -> render.Stamp:
    """Times of `event` as `platform` writes them for a reader in `zone`."""
    port = ctx.port(platform)
    return lambda style: port.timestamp(event.starts_at, style, zone)


def reader_zone(record: MemberRecord | None, event: Event) -> str:
    """The reader's own zone when they chose one, else the event's."""
    return (record.timezone if record else None) or event.timezone


# --- creating -------------------------------------------------------------------------


async def create(
    ctx: Context,
    items: list[str],
    *,
    duration: timedelta | None,
    limit: int | None,
    recurring: str | None,
    channel: Ref | None,
) -> Event:
    cfg = config(ctx)
    ctx.require(Level(cfg.create_level))
    if len(items) < 3 or len(items) > 4:
        raise UserError(
            _('Write it like: /event create "Board games" 2026-12-05 18:00 Europe/Oslo --limit 30')
        )
    title, day, clock = items[0].strip(), items[1], items[2]
    if not title:
        raise UserError(_("Give the event a title."))
    own = ctx.actor.timezone if ctx.actor else None
    tz = items[3] if len(items) == 4 else own or ctx.runtime.config.bot.timezone
    when.zone(tz)
    starts = when.parse_start(day, clock, tz, ctx.now())
    if starts <= ctx.now():
        raise UserError(_("{day} {time} has already passed.", day=day, time=clock))
    if limit is not None and limit > cfg.max_limit:
        raise UserError(_("An event may have at most {max} seats.", max=cfg.max_limit))
    here = ctx.channel.ref if ctx.channel else None
    target = channel or here
    if target is None:
        raise UserError(_("Run this in a channel, or name one with --channel."))
    if target != here and not ctx.level.allows(Level.MODERATOR):
        raise UserError(_("Only moderators can post events in another channel; run it there."))
    new = NewEvent(
        title=title[:200],
        channel=target,
        creator_person_id=ctx.actor.person_id if ctx.actor else None,
        starts_at=starts,
        timezone=tz,
        duration=duration or cfg.duration,
        capacity=limit,
        recurrence=Recurrence(recurring).value if recurring else None,
    )
    return await publish(ctx, new)


async def publish(ctx: Context, new: NewEvent) -> Event:
    """Store the event, post it with its buttons and .ics file, arm its jobs.

    A channel bridged with the event's own (`[[bridges]]`) gets a copy with the same
    buttons: answers on either side go to the one RSVP list, and every copy shows it.
    """
    event = await store(ctx).create(new, ctx.now())
    calendar = _ics(ctx, event)
    posted = await ctx.send(await _post(ctx, event, render.Tally(0, 0, 0), event.channel, calendar))
    if posted is None:
        raise UserError(_("I could not post in that channel. Check that the bot may write there."))
    await store(ctx).set_post(event.id, posted)
    for other in await ctx.bridged(event.channel):
        copy = await ctx.send(await _post(ctx, event, render.Tally(0, 0, 0), other, calendar))
        if copy is not None:
            await store(ctx).add_copy(event.id, Post(copy, other))
    await _arm(ctx, event)
    return replace(event, post=posted)


async def _post(
    ctx: Context,
    event: Event,
    tally: render.Tally,
    channel: Ref,
    calendar: Attachment | None = None,
) -> Outgoing:
    """The event's post for `channel`, its times written the way that platform shows them,
    in the channel's language (whoever created it or answered)."""
    stamp = stamper(ctx, channel.platform, event.timezone, event)
    async with ctx.in_public(channel):
        return Outgoing(
            render.post(event, tally, stamp),
            _buttons(ctx, event),
            channel=channel,
            attachments=(calendar,) if calendar else (),
        )


def _ics(ctx: Context, event: Event) -> Attachment:
    data = ics.calendar([event], community=ctx.community, now=ctx.now())
    return Attachment(ics.filename(event), data, ics.MIME)


def _buttons(ctx: Context, event: Event) -> tuple[Buttons, ...]:
    if event.cancelled:
        return ()
    labels = (
        (Answer.GOING, _("✅ Going")),
        (Answer.MAYBE, _("🤔 Maybe")),
        (Answer.NO, _("❌ Can't go")),
    )
    return (
        Buttons(
            tuple(
                Button(
                    ctx.feature.action_id(RSVP_ACTION, event.id, answer.value),
                    label,
                    style=ButtonStyle.PRIMARY if answer is Answer.GOING else ButtonStyle.DEFAULT,
                )
                for answer, label in labels
            )
        ),
    )


async def _arm(ctx: Context, event: Event) -> None:
    now = ctx.now()
    for offset in config(ctx).reminder_offsets:
        due = event.starts_at - offset
        if due > now:
            seconds = int(offset.total_seconds())
            await ctx.schedule(
                f"events:{event.id}:remind:{seconds}",
                REMIND_JOB,
                due,
                {"event_id": event.id, "offset": seconds},
            )
    if event.recurrence:
        await ctx.schedule(
            f"events:{event.id}:next", NEXT_JOB, event.starts_at, {"event_id": event.id}
        )


async def refresh(ctx: Context, event: Event) -> None:
    """Show the current answers (or the cancellation) on every copy of the event's post."""
    posts = await store(ctx).posts(event.id)
    if not posts:
        return
    tally = render.Tally.of(await store(ctx).rsvps(event.id))
    for post in posts:
        if post.message.platform not in ctx.runtime.ports:
            continue  # that platform's adapter is not running now
        out = await _post(ctx, event, tally, post.channel)
        # The answers are stored either way; a copy that failed catches up at the next change.
        try:
            await ctx.port(post.message.platform).edit(post.message, out)
        except (CapabilityMissing, PlatformRefused) as error:
            log.info("could not update event %s's post %s: %s", event.id, post.message, error)


# --- answering ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Answered:
    event: Event
    answer: Answer
    changed: bool


async def respond(ctx: Context, event_id: int, wanted: Answer) -> Answered:
    """Record the actor's answer; a full event puts "going" on the waitlist."""
    actor = ctx.actor
    if actor is None:
        raise UserError(_("Only members can answer."))
    event = await find(ctx, event_id)
    if event.cancelled:
        raise UserError(_("Event #{id} is cancelled.", id=event.id))
    if event.ends_at <= ctx.now():
        raise UserError(_("Event #{id} is over.", id=event.id))
    await _promote(ctx, event)  # seats freed without a change (a forgotten member) first
    rsvps = await store(ctx).rsvps(event.id)
    current = next((r.answer for r in rsvps if r.person_id == actor.person_id), None)
    result = wanted
    if wanted is Answer.GOING:
        if current in (Answer.GOING, Answer.WAITLIST):
            return Answered(event, current, False)
        going = sum(1 for r in rsvps if r.answer is Answer.GOING)
        if event.capacity is not None and going >= event.capacity:
            result = Answer.WAITLIST
    if current is result:
        return Answered(event, result, False)
    await store(ctx).answer(event.id, actor.person_id, actor.ref, result, ctx.now())
    if current is Answer.GOING:
        await _promote(ctx, event)
    await refresh(ctx, event)
    return Answered(event, result, True)


async def _promote(ctx: Context, event: Event) -> bool:
    """Free seats go to the waitlist, first come first served, each told by DM."""
    if event.capacity is None:
        return False
    rsvps = await store(ctx).rsvps(event.id)
    going = sum(1 for r in rsvps if r.answer is Answer.GOING)
    waiting = [r for r in rsvps if r.answer is Answer.WAITLIST]
    promoted = waiting[: max(event.capacity - going, 0)]
    for rsvp in promoted:
        await store(ctx).answer(event.id, rsvp.person_id, rsvp.member, Answer.GOING, ctx.now())
        await _tell(ctx, rsvp, event, render.promoted)
    return bool(promoted)


async def release_seats(ctx: Context, person_id: int) -> None:
    """A member is being forgotten: their seats at coming events go to the waitlist now."""
    for event, rsvp in await store(ctx).of_person(person_id):
        if rsvp.answer is Answer.GOING and not event.cancelled and event.ends_at > ctx.now():
            await store(ctx).answer(event.id, person_id, rsvp.member, Answer.NO, ctx.now())
            if await _promote(ctx, event):
                await refresh(ctx, event)


async def _tell(
    ctx: Context, rsvp: Rsvp, event: Event, text: Callable[[Event, render.Stamp], str]
) -> None:
    """DM one member, in their language, with times in their zone."""
    record = await _reachable(ctx, rsvp)
    if record is None:
        return
    with ctx.speaking_to(record):
        stamp = stamper(ctx, record.ref.platform, reader_zone(record, event), event)
        ctx.dm(record.ref, text(event, stamp))


async def _reachable(ctx: Context, rsvp: Rsvp) -> MemberRecord | None:
    """The account that answered, or the person's other account when that one is out of reach.

    An answer belongs to the person: someone who answered on Slack still hears about
    the event on Discord while the Slack adapter is not running, or after leaving there.
    """
    record = await ctx.directory.get(rsvp.member)
    if record is not None and record.active and record.ref.platform in ctx.runtime.ports:
        return record
    for other in await ctx.directory.accounts_of(rsvp.person_id):
        if other.active and other.ref.platform in ctx.runtime.ports:
            return other
    return None


# --- jobs -----------------------------------------------------------------------------


async def remind(ctx: Context, event_id: int) -> int:
    """DM everyone going (and maybe, if configured); returns how many were reminded."""
    event = await store(ctx).get(event_id)
    if event is None or event.cancelled:
        return 0
    wanted = {Answer.GOING} | ({Answer.MAYBE} if config(ctx).remind_maybe else set())
    sent = 0
    for rsvp in await store(ctx).rsvps(event.id):
        if rsvp.answer in wanted:
            await _tell(ctx, rsvp, event, render.reminder)
            sent += 1
    return sent


async def repeat(ctx: Context, event_id: int) -> Event | None:
    """Post the next occurrence of a recurring event (when this one starts).

    After a long outage the job fires late, once: occurrences that already passed are
    skipped, so members get one post for the next meetup, not a burst of stale ones.
    """
    event = await store(ctx).get(event_id)
    if event is None or event.cancelled or not event.recurrence:
        return None
    rule = Recurrence(event.recurrence)
    starts = when.next_start(event.starts_at, event.timezone, rule)
    while starts <= ctx.now():
        starts = when.next_start(starts, event.timezone, rule)
    new = NewEvent(
        event.title,
        event.channel,
        event.creator_person_id,
        starts,
        event.timezone,
        event.duration,
        event.capacity,
        event.recurrence,
    )
    return await publish(ctx, new)


# --- cancelling -----------------------------------------------------------------------


async def cancel(ctx: Context, event_id: int) -> Event:
    """Cancel (creator or moderators): no reminders, no next occurrence, everyone told."""
    event = await find(ctx, event_id)
    actor = ctx.actor
    mine = actor is not None and actor.person_id == event.creator_person_id
    if not mine:
        ctx.require(Level.MODERATOR)
    if event.cancelled:
        raise UserError(_("Event #{id} is already cancelled.", id=event.id))
    await store(ctx).cancel(event.id, ctx.now())
    for offset in config(ctx).reminder_offsets:
        await ctx.cancel(f"events:{event.id}:remind:{int(offset.total_seconds())}")
    await ctx.cancel(f"events:{event.id}:next")
    cancelled = replace(event, cancelled_at=ctx.now())
    for rsvp in await store(ctx).rsvps(event.id):
        if rsvp.answer is not Answer.NO and (actor is None or rsvp.person_id != actor.person_id):
            await _tell(ctx, rsvp, cancelled, render.cancelled_notice)
    await refresh(ctx, cancelled)
    return cancelled


# --- reading --------------------------------------------------------------------------


async def attendee_names(ctx: Context, event: Event) -> dict[Answer, list[str]]:
    names: dict[Answer, list[str]] = {}
    for rsvp in await store(ctx).rsvps(event.id):
        record = await ctx.directory.get(rsvp.member)
        names.setdefault(rsvp.answer, []).append(record.label if record else rsvp.member.id)
    return names


async def upcoming_lines(ctx: Context, platform: str, workspace: str) -> list[str]:
    lines = []
    zone_of = ctx.actor
    for event in await store(ctx).upcoming(platform, workspace, ctx.now(), 15):
        tally = render.Tally.of(await store(ctx).rsvps(event.id))
        stamp = stamper(ctx, platform, reader_zone(zone_of, event), event)
        lines.append(render.listing_line(event, tally, stamp))
    return lines


async def suggest_events(ctx: Context, typed: str) -> list[Suggestion]:
    """Upcoming events for autocomplete, soonest first: `#3 Meetup · Sat, Dec 5, 18:00 CET`."""
    if ctx.actor is None:
        return []
    here = ctx.actor.ref
    found = await store(ctx).upcoming(here.platform, here.workspace, ctx.now(), 50)
    return matching(
        typed,
        [
            Suggestion(
                str(event.id),
                f"#{event.id} {one_line(event.title, limit=60)} · "
                + local_text(event.starts_at, TimeStyle.SHORT, reader_zone(ctx.actor, event)),
            )
            for event in found
        ],
    )


async def my_upcoming(ctx: Context) -> list[str]:
    """The actor's coming events (going, maybe, waiting), in their zone: their home tab."""
    actor = ctx.actor
    if actor is None:
        return []
    lines = []
    for event, rsvp in await store(ctx).of_person(actor.person_id):
        if rsvp.answer is Answer.NO or event.cancelled or event.ends_at <= ctx.now():
            continue
        stamp = stamper(ctx, actor.ref.platform, reader_zone(actor, event), event)
        lines.append(render.mine_line(event, rsvp.answer, stamp))
    return lines[:5]
