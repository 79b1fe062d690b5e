"""What events keep: the event, where it was posted, and each person's answer.

An answer belongs to a person (linked accounts answer once) and remembers the
account that gave it, which is where reminders go. Waitlisted answers are ordered
by when they were given: the first in line is promoted when a seat frees up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from bot.model import Ref


class Answer(StrEnum):
    GOING = "going"
    MAYBE = "maybe"
    NO = "no"
    WAITLIST = "waitlist"


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    title: str
    channel: Ref
    creator_person_id: int | None
    starts_at: datetime
    timezone: str
    duration: timedelta
    capacity: int | None
    recurrence: str | None
    created_at: datetime
    post: Ref | None = None
    cancelled_at: datetime | None = None

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + self.duration

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None


@dataclass(frozen=True, slots=True)
class NewEvent:
    title: str
    channel: Ref
    creator_person_id: int | None
    starts_at: datetime
    timezone: str
    duration: timedelta
    capacity: int | None
    recurrence: str | None


@dataclass(frozen=True, slots=True)
class Rsvp:
    event_id: int
    person_id: int
    member: Ref
    answer: Answer
    at: datetime


class EventStore(Protocol):
    async def create(self, new: NewEvent, at: datetime) -> Event: ...

    async def set_post(self, event_id: int, post: Ref) -> None: ...

    async def get(self, event_id: int) -> Event | None: ...

    async def upcoming(
        self, platform: str | None, workspace: str | None, after: datetime, limit: int
    ) -> Sequence[Event]:
        """Events not cancelled that end after `after`, soonest first."""
        ...

    async def everything(self) -> Sequence[Event]:
        """Every event, by start (the calendar export)."""
        ...

    async def cancel(self, event_id: int, at: datetime) -> None: ...

    async def rsvps(self, event_id: int) -> Sequence[Rsvp]:
        """Answers in the order they were given (the waitlist's order)."""
        ...

    async def answer(
        self, event_id: int, person_id: int, member: Ref, answer: Answer, at: datetime
    ) -> None:
        """Set the person's answer (a new `at` puts them at the end of a waitlist)."""
        ...

    async def release_person(self, person_id: int) -> None: ...

    async def of_person(self, person_id: int) -> Sequence[tuple[Event, Rsvp]]: ...

    async def created_by(self, person_id: int) -> Sequence[Event]: ...

    async def counts(
        self, start: datetime, end: datetime, platform: str | None
    ) -> tuple[int, int, int]:
        """(events held, answers given, people going to the held events) in [start, end)."""
        ...
