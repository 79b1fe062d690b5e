"""Invites on Discord: a tracked link per member, use counts read back for attribution."""

from __future__ import annotations

from datetime import timedelta

import pytest
from discord_kit import GUILD, Bot
from fake_discord import IDS

from adapters.discord.port import CAPABILITIES
from bot.model import Capability, Ref
from bot.ports import PlatformRefused

GENERAL = Ref("discord", GUILD, IDS["channels"]["general"])


async def test_invites_are_a_declared_capability(bot: Bot) -> None:
    assert Capability.INVITES in CAPABILITIES
    assert Capability.INVITES in bot.adapter.port.capabilities


async def test_an_invite_is_created_with_its_limits_and_its_uses_read_back(bot: Bot) -> None:
    port = bot.adapter.port
    invite = await port.create_invite(GENERAL, max_age=timedelta(days=7), max_uses=10)
    [call] = bot.fake.sent("POST", rf"/channels/{IDS['channels']['general']}/invites")
    assert call.body["max_age"] == 7 * 86400
    assert call.body["max_uses"] == 10
    assert call.body["unique"] is True
    assert invite.url.endswith(invite.code)
    bot.fake.invites[invite.code]["uses"] = 3
    assert (await port.invite_uses(GUILD))[invite.code] == 3


async def test_an_invite_without_limits_never_expires(bot: Bot) -> None:
    await bot.adapter.port.create_invite(GENERAL, max_age=None, max_uses=0)
    [call] = bot.fake.sent("POST", r"/channels/\d+/invites")
    assert call.body["max_age"] == 0 and call.body["max_uses"] == 0


async def test_missing_manage_server_permission_is_a_sentence(bot: Bot) -> None:
    bot.fake.refuse("GET", r"/guilds/\d+/invites")
    with pytest.raises(PlatformRefused, match="lacks a permission"):
        await bot.adapter.port.invite_uses(GUILD)
