"""Protocols the core depends on; adapters and storage implement them.

The core never knows whether a message goes to Discord or a terminal, nor whether
a row lands in SQLite or PostgreSQL. It asks these interfaces.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar, runtime_checkable

from bot.model import (
    Capability,
    Form,
    Invite,
    Member,
    MemberRecord,
    Outgoing,
    Ref,
    TimeStyle,
    Workspace,
)


class CapabilityMissing(Exception):
    """The platform cannot do this; the core explains that to the member."""

    def __init__(self, capability: Capability, platform: str) -> None:
        super().__init__(f"{platform} cannot {capability.value}")
        self.capability = capability
        self.platform = platform


class PlatformRefused(Exception):
    """The platform said no (missing permission, rate limit exhausted, unknown target).

    Adapters raise one of the kinds below when the platform says which it is, so a
    feature can tell a member who cannot be reached (skip them, the others still get
    theirs) from a setup an admin must fix (the bot lacks a permission).
    """


class MemberUnreachable(PlatformRefused):
    """This member cannot be written to: DMs closed, the bot blocked, or the account gone."""


class BotLacksPermission(PlatformRefused):
    """The bot's role may not do this there; an admin fixes it in the platform's settings."""


class TargetGone(PlatformRefused):
    """The channel or message no longer exists (or the bot can no longer see it)."""


class StorageUnavailable(Exception):
    """The database cannot be reached right now; the member is asked to retry."""


@runtime_checkable
class ChatPort(Protocol):
    """What the core can ask an adapter to do on one platform."""

    platform: str
    capabilities: frozenset[Capability]

    async def send(self, out: Outgoing, once: Once | None = None) -> Ref:
        """Deliver a message; returns the new message's ref.

        `once` comes with the outbox's messages: a platform that can tell a message
        it already took (Discord's nonce, Slack's message metadata) posts it once even
        when a restart hands it over again.
        """
        ...

    async def edit(self, message: Ref, out: Outgoing) -> None: ...

    async def delete(self, message: Ref) -> None: ...

    async def open_form(self, actor: Ref, form: Form, reply_token: str | None) -> None: ...

    async def add_role(self, member: Ref, role: str) -> None: ...

    async def remove_role(self, member: Ref, role: str) -> None: ...

    async def remove_reaction(self, message: Ref, emoji: str, member: Ref) -> None: ...

    async def create_thread(self, message: Ref, name: str) -> Ref: ...

    async def timeout(self, member: Ref, until: datetime, reason: str) -> None: ...

    async def kick(self, member: Ref, reason: str) -> None: ...

    async def ban(self, member: Ref, reason: str) -> None: ...

    async def create_invite(
        self, channel: Ref, *, max_age: timedelta | None, max_uses: int
    ) -> Invite:
        """A new invite link to `channel` (`max_uses=0`: unlimited, `max_age=None`: forever)."""
        ...

    async def invite_uses(self, workspace: str) -> Mapping[str, int]:
        """How often each live invite of the workspace was used (code → uses)."""
        ...

    async def pin(self, message: Ref) -> None:
        """Pin a message in its channel; `CapabilityMissing` where the platform cannot."""
        ...

    def timestamp(self, at: datetime, style: TimeStyle, zone: str) -> str:
        """`at` as message text that each viewer reads in their own time.

        Platforms that localise on the client (Discord `<t:…>`, Slack `<!date^…>`)
        use `zone` only for fallback text; the others format in `zone` and the
        current locale. Such text belongs to one platform: render it again for another
        platform instead of copying it across a bridge.
        """
        ...

    def message_link(self, message: Ref) -> str: ...

    def mention(self, member: Ref) -> str: ...

    def channel_mention(self, channel: Ref) -> str: ...


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware UTC datetime."""
        ...


# --- core repositories ----------------------------------------------------------------


