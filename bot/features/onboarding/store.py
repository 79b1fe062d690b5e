"""What onboarding keeps, and the repositories that keep it.

Everything is keyed by `person_id`, so a member on Discord and Slack agrees to the
rules once, answers once and has one mentor. Accounts (`Ref`) are kept only to know
where to talk to the person. Free-text answers are the one piece of member-typed
text stored (the questionnaire exists to collect them); they are erased on forget.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from bot.model import Ref

if TYPE_CHECKING:
    from bot.context import Context


class Progress(StrEnum):
    """Where a newcomer is in the questionnaire."""

    PENDING = "pending"
    ASKING = "asking"
    DONE = "done"
    SKIPPED = "skipped"

    @property
    def finished(self) -> bool:
        return self in (Progress.DONE, Progress.SKIPPED)


class MentorState(StrEnum):
    NONE = "none"
    WAITING = "waiting"  # nobody was free: paired as soon as a mentor volunteers
    PAIRED = "paired"  # has (or had) a mentor


@dataclass(frozen=True, slots=True)
class Newcomer:
    """A person who joined while onboarding was on, and how far they got."""

    person_id: int
    account: Ref
    joined_at: datetime
    gated: bool
    agreed_at: datetime | None
    progress: Progress
    mentor: MentorState
    left_at: datetime | None

    @property
    def present(self) -> bool:
        return self.left_at is None

    @property
    def must_agree(self) -> bool:
        """Still held by the rules gate (whether the gate is on now is the config's say)."""
        return self.gated and self.agreed_at is None and self.left_at is None


class PairingStatus(StrEnum):
    ACTIVE = "active"
    MET = "met"  # they talked (seen in the activity log, or they said so)
    ENDED = "ended"  # the mentor stepped down or left; the newcomer was handed on
    NO_CONTACT = "no_contact"  # never talked despite nudges; re-paired
    CLOSED = "closed"  # the newcomer left


@dataclass(frozen=True, slots=True)
class Pairing:
    id: int
    newcomer_person_id: int
    mentor_person_id: int
    newcomer: Ref
    mentor: Ref
    topic: str | None
    status: PairingStatus
    paired_at: datetime
    ended_at: datetime | None
    nudges: int
    thread: Ref | None


@dataclass(frozen=True, slots=True)
class Volunteer:
    """A mentor on duty; no topics means any topic."""

    person_id: int
    topics: tuple[str, ...]
    since: datetime


@dataclass(frozen=True, slots=True)
class Load:
    active: int
    total: int


@dataclass(frozen=True, slots=True)
class Funnel:
    """Newcomers who joined in a window, and how many got how far."""

    joined: int
    gated: int
    agreed: int
    answered: int
    skipped: int
    paired: int
    met: int


class Newcomers(Protocol):
    async def arrive(self, person_id: int, account: Ref, at: datetime, gated: bool) -> Newcomer:
        """Record a join; a returning person keeps their agreement and answers."""
        ...

    async def get(self, person_id: int) -> Newcomer | None: ...

    async def agree(self, person_id: int, at: datetime) -> bool:
        """Record the agreement once (False when already agreed or unknown)."""
        ...

    async def set_progress(self, person_id: int, progress: Progress) -> None: ...

    async def set_mentor(self, person_id: int, state: MentorState) -> None: ...

    async def leave(self, person_id: int, at: datetime) -> bool:
        """Close the newcomer's onboarding (False when there was none open)."""
        ...

    async def waiting(self) -> list[Newcomer]:
        """Present newcomers waiting for a mentor, longest waiting first."""
        ...

    async def funnel(self, start: datetime, end: datetime, platform: str | None) -> Funnel: ...


class AnswerStore(Protocol):
    async def put(
        self, person_id: int, question_id: str, values: Sequence[str], at: datetime
    ) -> None:
        """Replace the person's answer to one question (no values: forget the answer)."""
        ...

    async def of(self, person_id: int) -> dict[str, list[str]]:
        """question id → values, in the order given."""
        ...

    async def counts(self, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """Present members per (question, value), for the pairs asked about."""
        ...

    async def count_any(self, pairs: Sequence[tuple[str, str]]) -> int:
        """Present members whose answers include any of the pairs (a named segment)."""
        ...

    async def respondents(self) -> int:
        """Present members who answered at least one question."""
        ...


class Mentors(Protocol):
    async def volunteer(self, person_id: int, topics: Sequence[str], at: datetime) -> None:
        """Go on duty for `topics` ("" = any topic); topics add up."""
        ...

    async def retire(self, person_id: int, topics: Sequence[str]) -> int:
        """Stop mentoring `topics` (all when empty); rows removed."""
        ...

    async def get(self, person_id: int) -> Volunteer | None: ...

    async def on_duty(self) -> list[Volunteer]: ...


class Pairings(Protocol):
    async def create(
        self,
        newcomer_person_id: int,
        mentor_person_id: int,
        newcomer: Ref,
        mentor: Ref,
        topic: str | None,
        at: datetime,
    ) -> Pairing: ...

    async def get(self, pairing_id: int) -> Pairing | None: ...

    async def set_thread(self, pairing_id: int, thread: Ref) -> None: ...

    async def active_of_newcomer(self, person_id: int) -> Pairing | None: ...

    async def active_of_mentor(self, person_id: int) -> list[Pairing]: ...

    async def past_mentors(self, newcomer_person_id: int) -> set[int]: ...

    async def loads(self) -> dict[int, Load]:
        """Mentor person id → pairings now and ever."""
        ...

    async def finish(self, pairing_id: int, status: PairingStatus, at: datetime) -> bool:
        """active → `status`, once (False when it was no longer active)."""
        ...

    async def nudged(self, pairing_id: int) -> int:
        """Count one more nudge; returns the new count."""
        ...

    async def of_person(self, person_id: int) -> list[Pairing]:
        """Every pairing the person was in, either side (export)."""
        ...


# --- repositories of the current unit of work ---------------------------------------


def newcomers(ctx: Context) -> Newcomers:
    return ctx.repo(Newcomers)  # type: ignore[type-abstract]


def answer_store(ctx: Context) -> AnswerStore:
    return ctx.repo(AnswerStore)  # type: ignore[type-abstract]


def mentors(ctx: Context) -> Mentors:
    return ctx.repo(Mentors)  # type: ignore[type-abstract]


def pairings(ctx: Context) -> Pairings:
    return ctx.repo(Pairings)  # type: ignore[type-abstract]
