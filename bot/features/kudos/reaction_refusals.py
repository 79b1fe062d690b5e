"""What a refused kudos reaction tells the member: little, and rarely.

A reaction is not a request. Someone adding 🙏 to their own "please help 🙏" post, or
to a bot's message, did not try to give kudos, so those refusals stay quiet. A spent
allowance, a cooldown or paused trading does concern the member, but hearing it on
every reaction (on Discord each one is a DM, there being no private reply to a
reaction) is noise: each reason is told once per member and day (their day, until
their allowance renews), and quiet after that. The memory of who was told is
per process; after a restart a member may hear a reason once more.
"""

from __future__ import annotations

from datetime import datetime

from bot.context import Context
from bot.features.kudos import render
from bot.features.kudos.config import KudosConfig
from bot.features.kudos.rules import Refusal, Verdict
from bot.model import MemberRecord

# Refusals about whom the reaction was on: never told for a reaction.
QUIET = frozenset({Refusal.SELF, Refusal.BOT, Refusal.DEPARTED})
# Members remembered before the memory starts over (a bound, not an expected size).
MEMO_LIMIT = 100_000


async def tell(ctx: Context, receiver: MemberRecord, verdict: Verdict) -> None:
    """Tell the giver why their reaction gave nothing, unless quiet or told today."""
    refusal = verdict.refusal
    if refusal is None or refusal in QUIET:
        return
    giver = ctx.member()
    told: dict[tuple[int, Refusal], datetime] = ctx.memo.setdefault("reaction_refusals", {})
    key = (giver.person_id, refusal)
    quiet_until = told.get(key)
    if quiet_until is not None and verdict.now < quiet_until:
        return
    text = render.refusal(verdict, receiver.label, ctx.config_of(KudosConfig))
    await ctx.reply(text, ephemeral=True)

    async def remember() -> None:
        if len(told) > MEMO_LIMIT:
            told.clear()
        told[key] = verdict.renews_at

    ctx.after_commit(remember)
