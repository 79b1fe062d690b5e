"""What metrics reads from storage: aggregates only, never a row per event.

Every query groups in the database (1,000,000 activity rows must not cross into
Python). Local time is passed as `Shift`s, the UTC offsets of the community's time
zone over the span asked about, so both databases cut days at the same local
midnights, daylight saving time included, without time zone support in SQL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from bot.stats import Window

# Activity kinds that make a member "active": they posted or reacted.
ACTIVE_KINDS = ("message", "reply", "reaction")
# Activity kinds that are a member speaking (contributors, sentiment).
POST_KINDS = ("message", "reply")


@dataclass(frozen=True, slots=True)
class Shift:
    """From `since` on (until the next shift), local time is UTC + `seconds`."""

    since: datetime
    seconds: int


@dataclass(frozen=True, slots=True)
class Growth:
    """Persons present at the window's start, and who joined, left and was first seen
    per local day, from the membership history (a rejoin never rewrites the past).

    A linked person (Discord + Slack) counts once: they join with their first account
    and leave when their last one does. Members the directory knew before joins were
    recorded count from when they were first seen (`seen`), which is not a join.
    """

    before: int
    joined: Mapping[int, int]
    left: Mapping[int, int]
    seen: Mapping[int, int] = field(default_factory=dict)

    @property
    def joined_total(self) -> int:
        return sum(self.joined.values())

    @property
    def left_total(self) -> int:
        return sum(self.left.values())

    @property
    def seen_total(self) -> int:
        return sum(self.seen.values())

    @property
    def after(self) -> int:
        return self.before + self.joined_total + self.seen_total - self.left_total


@dataclass(frozen=True, slots=True)
class Reach:
    """Distinct persons: active in the window, posting in it, and over the trailing 7/30 days."""

    active: int
    posters: int
    person_days: int
    wau: int
    mau: int


@dataclass(frozen=True, slots=True)
class HourCount:
    """Facts of one kind in one local hour (`hour` = local hours since 1970-01-01)."""

    hour: int
    kind: str
    count: int


@dataclass(frozen=True, slots=True)
class Tone:
    """Sentiment scores of posts: their sum, how many there are, from how many people."""

    total: float = 0.0
    scored: int = 0
    people: int = 0


@dataclass(frozen=True, slots=True)
class Tones:
    """The tone of a whole window and of each of its local days (day number → Tone)."""

    period: Tone
    days: Mapping[int, Tone]


@dataclass(frozen=True, slots=True)
class Stint:
    """`persons` were active on local day `day` and not again before `until30`/`until7`.

    Each active (person, day) is one stint, cut at the person's next active day or 30
    (7) days later. A person counts in the 30-day actives of day d when one of their
    stints covers d; summing stints gives rolling MAU and WAU in one pass.
    """

    day: int
    until30: int
    until7: int
    persons: int


@dataclass(frozen=True, slots=True)
class ChannelCount:
    """A channel's posts in a window; with `detail`, also its reactions and how many
    people posted or reacted there (None when not counted)."""

    platform: str
    workspace: str
    channel_id: str
    name: str
    messages: int
    replies: int
    reactions: int | None = None
    people: int | None = None


@dataclass(frozen=True, slots=True)
class Cohorts:
    """Persons who joined per local week (Monday-based week number), and who of them
    were active in each later week: `active[(cohort, week)]`."""

    sizes: Mapping[int, int]
    active: Mapping[tuple[int, int], int]


class CommunityMetrics(Protocol):
    async def growth(self, window: Window, shifts: Sequence[Shift]) -> Growth: ...

    async def reach(self, window: Window, shifts: Sequence[Shift]) -> Reach:
        """Distinct persons in the window; WAU and MAU over the 7/30 days before its end."""
        ...

    async def hours(self, window: Window, shifts: Sequence[Shift]) -> Sequence[HourCount]:
        """Every kind of fact per local hour: totals, the daily series and the heat map
        all come from this one pass over the window."""
        ...

    async def tone(self, window: Window, shifts: Sequence[Shift]) -> Tones:
        """Sentiment scores over the window and per local day, with how many people
        they come from (a tone from one or two people is theirs, not the community's)."""
        ...

    async def stints(self, window: Window, shifts: Sequence[Shift]) -> Sequence[Stint]: ...

    async def channels(
        self, window: Window, limit: int | None, *, detail: bool = False
    ) -> Sequence[ChannelCount]:
        """Channels by posts (messages and replies), most first; `limit=None`: all.
        `detail` adds reactions and people (the export), at twice the cost."""
        ...

    async def cohorts(
        self,
        joined_from: datetime,
        joined_until: datetime,
        active_until: datetime,
        shifts: Sequence[Shift],
        platform: str | None,
    ) -> Cohorts:
        """Persons who joined in [joined_from, joined_until) by local week, and their
        active weeks up to `active_until`."""
        ...

    async def slipping(
        self, edges: Sequence[datetime], needed: int, platform: str | None
    ) -> Sequence[int]:
        """Present persons active in at least `needed` of the blocks between `edges`
        (`edges[0]`…`edges[-2]`) and silent from `edges[-2]` to `edges[-1]`."""
        ...


class CheckIns(Protocol):
    """When a slipping-away member was last sent a friendly check-in."""

    async def last(self, person_ids: Sequence[int]) -> Mapping[int, datetime]: ...

    async def record(self, person_id: int, at: datetime) -> None: ...

    async def of(self, person_id: int) -> Sequence[datetime]: ...

    async def forget(self, person_id: int) -> int: ...
