"""`/profile` (public and private answers) and `/segments` (know your audience)."""

from __future__ import annotations

from datetime import timedelta

from bot.context import Context, Work
from bot.features.onboarding.handlers import feature
from bot.features.onboarding.reports import figures
from bot.registry import Feature
from bot.signals import ProfileRequested
from bot.stats import Window
from bot.testing import Harness
from tests.features.onboarding.conftest import MEMBERS, MakeHarness


async def answer(h: Harness, name: str, topics: list[str], level: str | None, about: str) -> None:
    await h.join(name)
    await h.click(name, "Start")
    await h.select(name, topics)
    await h.click(name, "Next")
    await h.click(name, level or "Skip")
    await h.click(name, "Answer")
    await h.submit(name, answer=about)


async def test_profile_shows_public_answers_to_others_and_everything_to_owner_and_admins(
    harness: MakeHarness,
) -> None:
    async with harness() as h:
        await answer(h, "dave", ["rust", "design"], "Just starting", "Boat builder")
        mine = (await h.command("dave", "/profile"))[0].text
        assert "Profile of @dave" in mine
        assert "Joined: January 5, 2026" in mine
        assert "Topics: rust, design" in mine
        assert "How experienced are you?: Just starting" in mine
        assert "Tell us about yourself: Boat builder" in mine
        assert "Change your answers with /profile edit" in mine
        theirs = (await h.command("carol", "/profile @dave"))[0].text
        assert "Topics: rust, design" in theirs and "Just starting" in theirs
        assert "Boat builder" not in theirs  # `public = false`
        admin = (await h.command("alice", "/profile dave"))[0].text
        assert "Boat builder" in admin


async def test_profile_of_someone_who_never_answered(harness: MakeHarness) -> None:
    async with harness() as h:
        out = await h.command("carol", "/profile bob")
        assert "bob hasn't filled in a profile yet" in out[0].text
        out = await h.command("carol", "/profile")
        assert "You haven't answered the questions yet: /profile edit" in out[0].text
        out = await h.command("carol", "/profile nobody")
        assert "I don't know a member called nobody" in out[0].text


async def test_profile_shows_mentoring_and_the_mentor_to_the_newcomer(
    harness: MakeHarness,
) -> None:
    async with harness() as h:
        await h.command("carol", "/mentor on python")
        await answer(h, "dave", ["python"], None, "hi")
        assert "Mentor for: python" in (await h.command("dave", "/profile carol"))[0].text
        assert "Mentor: @carol" in (await h.command("dave", "/profile"))[0].text
        assert "Mentor: @carol" not in (await h.command("erin", "/profile dave"))[0].text


async def test_other_features_add_lines_to_the_profile() -> None:
    extra = Feature("extra")

    @extra.on(ProfileRequested)
    async def add(ctx: object, signal: ProfileRequested) -> None:
        signal.lines.append(("Kudos", "12 received"))

    async with Harness(features=[feature, extra], members=MEMBERS) as h:
        assert "Kudos: 12 received" in (await h.command("carol", "/profile"))[0].text


async def test_segments_count_present_members(harness: MakeHarness) -> None:
    async with harness() as h:
        await answer(h, "dave", ["rust", "design"], "Just starting", "a")
        await answer(h, "frank", ["rust"], "Experienced", "b")
        await answer(h, "gina", ["python"], "Just starting", "c")
        await h.leave("gina")  # gone: no longer counted
        out = await h.command("alice", "/segments")
        text = out[0].text
        assert "(2 members answered the questionnaire)" in text
        assert "Which topics interest you?\npython: 0\nrust: 2\ndesign: 1" in text
        assert "How experienced are you?\nJust starting: 1\nExperienced: 1" in text
        assert "Named segments\nnewbies: 1" in text
        assert "Last 30 days: 3 joined, 3 answered the questions, 0 got a mentor." in text
        assert out[0].ephemeral_to == h.ref("alice")


async def test_segments_without_choice_questions(harness: MakeHarness) -> None:
    async with harness(questions=[{"id": "about", "text": "About you", "kind": "text"}]) as h:
        out = await h.command("alice", "/segments")
        assert "no choice questions" in out[0].text


async def test_figures_for_community_metrics(harness: MakeHarness) -> None:
    async with harness(rules="Be kind.") as h:
        await h.command("carol", "/mentor on")
        await h.join("dave")
        await h.click("dave", "I agree")
        await h.click("dave", "Skip the questions")
        await h.join("frank")
        now = h.clock.now()
        async with h.runtime.storage.unit_of_work() as uow:
            ctx = Context(Work(h.runtime, uow), feature, None)
            week = await figures(ctx, Window(now - timedelta(days=7), now + timedelta(minutes=1)))
            slack = await figures(
                ctx, Window(now - timedelta(days=7), now + timedelta(minutes=1), platform="slack")
            )
        assert {f.key: f.value for f in week} == {
            "onboarding_newcomers": 2,
            "onboarding_agreed": 1,
            "onboarding_answered": 0,
            "onboarding_paired": 1,
            "onboarding_met": 0,
        }
        assert {f.key: f.value for f in slack}["onboarding_newcomers"] == 0
