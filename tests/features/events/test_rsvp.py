"""Creating events, answering them, the waitlist and its promotions, cancelling."""

from __future__ import annotations

from bot.context import Context, Work
from bot.features.events.store import Answer, EventStore
from bot.model import Section
from bot.ports import Directory
from bot.testing import Harness
from tests.features.events.conftest import MEMBERS, START, events, public

CREATE = '/event create "Board games" 2026-12-05 18:00 Europe/Oslo --limit 2'


async def test_a_moderator_creates_an_event_with_buttons_and_a_calendar_file() -> None:
    async with events() as h:
        out = await h.command("bob", CREATE)
        post = public(h)[-1]
        assert post.text.startswith("📅 **Board games** (event #1)")
        assert "Sat, December 5, 2026 18:00 CET (in 5 days), 1 hour" in post.text
        assert "0/2 going · 0 maybe" in post.text
        assert [b.label for b in post.buttons] == ["✅ Going", "🤔 Maybe", "❌ Can't go"]
        [ics] = post.attachments
        assert ics.filename == "event-1.ics" and ics.mime == "text/calendar"
        assert b"SUMMARY:Board games" in ics.data
        assert "Event #1 “Board games” is posted in #general" in h.answer(out, "bob").text


async def test_members_cannot_create_unless_configured() -> None:
    async with events() as h:
        out = await h.command("carol", CREATE)
        assert "Only moderators" in h.answer(out, "carol").text
    async with events(create_level="member") as h:
        await h.command("carol", CREATE)
        assert public(h)[-1].text.startswith("📅 **Board games**")


async def test_another_channel_needs_a_moderator() -> None:
    async with events(create_level="member") as h:
        out = await h.command("carol", CREATE + " --channel #help")
        assert "Only moderators can post events in another channel" in h.answer(out, "carol").text
        await h.command("bob", CREATE + " --channel #help", channel="general")
        assert public(h, "help")[-1].text.startswith("📅 **Board games**")


async def test_bad_times_get_a_sentence_with_the_fix() -> None:
    async with events() as h:
        cases = {
            '/event create "X" 2026-13-05 18:00': "is not a real date",
            '/event create "X" 5.12.2026 18:00': "write it like 2026-12-05",
            '/event create "X" 2026-12-05 6pm': "write it like 18:00",
            '/event create "X" 2026-12-05 18:00 Mars/Olympus': "is not a time zone",
            '/event create "X" 2026-11-01 18:00': "has already passed",
            '/event create "X" 2026-12-05': 'Write it like: /event create "Board games"',
            '/event create "X" 2027-03-28 02:30 Europe/Oslo': "does not exist in Europe/Oslo",
            '/event create "X" 2026-12-05 18:00 --limit 0': "limit must be at least 1",
            '/event create "X" 2026-12-05 18:00 --recurring daily': "is not one of",
        }
        for line, expected in cases.items():
            out = await h.command("bob", line)
            assert expected in h.answer(out, "bob").text, (line, h.answer(out, "bob").text)
        assert public(h) == []


async def test_today_and_tomorrow_are_days_in_the_events_zone() -> None:
    async with events() as h:  # Monday 30 November, 10:00 in Oslo
        await h.command("bob", '/event create "Lunch" today 12:00 Europe/Oslo')
        await h.command("bob", '/event create "Call" tomorrow 08:00 America/New_York')
        texts = [p.text for p in public(h)]
        assert "Mon, November 30, 2026 12:00 CET (in 2 hours)" in texts[0]
        assert "Tue, December 1, 2026 08:00 EST" in texts[1]


async def test_the_creators_zone_is_used_when_none_is_given() -> None:
    async with events() as h:
        await h.command("bob", "/timezone America/New_York")
        await h.command("bob", '/event create "Call" 2026-12-05 18:00')
        assert "Sat, December 5, 2026 18:00 EST" in public(h)[-1].text


