"""Answers are personal data: exported on request, erased on forget; rates for metrics."""

from __future__ import annotations

import json

from bot.context import Context, Work
from bot.features.checkins.handlers import feature
from bot.stats import Window
from bot.testing import Harness
from tests.features.checkins.conftest import STANDUP, answers, checkins, deliveries, utc


async def _answered(h: Harness) -> None:
    await h.tick("1h")
    await h.click("carol", "Answer")
    await h.submit("carol", q1="Wrote the migration", q2="Tests")
    await h.command("dave", "/checkin skip")
    await h.command("erin", "/checkin pause 1w")


async def test_export_holds_answers_skips_and_pauses() -> None:
    async with checkins(start=utc(1, 5, 8), checkins=[STANDUP]) as h:
        await _answered(h)
        await h.command("carol", "/mydata export")
        data = json.loads(h.dms("carol")[-1].attachments[0].data)
        mine = data["features"]["checkins"]
        assert mine["answers"] == [
            {
                "checkin": "standup",
                "run": "20260105T0900",
                "skipped": False,
                "answers": ["Wrote the migration", "Tests"],
                "at": "2026-01-05T09:00:00+00:00",
            }
        ]
        await h.command("erin", "/mydata export")
        data = json.loads(h.dms("erin")[-1].attachments[0].data)
        assert data["features"]["checkins"]["memberships"][0]["paused_until"].startswith(
            "2026-01-12"
        )


async def test_forget_erases_answers_and_deliveries() -> None:
    async with checkins(start=utc(1, 5, 8), checkins=[STANDUP]) as h:
        await _answered(h)
        carol = h.ref("carol")
        await h.command("carol", "/mydata forget")
        await h.click("carol", "Forget me")
        assert all(r.member_ref != str(carol) for r in await deliveries(h))
        assert [a.skipped for a in await answers(h)] == [True]  # dave's skip stays


async def test_response_rate_for_metrics() -> None:
    async with checkins(start=utc(1, 5, 8), checkins=[STANDUP]) as h:
        await _answered(h)
        async with h.runtime.storage.unit_of_work() as uow:
            ctx = Context(Work(h.runtime, uow), feature, None)
            figures = await feature.stats_hooks[0](ctx, Window(utc(1, 5), utc(1, 6)))
        values = {f.key: f.value for f in figures}
        assert values == {
            "checkins_sent": 3,
            "checkins_answered": 1,
            "checkins_skipped": 1,
            "checkins_response_rate": 33.3,
        }
        async with h.runtime.storage.unit_of_work() as uow:
            ctx = Context(Work(h.runtime, uow), feature, None)
            empty = await feature.stats_hooks[0](ctx, Window(utc(2, 1), utc(2, 2)))
        assert {f.key: f.value for f in empty}["checkins_response_rate"] is None
