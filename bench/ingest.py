"""(a) Event ingest through dispatch + storage, sustained, nothing lost.

Closed loop: `FEEDERS` feeders each hand the dispatcher one event after another for
the whole window. Adapters run every incoming event as a task of its own (discord.py
dispatches each gateway event as a task; Slack's HTTP server handles requests side by
side), so at 2,000 events/s dozens are in flight at once: 64 feeders model that. (With
only a handful in flight, throughput is bounded by one event's latency instead.) The mix is
what a busy community sends: 80 % messages, 10 % thread replies, 10 % reactions, plus
1 % replays of an event id already sent (Slack retries), which must be no-ops. At the
end every unique event must have its `processed_events` row and its activity row.

The `sentiment` variant (SQLite) turns `[features.metrics] sentiment` on and sends
English chat of realistic lengths (median about 60 characters, one post in thirty
over 300, up to 2,000), so VADER scores every message: the ingest target must hold
with tone scoring on. Every post's fact must then carry a score.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from datetime import UTC, datetime

from bench.framework import (
    FAIL,
    PASS,
    Case,
    LoopProbe,
    Row,
    benchmark,
    measured_row,
    number,
)
from bench.support import BenchApp, database_url, open_app
from bot.model import Event, Message, MessagePosted, ReactionChanged, Ref

TARGET_EVENTS_PER_S = 2_000
REPLAY_SHARE = 0.01
FEEDERS = 64
SENTIMENT = "sentiment"
# Chat words, some of them VADER's (tone, negation, intensifiers, emoji).
WORDS = tuple(
    " ".join(
        (
            "the a to and I you it is this that we for on with not really very so but just",
            "great thanks love awesome helpful bad awful broken hate confusing works fixed",
            "docs build error release question answer issue merge review :) :( 😀 🎉 !",
        )
    ).split(" ")
)


def chat(rnd: random.Random) -> str:
    """English-like chat: log-normal length, median about 60 characters, at most 2,000."""
    length = min(2_000, max(5, int(rnd.lognormvariate(4.1, 0.9))))
    words: list[str] = []
    size = 0
    while size < length:
        word = rnd.choice(WORDS)
        words.append(word)
        size += len(word) + 1
    return " ".join(words)[:length]


class EventSource:
    """Makes the event stream; deterministic for a given seed."""

    def __init__(self, bench: BenchApp, seed: int = 7, *, english: bool = False) -> None:
        self.bench = bench
        self.english = english
        self.random = random.Random(seed)
        self.n = 0
        self.recent: list[Ref] = []
        self.sent: list[Event] = []
        self.unique = 0
        self.replays = 0

    def next(self) -> Event:
        rnd = self.random
        if self.sent and rnd.random() < REPLAY_SHARE:
            self.replays += 1
            return rnd.choice(self.sent[-1000:])
        self.n += 1
        self.unique += 1
        community = self.bench.community
        author = rnd.choice(self.bench.members)
        channel = rnd.choice(self.bench.channels)
        now = datetime.now(UTC)
        event_id = f"bench:{community.session}:ev{self.n}"
        roll = rnd.random()
        event: Event
        if roll < 0.1 and self.recent:
            event = ReactionChanged(
                event_id=event_id,
                occurred_at=now,
                actor=author,
                message=rnd.choice(self.recent),
                channel=channel,
                emoji=rnd.choice(("👍", "🎉", "❤️")),
                added=True,
            )
        else:
            ref = community.ref(f"{community.session}-m{self.n}")
            parent = rnd.choice(self.recent) if roll < 0.2 and self.recent else None
            text = chat(rnd) if self.english else "x" * rnd.randint(5, 200)
            event = MessagePosted(
                event_id=event_id,
                occurred_at=now,
                message=Message(ref, channel, author, text, now, thread_of=parent),
            )
            self.recent.append(ref)
            if len(self.recent) > 500:
                del self.recent[:250]
        self.sent.append(event)
        if len(self.sent) > 5000:
            del self.sent[:2500]
        return event


@benchmark("ingest", title="event ingest", variants=("sqlite", "postgresql", SENTIMENT))
async def ingest(case: Case) -> list[Row]:
    duration = case.pick(4.0, 60.0)
    concurrency = FEEDERS
    url = await database_url(case)
    scored = case.variant == SENTIMENT
    settings = {"metrics": {"sentiment": True}} if scored else None
    bench = await open_app(url, settings=settings)
    try:
        if scored:  # a running bot has its scoring process started long ago
            from bot.sentiment import warm_up

            await warm_up()
        source = EventSource(bench, english=scored)
        dispatcher = bench.app.dispatcher
        per_second: Counter[int] = Counter()
        started = time.perf_counter()
        deadline = started + duration

        async def feeder() -> None:
            while time.perf_counter() < deadline:
                if await dispatcher.handle(source.next()):
                    per_second[int(time.perf_counter() - started)] += 1

        async with LoopProbe() as probe:
            await asyncio.gather(*(feeder() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started

        from storage.schema import activity, processed_events

        processed = await bench.count(processed_events)
        logged = await bench.count(activity)
        posts = activity.c.kind.in_(("message", "reply"))
        unscored = await bench.count(activity, posts, activity.c.sentiment.is_(None))
        rate = dispatcher.handled / elapsed
        registry = bench.app.runtime.registry
        full_seconds = [per_second[s] for s in range(int(elapsed))]
        slowest = min(full_seconds, default=0)
        lost = max(source.unique - processed, source.unique - logged)
        label = "SQLite, sentiment on" if scored else case.variant
        return [
            measured_row(
                f"ingest, {label}",
                rate,
                "ev/s",
                at_least=TARGET_EVENTS_PER_S,
                stall_ms=probe.max_ms,
                note=(
                    f"ingest, {label}: {elapsed:.0f} s, {source.unique:,} events + "
                    f"{source.replays:,} replays from {len(bench.members)} members, "
                    f"{concurrency} feeders; features {', '.join(registry.features)}; "
                    f"{probe.describe()}"
                ),
            ),
            measured_row(f"ingest slowest second, {label}", slowest, "ev/s", stall_ms=probe.max_ms),
            Row(
                figure=f"ingest events lost, {label}",
                target="0",
                measured=number(lost),
                status=PASS
                if lost == 0 and dispatcher.failures == 0 and not (scored and unscored)
                else FAIL,
                note=(
                    f"ingest, {label}: {source.unique:,} unique events sent, "
                    f"{processed:,} processed_events rows, {logged:,} activity rows, "
                    f"{dispatcher.failures} handler failures"
                    + (f", {unscored:,} posts without a tone score" if scored else "")
                ),
            ),
            Row(
                figure=f"ingest replays dropped, {label}",
                target=number(source.replays),
                measured=number(dispatcher.duplicates),
                status=PASS if dispatcher.duplicates == source.replays else FAIL,
            ),
        ]
    finally:
        await bench.close()
