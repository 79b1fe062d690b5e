"""`soak:platforms`: the soak's checks with Discord and Slack traffic through the real SDKs.

`soak` feeds the core directly; this feeds it the way production does. One Agora —
both adapters (the real discord.py client, the real slack-bolt app in HTTP mode),
every feature, SQLite, the real clock — is driven by the adapter tests' fake Discord
and fake Slack, each in a process of its own (`bench.platforms.Elsewhere`, as the real
platforms are), on fixed timetables (open loop): Discord sends 90 MESSAGE_CREATE
frames and 10 `/help` interactions a second, Slack 100 signed Events API requests a
second (messages, a tenth reactions, a few `/help` commands and button clicks). The
same traffic warms up for `soak.WARM_UP` (15 minutes: Discord interactions are kept
for their 15-minute token); then 30 minutes (6 s quick) are measured with the checks
of `soak`:

- RSS growth from the warmed-up baseline ≤ 10 %; no more asyncio tasks at the end;
- per window (5 minutes; 1.5 s quick), the Discord `/help` ack p99 (frame due → first
  callback at the fake) and the Slack ack p99 (request due → response): within the
  adapters' 300 ms in every window, and never more than doubling from one window to
  the next;
- every message and reaction sent was handled: its event id is in `processed_events`
  (claimed in the same transaction as its effects).

What the bench itself keeps is not the bot's memory: the ids sent, the acks' timings
and the interactions stay in the fakes' processes until the RSS has been read (they
are checked and counted after), and the loop probe keeps a histogram, not a list.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from dataclasses import dataclass, field
from typing import Any

from bench.discord_gateway import BenchDiscord, Frames, _guild_cached, discord_section
from bench.framework import FAIL, PASS, Case, LoopProbe, Row, measured_row
from bench.framework import percentile as pct
from bench.platforms import Elsewhere, adapter_config
from bench.slack_events import BenchSlack, Payloads
from bench.soak import (
    P99_DRIFT_LIMIT,
    WARM_UP,
    RssTrail,
    leak_rows,
    settled_rss,
    worst_step,
)

# Importable once bench.platforms has put the adapter tests' folders on sys.path.
from slack_kit import ENV as SLACK_ENV  # isort: skip
from slack_kit import signed_headers  # isort: skip

DISCORD_MESSAGES_PER_S = 90
INTERACTIONS_PER_S = 10
SLACK_EVENTS_PER_S = 100
MEMBERS = 200
ACK_P99_MS = 300.0
DISCORD_ENV = {"DISCORD_TOKEN": "fake-bot-token"}
Timed = list[tuple[float, float]]  # (seconds into the run when due, latency in seconds)


# --- run in the fakes' processes (`Elsewhere.call`) ---------------------------------------


TAIL = 200  # the last ids sent, checked before the run counts as taken in
CHECKED_AT_ONCE = 10_000  # event ids fetched from a fake's process per slice


@dataclass
class Sent:
    """What one run of a fake's timetable sent, and how fast it was answered. The
    event ids the core should see stay in the fake's process (`sent_ids`); `tail`
    has the last of them."""

    count: int = 0
    tail: list[str] = field(default_factory=list)
    timed: Timed = field(default_factory=list)
    interactions: dict[str, tuple[float, float]] = field(default_factory=dict)  # id → offset, due
    refused: int = 0


async def discord_start(state: dict[str, Any]) -> tuple[str, str]:
    fake = state["fake"] = BenchDiscord(MEMBERS)
    await fake.start()
    state["frames"] = Frames(fake, MEMBERS)
    return fake.api_base, fake.gateway_url


def _keep(state: dict[str, Any], sent: Sent, ids: list[str]) -> Sent:
    """What the run sent stays here (`sent_ids`, `last_run`): the bot's process gets
    the count, the tail and the refusals now, the rest once its RSS has been read."""
    state.setdefault("ids", []).extend(ids)
    sent.count, sent.tail = len(ids), ids[-TAIL:]
    state["last"] = sent
    return Sent(count=sent.count, tail=sent.tail, refused=sent.refused)


async def last_run(state: dict[str, Any]) -> Sent:
    """The last run's timings and interactions, then forgotten."""
    return state.pop("last", Sent())


async def sent_ids(state: dict[str, Any], most: int) -> list[str]:
    """The first `most` event ids sent and not yet handed out (warm-up runs included),
    then forgotten: the bot's process checks them a slice at a time, so the check adds
    no passing peak of its own to the RSS measured."""
    ids: list[str] = state.get("ids", [])
    given = ids[:most]
    del ids[:most]
    return given


