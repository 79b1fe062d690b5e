"""What growth keeps, as the core sees it: protocols and frozen records.

Storage implements these in `storage/repositories/growth.py`. Referrals, perks and
invitations are keyed by person, so linked Discord and Slack accounts share one
referral history and one set of perks. `Contributions` only reads what other
features and the core recorded (kudos, accepted answers, activity): growth never
imports them, it asks its own repository.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class InviteKind(StrEnum):
    LINK = "link"  # a platform invite link; joins are attributed by its use count
    CODE = "code"  # a referral code the newcomer types (/referral CODE)


class Via(StrEnum):
    """How a referral was attributed."""

    INVITE = "invite"  # the use count of the referrer's link went up when they joined
    CODE = "code"  # the newcomer entered the referrer's code (or picked them)
    ADMIN = "admin"  # an admin said who invited them


class Status(StrEnum):
    PENDING = "pending"  # waiting for the newcomer to stay and take part
    REWARDED = "rewarded"
    LEFT = "left"  # the newcomer left before qualifying
    EXPIRED = "expired"  # they stayed but never took part enough


class Source(StrEnum):
    """Why a role or perk was granted."""

    THRESHOLD = "threshold"
    REFERRAL = "referral"
    PIPELINE = "pipeline"


class Action(StrEnum):
    GRANT = "grant"
    REMOVE = "remove"


@dataclass(frozen=True, slots=True)
class NewInvite:
    person_id: int
    platform: str
    workspace: str
    code: str
    url: str
    kind: InviteKind
    uses: int
    created_at: datetime
    expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class TrackedInvite:
    """An invite of a member, with the use count last seen and uses not yet attributed."""

    id: int
    person_id: int
    platform: str
    workspace: str
    code: str
    url: str
    kind: InviteKind
    uses: int
    unclaimed: int
    noticed_at: datetime | None
    created_at: datetime
    expires_at: datetime | None

    def live(self, now: datetime) -> bool:
        return self.expires_at is None or now < self.expires_at


@dataclass(frozen=True, slots=True)
class NewReferral:
    referrer_person_id: int
    newcomer_person_id: int
    via: Via
    joined_at: datetime
    invite_id: int | None = None


@dataclass(frozen=True, slots=True)
class Referral:
    id: int
    referrer_person_id: int
    newcomer_person_id: int
    via: Via
    joined_at: datetime
    status: Status
    decided_at: datetime | None
    invite_id: int | None


@dataclass(frozen=True, slots=True)
class Perk:
    """A role (or, where the platform has none, a stored perk) growth granted."""

    person_id: int
    role: str
    source: Source
    granted_at: datetime
    on_platform: bool  # True when at least one platform role was given


@dataclass(frozen=True, slots=True)
class GrantEntry:
    """One line of the audit trail: who got or lost which role, why, and by whom."""

    person_id: int
    role: str
    action: Action
    source: Source
    reason: str
    at: datetime
    by_person_id: int | None = None
    id: int = 0


@dataclass(frozen=True, slots=True)
class Invitation:
    """The ambassador pipeline: an admin invited a member to a track."""

    id: int
    person_id: int
    track: str
    role: str
    invited_by: int | None
    status: str  # pending, accepted, declined
    created_at: datetime
    answered_at: datetime | None


@dataclass(frozen=True, slots=True)
class Standing:
    """What the reward-role thresholds compare against."""

    kudos: int
    answers: int


@dataclass(frozen=True, slots=True)
class Rising:
    """One member's contributions in the report window (and messages the window before)."""

    person_id: int
    messages: int
    previous_messages: int
    answers: int
    kudos: int
    flags: int
    welcomes: int

    @property
    def growth(self) -> int:
        return max(0, self.messages - self.previous_messages)

    @property
    def score(self) -> float:
        """Deeds weigh more than chatter: an answer or an accurate flag beats ten posts."""
        return (
            3 * self.answers
            + self.kudos
            + 2 * self.flags
            + 2 * self.welcomes
            + 0.2 * self.messages
            + 0.3 * self.growth
        )


