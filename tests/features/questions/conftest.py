"""A community with a helper (hana), two ordinary members (carol asks, dave chats).

Quiet hours are off unless a test turns them on, so pings are never deferred by the
FakeClock's start time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from bot.testing import Harness

MEMBERS = (
    ("alice", ("admin",)),
    ("bob", ("moderator",)),
    ("hana", ("helper",)),
    ("carol", ()),
    ("dave", ()),
)

MakeHarness = Callable[..., Harness]


@pytest.fixture
def harness() -> MakeHarness:
    """`async with harness(help_channels=["help"]) as h:` — keys go to [features.questions]."""

    def make(*, top: dict[str, Any] | None = None, **section: Any) -> Harness:
        """`top` holds Harness arguments (start, storage_url, features) and other sections."""
        options = dict(top or {})
        config = {
            **options.pop("config", {}),
            "features": {"questions": {"quiet_hours": "", **section}},
        }
        options.setdefault("members", MEMBERS)
        return Harness(config=config, **options)

    return make


@pytest.fixture
async def h(harness: MakeHarness) -> AsyncIterator[Harness]:
    async with harness() as ready:
        yield ready
