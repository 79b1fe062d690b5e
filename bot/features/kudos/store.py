"""What kudos keeps, as the core sees it: protocols and frozen records.

Storage implements these in `storage/repositories/kudos.py`. Everything is keyed by
`person_id`, so linked Discord and Slack accounts share one balance, one allowance
and one set of badges.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from bot.model import Ref


class Source(StrEnum):
    """How a kudos was given."""

    COMMAND = "command"
    REACTION = "reaction"
    KEYWORD = "keyword"
    ANSWER = "answer"
    REFERRAL = "referral"  # growth: someone they invited stayed (or they were invited)


# Kudos a member chose to give: these use up the daily allowance and obey the cooldown.
# Automatic ones (an accepted answer) do neither.
CHOSEN = (Source.COMMAND, Source.REACTION, Source.KEYWORD)


class FactKind(StrEnum):
    """Things badges and the spotlight count besides kudos."""

    ANSWER = "answer"
    WELCOME = "welcome"
    MENTEE = "mentee"
    QUIZ = "quiz"
    FLAG = "flag"


@dataclass(frozen=True, slots=True)
class NewKudos:
    giver_person_id: int | None
    receiver_person_id: int
    points: int
    source: Source
    platform: str
    given_at: datetime
    emoji: str | None = None
    message: Ref | None = None
    topic: str | None = None
    reason: str | None = None
    # The giver's account joined less than `new_account_days` ago (new-account clusters).
    from_new_account: bool = False


@dataclass(frozen=True, slots=True)
class Kudos:
    id: int
    giver_person_id: int | None
    receiver_person_id: int
    points: int
    source: Source
    platform: str
    given_at: datetime
    emoji: str | None
    message: Ref | None
    topic: str | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class Removal:
    """A moderator took a kudos back: who (None once forgotten), when and why."""

    removed_by: int | None
    removed_at: datetime
    reason: str | None


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of a member's kudos history; `removal` is set when a moderator removed it."""

    kudos: Kudos
    removal: Removal | None = None


@dataclass(frozen=True, slots=True)
class HistoryPage:
    """Some of a member's history, newest first, and how many entries there are in all."""

    entries: tuple[Entry, ...]
    total: int


@dataclass(frozen=True, slots=True)
class Pace:
    """How fast a member has been giving: kudos chosen today, the last one to a receiver,
    the chosen kudos between the two in the trading window (given, received), and, in
    that window, the farming counts beyond pairs (rings, new accounts)."""

    used: int
    last_to_receiver: datetime | None
    traded: tuple[int, int] = (0, 0)
    ring: int = 0  # the weakest link of the strongest giver → receiver → X → giver circle
    from_new_accounts: int = 0  # chosen kudos the receiver got from new accounts


@dataclass(frozen=True, slots=True)
class Standing:
    """One place on a leaderboard; tied members share a rank (1, 2, 2, 4)."""

    person_id: int
    points: int
    rank: int


@dataclass(frozen=True, slots=True)
class Board:
    """The top places: everyone tied at the last place is included up to a cap (by
    name); `more` counts those tied there beyond it, `ranked` everyone on the board."""

    top: tuple[Standing, ...]
    mine: Standing | None
    ranked: int
    more: int = 0

    @property
    def empty(self) -> bool:
        return not self.top


@dataclass(frozen=True, slots=True)
class Flow:
    """Kudos in a time window, for community metrics."""

    kudos: int
    points: int
    givers: int
    receivers: int


@dataclass(frozen=True, slots=True)
class Awarded:
    badge: str
    awarded_at: datetime


@dataclass(frozen=True, slots=True)
class Spotlight:
    """A period's pick; `posted_at` is None while an admin's pick made ahead waits for
    its period to end, `citation` the admin's words (None: the numbers speak)."""

    period: str
    person_id: int
    score: float
    source: str
    posted_at: datetime | None
    citation: str | None = None


@dataclass(frozen=True, slots=True)
class Tallies:
    """What the kudos badge rules need right after a kudos, read in one statement."""

    received: int  # the receiver's points, all time
    given: int  # kudos the giver has given, all time
    badges: Mapping[int, frozenset[str]]  # the badge ids each of the two holds


