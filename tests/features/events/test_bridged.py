"""Events in bridged channels: a copy on each platform, one RSVP list shown on all of them."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from adapters.memory.community import Community, Posted
from bot.features.events.store import EventStore
from bot.model import TimeStyle
from bot.ports import Directory
from bot.testing import Harness
from tests.features.events.conftest import MEMBERS, START
from tests.features.identity.test_mydata import _identifying_cells

CREATE = '/event create "Board games" 2026-12-05 18:00 Europe/Oslo --limit 2'
BRIDGES = {"bridges": [{"discord": "general", "slack": "events"}]}
SLACK_MEMBERS = (("sam", ()), ("sue", ()), ("carol", ()))


@dataclass
class Bridged:
    h: Harness
    discord: Community
    slack: Community

    def post(self, community: Community) -> Posted:
        """The event's post on that side (the first public message with an .ics file)."""
        return next(p for p in community.posts if p.by_bot and p.attachments)

    def dms(self, community: Community, name: str) -> list[Posted]:
        ref = community.member(name).ref
        return [p for p in community.posts if p.dm_to == ref]


@asynccontextmanager
async def bridged(
    *, storage_url: str | None = None, slack_running: bool = True
) -> AsyncIterator[Bridged]:
    url = storage_url or "sqlite+aiosqlite:///:memory:"
    async with Harness(config=BRIDGES, members=MEMBERS, start=START, storage_url=url) as h:
        discord = await h.add_platform("discord", members=MEMBERS)
        slack = await h.add_platform("slack", members=SLACK_MEMBERS, channels=["general", "events"])
        if not slack_running:
            del h.runtime.ports["slack"]
        yield Bridged(h, discord, slack)


async def link(b: Bridged, name: str) -> None:
    """`name` on Discord and `name` on Slack become one person."""
    got = await b.h.on(b.discord, b.discord.command(name, "general", "/link"))
    code = re.search(r"code is (\w+)", got[-1].text)
    assert code, got[-1].text
    await b.h.on(b.slack, b.slack.command(name, "general", f"/link {code.group(1)}"))


async def test_the_event_is_posted_on_both_sides_with_buttons_and_a_calendar_file() -> None:
    async with bridged() as b:
        b.h.runtime.ports["slack"].timestamp = lambda at, style, zone: (
            f"<!date^{int(at.timestamp())}^{style.value}|x>"
        )
        await b.h.on(b.discord, b.discord.command("bob", "general", CREATE))
        on_discord, on_slack = b.post(b.discord), b.post(b.slack)
        assert on_slack.channel is not None and on_slack.channel.name == "events"
        assert on_slack.text.startswith("📅 **Board games** (event #1)")
        assert [b.label for b in on_slack.buttons] == [b.label for b in on_discord.buttons]
        assert on_slack.attachments[0].filename == "event-1.ics"
        # Each side writes times its own way (Slack's date markup, Discord's local text).
        assert f"<!date^1796490000^{TimeStyle.FULL.value}|x>" in on_slack.text
        assert "Sat, December 5, 2026 18:00 CET" in on_discord.text
        got = await b.h.on(b.slack, b.slack.command("sue", "general", "/events"))
        assert got[-1].text.splitlines()[1].startswith("#1 Board games")


async def test_an_answer_on_the_slack_copy_shows_on_the_discord_copy() -> None:
    async with bridged() as b:
        await b.h.on(b.discord, b.discord.command("bob", "general", CREATE))
        got = await b.h.on(b.slack, b.slack.click("sam", "✅ Going"))
        assert "You are going to “Board games”" in got[-1].text
        await b.h.on(b.discord, b.discord.click("dave", "🤔 Maybe"))
        for copy in (b.post(b.discord), b.post(b.slack)):
            assert "1/2 going · 1 maybe" in copy.text, copy.text
        got = await b.h.on(b.discord, b.discord.command("dave", "general", "/event attendees 1"))
        assert "Going (1): sam" in got[-1].text and "Maybe (1): dave" in got[-1].text


async def test_a_member_linked_across_platforms_answers_once() -> None:
    async with bridged() as b:
        await link(b, "carol")
        await b.h.on(b.discord, b.discord.command("bob", "general", CREATE))
        await b.h.on(b.discord, b.discord.click("carol", "✅ Going"))
        got = await b.h.on(b.slack, b.slack.click("carol", "✅ Going"))
        assert "stays the same" in got[-1].text
        await b.h.on(b.slack, b.slack.click("carol", "🤔 Maybe"))
        for copy in (b.post(b.discord), b.post(b.slack)):
            assert "0/2 going · 1 maybe" in copy.text, copy.text


async def test_a_waitlist_promotion_edits_both_copies_and_tells_the_member_where_they_are() -> None:
    async with bridged() as b:
        await b.h.on(b.discord, b.discord.command("bob", "general", CREATE))
        await b.h.on(b.discord, b.discord.click("carol", "✅ Going"))
        await b.h.on(b.discord, b.discord.click("dave", "✅ Going"))
        got = await b.h.on(b.slack, b.slack.click("sam", "✅ Going"))
        assert "you are on the waitlist" in got[-1].text
        for copy in (b.post(b.discord), b.post(b.slack)):
            assert "2/2 going · 0 maybe · 1 on the waitlist" in copy.text, copy.text
        await b.h.on(b.discord, b.discord.click("dave", "❌ Can't go"))
        [dm] = b.dms(b.slack, "sam")
        assert dm.text.startswith("🎟 A seat freed up: you are now going to “Board games”")
        for copy in (b.post(b.discord), b.post(b.slack)):
            assert "2/2 going · 0 maybe" in copy.text and "waitlist" not in copy.text


