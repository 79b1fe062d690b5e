"""Mentors: volunteering, pairing, introductions, the check-in, nudges and hand-overs."""

from __future__ import annotations

from dataclasses import replace

from bot.features.onboarding.store import Pairing, Pairings, PairingStatus
from bot.ports import Directory
from bot.testing import Harness
from tests.features.onboarding.conftest import MakeHarness, texts


async def newcomer_with(h: Harness, name: str, *topics: str, locale: str | None = None) -> None:
    """`name` joins and answers the topics question (then skips the rest)."""
    await h.join(name, locale=locale)
    await h.click(name, "Start")
    if topics:
        await h.select(name, list(topics))
        await h.click(name, "Next")
    else:
        await h.click(name, "Skip")
    await h.click(name, "Skip")
    await h.click(name, "Skip")


async def pairings_of(h: Harness, name: str) -> list[Pairing]:
    async with h.runtime.storage.unit_of_work() as uow:
        record = await uow.get(Directory).get(h.ref(name))  # type: ignore[type-abstract]
        assert record is not None
        return await uow.get(Pairings).of_person(record.person_id)  # type: ignore[type-abstract]


def mentor_intro(h: Harness, name: str) -> str:
    return texts([p for p in h.dms(name) if "Meet @" in p.text])


async def test_newcomer_is_paired_with_a_mentor_sharing_a_topic(harness: MakeHarness) -> None:
    async with harness() as h:
        await h.command("carol", "/mentor on python")
        await h.command("erin", "/mentor on rust design")
        await newcomer_with(h, "dave", "rust")
        assert "Meet @erin, your mentor (you share: rust)!" in mentor_intro(h, "dave")
        intro = h.dms("erin")[-1]
        assert "Please welcome @dave (you share: rust)" in intro.text
        assert "Which topics interest you?: rust" in intro.text
        assert "Tell us about yourself" not in intro.text  # a private question
        (pairing,) = await pairings_of(h, "dave")
        assert pairing.topic == "rust" and pairing.status is PairingStatus.ACTIVE


async def test_any_topic_mentors_come_after_those_who_chose_the_topic(
    harness: MakeHarness,
) -> None:
    async with harness() as h:
        await h.command("carol", "/mentor on")
        await h.command("erin", "/mentor on python")
        await newcomer_with(h, "dave", "python")
        assert "Meet @erin" in mentor_intro(h, "dave")
        await newcomer_with(h, "frank", "design")  # nobody chose design: any topic will do
        assert "Meet @carol" in mentor_intro(h, "frank")


async def test_least_loaded_mentor_first(harness: MakeHarness) -> None:
    async with harness() as h:
        await h.command("carol", "/mentor on")
        await h.command("erin", "/mentor on")
        await newcomer_with(h, "dave")
        first = "carol" if "Meet @carol" in mentor_intro(h, "dave") else "erin"
        await newcomer_with(h, "frank")
        assert f"Meet @{first}" not in mentor_intro(h, "frank")  # the other one: less loaded


async def test_same_language_breaks_a_tie(harness: MakeHarness) -> None:
    async with harness() as h:
        await h.command("erin", "/language nb")
        await h.command("carol", "/mentor on")
        await h.command("erin", "/mentor on")
        await h.join("dave")
        await h.command("dave", "/language nb")
        await h.click("dave", "Skip the questions")
        assert "@erin" in texts(h.dms("dave"))
        await newcomer_with(h, "frank")  # English, like carol
        assert "Meet @carol" in mentor_intro(h, "frank")


async def test_closest_time_zone_breaks_a_tie(harness: MakeHarness) -> None:
    async with harness() as h:
        await h.command("carol", "/timezone Europe/Oslo")
        await h.command("erin", "/timezone America/New_York")
        await h.command("carol", "/mentor on")
        await h.command("erin", "/mentor on")
        await h.join("gina")
        await h.command("gina", "/timezone America/Chicago")
        await h.click("gina", "Skip the questions")
        assert "Meet @erin" in mentor_intro(h, "gina")


