"""The weekly digest: last Monday-to-Sunday week with the change from the week before."""

from __future__ import annotations

from tests.features.metrics.conftest import line, metrics, plain


async def test_digest_posts_last_week_with_week_over_week_change() -> None:
    async with metrics(digest_channel="#general") as h:
        await h.say("carol", "first week, one")  # Mon Jan 5
        await h.tick("1d")
        await h.say("carol", "first week, two")
        await h.tick("6d")  # Mon Jan 12 09:00: the digest of Jan 5–11
        for word in ("a", "b", "c"):
            await h.say("bob", f"second week {word}")
        await h.tick("7d")  # Mon Jan 19 09:00: the digest of Jan 12–18
        digests = [plain(p.text) for p in h.in_channel("general") if "Weekly digest" in p.text]
    assert len(digests) == 2
    first, second = digests
    assert "Jan 5 – 11, 2026" in first
    assert line(first, "Messages:").startswith("Messages: 2 ")
    assert "Jan 12 – 18, 2026" in second
    assert line(second, "Messages:").startswith("Messages: 3 (+50%)")
    # Active members: carol the first week, bob the second: no change.
    assert line(second, "Active members:").startswith("Active members: 1 (+0%)")


async def test_digest_shows_the_change_of_every_headline() -> None:
    """Week of Jan 5: carol posts twice, dave reacts, a question answered in 30 minutes.
    Week of Jan 12: bob posts three times, erin once, a question answered in an hour."""
    async with metrics(digest_channel="general") as h:
        await h.say("carol", "first week, one")
        await h.react("dave", 1, "👍")
        asked = await h.command("carol", "/ask How do I reset my password? It fails")
        await h.tick("30m")
        await h.say("bob", "Use the reset link", thread_of=asked[0].number)
        await h.tick("1d")
        await h.say("carol", "first week, two")
        await h.tick("6d")  # Mon Jan 12 09:00: the first digest; then the second week
        for word in ("a", "b", "c"):
            await h.say("bob", f"second week {word}")
        asked = await h.command("dave", "/ask Where are the meeting notes kept?")
        await h.tick("1h")
        await h.say("erin", "In the wiki", thread_of=asked[0].number)
        await h.tick("7d")
        second = [plain(p.text) for p in h.in_channel("general") if "Weekly digest" in p.text][-1]
    # Actives: carol, dave, bob 3 → bob, erin 2 (dave asked: a command, not activity).
    # Person-days 4 → 2 over 7 days: DAU 0.6 → 0.3. MAU 3 → 4: DAU/MAU 19 % → 7 %.
    assert line(second, "Active members:") == (
        "Active members: 2 (−33%) · DAU 0.3 (−50%) · WAU 2 · MAU 4 · DAU/MAU 7% (−12 pts)"
    )
    # Posters carol, bob → bob, erin: 40 % of 5 both weeks; 4 interactions both weeks
    # (2 messages, a reaction and a reply; then 3 messages and a reply).
    assert line(second, "Contributors:") == (
        "Contributors: 2 (+0%) · 40% of members (0 pts) · interactions per member: 0.8 (+0%)"
    )
    assert line(second, "Messages:") == (
        "Messages: 3 (+50%) · replies 1 (+0%) · reactions 0 (−100%)"
    )
    assert "Time to first answer (median) 60 min (+100%)" in line(second, "Questions:")


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
    digests = [plain(p.text) for p in h.sent if "Weekly digest" in p.text]
    assert len(digests) == 1 and "Jan 5 – 11, 2026" in digests[0]
