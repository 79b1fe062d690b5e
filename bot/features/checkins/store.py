"""What check-ins keep, as the core sees it: frozen records and the repository protocol.

Storage implements `CheckinStore` in `storage/repositories/checkins.py`. Answers,
deliveries and memberships are keyed by person, so a member linked across Discord
and Slack answers once and is asked once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any, Protocol

from bot.model import Ref


class Delivery(StrEnum):
    DM = "dm"
    CHANNEL = "channel"


class Source(StrEnum):
    CONFIG = "config"
    COMMAND = "command"


class Stance(StrEnum):
    """A member's own choice about one check-in; NONE follows the audience rules."""

    NONE = ""
    JOINED = "in"
    LEFT = "out"


@dataclass(frozen=True, slots=True)
class Checkin:
    id: int
    name: str
    title: str
    questions: tuple[str, ...]
    schedule: str  # a cron line, read on each member's clock (or `timezone`'s)
    timezone: str | None  # None: each member's own zone
    delivery: Delivery
    channel: str | None  # "platform:workspace:id" from a command, or a channel name
    roles: frozenset[str]
    everyone: bool
    remind_after: timedelta | None
    summary_at: time | None
    source: Source
    # Onboarding segments whose members are asked too (any of roles, segments, everyone).
    segments: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Participant:
    """A person who could take part: the account to write to and what decides it."""

    person_id: int
    member: Ref
    name: str
    locale: str | None  # their own choice
    timezone: str | None
    roles: frozenset[str]
    platform_locale: str | None = None  # what their platform reports


@dataclass(frozen=True, slots=True)
class Membership:
    checkin_id: int
    person_id: int
    stance: Stance
    paused_until: datetime | None


@dataclass(frozen=True, slots=True)
class Run:
    """One occurrence of a check-in (`run_key` is its wall-clock time, `20260330T0900`)."""

    checkin_id: int
    run_key: str
    started_at: datetime
    summary_due: datetime | None
    post_channel: Ref | None  # delivery = "channel": the post answers are threaded under
    post_message: Ref | None
    summary_channel: Ref | None
    summary_message: Ref | None
    summarized_at: datetime | None


@dataclass(frozen=True, slots=True)
class NewDelivery:
    checkin_id: int
    run_key: str
    person_id: int
    member: Ref
    locale: str | None
    due_at: datetime  # the instant of the run in the member's zone (the group's key)
    batch: int  # seconds after `due_at` it goes, to keep within the rate limit


@dataclass(frozen=True, slots=True)
class Sent:
    """A delivery: who was (or is to be) asked, and what happened since."""

    id: int
    checkin_id: int
    run_key: str
    person_id: int
    member: Ref
    locale: str | None
    due_at: datetime
    batch: int
    sent_at: datetime | None
    reminded_at: datetime | None


@dataclass(frozen=True, slots=True)
class Response:
    checkin_id: int
    run_key: str
    person_id: int
    skipped: bool
    answers: tuple[str, ...]
    at: datetime


@dataclass(frozen=True, slots=True)
class Rate:
    """Deliveries sent in a window and how many of them were answered."""

    sent: int
    answered: int
    skipped: int


class CheckinStore(Protocol):
    # --- definitions -------------------------------------------------------------------

    async def create(self, checkin: Checkin, at: datetime) -> Checkin | None:
        """Store a new check-in (its `id` is ignored); None when the name is taken."""
        ...

    async def replace(self, checkin: Checkin) -> None:
        """Overwrite the definition of the check-in with this name (config sync)."""
        ...

    async def get(self, checkin_id: int) -> Checkin | None: ...

    async def by_name(self, name: str) -> Checkin | None: ...

    async def all(self) -> Sequence[Checkin]: ...

    async def delete(self, checkin_id: int) -> bool:
        """Delete it with its runs, deliveries, answers and memberships."""
        ...

    # --- people ------------------------------------------------------------------------

    async def participants(self) -> Sequence[Participant]:
        """Every present human, one account per person (the one seen last)."""
        ...

    async def onboarding_answers(
        self, answers: Sequence[tuple[str, str]], person_id: int | None = None
    ) -> dict[int, frozenset[tuple[str, str]]]:
        """Who gave which of these questionnaire answers (question id, option id).

        Read only: onboarding owns the answers; a segment audience only asks who gave
        them. `person_id` narrows it to one person.
        """
        ...

    async def memberships(self, checkin_id: int) -> dict[int, Membership]: ...

    async def memberships_of(self, person_id: int) -> dict[int, Membership]: ...

    async def set_stance(self, checkin_id: int, person_id: int, stance: Stance) -> None: ...

    async def set_paused(self, checkin_id: int, person_id: int, until: datetime | None) -> None: ...

    # --- runs and deliveries -----------------------------------------------------------

    async def start_run(
        self, checkin_id: int, run_key: str, at: datetime, summary_due: datetime | None
    ) -> bool:
        """Record a run's start; False when it had started already (another zone)."""
        ...

    async def run(self, checkin_id: int, run_key: str) -> Run | None: ...

    async def set_post(self, checkin_id: int, run_key: str, channel: Ref, message: Ref) -> None:
        """Remember a channel check-in's post for this run."""
        ...

    async def summarized(
        self, checkin_id: int, run_key: str, channel: Ref | None, message: Ref | None, at: datetime
    ) -> bool:
        """Mark the run summarized; False when it was already."""
        ...

    async def deliver(self, rows: Sequence[NewDelivery]) -> None:
        """Insert deliveries (one per person and run: a replayed one is ignored)."""
        ...

    async def batch(self, checkin_id: int, due_at: datetime, batch: int) -> Sequence[Sent]:
        """One batch of a run group's deliveries not sent yet."""
        ...

    async def batches(self, checkin_id: int, due_at: datetime) -> int:
        """How many batches a run group has."""
        ...

    async def mark_sent(self, ids: Sequence[int], at: datetime) -> None: ...

    async def to_remind(self, checkin_id: int, due_at: datetime, batch: int) -> Sequence[Sent]:
        """Deliveries of a group's batch sent but neither answered, skipped nor reminded."""
        ...

    async def mark_reminded(self, ids: Sequence[int], at: datetime) -> None: ...

    async def delivered(self, checkin_id: int, run_key: str) -> Sequence[Sent]: ...

    async def latest_delivery(self, checkin_id: int, person_id: int) -> Sent | None: ...

    # --- answers -----------------------------------------------------------------------

    async def respond(self, response: Response) -> None:
        """Store (or replace) a person's answer to, or skip of, one run."""
        ...

    async def response(self, checkin_id: int, run_key: str, person_id: int) -> Response | None: ...

    async def responses(self, checkin_id: int, run_key: str) -> Sequence[Response]: ...

    async def rate(self, start: datetime, end: datetime) -> Rate: ...

    # --- recurring posts and activity --------------------------------------------------

    async def claim_post(self, post: str, slot: datetime, at: datetime) -> bool:
        """Record that the post for this slot went out; False when it already had."""
        ...

    async def posted(self, post: str, slot: datetime) -> bool: ...

    async def set_post_message(self, post: str, slot: datetime, message: Ref) -> None: ...

    async def activity_hours(
        self, channel: Ref, since: datetime, until: datetime
    ) -> Sequence[tuple[datetime, int]]:
        """Posts in the channel per hour (UTC, start of the hour), from the activity log."""
        ...

    # --- personal data -----------------------------------------------------------------

    async def export(self, person_id: int) -> dict[str, Any]: ...

    async def forget(self, person_id: int) -> int:
        """Delete the person's answers, deliveries and memberships; rows deleted."""
        ...
