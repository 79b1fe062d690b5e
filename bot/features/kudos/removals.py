"""`/kudos remove ID [reason]`: a moderator takes back a kudos given in error or abuse.

The kudos goes (and its points with it; badges already earned stay), but not without
a trace: the audit keeps the kudos as it was, which moderator removed it, when and
why, and `/kudos history` shows it to moderators where the kudos was. The receiver is
told privately, in their language, without the moderator's name (moderators act for
the community, and naming them invites arguments with the person).
"""

from __future__ import annotations

from bot.context import Context, UserError
from bot.features.kudos import render
from bot.features.kudos.people import account_on, label_of, labels
from bot.features.kudos.rules import zone
from bot.features.kudos.service import MAX_REASON, ledger
from bot.features.kudos.store import Kudos
from bot.i18n import _, ngettext
from bot.model import MemberRecord, Outgoing


async def remove(ctx: Context, kudos_id: int, reason: str | None) -> str:
    moderator = ctx.member()
    reason = " ".join(reason.split()) if reason else None
    if reason and len(reason) > MAX_REASON:
        raise UserError(_("Keep the reason under {max} characters, please.", max=MAX_REASON))
    found = await ledger(ctx).remove_as_moderator(kudos_id, moderator.person_id, ctx.now(), reason)
    if found is None:
        raise UserError(
            _("There is no kudos #{id}. /kudos history @member shows the ids.", id=kudos_id)
        )
    platform = moderator.ref.platform
    names = await labels(ctx, [found.receiver_person_id], platform)
    done = ngettext(
        "Kudos #{id} ({n} point for {name}) removed. Badges already earned stay.",
        "Kudos #{id} ({n} points for {name}) removed. Badges already earned stay.",
        found.points,
        id=kudos_id,
        name=names[found.receiver_person_id],
    )
    if await tell_receiver(ctx, found, reason, platform):
        done = " ".join((done, _("They were told privately.")))
    return done


async def tell_receiver(ctx: Context, found: Kudos, reason: str | None, platform: str) -> bool:
    """DM the receiver (their account on `platform` first); False when they have left."""
    accounts = [a for a in await ctx.directory.accounts_of(found.receiver_person_id) if a.active]
    receiver: MemberRecord | None = account_on(accounts, platform) or next(iter(accounts), None)
    if receiver is None or receiver.is_bot:
        return False
    with ctx.speaking_to(receiver):
        giver = (
            await label_of(ctx, found.giver_person_id, receiver.ref.platform)
            if found.giver_person_id is not None
            else _("a former member")
        )
        tz = zone(receiver.timezone, ctx.runtime.config.bot.timezone)
        text = render.removed_dm(giver, found.points, render.day(found.given_at, tz), reason)
    ctx.deliver(Outgoing(text, dm=receiver.ref))
    return True
