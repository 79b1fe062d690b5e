"""Polls: creating, voting (single and multi), live counts, closing, results, listing."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.memory.community import Posted
from bot.model import Buttons
from bot.testing import Harness

POLL = '/poll "Lunch on Friday?" "Pizza" "Soup" "Salad"'


def poll_post(h: Harness, poll_id: int = 1) -> Posted:
    """The poll message as members see it now (after edits)."""
    for posted in h.sent:
        if posted.text.startswith((f"📊 Poll #{poll_id}:", f"🧠 Quiz #{poll_id}:")):
            return posted
    raise AssertionError(f"poll #{poll_id} was not posted")


def said(out: list[Posted]) -> str:
    return "\n".join(p.text for p in out)


def config(**polls: Any) -> dict[str, Any]:
    return {"features": {"polls": polls}}


async def test_poll_is_posted_with_a_button_per_option() -> None:
    async with Harness() as h:
        out = await h.command("alice", POLL + " --closes 2d")
        posted = poll_post(h)
        assert posted.channel is not None and posted.channel.name == "general"
        assert [b.label for b in posted.buttons] == ["Pizza", "Soup", "Salad"]
        assert "0 voters" in posted.text and "closes Wed, Jan 7 09:00 (UTC)" in posted.text
        confirmation = out[-1]
        assert confirmation.ephemeral_to == h.ref("alice")
        assert "Poll #1 is up in #general" in confirmation.text


async def test_vote_change_and_take_back_in_a_single_choice_poll() -> None:
    async with Harness() as h:
        await h.command("alice", POLL)
        out = await h.click("carol", "Pizza")
        assert "You voted “Pizza” in poll #1." in out[0].text
        assert out[0].ephemeral_to == h.ref("carol")
        assert "1. Pizza  ██████████ 1 · 100%" in poll_post(h).text
        assert poll_post(h).edited
        await h.click("carol", "Soup")  # change: one vote, now for Soup
        text = poll_post(h).text
        assert "1. Pizza  ░░░░░░░░░░ 0 · 0%" in text
        assert "2. Soup  ██████████ 1 · 100%" in text and "1 voter " in text
        out = await h.click("carol", "Soup")  # the same option again takes it back
        assert "You took back your vote in poll #1." in out[0].text
        assert "0 voters" in poll_post(h).text


async def test_multi_choice_toggles_each_option() -> None:
    async with Harness() as h:
        await h.command("alice", POLL + " --multi")
        await h.click("carol", "Pizza")
        out = await h.click("carol", "Salad")
        assert "Your choices in poll #1: Pizza, Salad." in out[0].text
        await h.click("bob", "Salad")
        text = poll_post(h).text
        assert "2 voters" in text and "several choices" in text
        assert "3. Salad  ██████████ 2 · 100%" in text  # share of voters, not of votes
        assert "1. Pizza  █████░░░░░ 1 · 50%" in text
        out = await h.click("carol", "Pizza")
        assert "Your choices in poll #1: Salad." in out[0].text
        await h.click("carol", "Salad")
        out = await h.click("bob", "Salad")
        assert "You took back all your choices in poll #1." in out[0].text
        assert "0 voters" in poll_post(h).text


async def test_hidden_poll_shows_only_how_many_voted_until_it_closes() -> None:
    async with Harness() as h:
        await h.command("alice", POLL + " --hidden --closes 1d")
        await h.click("carol", "Pizza")
        await h.click("bob", "Pizza")
        text = poll_post(h).text
        assert "2 voters" in text and "Results are shown when the poll closes." in text
        assert "█" not in text
        out = await h.command("carol", "/poll results 1")
        assert "shown when it closes" in out[0].text
        out = await h.command("alice", "/poll results 1")  # the creator may peek
        assert "1. Pizza  ██████████ 2 · 100%" in out[0].text
        await h.tick("1d")
        assert "1. Pizza  ██████████ 2 · 100%" in poll_post(h).text


async def test_live_results_off_hides_counts_everywhere() -> None:
    async with Harness(config=config(live_results=False)) as h:
        await h.command("alice", POLL)
        await h.click("carol", "Soup")
        assert "█" not in poll_post(h).text and "1 voter" in poll_post(h).text


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("/poll", "Write the question and the options in quotes"),
        ('/poll "Lunch?" "Pizza"', "at least two options; you gave 1"),
        ('/poll "Lunch?" "Pizza" "pizza "', "Option “pizza” appears twice"),
        ("/poll Which day? Monday Tuesday", "the question is not in quotes"),
        ('/poll "Lunch?" "" "Soup"', "An option is empty"),
        ('/poll "Lunch?" "A" "' + "x" * 81 + '"', "too long (80 characters at most)"),
        (POLL + " --closes soon", "'soon' is neither a duration"),
        (POLL + " --closes 2025-12-01", "2025-12-01 has already passed"),
        (POLL + " --closes 2026-01-05T08:00", "has already passed"),
        (POLL + " --closes 30s", "at least a minute"),
        (POLL + " --closes 2027-06-01", "at most 90 days"),
        (POLL + " --later", "Unknown option --later"),
        ('/poll "Lunch?" "A" "B" --channel #nowhere', "I don't know a channel called #nowhere"),
    ],
)
async def test_bad_input_gets_a_sentence_that_fixes_it(line: str, message: str) -> None:
    async with Harness() as h:
        out = await h.command("carol", line)
        assert message in out[-1].text
        assert out[-1].ephemeral_to == h.ref("carol")
        assert not any(p.buttons for p in h.sent)  # nothing was posted


async def test_more_options_than_allowed() -> None:
    options = " ".join(f'"{n}"' for n in range(26))
    async with Harness() as h:
        out = await h.command("carol", f'/poll "Pick" {options}')
        assert "at most 25 options; you gave 26" in out[-1].text
    async with Harness(config=config(max_options=3)) as h:
        out = await h.command("carol", '/poll "Pick" "a" "b" "c" "d"')
        assert "at most 3 options; you gave 4" in out[-1].text
        await h.command("carol", '/poll "Pick" "a" "b" "c"')
        assert len(poll_post(h).buttons) == 3


async def test_a_date_deadline_is_read_in_the_members_time_zone() -> None:
    async with Harness() as h:
        await h.command("carol", "/timezone Europe/Riga")
        await h.command("carol", POLL + " --closes 2026-01-06")  # end of that day in Riga
        assert "closes Tue, Jan 6 21:59 (UTC)" in poll_post(h).text
        await h.tick("1d12h58m")
        assert "(closed)" not in poll_post(h).text
        await h.tick("1m")
        assert "(closed)" in poll_post(h).text


async def test_who_may_create_polls_and_where() -> None:
    async with Harness(config=config(create_level="moderator")) as h:
        out = await h.command("carol", POLL)
        assert "Only moderators can do that" in out[-1].text
        await h.command("bob", POLL)
        assert poll_post(h).channel.name == "general"  # type: ignore[union-attr]
    async with Harness() as h:
        out = await h.command("carol", POLL + " --channel #help")
        assert "Only moderators can post polls in another channel" in out[-1].text
        out = await h.command("bob", POLL + " --channel #help")
        assert poll_post(h).channel.name == "help"  # type: ignore[union-attr]
        assert "Poll #1 is up in #help" in out[-1].text


async def test_deadline_closes_the_poll_once_and_posts_results() -> None:
    async with Harness() as h:
        await h.command("alice", POLL + " --closes 2d")
        for name, option in (("alice", "Pizza"), ("bob", "Pizza"), ("carol", "Soup")):
            await h.click(name, option)
        assert await h.tick("1d23h") == []
        posted = await h.tick("1h")
        results = [p for p in posted if p.text.startswith("📊 Results of poll #1")]
        assert len(results) == 1
        text = results[0].text
        assert "1. Pizza 🏆 — 2 votes (67%)" in text
        assert "2. Soup — 1 vote (33%)" in text
        assert "3. Salad — 0 votes (0%)" in text
        assert "3 members voted." in text
        closed = poll_post(h)
        assert "(closed)" in closed.text and not closed.buttons
        await h.tick("10d")
        assert len([p for p in h.sent if p.text.startswith("📊 Results of poll #1")]) == 1


async def test_voting_on_a_closed_poll_is_refused() -> None:
    async with Harness() as h:
        await h.command("alice", POLL)
        number = poll_post(h).number
        buttons = poll_post(h).blocks
        await h.command("alice", "/poll close 1")
        h.community.post(number).blocks = buttons  # a stale copy still shows the buttons
        out = await h.click("carol", "Pizza", number)
        assert "Poll #1 is closed. See the results with /poll results 1." in out[0].text


async def test_close_by_command_creator_or_moderator_only() -> None:
    async with Harness() as h:
        await h.command("carol", POLL)
        out = await h.command("alice", "/poll close 7")
        assert "There is no poll #7" in out[-1].text
        await h.command("carol", POLL)
        out = await h.command("bob", "/poll close #2")  # moderators may
        assert "Poll #2 is closed" in said(out)
        assert any(p.text.startswith("📊 Results of poll #2") for p in h.sent)
        out = await h.command("bob", "/poll close 2")
        assert "already closed" in out[-1].text
        await h.command("bob", POLL)
        out = await h.command("carol", "/poll close 3")
        assert "Only the poll's creator or a moderator can close poll #3" in out[-1].text
        out = await h.command("carol", "/poll close 1")  # her own
        assert "Poll #1 is closed" in said(out)


async def test_closing_early_cancels_the_deadline() -> None:
    async with Harness() as h:
        await h.command("alice", POLL + " --closes 1d")
        await h.command("alice", "/poll close 1")
        await h.tick("2d")
        assert len([p for p in h.sent if p.text.startswith("📊 Results of poll #1")]) == 1


async def test_polls_without_deadline_stay_open() -> None:
    async with Harness(config=config(default_closes="")) as h:
        await h.command("alice", POLL)
        assert "open until closed" in poll_post(h).text
        await h.tick("30d")
        assert "(closed)" not in poll_post(h).text
    async with Harness() as h:
        await h.command("alice", POLL + " --closes never")
        assert "open until closed" in poll_post(h).text


async def test_results_and_list() -> None:
    async with Harness() as h:
        await h.command("alice", POLL)
        await h.command("alice", '/poll "Tea or coffee?" "Tea" "Coffee"')
        await h.click("carol", "Tea")
        out = await h.command("carol", "/poll results 2")
        assert "(still open)" in out[0].text and "1. Tea  ██████████ 1 · 100%" in out[0].text
        out = await h.command("carol", "/poll list")
        assert "Open polls:" in out[0].text
        assert "#2 Tea or coffee? — 1 voter, closes" in out[0].text
        assert "#1 Lunch on Friday? — 0 voters" in out[0].text
        await h.command("alice", "/poll close 1")
        out = await h.command("carol", "/poll list")
        assert "#1 " not in out[0].text
        out = await h.command("carol", "/poll list all")
        assert "#1 Lunch on Friday? — 0 voters, closed" in out[0].text
        out = await h.command("carol", "/poll results 1")
        assert "📊 Results of poll #1" in out[0].text and "Nobody voted." in out[0].text
        out = await h.command("carol", "/poll results x")
        assert "'x' is not a number" in out[0].text


async def test_voters_are_for_moderators_and_open_ballots_only() -> None:
    async with Harness() as h:
        await h.command("alice", POLL)
        await h.click("carol", "Soup")
        await h.click("bob", "Pizza")
        out = await h.command("carol", "/poll voters 1")
        assert "for moderators only" in out[0].text
        out = await h.command("bob", "/poll voters 1")
        assert "1. Pizza: bob" in out[0].text and "2. Soup: carol" in out[0].text
        assert "3. Salad: nobody" in out[0].text


async def test_bridged_poll_has_one_combined_tally() -> None:
    bridges = {"bridges": [{"discord": "general", "slack": "general"}]}
    async with Harness(config=bridges) as h:
        discord = await h.add_platform("discord")
        slack = await h.add_platform("slack")
        await h.on(discord, discord.command("alice", "general", POLL + " --closes 1d"))
        on_discord = next(p for p in discord.posts if p.buttons)
        on_slack = next(p for p in slack.posts if p.buttons)
        await h.on(slack, slack.click("carol", "Soup"))
        await h.on(discord, discord.click("bob", "Soup"))
        for copy in (on_discord, on_slack):
            assert "2. Soup  ██████████ 2 · 100%" in copy.text
        await h.tick("1d")
        for community in (discord, slack):
            results = [p for p in community.posts if p.text.startswith("📊 Results of poll #1")]
            assert len(results) == 1 and "2 members voted." in results[0].text


async def test_a_deleted_poll_message_does_not_break_voting() -> None:
    async with Harness() as h:
        await h.command("alice", POLL)
        poll = poll_post(h)
        h.community.posts.remove(poll)  # the platform lost the message
        h.community.posts.append(poll)  # …but a member still clicks an old copy
        poll.ref = poll.ref.sibling("gone")
        out = await h.click("carol", "Pizza")
        assert "You voted “Pizza”" in out[0].text


async def test_member_text_never_pings() -> None:
    async with Harness() as h:
        await h.command("carol", '/poll "@everyone vote!" "<@123>" "B"')
        posted = poll_post(h)
        assert "@everyone" not in posted.text and "<@123>" not in posted.text
        assert any(isinstance(b, Buttons) for b in posted.blocks)