class KudosLedger(Protocol):
    async def give(self, kudos: NewKudos) -> Kudos | None:
        """Record a kudos and add its points to the receiver's total.

        None when this giver already thanked this receiver for this message (a replayed
        reaction, a second kudos emoji on one message).
        """
        ...

    async def pace(
        self,
        giver_person_id: int,
        since: datetime,
        receiver_person_id: int | None = None,
        cooldown_since: datetime | None = None,
        trade_since: datetime | None = None,
        *,
        rings: bool = False,
        new_giver: bool = False,
    ) -> Pace:
        """In one read: the giver's chosen kudos since `since` (the allowance), when they
        last chose to thank the receiver after `cooldown_since` (the cooldown), and the
        chosen kudos each way between the two since `trade_since` (kudos farming); with
        `rings`, the circle this kudos would close, and with `new_giver`, the kudos the
        receiver got from new accounts, in the same window."""
        ...

    async def ring_partner(
        self, giver_person_id: int, receiver_person_id: int, since: datetime
    ) -> int | None:
        """The third member of the strongest giver → receiver → X → giver circle (for a
        report to moderators; read only once a circle was found)."""
        ...

    async def by_reaction(
        self, giver_person_id: int, message: Ref, emoji: str | None = None
    ) -> Kudos | None:
        """The giver's reaction kudos on `message` (with this emoji, or any)."""
        ...

    async def get(self, kudos_id: int) -> Kudos | None: ...

    async def remove(self, kudos_id: int) -> bool:
        """Delete a kudos and take its points off the receiver's total."""
        ...

    async def remove_as_moderator(
        self, kudos_id: int, by: int, at: datetime, reason: str | None
    ) -> Kudos | None:
        """Remove a kudos and keep it, with who removed it, when and why, in the audit.

        None when there is no such kudos (any more)."""
        ...

    async def received_points(self, person_id: int) -> int: ...

    async def received_points_since(self, person_id: int, since: datetime) -> int: ...

    async def given_count(self, person_id: int) -> int: ...

    async def tallies(self, receiver_person_id: int, giver_person_id: int) -> Tallies:
        """The receiver's points, the giver's count and both one's badges, at once."""
        ...

    async def history(
        self,
        person_id: int,
        limit: int | None,
        *,
        offset: int = 0,
        since: datetime | None = None,
    ) -> HistoryPage:
        """Kudos the person gave or received (given since `since`), newest first, those a
        moderator removed included; `total` counts them all (for paging)."""
        ...

    async def latest_reason(
        self, receiver_person_id: int, since: datetime, until: datetime
    ) -> str | None: ...

    async def release_giver(self, person_id: int) -> int:
        """Forget a giver: their kudos stay counted, without their name or words (the
        removed ones in the audit too)."""
        ...

    async def release_moderator(self, person_id: int) -> int:
        """Forget a moderator: the removals they made stay in the audit without them."""
        ...

    async def flow(self, since: datetime, until: datetime, platform: str | None) -> Flow: ...


class Leaderboards(Protocol):
    async def board(
        self,
        *,
        since: datetime | None,
        until: datetime | None,
        topic: str | None,
        size: int,
        me: int | None,
        tied: int,
    ) -> Board:
        """Members still here ranked by points received in [since, until); None = unbounded.
        Members hidden by `/kudos privacy on` are left out, except `me` (who sees their
        own place among the others).

        The top `size` places; of the members tied at the last of them, the first
        `tied` by name (the rest are counted in `more`); and `me`'s place, if ranked.
        """
        ...

    async def received_between(self, since: datetime, until: datetime) -> Mapping[int, int]:
        """Points received per person in [since, until), members boards may show only."""
        ...

    async def on_boards(self, person_ids: Sequence[int]) -> set[int]:
        """Those of `person_ids` boards may show: an account still here (no bot), and
        not hidden by `/kudos privacy on`."""
        ...


class BoardPrivacy(Protocol):
    """Members who keep their kudos off public boards and spotlights."""

    async def hide(self, person_id: int, at: datetime) -> bool:
        """False when the person was hidden already."""
        ...

    async def show(self, person_id: int) -> bool:
        """False when the person was not hidden."""
        ...

    async def hidden_since(self, person_id: int) -> datetime | None: ...


class Achievements(Protocol):
    async def record_fact(self, person_id: int, kind: FactKind, subject: str, at: datetime) -> bool:
        """Remember a fact once; False when it was known already."""
        ...

    async def count_facts(self, person_id: int, kind: FactKind) -> int: ...

    async def facts_between(
        self, kind: FactKind, since: datetime, until: datetime
    ) -> Mapping[int, int]: ...

    async def touch_streak(self, person_id: int, today: date) -> int | None:
        """Count `today` as an active day; the streak's new length, None if already counted."""
        ...

    async def best_streak(self, person_id: int) -> int: ...

    async def award(self, person_id: int, badge: str, at: datetime) -> bool:
        """Award a badge; False when the person has it already (awarded exactly once)."""
        ...

    async def badges_of(self, person_id: int) -> Sequence[Awarded]: ...

    async def anonymize_subject(self, subject: str) -> int:
        """Make facts about a forgotten newcomer point to nobody (they still count)."""
        ...


class Spotlights(Protocol):
    async def record(self, spotlight: Spotlight) -> None:
        """Store the period's spotlight (an admin's pick replaces the job's)."""
        ...

    async def get(self, period: str) -> Spotlight | None: ...

    async def recent(self, limit: int, *, excluding: str) -> Sequence[Spotlight]:
        """The latest posted spotlights (newest first), except the one of `excluding`."""
        ...


class FarmingReports(Protocol):
    async def claim(self, person_id: int, kind: str, at: datetime, quiet_since: datetime) -> bool:
        """Whether to report farming of `kind` about the person now: True (and noted) when
        it was not reported since `quiet_since`."""
        ...
