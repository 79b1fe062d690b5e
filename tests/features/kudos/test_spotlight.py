"""The member spotlight: the scheduled pick by formula, an admin's override, fairness rules."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.context import Context
from bot.features import all_features
from bot.features.kudos.store import Spotlights
from bot.registry import Feature
from bot.signals import AnswerAccepted
from bot.testing import Harness
from tests.features.kudos.conftest import kudos

TO_FEBRUARY = "27d1h1m"  # 2026-01-05 09:00 → just after 2026-02-01 10:00


def spotlights(posts: list[Any]) -> list[Any]:
    return [p for p in posts if p.by_bot and p.text.startswith("🌟 Member of the")]


async def test_the_month_s_best_helper_is_spotlighted_on_the_first() -> None:
    async with kudos(cooldown_minutes=0) as h:
        await h.command("alice", "/kudos @bob for fixing the build")
        await h.command("carol", "/kudos @bob for the review")
        await h.command("alice", "/kudos @dave")
        posted = spotlights(await h.tick(TO_FEBRUARY))
        assert len(posted) == 1
        post = posted[0]
        assert post.channel is not None and post.channel.name == "general"
        assert post.text.splitlines() == [
            "🌟 Member of the month, January 2026: @bob!",
            "This period they received 2 kudos.",
            "From their kudos: “for the review”",
            "Thank you for everything you do for this community!",
        ]
        async with h.runtime.storage.unit_of_work() as uow:
            found = await uow.get(Spotlights).get("2026-01")
        assert found is not None and found.source == "auto" and found.score == 2.0


def answers_for(answerer: str, count: int) -> Feature:
    sender = Feature("emitter")
    ids = iter(range(1, count + 1))

    @sender.command("emit", help="accept answers")
    async def emit(ctx: Context) -> None:
        assert ctx.actor is not None
        ref = ctx.actor.ref
        for question in ids:
            await ctx.emit(AnswerAccepted(question, ref, ref.sibling(f"u-{answerer}"), ref, None))

    return sender


async def test_the_formula_weighs_answers_and_newcomers_too() -> None:
    features = [*all_features(), answers_for("dave", 1)]
    weights = {"kudos": 1.0, "answers": 3.0, "newcomers": 2.0}
    async with kudos(
        cooldown_minutes=0, spotlight_weights=weights, top={"features": features}
    ) as h:
        await h.command("alice", "/kudos @bob")
        await h.command("carol", "/kudos @bob")
        await h.command("carol", "/emit")  # dave: one accepted answer = 3 points
        posted = spotlights(await h.tick(TO_FEBRUARY))
        assert "@dave" in posted[0].text
        assert "This period they had 1 answer accepted." in posted[0].text


async def test_nobody_scored_means_no_spotlight(h: Harness) -> None:
    assert spotlights(await h.tick(TO_FEBRUARY)) == []


async def test_members_who_left_are_not_spotlighted(h: Harness) -> None:
    await h.command("alice", "/kudos @bob")
    await h.command("carol", "/kudos @bob")
    await h.command("alice", "/kudos @dave")
    await h.leave("bob")
    posted = spotlights(await h.tick(TO_FEBRUARY))
    assert "@dave" in posted[0].text


async def test_last_periods_winner_gives_others_a_turn() -> None:
    async with kudos(cooldown_minutes=0, spotlight_skip_recent=1) as h:
        for giver in ("alice", "carol"):
            await h.command(giver, "/kudos @bob")
        await h.tick(TO_FEBRUARY)
        for giver in ("alice", "carol"):
            await h.command(giver, "/kudos @bob")
        await h.command("alice", "/kudos @dave")
        posted = spotlights(await h.tick("28d"))  # 1 March, 10:01
        assert len(posted) == 1 and "February 2026: @dave!" in posted[0].text


async def test_an_admin_spotlight_names_the_month_that_ended_and_is_posted_now() -> None:
    # 1 February, 09:00: January is over, its spotlight is due at 10:00.
    async with kudos(top={"start": datetime(2026, 2, 1, 9, 0, tzinfo=UTC)}) as h:
        out = await h.command("alice", "/spotlight @dave for organising the meetup")
        posted = spotlights(out)
        assert posted[0].text.splitlines()[:2] == [
            "🌟 Member of the month, January 2026: @dave!",
            "for organising the meetup",
        ]
        confirmation = out[-1]
        assert confirmation.ephemeral_to == h.ref("alice")
        assert "posted in #general as the pick for January 2026" in confirmation.text
        assert spotlights(await h.tick("2h")) == []  # the job leaves January alone


async def test_an_admin_replaces_the_automatic_pick_after_it_was_posted() -> None:
    # 31 December 2026, 20:00; the spotlight job runs on 1 January at 10:00.
    async with kudos(top={"start": datetime(2026, 12, 31, 20, 0, tzinfo=UTC)}) as h:
        await h.command("carol", "/kudos @bob")
        posted = spotlights(await h.tick("14h1m"))
        assert "December 2026: @bob!" in posted[0].text
        await h.tick("13h10m")  # 1 January, 23:11
        out = await h.command("alice", "/spotlight @dave")
        assert spotlights(out)[0].text.startswith("🌟 Member of the month, December 2026: @dave!")
        assert out[-1].text.endswith("It replaces the earlier pick, bob.")
        async with h.runtime.storage.unit_of_work() as uow:
            found = await uow.get(Spotlights).get("2026-12")
        assert found is not None and found.source == "admin"
        assert found.person_id == (await h.record("dave")).person_id


async def test_mid_month_the_default_is_the_month_that_ended_not_this_one() -> None:
    async with kudos(top={"start": datetime(2026, 12, 7, 12, 0, tzinfo=UTC)}) as h:
        out = await h.command("alice", "/spotlight @dave")
        assert "Member of the month, November 2026: @dave!" in spotlights(out)[0].text
        assert "December" not in out[-1].text


async def test_choosing_the_running_month_keeps_the_pick_until_it_ends() -> None:
    async with kudos(top={"start": datetime(2026, 12, 7, 12, 0, tzinfo=UTC)}) as h:
        await h.command("carol", "/kudos @bob")  # bob would win December by the numbers
        out = await h.command("alice", "/spotlight @dave 2026-12 for the winter meetup")
        assert spotlights(out) == []  # nothing says "December" with weeks to go
        assert out[-1].text == (
            "dave is your pick for December 2026: the scheduled spotlight posts them when "
            "the period is over, instead of choosing by itself."
        )
        preview = await h.command("alice", "/spotlight")
        assert "You chose dave for December 2026" in preview[-1].text
        assert spotlights(await h.tick("24d")) == []  # 31 December, still December
        posted = spotlights(await h.tick("1d"))  # 1 January, 12:00
        assert len(posted) == 1
        assert posted[0].text.splitlines()[:2] == [
            "🌟 Member of the month, December 2026: @dave!",
            "for the winter meetup",
        ]


async def test_a_pick_made_ahead_for_someone_who_left_falls_back_to_the_numbers() -> None:
    async with kudos(top={"start": datetime(2026, 12, 7, 12, 0, tzinfo=UTC)}) as h:
        await h.command("carol", "/kudos @bob")
        await h.command("alice", "/spotlight @dave 2026-12")
        await h.leave("dave")
        posted = spotlights(await h.tick("25d"))
        assert "December 2026: @bob!" in posted[0].text


async def test_spotlight_periods_are_checked() -> None:
    async with kudos(top={"start": datetime(2026, 12, 7, 12, 0, tzinfo=UTC)}) as h:
        out = await h.command("alice", "/spotlight @dave 2027-01")
        assert "January 2027 has not begun yet" in out[-1].text
        out = await h.command("alice", "/spotlight @dave 2026-13")
        assert "'2026-13' is not a month: write it like 2026-12." in out[-1].text
        out = await h.command("alice", "/spotlight @dave 2026-W02")
        assert "'2026-W02' is not a month" in out[-1].text
        assert spotlights(h.sent) == []
        out = await h.command("alice", "/spotlight @dave 2026-10 for a great October")
        assert "Member of the month, October 2026: @dave!" in spotlights(out)[0].text
    async with kudos(
        spotlight_period="week",
        spotlight_cron="0 10 * * MON",
        top={"start": datetime(2026, 1, 14, 12, 0, tzinfo=UTC)},
    ) as h:
        out = await h.command("alice", "/spotlight @dave")
        assert "Member of the week, the week of 5 January 2026: @dave!" in out[-2].text
        out = await h.command("alice", "/spotlight @dave 2026-12")
        assert "Spotlights here are weekly: name a week like 2026-W02" in out[-1].text
        out = await h.command("alice", "/spotlight @dave 2026-W01")
        assert "the week of 29 December 2025: @dave!" in spotlights(out)[0].text


async def test_without_a_schedule_the_running_period_cannot_be_chosen_ahead() -> None:
    async with kudos(
        spotlight_cron="", top={"start": datetime(2026, 12, 7, 12, 0, tzinfo=UTC)}
    ) as h:
        out = await h.command("alice", "/spotlight @dave 2026-12")
        assert "December 2026 is not over, and no scheduled spotlight will post it" in out[-1].text


async def test_spotlight_is_for_admins(h: Harness) -> None:
    out = await h.command("bob", "/spotlight @carol")
    assert "/spotlight is for admins only" in out[-1].text
    assert spotlights(h.sent) == []


async def test_spotlight_without_a_member_previews_the_leaders(h: Harness) -> None:
    await h.command("carol", "/kudos @bob")
    await h.command("alice", "/kudos @bob")
    await h.command("carol", "/kudos @dave")
    out = await h.command("alice", "/spotlight")
    assert out[-1].text.splitlines()[:3] == [
        "Spotlight candidates for January 2026 so far",
        "1. bob — 2 (received 2 kudos)",
        "2. dave — 1 (received 1 kudos)",
    ]
    assert spotlights(h.sent) == []


async def test_weekly_spotlights() -> None:
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # Monday
    async with kudos(
        spotlight_period="week", spotlight_cron="0 10 * * MON", top={"start": start}
    ) as h:
        await h.command("carol", "/kudos @bob")
        posted = spotlights(await h.tick("7d1h1m"))
        assert posted[0].text.startswith("🌟 Member of the week, the week of 5 January 2026: @bob!")


async def test_a_spotlight_missed_while_agora_was_down_is_posted_at_restart(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'agora.db'}"
    async with kudos(top={"storage_url": url}) as h:
        await h.command("carol", "/kudos @bob")
    back = datetime(2026, 2, 1, 10, 30, tzinfo=UTC)  # down over 1 February, 10:00
    async with kudos(top={"storage_url": url, "start": back}) as h:
        posted = spotlights(h.sent)
        assert len(posted) == 1 and "January 2026: @bob!" in posted[0].text
