"""What moderation keeps: cases (flagged messages), flags, sanctions, appeals, the audit log.

Repositories return these frozen dataclasses, never rows. A case stands for one
flagged message and holds its running totals (count and weighted sum of flags), so
the quorum check is one atomic update however many members flag at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from bot.model import Ref


class CaseStatus(StrEnum):
    COLLECTING = "collecting"  # flags below the quorum: not in the queue yet
    OPEN = "open"  # in the queue, waiting for a moderator
    ESCALATED = "escalated"  # handed to the admins
    DECIDED = "decided"  # someone decided; nobody acts again


class Decision(StrEnum):
    DISMISS = "dismiss"
    DELETE = "delete"
    WARN = "warn"
    TIMEOUT = "timeout"
    KICK = "kick"
    BAN = "ban"

    @property
    def confirms(self) -> bool:
        """Whether the decision agrees with the flaggers (the message broke a rule)."""
        return self is not Decision.DISMISS


class Trigger(StrEnum):
    MODERATOR = "moderator"
    QUORUM = "quorum"


@dataclass(frozen=True, slots=True)
class Case:
    id: int
    message: Ref
    channel: Ref
    author: Ref | None
    author_person_id: int | None
    created_at: datetime
    flags: int
    weight: float
    status: CaseStatus
    trigger: Trigger | None
    queued_at: datetime | None
    queue_message: Ref | None
    decision: Decision | None
    decided_at: datetime | None
    decided_by: int | None
    escalated_at: datetime | None
    escalated_by: int | None
    rule: int | None
    hidden_at: datetime | None
    hidden_text: str | None

    @property
    def actionable(self) -> bool:
        return self.status in (CaseStatus.OPEN, CaseStatus.ESCALATED)


@dataclass(frozen=True, slots=True)
class Flag:
    id: int
    case_id: int
    person_id: int | None
    flagged_at: datetime
    weight: float
    moderator: bool
    withdrawn_at: datetime | None
    rule: int | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class FlaggerRecord:
    """How a member's past flags fared with the moderators."""

    reviewed: int
    dismissed: int

    @property
    def dismissed_share(self) -> float:
        return self.dismissed / self.reviewed if self.reviewed else 0.0


@dataclass(frozen=True, slots=True)
class Sanction:
    id: int
    person_id: int | None
    platform: str
    workspace: str
    kind: str
    duration: timedelta | None
    strike: int
    rule: int | None
    note: str
    case_id: int | None
    issued_at: datetime
    expires_at: datetime | None
    issued_by: int | None
    carried_out: bool
    revoked_at: datetime | None
    revoked_by: int | None

    def active(self, now: datetime) -> bool:
        """Counts toward the ladder: neither revoked nor expired."""
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > now


@dataclass(frozen=True, slots=True)
class NewSanction:
    person_id: int
    platform: str
    workspace: str
    kind: str
    duration: timedelta | None
    strike: int
    rule: int | None
    note: str
    case_id: int | None
    issued_at: datetime
    expires_at: datetime | None
    issued_by: int | None
    carried_out: bool


@dataclass(frozen=True, slots=True)
class Appeal:
    id: int
    sanction_id: int
    person_id: int | None
    text: str
    created_at: datetime
    queue_message: Ref | None
    decided_at: datetime | None
    decision: str | None
    decided_by: int | None


class LogKind(StrEnum):
    FLAG = "flag"
    WITHDRAW = "withdraw"
    QUEUED = "queued"
    HIDDEN = "hidden"
    DISMISS = "dismiss"
    DELETE = "delete"
    ESCALATE = "escalate"
    SANCTION = "sanction"
    EXPIRED = "expired"
    APPEAL = "appeal"
    REVOKED = "revoked"
    UPHELD = "upheld"


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One audit-log line. `detail` holds facts (a duration, a rule number), never prose."""

    at: datetime
    platform: str
    workspace: str
    kind: LogKind
    case_id: int | None = None
    sanction_id: int | None = None
    actor: int | None = None
    subject: int | None = None
    detail: str = ""
    id: int = 0


@dataclass(frozen=True, slots=True)
class FlagFact:
    """A flag and what became of its case (stats)."""

    person_id: int | None
    flagged_at: datetime
    moderator: bool
    withdrawn: bool
    decision: Decision | None


@dataclass(frozen=True, slots=True)
class CaseFact:
    """A queued case's timeline (stats)."""

    trigger: Trigger | None
    queued_at: datetime
    decided_at: datetime | None
    decision: Decision | None


@dataclass(frozen=True, slots=True)
class FlaggerScore:
    person_id: int
    reviewed: int
    confirmed: int

    @property
    def accuracy(self) -> float:
        return self.confirmed / self.reviewed if self.reviewed else 0.0


