"""`/stats`: every figure against a small community counted by hand.

The Harness starts on Monday 2026-01-05 09:00 UTC and seeds alice, bob, carol, dave
and erin as joining then. `/stats week` on Wednesday Jan 7 covers the local days
Jan 1 to Jan 7 (seven days, today included however early it is).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.features.metrics.handlers import feature as metrics_feature
from bot.model import Image, Section
from bot.ports import PersonData
from bot.registry import Feature
from bot.stats import Figure, Window
from bot.testing import Harness
from tests.features.metrics.conftest import line, metrics, plain, record


async def a_week(h: Harness) -> None:
    """carol posts, bob welcomes, dave reacts; a day later carol replies and erin leaves."""
    await h.say("carol", "hello everyone")  # post 1
    await h.say("bob", "welcome!", channel="help")
    await h.react("dave", 1, "👍")
    await h.tick("1d")
    await h.say("carol", "a follow-up", thread_of=1)
    await h.leave("erin")
    await h.tick("1d")


async def test_week_summary_counted_by_hand(h: Harness) -> None:
    await a_week(h)
    text = (await h.command("alice", "/stats week"))[-1].text
    assert line(text, "📊").endswith("Jan 1 – 7, 2026")
    # Five joined on Monday, erin left; nobody was a member on Jan 1, so no churn rate.
    assert line(text, "Members:") == ("Members: 4 · joined 5 · left 1 · net +4 · churn —")
    # carol, bob and dave (alice only ran a command). Person-days: carol 2, bob 1,
    # dave 1 = 4 over 7 days = 0.57; DAU/MAU = 0.571 / 3 = 19 %.
    assert line(text, "Active members:") == (
        "Active members: 3 · DAU 0.6 · WAU 3 · MAU 3 · DAU/MAU 19%"
    )
    # carol and bob posted: 2 of 4 members; 4 interactions (2 messages, 1 reply,
    # 1 reaction) over 4 members.
    assert line(text, "Contributors:") == (
        "Contributors: 2 · 50% of members · interactions per member: 1"
    )
    assert line(text, "Messages:") == "Messages: 2 · replies 1 · reactions 1"
    assert "Busiest channels: #general (2), #help (1)" in text
    # Monday 09:00 held two posts and the reaction; Tuesday 09:00 only the reply.
    assert line(text, "Busiest hour:") == "Busiest hour: Monday 09:00 – 10:00 (community time)"
    assert "Tone" not in text  # sentiment is off by default


async def test_day_stats_early_in_the_morning_count_today_as_a_whole_day() -> None:
    """At 00:29 three people have posted: DAU is 3 (not 3 over 29 minutes), DAU/MAU 100 %."""
    async with metrics(top={"start": datetime(2026, 1, 5, 0, 20, tzinfo=UTC)}) as h:
        for name in ("carol", "dave", "erin"):
            await h.say(name, "early bird")
        await h.tick("9m")
        text = (await h.command("alice", "/stats day"))[-1].text
    assert line(text, "Active members:") == (
        "Active members: 3 · DAU 3 · WAU 3 · MAU 3 · DAU/MAU 100%"
    )


async def test_a_range_running_past_today_is_a_mean_over_the_days_begun(h: Harness) -> None:
    await h.say("carol", "monday")
    await h.tick("1d")
    await h.say("carol", "tuesday")
    # Jan 1 to Jan 31 asked on Jan 6: six days have begun, carol was active on two.
    text = (await h.command("alice", "/stats 2026-01-01..2026-01-31"))[-1].text
    assert line(text, "📊").endswith("Jan 1 – 6, 2026")
    assert "DAU 0.3 " in line(text, "Active members:")


async def test_churn_and_a_member_who_left_and_came_back(h: Harness) -> None:
    await h.tick("8d")  # Tue Jan 13: the five seeded members have been here a week
    await h.leave("erin")
    await h.tick("2d")
    await h.join("erin")  # Thu Jan 15: back again
    text = (await h.command("alice", "/stats week"))[-1].text
    # Jan 9-15: five members at the start, erin left (churn 1 of 5) and rejoined.
    assert line(text, "Members:") == "Members: 5 (+0%) · joined 1 · left 1 · net 0 · churn 20%"
    # The rejoin rewrites nothing: the week of Jan 5 still shows five joins, no departure.
    earlier = (await h.command("alice", "/stats 2026-01-05..2026-01-11"))[-1].text
    assert line(earlier, "Members:") == "Members: 5 · joined 5 · left 0 · net +5 · churn —"


async def test_a_member_from_before_joins_were_counted_arrives_when_first_seen(
    h: Harness,
) -> None:
    h.community.add_member("zed", ())  # on the server before Agora came: no join event
    await h.tick("1d")
    await h.say("zed", "I've been here for years")
    today = (await h.command("alice", "/stats day"))[-1].text
    yesterday = (await h.command("alice", "/stats 2026-01-05..2026-01-05"))[-1].text
    assert line(today, "Members:") == (
        "Members: 6 (+20%) · joined 0 · left 0 · net 0 · churn 0% · "
        "1 member first seen (joined before Agora counted joins)"
    )
    assert line(yesterday, "Members:").startswith("Members: 5 · joined 5 ")


async def test_changes_from_the_previous_period(h: Harness) -> None:
    await h.say("carol", "one")
    await h.tick("1d")
    for word in ("two", "three", "four"):
        await h.say("carol", word)
    text = (await h.command("alice", "/stats day"))[-1].text
    # Today (Jan 6) 3 messages against yesterday's 1 in the same hours: +200 %.
    assert line(text, "Messages:").startswith("Messages: 3 (+200%)")


async def test_an_empty_period_says_zero_not_an_error(h: Harness) -> None:
    text = (await h.command("alice", "/stats 2025-06-01..2025-06-07"))[-1].text
    assert line(text, "Members:") == "Members: 0 · joined 0 · left 0 · net 0 · churn —"
    assert line(text, "Active members:") == (
        "Active members: 0 · DAU 0 · WAU 0 · MAU 0 · DAU/MAU —"
    )
    assert "Busiest channels" not in text and "Busiest hour" not in text


async def test_reply_has_a_chart_and_the_text(h: Harness) -> None:
    await a_week(h)
    posted = (await h.command("alice", "/stats"))[-1]
    assert posted.ephemeral_to == h.ref("alice")
    assert isinstance(posted.blocks[0], Section) and "Members: 4" in posted.blocks[0].text
    chart = posted.blocks[-1]
    assert isinstance(chart, Image) and chart.data and chart.data.startswith(b"\x89PNG")


async def test_no_chart_when_turned_off_or_for_one_day() -> None:
    async with metrics(chart=False) as h:
        posted = (await h.command("alice", "/stats week"))[-1]
        assert not any(isinstance(b, Image) for b in posted.blocks)
        posted = (await h.command("alice", "/stats day"))[-1]
        assert not any(isinstance(b, Image) for b in posted.blocks)


async def test_bad_period_gets_a_friendly_answer(h: Harness) -> None:
    text = (await h.command("alice", "/stats fortnight"))[-1].text
    assert "I don't understand the period 'fortnight'" in text and "14d" in text


async def test_periods_and_platforms_that_cannot_have_numbers_are_refused(h: Harness) -> None:
    future = (await h.command("alice", "/stats 2027-01-01..2027-01-31"))[-1].text
    assert "That period has not started yet (today is Jan 5, 2026)" in plain(future)
    huge = (await h.command("alice", "/stats 99999d"))[-1].text
    assert "A period is 1 to 3660 days long." in huge
    discord = (await h.command("alice", "/stats week Discord"))[-1].text
    assert discord.startswith("There are no numbers from Discord: it is not connected to Agora")


async def test_members_cannot_see_stats_and_moderators_not_the_slipping_list(
    h: Harness,
) -> None:
    assert "for moderators only" in (await h.command("carol", "/stats"))[-1].text
    assert "for admins only" in (await h.command("bob", "/stats slipping"))[-1].text
    assert "Community stats" in (await h.command("bob", "/stats"))[-1].text


async def test_a_linked_person_counts_once_combined_and_once_per_platform() -> None:
    async with metrics() as h:
        slack = await h.add_platform("slack", workspace="T1")
        carol = await record(h, "carol")
        on_slack = slack.members["carol"].ref
        async with h.runtime.storage.unit_of_work() as uow:
            slack_carol = await uow.get(PersonData).detach(on_slack, h.clock.now())
            await uow.get(PersonData).merge(carol.person_id, slack_carol)
        await h.say("carol", "hi from discord")
        await h.on(slack, slack.say("carol", "general", "hi from slack"))
        both = (await h.command("alice", "/stats week"))[-1].text
        only_slack = (await h.command("alice", "/stats week Slack"))[-1].text
    # 5 people here, 3 on Slack, carol on both: 7 persons; carol active once.
    assert line(both, "Members:").startswith("Members: 7 ")
    assert line(both, "Active members:").startswith("Active members: 1 ")
    assert line(both, "Messages:").startswith("Messages: 2 ")
    assert "(Slack only)" in line(only_slack, "📊")
    assert "[Slack] (1)" in line(both, "Busiest channels:")
    assert line(only_slack, "Members:").startswith("Members: 3 ")
    assert line(only_slack, "Messages:").startswith("Messages: 1 ")


async def test_other_features_figures_are_collected_and_a_broken_hook_is_skipped() -> None:
    questions = Feature("fakequestions")
    broken = Feature("broken")

    @questions.stats
    async def answer_times(ctx: Any, window: Window) -> list[Figure]:
        return [
            Figure("first_response", "Time to first answer", 12.0, unit="min", group="Questions"),
            Figure("unused", "Never used", 0, group="Questions"),
        ]

    @broken.stats
    async def crash(ctx: Any, window: Window) -> list[Figure]:
        raise RuntimeError("boom")

    async with metrics(top={"features": [metrics_feature, questions, broken]}) as h:
        text = (await h.command("alice", "/stats week"))[-1].text
    assert "Questions: Time to first answer 12 min" in text
    assert "Never used" not in text  # zero now and before: left out of the compact text
    assert line(text, "Members:")  # the broken hook did not blank the summary


async def test_response_times_come_from_the_questions_feature() -> None:
    async with metrics() as h:
        await h.command("carol", "/ask How do I reset my password? It fails every time")
        text = (await h.command("alice", "/stats week"))[-1].text
    assert "Questions asked 1" in text


async def test_no_chart_for_a_year(h: Harness) -> None:
    posted = (await h.command("alice", "/stats year"))[-1]
    assert "Community stats" in posted.text
    assert not any(isinstance(b, Image) for b in posted.blocks)