async def test_a_full_event_waitlists_and_promotes_with_a_dm() -> None:
    async with events() as h:
        await h.command("bob", CREATE)
        await h.click("carol", "✅ Going")
        await h.click("dave", "✅ Going")
        out = await h.click("erin", "✅ Going")
        assert "you are on the waitlist" in h.answer(out, "erin").text
        assert "2/2 going · 0 maybe · 1 on the waitlist" in public(h)[0].text
        out = await h.click("erin", "✅ Going")
        assert "already on the waitlist" in h.answer(out, "erin").text
        await h.command("alice", "/event rsvp 1 going")  # behind erin
        out = await h.command("dave", "/event rsvp 1 no")
        assert "you are not going" in h.answer(out, "dave").text
        [dm] = h.dms("erin")
        assert dm.text.startswith("🎟 A seat freed up: you are now going to “Board games”")
        assert "Sat, December 5, 2026 18:00 CET" in dm.text
        assert h.dms("alice") == []
        text = (await h.command("carol", "/event attendees 1"))[-1].text
        assert "Going (2): carol, erin" in text
        assert "Waitlist (1): alice" in text
        assert "Not going (1): dave" in text
        await h.click("carol", "🤔 Maybe")
        assert h.dms("alice")[-1].text.startswith("🎟 A seat freed up")
        assert "2/2 going · 1 maybe · 0" not in public(h)[0].text
        assert "2/2 going · 1 maybe" in public(h)[0].text


async def test_nobody_jumps_the_waitlist_when_a_seat_is_free() -> None:
    async with events() as h:
        await h.command("bob", CREATE)
        await h.click("carol", "✅ Going")
        await h.click("dave", "✅ Going")
        await h.click("erin", "✅ Going")  # waitlisted
        async with h.runtime.storage.unit_of_work() as uow:  # a seat frees silently
            carol = await uow.get(Directory).get(h.ref("carol"))
            assert carol is not None
            await uow.get(EventStore).answer(1, carol.person_id, carol.ref, Answer.NO, START)
        out = await h.click("alice", "✅ Going")
        assert "you are on the waitlist" in h.answer(out, "alice").text
        assert h.dms("erin")[-1].text.startswith("🎟 A seat freed up")


async def test_maybe_and_no_never_take_a_seat() -> None:
    async with events() as h:
        await h.command("bob", CREATE)
        await h.click("carol", "🤔 Maybe")
        await h.click("dave", "❌ Can't go")
        await h.click("erin", "✅ Going")
        await h.click("alice", "✅ Going")
        assert "2/2 going · 1 maybe" in public(h)[0].text
        out = await h.click("carol", "🤔 Maybe")
        assert "stays the same" in h.answer(out, "carol").text


async def test_the_promotion_dm_uses_the_members_zone_and_language() -> None:
    async with events() as h:
        await h.command("bob", '/event create "Kafe" 2026-12-05 18:00 Europe/Oslo --limit 1')
        await h.command("carol", "/event rsvp 1 going")
        await h.command("dave", "/timezone Europe/Kyiv")
        await h.command("dave", "/language uk")
        await h.command("dave", "/event rsvp 1 going")
        await h.command("carol", "/event rsvp 1 maybe")
        [dm] = h.dms("dave")
        assert "19:00 EET" in dm.text


async def test_cancelling_tells_everyone_and_stops_answers() -> None:
    async with events() as h:
        await h.command("bob", CREATE)
        await h.click("carol", "✅ Going")
        await h.click("dave", "❌ Can't go")
        out = await h.command("carol", "/event cancel 1")
        assert "Only moderators" in h.answer(out, "carol").text
        out = await h.command("bob", "/event cancel 1")
        assert "is cancelled; those who answered got a message" in h.answer(out, "bob").text
        assert h.dms("carol")[-1].text.startswith("❌ “Board games”")
        assert h.dms("dave") == []
        assert "~~Board games~~ (event #1) is cancelled" in public(h)[0].text
        assert public(h)[0].buttons == ()
        out = await h.command("erin", "/event rsvp 1 going")
        assert "Event #1 is cancelled" in h.answer(out, "erin").text
        out = await h.command("bob", "/events")
        assert "No upcoming events" in h.answer(out, "bob").text
        await h.tick("7d")
        assert [p.text for p in h.dms("carol")][-1].startswith("❌")  # no reminders after


