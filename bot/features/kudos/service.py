"""Giving kudos: by command, by reaction, by "thanks @…", for an accepted answer.

Every way of giving goes through `give`, which applies the rules (see `rules.py`) and
records the kudos for the receiver's person. A member who chose to give (command,
reaction, keyword) uses up their daily allowance and meets the cooldown; an
automatic kudos (accepted answer) does neither. A refused command says why and how
many kudos are left today; a refused reaction says so rarely (`reaction_refusals`);
a refused "thanks @…" stays quiet, because the member only said thanks and never
asked for a kudos.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date, timedelta

from bot.context import Context, UserError
from bot.emoji import canonical
from bot.features.kudos import badges, farming, reaction_refusals, render
from bot.features.kudos.config import BadgeKind, KudosConfig
from bot.features.kudos.keywords import says
from bot.features.kudos.people import label_of
from bot.features.kudos.rules import (
    Refusal,
    Verdict,
    closes_ring,
    cooldown_wait,
    day_start,
    is_new_account,
    left_today,
    local_day,
    next_midnight,
    trades_too_much,
    who_refusal,
    zone,
)
from bot.features.kudos.store import (
    Achievements,
    FactKind,
    Kudos,
    KudosLedger,
    NewKudos,
    Pace,
    Source,
    Tallies,
)
from bot.i18n import _
from bot.model import (
    Channel,
    ChannelKind,
    MemberRecord,
    MessagePosted,
    Outgoing,
    ReactionChanged,
    Ref,
)
from bot.signals import AnswerAccepted

log = logging.getLogger(__name__)

MAX_REASON = 300
# A "thanks @a @b @c …" message gives kudos to this many mentioned members at most.
MAX_THANKED = 5
# Members whose streak day is remembered in memory before the memo starts over.
MEMO_LIMIT = 100_000


def ledger(ctx: Context) -> KudosLedger:
    return ctx.repo(KudosLedger)  # type: ignore[type-abstract]


def achievements(ctx: Context) -> Achievements:
    return ctx.repo(Achievements)  # type: ignore[type-abstract]


def config(ctx: Context) -> KudosConfig:
    return ctx.config_of(KudosConfig)


def topic_of(ctx: Context, channel: Channel | None) -> str | None:
    if channel is None or channel.kind is ChannelKind.DM:
        return None
    return config(ctx).topic_of(channel.name)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of an attempt: the verdict (with what is left today) and the kudos."""

    verdict: Verdict
    kudos: Kudos | None


async def verdict(ctx: Context, giver: MemberRecord, receiver: MemberRecord | None) -> Verdict:
    """May `giver` thank `receiver` now, and how many kudos do they have left today?"""
    cfg = config(ctx)
    now = ctx.now()
    tz = zone(giver.timezone, ctx.runtime.config.bot.timezone)
    cooldown = timedelta(minutes=cfg.cooldown_minutes)
    counting = receiver is not None and bool(cooldown)
    new_giver = bool(cfg.new_account_limit) and is_new_account(
        giver.joined_at, now, cfg.new_account_days
    )
    watching = receiver is not None and bool(cfg.trade_limit or cfg.ring_limit or new_giver)
    pace = Pace(0, None)
    if cfg.daily_allowance or counting or watching:
        pace = await ledger(ctx).pace(
            giver.person_id,
            day_start(now, tz),
            receiver.person_id if receiver is not None else None,
            now - cooldown if counting else None,
            now - timedelta(days=cfg.trade_days) if watching else None,
            rings=bool(cfg.ring_limit),
            new_giver=new_giver,
        )
    found = Verdict(None, left_today(cfg.daily_allowance, pace.used), next_midnight(now, tz), now)
    if receiver is None:
        return found
    refusal = who_refusal(giver, receiver)
    if refusal is not None:
        return replace(found, refusal=refusal)
    if found.left == 0:
        return replace(found, refusal=Refusal.ALLOWANCE)
    wait = cooldown_wait(pace.last_to_receiver, now, cooldown)
    if wait is not None:
        return replace(
            found, refusal=Refusal.COOLDOWN, wait=wait, last_thanked=pace.last_to_receiver
        )
    farmed = farming_refusal(cfg, pace, new_giver) if watching else None
    if farmed is not None:
        log.info(
            "kudos: %s from person %s to person %s refused (%s in %d days)",
            farmed.value,
            giver.person_id,
            receiver.person_id,
            pace,
            cfg.trade_days,
        )
        given, received = pace.traded
        return replace(found, refusal=farmed, traded=given + received)
    return found


