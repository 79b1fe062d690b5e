"""Bridged channels: what a feature sends to one side appears on the other too."""

from __future__ import annotations

from bot.context import Context
from bot.model import Outgoing
from bot.registry import Feature
from bot.testing import Harness


def _announcer() -> Feature:
    feature = Feature("announcer")

    @feature.command("shout", help="announce")
    async def shout(ctx: Context) -> None:
        assert ctx.channel is not None
        await ctx.send_bridged(Outgoing("Big news", channel=ctx.channel.ref))

    return feature


async def test_announcement_reaches_both_platforms() -> None:
    config = {"bridges": [{"discord": "general", "slack": "announcements"}]}
    async with Harness(config=config, features=[_announcer()]) as h:
        discord = await h.add_platform("discord")
        slack = await h.add_platform("slack", channels=["general", "announcements"])
        got = await h.on(discord, discord.command("alice", "general", "/shout"))
        assert [p.text for p in got] == ["Big news"]
        mirrored = [p for p in slack.posts if p.text == "Big news"]
        assert len(mirrored) == 1 and mirrored[0].channel is not None
        assert mirrored[0].channel.name == "announcements"


async def test_unbridged_channels_and_missing_platforms_stay_local() -> None:
    config = {"bridges": [{"discord": "general", "slack": "general"}]}
    async with Harness(config=config, features=[_announcer()]) as h:
        discord = await h.add_platform("discord")
        await h.on(discord, discord.command("alice", "help", "/shout"))  # help is not bridged
        got = await h.on(discord, discord.command("alice", "general", "/shout"))
        assert [p.text for p in got] == ["Big news"]  # slack is not running: no error