async def test_no_mentor_available_the_newcomer_waits_until_one_volunteers(
    harness: MakeHarness,
) -> None:
    async with harness(max_mentees=1) as h:
        await newcomer_with(h, "dave", "rust")
        assert mentor_intro(h, "dave") == ""
        assert "waiting for a mentor: @dave" in (await h.command("alice", "/mentors"))[0].text
        await h.command("carol", "/mentor on python")  # not a rust mentor
        assert mentor_intro(h, "dave") == ""
        await h.command("erin", "/mentor on rust")
        assert "Meet @erin" in mentor_intro(h, "dave")
        await newcomer_with(h, "frank", "rust")  # erin is full (max_mentees = 1)
        assert "mentors are busy" in h.dms("frank")[-1].text
        assert "waiting for a mentor: @frank" in (await h.command("alice", "/mentors"))[0].text


async def test_a_mentor_going_off_duty_hands_newcomers_on(harness: MakeHarness) -> None:
    async with harness() as h:
        await h.command("carol", "/mentor on rust")
        await newcomer_with(h, "dave", "rust")
        assert "Meet @carol" in mentor_intro(h, "dave")
        await h.command("carol", "/mentor off")
        assert "I'll introduce your newcomer to another mentor" in h.last(to="carol").text
        assert "had to step back" in h.dms("dave")[-1].text
        (pairing,) = await pairings_of(h, "dave")
        assert pairing.status is PairingStatus.ENDED
        assert h.runtime.scheduler.pending_count == 0  # its check-in is cancelled
        await h.command("erin", "/mentor on")  # dave waited; now he gets erin
        assert "Meet @erin" in mentor_intro(h, "dave")
        await h.command("carol", "/mentor on")
        assert "Meet @carol" not in mentor_intro(h, "dave").split("Meet @erin")[-1]


async def test_a_mentor_who_leaves_hands_newcomers_on(harness: MakeHarness) -> None:
    async with harness() as h:
        await h.command("carol", "/mentor on")
        await h.command("erin", "/mentor on")
        await newcomer_with(h, "dave")
        first = "carol" if "Meet @carol" in mentor_intro(h, "dave") else "erin"
        other = "erin" if first == "carol" else "carol"
        await h.leave(first)
        assert f"Meet @{other}" in mentor_intro(h, "dave")
        out = await h.command("alice", "/mentors")
        assert f"@{first}" not in out[0].text


async def test_a_newcomer_who_leaves_ends_the_pairing(harness: MakeHarness) -> None:
    async with harness() as h:
        await h.command("carol", "/mentor on")
        await newcomer_with(h, "dave")
        await h.leave("dave")
        assert "@dave has left the community" in h.dms("carol")[-1].text
        assert (await pairings_of(h, "carol"))[0].status is PairingStatus.CLOSED
        assert await h.tick("30d") == []


async def test_after_n_days_a_pair_that_talked_is_thanked(harness: MakeHarness) -> None:
    async with harness(check_after_days=7) as h:
        await h.command("carol", "/mentor on")
        await newcomer_with(h, "dave")
        await h.tick("1d")
        await h.say("carol", "Welcome @dave! Ask me anything.", channel="general")
        await h.tick("10m")
        await h.say("dave", "Thanks carol!", channel="general")
        out = await h.tick("6d")
        assert [p.dm_to for p in out] == [h.ref("carol")]
        assert "thank you for welcoming @dave" in out[0].text
        assert (await pairings_of(h, "dave"))[0].status is PairingStatus.MET


async def test_posts_far_apart_do_not_count_as_talking(harness: MakeHarness) -> None:
    async with harness(check_after_days=7) as h:
        await h.command("carol", "/mentor on")
        await newcomer_with(h, "dave")
        await h.say("carol", "morning all", channel="general")
        await h.tick("5h")
        await h.say("dave", "evening all", channel="general")
        out = await h.tick("7d")
        assert "haven't seen you talk yet" in texts(out)


async def test_no_contact_means_a_nudge_then_another_mentor(harness: MakeHarness) -> None:
    async with harness(check_after_days=7, nudges=1) as h:
        await h.command("carol", "/mentor on")
        await newcomer_with(h, "dave")
        await h.command("erin", "/mentor on")
        out = await h.tick("7d")
        assert {p.dm_to for p in out} == {h.ref("dave"), h.ref("carol")}
        assert all("haven't seen you talk yet" in p.text for p in out)
        assert all([b.label for b in p.buttons] == ["We've talked"] for p in out)
        out = await h.tick("7d")
        assert "look for another mentor for them" in texts(
            [p for p in out if p.dm_to == h.ref("carol")]
        )
        assert "Meet @erin" in mentor_intro(h, "dave")
        statuses = [p.status for p in await pairings_of(h, "dave")]
        assert statuses == [PairingStatus.NO_CONTACT, PairingStatus.ACTIVE]


