"""The ambassador pipeline: the weekly report, one-click invitations, accept or decline."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.testing import Harness
from tests.features.growth.conftest import growth, perks, post, said_to


@pytest.fixture
async def h() -> AsyncIterator[Harness]:
    async with growth(report_channel="mod-queue") as ready:
        yield ready


async def busy_week(h: Harness) -> None:
    """carol writes a lot and is thanked; erin writes a little."""
    await post(h, "carol", 6)
    await h.command("alice", "/kudos @carol")
    await h.command("bob", "/kudos @carol")
    await post(h, "erin", 1)


async def test_the_report_ranks_rising_contributors_with_track_buttons(h: Harness) -> None:
    await busy_week(h)
    out = await h.command("alice", "/growth report")
    report = h.answer(out, "alice")
    assert report.ephemeral_to == h.ref("alice")
    lines = report.text.splitlines()
    assert lines[0].startswith("🌱 Rising contributors")
    assert lines[1].startswith(
        "• carol: 6 messages (6 more than before), 0 accepted answers, 2 kudos"
    )
    assert lines[2].startswith("• erin: 1 messages")
    labels = {b.label for b in report.buttons}
    assert {"Invite carol to helpers", "Invite erin to ambassadors"} <= labels
    assert len(labels) == 6
    out = await h.command("carol", "/growth report")
    assert "for admins only" in h.answer(out, "carol").text


async def test_the_weekly_job_posts_to_the_admins_channel(h: Harness) -> None:
    await busy_week(h)
    posted = await h.tick("7d")
    [report] = [p for p in posted if p.text.startswith("🌱 Rising contributors")]
    assert report.channel == h.community.channel("mod-queue")
    assert "carol" in report.text


async def test_accepting_an_invitation_grants_the_role_and_is_logged(h: Harness) -> None:
    await busy_week(h)
    await h.command("alice", "/growth report")
    out = await h.click("alice", "Invite carol to helpers")
    assert "Invitation to the helpers sent to carol." in h.answer(out, "alice").text
    [dm] = [p for p in h.dms("carol") if "join the helpers" in p.text]
    assert {b.label for b in dm.buttons} == {"Accept", "No, thank you"}
    again = await h.click("alice", "Invite carol to helpers")
    assert "carol already has an open invitation to the helpers" in h.answer(again, "alice").text
    await h.click("carol", "Accept")
    assert dm.edited and dm.text == "Welcome to the helpers! You now have the role Helper."
    assert "Helper" in h.community.member("carol").roles
    assert await perks(h, "carol") == ["Helper"]
    assert not dm.buttons  # answered: the buttons are gone
    assert any(
        "carol accepted the invitation to the helpers" in p.text for p in h.in_channel("mod-queue")
    )
    out = await h.command("alice", "/growth log @carol")
    assert (
        "#1 Mon, Jan 5 09:00 (UTC) · carol · +Helper "
        "(nomination: accepted the invitation to the helpers) · by alice"
    ) in h.answer(out, "alice").text


async def test_declining_is_fine_and_grants_nothing(h: Harness) -> None:
    await busy_week(h)
    await h.command("alice", "/growth report")
    await h.click("alice", "Invite carol to ambassadors")
    await h.click("carol", "No, thank you")
    assert any("No problem at all" in p.text for p in h.dms("carol"))
    assert await perks(h, "carol") == []
    assert any(
        "carol declined the invitation to the ambassadors" in p.text
        for p in h.in_channel("mod-queue")
    )


async def test_only_admins_invite_and_only_the_member_answers(h: Harness) -> None:
    await busy_week(h)
    await h.tick("7d")  # the report in #mod-queue, visible to everyone there
    out = await h.click("erin", "Invite carol to helpers")
    assert "Only admins can do that" in h.answer(out, "erin").text
    await h.click("alice", "Invite carol to helpers")
    [dm] = [p for p in h.dms("carol") if "join the helpers" in p.text]
    accept = next(b for b in dm.buttons if b.label == "Accept")
    # Someone else replaying carol's button is refused.
    from bot.model import ButtonPressed

    event = ButtonPressed(
        event_id="forged",
        occurred_at=h.clock.now(),
        actor=h.community.member("erin"),
        action_id=accept.action_id,
        value="",
        message=dm.ref,
    )
    await h.dispatch(event)
    assert any("This invitation is not for you" in t for t in said_to(h, "erin"))
    assert await perks(h, "erin") == [] and await perks(h, "carol") == []


async def test_a_quiet_week_posts_no_report(h: Harness) -> None:
    posted = await h.tick("7d")
    assert not any("Rising contributors" in p.text for p in posted)
    out = await h.command("alice", "/growth report")
    assert "Nobody stood out this time." in h.answer(out, "alice").text


async def test_without_a_report_channel_only_the_inviting_admin_hears() -> None:
    async with growth() as h:
        await post(h, "carol", 6)
        posted = await h.tick("7d")
        assert not any("Rising contributors" in p.text for p in posted)
        await busy_week(h)
        await h.command("alice", "/growth report")
        await h.click("alice", "Invite carol to helpers")
        await h.click("carol", "Accept")
        assert any("carol accepted the invitation to the helpers" in t for t in said_to(h, "alice"))
        assert h.in_channel("mod-queue") == []


async def test_report_dates_and_log_times_are_on_the_readers_calendar(h: Harness) -> None:
    await busy_week(h)
    await h.command("alice", "/timezone Europe/Kyiv")
    out = await h.command("alice", "/growth report")
    title = out[-1].text.splitlines()[0].replace("\u2009", " ")
    assert title == "🌱 Rising contributors, Dec 29, 2025 – Jan 5, 2026"
    await h.click("alice", "Invite carol to helpers")
    await h.click("carol", "Accept")
    await h.command("alice", "/language fi")
    out = await h.command("alice", "/growth log @carol")
    assert "#1 ma 5.1. 11.00 (Europe/Kyiv) · carol · +Helper (nimitysehdotus: " in out[-1].text
