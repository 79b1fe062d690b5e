"""Issue 12: the Slack adapter's HTTP endpoint under 200 signed events a second.

The real slack-bolt app inside the real `SlackAdapter` (HTTP mode), on the app `agora
run` builds (every feature on), with the adapter tests' fake Slack
(`tests/adapters/slack/fake_slack.py`) answering its Web API calls. The fake and the
load run in a process of their own (`bench.platforms.Elsewhere`), like Slack's
servers: on a fixed timetable (open loop: a slow bot does not slow the load down)
they POST 200 signed Events API requests a second for 60 s (5 s quick) to the bolt
endpoint, each on its own connection slot, and time each from the moment it was due
until its response. The mix is 90 % messages, 10 % reactions from 200 members, and
2 % of the requests are Slack's retries of an earlier event (the same body, a fresh
signature, `X-Slack-Retry-Num: 1`, `X-Slack-Retry-Reason: http_timeout`).

Figures: ack p99 ≤ 300 ms; every unique event reaches the dispatcher and gets its
`processed_events` and `activity` rows (no loss); retries change nothing (no
duplicate rows, every retry dropped by the dispatcher's claim).

Baseline, in the same case and process, first: a bare slack-bolt `AsyncApp` whose only
listeners `ack()` (messages and reactions), served by bolt's own aiohttp server
(`AsyncSlackAppServer`'s web app) and driven by the same request stream (same seeds,
same timetable, same fake process). The ack rows' ratio is Agora's percentile over
the bare app's: what the adapter, the signature check, the payload parsing and a core
busy with every feature add to what bolt alone costs. The bare app runs first so that
its row's peak RSS is its own (the process had imported Agora already, nothing more).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

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
    peak_rss_mb,
    percentile,
)
from bench.platforms import Elsewhere, Reached, adapter_config

# Importable once bench.platforms has put the adapter tests' folders on sys.path.
from fake_slack import CHANNELS, TEAM, Call, FakeSlack, load  # isort: skip
from slack_kit import ENV, SECRET, signed_headers  # isort: skip

EVENTS_PER_S = 200
RETRY_SHARE = 0.02
REACTION_SHARE = 0.1
ACK_P99_MS = 300.0
MEMBERS = 200
WHERE = (CHANNELS["general"], CHANNELS["help"])
WORDS = ("hei", "hello", "labdien", "moi", "привіт", "release", "docs", "meetup", "thanks")


def user_id(n: int) -> str:
    return f"U1{n:05d}"


class BenchSlack(FakeSlack):
    """The test fake, knowing the benchmark's generated members in users.info."""

    def _users_info(self, call: Call) -> dict[str, Any]:
        wanted = str(call.args.get("user", ""))
        if not wanted.startswith("U1"):
            return super()._users_info(call)
        n = int(wanted[2:])
        body = load("web_api/users_info.json")
        user = body["user"]
        user.update(
            id=wanted,
            name=f"member{n}",
            real_name=f"Member {n}",
            is_admin=False,
            is_owner=False,
            is_bot=False,
        )
        user["profile"].update(
            display_name=f"member{n}",
            real_name=f"Member {n}",
            email=f"member{n}@agora-test.example",
        )
        if call.args.get("include_locale") in ("true", "1", True):
            user["locale"] = "en-US"
        return body


@dataclass
class SlackLoad:
    messages: list[str] = field(default_factory=list)  # event ids the core should see
    reactions: list[str] = field(default_factory=list)
    retries: int = 0
    acks: list[float] = field(default_factory=list)  # seconds from due to response
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    lateness: list[float] = field(default_factory=list)
    elapsed: float = 0.0


