"""What question tracking keeps, and the repositories that keep it.

A question's title is stored (FAQ search and the lists need it; see the table's
comment); replies are stored as facts only — which message, who, when — so an answer
can be accepted by reacting to it. Everything is keyed by `person_id`, so linked
accounts count as one helper and a forgotten person can be anonymised.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from bot.features.questions.search import SearchTerm
from bot.model import MemberRecord, Ref


class State(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    SOLVED = "solved"
    CLOSED = "closed"

    @property
    def unsolved(self) -> bool:
        return self in (State.OPEN, State.ANSWERED)


class CloseReason(StrEnum):
    DUPLICATE = "duplicate"
    OFF_TOPIC = "off-topic"
    STALE = "stale"


class Source(StrEnum):
    """How the question was opened: /ask, the question emoji, or a help channel."""

    COMMAND = "command"
    EMOJI = "emoji"
    CHANNEL = "channel"


@dataclass(frozen=True, slots=True)
class NewQuestion:
    channel: Ref
    asker: Ref
    asker_person_id: int
    title: str
    topic: str | None
    source: Source
    created_at: datetime
    message: Ref | None = None
    locale: str | None = None


@dataclass(frozen=True, slots=True)
class Question:
    id: int
    channel: Ref
    message: Ref | None
    thread: Ref | None
    asker: Ref | None
    asker_person_id: int | None
    title: str
    topic: str | None
    source: Source
    state: State
    created_at: datetime
    last_activity_at: datetime
    first_response_at: datetime | None
    solved_at: datetime | None
    closed_at: datetime | None
    close_reason: CloseReason | None
    duplicate_of: int | None
    answerer: Ref | None
    answerer_person_id: int | None
    accepted_by_person_id: int | None
    escalation: int
    locale: str | None

    @property
    def platform(self) -> str:
        return self.channel.platform

    def asked_by(self, person_id: int) -> bool:
        return self.asker_person_id is not None and self.asker_person_id == person_id


@dataclass(frozen=True, slots=True)
class Reply:
    """A message in a question's thread: who wrote it, where, when (never what)."""

    message: Ref
    question_id: int
    person_id: int
    account: Ref
    at: datetime


@dataclass(frozen=True, slots=True)
class Solution:
    """Who solved a question: the answer's author (None when the asker solved it alone)."""

    accepted_by_person_id: int
    answerer: Ref | None = None
    answerer_person_id: int | None = None
    answer_message: Ref | None = None


@dataclass(frozen=True, slots=True)
class Draft:
    """A question waiting for "post anyway" after FAQ suggestions were shown."""

    id: int
    person_id: int
    asker: Ref
    channel: Ref
    title: str
    topic: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class QuestionFacts:
    """The timestamps statistics need, without titles or people."""

    topic: str | None
    state: State
    created_at: datetime
    first_response_at: datetime | None
    solved_at: datetime | None


@dataclass(frozen=True, slots=True)
class FaqCandidate:
    """A solved question the full-text index found; ranked again by the service."""

    question_id: int
    title: str
    message: Ref | None
    thread: Ref | None
    channel: Ref


class Listing(StrEnum):
    UNSOLVED = "open"
    UNANSWERED = "unanswered"
    MINE = "mine"
    TOPIC = "topic"


class Questions(Protocol):
    async def create(self, new: NewQuestion) -> Question: ...

    async def get(self, question_id: int) -> Question | None: ...

    async def at_place(self, refs: Sequence[Ref]) -> Question | None:
        """The question whose thread or root message is one of `refs`."""
        ...

    async def set_post(self, question_id: int, message: Ref | None, thread: Ref | None) -> None: ...

    async def answered(self, question_id: int, at: datetime) -> bool:
        """open → answered, once (False when it was not open)."""
        ...

    async def touch(self, question_id: int, at: datetime) -> None: ...

    async def solve(self, question_id: int, at: datetime, solution: Solution) -> bool:
        """open/answered → solved; False when it was neither (a double click)."""
        ...

    async def close(
        self,
        question_id: int,
        at: datetime,
        reason: CloseReason,
        by_person_id: int | None,
        duplicate_of: int | None = None,
    ) -> bool: ...

    async def reopen(self, question_id: int, at: datetime) -> State | None:
        """solved/closed → answered (or open if never answered); the new state or None."""
        ...

    async def escalate(self, question_id: int, level: int) -> bool:
        """Raise the escalation level; False when it was already there (fires once)."""
        ...

    async def listing(
        self,
        kind: Listing,
        *,
        person_id: int | None = None,
        topic: str | None = None,
        limit: int = 20,
    ) -> list[Question]: ...

    async def facts(
        self, since: datetime, until: datetime, platform: str | None = None
    ) -> list[QuestionFacts]: ...

    async def unanswered_now(self, platform: str | None = None) -> int: ...

    async def of_person(self, person_id: int) -> list[Question]: ...

    async def anonymize(self, person_id: int) -> list[int]:
        """Erase the person from every question (titles they asked included); the ids."""
        ...


class Replies(Protocol):
    async def add(self, reply: Reply) -> bool:
        """Record a reply; True when its author had not replied to this question before."""
        ...

    async def get(self, message: Ref) -> Reply | None: ...

    async def latest(self, question_id: int, excluding_person: int | None) -> Reply | None: ...

    async def count_by(self, person_id: int) -> int: ...


class Helpers(Protocol):
    """Volunteers (`/helper on`) and members whose roles make them helpers."""

    async def volunteer(self, person_id: int, topics: Sequence[str], at: datetime) -> None: ...

    async def retire(self, person_id: int, topics: Sequence[str]) -> int:
        """Stop volunteering for `topics` (all when empty); rows removed."""
        ...

    async def topics_of(self, person_id: int) -> list[str]:
        """The person's volunteer topics ("" means every topic)."""
        ...

    async def volunteers(self, topic: str | None) -> list[int]: ...

    async def members_with(
        self, roles: Sequence[str], names: Sequence[str], platforms: Sequence[str]
    ) -> list[MemberRecord]:
        """Active human accounts on `platforms` having any role or name (case-insensitive)."""
        ...


class Drafts(Protocol):
    async def save(
        self,
        person_id: int,
        asker: Ref,
        channel: Ref,
        title: str,
        topic: str | None,
        at: datetime,
    ) -> int: ...

    async def take(self, draft_id: int, person_id: int) -> Draft | None:
        """Remove and return the person's draft (a second click finds nothing)."""
        ...

    async def prune(self, before: datetime) -> int: ...


class Faq(Protocol):
    """The full-text index of solved questions, and the record of questions it deflected."""

    async def index(self, question_id: int, terms: Sequence[str]) -> None: ...

    async def unindex(self, question_ids: Sequence[int]) -> None: ...

    async def candidates(
        self, terms: Sequence[SearchTerm], needed: int, limit: int
    ) -> list[FaqCandidate]:
        """Solved questions matching as many of `terms` as any does (at least `needed`).

        A term matches its word exactly or its stem as a prefix. Only the best tier is
        returned (all terms, else all but one, …): a title sharing every word always
        outranks one sharing fewer, and matching fewer is what makes a search slow.
        """
        ...

    async def deflected(self, at: datetime, platform: str, topic: str | None) -> None: ...

    async def deflections(self, since: datetime, until: datetime, platform: str | None) -> int: ...
