"""What events keep: the event, where it was posted, and each person's answer.

An event is posted in its own channel and, when that channel is bridged
(`[[bridges]]`), copied into the partner channel on the other platform. Every copy
shows the same answers, so the store remembers each of them to edit after a change.

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
class Post:
    """One message showing an event: its own post, or a copy in a bridged channel."""

    message: Ref
    channel: Ref


@dataclass(frozen=True, slots=True)
class Rsvp:
    event_id: int
    person_id: int
    member: Ref
    answer: Answer
    at: datetime


class EventStore(Protocol):
    async def create(self, new: NewEvent, at: datetime) -> Event: ...

    async def set_post(self, event_id: int, post: Ref) -> None:
        """The event's own post, in `Event.channel`."""
        ...

    async def add_copy(self, event_id: int, copy: Post) -> None:
        """A copy of the post in a bridged channel (adding one twice keeps one)."""
        ...

    async def posts(self, event_id: int) -> Sequence[Post]:
        """Every message showing the event: its own post first, then the copies."""
        ...

    async def get(self, event_id: int) -> Event | None: ...

    async def upcoming(
        self, platform: str | None, workspace: str | None, after: datetime, limit: int
    ) -> Sequence[Event]:
        """Events not cancelled that end after `after`, soonest first.

        An event counts for a platform and workspace when it was created there or a
        copy of it was posted there (a bridged channel).
        """
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