class Payloads:
    """Events API bodies shaped like the samples (`http/event_message.json` …)."""

    def __init__(self, seed: int = 12) -> None:
        self.random = random.Random(seed)
        self.message = load("http/event_message.json")
        self.reaction = load("http/event_reaction_added.json")
        self.n = 0
        self.recent: list[tuple[str, str, str]] = []  # (channel, ts, author)
        self.sent: list[str] = []  # bodies, for retries

    def next(self) -> tuple[str, str, bool]:
        """(body, the event id the core will use, whether it is a message)."""
        rnd = self.random
        self.n += 1
        n = self.n
        at = 1748858700 + n // 1000
        author = user_id(rnd.randrange(MEMBERS))
        if self.recent and rnd.random() < REACTION_SHARE:
            channel, ts, item_user = rnd.choice(self.recent)
            event_id = f"EvR{n:08d}"
            event = {
                **self.reaction["event"],
                "user": author,
                "reaction": rnd.choice(("thumbsup", "tada", "heart")),
                "item_user": item_user,
                "item": {"type": "message", "channel": channel, "ts": ts},
                "event_ts": f"{at}.{n:06d}",
            }
            body = {**self.reaction, "event": event, "event_id": event_id, "event_time": at}
            key, is_message = f"slack:{TEAM}:ev:{event_id}", False
        else:
            channel, ts = rnd.choice(WHERE), f"{at}.{n:06d}"
            text = " ".join(rnd.choices(WORDS, k=rnd.randint(2, 30)))
            event = {
                **self.message["event"],
                "user": author,
                "text": text,
                "ts": ts,
                "event_ts": ts,
                "channel": channel,
                "client_msg_id": f"bench-{n}",
                "blocks": [],
            }
            body = {**self.message, "event": event, "event_id": f"EvM{n:08d}", "event_time": at}
            key, is_message = f"slack:{TEAM}:msg:{channel}/{ts}", True
            self.recent.append((channel, ts, author))
            del self.recent[:-500]
        raw = json.dumps(body)
        self.sent.append(raw)
        del self.sent[:-1000]
        return raw, key, is_message


# --- run in the fake's process (`Elsewhere.call`) ------------------------------------------


async def fake_start(state: dict[str, Any]) -> str:
    fake = state["fake"] = BenchSlack()
    await fake.start()
    return fake.api_base