class Directory(Protocol):
    """Members, persons and channels as the community knows them."""

    async def preload(self, refs: Sequence[Ref]) -> None:
        """Read these accounts at once; the unit of work's next lookups of them are free."""
        ...

    async def upsert_member(self, member: Member, seen_at: datetime) -> MemberRecord: ...

    async def member_joined(self, member: Member, at: datetime) -> MemberRecord: ...

    async def member_left(self, ref: Ref, at: datetime) -> MemberRecord | None: ...

    async def get(self, ref: Ref) -> MemberRecord | None: ...

    async def find(self, platform: str, workspace: str, text: str) -> MemberRecord | None:
        """Find by platform id, name or display name (case-insensitive)."""
        ...

    async def accounts_of(self, person_id: int) -> Sequence[MemberRecord]: ...

    async def set_person_prefs(
        self, person_id: int, *, locale: str | None = None, timezone: str | None = None
    ) -> None:
        """Store what the person chose; None leaves a setting alone, "" forgets it."""
        ...

    async def person_prefs(self, person_id: int) -> tuple[str | None, str | None]:
        """(locale, timezone) the person chose, if any."""
        ...

    async def set_roles(self, ref: Ref, roles: frozenset[str]) -> None: ...

    async def count_members(self, platform: str | None = None) -> int: ...

    async def upsert_channel(self, ref: Ref, name: str, kind: str) -> None: ...

    async def register_workspace(
        self, platform: str, workspace: str, seen_at: datetime, name: str | None = None
    ) -> None:
        """Remember a workspace from its first event on; a name given later is kept."""
        ...

    async def workspaces(self) -> Sequence[Workspace]:
        """Every workspace seen, by platform and first sight."""
        ...

    async def find_channel(self, platform: str, workspace: str | None, name: str) -> Ref | None:
        """A channel by name or id; `workspace=None` searches every workspace of the platform."""
        ...

    async def channel_name(self, ref: Ref) -> str | None:
        """The name a channel was last seen with (None for one never seen, or a thread)."""
        ...


class EventLog(Protocol):
    async def claim(self, event_ids: Sequence[str], at: datetime) -> set[str]:
        """Record the events as processed; returns the ids that were not processed before."""
        ...

    async def release(self, event_id: str) -> None:
        """Forget a claim whose event failed, so the platform's retry is processed."""
        ...

    async def prune(self, before: datetime) -> int: ...


@dataclass(frozen=True, slots=True)
class ActivityFact:
    """One thing a member did: the facts metrics need, never the content."""

    person_id: int
    member: Ref
    channel_id: str
    kind: str
    at: datetime
    length: int = 0
    reply: bool = False
    sentiment: float | None = None


class ActivityLog(Protocol):
    async def record(self, facts: Sequence[ActivityFact]) -> None: ...

    async def prune(self, before: datetime) -> int: ...

    async def encounters(self, a: int, b: int, since: datetime, within: timedelta) -> int:
        """How often persons `a` and `b` answered each other since `since`.

        An encounter is a post (message or thread reply) by one of them in a channel
        where the other posted at most `within` earlier: the content-free sign that two
        people talked (mentor and newcomer, asker and helper). Only facts are read, so
        the answer survives the privacy rules; private messages between members are
        invisible to the bot and never count.
        """
        ...


@dataclass(frozen=True, slots=True)
class PendingJob:
    id: int
    key: str
    feature: str
    name: str
    due_at: datetime
    payload: Mapping[str, Any]


class JobStore(Protocol):
    """Persisted one-off jobs (poll deadlines, escalations, reminders)."""

    async def schedule(
        self, key: str, feature: str, name: str, due_at: datetime, payload: Mapping[str, Any]
    ) -> PendingJob:
        """Create or move the job with this natural key (never a duplicate)."""
        ...

    async def cancel(self, key: str) -> bool: ...

    async def cancel_prefix(self, prefix: str) -> int: ...

    async def pending(
        self, due_before: datetime | None = None, *, after_id: int = 0, limit: int | None = None
    ) -> Sequence[PendingJob]:
        """Jobs not done yet, by due time; with `limit`, one page by id after `after_id`."""
        ...

    async def get(self, job_id: int) -> PendingJob | None: ...

    async def claim(self, job_id: int, instance: str, at: datetime) -> bool:
        """Mark the job done in the current transaction; False if another got it."""
        ...

    async def claim_cron(self, job: str, fire_time: datetime, instance: str) -> bool: ...


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Once:
    """What a platform needs to post an outbox message once.

    `key` names the message (16 hex digits); `since` is when it was written, so a
    platform checks only later messages; `resumed` says an earlier run had the message
    and may have posted it before it stopped.
    """

    key: str
    since: datetime
    resumed: bool = False


