"""What members do: list, join, leave, skip a run, pause for a while, resume."""

from __future__ import annotations

import re

from tests.features.checkins.conftest import STANDUP, answers, asked, checkins, questions, utc

OPT_IN = {**STANDUP, "roles": [], "name": "retro", "title": "Retro"}


async def test_skip_before_the_run_means_no_questions_that_day() -> None:
    async with checkins(start=utc(1, 5, 8), checkins=[STANDUP]) as h:
        await h.command("carol", "/checkin skip")
        assert "Daily standup" in h.last("carol").text
        await h.tick("1h")
        assert asked(h, "carol") == []
        assert len(asked(h, "dave")) == 1
        await h.tick("1d")
        assert len(asked(h, "carol")) == 1  # only that one run


async def test_skip_after_being_asked_stops_the_reminder() -> None:
    async with checkins(start=utc(1, 5, 8), checkins=[STANDUP]) as h:
        await h.tick("1h")
        await h.command("carol", "/checkin skip standup")
        await h.tick("3h")
        assert len(asked(h, "carol")) == 1
        assert len(asked(h, "dave")) == 2  # dave was reminded
        [skip] = await answers(h)
        assert skip.skipped and skip.run_key == "20260105T0900"


async def test_pause_and_resume() -> None:
    async with checkins(start=utc(1, 5, 8), checkins=[STANDUP]) as h:
        await h.command("carol", "/checkin pause 2w")
        assert "Paused Daily standup until" in h.last("carol").text
        await h.tick("7d")
        assert asked(h, "carol") == []
        await h.command("carol", "/checkin list")
        assert "paused until" in h.last("carol").text
        await h.command("carol", "/checkin resume")
        assert "Welcome back" in h.last("carol").text
        await h.tick("1d")
        assert len(questions(h, "carol")) == 1


async def test_a_pause_ends_by_itself() -> None:
    async with checkins(start=utc(1, 5, 8), checkins=[STANDUP]) as h:
        await h.command("carol", "/checkin pause 3d")
        await h.tick("3d")
        assert asked(h, "carol") == []
        await h.tick("1d")  # Thursday 09:00: the pause ended Thursday 08:00
        assert len(questions(h, "carol")) == 1


async def test_join_and_leave_an_opt_in_check_in() -> None:
    async with checkins(start=utc(1, 5, 8), checkins=[OPT_IN]) as h:
        await h.command("alice", "/checkin join retro")
        assert "You joined Retro" in h.last("alice").text
        await h.tick("1h")
        assert len(asked(h, "alice")) == 1
        assert asked(h, "carol") == []
        await h.command("alice", "/checkin leave retro")
        await h.tick("1d")
        assert len(questions(h, "alice")) == 1


async def test_a_member_can_leave_a_role_based_check_in() -> None:
    async with checkins(start=utc(1, 5, 8), checkins=[STANDUP]) as h:
        await h.command("carol", "/checkin leave standup")
        await h.tick("1h")
        assert asked(h, "carol") == []


async def test_list_shows_next_run_on_the_members_clock() -> None:
    async with checkins(start=utc(1, 5, 8), checkins=[STANDUP, OPT_IN]) as h:
        await h.command("carol", "/timezone Europe/Kyiv")
        await h.command("carol", "/checkin list")
        text = h.last("carol").text
        assert "Check-ins (2)" in text
        assert "Daily standup" in text and "You take part" in text
        assert "Europe/Kyiv" in text and "Tue, Jan 6, 09:00" in text  # Kyiv's 09:00 passed
        assert "/checkin join retro" in text


async def test_unknown_names_and_nothing_to_skip_are_explained() -> None:
    async with checkins(start=utc(1, 5, 8), checkins=[STANDUP]) as h:
        await h.command("carol", "/checkin join nope")
        assert "no check-in called 'nope'" in h.last("carol").text
        await h.command("alice", "/checkin skip")
        assert "You take part in no check-in" in h.last("alice").text
        await h.command("carol", "/checkin pause 400d")
        assert "hour to a year" in h.last("carol").text


async def test_a_person_on_two_platforms_is_asked_once_and_their_roles_count_everywhere() -> None:
    async with checkins(start=utc(1, 5, 8), checkins=[STANDUP]) as h:
        slack = await h.add_platform("slack", members=(("carol", ()),))
        out = await h.command("carol", "/link")
        found = re.search(r"/link ([A-Z0-9]{6})\b", out[0].text)
        assert found, out[0].text
        await h.on(slack, slack.command("carol", "general", f"/link {found.group(1)}"))
        listed = await h.on(slack, slack.command("carol", "general", "/checkin list"))
        assert "You take part (by DM)" in listed[-1].text  # the team role is on Discord
        await h.tick("1h")
        dms = len(questions(h, "carol")) + len(
            [p for p in slack.posts if p.dm_to is not None and "🗓️" in p.text]
        )
        assert dms == 1
