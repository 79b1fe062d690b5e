"""(polls) 10,000 members vote on one poll within 60 s: nothing lost, nothing doubled.

Open loop at the issue's rate (10,000 members in 60 s; quick mode: 500 in 3 s, the
same rate): every click is its own dispatch task, as an adapter makes it — a
`ButtonPressed` on the poll's buttons through the real dispatcher, vote handler and
storage, while the live poll message is re-rendered in the background (coalesced).
One member in ten changes their mind later (a click on another option) and one in
fifty takes the vote back (the same option again). At the end the stored votes must
be exactly what the members did. Then the poll is closed with `/poll close` and the
results — percentages and the bar chart drawn by matplotlib in a worker thread — are
timed from the command to the posted message.

Before the rush, a few hundred clicks are handled one at a time (closed loop, one
feeder): their latency is the vote's own cost in the core, without queueing, which
tells a slow machine (everything queues) from a slow vote path.
"""

from __future__ import annotations

import asyncio
import random
import time
from datetime import UTC, datetime
from typing import Any

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
from bot.features.polls.chart import available as chart_available
from bot.features.polls.refresh import REFRESHER
from bot.model import Button, ButtonPressed, Image, Member, Outgoing, Ref
from storage.tables.polls import poll_votes

TARGET_P99_MS = 50.0
TARGET_RESULTS_S = 1.0
WINDOW_S = 60.0
MEMBERS = 10_000
OPTIONS = ("Roadmap", "Events", "Docs", "Meetups")


