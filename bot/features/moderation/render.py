"""Every message moderation sends: plain text that stands alone, blocks that add buttons.

Member-typed words (flag reasons, appeals, moderators' notes, a hidden message) pass
through `bot.text` before they are echoed, so they can neither ping anyone nor break
the layout.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.features.moderation.config import LadderStep, ModerationConfig, SanctionKind
from bot.features.moderation.feature import feature
from bot.features.moderation.store import (
    Appeal,
    Case,
    CaseStatus,
    Decision,
    Flag,
    LogEntry,
    LogKind,
    Sanction,
    Trigger,
)
from bot.features.moderation.trust import Standing, Weighing
from bot.formatting import number, span, when
from bot.i18n import N_, _, ngettext
from bot.model import (
    Block,
    Button,
    Buttons,
    ButtonStyle,
    Context,
    FieldKind,
    Fields,
    Form,
    FormField,
    Option,
    Section,
    Select,
)
from bot.text import neutral, one_line

NO_RULE = "0"


def step_text(step: LadderStep) -> str:
    if step.kind is SanctionKind.WARN:
        return _("a warning")
    if step.kind is SanctionKind.TIMEOUT and step.duration is not None:
        return _("a timeout of {duration}", duration=span(step.duration))
    if step.kind is SanctionKind.KICK:
        return _("a kick")
    return _("a ban")


def sanction_step(sanction: Sanction) -> LadderStep:
    return LadderStep(SanctionKind(sanction.kind), sanction.duration)


def rule_text(config: ModerationConfig, number: int | None, *, limit: int = 80) -> str:
    found = config.rule(number)
    if found is None or number is None:
        return ""
    return _("rule {number} ({rule})", number=number, rule=one_line(found, limit=limit))


# --- flagging -------------------------------------------------------------------------


def flag_ack(
    case_id: int,
    weighing: Weighing,
    *,
    moderator: bool,
    queued: bool,
    reaction_left: bool,
    emoji: str,
    unposted: bool = False,
) -> tuple[str, tuple[Block, ...]]:
    """The private thanks a flagger gets, with Add a reason / Withdraw buttons.

    It promises only what happened: when the case waits for the moderators but its
    item could not be posted in the queue channel, it says where they will find it.
    """
    if moderator and unposted:
        lines = [
            _(
                "Case #{id} is recorded, but I could not post it in the moderation queue "
                "channel (it is missing, or I am not in it): find it with /modqueue, and "
                "ask an admin to invite me to that channel.",
                id=case_id,
            )
        ]
    elif moderator:
        lines = [_("Sent to the moderation queue.") if queued else _("Your flag was added.")]
    elif unposted:
        lines = [
            _(
                "Thanks for flagging — it is on record, and the moderators will find it "
                "among the cases waiting for them. Only they see who flagged."
            )
        ]
    else:
        lines = [
            _("Thanks for flagging — the moderators will look at it. Only they see who flagged.")
        ]
    if weighing.standing is Standing.RATE_LIMITED:
        lines.append(
            _(
                "You have flagged a lot in the last hour, so this flag is on record but does "
                "not count toward a review."
            )
        )
    elif weighing.standing is Standing.COOLDOWN:
        lines.append(
            _(
                "Most of your recent flags were dismissed, so for a while only one flag an "
                "hour counts. This one is on record."
            )
        )
    if reaction_left:
        lines.append(
            _(
                "I can't remove your {emoji} on this platform; remove it yourself if you "
                "like — your flag still counts.",
                emoji=emoji,
            )
        )
    text = "\n".join(lines)
    buttons = Buttons(
        (
            Button(feature.action_id("flag", case_id, "reason"), _("Add a reason")),
            Button(feature.action_id("flag", case_id, "withdraw"), _("Withdraw my flag")),
        )
    )
    return text, (Section(text), buttons)


def reason_form(case_id: int, config: ModerationConfig) -> Form:
    options = [Option(NO_RULE, _("Something else"))]
    options += [
        Option(str(i), one_line(_("{number}. {rule}", number=i, rule=r), limit=75))
        for i, r in enumerate(config.rule_texts(), start=1)
    ]
    fields = [
        FormField(
            "details",
            _("What is wrong with it? (criticism and disagreement are fine)"),
            FieldKind.PARAGRAPH,
            required=False,
            placeholder=_("A few words for the moderators"),
        )
    ]
    if config.rules:
        fields.insert(
            0, FormField("rule", _("Which rule does it break?"), FieldKind.CHOICE, tuple(options))
        )
    return Form(
        feature.action_id("reason"),
        _("Why did you flag it?"),
        tuple(fields),
        submit_label=_("Send"),
        context=str(case_id),
    )


# --- the queue item -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CaseView:
    """A case with everything resolved to text (names, links, times) for rendering."""

    case: Case
    link: str
    author: str
    channel: str
    flags: Sequence[Flag]
    record: str
    outcome: str | None
    decided_by: str | None
    escalated_by: str | None
    timezone: str


def reasons(config: ModerationConfig, flags: Sequence[Flag]) -> list[str]:
    live = [f for f in flags if f.withdrawn_at is None]
    rules = Counter(f.rule for f in live if f.rule)
    lines = [
        ngettext("{rule} ×{n}", "{rule} ×{n}", count, rule=rule_text(config, number) or str(number))
        for number, count in sorted(rules.items(), key=lambda kv: (-kv[1], kv[0] or 0))
    ]
    texts = [f.reason for f in live if f.reason]
    lines += [f"“{one_line(t, limit=120)}”" for t in texts[-5:]]
    return lines


def record_text(active: int, next_step: LadderStep) -> str:
    if not active:
        return _("no active strikes (next: {step})", step=step_text(next_step))
    return ngettext(
        "{n} active strike (next: {step})",
        "{n} active strikes (next: {step})",
        active,
        step=step_text(next_step),
    )


def decision_text(decision: Decision, sanction: Sanction | None) -> str:
    if sanction is not None:
        shown = step_text(sanction_step(sanction))
        if not sanction.carried_out:
            return _("{sanction} (on record; not carried out by the platform)", sanction=shown)
        return shown
    return {
        Decision.DISMISS: _("dismissed: no rule broken"),
        Decision.DELETE: _("message deleted"),
        Decision.WARN: _("a warning"),
        Decision.TIMEOUT: _("a timeout"),
        Decision.KICK: _("a kick"),
        Decision.BAN: _("a ban"),
    }[decision]


def status_line(view: CaseView) -> str:
    case = view.case
    if case.status is CaseStatus.DECIDED and case.decided_at is not None:
        return _(
            "✅ Handled by {who} at {at}: {outcome}.",
            who=view.decided_by or _("a former moderator"),
            at=when(case.decided_at, view.timezone),
            outcome=view.outcome or "",
        )
    if case.status is CaseStatus.ESCALATED and case.escalated_at is not None:
        return _(
            "⏫ Escalated by {who} at {at}: an admin decides.",
            who=view.escalated_by or _("a former moderator"),
            at=when(case.escalated_at, view.timezone),
        )
    return _("⏳ Waiting for a moderator.")


def trigger_text(trigger: Trigger) -> str:
    """Why a case entered the queue."""
    if trigger is Trigger.MODERATOR:
        return _("flagged by a moderator")
    return _("quorum of members reached")


def queue_item(view: CaseView, config: ModerationConfig) -> tuple[str, tuple[Block, ...]]:
    case = view.case
    head = _("🚩 Flagged message — case #{id}", id=case.id)
    how = trigger_text(case.trigger or Trigger.QUORUM)
    flags = ngettext(
        "{n} flag (weight {weight}) — {how}",
        "{n} flags (weight {weight}) — {how}",
        case.flags,
        weight=number(case.weight),
        how=how,
    )
    pairs = [
        (_("Message"), view.link),
        (_("Author"), view.author),
        (_("Channel"), view.channel),
        (_("Flags"), flags),
        (_("Author's record"), view.record),
    ]
    found = reasons(config, view.flags)
    if found:
        pairs.append((_("Reasons"), "; ".join(found)))
    if case.rule:
        pairs.append((_("Rule broken"), rule_text(config, case.rule)))
    if case.hidden_at is not None:
        hidden = _("hidden from the channel pending review")
        if case.hidden_text:
            hidden += " — “" + neutral(case.hidden_text, limit=500) + "”"
        pairs.append((_("Hidden"), hidden))
    status = status_line(view)
    lines = [head, *(f"{k}: {v}" for k, v in pairs), status]
    blocks: list[Block] = [Section(head), Fields(tuple(pairs)), Context(status)]
    if case.actionable:
        blocks += _actions(case.id, config)
        lines.append(
            _("Admins decide escalated cases.") if case.status is CaseStatus.ESCALATED else ""
        )
    return "\n".join(line for line in lines if line), tuple(blocks)


def _actions(case_id: int, config: ModerationConfig) -> list[Block]:
    blocks: list[Block] = []
    if config.rules:
        blocks.append(
            Select(
                feature.action_id("rule", case_id),
                _("Rule broken…"),
                tuple(
                    Option(str(i), one_line(_("{number}. {rule}", number=i, rule=r), limit=75))
                    for i, r in enumerate(config.rule_texts(), start=1)
                ),
            )
        )

    def button(
        action: Decision | str, label: str, style: ButtonStyle = ButtonStyle.DEFAULT
    ) -> Button:
        return Button(feature.action_id("case", case_id, str(action)), label, style=style)

    blocks.append(
        Buttons(
            (
                button(Decision.DISMISS, _("Dismiss")),
                button(Decision.DELETE, _("Delete message"), ButtonStyle.DANGER),
                button(Decision.WARN, _("Warn"), ButtonStyle.PRIMARY),
                button(Decision.KICK, _("Kick"), ButtonStyle.DANGER),
                button(Decision.BAN, _("Ban"), ButtonStyle.DANGER),
                button("escalate", _("Escalate")),
            )
        )
    )
    blocks.append(
        Select(
            feature.action_id("timeout", case_id),
            _("Timeout for…"),
            tuple(Option(choice, span(duration)) for choice, duration in config.timeouts),
        )
    )
    return blocks


def unsupported(platform: str, action: str) -> str:
    """The sentence for an action the platform does not let bots do."""
    return _(
        "{platform} does not let bots {action}. Do it with {platform}'s own tools, or choose "
        "another action.",
        platform=platform_name(platform),
        action=action,
    )


def action_verb(decision: Decision) -> str:
    return {
        Decision.DELETE: _("delete members' messages"),
        Decision.TIMEOUT: _("time members out"),
        Decision.KICK: _("kick members"),
        Decision.BAN: _("ban members"),
    }.get(decision, decision.value)


def platform_name(platform: str) -> str:
    return {"discord": "Discord", "slack": "Slack", "console": _("the console")}.get(
        platform, platform
    )


# --- telling people ----------------------------------------------------------------


def sanction_dm(
    community: str,
    sanction: Sanction,
    config: ModerationConfig,
    *,
    next_step: LadderStep,
    link: str | None,
) -> str:
    lines = [
        _(
            "The moderators of {community} gave you {sanction}.",
            community=community,
            sanction=step_text(sanction_step(sanction)),
        )
    ]
    rule = config.rule(sanction.rule)
    if rule is not None:
        lines.append(_("Rule {number}: {rule}", number=sanction.rule, rule=rule))
    if sanction.note:
        lines.append(_("Note from the moderators: {note}", note=neutral(sanction.note, limit=500)))
    if link:
        lines.append(_("About this message: {link}", link=link))
    if sanction.expires_at is not None:
        lines.append(
            _(
                "This is strike {strike}; strikes count for {days} days. Another one would "
                "bring {next}.",
                strike=sanction.strike,
                days=config.sanction_expiry_days,
                next=step_text(next_step),
            )
        )
    if config.appeals:
        lines.append(_("If you think this is a mistake, tell the moderators with /appeal."))
    return "\n".join(lines)


def deleted_dm(community: str, channel: str, rule: str) -> str:
    text = _(
        "The moderators of {community} removed a message of yours in {channel}.",
        community=community,
        channel=channel,
    )
    if rule:
        text += " " + _("It broke {rule}.", rule=rule)
    return text + " " + _("Type /rules to see the community's rules.")


def flagger_dm(decision: Decision) -> str:
    if decision is Decision.DISMISS:
        return _(
            "The moderators reviewed a message you flagged and found no rule broken. "
            "Thanks for looking out for the community."
        )
    return _(
        "The moderators reviewed a message you flagged and took action. Thanks for helping "
        "keep the community a good place."
    )


def restored(author: str, text: str) -> str:
    return _(
        "Restored by the moderators — {author} wrote:\n{text}",
        author=author,
        text=neutral(text, limit=1800),
    )


# --- rules, sanctions, the log ----------------------------------------------------------


def rules_text(config: ModerationConfig, number: int | None = None) -> str:
    if number is not None:
        rule = config.rule(number)
        if rule is None:
            return ""
        return _("Rule {number}: {rule}", number=number, rule=rule)
    lines = [config.intro()]
    lines += [f"{i}. {r}" for i, r in enumerate(config.rule_texts(), start=1)]
    return "\n".join(lines)


def sanctions_text(
    who: str,
    sanctions: Sequence[Sanction],
    now: datetime,
    config: ModerationConfig,
    next_step: LadderStep,
    timezone: str,
) -> str:
    active = [s for s in sanctions if s.active(now)]
    lines = [
        ngettext(
            "{who}: {n} active strike. Next: {step}.",
            "{who}: {n} active strikes. Next: {step}.",
            len(active),
            who=who,
            step=step_text(next_step),
        )
    ]
    for s in sanctions[:20]:
        if s.revoked_at is not None:
            state = _("revoked")
        elif s.active(now):
            state = (
                _("counts until {at}", at=when(s.expires_at, timezone))
                if s.expires_at
                else _("counts for good")
            )
        else:
            state = _("expired")
        rule = rule_text(config, s.rule, limit=40)
        parts = [f"#{s.id}", when(s.issued_at, timezone), step_text(sanction_step(s)), state]
        if rule:
            parts.append(rule)
        if s.note:
            parts.append(f"“{one_line(s.note, limit=80)}”")
        lines.append("• " + " · ".join(parts))
    return "\n".join(lines)


_LOG_TEMPLATES = {
    LogKind.FLAG: N_("{actor} flagged a message by {subject}"),
    LogKind.WITHDRAW: N_("{actor} withdrew a flag"),
    LogKind.QUEUED: N_("a message by {subject} entered the queue"),
    LogKind.HIDDEN: N_("a message by {subject} was hidden pending review"),
    LogKind.DISMISS: N_("{actor} dismissed the flags on a message by {subject}"),
    LogKind.DELETE: N_("{actor} deleted a message by {subject}"),
    LogKind.ESCALATE: N_("{actor} escalated a case about {subject}"),
    LogKind.SANCTION: N_("{actor} sanctioned {subject}"),
    LogKind.EXPIRED: N_("a strike of {subject} expired"),
    LogKind.APPEAL: N_("{actor} appealed a sanction"),
    LogKind.REVOKED: N_("{actor} revoked a sanction of {subject} on appeal"),
    LogKind.UPHELD: N_("{actor} upheld a sanction of {subject} on appeal"),
}


def log_line(entry: LogEntry, names: dict[int, str], timezone: str, detail: str) -> str:
    """One audit-log entry as a line: when · what · detail (in words) · case."""
    forgotten = _("a forgotten member")
    actor = names.get(entry.actor, forgotten) if entry.actor else forgotten
    subject = names.get(entry.subject, forgotten) if entry.subject else _("an unknown member")
    what = _(_LOG_TEMPLATES[entry.kind], actor=actor, subject=subject)
    parts = [when(entry.at, timezone), what]
    if detail:
        parts.append(detail)
    if entry.case_id:
        parts.append(_("case #{id}", id=entry.case_id))
    return " · ".join(parts)


def appeal_item(
    appeal: Appeal,
    sanction: Sanction,
    who: str,
    config: ModerationConfig,
    timezone: str,
    decided_by: str | None,
) -> tuple[str, tuple[Block, ...]]:
    head = _("📨 Appeal #{id} from {who}", id=appeal.id, who=who)
    pairs = [
        (
            _("Sanction"),
            _(
                "{sanction} on {at}",
                sanction=step_text(sanction_step(sanction)),
                at=when(sanction.issued_at, timezone),
            ),
        ),
        (_("Appeal"), "“" + neutral(appeal.text, limit=1000) + "”"),
    ]
    rule = rule_text(config, sanction.rule)
    if rule:
        pairs.insert(1, (_("Rule"), rule))
    if appeal.decided_at is not None:
        outcome = _("revoked") if appeal.decision == "revoke" else _("upheld")
        status = _(
            "✅ {who} decided at {at}: sanction {outcome}.",
            who=decided_by or _("a former moderator"),
            at=when(appeal.decided_at, timezone),
            outcome=outcome,
        )
    else:
        status = _("⏳ Waiting for a moderator (not the one who gave the sanction).")
    lines = [head, *(f"{k}: {v}" for k, v in pairs), status]
    blocks: list[Block] = [Section(head), Fields(tuple(pairs)), Context(status)]
    if appeal.decided_at is None:
        blocks.append(
            Buttons(
                (
                    Button(
                        feature.action_id("appeal", appeal.id, "revoke"),
                        _("Revoke sanction"),
                        style=ButtonStyle.PRIMARY,
                    ),
                    Button(feature.action_id("appeal", appeal.id, "uphold"), _("Uphold")),
                )
            )
        )
    return "\n".join(lines), tuple(blocks)