async def test_the_creator_may_cancel_their_own_event() -> None:
    async with events(create_level="member") as h:
        await h.command("carol", CREATE)
        out = await h.command("carol", "/event cancel 1")
        assert "is cancelled" in h.answer(out, "carol").text


async def test_events_lists_what_is_coming_in_the_readers_zone() -> None:
    async with events() as h:
        await h.command("bob", CREATE)
        await h.command("bob", '/event create "Talk" 2026-12-02 17:00 Europe/Riga')
        await h.click("carol", "✅ Going", public(h)[0].number)
        await h.command("carol", "/timezone Europe/Helsinki")
        text = (await h.command("carol", "/events"))[-1].text
        lines = text.splitlines()
        assert lines[0] == "Upcoming events:"
        assert lines[1].startswith("#2 Talk — Wed, December 2, 2026 17:00 EET")
        assert lines[2].startswith("#1 Board games — Sat, December 5, 2026 19:00 EET · 1/2 going")


async def test_unknown_events_and_broken_buttons_are_explained() -> None:
    async with events() as h:
        out = await h.command("carol", "/event rsvp 9 going")
        assert "There is no event #9" in h.answer(out, "carol").text
        out = await h.command("carol", "/event attendees nine")
        assert "is not an event number" in h.answer(out, "carol").text


async def test_posts_use_the_platforms_own_timestamp_markup() -> None:
    async with events() as h:
        h.port.timestamp = lambda at, style, zone: f"<t:{int(at.timestamp())}:{style.value}>"  # type: ignore[method-assign]
        await h.command("bob", CREATE)
        assert "🕕 <t:1796490000:F> (<t:1796490000:R>), 1 hour" in public(h)[-1].text


async def test_the_home_tab_lists_the_members_coming_events() -> None:
    async with events() as h:
        await h.command("bob", CREATE)
        await h.command("bob", '/event create "Talk" 2026-12-02 17:00 Europe/Riga')
        await h.command("bob", '/event create "Quiz" 2026-12-03 17:00 Europe/Riga')
        await h.command("carol", "/event rsvp 1 going")
        await h.command("carol", "/event rsvp 2 maybe")
        await h.command("carol", "/event rsvp 3 no")
        runtime = h.runtime
        feature = runtime.registry.features["events"]
        (hook,) = feature.home_hooks
        async with runtime.storage.unit_of_work() as uow:
            carol = await uow.get(Directory).get(h.ref("carol"))
            dave = await uow.get(Directory).get(h.ref("dave"))
            blocks = await hook(Context(Work(runtime, uow), feature, None, carol))
            assert await hook(Context(Work(runtime, uow), feature, None, dave)) == []
        [section] = blocks
        assert isinstance(section, Section)
        assert section.text.splitlines() == [
            "📅 Your coming events",
            "🤔 #2 Talk — Wed, December 2, 2026 17:00 EET",
            "✅ #1 Board games — Sat, December 5, 2026 18:00 CET",
        ]


async def test_the_event_post_speaks_the_communitys_language_whoever_clicks() -> None:
    """bob and carol read Agora in Ukrainian; the post in #general is the community's."""
    async with Harness(config={"bot": {"language": "nb"}}, members=MEMBERS, start=START) as h:
        await h.command("bob", "/language uk")
        await h.command("carol", "/language uk")
        out = await h.command("bob", CREATE)
        post = public(h)[-1]
        assert "(arrangement #1)" in post.text
        assert any("\u0400" <= ch <= "\u04ff" for ch in out[-1].text)  # bob's own reply
        await h.click("carol", post.buttons[0].label)
        assert post.edited and "(arrangement #1)" in post.text
        assert not any("\u0400" <= ch <= "\u04ff" for ch in post.text)
