"""PostgreSQL goes away: members hear "temporarily unavailable", then everything resumes.

The outages come from a fault proxy in front of the test database: `cut()` drops
every connection (a crash, a restart), `blackhole()` swallows packets (a network
partition). Cuts happen between events and inside a transaction — in the middle of
an event's handler, and in the middle of a job — on the virtual and the real clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest
from fault_proxy import FaultProxy
from sqlalchemy.engine import make_url

from bot.context import Context
from bot.model import Outgoing
from bot.registry import Feature
from bot.testing import Harness

UNAVAILABLE = "Agora is temporarily unavailable. Please try again in a minute."
Hook = Callable[[int], Awaitable[None]]


@asynccontextmanager
async def proxied(db_url: str) -> AsyncIterator[tuple[FaultProxy, str]]:
    """A fault proxy in front of `db_url`, and the URL that goes through it."""
    url = make_url(db_url)
    proxy = await FaultProxy(url.host or "127.0.0.1", url.port or 5432).start()
    through = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    try:
        yield proxy, through
    finally:
        await proxy.close()


async def back_up(h: Harness, limit: float = 20.0) -> None:
    """Wait (real time) until the storage's backoff lets a probe through and it succeeds."""
    deadline = time.monotonic() + limit
    while not await h.runtime.storage.healthy():
        assert time.monotonic() < deadline, "the database never came back"
        await asyncio.sleep(0.1)


def _reminder(during_run: Hook | None = None) -> Feature:
    """`/remind` schedules a job a minute ahead; the job reads, maybe suffers
    `during_run(attempt)` (a cut), reads again, and rings."""
    feature = Feature("reminder")
    attempts = [0]

    @feature.command("remind", help="remind in a minute")
    async def remind(ctx: Context) -> None:
        await ctx.schedule("reminder:1", "ring", ctx.now() + timedelta(minutes=1))

    @feature.job("ring")
    async def ring(ctx: Context, payload: dict[str, Any]) -> None:
        attempts[0] += 1
        channel = await ctx.directory.find_channel("memory", "test", "general")
        if during_run is not None:
            await during_run(attempts[0])
        assert await ctx.directory.find_channel("memory", "test", "general") == channel
        assert channel is not None
        await ctx.send(Outgoing("ring!", channel=channel))

    return feature


