"""(moderation) A raid: 500 flags a minute on 50 messages; each enters the queue once.

Five raiders post spam messages; then members flag them, open loop at the issue's rate
(500 flags/min on 50 messages for a minute; quick mode: 25 flags on 5 messages in
3 s, the same rate), every flag its own dispatch task as an adapter makes it — a
`ReactionChanged` with 🚩 through the real dispatcher, trust weighting, the quorum's
atomic update and the queue item (posted once, then edited). One flag in ten is a
replay of an event already sent (platform retries) and one in twenty a member
flagging the same message again: neither may count twice.

Afterwards: every unique flag has its row and its audit entry (no lost flags), every
message with three or more flaggers reached the quorum and has exactly one queue item
and one "queued" entry, and the p99 of a flag's handling time in the core (from the
event reaching the dispatcher to its commit) stays within 50 ms.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from bench.framework import (
    FAIL,
    PASS,
    STORAGE_VARIANTS,
    Case,
    LoopProbe,
    Row,
    benchmark,
    measured_row,
    number,
    percentile,
)
from bench.support import database_url, open_app
from bot.clock import FakeClock, SystemClock
from bot.model import Event, Member, ReactionChanged, Ref
from storage.tables.moderation import mod_cases, mod_flags, mod_log

if TYPE_CHECKING:
    from adapters.memory.community import Community

TARGET_P99_MS = 50.0
MESSAGES = 50
FLAGS = 500
FLAGS_PER_MINUTE = 500
REPLAY_SHARE = 0.10
REPEAT_SHARE = 0.05
QUEUE = "mod-queue"


@benchmark("moderation_raid", title="moderation flag raid", variants=STORAGE_VARIANTS)
async def moderation_raid(case: Case) -> list[Row]:
    from adapters.memory.seeding import register_channel

    messages_count = int(case.pick(MESSAGES / 10, MESSAGES))
    flags = int(case.pick(FLAGS / 20, FLAGS))
    window = 60.0 * flags / FLAGS_PER_MINUTE
    url = await database_url(case)
    clock = FakeClock(SystemClock().now())
    bench = await open_app(url, clock=clock, members=200, channels=3)
    try:
        community, dispatcher = bench.community, bench.app.dispatcher
        community.add_channel(QUEUE)
        await register_channel(bench.app.runtime.storage, community, QUEUE)
        channel = bench.channels[0]
        raiders, members = bench.members[:5], bench.members[5:]
        messages: list[tuple[Ref, Member]] = []
        for i in range(messages_count):
            raider = raiders[i % len(raiders)]
            posted = community.say(raider.name, channel.name, f"cheap followers #{i}")
            await dispatcher.handle(posted)
            messages.append((posted.message.ref, raider))

        clock.advance(timedelta(days=30))  # the flaggers are regular members (weight 1)
        rnd = random.Random(5)
        pairs = [(m, msg) for m in members for msg in range(messages_count)]
        rnd.shuffle(pairs)
        events: list[Event] = []
        unique = 0
        for member, index in pairs[:flags]:
            ref, _author = messages[index]
            roll = rnd.random()
            if events and roll < REPLAY_SHARE:
                events.append(rnd.choice(events))  # the same event id again
                continue
            event = community.react(member.name, _number(community, ref), "🚩")
            events.append(event)
            unique += 1
            if roll < REPLAY_SHARE + REPEAT_SHARE:  # the member flags it again later
                events.append(community.react(member.name, _number(community, ref), "🚩"))
        latencies: list[float] = []

        async def one(event: Event) -> None:
            started = time.perf_counter()
            await dispatcher.handle(event)
            latencies.append((time.perf_counter() - started) * 1000)

        interval = window / len(events)
        tasks: list[asyncio.Task[None]] = []
        started = time.perf_counter()
        async with LoopProbe() as probe:
            for i, due in enumerate(events):
                delay = started + i * interval - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(one(due)))
            await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - started

        stored = await bench.count(mod_flags)
        logged = await bench.count(mod_log, mod_log.c.kind == "flag")
        async with bench.engine.connect() as conn:
            rows = await conn.execute(
                select(mod_log.c.case_id, func.count())
                .where(mod_log.c.kind == "queued")
                .group_by(mod_log.c.case_id)
            )
            queued_entries: dict[int, int] = {int(k): int(v) for k, v in rows.tuples()}
            statuses = Counter((await conn.execute(select(mod_cases.c.status))).scalars().all())
        items = [p for p in community.posts if p.channel is not None and p.channel.name == QUEUE]
        per_case = Counter(
            p.text.split("case #")[1].split()[0] for p in items if "case #" in p.text
        )
        flagged = {(e.actor.ref, e.message) for e in events if isinstance(e, ReactionChanged)}
        expected_flags = len(flagged)
        reaching = len({m for m, n in Counter(m for _a, m in flagged).items() if n >= 3})
        once = (
            len(queued_entries) == reaching
            and set(queued_entries.values()) == {1}
            and len(items) == reaching
            and set(per_case.values()) == {1}
        )
        p99 = percentile(latencies, 99)
        note = (
            f"moderation raid ({case.variant}): {unique:,} flags + replays and repeats "
            f"({len(events):,} events) on {messages_count} messages in {elapsed:.1f} s "
            f"({len(events) / elapsed * 60:,.0f}/min), 195 flaggers (weight 1, quorum 3)"
        )
        return [
            measured_row(
                f"moderation flag p99 ({case.variant})",
                p99,
                "ms",
                at_most=TARGET_P99_MS,
                digits=1,
                stall_ms=probe.max_ms,
                note=note,
            ),
            measured_row(
                f"moderation flag p50 ({case.variant})", percentile(latencies, 50), "ms", digits=1
            ),
            Row(
                figure=f"moderation flags lost ({case.variant})",
                target="0",
                measured=(
                    f"{expected_flags - stored:,} (stored {stored:,}, audit {logged:,}, "
                    f"failures {dispatcher.failures})"
                ),
                status=(
                    PASS
                    if stored == expected_flags == logged and dispatcher.failures == 0
                    else FAIL
                ),
            ),
            Row(
                figure=f"moderation messages queued once ({case.variant})",
                target=f"{number(reaching)} (those with 3+ flaggers), once each",
                measured=(
                    f"{len(queued_entries)} queued, {len(items)} queue items, "
                    f"statuses {dict(statuses)}"
                ),
                status=PASS if once else FAIL,
            ),
        ]
    finally:
        await bench.close()


def _number(community: Community, ref: Ref) -> int:
    posted = community.post_by_ref(ref)
    assert posted is not None
    return posted.number
