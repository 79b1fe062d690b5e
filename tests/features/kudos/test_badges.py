"""Badges: TOML rules, awarded exactly once (even under racing events), announced."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pydantic import ValidationError

from bot.context import Context
from bot.features import all_features
from bot.features.kudos.config import KudosConfig
from bot.registry import Feature
from bot.signals import (
    AnswerAccepted,
    FlagConfirmed,
    MentorPaired,
    NewcomerWelcomed,
    QuizAnsweredCorrectly,
)
from bot.testing import Harness
from tests.features.kudos.conftest import badges, kudos, points, public

FIRST = {"id": "first", "name": "First thanks", "emoji": "🌱", "rule": "kudos_received",
         "threshold": 1}  # fmt: skip


def announcements(h: Harness, channel: str = "general") -> list[str]:
    return [p.text for p in h.in_channel(channel) if "earned the badge" in p.text]


async def test_first_kudos_badge_is_announced_once() -> None:
    async with kudos(badges=[FIRST]) as h:
        await h.command("carol", "/kudos @bob")
        await h.command("dave", "/kudos @bob")
        assert announcements(h) == ["🌱 @bob earned the badge “First thanks” (1 kudos received)!"]
        assert await badges(h, "bob") == ["first"]


async def test_racing_events_award_a_badge_exactly_once() -> None:
    async with kudos(badges=[FIRST]) as h:
        events = [
            h.community.command(g, "general", "/kudos @bob") for g in ("carol", "dave", "erin")
        ]
        handled = await asyncio.gather(*(h.dispatch(e) for e in events))
        assert all(handled)
        assert await points(h, "bob") == 3
        assert len(announcements(h)) == 1
        assert await badges(h, "bob") == ["first"]


async def test_badges_without_a_channel_go_by_dm() -> None:
    async with kudos(badges=[FIRST], badge_channel="") as h:
        await h.command("carol", "/kudos @bob")
        assert announcements(h) == []
        assert h.dms("bob")[-1].text == "🌱 bob earned the badge “First thanks” (1 kudos received)!"


async def test_a_badge_for_giving() -> None:
    generous = {"id": "generous", "name": "Generous", "rule": "kudos_given", "threshold": 2}
    async with kudos(badges=[generous], cooldown_minutes=0) as h:
        await h.command("carol", "/kudos @bob")
        assert await badges(h, "carol") == []
        await h.command("carol", "/kudos @dave")
        assert await badges(h, "carol") == ["generous"]


async def test_streak_badge_counts_days_in_a_row_in_the_members_time_zone() -> None:
    streak = {"id": "streak-3", "name": "Three days", "rule": "streak_days", "threshold": 3}
    async with kudos(badges=[streak]) as h:  # starts Monday 09:00 UTC
        await h.say("carol", "day one")
        await h.tick("1d")
        await h.say("carol", "day two")
        await h.say("carol", "day two, again")
        await h.tick("2d")  # a day without a message breaks the streak
        await h.say("carol", "day one again")
        await h.tick("1d")
        await h.say("carol", "day two again")
        assert await badges(h, "carol") == []
        await h.tick("1d")
        await h.say("carol", "day three")
        assert await badges(h, "carol") == ["streak-3"]


async def test_a_late_night_message_counts_for_the_members_own_day() -> None:
    streak = {"id": "streak-2", "name": "Two days", "rule": "streak_days", "threshold": 2}
    async with kudos(badges=[streak]) as h:  # Monday 09:00 UTC
        await h.command("carol", "/timezone Pacific/Auckland")  # Monday 22:00 there
        await h.say("carol", "late on Monday")
        await h.tick("3h")  # 12:00 UTC = Tuesday 01:00 in Auckland
        await h.say("carol", "early on Tuesday")
        assert await badges(h, "carol") == ["streak-2"]


def emitter(signal: Any) -> Feature:
    """A stand-in for another feature that sends `signal` when /emit is typed."""
    sender = Feature("emitter")

    @sender.command("emit", help="send a test signal")
    async def emit(ctx: Context) -> None:
        await ctx.emit(signal(ctx))

    return sender


def accepted(question_ids: list[int], answerer: str, by: str) -> Any:
    """AnswerAccepted for each question id in turn (the last one repeats)."""
    ids = list(question_ids)

    def make(ctx: Context) -> AnswerAccepted:
        assert ctx.actor is not None
        ref = ctx.actor.ref
        question = ids.pop(0) if len(ids) > 1 else ids[0]
        return AnswerAccepted(
            question, ref.sibling(f"u-{by}"), ref.sibling(f"u-{answerer}"), ref, "billing"
        )

    return make


async def test_accepted_answers_count_for_badges_without_kudos_by_default() -> None:
    solver = {"id": "solver", "name": "Solver", "rule": "accepted_answers", "threshold": 2}
    features = [*all_features(), emitter(accepted([1, 1, 2], "bob", "carol"))]
    async with kudos(badges=[solver], top={"features": features}) as h:
        await h.command("carol", "/emit")
        await h.command("carol", "/emit")  # the same question again: counted once
        assert await badges(h, "bob") == []
        await h.command("carol", "/emit")
        assert await badges(h, "bob") == ["solver"]
        assert await points(h, "bob") == 0  # answer_points is 0 unless configured


async def test_answer_points_give_auto_kudos_for_an_accepted_answer() -> None:
    solver = {"id": "solver", "name": "Solver", "rule": "accepted_answers", "threshold": 1}
    features = [*all_features(), emitter(accepted([7], "bob", "carol"))]
    async with kudos(badges=[solver], answer_points=2, daily_allowance=1,
                     top={"features": features}) as h:  # fmt: skip
        await h.command("carol", "/emit")
        assert await points(h, "bob") == 2
        assert h.dms("bob")[-1].text.startswith(
            "Your answer to question #7 was accepted: you received 2 kudos."
        )
        assert await badges(h, "bob") == ["solver"]
        await h.command("carol", "/emit")
        assert await points(h, "bob") == 2  # once per question
        # Automatic kudos use no allowance: carol still has her one kudos today; nor do
        # they count as given by her (the Generous badge counts what she chose to give).
        out = await h.command("carol", "/kudos me")
        assert "Given: 0 given" in out[-1].text and "Left today: 1 of 1" in out[-1].text
        out = await h.command("carol", "/kudos @dave")
        assert public(out)
        out = await h.command("carol", "/kudos me")
        assert "Given: 1 given" in out[-1].text
        out = await h.command("alice", "/leaderboard all billing")
        assert "🥇 bob — 2 kudos" in out[-1].text


async def test_no_auto_kudos_for_accepting_your_own_answer() -> None:
    features = [*all_features(), emitter(accepted([3], "carol", "carol"))]
    async with kudos(answer_points=2, top={"features": features}) as h:
        await h.command("carol", "/emit")
        assert await points(h, "carol") == 0


async def test_accepting_an_answer_through_question_tracking_gives_auto_kudos() -> None:
    async with kudos(
        answer_points=1, top={"config": {"features": {"questions": {"quiet_hours": ""}}}}
    ) as h:
        await h.command("carol", "/ask How do I reset my password?")
        root = next(p for p in h.in_channel("help") if "Question #1" in p.text)
        reply = await h.say("bob", "Use the reset link", channel="help", thread_of=root.number)
        await h.react("carol", reply.number, "✅")
        assert await points(h, "bob") == 1


async def test_welcomes_and_mentoring_signalled_by_onboarding_count() -> None:
    welcomer = {"id": "welcomer", "name": "Welcomer", "rule": "newcomers_welcomed", "threshold": 1}
    mentor = {"id": "mentor", "name": "Mentor", "rule": "mentees", "threshold": 1}

    def welcomed(ctx: Context) -> NewcomerWelcomed:
        assert ctx.actor is not None
        return NewcomerWelcomed(ctx.actor.ref, ctx.actor.ref.sibling("u-dave"))

    def paired(ctx: Context) -> MentorPaired:
        assert ctx.actor is not None
        return MentorPaired(ctx.actor.ref, ctx.actor.ref.sibling("u-erin"), "python")

    for signal, badge in ((welcomed, "welcomer"), (paired, "mentor")):
        features = [*all_features(), emitter(signal)]
        async with kudos(badges=[welcomer, mentor], top={"features": features}) as h:
            await h.command("bob", "/emit")
            await h.command("bob", "/emit")
            assert await badges(h, "bob") == [badge]
            assert len(announcements(h)) == 1


async def test_quizzes_and_accurate_flags_reported_by_other_features_count() -> None:
    quiz = {"id": "quiz", "name": "Quiz whiz", "rule": "quiz_answers", "threshold": 2}
    guard = {"id": "guard", "name": "Guardian", "rule": "accurate_flags", "threshold": 1}
    polls = iter([1, 1, 2])

    def answered(ctx: Context) -> QuizAnsweredCorrectly:
        assert ctx.actor is not None
        return QuizAnsweredCorrectly(next(polls), ctx.actor.person_id, ctx.actor.ref)

    features = [*all_features(), emitter(answered)]
    async with kudos(badges=[quiz, guard], top={"features": features}) as h:
        await h.command("carol", "/emit")
        await h.command("carol", "/emit")  # the same quiz again
        assert await badges(h, "carol") == []
        await h.command("carol", "/emit")
        assert await badges(h, "carol") == ["quiz"]

    def flagged(ctx: Context) -> FlagConfirmed:
        assert ctx.actor is not None
        return FlagConfirmed(4, ctx.actor.person_id, None)  # no account on that platform

    features = [*all_features(), emitter(flagged)]
    async with kudos(badges=[quiz, guard], top={"features": features}) as h:
        await h.command("carol", "/emit")
        assert await badges(h, "carol") == ["guard"]
        assert announcements(h) == ["🏅 @carol earned the badge “Guardian” (1 accurate flag)!"]


async def test_badges_lists_earned_and_still_to_earn() -> None:
    generous = {"id": "generous", "name": "Generous", "emoji": "🤝", "rule": "kudos_given",
                "threshold": 3}  # fmt: skip
    async with kudos(badges=[FIRST, generous]) as h:
        await h.command("carol", "/kudos @bob")
        out = await h.command("carol", "/badges @bob")
        assert out[-1].text.splitlines() == [
            "Badges of bob",
            "Earned:",
            "🌱 First thanks — since Jan 5, 2026",
            "Still to earn:",
            "🤝 Generous — 3 kudos given (0 so far)",
        ]
        out = await h.command("carol", "/badges")
        assert "🤝 Generous — 3 kudos given (1 so far)" in out[-1].text


@pytest.mark.parametrize(
    ("badges_value", "message"),
    [
        ([FIRST, FIRST], "badge ids must be unique; repeated: first"),
        ([{**FIRST, "id": "First Kudos"}], "is not a badge id"),
        ([{**FIRST, "rule": "karma"}], "kudos_received"),
        ([{**FIRST, "threshold": 0}], "greater than or equal to 1"),
    ],
)
def test_badge_rules_are_validated(badges_value: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        KudosConfig.model_validate({"badges": badges_value})
