"""Building the real core for a benchmark: a fresh database and the memory adapter.

Each `database_url()` call gets a database of its own: a new SQLite file in the
case's scratch directory, or a new `agora_bench_<pid>_<n>` database on the PostgreSQL
server (created from `template0` and dropped when the case ends), so benchmarks never
collide with a test run, with each other, or with someone else's run.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bench.framework import POSTGRESQL, Case, pg_url

if TYPE_CHECKING:
    from adapters.memory.community import Community
    from bot.app import App
    from bot.config import AgoraConfig
    from bot.model import Channel, Member
    from bot.ports import Clock
    from bot.registry import Feature

BENCH_DATABASE_PREFIX = "agora_bench_"
_counter = itertools.count(1)


class BackendUnavailable(Exception):
    """The storage backend of this variant cannot be reached; the case is skipped."""


async def database_url(case: Case) -> str:
    """A URL to a new, empty database for this case (dropped when the case ends)."""
    if case.variant == POSTGRESQL:
        return await _fresh_postgres(case)
    path = case.workdir / f"bench-{next(_counter)}.db"
    return f"sqlite+aiosqlite:///{path}"


async def _fresh_postgres(case: Case) -> str:
    """A database of its own on the server, so that runs (and people) never collide.

    Named `agora_bench_<pid>_<n>`; dropped when the case ends, and left-overs of
    processes that no longer exist (a killed run) are dropped on the way.
    """
    base = make_url(pg_url())
    name = f"{BENCH_DATABASE_PREFIX}{os.getpid()}_{next(_counter)}"
    admin = create_async_engine(base, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            found = await conn.execute(
                text("SELECT datname FROM pg_database WHERE datname LIKE :prefix"),
                {"prefix": BENCH_DATABASE_PREFIX + "%"},
            )
            for (stale,) in found.all():
                if not _owner_alive(stale):
                    await conn.execute(text(f'DROP DATABASE IF EXISTS "{stale}" WITH (FORCE)'))
            await conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
    except Exception as error:
        raise BackendUnavailable(f"PostgreSQL at {base.render_as_string()}: {error}") from error
    finally:
        await admin.dispose()

    async def drop() -> None:
        engine = create_async_engine(base, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            await engine.dispose()

    case.cleanups.append(drop)
    return base.set(database=name).render_as_string(hide_password=False)


def _owner_alive(database: str) -> bool:
    """Whether the process that created `agora_bench_<pid>_<n>` is still running."""
    try:
        pid = int(database.removeprefix(BENCH_DATABASE_PREFIX).split("_", 1)[0])
    except ValueError:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def bench_config(url: str, features: Mapping[str, Mapping[str, Any]] | None = None) -> AgoraConfig:
    """The built-in defaults (every feature on) with this database; rate limits off;
    `features` sets `[features.NAME]` keys (e.g. metrics' sentiment).

    Rate limits are off because the load comes from a few simulated members; `agora
    run` on the console does the same (`bot.app.effective`).
    """
    from bot.app import effective
    from bot.config import config_from_dict
    from bot.features import feature_models

    config = config_from_dict({"features": dict(features or {})}, feature_models())
    config = config.model_copy(update={"storage": config.storage.model_copy(update={"url": url})})
    return effective(config, virtual=True)


@dataclass
class BenchApp:
    """The real core (dispatcher, scheduler, storage) with a memory community."""

    app: App
    community: Community
    members: list[Member] = field(default_factory=list)
    channels: list[Channel] = field(default_factory=list)

    @property
    def engine(self) -> AsyncEngine:
        engine: AsyncEngine = self.app.runtime.storage.engine  # type: ignore[attr-defined]
        return engine

    async def count(self, table: Any, *where: Any) -> int:
        async with self.engine.connect() as conn:
            query = select(func.count()).select_from(table)
            if where:
                query = query.where(*where)
            return int((await conn.execute(query)).scalar_one())

    async def close(self) -> None:
        await self.app.stop()


async def open_app(
    url: str,
    *,
    clock: Clock | None = None,
    features: Sequence[Feature] | None = None,
    members: int = 200,
    channels: int = 10,
    start_scheduler: bool = True,
    settings: Mapping[str, Mapping[str, Any]] | None = None,
) -> BenchApp:
    """The real core on `url` with a memory community; `settings` are `[features.*]` keys."""
    from adapters.memory.community import Community
    from adapters.memory.port import MemoryPort
    from adapters.memory.seeding import register_directory
    from bot.app import build_app, open_storage
    from bot.clock import SystemClock

    config = bench_config(url, settings)
    clock = clock or SystemClock()
    storage = await open_storage(config, create_schema=True)
    app = await build_app(config, clock=clock, storage=storage, features=features)
    community = Community(clock, "memory", "bench")
    app.runtime.ports[community.platform] = MemoryPort(community)
    bench = BenchApp(app, community)
    for i in range(channels):
        bench.channels.append(community.add_channel(f"channel-{i}"))
    for i in range(members):
        bench.members.append(community.add_member(f"member{i}"))
    await register_directory(app.runtime.storage, community, clock.now())
    if start_scheduler:
        # As in production: the scheduler starts and what start-up made is frozen out
        # of garbage collection (no adapters are attached; the memory port is enough).
        await app.start()
    return bench