@dataclass(frozen=True, slots=True)
class Parcel:
    """A message in the outbox: decided by a committed change, waiting to be delivered.

    `resumed`: taken over from a run that stopped (it may have been posted already).
    """

    id: int
    out: Outgoing
    created_at: datetime
    resumed: bool = False

    @property
    def once(self) -> Once:
        # The id alone is not a name: SQLite hands a deleted row's id out again. The
        # time counts microseconds, which both databases keep, so the key read back
        # after a restart is the one the first run used.
        micros = (self.created_at - _EPOCH) // timedelta(microseconds=1)
        key = hashlib.blake2b(f"{self.id}@{micros}".encode(), digest_size=8).hexdigest()
        return Once(key, self.created_at, self.resumed)


class OutboxStore(Protocol):
    """Messages written with the change that asked for them, delivered after it committed."""

    async def add(self, messages: Sequence[Outgoing], instance: str, at: datetime) -> list[int]:
        """Store messages (claimed by `instance`) in this transaction; their ids, in order."""
        ...

    async def delivered(self, ids: Sequence[int]) -> None:
        """Remove messages that reached their platform (or that it refused for good)."""
        ...

    async def keep_claims(self, instance: str, at: datetime) -> int:
        """Say `instance` is still delivering its messages; how many it holds."""
        ...

    async def take_over(
        self, instance: str, at: datetime, stale_before: datetime, limit: int
    ) -> list[Parcel]:
        """Claim messages whose deliverer fell silent before `stale_before`, oldest first."""
        ...


class PersonData(Protocol):
    """Every row about a person, across all tables (the schema says which columns identify).

    Works from the declarations in `storage.schema` (`personal(table, …)`), so a table
    a feature adds later is merged, exported and erased without further code.
    """

    async def merge(self, keep: int, gone: int) -> None:
        """Make `gone`'s accounts and rows belong to `keep` (linking accounts)."""
        ...

    async def detach(self, account: Ref, at: datetime) -> int:
        """Give one account a fresh person of its own (unlinking); returns its id."""
        ...

    async def dump(
        self, person_id: int, accounts: Sequence[Ref]
    ) -> dict[str, list[dict[str, Any]]]:
        """Every row that identifies the person, table by table (data export)."""
        ...

    async def erase(self, person_id: int, accounts: Sequence[Ref]) -> dict[str, int]:
        """Delete every row that still identifies the person; rows deleted per table."""
        ...

    async def remaining(self, person_id: int, accounts: Sequence[Ref]) -> dict[str, int]:
        """Rows that still identify the person, per table (empty after a forget)."""
        ...


R = TypeVar("R")


class UnitOfWork(Protocol):
    """One transaction: every repository it hands out writes inside it."""

    def get(self, repo: type[R]) -> R: ...

    def savepoint(self) -> AbstractAsyncContextManager[None]:
        """A nested transaction: a failing handler undoes only its own writes."""
        ...


class Storage(Protocol):
    # How many units of work may write at once: 1 for SQLite (one writer), several
    # for PostgreSQL. The dispatcher runs that many group-commit lanes, each sharing
    # one transaction among the events that queued while it was busy.
    lanes: int

    def unit_of_work(self) -> AbstractAsyncContextManager[UnitOfWork]: ...

    def reading(self) -> AbstractAsyncContextManager[UnitOfWork | None]:
        """A unit of work for reading only (reports), on a connection of its own and
        without the write lock, so several run side by side; what it wrote is rolled
        back. None when the database has a single connection (SQLite in memory): the
        caller then reads in its own unit of work, one query after another."""
        ...

    async def close(self) -> None: ...

    async def healthy(self) -> bool: ...
