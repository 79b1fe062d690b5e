"""Audit-log details: facts stored in one fixed form, read back in the reader's language.

An entry's detail holds facts, never prose: `timeout 1h strike 2 rule 3`, `weight 0.5
(new)`, `rule 3`, `quorum`. The CSV export hands that form on unchanged (it is data);
/modlog writes it for the moderator reading it. A detail in any other form (written by
an older release) is shown as stored rather than guessed at.
"""

from __future__ import annotations

import re
from datetime import timedelta

from bot.args import ArgError, parse_duration
from bot.features.moderation.config import LadderStep, SanctionKind
from bot.features.moderation.render import step_text, trigger_text
from bot.features.moderation.store import Sanction, Trigger
from bot.features.moderation.trust import Standing, Weighing
from bot.formatting import number
from bot.i18n import N_, _

_SANCTION = re.compile(
    r"^(?P<kind>warn|timeout|kick|ban)(?: (?P<duration>\d+[wdhms]))?"
    r"(?: strike (?P<strike>\d+))?(?: rule (?P<rule>\d+))?(?P<skipped> not carried out)?$"
)
_FLAG = re.compile(r"^weight (?P<weight>\d+(?:\.\d+)?) \((?P<standing>\w+)\)$")
_RULE = re.compile(r"^rule (?P<rule>\d+)$")

_STANDINGS = {
    Standing.MODERATOR: N_("a moderator's flag"),
    Standing.NEW: N_("a new member's flag"),
    Standing.REGULAR: N_("a regular member's flag"),
    Standing.VETERAN: N_("a long-standing member's flag"),
    Standing.FLAG_SPAM: N_("most of their flags were dismissed"),
    Standing.COOLDOWN: N_("flagging paused after dismissed flags"),
    Standing.RATE_LIMITED: N_("too many flags in an hour"),
}


# --- writing (stored form) ------------------------------------------------------------


def of_sanction(sanction: Sanction) -> str:
    """`timeout 1h strike 2 rule 3 not carried out`."""
    parts = [sanction.kind]
    if sanction.duration:
        parts.append(_short(sanction.duration))
    parts.append(f"strike {sanction.strike}")
    if sanction.rule:
        parts.append(f"rule {sanction.rule}")
    if not sanction.carried_out:
        parts.append("not carried out")
    return " ".join(parts)


def of_flag(weighing: Weighing) -> str:
    """`weight 0.5 (new)`."""
    return f"weight {weighing.weight:g} ({weighing.standing.value})"  # stored, not shown


def of_rule(rule: int | None) -> str:
    return f"rule {rule}" if rule else ""


def _short(duration: timedelta) -> str:
    seconds = int(duration.total_seconds())
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


# --- reading (the moderator's language) -------------------------------------------------


def shown(detail: str) -> str:
    """The stored detail in the current language (as stored when its form is unknown)."""
    if not detail:
        return ""
    if detail in (Trigger.MODERATOR, Trigger.QUORUM):
        return trigger_text(Trigger(detail))
    if found := _RULE.match(detail):
        return _("rule {number}", number=found["rule"])
    if found := _FLAG.match(detail):
        return _(
            "weight {weight} ({standing})",
            weight=number(float(found["weight"])),
            standing=_standing(found["standing"]),
        )
    if found := _SANCTION.match(detail):
        return _sanction(found) or detail
    return detail


def _standing(value: str) -> str:
    known = {s.value: s for s in Standing}
    return _(_STANDINGS[known[value]]) if value in known else value


def _sanction(found: re.Match[str]) -> str | None:
    try:
        duration = parse_duration(found["duration"]) if found["duration"] else None
    except ArgError:
        return None
    parts = [step_text(LadderStep(SanctionKind(found["kind"]), duration))]
    if found["strike"]:
        parts.append(_("strike {number}", number=found["strike"]))
    if found["rule"]:
        parts.append(_("rule {number}", number=found["rule"]))
    if found["skipped"]:
        parts.append(_("not carried out on the platform"))
    return ", ".join(parts)
