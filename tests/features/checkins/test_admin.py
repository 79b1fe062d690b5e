"""Admins make check-ins by command; the file's check-ins are mirrored and protected."""

from __future__ import annotations

from sqlalchemy import select

from bot.features.checkins.store import CheckinStore
from storage.schema import scheduled_jobs
from tests.features.checkins.conftest import STANDUP, checkins, questions, utc

CREATE = (
    '/checkin create retro "every friday at 4pm" "What went well?" "What to change?" '
    '--everyone --title "Weekly retro"'
)


async def test_create_by_command_then_run_and_summarise() -> None:
    async with checkins(start=utc(1, 9, 8)) as h:  # a Friday
        await h.command("alice", CREATE, channel="help")
        reply = h.last("alice").text
        assert "Check-in retro created" in reply and "2 questions" in reply
        assert "Every member is asked" in reply
        await h.tick("8h")  # 16:00 UTC
        for name in ("alice", "bob", "carol"):
            assert len(questions(h, name)) == 1
        await h.click("bob", "Answer")
        await h.submit("bob", q1="Pairing", q2="Fewer meetings")
        await h.tick("1d")  # the summary goes where the command was run, at 17:00
        summary = [p.text for p in h.in_channel("help") if "Weekly retro" in p.text]
        assert len(summary) == 1 and "Fewer meetings" in summary[0]


async def test_only_admins_create_and_bad_input_is_explained() -> None:
    async with checkins(start=utc(1, 9, 8)) as h:
        await h.command("carol", CREATE)
        assert "for admins only" in h.last("carol").text
        await h.command("alice", '/checkin create retro "sometimes" "Q?"')
        assert "every weekday 09:00" in h.last("alice").text
        await h.command("alice", '/checkin create Retro! "every day 9" "Q?"')
        assert "is not a name" in h.last("alice").text
        await h.command("alice", '/checkin create retro "every day 9" "Q?" --timezone Mars/Base')
        assert "unknown time zone" in h.last("alice").text
        await h.command("alice", CREATE)
        await h.command("alice", CREATE)
        assert "exists already" in h.last("alice").text


async def test_delete_removes_answers_and_jobs_but_not_config_check_ins() -> None:
    async with checkins(start=utc(1, 9, 8), checkins=[STANDUP]) as h:
        await h.command("alice", CREATE)
        await h.command("alice", "/checkin delete standup")
        assert "config file" in h.last("alice").text
        await h.command("alice", "/checkin delete retro")
        assert "deleted" in h.last("alice").text
        async with h.runtime.storage.unit_of_work() as uow:
            assert [c.name for c in await uow.get(CheckinStore).all()] == ["standup"]
        async with h.runtime.storage.connection() as conn:
            keys = (await conn.execute(select(scheduled_jobs.c.key))).scalars().all()
        assert not [k for k in keys if k.startswith("checkins:run:2:")]
        await h.tick("1d")
        assert not [t for t in questions(h, "alice") if "Retro" in t]


async def test_run_now_asks_everyone_at_once() -> None:
    async with checkins(start=utc(1, 10, 12), checkins=[STANDUP]) as h:  # a Saturday
        await h.command("alice", "/checkin run-now standup")
        assert "3 members asked" in h.last("alice").text
        for name in ("carol", "dave", "erin"):
            assert len(questions(h, name)) == 1
        await h.command("alice", "/checkin run-now standup")
        assert "0 members asked" in h.last("alice").text  # same minute, same run


async def test_removing_a_check_in_from_the_file_removes_it_at_the_next_sync(
    tmp_path: object,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/agora.db"
    async with checkins(start=utc(1, 5, 8), storage_url=url, checkins=[STANDUP]) as h:
        pass
    async with checkins(start=utc(1, 5, 8, 30), storage_url=url) as h:
        await h.tick("1h")
        assert questions(h, "carol") == []
        async with h.runtime.storage.unit_of_work() as uow:
            assert await uow.get(CheckinStore).all() == []


async def test_edit_changes_questions_and_schedule_and_keeps_answers() -> None:
    async with checkins(start=utc(1, 9, 8)) as h:  # a Friday
        await h.command("alice", CREATE)
        await h.tick("8h")  # asked at 16:00
        await h.click("carol", "Answer")
        await h.submit("carol", q1="a", q2="b")
        await h.command(
            "alice", '/checkin edit retro "One word for the week?" --schedule "every monday 10:00"'
        )
        assert "Check-in retro changed: Mon at 10:00" in h.last("alice").text
        await h.command("alice", "/checkin edit retro")
        assert "Nothing to change" in h.last("alice").text
        await h.command("alice", '/checkin edit retro --schedule "never ever"')
        assert "every weekday 09:00" in h.last("alice").text  # how to write one
        await h.tick("3d")  # Monday 10:00 UTC
        latest = questions(h, "carol")[-1]
        assert "One word for the week?" in latest and "Mon" in latest
        assert len(questions(h, "carol")) == 2  # nothing on Friday, nothing twice
        summary = [p.text for p in h.in_channel("general") if "📋" in p.text]
        assert summary and "a" in summary[0]  # Friday's answers kept for its summary


async def test_edit_refuses_config_check_ins() -> None:
    async with checkins(start=utc(1, 9, 8), checkins=[STANDUP]) as h:
        await h.command("alice", '/checkin edit standup --title "X"')
        assert "change it there" in h.last("alice").text
