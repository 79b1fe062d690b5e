"""A bot process to kill -9: handles a burst of events while persisted jobs fall due.

`python crash_driver.py DB ACKS burst` dispatches events forever from several tasks
at once, appending each event id to ACKS.sent before handing it to the core and to
ACKS once it was acknowledged (fsynced) — what a platform would consider delivered.
Half the jobs fall due during the first moments of the burst, the other half LATER
seconds on, so a kill in the burst finds jobs done and jobs still pending.
`python crash_driver.py DB ACKS recover` restarts on the same database, lets missed
jobs fire, and prints a JSON verdict for the test to check.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import timedelta
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select

from adapters.memory.community import Community
from adapters.memory.port import MemoryPort
from bot.app import build_app, open_storage
from bot.clock import SystemClock
from bot.config import load_config
from bot.context import Context
from bot.model import MessagePosted
from bot.registry import Feature

JOBS = 40
LATER = timedelta(seconds=5)
WORKERS = 4  # events in flight at once
effects_md = MetaData()
event_effects = Table("crash_event_effects", effects_md, Column("event_id", String(200)))
job_effects = Table("crash_job_effects", effects_md, Column("n", Integer))


def feature() -> Feature:
    probe = Feature("crashprobe")

    @probe.on(MessagePosted)
    async def on_message(ctx: Context, event: MessagePosted) -> None:
        conn = ctx.work.uow.conn
        await conn.execute(insert(event_effects).values(event_id=event.event_id))

    @probe.job("tick")
    async def tick(ctx: Context, payload: dict[str, Any]) -> None:
        conn = ctx.work.uow.conn
        await conn.execute(insert(job_effects).values(n=payload["n"]))

    return probe


async def start(db: str) -> Any:
    config = load_config(None)
    url = f"sqlite+aiosqlite:///{db}"
    config = config.model_copy(update={"storage": config.storage.model_copy(update={"url": url})})
    storage = await open_storage(config)
    async with storage.engine.begin() as conn:
        await conn.run_sync(effects_md.create_all)
    app = await build_app(config, clock=SystemClock(), storage=storage, features=[feature()])
    community = Community(app.runtime.clock, "memory", "crash")
    app.runtime.ports["memory"] = MemoryPort(community)
    community.add_channel("general")
    community.add_member("carol")
    return app, community


async def burst(db: str, acks_path: str) -> None:
    app, community = await start(db)
    await app.start()
    now = app.runtime.clock.now()
    async with app.runtime.storage.unit_of_work() as uow:
        from bot.ports import JobStore

        store = uow.get(JobStore)
        for n in range(JOBS):
            due = now + timedelta(milliseconds=20 * n) + (LATER if n >= JOBS // 2 else timedelta())
            job = await store.schedule(f"crash:{n}", "crashprobe", "tick", due, {"n": n})
            app.scheduler.arm(job)
    sent = os.open(acks_path + ".sent", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    acked = os.open(acks_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    print("ready", flush=True)

    async def worker() -> None:
        while True:
            event = community.say("carol", "general", "x")
            os.write(sent, (event.event_id + "\n").encode())  # kill -9 keeps the page cache
            if await app.dispatcher.handle(event):
                os.write(acked, (event.event_id + "\n").encode())
                os.fsync(acked)

    await asyncio.gather(*(worker() for _ in range(WORKERS)))


def _read_lines(path: str) -> list[str]:
    with open(path, encoding="utf-8") as handle:
        return [line.strip() for line in handle if line.strip()]


async def recover(db: str, acks_path: str) -> None:
    app, _community = await start(db)
    await app.start()  # re-arms pending jobs; missed ones fire now
    for _ in range(400):  # the LATER jobs may not be due yet
        async with app.runtime.storage.connection() as conn:
            fired = (await conn.execute(select(func.count()).select_from(job_effects))).scalar_one()
        if fired >= JOBS:
            break
        await asyncio.sleep(0.05)
    async with app.runtime.storage.connection() as conn:
        from storage.schema import processed_events

        processed = {r[0] for r in await conn.execute(select(processed_events.c.event_id))}
        effects = [r[0] for r in await conn.execute(select(event_effects.c.event_id))]
        jobs = [r[0] for r in await conn.execute(select(job_effects.c.n))]
    await app.stop()
    acked = _read_lines(acks_path)
    print(
        json.dumps(
            {"acked": acked, "processed": sorted(processed), "effects": effects, "jobs": jobs}
        )
    )


if __name__ == "__main__":
    db, acks, mode = sys.argv[1:4]
    asyncio.run(burst(db, acks) if mode == "burst" else recover(db, acks))