class Cases(Protocol):
    async def open(
        self,
        message: Ref,
        channel: Ref,
        author: Ref | None,
        author_person_id: int | None,
        at: datetime,
    ) -> Case:
        """The case of `message`, created on its first flag (one per message, ever)."""
        ...

    async def get(self, case_id: int) -> Case | None: ...

    async def by_message(self, message: Ref) -> Case | None: ...

    async def add_flag(self, case_id: int, count: int, weight: float) -> Case:
        """Atomically add to the running totals; returns the case as it now stands."""
        ...

    async def queue(self, case_id: int, trigger: Trigger, at: datetime) -> bool:
        """Move a collecting case into the queue; False when it is there already."""
        ...

    async def set_queue_message(self, case_id: int, message: Ref) -> None: ...

    async def decide(self, case_id: int, decision: Decision, by: int, at: datetime) -> bool:
        """Record the decision unless someone decided first (False then)."""
        ...

    async def escalate(self, case_id: int, by: int, at: datetime) -> bool: ...

    async def set_rule(self, case_id: int, rule: int | None) -> None: ...

    async def hide(self, case_id: int, text: str, at: datetime) -> None: ...

    async def forget_hidden_text(self, case_id: int) -> None: ...

    async def waiting(self, platform: str, workspace: str, limit: int) -> list[Case]:
        """Cases in the queue (open or escalated), oldest first."""
        ...


class Flags(Protocol):
    async def add(
        self, case_id: int, person_id: int, at: datetime, weight: float, moderator: bool
    ) -> Flag | None:
        """Record the member's flag; None when they had flagged this message already.

        A flag withdrawn earlier comes back (with the new weight) instead.
        """
        ...

    async def of(self, case_id: int, person_id: int) -> Flag | None: ...

    async def withdraw(self, flag_id: int, at: datetime) -> bool: ...

    async def set_reason(self, flag_id: int, rule: int | None, reason: str | None) -> None: ...

    async def for_case(self, case_id: int) -> list[Flag]: ...

    async def since(self, person_id: int, since: datetime) -> int:
        """How many flags the person raised since then (every one, counted or not)."""
        ...

    async def last_counted(self, person_id: int) -> datetime | None:
        """When the person last raised a flag that carried weight."""
        ...

    async def record(self, person_id: int) -> FlaggerRecord: ...

    async def scores(self, since: datetime, platform: str | None) -> list[FlaggerScore]:
        """Reviewed and confirmed flags per flagger, for flags raised since then."""
        ...


class Sanctions(Protocol):
    async def add(self, new: NewSanction) -> Sanction: ...

    async def get(self, sanction_id: int) -> Sanction | None: ...

    async def of(self, person_id: int) -> list[Sanction]:
        """The person's sanctions, newest first."""
        ...

    async def revoke(self, sanction_id: int, by: int, at: datetime) -> bool: ...


class Appeals(Protocol):
    async def add(self, sanction_id: int, person_id: int, text: str, at: datetime) -> Appeal | None:
        """File an appeal; None when this sanction was appealed already."""
        ...

    async def get(self, appeal_id: int) -> Appeal | None: ...

    async def set_queue_message(self, appeal_id: int, message: Ref) -> None: ...

    async def decide(self, appeal_id: int, decision: str, by: int, at: datetime) -> bool: ...


class ModLog(Protocol):
    async def write(self, entries: Sequence[LogEntry]) -> None: ...

    async def recent(self, limit: int, person_id: int | None = None) -> list[LogEntry]:
        """Newest first; with `person_id`, entries where they acted or were concerned."""
        ...

    async def between(self, start: datetime | None, end: datetime | None) -> list[LogEntry]:
        """Oldest first (exports)."""
        ...


class ModerationStats(Protocol):
    async def flags(
        self, start: datetime, end: datetime, platform: str | None
    ) -> list[FlagFact]: ...

    async def cases(self, start: datetime, end: datetime, platform: str | None) -> list[CaseFact]:
        """Cases queued in the window."""
        ...

    async def sanctions(self, start: datetime, end: datetime, platform: str | None) -> int: ...


class ModerationPeople(Protocol):
    """GDPR: what moderation holds about one person, and anonymizing it."""

    async def forget(self, person_id: int) -> list[int]:
        """Keep every count and decision; drop the person from flags, cases, log, sanctions.

        Returns the cases whose queue item showed the person's words (a reason, a hidden
        message), so the item can be redrawn without them.
        """
        ...

    async def export(self, person_id: int) -> dict[str, Any]: ...
