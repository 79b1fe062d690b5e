"""Kudos farming beyond pairs: circles and new-account clusters, reported once.

Pairs trading kudos are caught by `trade_limit` (rules.trades_too_much). Two other
shapes farm points while every pair stays under that limit:

- a circle: A thanks B, B thanks C, C thanks A, round and round (`ring_limit`
  kudos on every link within `trade_days` pauses the next one along it);
- sock puppets: fresh accounts, made to thank one member (`new_account_limit` kudos
  from accounts younger than `new_account_days` pauses the next one from a new account).

Both are counted in the statement that already reads the giver's pace (no extra
round trip on the giving path). When one is found the kudos is refused like a
trade, and the moderators hear of it in `report_channel` once per `trade_days`
(a warning in the log when there is no such channel).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.context import Context
from bot.features.kudos import render
from bot.features.kudos.config import KudosConfig
from bot.features.kudos.people import channel_named, mention_of
from bot.features.kudos.rules import Refusal, Verdict
from bot.features.kudos.store import FarmingReports, KudosLedger
from bot.model import MemberRecord, Outgoing

log = logging.getLogger(__name__)

REPORTED = frozenset({Refusal.RING, Refusal.NEW_ACCOUNTS})
KINDS = {Refusal.RING: "ring", Refusal.NEW_ACCOUNTS: "newcomers"}


async def report(
    ctx: Context, giver: MemberRecord, receiver: MemberRecord, verdict: Verdict
) -> None:
    """Tell the moderators, unless they heard of it within the window."""
    if verdict.refusal not in REPORTED:
        return
    cfg = ctx.config_of(KudosConfig)
    now = ctx.now()
    window = timedelta(days=cfg.trade_days)
    involved = [receiver.person_id]
    if verdict.refusal is Refusal.RING:
        book: KudosLedger = ctx.repo(KudosLedger)  # type: ignore[type-abstract]
        third = await book.ring_partner(giver.person_id, receiver.person_id, now - window)
        involved = [giver.person_id, receiver.person_id, *([third] if third else [])]
    reports: FarmingReports = ctx.repo(FarmingReports)  # type: ignore[type-abstract]
    if not await reports.claim(min(involved), KINDS[verdict.refusal], now, now - window):
        return
    channel = await channel_named(ctx, giver.ref, cfg.report_channel)
    if channel is None:  # no channel to tell the moderators in: the log is the report
        log.warning("kudos: suspected %s farming by persons %s", verdict.refusal.value, involved)
        return
    log.info("kudos: suspected %s farming by persons %s", verdict.refusal.value, involved)
    platform = giver.ref.platform
    members = [await mention_of(ctx, person, platform) for person in involved]
    async with ctx.in_public(channel):
        text = render.farming_report(verdict.refusal, members, cfg)
    ctx.deliver(Outgoing(text, channel=channel))
