"""A community for metrics: alice (admin), bob (moderator), carol, dave and erin.

Everyone is seeded as joining at the Harness's start, Monday 2026-01-05 09:00 UTC.
`metrics(...)` builds a Harness whose keys go to `[features.metrics]`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.model import MemberRecord
from bot.testing import Harness

MEMBERS = (
    ("alice", ("admin",)),
    ("bob", ("moderator",)),
    ("carol", ()),
    ("dave", ()),
    ("erin", ()),
)


def metrics(*, top: dict[str, Any] | None = None, **section: Any) -> Harness:
    """`async with metrics(sentiment=True) as h:`; `top` holds Harness arguments and,
    under "config", other sections of the config."""
    return Harness.of_feature("metrics", section, top={"members": MEMBERS, **(top or {})})


@pytest.fixture
async def h() -> AsyncIterator[Harness]:
    async with metrics() as ready:
        yield ready


async def record(h: Harness, name: str) -> MemberRecord:
    return await h.record(name)


# Babel separates numbers, dates and ranges with no-break and thin spaces.
_SPACES = str.maketrans({"\u00a0": " ", "\u2009": " ", "\u202f": " "})


def plain(text: str) -> str:
    """`text` with Babel's no-break and thin spaces as plain ones, for comparing."""
    return text.translate(_SPACES)


def line(text: str, start: str) -> str:
    """The line of `text` starting with `start`, spaces made plain (fails loudly when
    missing)."""
    for candidate in plain(text).splitlines():
        if candidate.startswith(start):
            return candidate
    raise AssertionError(f"no line starting {start!r} in:\n{text}")
