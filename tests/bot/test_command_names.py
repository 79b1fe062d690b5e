"""Command names per platform: roots a platform keeps for itself get another name there."""

from __future__ import annotations

from bot.command_names import core_root, name_on, offered, reserved_commands
from bot.context import Context
from bot.registry import Feature, Registry
from bot.testing import Harness


async def _noop(ctx: Context) -> None: ...


async def _other(ctx: Context) -> None: ...


def registry() -> Registry:
    growth = Feature("growth")
    growth.command("invite", help="Your invite")(_noop)
    growth.command("referrals invite", help="Your invite")(_noop)
    away = Feature("presence")
    away.command("status", help="Your status")(_other)
    away.command("status set", help="Set it")(_other)
    return Registry([growth, away])


def test_a_reserved_command_with_an_alias_is_offered_once_under_the_alias() -> None:
    reg = registry()
    names = [o.name for o in offered(reg, frozenset({"invite", "status"}))]
    assert "invite" not in names
    assert names.count("referrals invite") == 1
    assert name_on(reg, frozenset({"invite"}), reg.command("invite")) == "referrals invite"  # type: ignore[arg-type]


def test_a_reserved_root_without_an_alias_is_renamed_with_its_feature() -> None:
    reg = registry()
    reserved = frozenset({"status"})
    names = sorted(o.name for o in offered(reg, reserved))
    assert names == ["invite", "presence-status", "presence-status set", "referrals invite"]
    assert core_root(reg, reserved, "presence-status") == "status"
    assert core_root(reg, reserved, "invite") == "invite"
    assert core_root(reg, frozenset(), "presence-status") == "presence-status"


def test_platforms_without_reserved_names_see_every_command() -> None:
    reg = registry()
    assert [o.name for o in offered(reg, frozenset())] == [c.name for c in reg.commands]
    assert reserved_commands(None) == frozenset()


async def test_help_on_a_platform_that_keeps_invite_names_the_alias() -> None:
    async with Harness() as h:
        h.port.reserved_commands = frozenset({"invite"})  # type: ignore[attr-defined]
        listed = (await h.command("carol", "/help"))[-1].text
        assert "/referrals invite — " in listed
        assert "\n/invite — " not in listed
        single = (await h.command("carol", "/help invite"))[-1].text
        assert single.startswith("/referrals invite")
        h.port.reserved_commands = frozenset()  # type: ignore[attr-defined]
        assert "\n/invite — " in (await h.command("carol", "/help"))[-1].text
