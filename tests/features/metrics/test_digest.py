"""The weekly digest: last Monday-to-Sunday week with the change from the week before."""

from __future__ import annotations

from tests.features.metrics.conftest import line, metrics


async def test_digest_posts_last_week_with_week_over_week_change() -> None:
    async with metrics(digest_channel="#general") as h:
        await h.say("carol", "first week, one")  # Mon Jan 5
        await h.tick("1d")
        await h.say("carol", "first week, two")
        await h.tick("6d")  # Mon Jan 12 09:00: the digest of Jan 5–11
        for word in ("a", "b", "c"):
            await h.say("bob", f"second week {word}")
        await h.tick("7d")  # Mon Jan 19 09:00: the digest of Jan 12–18
        digests = [p.text for p in h.in_channel("general") if "Weekly digest" in p.text]
    assert len(digests) == 2
    first, second = digests
    assert "2026-01-05 – 2026-01-11" in first
    assert line(first, "Messages:").startswith("Messages: 2 ")
    assert "2026-01-12 – 2026-01-18" in second
    assert line(second, "Messages:").startswith("Messages: 3 (+50%)")
    # Active members: carol the first week, bob the second: no change.
    assert line(second, "Active members:").startswith("Active members: 1 (+0%)")


async def test_no_digest_without_a_channel() -> None:
    async with metrics() as h:
        await h.say("carol", "hello")
        await h.tick("8d")
    assert not [p for p in h.sent if "Weekly digest" in p.text]


async def test_digest_follows_the_configured_schedule() -> None:
    async with metrics(digest_channel="general", digest_cron="0 18 * * FRI") as h:
        await h.say("carol", "hello")
        await h.tick("11d")  # Friday Jan 16, 09:00: not on Monday, not yet today
        assert not [p for p in h.sent if "Weekly digest" in p.text]
        await h.tick("10h")
    digests = [p.text for p in h.sent if "Weekly digest" in p.text]
    assert len(digests) == 1 and "2026-01-05 – 2026-01-11" in digests[0]
