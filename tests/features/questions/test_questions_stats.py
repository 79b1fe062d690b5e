"""Response-time statistics on a data set small enough to check by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.context import Context, Work
from bot.features.questions.handlers import feature
from bot.features.questions.reports import figures
from bot.features.questions.stats import median, percentile, summarize
from bot.features.questions.store import (
    CloseReason,
    NewQuestion,
    QuestionFacts,
    Questions,
    Solution,
    Source,
    State,
)
from bot.ports import Directory
from bot.stats import Window
from bot.testing import Harness

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
SLA = timedelta(minutes=30)
M = timedelta(minutes=1)

# (asked before now, topic, first response after, solved after, closed)
DATA = (
    (timedelta(days=3), None, 10 * M, 60 * M, False),
    (timedelta(days=2), "billing", 40 * M, 180 * M, False),
    (timedelta(days=1), "billing", None, None, False),
    (timedelta(hours=5), None, 20 * M, None, False),
    (10 * M, None, None, None, False),
    (timedelta(days=10), None, 5 * M, 30 * M, False),
    (timedelta(days=20), None, None, None, True),
    (timedelta(days=40), None, None, None, False),
)


async def load(h: Harness) -> None:
    async with h.runtime.storage.unit_of_work() as uow:
        carol = await uow.get(Directory).get(h.ref("carol"))
        assert carol is not None
        questions = uow.get(Questions)
        help_channel = h.community.channel("help").ref
        for ago, topic, first, solved, closed in DATA:
            asked = NOW - ago
            created = await questions.create(
                NewQuestion(
                    help_channel, carol.ref, carol.person_id, "Q", topic, Source.COMMAND, asked
                )
            )
            if first is not None:
                await questions.answered(created.id, asked + first)
            if solved is not None:
                await questions.solve(created.id, asked + solved, Solution(carol.person_id))
            if closed:
                await questions.close(created.id, asked + SLA * 3, CloseReason.STALE, None)


def test_median_and_nearest_rank_percentile() -> None:
    assert median([]) is None and percentile([], 0.9) is None
    assert median([M, 3 * M]) == 2 * M
    assert median([5 * M, M, 3 * M]) == 3 * M
    values = [i * M for i in range(1, 11)]
    assert percentile(values, 0.9) == 9 * M
    assert percentile(values, 1.0) == 10 * M
    assert percentile([7 * M], 0.9) == 7 * M


def test_only_questions_past_their_deadline_count_against_the_sla() -> None:
    fresh = QuestionFacts(None, State.OPEN, NOW - 5 * M, None, None)
    late = QuestionFacts(None, State.OPEN, NOW - 31 * M, None, None)
    quick = QuestionFacts(None, State.ANSWERED, NOW - 2 * SLA, NOW - 2 * SLA + M, None)
    assert summarize([fresh], NOW, SLA).within_sla is None
    assert summarize([fresh, late, quick], NOW, SLA).within_sla == 0.5
    summary = summarize([fresh, late, quick], NOW, SLA)
    assert summary.asked == 3 and summary.unanswered == 2 and summary.solved == 0


async def test_stats_command_on_a_known_data_set(h: Harness) -> None:
    await load(h)
    out = await h.command("alice", "/question stats")
    text = out[-1].text
    assert out[-1].ephemeral_to == h.ref("alice")
    expected = [
        "Questions — last 7 days | last 30 days",
        "Asked: 5 | 7",
        "First answer within 30 min: 50% | 50%",
        "Time to first answer (median / p90): 20 min / 40 min | 15 min / 40 min",
        "Time to solution (median / p90): 2 hr / 3 hr | 1 hr / 3 hr",
        "Solved: 2 | 3",
        "Still unanswered: 2 | 2",
        "Answered by the FAQ: 0 | 0",
        "3 questions are waiting for a first answer right now.",
        "By topic (last 30 days):",
        "no topic: 5 asked, first answer 10 min / 20 min, 1 unanswered",
        "billing: 2 asked, first answer 40 min / 40 min, 1 unanswered",
    ]
    assert text.splitlines() == expected


async def test_stats_are_for_helpers_and_up(h: Harness) -> None:
    out = await h.command("carol", "/question stats")
    assert "is for helpers only" in out[-1].text
    out = await h.command("hana", "/question stats")
    assert "Asked: 0 | 0" in out[-1].text


async def test_figures_for_community_metrics(h: Harness) -> None:
    await load(h)
    async with h.runtime.storage.unit_of_work() as uow:
        ctx = Context(Work(h.runtime, uow), feature, None)
        week = await figures(ctx, Window(NOW - timedelta(days=7), NOW + M))
        slack = await figures(ctx, Window(NOW - timedelta(days=7), NOW + M, platform="slack"))
    values = {f.key: f.value for f in week}
    assert values == {
        "questions_asked": 5,
        "questions_solved": 2,
        "questions_unanswered": 2,
        "questions_within_sla": 50.0,
        "questions_first_response_median": 20.0,
        "questions_first_response_p90": 40.0,
        "questions_solution_median": 120.0,
        "questions_deflected": 0,
    }
    assert {f.key: f.value for f in slack}["questions_asked"] == 0


async def test_lists_show_age_and_state(h: Harness) -> None:
    await load(h)
    out = await h.command("dave", "/questions")
    lines = out[-1].text.splitlines()
    assert lines[0] == "Open questions (oldest first):"
    assert lines[1].startswith("#8 · 40 days · waiting for a first answer")
    assert [line.split(" ")[0] for line in lines[1:]] == ["#8", "#3", "#4", "#5"]
    out = await h.command("dave", "/questions unanswered")
    assert [line.split(" ")[0] for line in out[-1].text.splitlines()[1:]] == ["#8", "#3", "#5"]
    out = await h.command("dave", "/questions mine")
    assert "No questions here" in out[-1].text
    out = await h.command("carol", "/questions mine")
    assert out[-1].text.splitlines()[1].startswith("#5 · 10 min · waiting")
    out = await h.command("carol", "/questions billing")
    assert [line.split(" ")[0] for line in out[-1].text.splitlines()[1:]] == ["#3"]
    out = await h.command("carol", "/questions what?")
    assert "Show open, unanswered, mine or a topic" in out[-1].text
