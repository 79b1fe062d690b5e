"""What the polls feature keeps, as the core sees it: protocols and frozen records.

Storage implements these in `storage/repositories/polls.py`. Votes are keyed by
`Voter`: a person id on an open ballot, or an unlinkable token on an anonymous one
(see `anonymity.py` for why the two never share a table).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from bot.model import Ref


class PollKind(StrEnum):
    POLL = "poll"
    QUIZ = "quiz"


class PostKind(StrEnum):
    """What a tracked message shows (so votes can refresh every copy of it)."""

    POLL = "poll"
    IDEA = "idea"


@dataclass(frozen=True, slots=True)
class PollSpec:
    """What is asked: the same for a one-off poll and for a recurring schedule."""

    kind: PollKind
    question: str
    options: tuple[str, ...]
    multi: bool = False
    anonymous: bool = False
    hidden: bool = False
    correct: int | None = None  # quizzes: index of the right option


@dataclass(frozen=True, slots=True)
class Poll:
    id: int
    spec: PollSpec
    channel: Ref
    creator: int | None
    created_at: datetime
    closes_at: datetime | None
    closed_at: datetime | None
    secret: str | None  # anonymous polls while open; discarded at close
    schedule_id: int | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True, slots=True)
class Tally:
    """Votes per option (in option order) and how many distinct voters cast them."""

    counts: tuple[int, ...]
    voters: int

    @property
    def votes(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True, slots=True)
class Voter:
    """Who votes, as stored: a person (open ballot) or an HMAC token (anonymous ballot)."""

    person_id: int | None = None
    token: str | None = None


@dataclass(frozen=True, slots=True)
class Post:
    """One message showing a poll or idea (several when the channel is bridged)."""

    message: Ref
    channel: Ref


@dataclass(frozen=True, slots=True)
class Participation:
    """Polls in a time window, for community metrics."""

    polls: int
    # Votes summed over the polls (a member counts once per poll; anonymous ones too).
    responses: int
    # Distinct members who voted in a named poll (anonymous ballots know no member).
    members: int


class PollStore(Protocol):
    async def create(
        self,
        spec: PollSpec,
        channel: Ref,
        *,
        creator: int | None,
        at: datetime,
        closes_at: datetime | None,
        secret: str | None,
        schedule_id: int | None = None,
    ) -> Poll: ...

    async def get(self, poll_id: int) -> Poll | None: ...

    async def toggle(self, poll_id: int, voter: Voter, option: int, *, multi: bool) -> bool:
        """Add or take back one choice; True when `option` is chosen afterwards.

        Single choice: choosing another option replaces the vote (one row per voter,
        kept unique by the database); choosing the same one again takes it back.
        """
        ...

    async def choices(self, poll_id: int, voter: Voter) -> tuple[int, ...]: ...

    async def tally(self, poll: Poll) -> Tally:
        """Live counts while open; the counts frozen at close afterwards."""
        ...

    async def close(self, poll_id: int, at: datetime) -> bool:
        """Close once: freeze the counts, delete anonymous ballots and the poll's secret.

        False when the poll was closed already (a second deadline, a race).
        """
        ...

    async def recent(
        self, platform: str, workspace: str, *, open_only: bool, limit: int
    ) -> Sequence[Poll]: ...

    async def voters(self, poll_id: int) -> Sequence[tuple[int, int]]:
        """(person id, option) for every open-ballot vote."""
        ...

    async def votes_of(self, person_id: int) -> Sequence[tuple[Poll, tuple[int, ...]]]: ...

    async def release_person(self, person_id: int) -> None:
        """Forget a person but keep totals: open-poll votes become anonymous ballots."""
        ...

    async def participation(
        self, since: datetime, until: datetime, platform: str | None
    ) -> Participation:
        """Polls and quizzes asked in [since, until) and who answered them."""
        ...

    async def add_post(self, kind: PostKind, item_id: int, post: Post) -> None: ...

    async def posts(self, kind: PostKind, item_id: int) -> Sequence[Post]: ...


@dataclass(frozen=True, slots=True)
class Schedule:
    """A recurring poll: `spec` is posted at every `cron` fire in `timezone`."""

    id: int
    spec: PollSpec
    channel: Ref
    cron: str
    timezone: str
    duration: timedelta | None
    creator: int | None
    active: bool


class ScheduleStore(Protocol):
    async def create(
        self,
        spec: PollSpec,
        channel: Ref,
        *,
        cron: str,
        timezone: str,
        duration: timedelta | None,
        creator: int | None,
        at: datetime,
    ) -> Schedule: ...

    async def get(self, schedule_id: int) -> Schedule | None: ...

    async def active(self, platform: str, workspace: str) -> Sequence[Schedule]: ...

    async def stop(self, schedule_id: int) -> bool: ...

    async def release_person(self, person_id: int) -> None: ...


class IdeaStatus(StrEnum):
    NEW = "new"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DECLINED = "declined"

    @property
    def votable(self) -> bool:
        return self not in (IdeaStatus.DONE, IdeaStatus.DECLINED)


@dataclass(frozen=True, slots=True)
class Idea:
    id: int
    channel: Ref
    title: str
    details: str
    author: int | None
    status: IdeaStatus
    note: str
    created_at: datetime
    status_at: datetime | None
    votes: int


class IdeaStore(Protocol):
    async def create(
        self, channel: Ref, title: str, details: str, *, author: int | None, at: datetime
    ) -> Idea: ...

    async def get(self, idea_id: int) -> Idea | None: ...

    async def toggle(self, idea_id: int, person_id: int) -> bool:
        """Support or stop supporting; True when the person supports it afterwards."""
        ...

    async def supporters(self, idea_id: int) -> Sequence[int]: ...

    async def set_status(
        self, idea_id: int, status: IdeaStatus, note: str, at: datetime
    ) -> None: ...

    async def search(
        self,
        platform: str,
        workspace: str,
        *,
        status: IdeaStatus | None,
        newest_first: bool,
        limit: int,
    ) -> Sequence[Idea]: ...

    async def of_person(self, person_id: int) -> tuple[Sequence[Idea], Sequence[Idea]]:
        """(ideas the person proposed, ideas the person supports)."""
        ...

    async def release_person(self, person_id: int) -> None:
        """Forget a person: their support stays counted, their name goes."""
        ...


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    label: str
    kind: str  # text, paragraph, choice, multi
    options: tuple[str, ...] = ()
    required: bool = True


@dataclass(frozen=True, slots=True)
class Survey:
    id: int
    name: str | None
    title: str
    questions: tuple[Question, ...]
    anonymous: bool
    secret: str
    creator: int | None
    created_at: datetime
    closed_at: datetime | None

    @property
    def handle(self) -> str:
        """How members and admins refer to it: its name, else its number."""
        return self.name or str(self.id)


@dataclass(frozen=True, slots=True)
class Response:
    id: int
    survey_id: int
    person_id: int | None
    answers: Mapping[str, str]
    submitted_at: datetime


class SurveyStore(Protocol):
    async def create(
        self,
        *,
        name: str | None,
        title: str,
        questions: Sequence[Question],
        anonymous: bool,
        secret: str,
        creator: int | None,
        at: datetime,
    ) -> Survey: ...

    async def get(self, survey_id: int) -> Survey | None: ...

    async def by_name(self, name: str) -> Survey | None: ...

    async def redefine(
        self, survey_id: int, title: str, questions: Sequence[Question], anonymous: bool
    ) -> None:
        """Follow an edited config file (the TOML is the source of truth)."""
        ...

    async def all(self) -> Sequence[tuple[Survey, int]]:
        """Every survey with its number of responses."""
        ...

    async def close(self, survey_id: int, at: datetime) -> bool: ...

    async def respond(
        self,
        survey_id: int,
        respondent: str,
        person_id: int | None,
        answers: Mapping[str, str],
        at: datetime,
    ) -> bool:
        """Store answers; True for a first response, False when it replaced an earlier one."""
        ...

    async def responses(self, survey_id: int) -> Sequence[Response]: ...

    async def of_person(self, person_id: int) -> Sequence[tuple[Survey, Response]]: ...

    async def audience(self, platform: str, workspace: str, role: str) -> Sequence[Ref]:
        """Active members of a workspace holding `role` (a segment to DM a survey to)."""
        ...

    async def release_person(self, person_id: int) -> None: ...