def _bugs(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Errors logged as bugs (tracebacks), which an outage must never produce."""
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.backends("postgresql")
async def test_outage_is_survived(db_url: str) -> None:
    async with (
        proxied(db_url) as (proxy, url),
        Harness(storage_url=url, features=[_reminder()]) as h,
    ):
        assert (await h.command("carol", "/help"))[0].text.startswith("Commands")
        await h.command("carol", "/remind")
        proxy.cut()
        out = await h.command("carol", "/help")
        assert [p.text for p in out] == [UNAVAILABLE]
        assert out[0].ephemeral_to == h.ref("carol")
        fired = await h.tick("2m")  # the reminder falls due while the database is down
        assert not [p for p in fired if p.text == "ring!"]
        assert h.app is not None and h.app.scheduler.pending_count == 1
        proxy.restore()
        await back_up(h)
        assert (await h.command("carol", "/help"))[0].text.startswith("Commands")
        fired = await h.tick("2m")
        assert [p.text for p in fired].count("ring!") == 1  # once, after the outage
        assert [p.text for p in await h.tick("1h")].count("ring!") == 0


@pytest.mark.backends("postgresql")
async def test_a_cut_inside_a_job_re_arms_it_and_it_fires_once_when_back(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with proxied(db_url) as (proxy, url):

        async def cut_first(attempt: int) -> None:
            if attempt == 1:
                proxy.cut()

        async with Harness(storage_url=url, features=[_reminder(cut_first)]) as h:
            assert h.app is not None
            await h.command("carol", "/remind")
            fired = await h.tick("1m")
            assert "ring!" not in [p.text for p in fired]
            assert h.app.scheduler.pending_count == 1, "the job must still be owed"
            assert not _bugs(caplog), "an outage was logged as a bug"
            proxy.restore()
            await back_up(h)
            fired = await h.tick("10m")
            assert [p.text for p in fired].count("ring!") == 1
            assert h.app.scheduler.pending_count == 0
            assert [p.text for p in await h.tick("1d")].count("ring!") == 0


@pytest.mark.backends("postgresql")
async def test_a_job_that_swallows_the_outage_is_still_retried(db_url: str) -> None:
    """The handler catches the error itself; the commit then finds the transaction dead
    (SQLAlchemy's PendingRollbackError) — an outage too, and the job stays owed."""
    async with proxied(db_url) as (proxy, url):
        feature = Feature("careless")
        runs: list[str] = []

        @feature.command("later", help="later")
        async def later(ctx: Context) -> None:
            await ctx.schedule("careless:1", "tidy", ctx.now() + timedelta(minutes=1))

        @feature.job("tidy")
        async def tidy(ctx: Context, payload: dict[str, Any]) -> None:
            runs.append("run")
            if len(runs) == 1:
                proxy.cut()
            with contextlib.suppress(Exception):  # the careless part
                await ctx.directory.find_channel("memory", "test", "general")

        async with Harness(storage_url=url, features=[feature]) as h:
            assert h.app is not None
            await h.command("carol", "/later")
            await h.tick("1m")
            assert runs == ["run"] and h.app.scheduler.pending_count == 1
            proxy.restore()
            await back_up(h)
            await h.tick("10m")
            assert runs == ["run", "run"] and h.app.scheduler.pending_count == 0


@pytest.mark.backends("postgresql")
async def test_a_cut_inside_a_command_is_unavailable_not_a_bug(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with proxied(db_url) as (proxy, url):
        feature = Feature("lookup")

        @feature.command("where", help="where")
        async def where(ctx: Context) -> None:
            await ctx.directory.find_channel("memory", "test", "general")
            proxy.cut()
            await ctx.directory.find_channel("memory", "test", "help")
            await ctx.reply("found")

        async with Harness(storage_url=url, features=[feature]) as h:
            assert h.app is not None
            assert [p.text for p in await h.command("carol", "/where")] == [UNAVAILABLE]
            assert h.app.dispatcher.failures == 0
            assert not _bugs(caplog)
            proxy.restore()
            await back_up(h)
            assert (await h.command("carol", "/help"))[0].text.startswith("Commands")


@pytest.mark.backends("postgresql")
async def test_a_blackhole_is_unavailable_within_the_timeouts_and_then_at_once(
    db_url: str,
) -> None:
    """A partition swallows packets: the first command waits for the timeouts, the next
    ones are answered without touching the network, and it all resumes afterwards."""
    timeouts = {"connect_timeout": 1.0, "command_timeout": 1.0, "pool_timeout": 1.0}
    async with (
        proxied(db_url) as (proxy, url),
        Harness(config={"storage": timeouts}, storage_url=url) as h,
    ):
        assert (await h.command("carol", "/help"))[0].text.startswith("Commands")
        proxy.blackhole()
        assert [p.text for p in await h.command("carol", "/help")] == [UNAVAILABLE]
        backoff = h.runtime.storage.backoff
        assert backoff.down
        before = proxy.connections
        for _ in range(3):
            assert [p.text for p in await h.command("bob", "/help")] == [UNAVAILABLE]
        assert backoff.refused >= 1, "while known down, commands must not wait for a timeout"
        assert proxy.connections <= before + 1  # at most the one probe the backoff allowed
        proxy.restore()
        await back_up(h)
        assert not backoff.down
        assert (await h.command("carol", "/help"))[0].text.startswith("Commands")


@pytest.mark.backends("postgresql")
async def test_a_cut_inside_a_job_on_the_real_clock(db_url: str) -> None:
    """With APScheduler on the system clock: the job is cut mid-run, retried by itself
    once the database is back, and fires exactly once."""
    from adapters.memory.community import Community
    from adapters.memory.port import MemoryPort
    from adapters.memory.seeding import register_directory
    from bot.app import build_app, open_storage
    from bot.clock import SystemClock
    from bot.config import load_config
    from bot.ports import JobStore
    from bot.scheduler import sleep_until_idle

    async with proxied(db_url) as (proxy, url):
        cut, rung = asyncio.Event(), asyncio.Event()

        async def cut_first(attempt: int) -> None:
            if attempt == 1:
                proxy.cut()
                cut.set()
            else:
                rung.set()

        config = load_config(None)
        config = config.model_copy(
            update={"storage": config.storage.model_copy(update={"url": url})}
        )
        storage = await open_storage(config, create_schema=True)
        app = await build_app(
            config, clock=SystemClock(), storage=storage, features=[_reminder(cut_first)]
        )
        community = Community(app.runtime.clock, "memory", "test")
        app.runtime.ports["memory"] = MemoryPort(community)
        community.add_channel("general")
        await register_directory(storage, community, app.runtime.clock.now())
        await app.start()
        try:
            async with storage.unit_of_work() as uow:
                job = await uow.get(JobStore).schedule(  # type: ignore[type-abstract]
                    "reminder:1", "reminder", "ring", app.runtime.clock.now(), {}
                )
            app.scheduler.arm(job)
            await asyncio.wait_for(cut.wait(), 20)
            await asyncio.sleep(0.2)
            assert app.scheduler.pending_count == 1, "the job must still be owed"
            proxy.restore()
            await asyncio.wait_for(rung.wait(), 30)  # retried by APScheduler, not by us
            await sleep_until_idle(app.scheduler)  # and committed
            assert app.scheduler.pending_count == 0
            assert [p.text for p in community.posts].count("ring!") == 1
        finally:
            await app.stop()
