"""Per-person rate limits on commands and clicks: refuse politely once, then quietly,
and recover; linked accounts share one allowance; a reload keeps the windows."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.config import load_config
from bot.context import Context
from bot.model import Button, ButtonPressed, Buttons, Ref
from bot.ratelimit import RateLimiter
from bot.registry import Feature
from bot.testing import Harness

T0 = datetime(2026, 1, 1, tzinfo=UTC)
ME = Ref("memory", "test", "u-carol")


def test_window_slides() -> None:
    limiter = RateLimiter(2)
    assert limiter.check(ME, T0).allowed
    assert limiter.check(ME, T0 + timedelta(seconds=10)).allowed
    refused = limiter.check(ME, T0 + timedelta(seconds=20))
    assert not refused.allowed and refused.tell and refused.retry_after == timedelta(seconds=40)
    assert not limiter.check(ME, T0 + timedelta(seconds=30)).tell
    assert limiter.check(ME, T0 + timedelta(seconds=60)).allowed
    assert limiter.check(Ref("memory", "test", "u-bob"), T0).allowed


def test_zero_means_unlimited() -> None:
    limiter = RateLimiter(0)
    assert all(limiter.check(ME, T0).allowed for _ in range(1000))


async def test_the_flood_is_refused_once_and_others_are_unaffected() -> None:
    async with Harness(config={"limits": {"commands_per_minute": 3}}) as h:
        for _ in range(3):
            await h.command("carol", "/help")
        out = await h.command("carol", "/help")
        assert "going a bit fast" in out[0].text and out[0].ephemeral_to == h.ref("carol")
        assert await h.command("carol", "/help") == []
        assert (await h.command("bob", "/help"))[0].text.startswith("Commands")
        await h.tick("1m")
        assert (await h.command("carol", "/help"))[0].text.startswith("Commands")


def _clicker() -> Feature:
    """`/panel` shows a button; each press says "pressed"."""
    feature = Feature("panel")

    @feature.command("panel", help="panel")
    async def panel(ctx: Context) -> None:
        await ctx.reply("panel", blocks=(Buttons((Button("panel:press", "Press"),)),))

    @feature.button("press")
    async def press(ctx: Context, event: ButtonPressed) -> None:
        await ctx.reply("pressed", ephemeral=True)

    return feature


async def test_clicks_have_a_limit_of_their_own() -> None:
    limits = {"commands_per_minute": 0, "clicks_per_minute": 3}
    async with Harness(config={"limits": limits}, features=[_clicker()]) as h:
        await h.command("alice", "/panel")
        for _ in range(3):
            assert [p.text for p in await h.click("carol", "Press")] == ["pressed"]
        out = await h.click("carol", "Press")
        assert "going a bit fast" in out[0].text and out[0].ephemeral_to == h.ref("carol")
        assert await h.click("carol", "Press") == []  # told once, then silence
        assert [p.text for p in await h.click("bob", "Press")] == ["pressed"]
        await h.tick("1m")
        assert [p.text for p in await h.click("carol", "Press")] == ["pressed"]


async def test_linked_accounts_share_one_allowance() -> None:
    """carol on Discord and carol on Slack are one person: switching platform does not
    double her commands."""
    async with Harness(config={"limits": {"commands_per_minute": 3}}) as h:
        discord = await h.add_platform("discord")
        slack = await h.add_platform("slack")
        got = await h.on(discord, discord.command("carol", "general", "/link"))
        code = re.search(r"code is (\w+)", got[-1].text)
        assert code, got[-1].text
        await h.on(slack, slack.command("carol", "general", f"/link {code.group(1)}"))
        # /link used one on each account, before they were one person. Now two more,
        # one per platform, fill the person's three; a fourth is refused on either side.
        for community in (slack, discord):
            answer = await h.on(community, community.command("carol", "general", "/help"))
            assert answer[0].text.startswith("Commands")
        refused = await h.on(slack, slack.command("carol", "general", "/help"))
        assert "going a bit fast" in refused[0].text
        assert await h.on(discord, discord.command("carol", "general", "/help")) == []
        # bob on Discord is another person, with his own allowance.
        answer = await h.on(discord, discord.command("bob", "general", "/help"))
        assert answer[0].text.startswith("Commands")


async def test_a_reload_keeps_everyones_window(tmp_path: Path) -> None:
    file = tmp_path / "agora.toml"
    file.write_text("[limits]\ncommands_per_minute = 2\n", encoding="utf-8")
    async with Harness(config=load_config(file)) as h:
        assert h.app is not None
        for _ in range(2):
            await h.command("carol", "/help")
        file.write_text("[limits]\ncommands_per_minute = 2\nclicks_per_minute = 5\n", "utf-8")
        assert await h.app.reload() == []
        assert h.app.dispatcher.click_limiter.limit == 5
        out = await h.command("carol", "/help")
        assert "going a bit fast" in out[0].text  # her two commands still count
