"""After a restart every schedule is re-armed; two instances never ask anyone twice."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter

import pytest

from bot.testing import Harness
from tests.features.checkins.conftest import STANDUP, asked, checkins, deliveries, utc


def _up(db_url: str, start_hour: int, start_minute: int = 0, **extra: object) -> Harness:
    return checkins(
        start=utc(1, 5, start_hour, start_minute),
        storage_url=db_url,
        checkins=[STANDUP],
        grace="1h",
        **extra,
    )


async def test_a_run_missed_within_the_grace_window_is_made_up_once(db_url: str) -> None:
    async with _up(db_url, 8) as h:
        await h.tick("30m")  # armed for 09:00, then down at 08:30
    async with _up(db_url, 9, 40) as h:  # back at 09:40
        await h.tick("1m")
        assert len(asked(h, "carol")) == 1
        assert {r.sent_at for r in await deliveries(h)} == {utc(1, 5, 9, 40)}
    async with _up(db_url, 10) as h:  # and again: nothing is asked twice
        await h.tick("1h")
        assert asked(h, "carol") == []
        assert len(await deliveries(h)) == 3


async def test_a_run_missed_beyond_the_grace_window_is_skipped_and_logged(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with _up(db_url, 8) as h:
        await h.tick("30m")
    with caplog.at_level(logging.WARNING, logger="bot.features.checkins.runs"):
        async with _up(db_url, 11) as h:  # two hours late
            await h.tick("1m")
            assert asked(h, "carol") == []
            assert "beyond the grace window" in caplog.text
            await h.tick("22h")  # Tuesday 09:00 comes as usual
            assert len(asked(h, "carol")) == 1


async def test_a_summary_due_while_down_is_posted_after_the_restart(db_url: str) -> None:
    async with _up(db_url, 8) as h:
        await h.tick("2h")
        await h.click("carol", "Answer")
        await h.submit("carol", q1="done", q2="next")
    async with _up(db_url, 17, 30) as h:
        await h.tick("1m")
        summary = [p.text for p in h.in_channel("general") if "Daily standup" in p.text]
        assert len(summary) == 1 and "done" in summary[0]


TEAM = tuple((f"m{n}", ("team",)) for n in range(45))


@pytest.mark.backends("postgresql")
async def test_two_instances_ask_each_member_once_and_summarise_once(db_url: str) -> None:
    paced = {"dms_per_second": 20, "members": TEAM}
    # The second instance starts once the first has armed today's run.
    async with (
        _up(db_url, 8, bot={"instance_id": "one"}, **paced) as one,
        _up(db_url, 8, bot={"instance_id": "two"}, **paced) as two,
    ):
        both = (one, two)
        assert all(h.app.scheduler.pending_count >= 1 for h in both)  # both armed 09:00
        await asyncio.gather(*(h.tick("1h") for h in both))  # 09:00: both race for it
        await asyncio.gather(*(h.app.scheduler.refresh() for h in both))  # paced batches
        await asyncio.gather(*(h.tick("1m") for h in both))
        await asyncio.gather(*(h.tick("7h58m") for h in both))
        await asyncio.gather(*(h.app.scheduler.refresh() for h in both))  # the summary
        await asyncio.gather(*(h.tick("5m") for h in both))
        asked_by = Counter(
            (h.runtime.instance_id, name)
            for h in both
            for name, _roles in TEAM
            for text in asked(h, name)
            if "🗓️" in text
        )
        per_member = Counter(name for (_instance, name) in asked_by.elements())
        assert per_member == Counter({name: 1 for name, _roles in TEAM})
        summaries = [p for h in both for p in h.in_channel("general") if "Daily standup" in p.text]
        assert len(summaries) == 1
        rows = await deliveries(one)
        assert len(rows) == 45 and all(r.sent_at is not None for r in rows)
        assert {r.batch for r in rows} == {0, 1, 2}
