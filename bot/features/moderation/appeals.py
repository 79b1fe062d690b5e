"""Appeals: a sanctioned member asks the moderators to look again.

One appeal per sanction, decided by a moderator other than the one who gave it (an
admin may decide any). A revoked sanction stops counting toward the ladder; what the
platform already did (a timeout running, a ban) is lifted by hand, because no
platform API here can undo it — the moderator is told so.
"""

from __future__ import annotations

from datetime import timedelta

from bot.context import Context, UserError
from bot.features.moderation import audit, queue, render
from bot.features.moderation.config import ModerationConfig, SanctionKind
from bot.features.moderation.people import account_on, label
from bot.features.moderation.sanctions import expiry_key, history, tell
from bot.features.moderation.store import Appeal, Appeals, LogKind, Sanction, Sanctions
from bot.i18n import _, using_locale
from bot.model import Block, Level, Ref

# A sanction may be appealed while it counts, or for this long after it was given.
APPEAL_WINDOW = timedelta(days=30)


def _appeals(ctx: Context) -> Appeals:
    return ctx.repo(Appeals)  # type: ignore[type-abstract]


async def appealable(ctx: Context, person_id: int) -> Sanction | None:
    now = ctx.now()
    for sanction in await history(ctx, person_id):
        if sanction.revoked_at is None and (
            sanction.active(now) or now - sanction.issued_at <= APPEAL_WINDOW
        ):
            return sanction
    return None


async def render_item(
    ctx: Context, appeal: Appeal, sanction: Sanction
) -> tuple[str, tuple[Block, ...]]:
    config = ctx.config_of(ModerationConfig)
    platform = sanction.platform
    who = await label(ctx, appeal.person_id, platform) or _("a forgotten member")
    decided_by = await label(ctx, appeal.decided_by, platform)
    with using_locale(ctx.runtime.config.bot.language):
        return render.appeal_item(
            appeal, sanction, who, config, ctx.runtime.config.bot.timezone, decided_by
        )


async def file(ctx: Context, text: str) -> Appeal:
    config = ctx.config_of(ModerationConfig)
    actor = ctx.member()
    if not config.appeals:
        raise UserError(_("Appeals are turned off here; talk to a moderator directly."))
    if not text.strip():
        raise UserError(_("Say why the sanction should be reconsidered: /appeal your reasons"))
    sanction = await appealable(ctx, actor.person_id)
    if sanction is None:
        raise UserError(_("You have no recent sanction to appeal."))
    appeal = await _appeals(ctx).add(sanction.id, actor.person_id, text.strip()[:1000], ctx.now())
    if appeal is None:
        raise UserError(
            _("You appealed that sanction already; the moderators will answer you by message.")
        )
    place = Ref(sanction.platform, sanction.workspace, "appeal")
    await audit.record(ctx, LogKind.APPEAL, place, sanction_id=sanction.id, actor=actor.person_id)
    channel = await queue.queue_channel(ctx, place)
    if channel is not None:
        body, blocks = await render_item(ctx, appeal, sanction)
        posted = await queue.post(ctx, channel, body, blocks)
        if posted is not None:
            await _appeals(ctx).set_queue_message(appeal.id, posted)
    return appeal


async def decide(ctx: Context, appeal_id: int, revoke: bool) -> str:
    """Revoke or uphold; returns what the moderator should know."""
    ctx.require(Level.MODERATOR)
    actor = ctx.actor
    assert actor is not None
    appeals = _appeals(ctx)
    appeal = await appeals.get(appeal_id)
    sanction = await ctx.repo(Sanctions).get(appeal.sanction_id) if appeal else None  # type: ignore[type-abstract]
    if appeal is None or sanction is None:
        raise UserError(_("That appeal no longer exists."))
    if sanction.issued_by == actor.person_id and not ctx.level.allows(Level.ADMIN):
        raise UserError(_("You gave this sanction; let another moderator decide the appeal."))
    if not await appeals.decide(
        appeal.id, "revoke" if revoke else "uphold", actor.person_id, ctx.now()
    ):
        raise UserError(_("This appeal was decided already."))
    place = Ref(sanction.platform, sanction.workspace, "appeal")
    note = ""
    if revoke:
        await ctx.repo(Sanctions).revoke(sanction.id, actor.person_id, ctx.now())  # type: ignore[type-abstract]
        await ctx.cancel(expiry_key(sanction.id))
        if sanction.carried_out and sanction.kind in (SanctionKind.TIMEOUT, SanctionKind.BAN):
            note = _(
                "The strike no longer counts. If {sanction} is still in force, lift it with "
                "{platform}'s own tools.",
                sanction=render.step_text(render.sanction_step(sanction)),
                platform=render.platform_name(sanction.platform),
            )
    await audit.record(
        ctx,
        LogKind.REVOKED if revoke else LogKind.UPHELD,
        place,
        sanction_id=sanction.id,
        actor=actor.person_id,
        subject=sanction.person_id,
    )
    if appeal.person_id is not None:
        account = await account_on(ctx, appeal.person_id, sanction.platform)
        if account is not None:
            with ctx.speaking_to(account):
                text = (
                    _("Your appeal was accepted: the sanction was revoked and no longer counts.")
                    if revoke
                    else _("The moderators reviewed your appeal; the sanction stands.")
                )
            tell(ctx, account.ref, text)
    decided = await appeals.get(appeal.id)
    if decided is not None and decided.queue_message is not None:
        body, blocks = await render_item(ctx, decided, sanction)
        await queue.edit(ctx, decided.queue_message, body, blocks)
    return note