async def fake_drive(state: dict[str, Any], url: str, duration: float) -> SlackLoad:
    """POST the timetable to the bot (each request a task of its own, due or not)."""
    import aiohttp

    load_ = SlackLoad()
    payloads = Payloads()
    rnd = random.Random(5)
    tasks: list[asyncio.Task[None]] = []

    async def post(session: aiohttp.ClientSession, body: str, due: float, retry: bool) -> None:
        headers = signed_headers(body)
        if retry:
            headers |= {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
        try:
            async with session.post(url, data=body.encode(), headers=headers) as response:
                await response.read()
                load_.statuses[response.status] += 1
        except aiohttp.ClientError as error:
            load_.errors[type(error).__name__] += 1
            return
        load_.acks.append(time.perf_counter() - due)

    connector = aiohttp.TCPConnector(limit=1000)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter() + 0.1
        for i in range(int(duration * EVENTS_PER_S)):
            due = started + i / EVENTS_PER_S
            delay = due - time.perf_counter()
            if delay > 0.001:
                await asyncio.sleep(delay)
            load_.lateness.append(max(0.0, time.perf_counter() - due))
            retry = len(payloads.sent) > 20 and rnd.random() < RETRY_SHARE
            if retry:
                body = rnd.choice(payloads.sent[-200:])
                load_.retries += 1
            else:
                body, key, is_message = payloads.next()
                (load_.messages if is_message else load_.reactions).append(key)
            tasks.append(asyncio.create_task(post(session, body, due, retry)))
        await asyncio.gather(*tasks)
        load_.elapsed = time.perf_counter() - started
    return load_


async def fake_calls(state: dict[str, Any]) -> Counter[str]:
    return Counter(call.method for call in state["fake"].calls)


async def fake_stop(state: dict[str, Any]) -> None:
    await state.pop("fake").stop()


async def count(app: Any, table: Any, *where: Any) -> int:
    from sqlalchemy import func, select

    async with app.runtime.storage.engine.connect() as conn:
        query = select(func.count()).select_from(table).where(*where)
        return int((await conn.execute(query)).scalar_one())


@dataclass
class Bare:
    """What the bare slack-bolt app did with the same stream."""

    load: SlackLoad
    handled: int  # listener calls (bolt has no duplicate check: retries count too)
    stall_ms: float
    rss_mb: float
    probe: str

    @property
    def acks_ms(self) -> list[float]:
        return [a * 1000 for a in self.load.acks]

    @property
    def refused(self) -> int:
        statuses = self.load.statuses
        return sum(n for s, n in statuses.items() if s != 200) + sum(self.load.errors.values())


async def bare_bolt(elsewhere: Elsewhere, api: str, path: str, duration: float) -> Bare:
    """The baseline: slack-bolt alone, listeners that only ack, on bolt's aiohttp server."""
    from aiohttp import web
    from slack_bolt.app.async_app import AsyncApp
    from slack_bolt.app.async_server import AsyncSlackAppServer
    from slack_bolt.context.ack.async_ack import AsyncAck
    from slack_sdk.web.async_client import AsyncWebClient

    client = AsyncWebClient(token=ENV["SLACK_BOT_TOKEN"], base_url=api.rstrip("/") + "/")
    bolt = AsyncApp(client=client, signing_secret=SECRET)
    handled = 0

    async def ack_only(ack: AsyncAck) -> None:
        nonlocal handled
        handled += 1
        await ack()

    bolt.event("message")(ack_only)
    bolt.event("reaction_added")(ack_only)
    server = AsyncSlackAppServer(port=0, path=path, app=bolt, host="127.0.0.1")
    runner = web.AppRunner(server.web_app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = next(a[1] for a in runner.addresses if isinstance(a, tuple))
        async with LoopProbe() as probe:
            load_ = await elsewhere.call(fake_drive, f"http://127.0.0.1:{port}{path}", duration)
    finally:
        await runner.cleanup()
    return Bare(load_, handled, probe.max_ms, round(peak_rss_mb(), 1), probe.describe())


def ratio(ours: float, bare: float) -> float | None:
    """Agora's figure over the bare app's (None when either is missing)."""
    if math.isnan(ours) or math.isnan(bare) or bare <= 0:
        return None
    return ours / bare


@benchmark("slack", title="Slack HTTP events load", variants=STORAGE_VARIANTS)
async def slack_events(case: Case) -> list[Row]:
    from adapters.slack.adapter import SlackAdapter
    from bot.app import App, build_app, open_storage
    from bot.config import SlackConfig
    from storage.schema import activity, processed_events

    duration = case.pick(3.5, 60.0)
    elsewhere = Elsewhere("fake-slack")
    app: App | None = None
    try:
        api = await elsewhere.call(fake_start)
        section = SlackConfig(enabled=True, mode="http", host="127.0.0.1", port=0, api_base_url=api)
        bare = await bare_bolt(elsewhere, api, section.path, duration)
        bare_calls = await elsewhere.call(fake_calls)
        config = await adapter_config(case, slack=section)
        storage = await open_storage(config, create_schema=True)
        app = await build_app(config, storage=storage)
        adapter = SlackAdapter(config.slack, env=ENV)
        app.attach(adapter)
        reached = Reached(app)
        await app.start()
        url = f"http://127.0.0.1:{adapter.bound_port}{config.slack.path}"

        async with LoopProbe() as probe:
            load_ = await elsewhere.call(fake_drive, url, duration)
            ids = load_.messages + load_.reactions
            waited = time.perf_counter()
            limit = case.pick(30.0, 120.0)
            while time.perf_counter() - waited < limit:
                if all(reached.ids[i] for i in ids):
                    break
                await asyncio.sleep(0.2)
            await adapter.drain(limit=limit)
            backlog = time.perf_counter() - waited
        calls = await elsewhere.call(fake_calls) - bare_calls
        unique = len(ids)
        arrived = sum(1 for i in ids if reached.ids[i])
        processed = await count(app, processed_events, processed_events.c.event_id.like("slack:%"))
        messages = await count(
            app, activity, activity.c.platform == "slack", activity.c.kind == "message"
        )
        reactions = await count(
            app, activity, activity.c.platform == "slack", activity.c.kind == "reaction"
        )
        lost = (
            max(0, unique - arrived)
            + max(0, unique - processed)
            + max(0, len(load_.messages) - messages)
            + max(0, len(load_.reactions) - reactions)
        )
        doubled = (
            max(0, processed - unique)
            + max(0, messages - len(load_.messages))
            + max(0, reactions - len(load_.reactions))
        )
        dispatcher = app.dispatcher
        refused = sum(n for status, n in load_.statuses.items() if status != 200)
        refused += sum(load_.errors.values())
        acks_ms = [a * 1000 for a in load_.acks]
        p99 = percentile(acks_ms, 99) if not refused else float("nan")
        label = case.variant
        offered = (unique + load_.retries) / load_.elapsed if load_.elapsed else 0.0
        web_api = ", ".join(f"{m} {n}" for m, n in sorted(calls.items()))
        bare_acks = bare.acks_ms
        bare_p99 = percentile(bare_acks, 99) if not bare.refused else float("nan")
        bare_p50 = percentile(bare_acks, 50)
        return [
            measured_row(
                f"Slack event ack p99 at {EVENTS_PER_S}/s, {label}",
                p99,
                "ms",
                at_most=ACK_P99_MS,
                digits=1,
                ratio=ratio(p99, bare_p99),
                stall_ms=probe.max_ms,
                note=(
                    f"slack, {label}: {unique + load_.retries:,} signed Events API requests "
                    f"in {load_.elapsed:.1f} s ({offered:,.0f}/s offered; requests left the "
                    f"load process late by p99 {percentile(load_.lateness, 99) * 1000:.1f} ms), "
                    f"timed from the due time to the response: p50 "
                    f"{percentile(acks_ms, 50):.1f} ms, max {max(acks_ms, default=0):.1f} ms; "
                    f"statuses {dict(load_.statuses)}"
                    + (f", client errors {dict(load_.errors)}" if load_.errors else "")
                    + f"; {probe.describe()}"
                ),
            ),
            measured_row(
                f"Slack event ack p50 at {EVENTS_PER_S}/s, {label}",
                percentile(acks_ms, 50),
                "ms",
                digits=1,
                ratio=ratio(percentile(acks_ms, 50), bare_p50),
                stall_ms=probe.max_ms,
            ),
            Row(
                figure=f"bare slack-bolt ack p99 (baseline), {label}",
                target="baseline",
                measured=number(bare_p99, "ms", digits=1),
                rss_mb=bare.rss_mb,
                stall_ms=bare.stall_ms,
                note=(
                    f"slack baseline, {label}: a bare slack-bolt AsyncApp (listeners that only "
                    f"ack, bolt's own aiohttp server) on the same "
                    f"{len(bare.load.acks) + bare.refused:,} requests in "
                    f"{bare.load.elapsed:.1f} s: p50 {bare_p50:.1f} ms, max "
                    f"{max(bare_acks, default=0):.1f} ms; statuses {dict(bare.load.statuses)}"
                    + (f", client errors {dict(bare.load.errors)}" if bare.load.errors else "")
                    + f"; {bare.handled:,} listener calls; run first, its peak RSS is the "
                    f"process's when it finished; {bare.probe}"
                ),
            ),
            Row(
                figure=f"Slack events lost, {label}",
                target="0",
                measured=number(lost),
                status=PASS if lost == 0 and dispatcher.failures == 0 and not refused else FAIL,
                note=(
                    f"slack, {label}: {len(load_.messages):,} messages + "
                    f"{len(load_.reactions):,} reactions from {MEMBERS} members with every "
                    f"feature on; {arrived:,} reached the dispatcher, {processed:,} "
                    f"processed_events rows, {messages:,} message and {reactions:,} reaction "
                    f"activity rows, {dispatcher.failures} dispatch failures; the bot caught up "
                    f"{backlog:.1f} s after the last response; Web API calls: {web_api}"
                ),
            ),
            Row(
                figure=f"Slack retries with a side effect, {label}",
                target="0",
                measured=number(doubled),
                status=PASS if doubled == 0 and dispatcher.duplicates == load_.retries else FAIL,
                note=(
                    f"slack, {label}: {load_.retries} retries (X-Slack-Retry-Num: 1) of events "
                    f"already sent; {dispatcher.duplicates} dropped by the dispatcher as "
                    "duplicates; the figure counts rows beyond one per event"
                ),
            ),
        ]
    finally:
        if app is not None:
            await app.stop()
        with contextlib.suppress(Exception):
            await elsewhere.call(fake_stop)
        await elsewhere.close()