def farming_refusal(cfg: KudosConfig, pace: Pace, new_giver: bool) -> Refusal | None:
    """Which farming rule, if any, the kudos would break (pairs, circles, new accounts)."""
    given, received = pace.traded
    if trades_too_much(given, received, cfg.trade_limit):
        return Refusal.TRADING
    if closes_ring(given, pace.ring, cfg.ring_limit):
        return Refusal.RING
    if new_giver and pace.from_new_accounts >= cfg.new_account_limit:
        return Refusal.NEW_ACCOUNTS
    return None


async def give(
    ctx: Context,
    giver: MemberRecord,
    receiver: MemberRecord,
    source: Source,
    points: int,
    *,
    emoji: str | None = None,
    message: Ref | None = None,
    channel: Channel | None = None,
    reason: str | None = None,
) -> Outcome:
    """Apply the rules and record the kudos; the kudos is None when refused or a repeat."""
    judged = await verdict(ctx, giver, receiver)
    if judged.refusal in farming.REPORTED:
        await farming.report(ctx, giver, receiver, judged)
    if not judged.allowed:
        return Outcome(judged, None)
    cfg = config(ctx)
    new = NewKudos(
        giver_person_id=giver.person_id,
        receiver_person_id=receiver.person_id,
        points=points,
        source=source,
        platform=receiver.ref.platform,
        given_at=ctx.now(),
        emoji=emoji,
        message=message,
        topic=topic_of(ctx, channel),
        reason=reason,
        from_new_account=is_new_account(giver.joined_at, ctx.now(), cfg.new_account_days),
    )
    kudos = await ledger(ctx).give(new)
    if kudos is None:
        return Outcome(judged, None)
    left = judged.left - 1 if judged.left is not None else None
    return Outcome(replace(judged, left=left), kudos)


async def after_giving(
    ctx: Context, giver: MemberRecord, receiver: MemberRecord, tallies: Tallies | None = None
) -> None:
    """Badges the kudos may have earned: the receiver's, then the giver's.

    `tallies` are the counts and badges right after the kudos, when the caller read
    them already (one statement for all of it).
    """
    if tallies is None:
        tallies = await ledger(ctx).tallies(receiver.person_id, giver.person_id)
    received = {BadgeKind.KUDOS_RECEIVED: tallies.received}
    have = {person: set(ids) for person, ids in tallies.badges.items()}
    await badges.review(
        ctx, receiver, (BadgeKind.KUDOS_RECEIVED,), received, have[receiver.person_id]
    )
    given = {BadgeKind.KUDOS_GIVEN: tallies.given}
    await badges.review(ctx, giver, (BadgeKind.KUDOS_GIVEN,), given, have[giver.person_id])


# --- /kudos @member ----------------------------------------------------------------------


async def by_command(ctx: Context, receiver: MemberRecord, reason: str | None) -> None:
    giver = ctx.member()
    reason = " ".join(reason.split()) if reason else None
    if reason and len(reason) > MAX_REASON:
        raise UserError(_("Keep the reason under {max} characters, please.", max=MAX_REASON))
    outcome = await give(
        ctx, giver, receiver, Source.COMMAND, 1, channel=ctx.channel, reason=reason
    )
    if outcome.kudos is None:
        # A reply, not a UserError: a refusal may have written (a farming report noted
        # as sent), and raising would roll that back.
        await ctx.reply(
            render.refusal(outcome.verdict, receiver.label, config(ctx)), ephemeral=True
        )
        return
    tallies = await ledger(ctx).tallies(receiver.person_id, giver.person_id)
    async with ctx.in_public():
        text, blocks = render.given(
            ctx.mention(giver.ref), ctx.mention(receiver.ref), reason, tallies.received
        )
    await ctx.reply(text, blocks=blocks, ephemeral=False)
    left = render.left_today(outcome.verdict)
    if left:
        await ctx.reply(left, ephemeral=True)
    await after_giving(ctx, giver, receiver, tallies)


# --- reactions --------------------------------------------------------------------------


