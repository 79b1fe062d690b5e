"""Announcements: posting, pins, bridged copies, read confirmations and their status."""

from __future__ import annotations

import json
from datetime import timedelta

from adapters.memory.community import Posted
from bot.context import Context, Work
from bot.model import Capability
from bot.ports import Directory, PersonData
from bot.stats import Window
from bot.testing import Harness

MEMBERS = (
    ("alice", ("admin",)),
    ("bob", ("moderator",)),
    ("carol", ()),
    ("dave", ()),
    ("erin", ()),
)
STORM = "/announce #general Storm tonight: stay indoors --pin --ack"


def public(h: Harness, channel: str = "general") -> list[Posted]:
    return [p for p in h.in_channel(channel) if p.ephemeral_to is None]


def harness(**config: object) -> Harness:
    section = {"features": {"announcements": config}} if config else {}
    return Harness(config=section, members=MEMBERS)


async def test_an_admin_posts_pins_and_asks_for_confirmation() -> None:
    async with harness() as h:
        replies = await h.command("alice", STORM, channel="help")
        post = public(h)[-1]
        assert post.text.startswith("📢 Storm tonight: stay indoors")
        assert "/announce ack 1" in post.text
        assert [b.label for b in post.buttons] == ["✅ I have read this"]
        assert post.pinned
        reply = replies[-1]
        assert reply.ephemeral_to == h.ref("alice")
        assert "Announcement #1 is posted in" in reply.text
        assert "📌 Pinned" in reply.text
        assert "/announce status 1" in reply.text


async def test_without_flags_it_is_a_plain_unpinned_post() -> None:
    async with harness() as h:
        await h.command("alice", "/announce #general Meetup moved to Friday")
        post = public(h)[-1]
        assert post.text == "📢 Meetup moved to Friday"
        assert post.buttons == () and not post.pinned
        out = await h.command("alice", "/announce status 1")
        assert "did not ask for acknowledgement" in out[-1].text


async def test_members_and_moderators_cannot_announce_by_default() -> None:
    async with harness() as h:
        out = await h.command("carol", STORM)
        assert "moderator" in out[-1].text.lower()
        out = await h.command("bob", STORM)
        assert "Only admins can do that" in out[-1].text
        assert public(h) == []


async def test_moderators_may_announce_when_configured() -> None:
    async with harness(level="moderator", ack_label="Got it") as h:
        await h.command("bob", STORM)
        assert [b.label for b in public(h)[-1].buttons] == ["Got it"]


async def test_an_empty_message_says_what_to_write() -> None:
    async with harness() as h:
        out = await h.command("alice", "/announce #general --pin")
        assert "Missing <message>" in out[-1].text
        out = await h.command("alice", "/announce list")
        assert "No announcements yet" in out[-1].text  # nothing half-written was kept


async def test_confirmations_are_tracked_once_per_person() -> None:
    async with harness() as h:
        await h.command("alice", STORM)
        out = await h.click("carol", "✅ I have read this")
        assert "announcement #1 is marked as read" in out[-1].text
        out = await h.click("carol", "✅ I have read this")
        assert "already confirmed" in out[-1].text
        await h.command("dave", "/announce ack #1")
        status = (await h.command("alice", "/announce status 1"))[-1].text
        assert "✅ Read by 2 of 4 (50%): carol, dave" in status
        assert "⏳ Not yet: 2 members: bob, erin" in status  # the author is not asked
        listing = (await h.command("alice", "/announce list"))[-1].text
        assert "#1 Storm tonight: stay indoors — 2 acknowledgements" in listing


async def test_remind_dms_only_those_who_have_not_confirmed() -> None:
    async with harness() as h:
        await h.command("alice", STORM)
        await h.click("carol", "✅ I have read this")
        out = await h.command("alice", "/announce remind 1")
        said = h.answer(out, "alice").text
        assert "Reminded 3 members who have not confirmed announcement #1 yet." in said
        assert h.dms("carol") == [] and h.dms("alice") == []
        [dm] = h.dms("erin")
        assert dm.text.startswith("📢 Please read and confirm announcement #1:")
        assert "Storm tonight: stay indoors" in dm.text
        await h.click("erin", "✅ I have read this")
        status = (await h.command("alice", "/announce status 1"))[-1].text
        assert "✅ Read by 2 of 4 (50%): carol, erin" in status
        out = await h.command("bob", "/announce remind 1")
        assert "Only admins" in out[-1].text


async def test_status_lists_only_so_many_names() -> None:
    async with harness(status_names=1) as h:
        await h.command("alice", STORM)
        status = (await h.command("alice", "/announce status 1"))[-1].text
        assert "⏳ Not yet: 4 members: bob, and 3 more" in status


