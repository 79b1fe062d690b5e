"""Poll participation for community metrics: polls asked, answers, members who voted."""

from __future__ import annotations

from datetime import timedelta

from bot.context import Context, Work
from bot.stats import Window
from bot.testing import Harness


async def figures(h: Harness, window: Window) -> dict[str, float | None]:
    runtime = h.runtime
    feature = runtime.registry.features["polls"]
    async with runtime.storage.unit_of_work() as uow:
        ctx = Context(Work(runtime, uow), feature, None)
        (hook,) = feature.stats_hooks
        return {f.key: f.value for f in await hook(ctx, window)}


async def test_participation_counts_named_and_anonymous_votes(db_url: str) -> None:
    async with Harness(storage_url=db_url) as h:
        start = h.clock.now()
        await h.command("alice", '/poll "Pizza or sushi?" Pizza Sushi')
        await h.click("carol", "Pizza")
        await h.click("bob", "Sushi")
        await h.click("bob", "Pizza")  # a changed vote is still one answer
        await h.command("alice", '/poll "Is the logo better?" Yes No --anonymous')
        await h.click("carol", "Yes")
        today = Window(start, h.clock.now() + timedelta(seconds=1))
        assert await figures(h, today) == {
            "polls_asked": 2,
            "poll_responses": 3,
            "poll_responses_avg": 1.5,
            "poll_members": 2,  # the anonymous ballot names nobody
        }


async def test_a_window_without_polls_has_no_average() -> None:
    async with Harness() as h:
        now = h.clock.now()
        await h.command("alice", '/poll "Lunch?" Pizza Sushi')
        later = Window(now + timedelta(days=1), now + timedelta(days=2))
        assert await figures(h, later) == {
            "polls_asked": 0,
            "poll_responses": 0,
            "poll_responses_avg": None,
            "poll_members": 0,
        }


async def test_a_closed_anonymous_poll_keeps_its_count(db_url: str) -> None:
    async with Harness(storage_url=db_url) as h:
        start = h.clock.now()
        await h.command("alice", '/poll "Logo?" Yes No --anonymous --closes 1h')
        await h.click("carol", "Yes")
        await h.click("bob", "No")
        await h.tick("2h")  # closed: ballots deleted, the count frozen
        window = Window(start, h.clock.now())
        assert (await figures(h, window))["poll_responses"] == 2
