"""The ideas board: propose, support, moderators decide in the open, supporters hear."""

from __future__ import annotations

import pytest

from adapters.memory.community import Posted
from bot.testing import Harness

IDEA = "/idea Dark mode for the website. My eyes hurt when I read at night."


def card(h: Harness, idea_id: int = 1) -> Posted:
    return next(p for p in h.sent if p.text.startswith(f"💡 Idea #{idea_id}:"))


async def test_idea_is_posted_with_a_support_button() -> None:
    async with Harness() as h:
        out = await h.command("carol", IDEA)
        posted = card(h)
        assert posted.text.startswith("💡 Idea #1: Dark mode for the website")
        assert "My eyes hurt when I read at night." in posted.text
        assert "Status: 🆕 new · 0 supporters · proposed by carol" in posted.text
        assert [b.label for b in posted.buttons] == ["👍 Support"]
        assert "Your idea #1 is on the board in #general" in h.answer(out, "carol").text


async def test_support_toggles_and_updates_the_card() -> None:
    async with Harness() as h:
        await h.command("carol", IDEA)
        out = await h.click("bob", "👍 Support")
        assert "You support idea #1 (1 supporter)." in out[0].text
        await h.click("alice", "👍 Support")
        assert "2 supporters" in card(h).text
        out = await h.click("bob", "👍 Support")
        assert "You no longer support idea #1." in out[0].text
        assert "1 supporter " in card(h).text


async def test_status_change_is_announced_and_dmed_to_author_and_supporters() -> None:
    async with Harness() as h:
        await h.join("dave")
        await h.command("carol", IDEA)
        await h.click("dave", "👍 Support")
        await h.click("bob", "👍 Support")  # the moderator's own support: no DM to himself
        out = await h.command("bob", "/idea status 1 planned For the March release")
        assert "Idea #1 is now planned; 2 members were told." in h.answer(out, "bob").text
        public = [p for p in h.in_channel("general") if p.text.startswith("🗓 Idea #1")]
        assert len(public) == 1
        assert "is now planned. Note: For the March release (updated by bob)" in public[0].text
        assert "Your idea #1 “Dark mode for the website” is now planned" in h.dms("carol")[-1].text
        assert "which you support, is now planned" in h.dms("dave")[-1].text
        assert h.dms("bob") == []
        assert "Status: 🗓 planned" in card(h).text and "Moderators: For the March" in card(h).text
        await h.command("bob", "/idea status 1 done")
        assert "✅ done" in card(h).text and not card(h).buttons


async def test_declining_needs_a_reason() -> None:
    async with Harness() as h:
        await h.command("carol", IDEA)
        out = await h.command("bob", "/idea status 1 declined")
        assert "Say why it is declined" in h.answer(out, "bob").text
        await h.command("bob", "/idea status 1 declined Out of scope this year")
        assert "Note: Out of scope this year" in h.dms("carol")[-1].text
        out = await h.command("bob", "/idea status 1 declined Out of scope this year")
        assert "already declined" in h.answer(out, "bob").text


async def test_supporting_a_closed_idea_is_refused() -> None:
    async with Harness() as h:
        await h.command("carol", IDEA)
        number = card(h).number
        blocks = card(h).blocks
        await h.command("bob", "/idea status 1 done")
        h.community.post(number).blocks = blocks  # a stale copy with the button
        out = await h.click("alice", "👍 Support", number)
        assert "Idea #1 is done; it no longer takes support." in out[0].text


async def test_status_is_for_moderators_and_must_be_known() -> None:
    async with Harness() as h:
        await h.command("carol", IDEA)
        out = await h.command("carol", "/idea status 1 planned")
        assert "for moderators only" in h.answer(out, "carol").text
        out = await h.command("bob", "/idea status 1 someday")
        assert "'someday' is not a status" in h.answer(out, "bob").text
        out = await h.command("bob", "/idea status 9 planned")
        assert "There is no idea #9" in h.answer(out, "bob").text
        await h.command("bob", "/idea status 1 in-progress")
        assert "🚧 in progress" in card(h).text


async def test_board_views() -> None:
    async with Harness() as h:
        await h.command("carol", IDEA)
        await h.command("carol", "/idea Monthly meetups")
        await h.command("alice", "/idea A wiki")
        await h.click("bob", "👍 Support", card(h, 2).number)
        await h.click("alice", "👍 Support", card(h, 2).number)
        await h.click("bob", "👍 Support", card(h, 3).number)
        out = await h.command("carol", "/ideas")
        lines = out[0].text.splitlines()
        assert lines[0] == "Most supported ideas:"
        assert lines[1].startswith("#2 Monthly meetups — 2 supporters")
        assert lines[2].startswith("#3 A wiki — 1 supporter")
        out = await h.command("carol", "/ideas new")
        assert out[0].text.splitlines()[1].startswith("#3 A wiki")
        await h.command("bob", "/idea status 2 planned")
        out = await h.command("carol", "/ideas planned")
        assert "Ideas that are planned:" in out[0].text and "#2 Monthly meetups" in out[0].text
        out = await h.command("carol", "/ideas done")
        assert "No ideas here yet" in out[0].text
        out = await h.command("carol", "/ideas best")
        assert "'best' is not a status" in out[0].text


async def test_idea_form_and_ideas_channel() -> None:
    settings = {"features": {"polls": {"ideas_channel": "#help"}}}
    async with Harness(config=settings) as h:
        await h.command("carol", "/idea")
        assert "Propose an idea" in h.dms("carol")[-1].text
        out = await h.submit("carol", title="A book club", details="Once a month")
        assert "Your idea #1 is on the board in #help" in h.answer(out, "carol").text
        posted = card(h)
        assert posted.channel is not None and posted.channel.name == "help"
        assert "Once a month" in posted.text


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("/idea " + "x" * 151, "Start with a short first sentence"),
        ("/idea Short. " + "y" * 2001, "under 2000 characters"),
    ],
)
async def test_idea_mistakes(line: str, message: str) -> None:
    async with Harness() as h:
        out = await h.command("carol", line)
        assert message in h.answer(out, "carol").text
