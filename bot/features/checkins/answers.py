"""Answering a run (the Answer and Skip buttons, the form) and its summary.

A run stays open after its summary: a late answer is stored like any other and
posted in the summary's thread, so nobody's update is lost to a time zone.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.context import Context, UserError
from bot.features.checkins import render, service
from bot.features.checkins.store import Checkin, Response
from bot.features.checkins.timing import run_label
from bot.i18n import _
from bot.model import Outgoing
from bot.text import one_line

log = logging.getLogger(__name__)


async def _target(ctx: Context, parts: list[str]) -> tuple[Checkin, str]:
    """The check-in and run a button or form id names (`checkins:answer:3:20260330T0900`)."""
    try:
        checkin_id, key = int(parts[2]), parts[3]
        run_label(key)
    except (IndexError, ValueError):
        raise UserError(_("This button no longer works.")) from None
    checkin = await service.store(ctx).get(checkin_id)
    if checkin is None:
        raise UserError(_("This check-in was deleted."))
    return checkin, key


async def open_form(ctx: Context, action: str) -> None:
    checkin, key = await _target(ctx, action.split(":"))
    form_id = ctx.feature.action_id("form", checkin.id, key)
    await ctx.open_form(render.form(checkin, form_id))


async def skip(ctx: Context, action: str) -> None:
    checkin, key = await _target(ctx, action.split(":"))
    actor = service.me(ctx)
    earlier = await service.store(ctx).response(checkin.id, key, actor.person_id)
    if earlier is not None and not earlier.skipped:
        raise UserError(_("You answered this one already; press Answer to change your answers."))
    await service.store(ctx).respond(
        Response(checkin.id, key, actor.person_id, True, (), ctx.now())
    )
    await ctx.reply(
        _(
            "Skipped {title} of {date}. No reminder will follow.",
            title=one_line(checkin.title),
            date=render.run_date(key),
        ),
        ephemeral=True,
    )


async def submit(ctx: Context, form_id: str, values: dict[str, str]) -> None:
    checkin, key = await _target(ctx, form_id.split(":"))
    actor = service.me(ctx)
    answers = tuple(
        values.get(f"q{n}", "").strip()[: render.ANSWER_LIMIT]
        for n in range(1, len(checkin.questions) + 1)
    )
    if not any(answers):
        raise UserError(_("Your answers were empty, so nothing was saved. Press Answer again."))
    await service.store(ctx).respond(
        Response(checkin.id, key, actor.person_id, False, answers, ctx.now())
    )
    run = await service.store(ctx).run(checkin.id, key)
    thanks = _(
        "Thanks! Your answers to {title} of {date} are in.",
        title=one_line(checkin.title),
        date=render.run_date(key),
    )
    if run is not None and run.summary_channel is not None and run.summary_message is not None:
        text, blocks = render.late_answer(actor.label, checkin, answers)
        await ctx.send(
            Outgoing(text, blocks, channel=run.summary_channel, thread_of=run.summary_message)
        )
        thanks += " " + _("The summary was out already, so they were added to its thread.")
    elif run is not None and run.post_channel is not None and run.post_message is not None:
        block = render.answer_block(actor.label, checkin, answers)
        await ctx.send(
            Outgoing(block.text, (block,), channel=run.post_channel, thread_of=run.post_message)
        )
    await ctx.reply(thanks, ephemeral=True)


async def on_summary(ctx: Context, payload: dict[str, Any]) -> None:
    checkin = await service.store(ctx).get(int(payload["checkin_id"]))
    if checkin is not None:
        await post_summary(ctx, checkin, str(payload["run_key"]))


async def post_summary(ctx: Context, checkin: Checkin, key: str) -> None:
    """Post who answered what, who skipped and who has not answered yet; once per run."""
    store = service.store(ctx)
    run = await store.run(checkin.id, key)
    if run is None or run.summarized_at is not None:
        return
    responses = {r.person_id: r for r in await store.responses(checkin.id, key)}
    names = service.names(await store.participants())
    asked = [d.person_id for d in await store.delivered(checkin.id, key)]
    for person in responses:
        if person not in asked:
            asked.append(person)  # channel check-ins ask nobody in private
    answered = [
        (names.get(p, _("a former member")), responses[p])
        for p in asked
        if p in responses and not responses[p].skipped
    ]
    if not asked:  # nobody was due (all paused, a holiday): no empty summary
        await store.summarized(checkin.id, key, None, None, ctx.now())
        return
    skipped = [names.get(p, "?") for p in asked if p in responses and responses[p].skipped]
    silent = [names[p] for p in asked if p not in responses and p in names]
    text, blocks = render.summary(checkin, key, answered, skipped, silent)
    channel = await service.resolve_channel(ctx, checkin.channel)
    message = None
    if channel is None:
        log.warning("check-in %s: channel %r not found; no summary", checkin.name, checkin.channel)
    else:
        sent = await ctx.send_bridged(Outgoing(text, blocks, channel=channel))
        message = sent[0] if sent else None
    await store.summarized(checkin.id, key, channel if message else None, message, ctx.now())
