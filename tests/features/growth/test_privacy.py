"""Forget, export, profile lines and the figures growth gives community metrics."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from bot.context import Context, Work
from bot.ports import Directory
from bot.stats import Window
from bot.testing import Harness
from tests.features.growth.conftest import growth, perks, post


async def invited(h: Harness, referrer: str, newcomer: str) -> None:
    out = await h.command(referrer, "/invite")
    found = re.search(r"/invite/(\d+)", out[-1].text)
    assert found is not None
    await h.dispatch(h.community.join(newcomer, invite=found.group(1)))


async def forget(h: Harness, name: str) -> None:
    await h.command(name, "/mydata forget")
    await h.click(name, "Forget me")
    assert "erased" in h.last(to=name).text


async def test_export_lists_invites_referrals_perks_and_grants() -> None:
    async with growth(reward_role="Recruiter") as h:
        await invited(h, "carol", "dave")
        await post(h, "dave", 5)
        await h.tick("7d")
        await h.command("carol", "/mydata export")
        data = json.loads(h.dms("carol")[-1].attachments[0].data)
        mine = data["features"]["growth"]
        assert [i["kind"] for i in mine["invites"]] == ["link"]
        assert [r["status"] for r in mine["invited"]] == ["rewarded"]
        assert [p["role"] for p in mine["perks"]] == ["Recruiter"]
        assert [(g["action"], g["role"]) for g in mine["grants"]] == [("grant", "Recruiter")]
        assert "growth_referrals" in data["tables"]


async def test_forgetting_a_newcomer_removes_their_referral() -> None:
    async with growth(reward_role="Recruiter") as h:
        await invited(h, "carol", "dave")
        await forget(h, "dave")
        out = await h.command("carol", "/referrals")
        assert "Nobody joined with your invite yet" in out[-1].text


async def test_forgetting_an_admin_keeps_what_they_granted_without_their_name(h: Harness) -> None:
    await post(h, "carol", 3)
    await h.command("alice", "/growth report")
    await h.click("alice", "Invite carol to helpers")
    await h.click("carol", "Accept")
    await forget(h, "alice")
    assert await perks(h, "carol") == ["Helper"]
    async with h.runtime.storage.unit_of_work() as uow:
        from bot.features.growth.store import Perks

        [entry] = await uow.get(Perks).history(None, 10)  # type: ignore[type-abstract]
    assert entry.role == "Helper" and entry.by_person_id is None


async def test_profile_shows_perks_and_referrals() -> None:
    async with growth(reward_role="Recruiter") as h:
        await invited(h, "carol", "dave")
        await post(h, "dave", 5)
        await h.tick("7d")
        out = await h.command("carol", "/profile")
        text = "\n".join(p.text for p in out)
        assert "Recruiter" in text
        assert "1 joined, 1 settled in" in text


async def test_metrics_get_referrals_and_conversions(h: Harness) -> None:
    start = h.clock.now()
    await invited(h, "carol", "dave")
    await invited(h, "erin", "frank")
    await post(h, "dave", 5)
    await h.tick("7d")
    runtime = h.runtime
    feature = runtime.registry.features["growth"]
    async with runtime.storage.unit_of_work() as uow:
        ctx = Context(Work(runtime, uow), feature, None)
        (hook,) = feature.stats_hooks
        figures = await hook(ctx, Window(start, h.clock.now() + timedelta(seconds=1)))
    assert {f.key: f.value for f in figures} == {
        "growth_referrals": 2,
        "growth_conversions": 1,
        "growth_conversion_rate": 50.0,
        "growth_roles_granted": 0,
    }


async def test_the_home_tab_shows_perks() -> None:
    async with growth(reward_role="Recruiter") as h:
        runtime = h.runtime
        feature = runtime.registry.features["growth"]
        (hook,) = feature.home_hooks

        async def blocks() -> str:
            async with runtime.storage.unit_of_work() as uow:
                carol = await uow.get(Directory).get(h.ref("carol"))  # type: ignore[type-abstract]
                return str(await hook(Context(Work(runtime, uow), feature, None, carol)))

        assert await blocks() == "[]"
        await invited(h, "carol", "dave")
        await post(h, "dave", 5)
        await h.tick("7d")
        assert "Your perks: Recruiter" in await blocks()
