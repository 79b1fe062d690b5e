"""Check-ins asking onboarding segments: members who answered the questionnaire so.

The questionnaire has one question: "I write code" and "I write docs" share the named
segment `developers`; "I design" names none, so its segment is `work:design`.
"""

from __future__ import annotations

from typing import Any

from bot.testing import Harness
from tests.features.checkins.conftest import MEMBERS, STANDUP, questions, utc

ONBOARDING: dict[str, Any] = {
    "mentors": False,
    "questions": [
        {
            "id": "work",
            "text": "What do you do?",
            "options": [
                {"id": "code", "label": "I write code", "segment": "developers"},
                {"id": "design", "label": "I design"},
                {"id": "docs", "label": "I write docs", "segment": "developers"},
            ],
        }
    ],
}
DEVELOPERS = {**STANDUP, "roles": [], "segments": ["developers"]}
MONDAY = utc(1, 5, 8)  # 08:00 UTC; the standup asks at 09:00


def community(*checkins: dict[str, Any], onboarding: dict[str, Any] | None = None) -> Harness:
    config = {
        "features": {
            "checkins": {"checkins": list(checkins)},
            "onboarding": ONBOARDING if onboarding is None else onboarding,
        }
    }
    return Harness(config=config, members=MEMBERS, start=MONDAY)


async def answer(h: Harness, name: str, label: str) -> None:
    """`name` (an existing member) answers the questionnaire with /profile edit."""
    await h.command(name, "/profile edit")
    await h.click(name, label)


async def team(h: Harness) -> None:
    await answer(h, "carol", "I write code")
    await answer(h, "dave", "I design")
    await answer(h, "erin", "I write docs")


def asked_now(h: Harness) -> list[str]:
    return [name for name, _roles in MEMBERS if questions(h, name)]


async def test_only_members_of_the_segment_get_the_dm() -> None:
    async with community(DEVELOPERS) as h:
        await team(h)
        await h.tick("1h")
        assert asked_now(h) == ["carol", "erin"]  # dave designs, bob never answered


async def test_own_choices_win_over_the_segment() -> None:
    async with community(DEVELOPERS) as h:
        await team(h)
        await h.command("dave", "/checkin join standup")
        await h.command("erin", "/checkin leave standup")
        await h.tick("1h")
        assert asked_now(h) == ["carol", "dave"]


async def test_roles_and_segments_add_up() -> None:
    mixed = {**STANDUP, "roles": ["moderator"], "segments": ["work:design"]}
    async with community(mixed) as h:
        await team(h)
        await h.tick("1h")
        assert asked_now(h) == ["bob", "dave"]


async def test_a_changed_answer_moves_the_member_at_the_next_run() -> None:
    async with community(DEVELOPERS) as h:
        await team(h)
        await h.tick("1h")
        await answer(h, "carol", "I design")
        await h.tick("1d")  # Tuesday's run
        assert (len(questions(h, "carol")), len(questions(h, "erin"))) == (1, 2)


async def test_list_shows_the_segments_and_who_takes_part() -> None:
    async with community(DEVELOPERS) as h:
        await team(h)
        erin = (await h.command("erin", "/checkin list"))[-1].text
        assert "Asks members in the segment developers." in erin
        assert "You take part (by DM)." in erin
        dave = (await h.command("dave", "/checkin list"))[-1].text
        assert "You are not in it. /checkin join standup adds you." in dave
        skipped = await h.command("erin", "/checkin skip")  # hers through the segment
        assert "Skipped: Daily standup" in skipped[-1].text


async def test_create_by_command_with_segments() -> None:
    async with community() as h:
        await team(h)
        out = await h.command(
            "alice",
            '/checkin create pulse "every day 10:00" "How is it going?" '
            "--segment developers,work:design --role moderator",
        )
        reply = out[-1].text
        assert "Check-in pulse created" in reply
        assert "Members with the role moderator or in the segment developers, work:design" in reply
        out = await h.command("alice", "/checkin run-now pulse")
        assert "4 members asked" in h.answer(out, "alice").text  # bob, carol, dave, erin
        assert not questions(h, "alice")


async def test_create_refuses_an_unknown_segment_kindly() -> None:
    async with community() as h:
        out = await h.command(
            "alice", '/checkin create pulse "every day 10:00" "How is it going?" --segment devs'
        )
        assert "There is no segment 'devs'. Segments: developers, work:design." in out[-1].text
        assert out[-1].ephemeral_to == h.ref("alice")
        out = await h.command("alice", "/checkin list")
        assert "There are no check-ins yet" in out[-1].text


async def test_segments_need_onboarding() -> None:
    async with community(onboarding={"enabled": False}) as h:
        out = await h.command(
            "alice", '/checkin create pulse "every day 10:00" "Q?" --segment developers'
        )
        assert "Segments come from the onboarding questionnaire, which is off here" in (
            out[-1].text
        )


async def test_edit_changes_and_clears_the_segments() -> None:
    async with community() as h:
        await team(h)
        await h.command("alice", '/checkin create pulse "every day 10:00" "Q?" --segment devs,x')
        await h.command("alice", '/checkin create pulse "every day 10:00" "Q?" --everyone')
        await h.command("alice", '/checkin create sync "every day 10:00" "Q?"')
        await h.command("alice", "/checkin edit sync --segment work:design")
        assert "Check-in sync changed" in h.last("alice").text
        assert "in the segment work:design" in (await h.command("dave", "/checkin list"))[-1].text
        await h.command("alice", "/checkin edit sync --segment nobody")
        assert "There is no segment 'nobody'" in h.last("alice").text
        await h.command("alice", '/checkin edit sync --segment ""')
        out = await h.command("dave", "/checkin list")
        assert "segment" not in out[-1].text
        assert "You are not in it" in out[-1].text
