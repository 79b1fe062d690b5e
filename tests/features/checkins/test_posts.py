"""Recurring posts: on schedule, filled in, once, and at the channel's busiest hour."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.features.checkins.posts import busiest_hour
from bot.ports import ActivityFact, ActivityLog, Directory
from bot.testing import Harness
from tests.features.checkins.conftest import checkins, utc

WEEKLY = {
    "name": "weekly",
    "schedule": "every monday 09:00",
    "channel": "general",
    "text": "Happy {weekday}! What are you working on in week {week} ({date})?",
}


def posted(h: Harness) -> list[str]:
    return [p.text for p in h.in_channel("general") if p.text.startswith("Happy")]


async def test_a_post_goes_out_on_schedule_with_its_template_filled() -> None:
    async with checkins(start=utc(1, 5, 8), posts=[WEEKLY]) as h:
        await h.tick("59m")
        assert posted(h) == []
        await h.tick("1m")
        assert posted(h) == ["Happy Monday! What are you working on in week 2 (January 5, 2026)?"]
        await h.tick("7d")
        assert len(posted(h)) == 2


async def test_the_template_speaks_the_community_language() -> None:
    async with checkins(start=utc(1, 5, 8), bot={"language": "nb"}, posts=[WEEKLY]) as h:
        await h.tick("1h")
        assert posted(h) == ["Happy mandag! What are you working on in week 2 (5. januar 2026)?"]


async def _busy(h: Harness, hour_utc: int, days: int = 20) -> None:
    """Posts in #general at one hour of the day over the last few weeks."""
    async with h.runtime.storage.unit_of_work() as uow:
        carol = await uow.get(Directory).get(h.ref("carol"))
        assert carol is not None
        now = h.clock.now()
        facts = [
            ActivityFact(
                carol.person_id,
                carol.ref,
                h.community.channel("general").ref.id,
                "message",
                (now - timedelta(days=d)).replace(hour=hour_utc, minute=10),
            )
            for d in range(1, days)
        ]
        await uow.get(ActivityLog).record(facts)


async def test_best_time_posts_at_the_busiest_hour_of_the_channel() -> None:
    best = {**WEEKLY, "best_time": True, "timezone": "Europe/Oslo"}
    async with checkins(start=utc(1, 4, 12), posts=[best]) as h:  # Sunday
        await _busy(h, 13)  # 14:00 in Oslo (CET)
        await h.tick("1h")  # the hourly sync (at :07) moves Monday's 09:00 post to 14:00
        await h.tick("23h59m")  # Monday 12:59 UTC: 09:00 Oslo passed without a post
        assert posted(h) == []
        await h.tick("1m")  # 14:00 in Oslo
        assert len(posted(h)) == 1
        await h.tick("6d")  # the slot went early once; the hourly sync never posts it again
        assert len(posted(h)) == 1


async def test_best_time_falls_back_to_the_schedule_without_activity() -> None:
    best = {**WEEKLY, "best_time": True}
    async with checkins(start=utc(1, 5, 8), posts=[best]) as h:
        await h.tick("1h")
        assert len(posted(h)) == 1


def test_the_busiest_hour_is_counted_on_the_local_clock_across_dst() -> None:
    oslo = ZoneInfo("Europe/Oslo")
    # 13:00 UTC is 14:00 in winter and 15:00 in summer: the local hours differ.
    hours = [(utc(3, 27, 13), 5), (utc(3, 30, 13), 3), (utc(3, 30, 12), 4)]
    assert busiest_hour(hours, oslo) == 14  # 5 + 4 posts at 14:00, 3 at 15:00
    assert busiest_hour([], oslo) is None


async def test_a_post_missed_within_the_grace_window_goes_once_after_a_restart(
    tmp_path: object,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/agora.db"
    async with checkins(start=utc(1, 5, 8), storage_url=url, posts=[WEEKLY]) as h:
        await h.tick("30m")
    async with checkins(start=utc(1, 5, 9, 20), storage_url=url, posts=[WEEKLY]) as h:
        await h.tick("1m")
        assert len(posted(h)) == 1
    async with checkins(start=utc(1, 5, 9, 30), storage_url=url, posts=[WEEKLY]) as h:
        await h.tick("2h")
        assert posted(h) == []
