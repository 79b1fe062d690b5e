"""What the adapter benchmarks share: the test fakes, a loop of their own, a counted core.

The fake Discord and fake Slack live beside the adapter tests
(`tests/adapters/discord/fake_discord.py`, `tests/adapters/slack/fake_slack.py`), where
pytest imports them as top-level modules; their folders are put on `sys.path` here so
the benchmarks drive the very same fakes instead of copies.

The fake platform and the load it sends run in a process of their own (`Elsewhere`),
as the real platform would: timestamps taken there (a frame due, an ack received)
wait neither for the bot's loop nor for its GIL, so a bot that holds its loop shows
up as latency, not as a load generator that quietly slowed down with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import multiprocessing
import sys
import traceback
from collections import Counter
from collections.abc import Callable, Coroutine
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from bench.framework import Case
from bench.support import bench_config, database_url

if TYPE_CHECKING:
    from bot.app import App
    from bot.config import AgoraConfig

ADAPTER_TESTS = Path(__file__).resolve().parent.parent / "tests" / "adapters"
for _folder in (ADAPTER_TESTS / "discord", ADAPTER_TESTS / "slack", ADAPTER_TESTS):
    # Appended, not prepended: nothing in those folders may shadow an installed package.
    # The adapters' folder itself holds what both kits share (as pytest's rootdir
    # conftest makes importable).
    if str(_folder) not in sys.path:
        sys.path.append(str(_folder))

T = TypeVar("T")


class Elsewhere:
    """A child process with an event loop of its own, where the fake platform runs.

    `await elsewhere.call(fn, *args)` runs `await fn(state, *args)` there and returns
    its (picklable) result; `fn` is a module-level coroutine function, referred to by
    module and name, and `state` is one dict kept for the child's lifetime (the fake
    server lives in it). Calls run one at a time. A process rather than a thread: the
    fake's work and its timestamps must not wait for this process's GIL or its
    garbage collector, as a real platform's would not.
    """

    def __init__(self, name: str) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child,), name=name, daemon=True)
        self._process.start()
        child.close()

    async def call(self, fn: Callable[..., Coroutine[Any, Any, T]], *args: Any) -> T:
        self._conn.send((fn.__module__, fn.__qualname__, args))
        ok, value = await asyncio.to_thread(self._conn.recv)
        if not ok:
            raise RuntimeError(f"{fn.__qualname__} failed in the fake's process:\n{value}")
        return value  # type: ignore[no-any-return]

    async def close(self) -> None:
        with contextlib.suppress(OSError):
            self._conn.send(None)
        await asyncio.to_thread(self._process.join, 10)
        if self._process.is_alive():
            self._process.kill()
        self._conn.close()


def _serve(conn: Connection) -> None:
    asyncio.run(_calls(conn))


async def _calls(conn: Connection) -> None:
    state: dict[str, Any] = {}
    while (message := await asyncio.to_thread(conn.recv)) is not None:
        module, name, args = message
        try:
            fn = getattr(importlib.import_module(module), name)
            conn.send((True, await fn(state, *args)))
        except Exception:
            conn.send((False, traceback.format_exc()))


async def adapter_config(case: Case, **platform: Any) -> AgoraConfig:
    """Every feature on (the defaults), a fresh database, rate limits off, plus the
    platform section given (`discord=DiscordConfig(…)` or `slack=SlackConfig(…)`)."""
    url = await database_url(case)
    return bench_config(url).model_copy(update=platform)


class Reached:
    """Counts the events an adapter hands to the dispatcher, by kind and by event id.

    Wraps `app.dispatcher.handle` on this one instance (adapters call it through
    `app.dispatcher`), so "reached the core" is counted where the core begins.
    """

    def __init__(self, app: App) -> None:
        self.kinds: Counter[str] = Counter()
        self.ids: Counter[str] = Counter()
        dispatcher = app.dispatcher
        handle = dispatcher.handle

        async def counted(event: Any) -> bool:
            self.kinds[type(event).__name__] += 1
            self.ids[event.event_id] += 1
            return await handle(event)

        dispatcher.handle = counted  # type: ignore[method-assign]
