"""The mod queue: every action with and without the platform's capability, permissions,
concurrent moderators, the queue item's updates, DMs and the audit log."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from mod_kit import SLACK_LIKE, flag, flagged, harness, log_kinds, press, queue, settle

from bot.model import Capability


@pytest.mark.parametrize(
    ("button", "record", "outcome"),
    [
        ("Kick", "kick", "a kick"),
        ("Ban", "ban", "a ban"),
    ],
)
async def test_kick_and_ban_are_carried_out(button: str, record: str, outcome: str) -> None:
    async with harness() as h:
        await settle(h)
        message = await flagged(h)
        out = await h.click("bob", button)
        assert f"Done — case #1: {outcome}" in h.answer(out, "bob").text
        (action,) = h.community.moderation
        assert action.action == record and action.member == h.ref("carol")
        assert h.community.post(message.number).deleted  # delete_on_sanction
        item = queue(h)[0]
        assert "Handled by @bob" in item.text and outcome in item.text
        assert item.buttons == ()  # nobody acts twice
        assert "gave you " + outcome in h.dms("carol")[-1].text


async def test_timeout_duration_comes_from_the_menu() -> None:
    async with harness() as h:
        await settle(h)
        await flagged(h)
        out = await h.select("bob", ["1d"])
        assert "a timeout of 1 day" in h.answer(out, "bob").text
        (action,) = h.community.moderation
        assert action.action == "timeout" and action.until == h.clock.now() + timedelta(days=1)


@pytest.mark.parametrize(
    ("button", "capability", "verb"),
    [
        ("Kick", Capability.KICK, "kick members"),
        ("Ban", Capability.BAN, "ban members"),
        ("Delete message", Capability.DELETE_MESSAGES, "delete members' messages"),
    ],
)
async def test_actions_the_platform_lacks_are_explained(
    button: str, capability: Capability, verb: str
) -> None:
    async with harness(capabilities=frozenset(Capability) - {capability}) as h:
        await settle(h)
        message = await flagged(h)
        out = await h.click("bob", button)
        assert f"memory does not let bots {verb}" in h.answer(out, "bob").text
        assert h.answer(out, "bob").ephemeral_to == h.ref("bob")
        assert h.community.moderation == [] and not h.community.post(message.number).deleted
        assert "Waiting for a moderator" in queue(h)[0].text  # still open for another action
        assert "dismiss" not in await log_kinds(h)


async def test_timeout_without_the_capability_is_explained() -> None:
    async with harness(capabilities=SLACK_LIKE) as h:
        await settle(h)
        await flagged(h)
        out = await h.select("bob", ["10m"])
        assert "does not let bots time members out" in h.answer(out, "bob").text


async def test_delete_message() -> None:
    async with harness() as h:
        await settle(h)
        message = await flagged(h)
        out = await h.click("bob", "Delete message")
        assert "message deleted" in h.answer(out, "bob").text
        assert h.community.post(message.number).deleted
        assert "removed a message of yours in #general" in h.dms("carol")[-1].text
        assert await log_kinds(h) == ["flag", "flag", "flag", "queued", "delete"]


async def test_dismiss_tells_flaggers_but_not_the_author() -> None:
    async with harness() as h:
        await settle(h)
        message = await flagged(h)
        await h.click("bob", "Dismiss")
        assert not h.community.post(message.number).deleted
        assert h.dms("carol") == []
        assert "found no rule broken" in h.dms("dave")[-1].text
        assert "dismissed: no rule broken" in queue(h)[0].text


async def test_warn_follows_the_ladder_and_cites_the_picked_rule() -> None:
    async with harness() as h:
        await settle(h)
        await flagged(h)
        await h.select("bob", ["3"])  # "Rule broken…" menu
        out = await h.click("bob", "Warn")
        assert "a warning" in h.answer(out, "bob").text
        dm = h.dms("carol")[-1].text
        assert "gave you a warning" in dm and "Rule 3: No spam" in dm and "/appeal" in dm
        second = await h.say("carol", "again", channel="general")
        await flag(h, second.number, "bob")
        assert "1 active strike (next: a timeout of 1 hour)" in queue(h)[-1].text
        await h.click("bob", "Warn")
        assert [m.action for m in h.community.moderation] == ["timeout"]


async def test_warn_where_the_ladder_step_cannot_be_done_is_recorded() -> None:
    async with harness({"ladder": ["timeout 1h"]}, capabilities=SLACK_LIKE) as h:
        await settle(h)
        await flagged(h)
        out = await h.click("bob", "Warn")
        assert "cannot do: it is on record" in h.answer(out, "bob").text
        assert "does not let bots delete members' messages" in h.answer(out, "bob").text
        assert "not carried out" in queue(h)[0].text


async def test_members_cannot_act_on_the_queue() -> None:
    async with harness() as h:
        await settle(h)
        await flagged(h)
        item = queue(h)[0]
        for button in item.buttons:
            out = await press(h, "carol", button)
            assert "Only moderators can do that" in h.answer(out, "carol").text
        assert "Waiting for a moderator" in queue(h)[0].text
        assert h.community.moderation == []


async def test_escalated_cases_are_for_admins() -> None:
    async with harness({"escalation_channel": "help"}) as h:
        await settle(h)
        await flagged(h)
        out = await h.click("bob", "Escalate")
        assert "Escalated" in h.answer(out, "bob").text
        assert "Escalated by @bob" in queue(h)[0].text
        assert "Case #1 needs an admin" in h.in_channel("help")[-1].text
        out = await h.click("mia", "Ban")
        assert "Only admins can do that" in h.answer(out, "mia").text
        out = await h.click("alice", "Ban")
        assert "a ban" in h.answer(out, "alice").text


async def test_two_moderators_at_once_one_wins_the_other_is_told() -> None:
    async with harness() as h:
        await settle(h)
        await flagged(h)
        first = h.community.click("bob", "Ban")
        second = h.community.click("mia", "Kick")
        await asyncio.gather(h.dispatch(first), h.dispatch(second))
        assert len(h.community.moderation) == 1
        told = [p.text for p in h.sent if p.ephemeral_to in (h.ref("bob"), h.ref("mia"))]
        assert any(t.startswith("Done") for t in told)
        assert any(t.startswith("Too late: ✅ Handled by @") for t in told)
        assert (await log_kinds(h)).count("sanction") == 1


async def test_stale_buttons_after_a_decision() -> None:
    async with harness() as h:
        await settle(h)
        await flagged(h)
        kick = next(b for b in queue(h)[0].buttons if b.label == "Kick")
        await h.click("bob", "Dismiss")
        out = await press(h, "mia", kick)
        assert "Too late" in h.answer(out, "mia").text and "dismissed" in h.answer(out, "mia").text
        assert h.community.moderation == []


async def test_auto_hide_keeps_the_text_for_moderators_and_dismiss_restores_it() -> None:
    async with harness({"auto_hide": True}) as h:
        await settle(h)
        message = await flagged(h)
        assert h.community.post(message.number).deleted
        item = queue(h)[0]
        assert "hidden from the channel pending review" in item.text
        assert "you are all idiots" in item.text
        await h.click("bob", "Dismiss")
        restored = h.in_channel("general")[-1]
        assert "Restored by the moderators — @carol wrote" in restored.text
        assert "you are all idiots" in restored.text
        assert "hidden" in await log_kinds(h)


async def test_a_moderator_flag_never_auto_hides() -> None:
    async with harness({"auto_hide": True}) as h:
        message = await h.say("carol", "spam", channel="general")
        await flag(h, message.number, "bob")
        assert not h.community.post(message.number).deleted


async def test_audit_log_records_every_step() -> None:
    async with harness() as h:
        await settle(h)
        await flagged(h)
        await h.click("bob", "Warn")
        assert await log_kinds(h) == ["flag", "flag", "flag", "queued", "sanction"]
        out = await h.command("mia", "/modlog @carol")
        text = h.answer(out, "mia").text
        assert "@bob sanctioned @carol · a warning, strike 1 · case #1" in text
        assert "@dave flagged a message by @carol · weight 1 (a regular member's flag)" in text
        last = (await h.command("mia", "/modlog last 1"))[-1].text
        assert "sanctioned" in last and "flagged" not in last


async def test_notifications_can_be_turned_off() -> None:
    async with harness({"dm_author": False, "notify_flaggers": False}) as h:
        await settle(h)
        await flagged(h)
        await h.click("bob", "Ban")
        assert h.dms("carol") == [] and h.dms("dave") == []