async def on_reaction(ctx: Context, event: ReactionChanged) -> None:
    weight = config(ctx).weight(event.emoji)
    if weight is None or ctx.actor is None:
        return
    if not event.added:
        # Discord names the message's author only when a reaction is added (and a
        # message out of its cache has none on removal): the kudos row knows whom it thanked.
        await _take_back(ctx, event)
        return
    if event.message_author is None:
        return
    receiver = await ctx.directory.get(event.message_author)
    if receiver is None:
        return  # a message by someone Agora never met (another bot, a webhook)
    await _react(ctx, event, receiver, weight)


async def _react(ctx: Context, event: ReactionChanged, receiver: MemberRecord, weight: int) -> None:
    giver = ctx.member()
    if await ledger(ctx).by_reaction(giver.person_id, event.message) is not None:
        return  # one kudos per message and giver: a second kudos emoji adds nothing
    outcome = await give(
        ctx,
        giver,
        receiver,
        Source.REACTION,
        weight,
        emoji=canonical(event.emoji),
        message=event.message,
        channel=event.channel,
    )
    if outcome.kudos is None:
        await reaction_refusals.tell(ctx, receiver, outcome.verdict)
        return  # a refusal, or this message was already thanked by this giver
    await tell_receiver(ctx, giver, receiver, outcome.kudos)
    await after_giving(ctx, giver, receiver)


async def _take_back(ctx: Context, event: ReactionChanged) -> None:
    """Removing the reaction soon enough undoes the kudos (and gives the allowance back).

    The kudos is found by giver, message and emoji; whom it thanked comes from it.
    """
    giver = ctx.member()
    window = timedelta(minutes=config(ctx).take_back_minutes)
    found = await ledger(ctx).by_reaction(giver.person_id, event.message, canonical(event.emoji))
    if found is None or not window or ctx.now() - found.given_at > window:
        return  # after the window, a kudos given stays given
    await ledger(ctx).remove(found.id)
    now_left = await verdict(ctx, giver, None)
    name = await label_of(ctx, found.receiver_person_id, giver.ref.platform)
    await ctx.reply(render.taken_back(name, now_left), ephemeral=True)


async def tell_receiver(
    ctx: Context, giver: MemberRecord, receiver: MemberRecord, kudos: Kudos
) -> None:
    """A DM so a kudos by reaction or "thanks" does not go unnoticed."""
    if not config(ctx).notify_receiver or kudos.message is None:
        return
    with ctx.speaking_to(receiver):
        text = render.received_dm(giver.label, kudos.source, kudos.emoji, ctx.link(kudos.message))
    ctx.deliver(Outgoing(text, dm=receiver.ref))


# --- messages: "thanks @bob", "welcome @dave", streaks ----------------------------------


async def on_message(ctx: Context, event: MessagePosted) -> None:
    author = ctx.actor
    if author is None:
        return
    message = event.message
    cfg = config(ctx)
    if message.mentions and message.text:
        if cfg.thanks_keywords and says(message.text, cfg.keywords):
            await _thanks(ctx, author, event)
        if cfg.detect_welcomes and says(message.text, cfg.welcome_keywords):
            await _welcomes(ctx, author, event)
    await _count_day(ctx, author)


async def _count_day(ctx: Context, author: MemberRecord) -> None:
    """Count today towards the author's streak: one write per member and day, not per message."""
    today = local_day(ctx.now(), zone(author.timezone, ctx.runtime.config.bot.timezone))
    counted: dict[int, date] = ctx.memo.setdefault("streak_counted", {})
    if counted.get(author.person_id) == today:
        return
    streak = await achievements(ctx).touch_streak(author.person_id, today)
    if streak is not None:
        await badges.review(ctx, author, (BadgeKind.STREAK_DAYS,))

    async def remember() -> None:
        if len(counted) > MEMO_LIMIT:
            counted.clear()
        counted[author.person_id] = today

    ctx.after_commit(remember)


async def _mentioned(
    ctx: Context, author: MemberRecord, event: MessagePosted
) -> list[MemberRecord]:
    found: list[MemberRecord] = []
    for ref in dict.fromkeys(event.message.mentions):
        record = await ctx.directory.get(ref)
        if record is not None and record.person_id != author.person_id:
            found.append(record)
    return found