async def test_cancelling_updates_both_copies_and_tells_everyone() -> None:
    async with bridged() as b:
        await b.h.on(b.discord, b.discord.command("bob", "general", CREATE))
        await b.h.on(b.slack, b.slack.click("sam", "✅ Going"))
        await b.h.on(b.discord, b.discord.click("carol", "🤔 Maybe"))
        await b.h.on(b.discord, b.discord.command("bob", "general", "/event cancel 1"))
        for copy in (b.post(b.discord), b.post(b.slack)):
            assert "~~Board games~~ (event #1) is cancelled" in copy.text
            assert copy.buttons == ()
        assert b.dms(b.slack, "sam")[-1].text.startswith("❌ “Board games”")
        assert b.dms(b.discord, "carol")[-1].text.startswith("❌ “Board games”")


async def test_reminders_reach_members_on_the_platform_they_answered_from() -> None:
    async with bridged() as b:
        await link(b, "carol")
        await b.h.on(b.discord, b.discord.command("bob", "general", CREATE))
        await b.h.on(b.slack, b.slack.click("sam", "✅ Going"))
        await b.h.on(b.slack, b.slack.click("carol", "✅ Going"))
        await b.h.tick("4d 17h")  # a day before
        assert b.dms(b.slack, "sam")[-1].text.startswith("⏰ Reminder: “Board games”")
        assert b.dms(b.slack, "carol")[-1].text.startswith("⏰ Reminder")
        assert b.dms(b.discord, "carol") == []
        # Slack stops; carol answered there, but her linked Discord account is reachable.
        slack = b.h.runtime.ports.pop("slack")
        await b.h.tick("1d")
        assert b.dms(b.discord, "carol")[-1].text.startswith("⏰ Reminder")
        assert len(b.dms(b.slack, "sam")) == 1  # sam has no other account to try
        b.h.runtime.ports["slack"] = slack


async def test_the_other_side_gets_no_copy_while_its_adapter_is_not_running() -> None:
    async with bridged(slack_running=False) as b:
        await b.h.on(b.discord, b.discord.command("bob", "general", CREATE))
        await b.h.on(b.discord, b.discord.click("carol", "✅ Going"))
        assert "1/2 going" in b.post(b.discord).text
        assert [p for p in b.slack.posts if p.by_bot] == []


async def test_a_lost_copy_does_not_stop_the_others_from_updating() -> None:
    async with bridged() as b:
        await b.h.on(b.discord, b.discord.command("bob", "general", CREATE))
        b.slack.posts.remove(b.post(b.slack))  # someone deleted the Slack copy
        got = await b.h.on(b.discord, b.discord.click("carol", "✅ Going"))
        assert "You are going" in got[-1].text
        assert "1/2 going" in b.post(b.discord).text


async def test_the_next_occurrence_of_a_recurring_event_is_bridged_too() -> None:
    async with bridged() as b:
        line = '/event create "Meetup" 2026-12-01 18:00 Europe/Oslo --recurring weekly'
        await b.h.on(b.discord, b.discord.command("bob", "general", line))
        await b.h.tick("2d")
        for community in (b.discord, b.slack):
            posts = [p for p in community.posts if p.by_bot and p.attachments]
            assert [p.text.splitlines()[0] for p in posts] == [
                "📅 **Meetup** (event #1)",
                "📅 **Meetup** (event #2)",
            ]


async def test_forgetting_a_member_who_answered_on_the_copy_leaves_nothing(db_url: str) -> None:
    async with bridged(storage_url=db_url) as b:
        await b.h.on(b.discord, b.discord.command("bob", "general", CREATE))
        await b.h.on(b.discord, b.discord.click("carol", "✅ Going"))
        await b.h.on(b.discord, b.discord.click("dave", "✅ Going"))
        await b.h.on(b.slack, b.slack.click("sam", "✅ Going"))  # waitlisted
        await b.h.on(b.discord, b.discord.click("erin", "✅ Going"))  # behind sam
        async with b.h.runtime.storage.unit_of_work() as uow:
            posts = await uow.get(EventStore).posts(1)
        assert {p.message.platform for p in posts} == {"discord", "slack"}
        sam = b.slack.member("sam").ref
        async with b.h.runtime.storage.unit_of_work() as uow:
            record = await uow.get(Directory).get(sam)
        assert record is not None
        await b.h.on(b.discord, b.discord.command("carol", "general", "/mydata forget"))
        await b.h.on(b.discord, b.discord.click("carol", "Forget me"))
        # carol's seat went to sam (first in line), on both copies.
        assert b.dms(b.slack, "sam")[-1].text.startswith("🎟 A seat freed up")
        for copy in (b.post(b.discord), b.post(b.slack)):
            assert "2/2 going · 0 maybe · 1 on the waitlist" in copy.text, copy.text
        await b.h.on(b.slack, b.slack.command("sam", "general", "/mydata forget"))
        await b.h.on(b.slack, b.slack.click("sam", "Forget me"))
        assert await _identifying_cells(b.h, record.person_id, [sam]) == []
        async with b.h.runtime.storage.unit_of_work() as uow:
            assert len(await uow.get(EventStore).posts(1)) == 2  # the copies stay
