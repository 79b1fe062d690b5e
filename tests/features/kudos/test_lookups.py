"""/kudos me for everyone; /kudos history and /kudos remove for moderators only."""

from __future__ import annotations

from datetime import timedelta

from bot.context import Context, Work
from bot.ports import Directory
from bot.stats import Window
from bot.testing import Harness
from tests.features.kudos.conftest import kudos, points


async def test_kudos_me_shows_received_given_left_today_and_badges(h: Harness) -> None:
    await h.command("carol", "/kudos @bob")
    await h.command("dave", "/kudos @bob")
    await h.command("bob", "/kudos @carol")
    out = await h.command("bob", "/kudos me")
    assert out[-1].ephemeral_to == h.ref("bob")
    assert out[-1].text.splitlines() == [
        "Your kudos",
        "Received: 2 received (2 in the last 7 days) · #1 all time",
        "Given: 1 given",
        "Left today: 4 of 5 (renews in 15 hours)",
        "Badges: 🌱 First kudos",
    ]


async def test_kudos_me_with_an_unlimited_allowance() -> None:
    async with kudos(daily_allowance=0) as h:
        out = await h.command("carol", "/kudos me")
        assert "Left today: unlimited" in out[-1].text
        assert "Badges: none yet — see /badges" in out[-1].text


async def test_history_is_for_moderators(h: Harness) -> None:
    await h.command("carol", "/kudos @dave for the slides")
    out = await h.command("carol", "/kudos history @dave")
    assert "/kudos history is for moderators only" in out[-1].text
    out = await h.command("bob", "/kudos history @dave")
    assert out[-1].ephemeral_to == h.ref("bob")
    assert out[-1].text.splitlines() == [
        "Kudos of dave (latest first)",
        "#1 · Jan 5, 2026 · carol → dave · 1 kudos (/kudos) · #general · “for the slides”",
    ]


async def test_history_shows_reactions_and_both_directions(h: Harness) -> None:
    post = await h.say("dave", "a fix", channel="help")
    await h.react("carol", post.number, "⭐")
    await h.tick("1h")
    await h.command("dave", "/kudos @erin")
    out = await h.command("alice", "/kudos history @dave")
    lines = out[-1].text.splitlines()
    assert lines[1].startswith("#2 · Jan 5, 2026 · dave → erin")
    assert lines[2] == "#1 · Jan 5, 2026 · carol → dave · 1 kudos (⭐) · #help"


async def test_moderators_can_remove_a_kudos(h: Harness) -> None:
    await h.command("carol", "/kudos @dave")
    out = await h.command("carol", "/kudos remove 1")
    assert "/kudos remove is for moderators only" in out[-1].text
    out = await h.command("bob", "/kudos remove 1")
    assert h.answer(out, "bob").text == (
        "Kudos #1 (1 point for dave) removed. Badges already earned stay. They were told privately."
    )
    assert await points(h, "dave") == 0
    out = await h.command("bob", "/kudos remove 1")
    assert "There is no kudos #1" in out[-1].text
    out = await h.command("bob", "/kudos remove one")
    assert "id must be a whole number" in out[-1].text


async def test_a_removal_is_audited_and_the_receiver_is_told_in_their_language(
    h: Harness,
) -> None:
    await h.command("dave", "/language nb")
    await h.command("carol", "/kudos @dave for nothing really")
    await h.tick("1d")
    out = await h.command("bob", "/kudos remove 1 traded with a second account")
    said = h.answer(out, "bob")
    assert said.ephemeral_to == h.ref("bob") and "told privately" in said.text
    assert h.dms("dave")[-1].text == (
        "En moderator fjernet kudosen carol ga deg 5. jan. 2026 (1 kudos). "
        "Begrunnelse: traded with a second account"
    )
    out = await h.command("alice", "/kudos history @dave")
    assert out[-1].text.splitlines()[1] == (
        "#1 · Jan 5, 2026 · carol → dave · 1 kudos (/kudos) · #general · “for nothing really”"
        " · ✂ removed by bob on Jan 6, 2026: “traded with a second account”"
    )
    await h.command("carol", "/kudos @erin")
    await h.leave("erin")
    out = await h.command("bob", "/kudos remove 2")
    assert out[-1].text.endswith("Badges already earned stay.")  # erin left: nobody to tell


async def test_history_pages_and_since() -> None:
    async with kudos(daily_allowance=0, cooldown_minutes=0) as h:
        for n in range(1, 46):  # 45 kudos, one a day
            await h.command("carol", f"/kudos @dave number {n}")
            await h.tick("1d")
        first = (await h.command("bob", "/kudos history @dave")).pop().text.splitlines()
        assert first[1].startswith("#45 · ") and len(first) == 22
        assert first[-1] == "Page 1 of 3. Older: /kudos history @dave 2"
        third = (await h.command("bob", "/kudos history @dave 3")).pop().text.splitlines()
        assert third[1].startswith("#5 · ") and third[-2].startswith("#1 · ")
        assert third[-1] == "Page 3 of 3."
        out = await h.command("bob", "/kudos history @dave 4")
        assert out[-1].text.startswith(
            "The history of dave has 3 pages; /kudos history @dave 3 is the oldest."
        )
        recent = await h.command("bob", "/kudos history @dave --since 2026-02-01")
        lines = recent.pop().text.splitlines()
        assert lines[0] == "Kudos of dave since Feb 1, 2026 (latest first)"
        assert lines[-1].startswith("#28 · Feb 1, 2026")  # 5 January + 27 days
        assert len(lines) == 1 + 18
        out = await h.command("bob", "/kudos history @dave --since yesterday")
        assert "'yesterday' is not a date" in out[-1].text


async def test_history_of_a_member_without_kudos(h: Harness) -> None:
    out = await h.command("bob", "/kudos history @erin")
    assert "No kudos given or received yet." in out[-1].text


async def test_profile_shows_kudos_and_badges(h: Harness) -> None:
    await h.command("carol", "/kudos @bob for the review")
    out = await h.command("dave", "/profile @bob")
    assert "Kudos: 1 received" in out[-1].text
    assert "Badges: 🌱 First kudos" in out[-1].text


async def test_metrics_get_the_kudos_flow(h: Harness) -> None:
    await h.command("carol", "/kudos @bob")
    await h.command("dave", "/kudos @bob")
    await h.command("dave", "/kudos @erin")
    runtime = h.runtime
    feature = runtime.registry.features["kudos"]
    now = h.clock.now()
    async with runtime.storage.unit_of_work() as uow:
        ctx = Context(Work(runtime, uow), feature, None)
        (hook,) = feature.stats_hooks
        figures = await hook(ctx, Window(now - timedelta(days=1), now + timedelta(seconds=1)))
    assert {f.key: f.value for f in figures} == {
        "kudos_given": 3,
        "kudos_points": 3,
        "kudos_givers": 2,
        "kudos_receivers": 2,
    }


async def test_home_tab_shows_the_members_kudos(h: Harness) -> None:
    await h.command("carol", "/kudos @bob")
    runtime = h.runtime
    feature = runtime.registry.features["kudos"]
    async with runtime.storage.unit_of_work() as uow:
        bob = await uow.get(Directory).get(h.ref("bob"))
        ctx = Context(Work(runtime, uow), feature, None, bob)
        (hook,) = feature.home_hooks
        blocks = await hook(ctx)
    assert "Your kudos" in str(blocks) and "1 received" in str(blocks)
