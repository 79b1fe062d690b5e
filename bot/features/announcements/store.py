"""What announcements keep: the post, where it went, and who acknowledged it.

An acknowledgement belongs to a person (linked Discord and Slack accounts confirm
once); the audience of `/announce status` is every active member of the workspaces
the announcement reached.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.model import Ref


@dataclass(frozen=True, slots=True)
class Announcement:
    id: int
    channel: Ref
    author_person_id: int | None
    text: str
    pin: bool
    ack: bool
    all_platforms: bool
    created_at: datetime
    posts: tuple[Ref, ...] = ()

    @property
    def workspaces(self) -> tuple[tuple[str, str], ...]:
        """(platform, workspace) pairs the announcement was posted in."""
        found = {(p.platform, p.workspace) for p in self.posts}
        found.add((self.channel.platform, self.channel.workspace))
        return tuple(sorted(found))


@dataclass(frozen=True, slots=True)
class Ack:
    person_id: int
    member: Ref
    at: datetime


@dataclass(frozen=True, slots=True)
class Reader:
    """A member who should read an announcement (one per person)."""

    person_id: int
    member: Ref
    label: str


class AnnouncementStore(Protocol):
    async def create(
        self,
        channel: Ref,
        author_person_id: int | None,
        text: str,
        *,
        pin: bool,
        ack: bool,
        all_platforms: bool,
        at: datetime,
    ) -> Announcement: ...

    async def add_posts(self, announcement_id: int, posts: Sequence[Ref]) -> None: ...

    async def get(self, announcement_id: int) -> Announcement | None: ...

    async def recent(self, platform: str, workspace: str, limit: int) -> Sequence[Announcement]:
        """The latest announcements posted in this workspace, newest first."""
        ...

    async def acknowledge(
        self, announcement_id: int, person_id: int, member: Ref, at: datetime
    ) -> bool:
        """Record the person's acknowledgement; False when they had acknowledged already."""
        ...

    async def acks(self, announcement_id: int) -> Sequence[Ack]: ...

    async def ack_counts(self, announcement_ids: Sequence[int]) -> dict[int, int]: ...

    async def readers(self, workspaces: Sequence[tuple[str, str]]) -> Sequence[Reader]:
        """Active human members of these workspaces, one account per person."""
        ...

    async def release_person(self, person_id: int) -> None:
        """Keep announcements a forgotten person wrote, without their name."""
        ...

    async def of_person(
        self, person_id: int
    ) -> tuple[Sequence[Announcement], Sequence[tuple[Announcement, Ack]]]:
        """Announcements the person wrote, and those they acknowledged."""
        ...

    async def counts(
        self, start: datetime, end: datetime, platform: str | None
    ) -> tuple[int, int, int]:
        """(announcements, of which asked for acknowledgement, acknowledgements) in [start, end)."""
        ...
