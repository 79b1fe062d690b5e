"""`/event …`, `/events`, RSVP buttons and the reminder and repeat jobs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.args import Arg, ArgKind, ChannelArg, ChoiceArg, DurationArg, IntArg, ListArg, WordArg
from bot.context import Context, UserError
from bot.features.events import render, service
from bot.features.events.config import EventsConfig
from bot.features.events.store import Answer
from bot.features.events.when import Recurrence
from bot.i18n import N_, _
from bot.model import Block, ButtonPressed, Ref, Section
from bot.needs import Need
from bot.registry import Feature
from bot.stats import Figure, Window

feature = Feature(
    "events",
    config=EventsConfig,
    description=N_("Events with RSVPs, a waitlist, reminders, repeats and calendar files"),
    needs=frozenset({Need.FILES}),
)

EVENT = WordArg("id", N_("the event's number, e.g. 3"), lookup=service.suggest_events)
ANSWERS = [Answer.GOING.value, Answer.MAYBE.value, Answer.NO.value]
RECURRENCE_LABELS = {
    Recurrence.WEEKLY: N_("every week"),
    Recurrence.BIWEEKLY: N_("every two weeks"),
    Recurrence.MONTHLY: N_("every month"),
}


@feature.command(
    "event create",
    help=N_('Create an event: /event create "title" 2026-12-05 18:00 [Europe/Oslo] [--limit 30]'),
    args=[
        ListArg("title_and_time", N_('"title" date time [time zone]')),
        DurationArg("duration", N_("how long it lasts (1h, 90m)"), required=False, option=True),
        IntArg("limit", N_("how many seats (then a waitlist)"), required=False, min=1, option=True),
        Arg(
            "recurring",
            ArgKind.CHOICE,
            N_("repeat it"),
            required=False,
            choices=tuple(r.value for r in Recurrence),
            option=True,
            labels=tuple(RECURRENCE_LABELS[r] for r in Recurrence),
        ),
        ChannelArg("channel", N_("post it in another channel"), required=False, option=True),
    ],
    ephemeral=True,
)
async def event_create(
    ctx: Context,
    title_and_time: list[str],
    duration: timedelta | None,
    limit: int | None,
    recurring: str | None,
    channel: Ref | None,
) -> None:
    event = await service.create(
        ctx, title_and_time, duration=duration, limit=limit, recurring=recurring, channel=channel
    )
    zone = service.reader_zone(ctx.actor, event)
    stamp = service.stamper(
        ctx, ctx.actor.ref.platform if ctx.actor else event.channel.platform, zone, event
    )
    await ctx.reply(
        render.created(event, ctx.channel_mention(event.channel), stamp), ephemeral=True
    )


@feature.command(
    "event rsvp",
    help=N_("Answer an event: /event rsvp 3 going|maybe|no"),
    args=[
        EVENT,
        ChoiceArg(
            "answer",
            ANSWERS,
            N_("going, maybe or no"),
            labels=[N_("going"), N_("maybe"), N_("not going")],
        ),
    ],
    ephemeral=True,
)
async def event_rsvp(ctx: Context, id: str, answer: str) -> None:
    done = await service.respond(ctx, service.number(id), Answer(answer))
    await ctx.reply(render.answered(done.event, done.answer, done.changed), ephemeral=True)


@feature.button(service.RSVP_ACTION)
async def on_rsvp(ctx: Context, event: ButtonPressed) -> None:
    parts = event.action_id.split(":")  # events:rsvp:<id>:<answer>
    if len(parts) != 4 or not parts[2].isdigit() or parts[3] not in ANSWERS:
        raise UserError(_("This button no longer works."))
    done = await service.respond(ctx, int(parts[2]), Answer(parts[3]))
    await ctx.reply(render.answered(done.event, done.answer, done.changed), ephemeral=True)


@feature.command("events", help=N_("Upcoming events"), ephemeral=True)
async def events_list(ctx: Context) -> None:
    here = ctx.channel.ref if ctx.channel else (ctx.actor.ref if ctx.actor else None)
    if here is None:
        return
    lines = await service.upcoming_lines(ctx, here.platform, here.workspace)
    await ctx.reply(render.listing(lines), ephemeral=True)


@feature.command(
    "event attendees",
    help=N_("Who is going, maybe going and waiting for a seat"),
    args=[EVENT],
    ephemeral=True,
)
async def event_attendees(ctx: Context, id: str) -> None:
    event = await service.find(ctx, service.number(id))
    names = await service.attendee_names(ctx, event)
    await ctx.reply(render.attendees(event, names), ephemeral=True)


@feature.command(
    "event cancel",
    help=N_("Cancel an event (its creator or a moderator); everyone who answered is told"),
    args=[EVENT],
    ephemeral=True,
)
async def event_cancel(ctx: Context, id: str) -> None:
    event = await service.cancel(ctx, service.number(id))
    await ctx.reply(
        _(
            "Event #{id} “{title}” is cancelled; those who answered got a message.",
            id=event.id,
            title=event.title,
        ),
        ephemeral=True,
    )


@feature.job(service.REMIND_JOB)
async def remind_job(ctx: Context, payload: dict[str, Any]) -> None:
    await service.remind(ctx, int(payload["event_id"]))


@feature.job(service.NEXT_JOB)
async def next_job(ctx: Context, payload: dict[str, Any]) -> None:
    await service.repeat(ctx, int(payload["event_id"]))


@feature.home
async def home(ctx: Context) -> list[Block]:
    lines = await service.my_upcoming(ctx)
    return [Section(render.home(lines))] if lines else []


@feature.stats
async def stats(ctx: Context, window: Window) -> list[Figure]:
    held, answers, going = await service.store(ctx).counts(
        window.start, window.end, window.platform
    )
    group = _("Events")
    return [
        Figure("events_held", _("Events held"), held, group=group),
        Figure("event_rsvps", _("RSVPs (going or maybe)"), answers, group=group),
        Figure("event_attendance", _("People going to events held"), going, group=group),
        Figure(
            "event_attendance_avg",
            _("Average going per event"),
            round(going / held, 1) if held else None,
            group=group,
        ),
    ]


@feature.forget
async def forget(ctx: Context, person_id: int) -> None:
    """Events stay (others go to them) without their creator; RSVPs go with the person.

    Their seats at coming events go to the first on each waitlist right away.
    """
    await service.release_seats(ctx, person_id)
    await service.store(ctx).release_person(person_id)


@feature.export
async def export(ctx: Context, person_id: int) -> dict[str, Any]:
    answered = await service.store(ctx).of_person(person_id)
    created = await service.store(ctx).created_by(person_id)
    return {
        "event_rsvps": [
            {
                "event": event.id,
                "title": event.title,
                "starts_at": event.starts_at.isoformat(),
                "answer": rsvp.answer.value,
                "answered_at": rsvp.at.isoformat(),
            }
            for event, rsvp in answered
        ],
        "events_created": [
            {"event": e.id, "title": e.title, "starts_at": e.starts_at.isoformat()} for e in created
        ],
    }
