"""Wiring: the flag reaction, queue buttons, forms, commands, jobs and hooks → the service."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.args import IntArg, MemberArg, TextArg
from bot.context import Context, UserError
from bot.features.moderation import appeals, audit, queue, render, reports, service
from bot.features.moderation.config import (
    ModerationConfig,
    check_someone_moderates,
    parse_timeout,
)
from bot.features.moderation.feature import feature
from bot.features.moderation.people import show
from bot.features.moderation.recent import RECENT
from bot.features.moderation.sanctions import history, impose, next_step
from bot.features.moderation.store import Cases, Decision, LogKind, ModerationPeople, Sanctions
from bot.i18n import N_, _, ngettext
from bot.model import (
    Attachment,
    Block,
    ButtonPressed,
    Capability,
    FormSubmitted,
    Level,
    MemberRecord,
    MessagePosted,
    Outgoing,
    ReactionChanged,
    Ref,
    Section,
)
from bot.model import Context as BlockContext
from bot.ports import CapabilityMissing, PlatformRefused

__all__ = ["feature"]

feature.check(check_someone_moderates)


def _parts(action_id: str, count: int) -> list[str]:
    """The parts after `moderation:<action>:` (ids and verbs carried by a button)."""
    parts = action_id.split(":")[2:]
    if len(parts) != count or not parts[0].isdigit():
        raise UserError(_("This button no longer works. Run the command again."))
    return parts


# --- flagging ---------------------------------------------------------------------------


@feature.on(MessagePosted)
async def remember_text(ctx: Context, event: MessagePosted) -> None:
    """Only with auto-hide on: keep recent text in memory so a hidden message can return."""
    if ctx.config_of(ModerationConfig).auto_hide:
        RECENT.remember(event.message)


@feature.on(ReactionChanged)
async def on_reaction(ctx: Context, event: ReactionChanged) -> None:
    config = ctx.config_of(ModerationConfig)
    if not event.added or ctx.actor is None or not service.is_flag(config, event.emoji):
        return
    if event.channel.name == config.queue_channel:
        return  # the queue's own items are not flaggable
    result = await service.flag(ctx, event)
    if result.outcome is service.Outcome.OWN:
        await ctx.reply(_("You can't flag your own message."), ephemeral=True)
        return
    if result.outcome is service.Outcome.REVIEWED:
        await ctx.reply(
            _("The moderators already reviewed that message. Thanks for looking out!"),
            ephemeral=True,
        )
        return
    left = await _hide_reaction(ctx, event, config)
    if result.outcome is service.Outcome.DUPLICATE:
        await ctx.reply(_("You flagged that message already."), ephemeral=True)
        return
    if not config.acknowledge_flags or result.case is None or result.weighing is None:
        return
    text, blocks = render.flag_ack(
        result.case.id,
        result.weighing,
        moderator=ctx.level.allows(Level.MODERATOR),
        queued=result.queued,
        unposted=result.unposted,
        reaction_left=left,
        emoji=config.flag_emoji,
    )
    await ctx.reply(text, blocks=blocks, ephemeral=True)


async def _hide_reaction(ctx: Context, event: ReactionChanged, config: ModerationConfig) -> bool:
    """Remove the flag reaction for privacy; True when it had to stay visible."""
    if not config.remove_flag_reaction or ctx.actor is None:
        return False
    if not ctx.can(event.platform, Capability.REMOVE_REACTIONS):
        return True
    try:
        await ctx.port(event.platform).remove_reaction(event.message, event.emoji, ctx.actor.ref)
    except (CapabilityMissing, PlatformRefused):
        return True
    return False


@feature.button("flag")
async def on_flag_button(ctx: Context, event: ButtonPressed) -> None:
    case_id, what = _parts(event.action_id, 2)
    if what == "withdraw":
        await service.withdraw(ctx, int(case_id))
        await ctx.reply(_("Your flag is withdrawn."), ephemeral=True)
        return
    await ctx.open_form(render.reason_form(int(case_id), ctx.config_of(ModerationConfig)))


@feature.form("reason")
async def on_reason(ctx: Context, event: FormSubmitted) -> None:
    if not event.context.isdigit():
        raise UserError(_("This form no longer works. Flag the message again."))
    raw_rule = event.values.get("rule", render.NO_RULE)
    rule = int(raw_rule) if raw_rule.isdigit() and raw_rule != render.NO_RULE else None
    await service.add_reason(ctx, int(event.context), rule, event.values.get("details", ""))
    await ctx.reply(_("Thanks — your reason was added for the moderators."), ephemeral=True)


# --- the queue --------------------------------------------------------------------------


@feature.button("case")
async def on_case_button(ctx: Context, event: ButtonPressed) -> None:
    case_id, action = _parts(event.action_id, 2)
    if action == "escalate":
        await service.escalate(ctx, int(case_id))
        await ctx.reply(_("Escalated: an admin decides now."), ephemeral=True)
        return
    try:
        decision = Decision(action)
    except ValueError:
        raise UserError(_("This button no longer works. Run the command again.")) from None
    await _decide(ctx, int(case_id), decision)


@feature.button("timeout")
async def on_timeout(ctx: Context, event: ButtonPressed) -> None:
    (case_id,) = _parts(event.action_id, 1)
    try:
        duration = parse_timeout(event.value)
    except ValueError:
        raise UserError(_("Pick one of the offered durations.")) from None
    await _decide(ctx, int(case_id), Decision.TIMEOUT, duration)


async def _decide(
    ctx: Context, case_id: int, decision: Decision, duration: timedelta | None = None
) -> None:
    done = await service.decide(ctx, case_id, decision, duration)
    view = await queue.view(ctx, done.case)
    text = _("Done — case #{id}: {outcome}.", id=case_id, outcome=view.outcome or "")
    await ctx.reply(f"{text}\n{done.note}" if done.note else text, ephemeral=True)


@feature.button("rule")
async def on_rule(ctx: Context, event: ButtonPressed) -> None:
    (case_id,) = _parts(event.action_id, 1)
    if not event.value.isdigit():
        raise UserError(_("Pick one of the listed rules."))
    await service.set_rule(ctx, int(case_id), int(event.value))
    await ctx.reply(
        _(
            "Noted: {rule}.",
            rule=render.rule_text(ctx.config_of(ModerationConfig), int(event.value)),
        ),
        ephemeral=True,
    )


@feature.button("appeal")
async def on_appeal_button(ctx: Context, event: ButtonPressed) -> None:
    appeal_id, what = _parts(event.action_id, 2)
    note = await appeals.decide(ctx, int(appeal_id), what == "revoke")
    done = _("Sanction revoked.") if what == "revoke" else _("Sanction upheld.")
    await ctx.reply(f"{done} {note}".strip(), ephemeral=True)


# --- commands ---------------------------------------------------------------------------


@feature.command(
    "rules",
    help=N_("Show the community's rules"),
    args=[IntArg("number", N_("one rule only"), required=False, min=1)],
)
async def rules(ctx: Context, number: int | None) -> None:
    config = ctx.config_of(ModerationConfig)
    if not config.rules:
        raise UserError(_("This community has not written down its rules yet."))
    text = render.rules_text(config, number)
    if not text:
        raise UserError(
            _(
                "There is no rule {number}; there are {count}.",
                number=number,
                count=len(config.rules),
            )
        )
    await ctx.reply(text)


@feature.command(
    "warn",
    help=N_("Give a member a strike: the sanctions ladder decides what it brings"),
    args=[
        MemberArg("member", N_("who gets the strike")),
        IntArg("rule", N_("the rule broken"), required=False, min=1, option=True),
        TextArg("reason", N_("why (sent to the member)")),
    ],
    level=Level.MODERATOR,
    ephemeral=True,
)
async def warn(ctx: Context, member: MemberRecord, rule: int | None, reason: str) -> None:
    config = ctx.config_of(ModerationConfig)
    if ctx.actor is not None and member.person_id == ctx.actor.person_id:
        raise UserError(_("You can't warn yourself."))
    if member.is_bot:
        raise UserError(_("Bots can't be warned."))
    if rule is not None and config.rule(rule) is None:
        raise UserError(
            _("There is no rule {number}; there are {count}.", number=rule, count=len(config.rules))
        )
    imposed = await impose(
        ctx,
        member=member,
        account=member.ref,
        step=None,
        rule=rule,
        note=reason,
        case_id=None,
        link=None,
    )
    sanction = imposed.sanction
    lines = [
        _(
            "{who} got {sanction} (strike {strike}).",
            who=show(ctx, member.ref, member.label),
            sanction=render.step_text(render.sanction_step(sanction)),
            strike=sanction.strike,
        )
    ]
    if imposed.missing is not None:
        lines.append(
            _(
                "{platform} cannot do that, so it is on record only: carry it out by hand.",
                platform=render.platform_name(member.ref.platform),
            )
        )
    await ctx.reply("\n".join(lines), ephemeral=True)


@feature.command(
    "sanctions",
    help=N_("Your strikes (moderators: anyone's) and what the next one brings"),
    args=[MemberArg("member", N_("whose strikes (moderators only)"), required=False)],
    ephemeral=True,
)
async def sanctions(ctx: Context, member: MemberRecord | None) -> None:
    actor = ctx.actor
    if actor is None:
        return
    who = member or actor
    if who.person_id != actor.person_id:
        ctx.require(Level.MODERATOR)
    config = ctx.config_of(ModerationConfig)
    _count, step = await next_step(ctx, who.person_id)
    text = render.sanctions_text(
        show(ctx, who.ref, who.label),
        await history(ctx, who.person_id),
        ctx.now(),
        config,
        step,
        who.timezone or ctx.runtime.config.bot.timezone,
    )
    await ctx.reply(text, ephemeral=True)


@feature.command(
    "modlog",
    verb="show",
    help=N_("The moderation log, or one member's part in it"),
    args=[
        MemberArg("member", N_("only this member's entries"), required=False),
        IntArg(
            "limit", "how many entries", required=False, default=20, min=1, max=200, option=True
        ),
    ],
    level=Level.MODERATOR,
    ephemeral=True,
)
async def modlog(ctx: Context, member: MemberRecord | None, limit: int) -> None:
    entries = await reports.recent_log(ctx, limit, member.person_id if member else None)
    title = (
        _("Moderation log for {who}:", who=show(ctx, member.ref, member.label))
        if member
        else _("Moderation log:")
    )
    await ctx.reply(await reports.log_text(ctx, entries, title), ephemeral=True)


@feature.command(
    "modlog last",
    help=N_("The last N entries of the moderation log"),
    args=[IntArg("count", N_("how many entries"), min=1, max=200)],
    level=Level.MODERATOR,
    ephemeral=True,
)
async def modlog_last(ctx: Context, count: int) -> None:
    entries = await reports.recent_log(ctx, count, None)
    await ctx.reply(await reports.log_text(ctx, entries, _("Moderation log:")), ephemeral=True)


@feature.command(
    "modlog export",
    help=N_("The moderation log as a CSV file, by direct message"),
    args=[
        IntArg("days", N_("how far back"), required=False, default=90, min=1, max=3650, option=True)
    ],
    level=Level.MODERATOR,
    ephemeral=True,
)
async def modlog_export(ctx: Context, days: int) -> None:
    if ctx.actor is None:
        return
    data = await reports.export_csv(ctx, ctx.now() - timedelta(days=days), None)
    name = f"modlog-{ctx.now():%Y%m%d}.csv"
    sent = await ctx.send(
        Outgoing(
            _("The moderation log of the last {days} days.", days=days),
            dm=ctx.actor.ref,
            attachments=(Attachment(name, data.encode("utf-8"), "text/csv"),),
        )
    )
    if sent is None:
        raise UserError(_("I could not send you a direct message. Allow DMs and try again."))
    await ctx.reply(_("I sent you the log as {name} by direct message.", name=name), ephemeral=True)


@feature.command(
    "modqueue",
    help=N_("Cases waiting for a moderator"),
    level=Level.MODERATOR,
    ephemeral=True,
)
async def modqueue(ctx: Context) -> None:
    if ctx.actor is None:
        return
    await ctx.reply(await reports.waiting_text(ctx, ctx.actor.ref), ephemeral=True)


@feature.command(
    "modstats",
    help=N_("Self-moderation statistics: flags, accuracy, time to decision"),
    args=[IntArg("days", N_("how far back"), required=False, default=30, min=1, max=3650)],
    level=Level.MODERATOR,
    ephemeral=True,
)
async def modstats(ctx: Context, days: int) -> None:
    await ctx.reply(await reports.stats_text(ctx, days), ephemeral=True)


@feature.command(
    "appeal",
    help=N_("Ask the moderators to reconsider your latest sanction"),
    args=[TextArg("reason", N_("why it should be reconsidered"), required=False)],
    ephemeral=True,
)
async def appeal(ctx: Context, reason: str) -> None:
    await appeals.file(ctx, reason or "")
    await ctx.reply(
        _("Your appeal went to the moderators. You'll get their answer by direct message."),
        ephemeral=True,
    )


# --- jobs and hooks -------------------------------------------------------------------


@feature.job("expire")
async def expire(ctx: Context, payload: dict[str, Any]) -> None:
    """A strike stops counting: note it in the audit log (the ladder reads expires_at)."""
    found = await ctx.repo(Sanctions).get(int(payload["sanction"]))  # type: ignore[type-abstract]
    if found is None or found.revoked_at is not None:
        return
    await audit.record(
        ctx,
        LogKind.EXPIRED,
        Ref(found.platform, found.workspace, "sanction"),
        sanction_id=found.id,
        subject=found.person_id,
        detail=found.kind,
    )


@feature.forget
async def forget(ctx: Context, person_id: int) -> None:
    """Anonymize (counts stay), then redraw queue items that showed the person's words."""
    shown = await ctx.repo(ModerationPeople).forget(person_id)  # type: ignore[type-abstract]
    cases: Cases = ctx.repo(Cases)  # type: ignore[type-abstract]
    for case_id in shown:
        found = await cases.get(case_id)
        if found is not None:
            await queue.publish(ctx, found)


@feature.export
async def export(ctx: Context, person_id: int) -> dict[str, Any]:
    return await ctx.repo(ModerationPeople).export(person_id)  # type: ignore[type-abstract]


feature.stats(reports.stats_figures)


@feature.home
async def home(ctx: Context) -> list[Block]:
    """The member's home tab: the rules, and their strikes if they have any."""
    config = ctx.config_of(ModerationConfig)
    if ctx.actor is None:
        return []
    blocks: list[Block] = []
    if config.rules:
        blocks += [Section(_("Community rules")), Section(render.rules_text(config))]
    count, step = await next_step(ctx, ctx.actor.person_id)
    if count:
        blocks.append(
            BlockContext(
                ngettext(
                    "You have {n} active strike; another would bring {step}. /sanctions "
                    "shows the details.",
                    "You have {n} active strikes; another would bring {step}. /sanctions "
                    "shows the details.",
                    count,
                    step=render.step_text(step),
                )
            )
        )
    return blocks
