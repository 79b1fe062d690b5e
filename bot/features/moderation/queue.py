"""The mod queue channel: one item per case, posted once, edited on every change.

Delivery never undoes a decision: a queue channel that is missing, or a platform that
refuses a post or an edit, is logged and the case stands (moderators still find it
with /modqueue).
"""

from __future__ import annotations

import logging

from bot.context import Context
from bot.features.moderation import render
from bot.features.moderation.config import ModerationConfig
from bot.features.moderation.people import label, running, show
from bot.features.moderation.sanctions import active, history, ladder_step
from bot.features.moderation.store import Case, Cases, CaseStatus, Flags
from bot.i18n import _, using_locale
from bot.model import Block, Outgoing, Ref
from bot.ports import CapabilityMissing, PlatformRefused

log = logging.getLogger(__name__)


async def queue_channel(ctx: Context, place: Ref) -> Ref | None:
    """The queue channel on `place`'s platform: same workspace first, then any."""
    name = ctx.config_of(ModerationConfig).queue_channel
    found = await ctx.directory.find_channel(place.platform, place.workspace, name)
    if found is None:
        found = await ctx.directory.find_channel(place.platform, None, name)
    return found


async def post(ctx: Context, channel: Ref, text: str, blocks: tuple[Block, ...]) -> Ref | None:
    if not running(ctx, channel.platform):
        return None
    try:
        return await ctx.send(Outgoing(text, blocks, channel=channel))
    except PlatformRefused as refused:
        log.warning("moderation: could not post to %s: %s", channel, refused)
        return None


async def edit(ctx: Context, message: Ref, text: str, blocks: tuple[Block, ...]) -> None:
    if not running(ctx, message.platform):
        return
    try:
        await ctx.port(message.platform).edit(message, Outgoing(text, blocks))
    except (PlatformRefused, CapabilityMissing) as failed:
        log.info("moderation: could not edit %s: %s", message, failed)


async def view(ctx: Context, case: Case) -> render.CaseView:
    config = ctx.config_of(ModerationConfig)
    platform = case.message.platform
    here = running(ctx, platform)
    flags = await ctx.repo(Flags).for_case(case.id)  # type: ignore[type-abstract]
    sanctions = await history(ctx, case.author_person_id) if case.author_person_id else []
    if case.author_person_id is None:
        record = _("unknown member")
    else:
        count = len(active(sanctions, ctx.now()))
        record = render.record_text(count, ladder_step(config.steps, count + 1))
    outcome = None
    if case.decision is not None:
        given = next((s for s in sanctions if s.case_id == case.id), None)
        outcome = render.decision_text(case.decision, given)
    return render.CaseView(
        case=case,
        link=ctx.link(case.message) if here else str(case.message),
        author=show(ctx, case.author) if case.author else _("unknown"),
        channel=ctx.channel_mention(case.channel) if here else case.channel.id,
        flags=flags,
        record=record,
        outcome=outcome,
        decided_by=await label(ctx, case.decided_by, platform),
        escalated_by=await label(ctx, case.escalated_by, platform),
        timezone=ctx.runtime.config.bot.timezone,
    )


async def publish(ctx: Context, case: Case) -> Case:
    """Post the case's queue item, or bring the posted one up to date."""
    if case.status is CaseStatus.COLLECTING:
        return case
    config = ctx.config_of(ModerationConfig)
    with using_locale(ctx.runtime.config.bot.language):  # moderators share one channel
        text, blocks = render.queue_item(await view(ctx, case), config)
    if case.queue_message is not None:
        await edit(ctx, case.queue_message, text, blocks)
        return case
    channel = await queue_channel(ctx, case.message)
    if channel is None:
        log.warning(
            "moderation: case %s is waiting but there is no #%s on %s",
            case.id,
            config.queue_channel,
            case.message.platform,
        )
        return case
    posted = await post(ctx, channel, text, blocks)
    if posted is None:
        return case
    cases: Cases = ctx.repo(Cases)  # type: ignore[type-abstract]
    await cases.set_queue_message(case.id, posted)
    found = await cases.get(case.id)
    assert found is not None
    return found
