"""The rules gate: "I agree", the newcomer role or state, reminders, moderators told."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.features.onboarding.handlers import feature
from bot.features.onboarding.store import Newcomer, Newcomers
from bot.model import Capability
from bot.ports import Directory
from bot.testing import Harness
from tests.features.onboarding.conftest import MakeHarness

RULES = {
    "rules": "1. Be kind. 2. No spam.",
    "newcomer_role": "newcomer",
    "member_role": "member",
}


async def newcomer(h: Harness, name: str) -> Newcomer | None:
    async with h.runtime.storage.unit_of_work() as uow:
        record = await uow.get(Directory).get(h.ref(name))  # type: ignore[type-abstract]
        assert record is not None
        return await uow.get(Newcomers).get(record.person_id)  # type: ignore[type-abstract]


async def test_welcome_shows_the_rules_and_the_newcomer_role_applies(
    harness: MakeHarness,
) -> None:
    async with harness(**RULES) as h:
        await h.join("dave")
        dm = h.dms("dave")[0]
        assert "1. Be kind. 2. No spam." in dm.text
        assert [b.label for b in dm.buttons] == ["I agree"]
        assert "Start" not in [b.label for b in dm.buttons]  # questions come after agreeing
        assert h.community.members["dave"].roles == {"newcomer"}


async def test_agreeing_is_recorded_with_its_time_and_swaps_the_roles(
    harness: MakeHarness,
) -> None:
    async with harness(**RULES) as h:
        await h.join("dave")
        await h.tick("10m")
        out = await h.click("dave", "I agree")
        assert "Thank you for accepting the rules" in out[0].text
        assert [b.label for b in out[0].buttons] == ["Start", "Skip the questions"]
        assert h.community.members["dave"].roles == {"member"}
        found = await newcomer(h, "dave")
        assert found is not None and found.agreed_at == h.clock.now()
        again = await h.click("dave", "I agree", out[0].number - 1)
        assert "already accepted" in again[0].text


async def test_held_newcomers_may_use_only_the_allowed_commands(harness: MakeHarness) -> None:
    async with harness(**RULES) as h:
        await h.join("dave")
        refused = await h.command("dave", "/mentor on")
        assert "Please accept the community rules before using /mentor" in refused[0].text
        assert refused[0].ephemeral_to == h.ref("dave")
        assert "Commands you can use" in (await h.command("dave", "/help"))[0].text
        assert "1. Be kind" in (await h.command("dave", "/welcome"))[0].text
        await h.click("dave", "I agree")
        assert "You mentor any topic" in (await h.command("dave", "/mentor on"))[0].text


async def test_members_from_before_and_staff_are_never_held(harness: MakeHarness) -> None:
    async with harness(**RULES) as h:
        assert "You mentor" in (await h.command("carol", "/mentor on"))[0].text
        await h.join("mod", "moderator")
        assert "Only" not in (await h.command("mod", "/mentor"))[0].text
        assert "Please accept" not in (await h.command("mod", "/mentor"))[0].text


async def test_commands_stay_open_when_restriction_is_off(harness: MakeHarness) -> None:
    async with harness(**RULES, restrict_commands=False) as h:
        await h.join("dave")
        assert "You mentor" in (await h.command("dave", "/mentor on"))[0].text


async def test_without_roles_the_core_keeps_the_state(harness: MakeHarness) -> None:
    """Slack has no roles: nothing to add, yet the gate holds through Agora's own state."""
    async with harness(**RULES) as h:
        h.port.capabilities = frozenset(Capability) - {Capability.ROLES}
        await h.join("dave")
        assert h.community.members["dave"].roles == frozenset()
        assert "Please accept" in (await h.command("dave", "/mentor on"))[0].text
        await h.click("dave", "I agree")
        assert "You mentor" in (await h.command("dave", "/mentor on"))[0].text


async def test_agree_button_in_the_public_greeting_works_for_the_newcomer_only(
    harness: MakeHarness,
) -> None:
    async with harness(**RULES, welcome_channel="general") as h:
        await h.join("dave")
        (post,) = h.in_channel("general")
        assert [b.label for b in post.buttons] == ["I agree"]
        other = await h.click("carol", "I agree", post.number)
        assert "nothing for you to accept" in other[0].text
        mine = await h.click("dave", "I agree", post.number)
        assert mine[0].ephemeral_to == h.ref("dave")
        assert "Thank you for accepting" in mine[0].text


async def test_reminder_after_the_delay_and_none_once_agreed(harness: MakeHarness) -> None:
    async with harness(**RULES, reminder_hours=24) as h:
        await h.join("dave")
        await h.join("frank")
        await h.click("frank", "I agree")
        await h.click("frank", "Skip the questions")
        assert await h.tick("23h") == []
        out = await h.tick("1h")
        assert [p.dm_to for p in out] == [h.ref("dave")]
        assert "A friendly reminder, @dave" in out[0].text
        assert [b.label for b in out[0].buttons] == ["I agree"]
        await h.tick("30d")
        reminders = [p for p in h.sent if p.text.startswith("A friendly reminder")]
        assert len(reminders) == 1  # once, not every day


async def test_moderators_hear_about_members_who_never_agreed(harness: MakeHarness) -> None:
    async with harness(**RULES, notify_moderators_hours=72) as h:
        await h.join("dave")
        await h.join("frank")
        await h.click("frank", "I agree")
        await h.tick("71h")
        assert h.in_channel("mod-queue") == []
        await h.tick("1h")
        (notice,) = h.in_channel("mod-queue")
        assert notice.text == "@dave joined 72 hours ago and has not accepted the rules yet."


async def test_no_gate_without_rules(harness: MakeHarness) -> None:
    async with harness(newcomer_role="newcomer") as h:
        await h.join("dave")
        assert h.community.members["dave"].roles == frozenset()
        assert "You mentor" in (await h.command("dave", "/mentor on"))[0].text
        found = await newcomer(h, "dave")
        assert found is not None and not found.gated


async def test_reminder_survives_a_restart(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'agora.db'}"
    config = {
        "features": {"onboarding": {**RULES, "reminder_hours": 24, "notify_moderators_hours": 0}}
    }
    async with Harness(config=config, features=[feature], storage_url=url) as first:
        await first.join("dave")
        start = first.clock.now()
    async with Harness(
        config=config, features=[feature], storage_url=url, start=start + timedelta(hours=30)
    ) as second:
        second.community.add_member("dave")
        out = await second.tick("1m")
        assert [p.text.split(",")[0] for p in out] == ["A friendly reminder"]
        assert await second.tick("3d") == []