async def test_unknown_numbers_and_untracked_announcements_are_explained() -> None:
    async with harness() as h:
        out = await h.command("carol", "/announce ack 7")
        assert "There is no announcement #7" in out[-1].text
        out = await h.command("carol", "/announce ack seven")
        assert "is not an announcement number" in out[-1].text
        await h.command("alice", "/announce #general Hello")
        out = await h.command("carol", "/announce ack 1")
        assert "does not ask for acknowledgement" in out[-1].text


async def test_all_platforms_posts_the_bridged_copy_and_degrades_pins() -> None:
    config = {"bridges": [{"discord": "general", "slack": "announcements"}]}
    async with Harness(config=config) as h:
        discord = await h.add_platform("discord")
        slack = await h.add_platform(
            "slack",
            channels=["general", "announcements"],
            members=(("sam", ()), ("sue", ())),
            capabilities=frozenset(Capability) - {Capability.PIN},
        )
        line = "/announce #general Server maintenance at 22:00 --all-platforms --pin --ack"
        got = await h.on(discord, discord.command("alice", "help", line))
        copies = [p for p in slack.posts if p.text.startswith("📢 Server maintenance")]
        assert len(copies) == 1 and copies[0].channel is not None
        assert copies[0].channel.name == "announcements" and not copies[0].pinned
        original = next(p for p in discord.posts if p.text.startswith("📢 Server maintenance"))
        assert original.pinned
        assert "slack cannot pin messages" in got[-1].text
        await h.on(slack, slack.click("sue", "✅ I have read this"))
        got = await h.on(discord, discord.command("alice", "help", "/announce status 1"))
        assert "✅ Read by 1 of 4 (25%): sue" in got[-1].text  # both workspaces' members
        assert "bob, carol, sam" in got[-1].text


async def test_all_platforms_without_a_bridge_says_where_it_went() -> None:
    async with harness() as h:
        out = await h.command("alice", "/announce #help Quiet hours --all-platforms --pin")
        assert "#help is not bridged" in out[-1].text
        assert "📌 Pinned" in out[-1].text
        assert public(h, "help")[-1].pinned


async def test_without_all_platforms_only_one_channel_gets_it() -> None:
    config = {"bridges": [{"discord": "general", "slack": "general"}]}
    async with Harness(config=config) as h:
        discord = await h.add_platform("discord")
        slack = await h.add_platform("slack")
        await h.on(discord, discord.command("alice", "help", "/announce #general Hi"))
        assert [p.text for p in slack.posts] == []


async def test_stats_export_and_forget() -> None:
    async with harness() as h:
        await h.command("alice", STORM)
        await h.command("alice", "/announce #general Second one")
        await h.click("carol", "✅ I have read this")
        runtime = h.runtime
        feature = runtime.registry.features["announcements"]
        now = h.clock.now()
        async with runtime.storage.unit_of_work() as uow:
            ctx = Context(Work(runtime, uow), feature, None)
            (hook,) = feature.stats_hooks
            figures = await hook(ctx, Window(now - timedelta(days=1), now + timedelta(seconds=1)))
        assert {f.key: f.value for f in figures} == {
            "announcements_posted": 2,
            "announcements_tracked": 1,
            "announcement_acks": 1,
        }
        await h.command("carol", "/mydata export")
        data = json.loads(h.dms("carol")[-1].attachments[0].data)
        confirmed = data["features"]["announcements"]["announcements_confirmed"]
        assert [c["id"] for c in confirmed] == [1]
        alice = h.ref("alice")
        async with runtime.storage.unit_of_work() as uow:
            record = await uow.get(Directory).get(alice)
        assert record is not None
        await h.command("alice", "/mydata forget")
        await h.click("alice", "Forget me")
        async with runtime.storage.unit_of_work() as uow:
            assert await uow.get(PersonData).remaining(record.person_id, [alice]) == {}
        out = await h.command("carol", "/announce ack 1")
        assert "already confirmed" in out[-1].text  # the announcement outlived its author


async def test_ack_where_there_are_no_buttons_points_to_the_command() -> None:
    config = {"bridges": [{"discord": "general", "slack": "general"}]}
    async with Harness(config=config) as h:
        discord = await h.add_platform("discord")
        await h.add_platform("slack", capabilities=frozenset(Capability) - {Capability.BUTTONS})
        line = "/announce #general Vote today --all-platforms --ack"
        got = await h.on(discord, discord.command("alice", "help", line))
        assert "On slack there are no buttons: members confirm with /announce ack 1." in (
            got[-1].text
        )


async def test_the_announcement_speaks_the_communitys_language_not_its_authors() -> None:
    config = {"bot": {"language": "nb"}}
    async with Harness(config=config, members=MEMBERS) as h:
        await h.command("alice", "/language uk")
        out = await h.command("alice", STORM)
        post = public(h)[0]
        assert post.text.startswith("📢 Storm tonight: stay indoors")
        assert not any("\u0400" <= ch <= "\u04ff" for ch in post.text)
        assert any("\u0400" <= ch <= "\u04ff" for ch in out[-1].text)  # alice's own reply