@dataclass(frozen=True, slots=True)
class ReferralCounts:
    joined: int
    rewarded: int


class InviteBook(Protocol):
    async def add(self, invite: NewInvite) -> TrackedInvite: ...

    async def mine(
        self, person_id: int, platform: str, workspace: str, kind: InviteKind
    ) -> TrackedInvite | None:
        """The person's newest invite of this kind in this workspace."""
        ...

    async def get(self, invite_id: int) -> TrackedInvite | None: ...

    async def by_code(self, code: str, platform: str | None = None) -> TrackedInvite | None:
        """An invite by code (exact, else case-insensitive for typed referral codes)."""
        ...

    async def links(self, platform: str, workspace: str) -> Sequence[TrackedInvite]:
        """Every tracked invite link of a workspace (for attribution by use count)."""
        ...

    async def observe(
        self, invite_id: int, uses: int, unclaimed: int, noticed_at: datetime | None
    ) -> None:
        """Remember the use count now accounted for and uses waiting for a newcomer."""
        ...

    async def of_person(self, person_id: int) -> Sequence[TrackedInvite]: ...


class Referrals(Protocol):
    async def add(self, referral: NewReferral) -> Referral | None:
        """Record who invited the newcomer; None when the newcomer already has a referrer."""
        ...

    async def get(self, referral_id: int) -> Referral | None: ...

    async def of_newcomer(self, person_id: int) -> Referral | None: ...

    async def of_referrer(self, person_id: int) -> Sequence[Referral]: ...

    async def pending_count(self, referrer_person_id: int) -> int: ...

    async def decide(self, referral_id: int, status: Status, at: datetime) -> bool:
        """Close a pending referral; False when it was decided already."""
        ...

    async def top(self, limit: int) -> Sequence[tuple[int, int, int]]:
        """(person_id, rewarded, joined) for the best referrers, most rewarded first."""
        ...

    async def every(self, limit: int) -> Sequence[Referral]:
        """All referrals, oldest first (the admins' tree)."""
        ...

    async def counts(self, since: datetime, until: datetime) -> ReferralCounts: ...


class Perks(Protocol):
    async def grant(self, perk: Perk) -> bool:
        """Store a perk; False when the person holds that role already."""
        ...

    async def revoke(self, person_id: int, role: str) -> Perk | None: ...

    async def held(self, person_id: int) -> Sequence[Perk]: ...

    async def holders(self) -> Mapping[int, Mapping[str, Source]]:
        """Every person's growth roles and why they have them."""
        ...

    async def log(self, entry: GrantEntry) -> None: ...

    async def history(self, person_id: int | None, limit: int) -> Sequence[GrantEntry]:
        """The audit trail, newest first (one person's, or everyone's)."""
        ...

    async def granted_count(self, since: datetime, until: datetime) -> int: ...

    async def release_actor(self, person_id: int) -> int:
        """Forget who granted: their grants and invitations stay, without their name."""
        ...


class Invitations(Protocol):
    async def open(
        self, person_id: int, track: str, role: str, by: int | None, at: datetime
    ) -> Invitation | None:
        """Invite a member to a track; None when an invitation to it is still open."""
        ...

    async def get(self, invitation_id: int) -> Invitation | None: ...

    async def answer(self, invitation_id: int, accepted: bool, at: datetime) -> bool:
        """Record the member's answer; False when they answered already."""
        ...

    async def of_person(self, person_id: int) -> Sequence[Invitation]: ...


class Contributions(Protocol):
    """Read-only: what kudos, question tracking and the core recorded about members."""

    async def standings(
        self, person_ids: Sequence[int], min_kudos: int, min_answers: int
    ) -> Mapping[int, Standing]:
        """Kudos and accepted answers of `person_ids` and of everyone reaching a minimum."""
        ...

    async def last_message(self, person_ids: Sequence[int]) -> Mapping[int, datetime]: ...

    async def messages_since(self, person_id: int, since: datetime) -> int: ...

    async def rising(
        self, previous: datetime, since: datetime, until: datetime
    ) -> Sequence[Rising]:
        """Everyone who contributed in [since, until), with their messages in [previous, since)."""
        ...
