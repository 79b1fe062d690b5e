"""The pure rules: poll specs, deadlines, survey questions, idea titles, coalesced edits."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.context import UserError
from bot.features.polls.anonymity import new_secret, voter_token
from bot.features.polls.deadline import parse_closes
from bot.features.polls.ideas import split_idea
from bot.features.polls.refresh import Refresher
from bot.features.polls.spec import build_spec
from bot.features.polls.store import PollKind
from bot.features.polls.surveys import parse_questions

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_spec_keeps_order_and_trims_spaces() -> None:
    spec = build_spec(PollKind.POLL, [" Lunch?  ", "Pizza", " Soup "], max_options=25)
    assert spec.question == "Lunch?" and spec.options == ("Pizza", "Soup")
    assert not spec.multi and not spec.hidden and spec.correct is None


def test_quiz_is_single_choice_hidden_with_an_answer() -> None:
    spec = build_spec(PollKind.QUIZ, ["2+2?", "3", "4"], answer="2", max_options=25)
    assert spec.correct == 1 and spec.hidden
    with pytest.raises(UserError, match="one right answer"):
        build_spec(PollKind.QUIZ, ["2+2?", "3", "4"], answer="2", multi=True, max_options=25)


def test_duplicates_ignore_case_and_spacing() -> None:
    with pytest.raises(UserError, match="appears twice"):
        build_spec(PollKind.POLL, ["Q", "New  York", "new york"], max_options=25)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2d", datetime(2026, 1, 7, 9, 0, tzinfo=UTC)),
        ("90m", datetime(2026, 1, 5, 10, 30, tzinfo=UTC)),
        ("2026-01-06T18:00", datetime(2026, 1, 6, 16, 0, tzinfo=UTC)),  # Riga is UTC+2
        ("2026-01-06 18:00", datetime(2026, 1, 6, 16, 0, tzinfo=UTC)),
        ("2026-01-06", datetime(2026, 1, 6, 21, 59, tzinfo=UTC)),  # end of the day
        ("2026-01-06T18:00+00:00", datetime(2026, 1, 6, 18, 0, tzinfo=UTC)),
        ("never", None),
    ],
)
def test_closes(text: str, expected: datetime | None) -> None:
    assert parse_closes(text, now=NOW, timezone="Europe/Riga", max_days=90) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tomorrow", "neither a duration"),
        ("2026-01-05T08:00", "already passed"),
        ("2026-13-01", "neither a duration"),
        ("20s", "at least a minute"),
        ("100d", "at most 90 days"),
    ],
)
def test_bad_closes(text: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        parse_closes(text, now=NOW, timezone="UTC", max_days=90)


def test_survey_questions_from_lines() -> None:
    questions = parse_questions(
        "How did you find us?\n\n How often? | daily | weekly \n+Topics? | a | b | c"
    )
    assert [(q.id, q.kind, q.options) for q in questions] == [
        ("q1", "paragraph", ()),
        ("q2", "choice", ("daily", "weekly")),
        ("q3", "multi", ("a", "b", "c")),
    ]
    with pytest.raises(UserError, match="Question 2 has no text"):
        parse_questions("A?\n | x | y")


@pytest.mark.parametrize(
    ("text", "title", "details"),
    [
        ("Dark mode. It helps at night.", "Dark mode", "It helps at night."),
        ("Dark mode please", "Dark mode please", ""),
        ("Why not a wiki? We lose answers.", "Why not a wiki?", "We lose answers."),
        ("Meetups\nmonthly, in Riga", "Meetups", "monthly, in Riga"),
        ("Version 2.0 support", "Version 2.0 support", ""),
    ],
)
def test_idea_title_is_the_first_sentence(text: str, title: str, details: str) -> None:
    assert split_idea(text) == (title, details)


def test_voter_tokens_are_stable_per_poll_and_unrelated_across_polls() -> None:
    one, two = new_secret(), new_secret()
    assert voter_token(one, 7) == voter_token(one, 7)
    assert voter_token(one, 7) != voter_token(one, 8)
    assert voter_token(one, 7) != voter_token(two, 7)
    assert len(voter_token(one, 7)) == 64


async def test_refresher_coalesces_requests_while_one_runs() -> None:
    refresher = Refresher()
    runs = 0
    gate = asyncio.Event()

    async def render() -> None:
        nonlocal runs
        runs += 1
        if runs == 1:
            await gate.wait()

    first = asyncio.create_task(refresher.request("poll", render))
    await asyncio.sleep(0)
    for _ in range(50):  # fifty votes arrive while the first edit is in flight
        await refresher.request("poll", render)
    gate.set()
    await first
    await refresher.settle()
    assert runs == 2  # one more pass, in the background, shows them all
    await refresher.request("poll", render)
    assert runs == 3


async def test_refresher_survives_a_failing_render() -> None:
    refresher = Refresher()

    async def broken() -> None:
        raise RuntimeError("platform down")

    await refresher.request("poll", broken)
    await refresher.request("poll", broken)  # not stuck "running"


async def test_refresher_renders_at_most_once_per_interval() -> None:
    refresher = Refresher()
    runs = 0

    async def render() -> None:
        nonlocal runs
        runs += 1

    await refresher.request("idea", render, 0.05)  # a quiet moment: at once
    assert runs == 1
    for _ in range(20):  # a rush within the interval: all wait for one trailing render
        await refresher.request("idea", render, 0.05)
    assert runs == 1
    await refresher.settle()
    assert runs == 2