async def test_we_have_talked_button_ends_the_check_in(harness: MakeHarness) -> None:
    async with harness(check_after_days=7) as h:
        await h.command("carol", "/mentor on")
        await newcomer_with(h, "dave")
        await h.tick("7d")
        press = h.community.click("dave", "We've talked")
        await h.dispatch(replace(press, actor=h.community.member("erin")))
        assert "not yours" in h.last(to="erin").text
        out = await h.click("dave", "We've talked")
        assert "glad you two have met" in out[0].text
        assert (await pairings_of(h, "dave"))[0].status is PairingStatus.MET
        assert await h.tick("30d") == []


async def test_introduction_in_a_thread(harness: MakeHarness) -> None:
    async with harness(introduction_channel="introductions") as h:
        await h.command("carol", "/mentor on")
        await newcomer_with(h, "dave")
        posts = h.in_channel("introductions")
        assert posts[0].text == "Welcome @dave! 👋"
        thread_posts = [p for p in h.sent if p.thread_of == posts[0].ref]
        assert "@dave, meet @carol, your mentor!" in thread_posts[0].text
        assert mentor_intro(h, "dave") == ""  # no DMs when the thread worked
        (pairing,) = await pairings_of(h, "dave")
        assert pairing.thread is not None


async def test_mentor_command_status_topics_and_errors(harness: MakeHarness) -> None:
    async with harness() as h:
        assert "You are not a mentor" in (await h.command("carol", "/mentor"))[0].text
        out = await h.command("carol", "/mentor on python cobol")
        assert "Unknown topic: cobol. Topics here: python, rust, design." in out[0].text
        await h.command("carol", "/mentor on python rust")
        assert "You mentor python, rust" in (await h.command("carol", "/mentor"))[0].text
        out = await h.command("carol", "/mentor off rust")
        assert "Still mentoring: python" in out[0].text
        out = await h.command("carol", "/mentor off")
        assert "off duty" in out[0].text
        assert "nothing to stop" in (await h.command("carol", "/mentor off"))[0].text


async def test_mentoring_can_be_turned_off(harness: MakeHarness) -> None:
    async with harness(mentors=False) as h:
        assert "turned off" in (await h.command("carol", "/mentor on"))[0].text
        await newcomer_with(h, "dave")
        assert mentor_intro(h, "dave") == ""


async def test_admin_commands_refuse_others(harness: MakeHarness) -> None:
    async with harness() as h:
        for command in ("/mentors", "/segments"):
            out = await h.command("carol", command)
            assert "is for admins only" in out[0].text
            assert out[0].ephemeral_to == h.ref("carol")
            out = await h.command("bob", command)
            assert "is for admins only" in out[0].text


async def test_mentors_overview_shows_load(harness: MakeHarness) -> None:
    async with harness() as h:
        await h.command("carol", "/mentor on python")
        await h.command("erin", "/mentor on")
        await newcomer_with(h, "dave", "python")
        out = await h.command("alice", "/mentors")
        assert "2 mentors on duty" in out[0].text
        assert "@carol: python — 1/3 now, 1 in all" in out[0].text
        assert "@erin: any topic — 0/3 now, 0 in all" in out[0].text


async def test_a_mentor_on_another_platform_is_introduced_by_name(harness: MakeHarness) -> None:
    async with harness() as h:
        slack = await h.add_platform("slack", members=(("alice", ("admin",)),))
        await h.command("carol", "/mentor on")
        await h.on(slack, slack.join("sam"))
        await h.on(slack, slack.click("sam", "Skip the questions"))
        sam = slack.member("sam").ref
        to_sam = [p.text for p in slack.posts if p.dm_to == sam]
        assert "Meet carol (memory), your mentor!" in to_sam[-1]
        assert "Please welcome sam (slack)" in h.dms("carol")[-1].text
