"""Per-member rate limits: refuse politely once, then quietly, and recover."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.model import Ref
from bot.ratelimit import RateLimiter
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
