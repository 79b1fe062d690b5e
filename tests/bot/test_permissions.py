"""Permission refusals name who can help: roles, and the people user selectors name."""

from __future__ import annotations

from typing import Any

import pytest

from bot.context import Context
from bot.model import Level
from bot.registry import Feature
from bot.testing import Harness


def _gate() -> Feature:
    """`/tidy` is for admins (declared); `/sweep` checks inside the handler."""
    feature = Feature("gate")

    @feature.command("tidy", help="tidy", level=Level.ADMIN)
    async def tidy(ctx: Context) -> None:
        await ctx.reply("tidied")

    @feature.command("sweep", help="sweep")
    async def sweep(ctx: Context) -> None:
        ctx.require(Level.MODERATOR)
        await ctx.reply("swept")

    return feature


async def _refusals(permissions: dict[str, Any], *, language: str = "en") -> tuple[str, str]:
    config = {"permissions": permissions, "bot": {"language": language}}
    async with Harness(config=config, features=[_gate()]) as h:
        (declared,) = await h.command("carol", "/tidy")
        (inside,) = await h.command("carol", "/sweep")
        assert declared.ephemeral_to == inside.ephemeral_to == h.ref("carol")
        return declared.text, inside.text


async def test_user_selectors_are_named() -> None:
    declared, inside = await _refusals({"admin": ["user:alice"], "moderator": ["user:@bob"]})
    assert declared == "Sorry, /tidy is for admins only. Ask alice."
    assert inside == "Only moderators can do that (ask bob)."


async def test_roles_and_users_together() -> None:
    declared, _inside = await _refusals(
        {"admin": ["role:Owner", "role:Staff", "user:alice", "user:bob"]}
    )
    assert declared == (
        "Sorry, /tidy is for admins only. Ask alice or bob or anyone with the role Owner or Staff."
    )


async def test_an_account_or_an_id_reads_as_the_members_name() -> None:
    """`user:memory:test:u-bob` and a bare id (`u-bob`, the memory platform's id) are
    looked up; an account nobody knows is left out rather than shown as a number."""
    declared, inside = await _refusals(
        {
            "admin": ["user:memory:test:u-bob", "user:memory:test:u-nobody"],
            "moderator": ["user:u-bob"],
        }
    )
    assert declared == "Sorry, /tidy is for admins only. Ask bob."
    assert inside == "Only moderators can do that (ask bob)."


async def test_a_level_nobody_holds_says_who_to_turn_to() -> None:
    declared, _inside = await _refusals({"admin": []})
    assert declared == ("Sorry, /tidy is for admins only. Ask the people who run this community.")


@pytest.mark.parametrize("language", ["nb", "lv", "fi", "uk"])
async def test_the_list_is_in_the_members_language(language: str) -> None:
    declared, _inside = await _refusals(
        {"admin": ["user:alice", "user:bob", "role:Staff"]}, language=language
    )
    assert "alice" in declared and "bob" in declared and "Staff" in declared
    assert " or " not in declared  # the list's "or" is translated as well
