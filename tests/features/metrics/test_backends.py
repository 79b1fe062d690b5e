"""One community counted by hand, through the service, on SQLite and on PostgreSQL.

Both backends must give exactly these numbers: the summary, the daily series, the
cohorts and the report built on them (whose parts run side by side in read-only
units of work of their own on both). The Harness starts on Monday 2026-01-05 09:00
UTC, with alice, bob, carol, dave and erin joining then.

- Mon Jan 5: carol posts in #general (post 1); bob replies in its thread; dave
  reacts to it; erin posts in #help; carol asks a question, bob answers 30 min later.
- Tue Jan 6: frank joins; erin leaves.
- Wed Jan 7: frank and carol post.
- Mon Jan 12: carol posts, frank reacts to her post.

The period is Jan 5 to Jan 12 (eight days), asked on Jan 13.
"""

from __future__ import annotations

from typing import Any

from bot.context import Context, Work
from bot.features.metrics import report
from bot.features.metrics.compute import cohorts, daily, period_of, summarize
from bot.model import Level
from bot.testing import Harness
from storage.engine import SqlStorage
from tests.features.metrics.conftest import MEMBERS

PERIOD = "2026-01-05..2026-01-12"


def context(h: Harness, uow: Any) -> Context:
    feature = h.runtime.registry.features["metrics"]
    return Context(Work(h.runtime, uow), feature, None, level=Level.ADMIN)


async def eight_days(h: Harness) -> None:
    await h.say("carol", "hello everyone")  # post 1
    await h.say("bob", "welcome!", thread_of=1)
    await h.react("dave", 1, "👍")
    await h.say("erin", "how does this work?", channel="help")
    asked = await h.command("carol", "/ask How do I reset my password? It keeps failing")
    await h.tick("30m")
    await h.say("bob", "Use the reset link on the login page", thread_of=asked[0].number)
    await h.tick("1d")
    await h.join("frank")
    await h.leave("erin")
    await h.tick("1d")
    await h.say("frank", "hi all")
    await h.say("carol", "welcome frank")
    await h.tick("5d")
    monday = await h.say("carol", "a new week")
    await h.react("frank", monday.number, "🎉")
    await h.tick("1d")


async def test_both_backends_count_the_same_by_hand(db_url: str, storage: SqlStorage) -> None:
    async with Harness(storage_url=db_url, members=MEMBERS) as h:
        await eight_days(h)
        async with h.runtime.storage.unit_of_work() as uow:
            ctx = context(h, uow)
            period = period_of(ctx, PERIOD)
            summary = await summarize(ctx, period, channels=5)
            days = await daily(ctx, period)
            rows = await cohorts(ctx, period)
            built = await report.build(ctx, period)
    # Six joined (five at the start, frank), erin left; nobody was here before.
    assert (summary.members_before, summary.joined, summary.left, summary.members) == (0, 6, 1, 5)
    # Active: carol, bob, dave, erin, frank. Person-days: Jan 5 four, Jan 7 two,
    # Jan 12 two = 8 over 8 days. The last 7 days (Jan 6-12): frank and carol.
    reach = summary.reach
    assert (reach.active, reach.posters, reach.person_days, reach.wau, reach.mau) == (5, 4, 8, 2, 5)
    assert summary.dau == 1.0 and summary.stickiness == 0.2
    # Messages: carol 3, erin, frank; replies: bob twice; reactions: dave, frank.
    assert (summary.messages, summary.replies, summary.reactions) == (5, 2, 2)
    assert summary.engagement == 9 / 5 and summary.contributors_share == 4 / 5
    # #general: carol's three posts and frank's, bob's two replies (the console's
    # threads are in the channel they were typed in); #help: erin's post.
    assert [(c.name, c.messages, c.replies) for c in summary.channels] == [
        ("general", 4, 2),
        ("help", 1, 0),
    ]
    figures = {f.key: f.value for f in summary.figures()}
    assert figures["questions_asked"] == 1 and figures["questions_first_response_median"] == 30.0
    assert figures["questions_within_sla"] == 100.0
    assert [(d.day.isoformat(), d.members, d.joined, d.left, d.dau) for d in days] == [
        ("2026-01-05", 5, 5, 0, 4),
        ("2026-01-06", 5, 1, 1, 0),
        ("2026-01-07", 5, 0, 0, 2),
        ("2026-01-08", 5, 0, 0, 0),
        ("2026-01-09", 5, 0, 0, 0),
        ("2026-01-10", 5, 0, 0, 0),
        ("2026-01-11", 5, 0, 0, 0),
        ("2026-01-12", 5, 0, 0, 2),
    ]
    # Rolling actives: Jan 5 the four of that day; Jan 11 all five; Jan 12 only
    # frank and carol in the 7 days (Jan 6-12), five in 30.
    assert [(d.wau, d.mau) for d in (days[0], days[6], days[7])] == [(4, 4), (5, 5), (2, 5)]
    # The week of Jan 5: six newcomers, carol and frank active the week after.
    assert [(r.week.isoformat(), r.size, r.shares[:2]) for r in rows] == [
        ("2026-01-05", 6, (2 / 6, None)),
        ("2026-01-12", 0, (None, None)),
    ]
    # The report's parts, each read on a connection of its own, agree with all that.
    assert built.summary == summary
    assert built.days == days and built.cohorts == rows
    assert (built.previous.members, built.previous.reach.active) == (0, 0)