async def discord_drive(state: dict[str, Any], seconds: float) -> Sent:
    fake, frames = state["fake"], state["frames"]
    sent, ids = Sent(), []
    due = [
        (i / DISCORD_MESSAGES_PER_S, False) for i in range(int(seconds * DISCORD_MESSAGES_PER_S))
    ]
    due += [(0.05 + i / INTERACTIONS_PER_S, True) for i in range(int(seconds * INTERACTIONS_PER_S))]
    started = time.perf_counter() + 0.1
    for offset, is_command in sorted(due):
        at = started + offset
        delay = at - time.perf_counter()
        if delay > 0.001:
            await asyncio.sleep(delay)
        if is_command:
            item = frames.help_command()
            sent.interactions[item["d"]["id"]] = (offset, at)
        else:
            item = frames.message_create()
            ids.append(f"discord:message:{item['d']['id']}")
        await fake.send(item)
    return _keep(state, sent, ids)


async def discord_acked(state: dict[str, Any]) -> dict[str, float]:
    return {i: when for i, (when, _kind) in state["fake"].acked.items()}


async def slack_start(state: dict[str, Any]) -> str:
    fake = state["fake"] = BenchSlack()
    await fake.start()
    state["payloads"] = Payloads(fake.base + "hooks/")
    return fake.api_base


async def slack_drive(state: dict[str, Any], url: str, seconds: float) -> Sent:
    import aiohttp

    payloads: Payloads = state["payloads"]
    sent, ids = Sent(), []

    async def post(
        session: aiohttp.ClientSession, body: str, content_type: str, offset: float, at: float
    ) -> None:
        headers = signed_headers(body, content_type)
        try:
            async with session.post(url, data=body.encode(), headers=headers) as response:
                await response.read()
                ok = response.status == 200
        except aiohttp.ClientError:
            ok = False
        if ok:
            sent.timed.append((offset, time.perf_counter() - at))
        else:
            sent.refused += 1

    tasks: list[asyncio.Task[None]] = []
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1000)) as session:
        started = time.perf_counter() + 0.1
        for i in range(int(seconds * SLACK_EVENTS_PER_S)):
            offset = i / SLACK_EVENTS_PER_S
            delay = started + offset - time.perf_counter()
            if delay > 0.001:
                await asyncio.sleep(delay)
            body, content_type, key, _kind = payloads.next()
            ids.append(key)
            tasks.append(
                asyncio.create_task(post(session, body, content_type, offset, started + offset))
            )
        await asyncio.gather(*tasks)
    return _keep(state, sent, ids)


async def fake_stop(state: dict[str, Any]) -> None:
    await state.pop("fake").stop()


# --- the bot's side ------------------------------------------------------------------------


def per_window(timed: Timed, window: float, count: int) -> list[float]:
    """p99 in ms of each window of the run (NaN for a window without samples)."""
    buckets: list[list[float]] = [[] for _ in range(count)]
    for offset, latency in timed:
        buckets[min(int(offset / window), count - 1)].append(latency * 1000)
    return [pct(bucket, 99) for bucket in buckets]


def window_rows(what: str, p99s: list[float], window: float, stall_ms: float) -> list[Row]:
    worst = max((p for p in p99s if not math.isnan(p)), default=math.nan)
    step, at = worst_step(p99s)
    return [
        measured_row(
            f"soak through the fakes: {what} p99, worst {window:g} s window",
            worst,
            "ms",
            at_most=ACK_P99_MS,
            digits=1,
            stall_ms=stall_ms,
        ),
        measured_row(
            f"soak through the fakes: {what} p99 rise over the window before (window {at + 1})",
            step,
            "×",
            at_most=P99_DRIFT_LIMIT,
            digits=2,
        ),
    ]


