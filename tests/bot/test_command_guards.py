"""`@feature.before_command`: a feature may refuse any command; a crashing hook refuses none."""

from __future__ import annotations

from bot.context import Context, UserError
from bot.model import Level
from bot.registry import CommandSpec, Feature
from bot.testing import Harness


def _features(calls: list[str]) -> list[Feature]:
    gate = Feature("gate")
    tools = Feature("tools")

    @gate.before_command
    async def only_some(ctx: Context, spec: CommandSpec) -> None:
        calls.append(f"{ctx.feature.name}:{spec.name}")
        if spec.name == "blocked" and ctx.actor is not None and ctx.actor.name == "carol":
            raise UserError("Not before you agree.")

    @gate.before_command
    async def broken(ctx: Context, spec: CommandSpec) -> None:
        raise RuntimeError("a bug in a hook")

    @tools.command("blocked", help="guarded")
    async def blocked(ctx: Context) -> None:
        await ctx.reply("ran")

    @tools.command("admin only", help="admins", level=Level.ADMIN)
    async def admin_only(ctx: Context) -> None:
        await ctx.reply("ran")

    return [gate, tools]


async def test_a_hook_refuses_with_its_sentence_and_the_command_does_not_run() -> None:
    calls: list[str] = []
    async with Harness(features=_features(calls)) as h:
        out = await h.command("carol", "/blocked")
        assert [p.text for p in out] == ["Not before you agree."]
        assert out[0].ephemeral_to == h.ref("carol")
        assert calls == ["gate:blocked"]


async def test_other_members_pass_and_a_crashing_hook_is_ignored() -> None:
    calls: list[str] = []
    async with Harness(features=_features(calls)) as h:
        assert [p.text for p in await h.command("bob", "/blocked")] == ["ran"]


async def test_permissions_are_checked_before_hooks_run() -> None:
    calls: list[str] = []
    async with Harness(features=_features(calls)) as h:
        out = await h.command("carol", "/admin only")
        assert "is for admins only" in out[0].text
        assert calls == []