@benchmark("polls_votes", title="poll vote ingest", variants=STORAGE_VARIANTS)
async def polls_votes(case: Case) -> list[Row]:
    members = int(case.pick(MEMBERS / 20, MEMBERS))
    window = case.pick(WINDOW_S / 20, WINDOW_S)
    url = await database_url(case)
    bench = await open_app(url, members=members, channels=2)
    try:
        community, dispatcher = bench.community, bench.app.dispatcher
        channel = bench.channels[0]
        creator = bench.members[0]
        line = '/poll "What should we do next?" ' + " ".join(f'"{o}"' for o in OPTIONS)
        await dispatcher.handle(community.command(creator.name, channel.name, line))
        poll_message = next(p for p in community.posts if p.buttons)
        buttons = poll_message.buttons
        edits = _count_edits(bench.app.runtime.ports[community.platform])

        rnd = random.Random(11)
        # What each member's clicks allow as the end state. Two clicks of one member may
        # be handled in either order when the bot runs behind (as on a platform): a
        # take-back ends with no vote either way, a change ends on either option.
        allowed: dict[str, set[int | None]] = {}
        first: list[tuple[Member, Button]] = []
        later: list[tuple[Member, Button]] = []
        for member in bench.members:
            pick = rnd.randrange(len(OPTIONS))
            first.append((member, buttons[pick]))
            allowed[member.name] = {pick}
            roll = rnd.random()
            if roll < 0.10:
                other = (pick + 1 + rnd.randrange(len(OPTIONS) - 1)) % len(OPTIONS)
                later.append((member, buttons[other]))
                allowed[member.name] = {pick, other}
            elif roll < 0.12:
                later.append((member, buttons[pick]))
                allowed[member.name] = {None}
        rnd.shuffle(first)
        rnd.shuffle(later)
        clicks = first + later

        latencies: list[float] = []
        tasks: set[asyncio.Task[Any]] = set()
        alone: list[float] = []

        async def vote(n: int, member: Member, button: Button, into: list[float]) -> None:
            event = ButtonPressed(
                event_id=f"bench:{community.session}:vote{n}",
                occurred_at=datetime.now(UTC),
                actor=member,
                action_id=button.action_id,
                value=button.value,
                message=poll_message.ref,
                channel=channel,
            )
            started = time.perf_counter()
            await dispatcher.handle(event)
            into.append(time.perf_counter() - started)

        warm = int(case.pick(100, 300))
        for n, (member, button) in enumerate(first[:warm]):
            await vote(n, member, button, alone)
        clicks = clicks[warm:]
        interval = window / len(clicks)
        started = time.perf_counter()
        async with LoopProbe() as probe:
            next_at = started
            for n, (member, button) in enumerate(clicks):
                delay = next_at - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                task = asyncio.create_task(vote(warm + n, member, button, latencies))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
                next_at += interval
            await asyncio.gather(*tasks)
            elapsed = time.perf_counter() - started
            await REFRESHER.settle()
        stored = await _stored_votes(bench)
        wrong = sum(1 for m in bench.members if stored.get(m.ref) not in allowed[m.name])
        voted = sum(1 for m in bench.members if allowed[m.name] != {None})
        shown_ok = f"{len(stored):,} voters" in poll_message.text

        results_started = time.perf_counter()
        await dispatcher.handle(community.command(creator.name, channel.name, "/poll close 1"))
        results_s = time.perf_counter() - results_started
        results = next(
            (p for p in reversed(community.posts) if p.text.startswith("📊 Results")), None
        )
        charted = results is not None and any(isinstance(b, Image) for b in results.blocks)

        label = case.variant
        p99 = percentile(latencies, 99) * 1000
        note = (
            f"polls_votes ({label}): {warm:,} clicks one at a time, then {len(clicks):,} "
            f"clicks from {members:,} members offered in {window:.0f} s "
            f"({len(later):,} changes or take-backs), done in {elapsed:.1f} s; "
            f"{edits[0]:,} message edits (coalesced); {dispatcher.failures} failures; "
            f"chart {'drawn' if charted else 'not drawn (matplotlib missing)'}"
        )
        return [
            measured_row(
                f"poll vote p99 one at a time ({label})",
                percentile(alone, 99) * 1000,
                "ms",
                digits=1,
                note=f"p50 {percentile(alone, 50) * 1000:.1f} ms over {len(alone)} clicks",
            ),
            measured_row(
                f"poll vote p50 ({label})", percentile(latencies, 50) * 1000, "ms", digits=1
            ),
            measured_row(
                f"poll vote p99 ({label})",
                p99,
                "ms",
                at_most=TARGET_P99_MS,
                digits=1,
                stall_ms=probe.max_ms,
                note=note,
            ),
            measured_row(
                f"poll {members:,} voters done within ({label})",
                elapsed,
                "s",
                at_most=window * 1.05,
                digits=1,
            ),
            Row(
                figure=f"poll votes lost or doubled ({label})",
                target="0",
                measured=(
                    f"{wrong:,} (stored {len(stored):,}, expected {voted:,}, "
                    f"message shows final count: {'yes' if shown_ok else 'no'})"
                ),
                status=PASS
                if wrong == 0 and len(stored) == voted and shown_ok and dispatcher.failures == 0
                else FAIL,
            ),
            measured_row(
                f"poll results with chart ({label})",
                results_s,
                "s",
                at_most=TARGET_RESULTS_S,
                digits=2,
                note=(
                    "no results were posted"
                    if results is None
                    else ""
                    if chart_available()
                    else "matplotlib missing: text-only results timed"
                ),
            ),
            Row(
                figure=f"poll edits per vote ({label})",
                measured=number(edits[0] / max(1, len(clicks)), digits=3),
            ),
        ]
    finally:
        await REFRESHER.settle()
        await bench.close()


def _count_edits(port: Any) -> list[int]:
    """Wrap the port's edit to count calls (the refresh coalescing at work)."""
    counter = [0]
    original = port.edit

    async def counted(message: Ref, out: Outgoing) -> None:
        counter[0] += 1
        await original(message, out)

    port.edit = counted
    return counter


async def _stored_votes(bench: Any) -> dict[Ref, int]:
    """Each voter's stored choice, keyed by account; a member with two rows fails."""
    from storage.schema import members

    query = select(
        members.c.external_id,
        poll_votes.c.option,
        func.count().over(partition_by=poll_votes.c.person_id).label("rows"),
    ).join(members, members.c.person_id == poll_votes.c.person_id)
    found: dict[Ref, int] = {}
    async with bench.engine.connect() as conn:
        for external_id, option, rows in await conn.execute(query):
            ref = bench.community.ref(external_id)
            found[ref] = option if rows == 1 else -1
    return found