class Platforms:
    """Both fakes, each in its own process, and the app with both adapters on them."""

    def __init__(self) -> None:
        self.discord_side = Elsewhere("fake-discord")
        self.slack_side = Elsewhere("fake-slack")
        self.app: Any = None
        self.url = ""

    async def start(self, case: Case) -> None:
        from adapters.discord.adapter import DiscordAdapter
        from adapters.slack.adapter import SlackAdapter
        from bot.app import build_app, open_storage
        from bot.config import SlackConfig

        api, gateway = await self.discord_side.call(discord_start)
        slack_api = await self.slack_side.call(slack_start)
        slack = SlackConfig(
            enabled=True, mode="http", host="127.0.0.1", port=0, api_base_url=slack_api
        )
        config = await adapter_config(case, discord=discord_section(api, gateway), slack=slack)
        storage = await open_storage(config, create_schema=True)
        self.app = app = await build_app(config, storage=storage)
        self.discord = DiscordAdapter(config.discord, env=DISCORD_ENV, guild_ready_timeout=0.05)
        self.slack = SlackAdapter(config.slack, env=SLACK_ENV)
        app.attach(self.discord)
        app.attach(self.slack)
        await app.start()
        await asyncio.wait_for(self.discord.ready.wait(), 30)
        await _guild_cached(self.discord, MEMBERS)
        self.url = f"http://127.0.0.1:{self.slack.bound_port}{config.slack.path}"

    async def traffic(self, seconds: float, limit: float) -> tuple[Sent, Sent]:
        """Both timetables at once; returns when the bot has taken all of it in."""
        discord, slack = await asyncio.gather(
            self.discord_side.call(discord_drive, seconds),
            self.slack_side.call(slack_drive, self.url, seconds),
        )
        waited = time.perf_counter()
        tail = discord.tail + slack.tail
        while time.perf_counter() - waited < limit:
            if not await self.unhandled(tail):
                break
            await asyncio.sleep(0.2)
        await self.discord.drain(limit=limit)
        await self.slack.drain(limit=limit)
        return discord, slack

    async def unhandled(self, ids: list[str]) -> int:
        """How many of `ids` are not in `processed_events` (never handled, or rolled back)."""
        from sqlalchemy import select

        from storage.schema import processed_events

        column = processed_events.c.event_id
        missing = 0
        async with self.app.runtime.storage.connection() as conn:
            for start in range(0, len(ids), 2000):
                chunk = ids[start : start + 2000]
                found = set((await conn.execute(select(column).where(column.in_(chunk)))).scalars())
                missing += sum(1 for i in chunk if i not in found)
        return missing

    async def lost(self) -> int:
        """Events sent since the last call that the bot never handled."""
        missing = 0
        for side in (self.discord_side, self.slack_side):
            while ids := await side.call(sent_ids, CHECKED_AT_ONCE):
                missing += await self.unhandled(ids)
        return missing

    async def close(self) -> None:
        if self.app is not None:
            await self.app.stop()
        for side in (self.discord_side, self.slack_side):
            with contextlib.suppress(Exception):
                await side.call(fake_stop)
            await side.close()


async def soak_platforms(case: Case) -> list[Row]:
    """The `platforms` variant of `soak` (SQLite)."""
    duration = case.pick(6.0, 1800.0)
    window = case.pick(1.5, 300.0)
    limit = case.pick(30.0, 120.0)
    count = int(duration / window)
    platforms = Platforms()
    try:
        await platforms.start(case)
        await platforms.traffic(case.pick(*WARM_UP), limit)
        warm_up_lost = await platforms.lost()
        rss_base = await settled_rss()
        tasks_before = len(asyncio.all_tasks())
        async with LoopProbe() as probe, RssTrail(case.pick(1.0, 60.0)) as trail:
            discord, slack = await platforms.traffic(duration, limit)
        rss_end = await settled_rss()
        tasks_after = len(asyncio.all_tasks())
        acked = await platforms.discord_side.call(discord_acked)
        discord = await platforms.discord_side.call(last_run)
        slack = await platforms.slack_side.call(last_run)
        failures = platforms.app.dispatcher.failures
        lost = await platforms.lost() + warm_up_lost
    finally:
        await platforms.close()
    answered: Timed = [
        (offset, acked[i] - at) for i, (offset, at) in discord.interactions.items() if i in acked
    ]
    unanswered = len(discord.interactions) - len(answered)
    discord_p99s = per_window(answered, window, count)
    slack_p99s = per_window(slack.timed, window, count)
    growth = rss_end.growth_over(rss_base)
    case.notes.append(
        f"soak through the fakes: {case.pick(*WARM_UP):g} s of warm-up, then {duration:.0f} s: "
        f"Discord "
        f"{discord.count:,} messages and {len(discord.interactions)} /help "
        f"({unanswered} never acked), Slack {slack.count:,} events ({slack.refused} "
        f"refused); {lost} never handled (warm-up included), {failures} dispatch failures; RSS "
        f"{rss_base.describe()} warmed up, {rss_end.describe()} at the end; ack p99 per "
        f"{window:g} s window, Discord: "
        + ", ".join(f"{p:.0f}" for p in discord_p99s)
        + " ms, Slack: "
        + ", ".join(f"{p:.0f}" for p in slack_p99s)
        + f" ms; {trail.describe()}; {probe.describe()}"
    )
    return [
        *leak_rows("soak through the fakes", growth, tasks_before, tasks_after),
        *window_rows("Discord /help ack", discord_p99s, window, probe.max_ms),
        *window_rows("Slack event ack", slack_p99s, window, probe.max_ms),
        Row(
            figure="soak through the fakes: events lost or unanswered",
            target="0",
            measured=f"{lost + unanswered + slack.refused}",
            status=PASS if not (lost or unanswered or slack.refused or failures) else FAIL,
        ),
    ]
