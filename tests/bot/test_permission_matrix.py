"""Every command of every shipped feature × every level: refused below, allowed at or above.

Generic over the registry, so a feature that lands later is covered without edits.
"""

from __future__ import annotations

import pytest

from bot.features import all_features
from bot.model import Level
from bot.registry import Registry
from bot.testing import Harness

MEMBERS = (
    ("alice", ("admin",)),
    ("bob", ("moderator",)),
    ("hana", ("helper",)),
    ("carol", ()),
)
BY_LEVEL = {
    Level.ADMIN: "alice",
    Level.MODERATOR: "bob",
    Level.HELPER: "hana",
    Level.MEMBER: "carol",
}
COMMANDS = Registry(all_features()).commands


def _refused(text: str, level: Level) -> bool:
    return f"is for {level.value}s only" in text


@pytest.mark.parametrize("spec", COMMANDS, ids=lambda c: c.name)
async def test_command_levels(spec: object) -> None:
    from bot.registry import CommandSpec

    assert isinstance(spec, CommandSpec)
    async with Harness(members=MEMBERS) as h:
        for level, who in BY_LEVEL.items():
            out = await h.command(who, f"/{spec.name}", channel="general")
            texts = " ".join(p.text for p in out)
            if level.allows(spec.level):
                assert not _refused(texts, spec.level), (spec.name, who, texts)
            else:
                assert _refused(texts, spec.level), (spec.name, who, texts)
                assert all(p.ephemeral_to == h.ref(who) for p in out)
                assert f"Ask anyone with the role {spec.level.value}." in texts