async def _thanks(ctx: Context, giver: MemberRecord, event: MessagePosted) -> None:
    for receiver in (await _mentioned(ctx, giver, event))[:MAX_THANKED]:
        outcome = await give(
            ctx,
            giver,
            receiver,
            Source.KEYWORD,
            1,
            message=event.message.ref,
            channel=event.message.channel,
        )
        if outcome.kudos is not None:
            await tell_receiver(ctx, giver, receiver, outcome.kudos)
            await after_giving(ctx, giver, receiver)


async def _welcomes(ctx: Context, welcomer: MemberRecord, event: MessagePosted) -> None:
    """A welcome to someone who joined recently counts towards welcoming badges."""
    fresh = timedelta(days=config(ctx).newcomer_days)
    now = ctx.now()
    for newcomer in await _mentioned(ctx, welcomer, event):
        recent = newcomer.joined_at is not None and now - newcomer.joined_at <= fresh
        if recent and not newcomer.is_bot:
            await record_help(ctx, welcomer, newcomer.person_id, FactKind.WELCOME)


async def record_help(
    ctx: Context, helper: MemberRecord, newcomer_person_id: int, kind: FactKind
) -> None:
    """Remember that `helper` welcomed or mentored a newcomer (each newcomer counts once)."""
    if helper.person_id == newcomer_person_id:
        return
    subject = newcomer_subject(newcomer_person_id)
    if await achievements(ctx).record_fact(helper.person_id, kind, subject, ctx.now()):
        badge = BadgeKind.NEWCOMERS_WELCOMED if kind is FactKind.WELCOME else BadgeKind.MENTEES
        await badges.review(ctx, helper, (badge,))


def newcomer_subject(person_id: int) -> str:
    return f"person:{person_id}"


# --- accepted answers ---------------------------------------------------------------------


async def on_answer_accepted(ctx: Context, signal: AnswerAccepted) -> None:
    """Count the accepted answer for badges; with `answer_points`, also give kudos."""
    answerer = await ctx.directory.get(signal.answerer)
    if answerer is None or answerer.is_bot:
        return
    subject = f"question:{signal.question_id}"
    facts = achievements(ctx)
    if not await facts.record_fact(answerer.person_id, FactKind.ANSWER, subject, ctx.now()):
        return  # the same question accepted again (reopened and solved): counted once
    points = config(ctx).answer_points
    accepter = await ctx.directory.get(signal.accepted_by)
    if points and accepter is not None and who_refusal(accepter, answerer) is None:
        kudos = await ledger(ctx).give(
            NewKudos(
                giver_person_id=accepter.person_id,
                receiver_person_id=answerer.person_id,
                points=points,
                source=Source.ANSWER,
                platform=answerer.ref.platform,
                given_at=ctx.now(),
                topic=signal.topic.lower() if signal.topic else None,
            )
        )
        if kudos is not None and config(ctx).notify_receiver:
            with ctx.speaking_to(answerer):
                text = render.answer_dm(points, signal.question_id)
            ctx.deliver(Outgoing(text, dm=answerer.ref))
    await badges.review(ctx, answerer, (BadgeKind.ACCEPTED_ANSWERS, BadgeKind.KUDOS_RECEIVED))


async def helped(ctx: Context, helper: Ref, newcomer: Ref, kind: FactKind) -> None:
    """Another feature says `helper` welcomed or mentored `newcomer`."""
    helper_record = await ctx.directory.get(helper)
    newcomer_record = await ctx.directory.get(newcomer)
    if helper_record is None or newcomer_record is None or newcomer_record.is_bot:
        return
    await record_help(ctx, helper_record, newcomer_record.person_id, kind)


# --- quizzes and flags ----------------------------------------------------------------------


async def achieved(
    ctx: Context, person_id: int, account: Ref | None, kind: FactKind, subject: str
) -> None:
    """Another feature reports a deed (a quiz answered right, an accurate flag): count it once."""
    member = await ctx.directory.get(account) if account is not None else None
    if member is None or member.person_id != person_id:
        accounts = list(await ctx.directory.accounts_of(person_id))
        member = next((a for a in accounts if a.active), accounts[0] if accounts else None)
    if member is None or member.is_bot:
        return
    if await achievements(ctx).record_fact(person_id, kind, subject, ctx.now()):
        badge = BadgeKind.QUIZ_ANSWERS if kind is FactKind.QUIZ else BadgeKind.ACCURATE_FLAGS
        await badges.review(ctx, member, (badge,))
