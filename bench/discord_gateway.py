"""Issue 11: the Discord adapter under gateway load, and its memory per cached member.

`discord`: the real discord.py client inside the real `DiscordAdapter`, the app
`agora run` builds (every feature on), against the adapter tests' fake Discord
(`tests/adapters/discord/fake_discord.py`) on 127.0.0.1. The fake and its load run on
a loop in a thread of their own (`bench.platforms.Elsewhere`). On a fixed timetable
(open loop) it sends 500 MESSAGE_CREATE frames a second from the guild's members for
60 s (5 s quick) and, interleaved, 10 `/help` INTERACTION_CREATE frames a second.
Figures: every message must reach the dispatcher and get its `processed_events` and
`activity` rows; the interaction ack (the first callback, whether the answer itself
or a "thinking…" defer) is timed from the moment its frame was due until the fake
receives the callback, p99 ≤ 300 ms.

Baseline, in the same case and process, first: a bare `discord.Client` (the same
intents, its URLs re-rooted at a fresh fake and nothing else of Agora's) whose
`on_message` only notes the message and whose `on_interaction` only answers
(`interaction.response.send_message`), fed the same stream (same members, same
seeds, same timetable). The ack rows' ratio is Agora's percentile over the bare
client's: what the adapter and a core busy with every feature add to discord.py's
own gateway handling. The bare client runs first so that its row's peak RSS is its
own (the process had imported Agora already, nothing more).

`discord_members`: a guild of 10,000 members arrives, first all in GUILD_CREATE, then
the way Discord sends a large guild without the presences intent (GUILD_CREATE holds
only the bot; the client asks with op 8 and gets GUILD_MEMBERS_CHUNK frames of 1,000);
tracemalloc counts what stays allocated from just before the fake builds GUILD_CREATE
until the guild is cached (every member present), first for Agora (the whole app,
adapter included), then for a bare `discord.Client` with the same intents on the same
fake data. Per member ≤ 1.2 KiB on both paths; both figures and the ratio are printed.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import math
import random
import time
import tracemalloc
from dataclasses import dataclass, field
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
    peak_rss_mb,
    percentile,
)
from bench.platforms import Elsewhere, Reached, adapter_config

# Importable once bench.platforms has put the adapter tests' folders on sys.path.
from fake_discord import IDS, FakeDiscord, frame  # isort: skip

MESSAGES_PER_S = 500
INTERACTIONS_PER_S = 10
ACK_P99_MS = 300.0
LOAD_MEMBERS = 500  # members in the guild (and authors) during the load
CROWD = 10_000  # members in the guild for the memory figure
KIB_PER_MEMBER = 1.2
CHUNK = 1000  # members per GUILD_MEMBERS_CHUNK, as Discord sends them
ENV = {"DISCORD_TOKEN": "fake-bot-token"}
GUILD = str(IDS["guild_id"])
CHANNELS = (str(IDS["channels"]["general"]), str(IDS["channels"]["help"]))
NEWCOMER = str(IDS["roles"]["Newcomer"])
WORDS = (
    "hei",
    "hello",
    "labdien",
    "moi",
    "привіт",
    "release",
    "docs",
    "meetup",
    "thanks",
    "build",
    "review",
    "tomorrow",
    "kiitos",
    "paldies",
    "takk",
)


def member_payload(n: int) -> dict[str, Any]:
    """One generated guild member, shaped like the members of the guild_create sample."""
    user_id = str(900_000_000_000_000_000 + n)
    return {
        "user": {
            "id": user_id,
            "username": f"member{n}",
            "global_name": f"Member {n}",
            "discriminator": "0",
            "avatar": f"{n:032x}" if n % 2 else None,
            "public_flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
            "collectibles": None,
            "primary_guild": None,
        },
        "roles": [NEWCOMER] if n % 3 == 0 else [],
        "nick": None,
        "avatar": None,
        "banner": None,
        "joined_at": "2025-03-01T12:00:00.000000+00:00",
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "communication_disabled_until": None,
    }


class BenchDiscord(FakeDiscord):
    """The test fake with a guild of `members` generated members; it times acks.

    It keeps no frame history (the benchmark never resumes; a deep copy of every frame
    would be the fake's cost, not the bot's). When `gated`, GUILD_CREATE waits until
    `gate` is set, so the bot's memory can be counted from just before it arrives.
    """

    def __init__(self, members: int, *, gated: bool = False, chunked: bool = False) -> None:
        super().__init__()
        self.members = members
        self.gate: asyncio.Event | None = asyncio.Event() if gated else None
        self.chunked = chunked
        self.acked: dict[str, tuple[float, int]] = {}  # interaction id → (when, callback type)

    async def _dispatch(self, ws: Any, item: dict[str, Any]) -> None:
        if item.get("t") == "GUILD_CREATE":
            if self.gate is not None:
                await self.gate.wait()
            guild = item["d"]
            everyone = len(guild["members"]) + self.members
            if self.chunked:
                # As Discord does without the presences intent: only the bot itself; the
                # client asks for the others (op 8) and gets them in chunks.
                guild["members"] = [m for m in guild["members"] if m["user"].get("bot")]
            else:
                guild["members"] += [member_payload(n) for n in range(self.members)]
            guild["member_count"] = everyone
            guild["large"] = everyone > 250
        self.seq += 1
        item["s"] = self.seq
        await self._send_raw(ws, item)

    async def _members_requested(self, ws: Any, request: dict[str, Any]) -> None:
        """Every member, CHUNK at a time, as GUILD_MEMBERS_CHUNK frames with the nonce."""
        known = frame("guild_create")["d"]["members"]
        everyone = known + [member_payload(n) for n in range(self.members)]
        count = math.ceil(len(everyone) / CHUNK)
        for index in range(count):
            chunk = {
                "guild_id": GUILD,
                "members": everyone[index * CHUNK : (index + 1) * CHUNK],
                "chunk_index": index,
                "chunk_count": count,
                "nonce": request.get("nonce"),
            }
            await self._dispatch(ws, {"op": 0, "t": "GUILD_MEMBERS_CHUNK", "d": chunk})

    def _callback(self, call: Any, interaction_id: str, token: str) -> dict[str, Any]:
        kind = int((call.body or {}).get("type") or 0)
        self.acked.setdefault(interaction_id, (time.perf_counter(), kind))
        return super()._callback(call, interaction_id, token)


# --- the load ----------------------------------------------------------------------------


@dataclass
class Load:
    messages: list[str] = field(default_factory=list)  # message ids, in order sent
    interactions: dict[str, float] = field(default_factory=dict)  # id → when it was due
    lateness: list[float] = field(default_factory=list)  # seconds each frame left late
    elapsed: float = 0.0


class Frames:
    """MESSAGE_CREATE and `/help` INTERACTION_CREATE frames from generated members."""

    def __init__(self, fake: BenchDiscord, members: int, seed: int = 11) -> None:
        self.fake = fake
        self.random = random.Random(seed)
        self.members = members
        self.message = frame("message_create")["d"]
        self.interaction = frame("interaction_create_slash_command")["d"]

    def _author(self) -> dict[str, Any]:
        return member_payload(self.random.randrange(self.members))

    def message_create(self) -> dict[str, Any]:
        rnd = self.random
        author = self._author()
        words = rnd.choices(WORDS, k=rnd.randint(2, 30))
        text = " ".join(words) + ("?" if rnd.random() < 0.1 else ".")
        member = {k: v for k, v in author.items() if k != "user"}
        data = {
            **self.message,
            "id": self.fake.snowflake(),
            "nonce": None,
            "channel_id": rnd.choice(CHANNELS),
            "author": author["user"],
            "member": member,
            "content": text,
            "mentions": [],
            "timestamp": datetime.now(UTC).isoformat(),
        }
        return {"op": 0, "t": "MESSAGE_CREATE", "d": data}

    def help_command(self) -> dict[str, Any]:
        author = self._author()
        interaction_id = self.fake.snowflake()
        data = {
            **self.interaction,
            "id": interaction_id,
            "token": f"bench-{interaction_id}",
            "data": {"id": self.interaction["data"]["id"], "name": "help", "type": 1},
            "member": {**self.interaction["member"], "user": author["user"], "roles": []},
        }
        return {"op": 0, "t": "INTERACTION_CREATE", "d": data}


async def drive(fake: BenchDiscord, frames: Frames, duration: float) -> Load:
    """Send the timetable (runs on the fake's loop): messages and commands interleaved."""
    load = Load()
    due: list[tuple[float, bool]] = [
        (i / MESSAGES_PER_S, False) for i in range(int(duration * MESSAGES_PER_S))
    ]
    due += [
        (0.05 + i / INTERACTIONS_PER_S, True) for i in range(int(duration * INTERACTIONS_PER_S))
    ]
    due.sort()
    started = time.perf_counter() + 0.1
    for offset, is_command in due:
        at = started + offset
        delay = at - time.perf_counter()
        if delay > 0.001:
            await asyncio.sleep(delay)
        load.lateness.append(max(0.0, time.perf_counter() - at))
        if is_command:
            item = frames.help_command()
            load.interactions[item["d"]["id"]] = at
        else:
            item = frames.message_create()
            load.messages.append(item["d"]["id"])
        await fake.send(item)
    load.elapsed = time.perf_counter() - started
    return load


# --- run in the fake's process (`Elsewhere.call`) ------------------------------------------


async def fake_start(
    state: dict[str, Any], members: int, gated: bool, chunked: bool = False
) -> tuple[str, str]:
    """Start the fake; its REST base and gateway URL."""
    fake = state["fake"] = BenchDiscord(members, gated=gated, chunked=chunked)
    await fake.start()
    return fake.api_base, fake.gateway_url


async def fake_identified(state: dict[str, Any]) -> int:
    return len(state["fake"].identifies)


async def fake_open_gate(state: dict[str, Any]) -> None:
    gate = state["fake"].gate
    assert gate is not None
    gate.set()


async def fake_drive(state: dict[str, Any], duration: float) -> Load:
    fake = state["fake"]
    return await drive(fake, Frames(fake, fake.members), duration)


async def fake_acks(state: dict[str, Any]) -> dict[str, tuple[float, int]]:
    return dict(state["fake"].acked)


async def fake_stop(state: dict[str, Any]) -> None:
    await state.pop("fake").stop()


def agora_intents() -> Any:
    """The intents Agora asks for with every feature on; the bare client gets the same."""
    from adapters.discord.intents import intents
    from bot.app import enabled_features
    from bot.config import AgoraConfig, DiscordConfig
    from bot.registry import Registry

    config = AgoraConfig()
    return intents(DiscordConfig(), Registry(enabled_features(config)).needs(config))


def discord_section(api: str, gateway: str) -> Any:
    from bot.config import DiscordConfig

    return DiscordConfig(
        enabled=True, guild_ids=[int(GUILD)], api_base_url=api, gateway_url=gateway
    )


async def count(app: Any, table: Any, *where: Any) -> int:
    engine = app.runtime.storage.engine
    async with engine.connect() as conn:
        query = select(func.count()).select_from(table).where(*where)
        return int((await conn.execute(query)).scalar_one())


@dataclass
class Bare:
    """What the bare discord.py client did with the same stream."""

    load: Load
    seen: int  # messages its on_message saw
    acks_ms: list[float]
    unanswered: int
    backlog: float
    stall_ms: float
    rss_mb: float
    probe: str


async def bare_client(case: Case, elsewhere: Elsewhere, duration: float) -> Bare:
    """The baseline: discord.py alone on a fresh fake, the minimal answer to each event.

    The fake runs in `elsewhere`, the process Agora's run uses next (a new fake there).
    """
    import discord

    from adapters.discord.endpoints import Endpoints

    api, gateway = await elsewhere.call(fake_start, LOAD_MEMBERS, False)
    client = discord.Client(intents=agora_intents(), guild_ready_timeout=0.05)
    endpoints = Endpoints(api, gateway)
    endpoints.apply(client)  # only re-roots discord.py's URLs at the fake
    seen: set[str] = set()

    async def on_message(message: discord.Message) -> None:
        seen.add(str(message.id))

    async def on_interaction(interaction: discord.Interaction) -> None:
        with endpoints.webhooks():
            await interaction.response.send_message("help")

    client.event(on_message)
    client.event(on_interaction)
    try:
        await client.login(ENV["DISCORD_TOKEN"])
        runner = asyncio.create_task(client.connect(reconnect=False))
        await _guild_cached(client, LOAD_MEMBERS)
        async with LoopProbe() as probe:
            load = await elsewhere.call(fake_drive, duration)
            waited = time.perf_counter()
            limit = case.pick(30.0, 120.0)
            while time.perf_counter() - waited < limit:
                if len(seen) >= len(load.messages):
                    break
                await asyncio.sleep(0.2)
            backlog = time.perf_counter() - waited
        acked = await elsewhere.call(fake_acks)
        await client.close()
        await asyncio.wait_for(runner, 10)
    finally:
        if not client.is_closed():
            await client.close()
        await elsewhere.call(fake_stop)
    acks = [(acked[i][0] - at) * 1000 for i, at in load.interactions.items() if i in acked]
    return Bare(
        load=load,
        seen=len(seen & set(load.messages)),
        acks_ms=acks,
        unanswered=len(load.interactions) - len(acks),
        backlog=backlog,
        stall_ms=probe.max_ms,
        rss_mb=round(peak_rss_mb(), 1),
        probe=probe.describe(),
    )


def ratio(ours: float, bare: float) -> float | None:
    """Agora's figure over the bare client's (None when either is missing)."""
    if math.isnan(ours) or math.isnan(bare) or bare <= 0:
        return None
    return ours / bare


@benchmark("discord", title="Discord gateway load", variants=STORAGE_VARIANTS)
async def discord_gateway(case: Case) -> list[Row]:
    from adapters.discord.adapter import DiscordAdapter
    from bot.app import App, build_app, open_storage
    from storage.schema import activity, processed_events

    duration = case.pick(3.5, 60.0)
    # One process for the fake, a fresh fake in it for each run (spawning costs seconds).
    elsewhere = Elsewhere("fake-discord")
    app: App | None = None
    try:
        bare = await bare_client(case, elsewhere, duration)
        gc.collect()
        api, gateway = await elsewhere.call(fake_start, LOAD_MEMBERS, False)
        config = await adapter_config(case, discord=discord_section(api, gateway))
        storage = await open_storage(config, create_schema=True)
        app = await build_app(config, storage=storage)
        adapter = DiscordAdapter(config.discord, env=ENV, guild_ready_timeout=0.05)
        app.attach(adapter)
        reached = Reached(app)
        await app.start()
        await asyncio.wait_for(adapter.ready.wait(), 30)
        await _guild_cached(adapter, LOAD_MEMBERS)

        async with LoopProbe() as probe:
            load = await elsewhere.call(fake_drive, duration)
            # Frames may still sit in the socket or in discord.py's queue: wait for them.
            ids = [f"discord:message:{m}" for m in load.messages]
            waited = time.perf_counter()
            limit = case.pick(30.0, 120.0)
            while time.perf_counter() - waited < limit:
                if all(reached.ids[i] for i in ids):
                    break
                await asyncio.sleep(0.2)
            await adapter.drain(limit=limit)
            backlog = time.perf_counter() - waited
        acked = await elsewhere.call(fake_acks)
        arrived = sum(1 for i in ids if reached.ids[i])
        processed = await count(
            app, processed_events, processed_events.c.event_id.like("discord:message:%")
        )
        logged = await count(
            app, activity, activity.c.platform == "discord", activity.c.kind == "message"
        )
        lost = len(ids) - min(arrived, processed, logged)

        acks = [(acked[i][0] - at) * 1000 for i, at in load.interactions.items() if i in acked]
        unanswered = len(load.interactions) - len(acks)
        deferred = sum(1 for i in load.interactions if acked.get(i, (0.0, 0))[1] == 5)
        label = case.variant
        offered = len(ids) / load.elapsed if load.elapsed else 0.0
        p99 = percentile(acks, 99) if not unanswered else float("nan")
        bare_p99 = percentile(bare.acks_ms, 99) if not bare.unanswered else float("nan")
        bare_p50 = percentile(bare.acks_ms, 50)
        return [
            Row(
                figure=f"Discord messages lost at {MESSAGES_PER_S}/s, {label}",
                target="0",
                measured=number(lost),
                status=PASS if lost == 0 and app.dispatcher.failures == 0 else FAIL,
                stall_ms=probe.max_ms,
                note=(
                    f"discord, {label}: {len(ids):,} MESSAGE_CREATE sent in {load.elapsed:.1f} s "
                    f"({offered:,.0f}/s offered; frames left the fake late by p99 "
                    f"{percentile(load.lateness, 99) * 1000:.1f} ms, max "
                    f"{max(load.lateness, default=0) * 1000:.0f} ms) from {LOAD_MEMBERS} members "
                    f"with every feature on; {arrived:,} reached the dispatcher, "
                    f"{processed:,} processed_events rows, {logged:,} activity rows, "
                    f"{app.dispatcher.failures} dispatch failures; the bot caught up "
                    f"{backlog:.1f} s after the last frame; {probe.describe()}"
                ),
            ),
            measured_row(
                f"Discord /help ack p99 under load, {label}",
                p99,
                "ms",
                at_most=ACK_P99_MS,
                digits=1,
                ratio=ratio(p99, bare_p99),
                stall_ms=probe.max_ms,
                note=(
                    f"discord, {label}: {len(load.interactions)} /help interactions at "
                    f"{INTERACTIONS_PER_S}/s, timed from the frame's due time to the first "
                    f"callback at the fake; p50 {percentile(acks, 50):.1f} ms, max "
                    f"{max(acks, default=float('nan')):.1f} ms; {deferred} deferred (type 5 "
                    f"after defer_after = {config.discord.defer_after} s), {unanswered} "
                    "never acked"
                ),
            ),
            measured_row(
                f"Discord /help ack p50 under load, {label}",
                percentile(acks, 50),
                "ms",
                digits=1,
                ratio=ratio(percentile(acks, 50), bare_p50),
                stall_ms=probe.max_ms,
            ),
            Row(
                figure=f"bare discord.py ack p99 (baseline), {label}",
                target="baseline",
                measured=number(bare_p99, "ms", digits=1),
                status=PASS if bare.seen == len(bare.load.messages) else FAIL,
                rss_mb=bare.rss_mb,
                stall_ms=bare.stall_ms,
                note=(
                    f"discord baseline, {label}: a bare discord.Client (same intents, on_message "
                    f"notes the message, on_interaction answers at once) on a fresh fake with "
                    f"the same stream: {bare.seen:,} of {len(bare.load.messages):,} messages "
                    f"seen, caught up {bare.backlog:.1f} s after the last frame; "
                    f"{len(bare.load.interactions)} interactions, ack p50 {bare_p50:.1f} ms, "
                    f"max {max(bare.acks_ms, default=float('nan')):.1f} ms, "
                    f"{bare.unanswered} never acked; run first, its peak RSS is the process's "
                    f"when it finished; {bare.probe}"
                ),
            ),
        ]
    finally:
        if app is not None:
            await app.stop()
        with contextlib.suppress(Exception):
            await elsewhere.call(fake_stop)
        await elsewhere.close()


async def _guild_cached(client_or_adapter: Any, members: int, limit: float = 60.0) -> None:
    """Wait until the guild is cached with all its members (3 from the sample + ours)."""
    async with asyncio.timeout(limit):
        while True:
            client = getattr(client_or_adapter, "client", client_or_adapter)
            guild = client.get_guild(int(GUILD)) if client is not None else None
            if guild is not None and len(guild.members) >= members + 3:
                return
            await asyncio.sleep(0.05)


# --- memory per cached member --------------------------------------------------------------


async def _count_from_guild_create(elsewhere: Elsewhere) -> None:
    """Once the client has identified: start counting, then let GUILD_CREATE go."""
    async with asyncio.timeout(30):
        while not await elsewhere.call(fake_identified):  # noqa: ASYNC110  (another process)
            await asyncio.sleep(0.05)
    gc.collect()
    tracemalloc.start()
    await elsewhere.call(fake_open_gate)


def _counted() -> int:
    """Bytes allocated since counting started and still alive (after a full collection)."""
    gc.collect()
    current, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return current


async def _agora_bytes(case: Case, elsewhere: Elsewhere, chunked: bool) -> tuple[int, LoopProbe]:
    from adapters.discord.adapter import DiscordAdapter
    from bot.app import build_app, open_storage

    api, gateway = await elsewhere.call(fake_start, CROWD, True, chunked)
    config = await adapter_config(case, discord=discord_section(api, gateway))
    storage = await open_storage(config, create_schema=True)
    app = await build_app(config, storage=storage)
    adapter = DiscordAdapter(config.discord, env=ENV, guild_ready_timeout=0.05)
    app.attach(adapter)
    try:
        await app.start()
        async with LoopProbe() as probe:
            await _count_from_guild_create(elsewhere)
            await _guild_cached(adapter, CROWD)
            await adapter.drain(limit=10)  # on_guild_available's channel upserts
        return _counted(), probe
    finally:
        await app.stop()
        await elsewhere.call(fake_stop)


async def _bare_bytes(elsewhere: Elsewhere, chunked: bool) -> tuple[int, LoopProbe]:
    import discord

    from adapters.discord.endpoints import Endpoints

    api, gateway = await elsewhere.call(fake_start, CROWD, True, chunked)
    client = discord.Client(intents=agora_intents(), guild_ready_timeout=0.05)
    # Only re-roots discord.py's URLs at the fake; nothing else of Agora's.
    Endpoints(api, gateway).apply(client)
    try:
        await client.login(ENV["DISCORD_TOKEN"])
        runner = asyncio.create_task(client.connect(reconnect=False))
        async with LoopProbe() as probe:
            await _count_from_guild_create(elsewhere)
            await _guild_cached(client, CROWD)
        counted = _counted()
        await client.close()
        await asyncio.wait_for(runner, 10)
        return counted, probe
    finally:
        if not client.is_closed():
            await client.close()
        await elsewhere.call(fake_stop)


@benchmark("discord_members", title="Discord memory per cached member")
async def discord_members(case: Case) -> list[Row]:
    rows: list[Row] = []
    for chunked in (False, True):
        rows += await _members_rows(case, chunked)
    return rows


async def _members_rows(case: Case, chunked: bool) -> list[Row]:
    """Agora's and a bare client's bytes per member: all in GUILD_CREATE, or in chunks."""
    elsewhere = Elsewhere("fake-discord")  # a fresh fake in it for each
    try:
        agora, ours_probe = await _agora_bytes(case, elsewhere, chunked)
        gc.collect()
        bare, bare_probe = await _bare_bytes(elsewhere, chunked)
    finally:
        await elsewhere.close()
    per_member = agora / CROWD / 1024
    baseline = bare / CROWD / 1024
    how = (
        f"in GUILD_MEMBERS_CHUNK frames of {CHUNK:,} (GUILD_CREATE held only the bot, as "
        "Discord sends it without presences; the client asked with op 8)"
        if chunked
        else "in GUILD_CREATE"
    )
    path = ", chunked" if chunked else ""
    return [
        measured_row(
            f"Discord memory per cached member, {CROWD:,} members{path}",
            per_member,
            "KiB",
            at_most=KIB_PER_MEMBER,
            digits=2,
            ratio=per_member / baseline if baseline else None,
            stall_ms=ours_probe.max_ms,
            note=(
                f"discord_members: tracemalloc in the bot's process (the fake runs in its "
                f"own), bytes allocated from just before GUILD_CREATE ({CROWD:,} generated "
                f"members + 3, {how}) and still alive once the guild was cached: Agora (the "
                f"whole app, every feature on, SQLite) {agora / 2**20:.2f} MiB, a bare "
                f"discord.Client with the same intents {bare / 2**20:.2f} MiB; ratio "
                f"Agora / bare; stall while the guild was parsed and cached, under "
                f"tracemalloc (which slows allocation several times over): Agora "
                f"{ours_probe.describe()}; bare {bare_probe.describe()}"
            ),
        ),
        measured_row(
            f"bare discord.py per cached member (baseline){path}",
            baseline,
            "KiB",
            digits=2,
            stall_ms=bare_probe.max_ms,
        ),
    ]
