"""The rules of moderation: flags and the quorum, then what moderators decide.

Flags: one per member per message (withdrawn ones can come back), weighted by trust
(`trust.py`); a moderator's flag, or members' weight reaching the quorum, moves the
case into the queue exactly once. Decisions: one per case — the database decides
which of two moderators clicking at once wins, and the other is told who did what.
A platform that cannot carry an action out is checked before anything is written.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from bot.context import Context, UserError
from bot.emoji import matches
from bot.features.moderation import audit, details, queue, render
from bot.features.moderation.config import LadderStep, ModerationConfig, SanctionKind
from bot.features.moderation.people import account_on, label, running, show
from bot.features.moderation.recent import RECENT
from bot.features.moderation.sanctions import impose, tell
from bot.features.moderation.store import (
    Case,
    Cases,
    CaseStatus,
    Decision,
    Flags,
    LogKind,
    Trigger,
)
from bot.features.moderation.trust import Standing, Weighing, is_flag_spammer, member_flag_weight
from bot.i18n import _
from bot.model import Capability, Level, MemberRecord, Outgoing, ReactionChanged
from bot.ports import CapabilityMissing, PlatformRefused
from bot.signals import FlagConfirmed

log = logging.getLogger(__name__)

# Float sums of weights like 0.5 + 1.5 + 1 must reach a quorum of 3.
EPSILON = 1e-9


class Outcome(StrEnum):
    COUNTED = "counted"
    DUPLICATE = "duplicate"
    REVIEWED = "reviewed"
    OWN = "own"


@dataclass(frozen=True, slots=True)
class FlagResult:
    outcome: Outcome
    case: Case | None = None
    weighing: Weighing | None = None
    queued: bool = False
    # The case waits for the moderators but its item could not be posted in the queue
    # channel (missing, or the bot is not in it): they find it only with /modqueue.
    unposted: bool = False


def _cases(ctx: Context) -> Cases:
    return ctx.repo(Cases)  # type: ignore[type-abstract]


def _flags(ctx: Context) -> Flags:
    return ctx.repo(Flags)  # type: ignore[type-abstract]


def is_flag(config: ModerationConfig, emoji: str) -> bool:
    """The flag emoji, however the platform spelled it (see `bot.emoji`)."""
    return matches(config.flag_emoji, emoji)


# --- flagging ---------------------------------------------------------------------------


async def weigh(ctx: Context, member: MemberRecord) -> Weighing:
    config = ctx.config_of(ModerationConfig)
    flags = _flags(ctx)
    now = ctx.now()
    last_hour = await flags.since(member.person_id, now - timedelta(hours=1))
    record = await flags.record(member.person_id)
    last = await flags.last_counted(member.person_id) if is_flag_spammer(config, record) else None
    return member_flag_weight(
        config,
        joined_at=member.joined_at,
        now=now,
        flags_last_hour=last_hour,
        record=record,
        last_counted=last,
    )


async def flag(ctx: Context, event: ReactionChanged) -> FlagResult:
    """A member (or moderator) reacted with the flag emoji to a message."""
    config = ctx.config_of(ModerationConfig)
    actor = ctx.member()
    now = ctx.now()
    if event.message_author == actor.ref:
        return FlagResult(Outcome.OWN)
    cases = _cases(ctx)
    case = await cases.by_message(event.message)
    if case is None:  # the first flag: who wrote it is looked up once
        author = await ctx.directory.get(event.message_author) if event.message_author else None
        case = await cases.open(
            event.message,
            event.channel.ref,
            event.message_author,
            author.person_id if author else None,
            now,
        )
    if case.status is CaseStatus.DECIDED:
        return FlagResult(Outcome.REVIEWED, case)
    moderator = ctx.level.allows(Level.MODERATOR)
    weighing = Weighing(1.0, Standing.MODERATOR) if moderator else await weigh(ctx, actor)
    added = await _flags(ctx).add(case.id, actor.person_id, now, weighing.weight, moderator)
    if added is None:
        return FlagResult(Outcome.DUPLICATE, case)
    case = await cases.add_flag(case.id, 1, weighing.weight)
    await audit.record_case(
        ctx,
        LogKind.FLAG,
        case,
        actor=actor.person_id,
        detail=details.of_flag(weighing),
    )
    queued = False
    if case.status is CaseStatus.COLLECTING and (
        moderator or case.weight + EPSILON >= config.quorum
    ):
        trigger = Trigger.MODERATOR if moderator else Trigger.QUORUM
        queued = await cases.queue(case.id, trigger, now)
        if queued:
            await audit.record_case(ctx, LogKind.QUEUED, case, detail=trigger.value)
            if trigger is Trigger.QUORUM and config.auto_hide:
                await hide(ctx, case)
            found = await cases.get(case.id)
            assert found is not None
            case = found
    case = await queue.publish(ctx, case)
    waiting = case.status in (CaseStatus.OPEN, CaseStatus.ESCALATED)
    unposted = waiting and case.queue_message is None
    return FlagResult(Outcome.COUNTED, case, weighing, queued, unposted)


async def hide(ctx: Context, case: Case) -> None:
    """Auto-hide: delete the message pending review, keeping its text in the case.

    Only when the text is known (it must be restorable) and the platform lets bots
    delete others' messages; otherwise the message stays up and moderators decide.
    """
    platform = case.message.platform
    text = RECENT.text(case.message, ctx.now())
    if text is None or not running(ctx, platform):
        return
    if not ctx.can(platform, Capability.DELETE_MESSAGES):
        return
    try:
        await ctx.port(platform).delete(case.message)
    except (PlatformRefused, CapabilityMissing) as failed:
        log.info("moderation: could not hide %s: %s", case.message, failed)
        return
    RECENT.drop(case.message)
    await _cases(ctx).hide(case.id, text, ctx.now())
    await audit.record_case(ctx, LogKind.HIDDEN, case)


async def _own_flag(ctx: Context, case_id: int) -> tuple[Case, int, float]:
    actor = ctx.member()
    case = await _cases(ctx).get(case_id)
    found = await _flags(ctx).of(case_id, actor.person_id) if case else None
    if case is None or found is None or found.withdrawn_at is not None:
        raise UserError(_("You have no flag on that message."))
    return case, found.id, found.weight


async def withdraw(ctx: Context, case_id: int) -> None:
    case, flag_id, weight = await _own_flag(ctx, case_id)
    if case.status is CaseStatus.DECIDED:
        raise UserError(
            _("The moderators already reviewed that message; your flag stays on the record.")
        )
    await _flags(ctx).withdraw(flag_id, ctx.now())
    case = await _cases(ctx).add_flag(case.id, -1, -weight)
    await audit.record(
        ctx, LogKind.WITHDRAW, case.message, case_id=case.id, actor=ctx.member().person_id
    )
    await queue.publish(ctx, case)


async def add_reason(ctx: Context, case_id: int, rule: int | None, details: str) -> None:
    config = ctx.config_of(ModerationConfig)
    case, flag_id, _weight = await _own_flag(ctx, case_id)
    if rule is not None and config.rule(rule) is None:
        rule = None
    text = " ".join(details.split())[:300] or None
    await _flags(ctx).set_reason(flag_id, rule, text)
    await queue.publish(ctx, case)


# --- deciding ---------------------------------------------------------------------------

NEEDS = {
    Decision.DELETE: Capability.DELETE_MESSAGES,
    Decision.TIMEOUT: Capability.TIMEOUT,
    Decision.KICK: Capability.KICK,
    Decision.BAN: Capability.BAN,
}
SANCTIONS = {
    Decision.TIMEOUT: SanctionKind.TIMEOUT,
    Decision.KICK: SanctionKind.KICK,
    Decision.BAN: SanctionKind.BAN,
}


async def actionable(ctx: Context, case_id: int) -> Case:
    """The case, if it waits for a decision the actor may take (else a clear refusal)."""
    case = await _cases(ctx).get(case_id)
    if case is None:
        raise UserError(_("That case no longer exists."))
    ctx.require(Level.ADMIN if case.status is CaseStatus.ESCALATED else Level.MODERATOR)
    if case.status is CaseStatus.DECIDED:
        raise UserError(await already_handled(ctx, case))
    return case


async def already_handled(ctx: Context, case: Case) -> str:
    view = await queue.view(ctx, case)
    return _(
        "Too late: {status}",
        status=render.status_line(view),
    )


async def author_of(ctx: Context, case: Case) -> MemberRecord:
    record = None
    if case.author is not None:
        record = await ctx.directory.get(case.author)
    if record is None or case.author is None:
        raise UserError(
            _(
                "I don't know who wrote that message, so I cannot sanction them. Delete the "
                "message, or use the platform's own tools."
            )
        )
    if record.is_bot:
        raise UserError(_("That message is from a bot; delete it instead."))
    return record


@dataclass(frozen=True, slots=True)
class Decided:
    case: Case
    note: str


async def decide(
    ctx: Context, case_id: int, decision: Decision, duration: timedelta | None = None
) -> Decided:
    config = ctx.config_of(ModerationConfig)
    actor = ctx.member()
    case = await actionable(ctx, case_id)
    platform = case.message.platform
    author = None
    if decision in SANCTIONS or decision is Decision.WARN:
        author = await author_of(ctx, case)
    needed = NEEDS.get(decision)
    if needed is not None and (not running(ctx, platform) or not ctx.can(platform, needed)):
        raise UserError(render.unsupported(platform, render.action_verb(decision)))
    cases = _cases(ctx)
    if not await cases.decide(case.id, decision, actor.person_id, ctx.now()):
        found = await cases.get(case.id)
        raise UserError(await already_handled(ctx, found or case))
    notes: list[str] = []
    rule = case.rule or await cited_rule(ctx, case)
    if decision is Decision.DELETE:
        await remove_message(ctx, case)
        await audit.record_case(
            ctx, LogKind.DELETE, case, actor=actor.person_id, detail=details.of_rule(rule)
        )
        await tell_author_deleted(ctx, case, rule)
    elif decision is Decision.DISMISS:
        await restore(ctx, case)
        await audit.record_case(ctx, LogKind.DISMISS, case, actor=actor.person_id)
    else:
        assert author is not None and case.author is not None
        kind = SANCTIONS.get(decision)
        step = LadderStep(kind, duration) if kind is not None else None
        imposed = await impose(
            ctx,
            member=author,
            account=case.author,
            step=step,
            rule=rule,
            note="",
            case_id=case.id,
            link=ctx.link(case.message) if running(ctx, platform) else None,
        )
        if imposed.missing is not None:
            notes.append(
                _(
                    "The ladder's next step is {step}, which {platform} cannot do: it is on "
                    "record; carry it out by hand.",
                    step=render.step_text(render.sanction_step(imposed.sanction)),
                    platform=render.platform_name(platform),
                )
            )
        if config.delete_on_sanction and case.hidden_at is None:
            if ctx.can(platform, Capability.DELETE_MESSAGES):
                await remove_message(ctx, case)
            else:
                notes.append(render.unsupported(platform, render.action_verb(Decision.DELETE)))
    await after_decision(ctx, case, decision)
    found = await cases.get(case.id)
    assert found is not None
    return Decided(await queue.publish(ctx, found), "\n".join(notes))


async def cited_rule(ctx: Context, case: Case) -> int | None:
    """The rule most flaggers named, when the moderator did not pick one."""
    counts: dict[int, int] = {}
    for f in await _flags(ctx).for_case(case.id):
        if f.rule and f.withdrawn_at is None:
            counts[f.rule] = counts.get(f.rule, 0) + 1
    if not counts:
        return None
    return max(sorted(counts), key=lambda r: counts[r])


async def remove_message(ctx: Context, case: Case) -> bool:
    """Delete the flagged message; one that is gone already counts as removed."""
    platform = case.message.platform
    if not running(ctx, platform) or case.hidden_at is not None:
        return False
    try:
        await ctx.port(platform).delete(case.message)
    except CapabilityMissing:
        return False
    except PlatformRefused as refused:
        log.info("moderation: message %s already gone? %s", case.message, refused)
        return False
    return True


async def restore(ctx: Context, case: Case) -> None:
    """A dismissed case whose message was auto-hidden: put the words back."""
    if case.hidden_text is None:
        return
    author = show(ctx, case.author) if case.author else _("someone")
    async with ctx.in_public(case.channel):
        text = render.restored(author, case.hidden_text)
    await queue.post(ctx, case.channel, text, ())
    await _cases(ctx).forget_hidden_text(case.id)


async def tell_author_deleted(ctx: Context, case: Case, rule: int | None) -> None:
    config = ctx.config_of(ModerationConfig)
    if not config.dm_author or case.author is None or not running(ctx, case.author.platform):
        return
    record = await ctx.directory.get(case.author)
    if record is None:
        return
    with ctx.speaking_to(record):
        text = render.deleted_dm(
            ctx.community, ctx.channel_mention(case.channel), render.rule_text(config, rule)
        )
    tell(ctx, case.author, text)


async def after_decision(ctx: Context, case: Case, decision: Decision) -> None:
    """Thank the flaggers with the outcome, and tell other features who flagged well."""
    config = ctx.config_of(ModerationConfig)
    flaggers = {
        f.person_id
        for f in await _flags(ctx).for_case(case.id)
        if f.person_id is not None and f.withdrawn_at is None and not f.moderator
    }
    for person_id in sorted(flaggers):
        account = await account_on(ctx, person_id, case.message.platform)
        if config.notify_flaggers and account is not None:
            with ctx.speaking_to(account):
                text = render.flagger_dm(decision)
            tell(ctx, account.ref, text)
        if decision.confirms and config.signal_accurate_flags:
            await ctx.emit(
                FlagConfirmed(case.id, person_id, account.ref if account is not None else None)
            )


async def escalate(ctx: Context, case_id: int) -> Case:
    config = ctx.config_of(ModerationConfig)
    actor = ctx.member()
    case = await actionable(ctx, case_id)
    if case.status is CaseStatus.ESCALATED:
        raise UserError(_("This case is escalated already; an admin decides."))
    cases = _cases(ctx)
    if not await cases.escalate(case.id, actor.person_id, ctx.now()):
        raise UserError(_("Someone else changed this case just now; look at it again."))
    await audit.record_case(ctx, LogKind.ESCALATE, case, actor=actor.person_id)
    found = await cases.get(case.id)
    assert found is not None
    found = await queue.publish(ctx, found)
    if config.escalation_channel and running(ctx, case.message.platform):
        where = await ctx.directory.find_channel(
            case.message.platform, case.message.workspace, config.escalation_channel
        )
        if where is not None:
            item = ctx.link(found.queue_message) if found.queue_message else ""
            async with ctx.in_public(where):
                text = _(
                    "⏫ Case #{id} needs an admin (escalated by {who}). {link}",
                    id=case.id,
                    who=await label(ctx, actor.person_id, case.message.platform),
                    link=item,
                )
            await ctx.send_bridged(Outgoing(text.strip(), channel=where))
    return found


async def set_rule(ctx: Context, case_id: int, rule: int) -> Case:
    config = ctx.config_of(ModerationConfig)
    case = await actionable(ctx, case_id)
    if config.rule(rule) is None:
        raise UserError(_("There is no rule {number}.", number=rule))
    await _cases(ctx).set_rule(case.id, rule)
    found = await _cases(ctx).get(case.id)
    assert found is not None
    return await queue.publish(ctx, found)
