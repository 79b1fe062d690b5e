"""Self-moderation statistics (the seeds' metric), pure so they can be checked by hand.

- Flags raised: every flag in the window, moderators' included; "member flags" are
  the community's own share of the work.
- Confirmed share: of the cases queued in the window and decided, those where the
  moderators acted (anything but "dismiss").
- Median time to decision: from entering the queue to the decision.
- False-flag rate: of members' (not withdrawn) flags whose case was decided, the
  share dismissed.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from bot.features.moderation.store import CaseFact, Decision, FlagFact, FlaggerScore, Trigger
from bot.i18n import _
from bot.stats import Figure, as_minutes, as_percent


@dataclass(frozen=True, slots=True)
class Summary:
    flags: int
    member_flags: int
    flaggers: int
    queued: int
    queued_by_members: int
    decided: int
    confirmed_share: float | None
    decision_median: timedelta | None
    false_flag_rate: float | None
    sanctions: int


def summarize(flags: Sequence[FlagFact], cases: Sequence[CaseFact], sanctions: int) -> Summary:
    members = [f for f in flags if not f.moderator and not f.withdrawn]
    reviewed = [f for f in members if f.decision is not None]
    decided = [c for c in cases if c.decision is not None and c.decided_at is not None]
    waits = [c.decided_at - c.queued_at for c in decided if c.decided_at is not None]
    confirmed = [c for c in decided if c.decision is not Decision.DISMISS]
    dismissed = [f for f in reviewed if f.decision is Decision.DISMISS]
    return Summary(
        flags=len(flags),
        member_flags=len(members),
        flaggers=len({f.person_id for f in members if f.person_id is not None}),
        queued=len(cases),
        queued_by_members=sum(1 for c in cases if c.trigger is Trigger.QUORUM),
        decided=len(decided),
        confirmed_share=len(confirmed) / len(decided) if decided else None,
        decision_median=(
            timedelta(seconds=statistics.median(w.total_seconds() for w in waits))
            if waits
            else None
        ),
        false_flag_rate=len(dismissed) / len(reviewed) if reviewed else None,
        sanctions=sanctions,
    )


def figures(summary: Summary) -> list[Figure]:
    group = _("Moderation")
    return [
        Figure("moderation_flags", _("Flags raised"), summary.flags, group=group),
        Figure(
            "moderation_member_flags",
            _("Flags raised by members"),
            summary.member_flags,
            group=group,
        ),
        Figure("moderation_flaggers", _("Members who flagged"), summary.flaggers, group=group),
        Figure("moderation_queued", _("Messages sent to moderators"), summary.queued, group=group),
        Figure(
            "moderation_queued_by_members",
            _("Messages sent by a quorum of members"),
            summary.queued_by_members,
            group=group,
        ),
        Figure("moderation_decided", _("Cases decided"), summary.decided, group=group),
        Figure(
            "moderation_confirmed_share",
            _("Flagged messages confirmed by moderators"),
            as_percent(summary.confirmed_share),
            unit="%",
            group=group,
        ),
        Figure(
            "moderation_decision_median_minutes",
            _("Median time to decision"),
            as_minutes(summary.decision_median),
            unit="min",
            group=group,
        ),
        Figure(
            "moderation_false_flag_rate",
            _("Member flags dismissed"),
            as_percent(summary.false_flag_rate),
            unit="%",
            group=group,
        ),
        Figure("moderation_sanctions", _("Sanctions given"), summary.sanctions, group=group),
    ]


def ranked(
    scores: Sequence[FlaggerScore], min_reviewed: int, count: int
) -> tuple[list[FlaggerScore], list[FlaggerScore]]:
    """(most accurate flaggers, flaggers with the most dismissed flags), each `count` long.

    Only members with at least `min_reviewed` reviewed flags are ranked: one lucky or
    unlucky flag says nothing about anyone.
    """
    judged = [s for s in scores if s.reviewed >= min_reviewed]
    accurate = sorted(judged, key=lambda s: (-s.accuracy, -s.reviewed, s.person_id))
    false = sorted(
        (s for s in judged if s.confirmed < s.reviewed),
        key=lambda s: (s.accuracy, -s.reviewed, s.person_id),
    )
    return accurate[:count], false[:count]
