"""Quizzes: a poll with a right answer, hidden counts, revealed and counted at close."""

from __future__ import annotations

import pytest

from bot.context import Context
from bot.features import all_features
from bot.registry import Feature
from bot.signals import QuizAnsweredCorrectly
from bot.testing import Harness

QUIZ = '/quiz "Capital of Latvia?" "Tallinn" "Riga" "Vilnius" --answer 2 --closes 1h'


def listener(heard: list[QuizAnsweredCorrectly]) -> Feature:
    feature = Feature("listener")

    @feature.on(QuizAnsweredCorrectly)
    async def hear(ctx: Context, signal: QuizAnsweredCorrectly) -> None:
        heard.append(signal)

    return feature


async def test_quiz_hides_counts_and_reveals_the_answer_at_close() -> None:
    heard: list[QuizAnsweredCorrectly] = []
    async with Harness(features=[*all_features(), listener(heard)]) as h:
        await h.command("alice", QUIZ)
        quiz = h.sent[0]
        assert quiz.text.startswith("🧠 Quiz #1: Capital of Latvia?")
        assert "The right answer is revealed when the quiz closes." in quiz.text
        out = await h.click("carol", "Riga")
        assert "Your answer to quiz #1: “Riga”." in out[0].text
        await h.click("bob", "Tallinn")
        await h.click("alice", "Riga")
        assert "✅" not in quiz.text and "█" not in quiz.text
        assert "3 voters" in quiz.text
        out = await h.command("carol", "/poll results 1")
        assert "shown when it closes" in out[0].text
        posted = await h.tick("1h")
        answer = next(p for p in posted if p.text.startswith("🧠 Answer to quiz #1"))
        assert "2. Riga ✅ — 2 votes (67%)" in answer.text
        assert "Correct answer: Riga. 2 of 3 answered correctly (67%)." in answer.text
        assert "Well done, alice, carol!" in answer.text
        assert "2. Riga ✅" in quiz.text  # the quiz message reveals it too
        assert sorted(s.member for s in heard) == sorted([h.ref("alice"), h.ref("carol")])
        assert {s.poll_id for s in heard} == {1}


async def test_quiz_signals_and_names_can_be_turned_off() -> None:
    heard: list[QuizAnsweredCorrectly] = []
    settings = {"features": {"polls": {"quiz_signals": False, "quiz_announce_winners": False}}}
    async with Harness(config=settings, features=[*all_features(), listener(heard)]) as h:
        await h.command("alice", QUIZ)
        await h.click("carol", "Riga")
        posted = await h.tick("1h")
        answer = next(p for p in posted if p.text.startswith("🧠 Answer to quiz #1"))
        assert "Well done" not in answer.text and "1 of 1 answered correctly" in answer.text
        assert heard == []


async def test_anonymous_quiz_counts_but_names_and_signals_nobody() -> None:
    heard: list[QuizAnsweredCorrectly] = []
    async with Harness(features=[*all_features(), listener(heard)]) as h:
        await h.command("alice", QUIZ + " --anonymous")
        await h.click("carol", "Riga")
        posted = await h.tick("1h")
        answer = next(p for p in posted if p.text.startswith("🧠 Answer to quiz #1"))
        assert "1 of 1 answered correctly" in answer.text and "Well done" not in answer.text
        assert heard == []


async def test_answer_by_text() -> None:
    async with Harness() as h:
        out = await h.command("alice", '/quiz "2 + 2?" "3" "four" --answer Four --closes 1h')
        assert "Quiz #1 is up in #general; the answer is revealed" in out[-1].text
        await h.click("carol", "four")
        posted = await h.tick("1h")
        assert any("Correct answer: four." in p.text for p in posted)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('/quiz "2 + 2?" "3" "4"', "A quiz needs its right answer: add --answer"),
        ('/quiz "2 + 2?" "3" "4" --answer 5', "--answer 5 is not one of the options"),
        ('/quiz "2 + 2?" "3" "4" --answer five', "give its number (1–2) or its exact text"),
        ('/quiz "2 + 2?" "4"', "at least two options"),
    ],
)
async def test_quiz_mistakes(line: str, message: str) -> None:
    async with Harness() as h:
        out = await h.command("carol", line)
        assert message in out[-1].text
