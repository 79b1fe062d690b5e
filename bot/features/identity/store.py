"""What the identity feature keeps: one-time link codes, email hashes, the request log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.model import Ref


@dataclass(frozen=True, slots=True)
class LinkCode:
    id: int
    code: str
    person_id: int
    platform: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None


class LinkCodes(Protocol):
    async def issue(
        self, code: str, person_id: int, platform: str, at: datetime, expires_at: datetime
    ) -> None:
        """Store a new code; the person's earlier unused codes stop working."""
        ...

    async def find(self, code: str) -> LinkCode | None: ...

    async def use(self, code_id: int, at: datetime) -> bool:
        """Mark the code used; False if it was used already (a replay or a race)."""
        ...


class EmailHashes(Protocol):
    async def remember(self, account: Ref, person_id: int, email_hash: str) -> bool:
        """Record the hash; True when it is new or changed for this account."""
        ...

    async def others(self, email_hash: str, person_id: int) -> list[Ref]:
        """Accounts of other persons with the same email that were not suggested yet."""
        ...

    async def mark_suggested(self, account: Ref, at: datetime) -> None: ...


class DataRequests(Protocol):
    async def record(self, kind: str, at: datetime, rows: int) -> None:
        """Log that an export or forget happened — never who asked."""
        ...

    async def count(self, kind: str) -> int: ...
