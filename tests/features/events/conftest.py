"""A community for events: alice (admin), bob (moderator), carol, dave and erin."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from adapters.memory.community import Posted
from bot.testing import Harness

MEMBERS = (
    ("alice", ("admin",)),
    ("bob", ("moderator",)),
    ("carol", ()),
    ("dave", ()),
    ("erin", ()),
)
# Monday 30 November 2026, 09:00 UTC.
START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def events(*, start: datetime = START, storage_url: str | None = None, **section: Any) -> Harness:
    config: dict[str, Any] = {"features": {"events": section}} if section else {}
    options: dict[str, Any] = {"members": MEMBERS, "start": start}
    if storage_url:
        options["storage_url"] = storage_url
    return Harness(config=config, **options)


def public(h: Harness, channel: str = "general") -> list[Posted]:
    return [p for p in h.in_channel(channel) if p.ephemeral_to is None and p.dm_to is None]
