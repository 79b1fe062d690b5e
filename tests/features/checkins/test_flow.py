"""A check-in from the member's side: asked by DM, answers, reminders, the summary."""

from __future__ import annotations

from bot.context import Context, Work
from bot.ports import Directory
from tests.features.checkins.conftest import (
    STANDUP,
    answers,
    asked,
    checkins,
    deliveries,
    questions,
    utc,
)


async def test_members_are_asked_answer_and_the_summary_shows_it() -> None:
    # Monday 5 January 2026, 08:00 UTC; the community clock is UTC.
    async with checkins(start=utc(1, 5, 8), checkins=[STANDUP]) as h:
        await h.tick("59m")
        assert asked(h, "carol") == []
        await h.tick("1m")
        for name in ("carol", "dave", "erin"):
            assert len(asked(h, name)) == 1, name
        assert asked(h, "alice") == []  # not in the team
        assert "What did you do?" in asked(h, "carol")[0]

        await h.click("carol", "Answer")
        await h.submit("carol", q1="Shipped the @everyone release", q2="Docs")
        assert "answers" in h.last("carol").text.lower()
        await h.click("dave", "Skip this time")

        await h.tick("8h")  # 17:00: the summary
        summary = h.in_channel("general")[-1].text
        assert "Daily standup" in summary
        assert "1 of 3 members answered" in summary
        assert "Shipped the @\u200beveryone release" in summary  # echoed without pinging
        assert "Skipped: dave" in summary
        assert "No answer yet: erin" in summary


async def test_only_the_silent_are_reminded_once() -> None:
    async with checkins(start=utc(1, 5, 8), checkins=[STANDUP]) as h:
        await h.tick("1h")
        await h.click("carol", "Answer")
        await h.submit("carol", q1="a", q2="b")
        await h.click("dave", "Skip this time")
        await h.tick("2h")
        assert len(asked(h, "erin")) == 2
        assert "reminder" in asked(h, "erin")[1].lower()
        assert len(asked(h, "carol")) == 1
        assert len(asked(h, "dave")) == 1
        await h.tick("3h")
        assert len(asked(h, "erin")) == 2


async def test_a_late_answer_goes_to_the_summary_thread() -> None:
    async with checkins(start=utc(1, 5, 8), checkins=[STANDUP]) as h:
        await h.tick("9h")  # asked at 9, summary at 17
        summary = h.in_channel("general")[-1]
        await h.click("erin", "Answer")
        await h.submit("erin", q1="late but here", q2="x")
        late = [p for p in h.sent if p.thread_of == summary.ref]
        assert len(late) == 1 and "late but here" in late[0].text
        assert "thread" in h.last("erin").text


async def test_weekends_are_quiet_and_each_day_is_its_own_run() -> None:
    async with checkins(start=utc(1, 9, 8), checkins=[STANDUP]) as h:  # a Friday
        await h.tick("4d")  # Friday, Saturday, Sunday, Monday
        assert len([t for t in asked(h, "carol") if "🗓️" in t]) == 2
        keys = sorted({row.run_key for row in await deliveries(h)})
        assert keys == ["20260109T0900", "20260112T0900"]


async def test_an_empty_form_is_refused_and_nothing_is_stored() -> None:
    async with checkins(start=utc(1, 5, 8), checkins=[STANDUP]) as h:
        await h.tick("1h")
        await h.click("carol", "Answer")
        await h.submit("carol", q1=" ", q2="")
        assert "empty" in h.last("carol").text
        assert await answers(h) == []


async def test_a_channel_check_in_posts_once_and_anyone_answers() -> None:
    pulse = {
        "name": "pulse",
        "title": "Weekly pulse",
        "schedule": "every friday 15:00",
        "questions": ["How was your week?"],
        "delivery": "channel",
        "channel": "general",
        "summary_at": "18:00",
    }
    async with checkins(start=utc(1, 9, 8), checkins=[pulse]) as h:
        await h.tick("7h")
        posts = [p for p in h.in_channel("general") if "Weekly pulse" in p.text]
        assert len(posts) == 1
        assert h.dms("carol") == []
        await h.click("alice", "Answer")
        await h.submit("alice", q1="Great")
        threaded = [p for p in h.sent if p.thread_of == posts[0].ref]
        assert len(threaded) == 1 and "Great" in threaded[0].text
        await h.tick("3h")
        summary = h.in_channel("general")[-1].text
        assert "Great" in summary and "alice" in summary


async def test_the_home_tab_shows_when_each_check_in_asks_next() -> None:
    async with checkins(start=utc(1, 5, 7), checkins=[STANDUP]) as h:
        await h.command("carol", "/timezone Europe/Oslo")
        await h.command("dave", "/checkin pause 1w")
        runtime = h.runtime
        feature = runtime.registry.features["checkins"]
        (hook,) = feature.home_hooks
        shown = {}
        for name in ("carol", "dave", "alice"):
            async with runtime.storage.unit_of_work() as uow:
                member = await uow.get(Directory).get(h.ref(name))
                shown[name] = str(await hook(Context(Work(runtime, uow), feature, None, member)))
        assert "Daily standup — Next: Mon, Jan 5, 09:00 (Europe/Oslo)" in shown["carol"]
        assert "paused until" in shown["dave"]
        assert shown["alice"] == "[]"


async def test_nobody_asked_means_no_summary_and_an_answer_is_not_undone_by_skip() -> None:
    async with checkins(start=utc(1, 5, 8), checkins=[STANDUP]) as h:
        for name in ("carol", "dave", "erin"):
            await h.command(name, "/checkin pause 1d")
        await h.tick("10h")
        assert not [p for p in h.in_channel("general") if "📋" in p.text]
        await h.tick("15h")  # Tuesday 09:00
        await h.click("carol", "Answer")
        await h.submit("carol", q1="a", q2="b")
        await h.click("carol", "Skip this time")
        assert "answered this one already" in h.last("carol").text
        assert [a.skipped for a in await answers(h)] == [False]


async def test_a_channel_check_in_nobody_answered_gets_no_summary() -> None:
    pulse = {
        "name": "pulse",
        "title": "Weekly pulse",
        "schedule": "every friday 15:00",
        "questions": ["How was your week?"],
        "delivery": "channel",
        "channel": "general",
    }
    async with checkins(start=utc(1, 9, 8), checkins=[pulse]) as h:
        await h.tick("12h")
        assert len([p for p in h.in_channel("general") if "Weekly pulse" in p.text]) == 1
        assert not [p for p in h.in_channel("general") if "📋" in p.text]


async def test_no_reminder_after_the_summary_and_none_when_turned_off() -> None:
    late = {**STANDUP, "remind_after": "10h"}  # 19:00, after the 17:00 summary
    never = {**STANDUP, "name": "quiet", "title": "Quiet", "remind_after": ""}
    async with checkins(start=utc(1, 5, 8), checkins=[late, never]) as h:
        await h.tick("12h")
        assert [t for t in asked(h, "carol") if "⏰" in t] == []
        assert len(questions(h, "carol")) == 2
