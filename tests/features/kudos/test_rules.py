"""The pure rules of kudos: here, how the streaks of two linked accounts become one."""

from __future__ import annotations

from datetime import date

from bot.features.kudos.rules import Streak, joined_streaks

DAY = date(2026, 3, 10)


def run(last: int, length: int, best: int | None = None) -> Streak:
    """A run of `length` days ending on 10 March + `last` days."""
    return Streak(date(2026, 3, 10 + last), length, best if best is not None else length)


def test_the_more_recent_run_is_the_current_one_and_the_best_is_kept() -> None:
    # Discord: a 40-day run long ago, now 3 days; Slack: 2 days ending last week.
    discord = run(0, 3, best=40)
    slack = run(-7, 2)
    assert joined_streaks(discord, slack) == Streak(DAY, 3, 40)
    assert joined_streaks(slack, discord) == Streak(DAY, 3, 40)


def test_runs_on_consecutive_days_join() -> None:
    # Slack 1–5 March, Discord 6–10 March: one person active ten days in a row.
    assert joined_streaks(run(0, 5), run(-5, 5)) == Streak(DAY, 10, 10)


def test_overlapping_runs_join_without_counting_a_day_twice() -> None:
    # Both active 5–8 March; Discord goes on to the 10th, Slack began on the 1st.
    assert joined_streaks(run(0, 6), run(-2, 8)) == Streak(DAY, 10, 10)
    assert joined_streaks(run(0, 2), run(0, 7, best=9)) == Streak(DAY, 7, 9)


def test_a_gap_of_a_day_keeps_the_runs_apart() -> None:
    assert joined_streaks(run(0, 3), run(-5, 4, best=4)) == Streak(DAY, 3, 4)
