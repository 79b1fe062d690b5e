"""Recurring polls: posted on a cron schedule, one persisted job per occurrence."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.testing import Harness

EVERY = '/poll every "0 9 * * MON" "What should we discuss?" "Roadmap" "Events" --closes 2d'


def polls(h: Harness) -> list[str]:
    return [p.text for p in h.sent if p.text.startswith("📊 Poll #")]


async def test_recurring_poll_is_posted_every_week_and_closes() -> None:
    async with Harness() as h:  # Monday 2026-01-05 09:00 UTC
        out = await h.command("bob", EVERY)
        assert "Recurring poll R1 is set" in out[0].text
        assert "first on Mon, Jan 12 09:00 (UTC)" in out[0].text
        assert polls(h) == []
        await h.tick("7d")
        assert len(polls(h)) == 1 and "Asked by bob." in polls(h)[0]
        await h.click("carol", "Events")
        await h.tick("2d")
        assert any(p.text.startswith("📊 Results of poll #1") for p in h.sent)
        await h.tick("5d")
        assert len(polls(h)) == 2
        out = await h.command("carol", "/poll list")
        assert "R1 “What should we discuss?” on cron 0 9 * * MON (UTC)" in out[0].text
        out = await h.command("bob", "/poll stop R1")
        assert "Recurring poll R1 is stopped." in out[0].text
        await h.tick("14d")
        assert len(polls(h)) == 2
        out = await h.command("bob", "/poll stop R1")
        assert "There is no running recurring poll R1" in out[0].text


async def test_schedule_follows_the_creators_time_zone() -> None:
    async with Harness() as h:
        await h.command("bob", "/timezone Europe/Riga")
        out = await h.command("bob", EVERY)
        assert "first on Mon, Jan 12 09:00 (Europe/Riga)" in out[0].text
        await h.tick("6d21h59m")  # 07:00 UTC is 09:00 in Riga
        assert polls(h) == []
        await h.tick("1m")
        assert len(polls(h)) == 1


async def test_recurring_polls_survive_a_restart_and_catch_up_once(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'agora.db'}"
    async with Harness(storage_url=url) as first:
        await first.command("bob", EVERY)
        start = first.clock.now()
    # Back on Tuesday Jan 20: the Mondays Jan 12 and Jan 19 were missed.
    async with Harness(storage_url=url, start=start + timedelta(days=15)) as second:
        await second.tick("1m")  # one catch-up poll, not two
        assert len(polls(second)) == 1
        await second.tick("5d23h")  # …and the schedule carries on: Monday Jan 26
        assert len(polls(second)) == 1
        await second.tick("1h")
        assert len(polls(second)) == 2


async def test_recurring_poll_mistakes() -> None:
    async with Harness() as h:
        out = await h.command("carol", EVERY)
        assert "for moderators only" in out[0].text
        out = await h.command("bob", '/poll every "every monday" "Q?" "A" "B"')
        assert "'every monday' is not a schedule" in out[0].text
        out = await h.command("bob", '/poll every "0 9 * * MON" "Q?" "A" "B" --closes 2026-02-01')
        assert "--closes takes a duration such as 1d" in out[0].text
        out = await h.command("bob", "/poll every")
        assert "Start with the schedule in quotes" in out[0].text
        out = await h.command("bob", '/poll every "0 9 * * MON" "Q?" "A"')
        assert "at least two options" in out[0].text
