"""Leaderboards: periods, topics, ties, the caller's place, departed members, linked accounts."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.testing import Harness
from tests.features.kudos.conftest import kudos, points, public


async def give(h: Harness, giver: str, receiver: str, channel: str = "general") -> None:
    out = await h.command(giver, f"/kudos @{receiver}", channel=channel)
    assert public(out), [p.text for p in out]


async def board(h: Harness, who: str, line: str = "/leaderboard") -> str:
    out = await h.command(who, line)
    assert out[-1].ephemeral_to == h.ref(who)
    return out[-1].text


async def test_ties_share_a_place_and_the_next_place_is_skipped(h: Harness) -> None:
    await give(h, "alice", "bob")
    await give(h, "carol", "bob")
    await give(h, "alice", "carol")
    await give(h, "dave", "carol")
    await give(h, "alice", "dave")
    text = await board(h, "erin")
    assert text.splitlines()[:4] == [
        "🏆 Kudos leaderboard, last 7 days",
        "🥇 bob — 2 kudos",
        "🥇 carol — 2 kudos",
        "🥉 dave — 1 kudos",  # two golds, no silver: the next place is third
    ]
    assert "3 members received kudos. You have not received kudos in this period yet." in text


async def test_everyone_tied_at_the_last_place_is_shown_and_the_caller_sees_their_place() -> None:
    async with kudos(leaderboard_size=1) as h:
        await give(h, "alice", "bob")
        await give(h, "alice", "carol")
        await give(h, "bob", "dave")
        await give(h, "carol", "dave")
        await give(h, "dave", "erin")
        await give(h, "carol", "erin")
        await give(h, "dave", "alice")
        text = await board(h, "alice")
        lines = text.splitlines()
        assert lines[1:3] == ["🥇 dave — 2 kudos", "🥇 erin — 2 kudos"]
        assert "bob" not in text
        assert "You are #3 with 1 kudos." in text


async def test_periods_are_rolling_windows() -> None:
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    async with kudos(top={"start": start}) as h:
        await give(h, "alice", "bob")  # 20 days before the boards are read
        await h.tick("12d")
        await give(h, "alice", "carol")  # 8 days before
        await h.tick("5d")
        await give(h, "alice", "dave")  # 3 days before
        await h.tick("3d")
        week = await board(h, "erin", "/leaderboard week")
        month = await board(h, "erin", "/leaderboard month")
        ever = await board(h, "erin", "/leaderboard all")
        assert "dave" in week and "carol" not in week and "bob" not in week
        assert "dave" in month and "carol" in month and "bob" in month
        assert "last 30 days" in month and "all time" in ever
        assert all(name in ever for name in ("bob", "carol", "dave"))
        await h.tick("11d")
        month = await board(h, "erin", "/leaderboard month")
        assert "bob" not in month and "carol" in month


async def test_topic_boards_count_kudos_given_in_that_channel_or_its_topic() -> None:
    async with kudos(channel_topics={"help": "support"}) as h:
        await give(h, "alice", "bob", channel="help")
        await give(h, "alice", "carol", channel="general")
        support = await board(h, "erin", "/leaderboard all support")
        general = await board(h, "erin", "/leaderboard week #general")
        assert "for #support" in support and "bob" in support and "carol" not in support
        assert "carol" in general and "bob" not in general
        nothing = await board(h, "erin", "/leaderboard month nosuchtopic")
        assert "No kudos for #nosuchtopic in this period yet." in nothing


async def test_a_channel_name_means_its_topic() -> None:
    async with kudos(channel_topics={"help": "support"}) as h:
        await give(h, "alice", "bob", channel="help")
        for line in ("/leaderboard week help", "/leaderboard week #help"):
            text = await board(h, "erin", line)
            assert text.splitlines()[:2] == [
                "🏆 Kudos leaderboard for #support, last 7 days",
                "🥇 bob — 1 kudos",
            ], line


async def test_a_configured_topic_wins_over_a_channel_of_that_name() -> None:
    async with kudos(channel_topics={"help": "support", "questions": "help"}) as h:
        await give(h, "alice", "carol", channel="general")
        text = await board(h, "erin", "/leaderboard all help")
        assert "for #help" in text and "No kudos for #help yet." in text


async def test_a_single_word_that_is_no_period_is_the_topic() -> None:
    async with kudos(channel_topics={"help": "support"}) as h:
        await give(h, "alice", "bob", channel="help")
        text = await board(h, "erin", "/leaderboard support")
        assert text.splitlines()[:2] == [
            "🏆 Kudos leaderboard for #support, last 7 days",
            "🥇 bob — 1 kudos",
        ]
        typo = await board(h, "erin", "/leaderboard yesterday")
        assert "No kudos for #yesterday in this period yet." in typo
        assert "try /leaderboard week, month or all" in typo


async def test_a_bad_period_with_a_topic_gets_the_usage(h: Harness) -> None:
    out = await h.command("carol", "/leaderboard yesterday help")
    assert "'yesterday' is not one of: week, month, all" in out[-1].text
    assert "Usage: /leaderboard [week|month|all] [<topic>]" in out[-1].text


async def test_members_who_left_disappear_but_what_they_gave_still_counts(h: Harness) -> None:
    await give(h, "carol", "bob")
    await give(h, "carol", "dave")
    await give(h, "erin", "dave")
    await h.leave("carol")
    await h.leave("dave")
    text = await board(h, "alice", "/leaderboard all")
    assert "dave" not in text
    assert "🥇 bob — 1 kudos" in text  # carol left; her kudos to bob still count
    assert await points(h, "bob") == 1


async def test_empty_board_invites_to_give(h: Harness) -> None:
    text = await board(h, "carol")
    assert "No kudos in this period yet. Thank someone with /kudos @member!" in text
    text = await board(h, "carol", "/leaderboard all")
    assert "No kudos yet. Thank someone with /kudos @member!" in text


async def test_the_all_time_board_does_not_speak_of_a_period(h: Harness) -> None:
    await give(h, "alice", "bob")
    text = await board(h, "carol", "/leaderboard all")
    assert text.endswith("1 member received kudos. You have not received kudos yet.")
    text = await board(h, "carol", "/leaderboard month")
    assert text.endswith("You have not received kudos in this period yet.")


async def test_the_weekly_leaderboard_is_posted_on_monday_and_skipped_when_empty() -> None:
    start = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)  # a Monday, after the 09:00 post
    async with kudos(top={"start": start}) as h:
        posted = await h.tick("7d")  # Monday 12 January, 09:00: nothing to show
        assert [p for p in posted if "leaderboard" in p.text] == []
        await give(h, "alice", "bob")
        await give(h, "carol", "bob")
        await give(h, "alice", "dave")
        posted = await h.tick("7d")
        boards = [p for p in posted if "Kudos leaderboard" in p.text]
        assert len(boards) == 1
        assert boards[0].channel is not None and boards[0].channel.name == "general"
        assert boards[0].text.splitlines()[1:3] == ["🥇 bob — 2 kudos", "🥈 dave — 1 kudos"]
        assert "You" not in boards[0].text


async def test_the_weekly_post_follows_the_config() -> None:
    start = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    async with kudos(
        top={"start": start}, leaderboard_cron="0 17 * * FRI", leaderboard_channel="help"
    ) as h:
        await give(h, "alice", "bob")
        posted = await h.tick("4d8h")  # Friday 17:00 has passed
        boards = [p for p in posted if "Kudos leaderboard" in p.text]
        assert len(boards) == 1 and boards[0].channel is not None
        assert boards[0].channel.name == "help"
    async with kudos(top={"start": start}, leaderboard_cron="") as h:
        await give(h, "alice", "bob")
        assert not [p for p in await h.tick("8d") if "Kudos leaderboard" in p.text]


async def test_linked_accounts_are_one_person_on_the_board() -> None:
    async with kudos() as h:
        slack = await h.add_platform("slack")
        out = await h.command("bob", "/link")
        code = out[-1].text.split("Your link code is ")[1][:6]
        await h.on(slack, slack.command("bob", "general", f"/link {code}"))
        await give(h, "dave", "bob")
        posts = await h.on(slack, slack.command("carol", "general", "/kudos @bob on slack"))
        assert any("gave kudos to" in p.text for p in posts)
        assert await points(h, "bob") == 2
        text = await board(h, "alice", "/leaderboard all")
        assert "🥇 bob — 2 kudos" in text and "1 member received kudos." in text
        # One person, one allowance: bob giving on both platforms uses one allowance.
        await h.command("bob", "/kudos @erin")
        posts = await h.on(slack, slack.command("bob", "general", "/kudos @carol"))
        assert any("You have 3 kudos left today." in p.text for p in posts)


async def test_a_crowd_tied_at_the_last_place_is_listed_by_name_up_to_25() -> None:
    names = [f"m{i:02d}" for i in range(28, 0, -1)]  # joined in reverse name order
    members = [("alice", ("admin",)), *((n, ()) for n in names)]
    async with kudos(
        daily_allowance=0, leaderboard_size=3, top={"members": members, "channels": ["general"]}
    ) as h:
        await give(h, "m05", "m01")  # m01 alone at the top
        await give(h, "m06", "m01")
        for name in names:
            if name != "m01":
                await give(h, "alice", name)
        lines = (await board(h, "alice")).splitlines()
        assert lines[1] == "🥇 m01 — 2 kudos"
        # 27 tied at the second place: the first 25 by name, then how many more.
        assert lines[2:27] == [f"🥈 m{i:02d} — 1 kudos" for i in range(2, 27)]
        assert lines[27] == "…and 2 more members tied at this place."
