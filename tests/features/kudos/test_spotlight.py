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


async def test_an_admin_spotlight_is_posted_now_and_replaces_the_automatic_one(
    h: Harness,
) -> None:
    await h.command("carol", "/kudos @bob")
    out = await h.command("alice", "/spotlight @dave for organising the meetup")
    posted = spotlights(out)
    assert posted[0].text.splitlines()[:2] == [
        "🌟 Member of the month, January 2026: @dave!",
        "for organising the meetup",
    ]
    confirmation = out[-1]
    assert confirmation.ephemeral_to == h.ref("alice")
    assert "posted in #general as the pick for January 2026" in confirmation.text
    assert spotlights(await h.tick(TO_FEBRUARY)) == []


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
