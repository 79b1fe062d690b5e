"""Starting and stopping: clear messages for the admin, Discord trouble stays contained."""

from __future__ import annotations

import asyncio
import gc
import logging
import socket
from datetime import UTC, datetime

import pytest
from discord_kit import ENV, Recorder, discord_config, make_feature
from fake_discord import FakeDiscord, eventually

from adapters.discord.adapter import DiscordAdapter
from bot.app import App, StartupError, build_app, open_storage
from bot.clock import FakeClock
from bot.config import AgoraConfig


async def _app(config: AgoraConfig) -> App:
    storage = await open_storage(config, create_schema=True)
    clock = FakeClock(datetime(2025, 6, 2, 10, 0, tzinfo=UTC))
    return await build_app(
        config, clock=clock, storage=storage, features=[make_feature(Recorder())]
    )


async def test_a_missing_token_says_which_variable_to_set(fake: FakeDiscord) -> None:
    config = discord_config(fake)
    app = await _app(config)
    app.attach(DiscordAdapter(config.discord, env={}))
    with pytest.raises(StartupError, match="DISCORD_TOKEN"):
        await app.start()
    await app.stop()
    assert not fake.calls


async def test_a_rejected_token_stops_agora_with_a_hint(fake: FakeDiscord) -> None:
    fake.refuse("GET", r"/users/@me", status=401, code=0, message="401: Unauthorized")
    config = discord_config(fake)
    app = await _app(config)
    app.attach(DiscordAdapter(config.discord, env=ENV))
    with pytest.raises(StartupError, match="rejected the bot token"):
        await app.start()
    await app.stop()


async def test_missing_privileged_intents_end_only_the_discord_adapter(fake: FakeDiscord) -> None:
    fake.close_on_identify = 4014
    config = discord_config(fake)
    app = await _app(config)
    adapter = DiscordAdapter(config.discord, env=ENV, guild_ready_timeout=0.05)
    app.attach(adapter)
    await app.start()
    await eventually(lambda: adapter.failure is not None)
    assert adapter.failure is not None
    assert "Privileged Gateway Intents" in adapter.failure
    assert app.started  # the rest of Agora runs on
    assert not adapter.connected  # and health says Discord is not
    await app.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def errors(records: list[logging.LogRecord]) -> list[str]:
    gc.collect()  # an HTTP session left open is reported when it is collected
    return [f"{r.name}: {r.getMessage()}" for r in records if r.levelno >= logging.ERROR]


async def test_discord_down_at_start_is_retried_until_it_is_back(
    problems: list[logging.LogRecord],
) -> None:
    late = FakeDiscord()
    late.port = free_port()  # Discord's address, nobody listening yet
    config = discord_config(late)
    app = await _app(config)
    adapter = DiscordAdapter(config.discord, env=ENV, guild_ready_timeout=0.05, retry_base=0.1)
    app.attach(adapter)
    await app.start()  # does not raise: Slack and the console would start regardless
    assert adapter.failure is None and not adapter.ready.is_set()
    await eventually(lambda: sum("retrying in" in r.getMessage() for r in problems) >= 2)
    await late.start(late.port)
    try:
        await asyncio.wait_for(adapter.ready.wait(), 10)
        await late.connected()
        assert [c.path for c in late.calls[:2]] == ["/users/@me", "/oauth2/applications/@me"]
        assert late.sent("PUT", r"/applications/\d+/guilds/\d+/commands"), "commands synced"
        assert len(late.identifies) == 1
        assert late.identifies[0]["d"]["token"] == ENV["DISCORD_TOKEN"]
        assert adapter.failure is None
        assert errors(problems) == []
    finally:
        await app.stop()
        await late.stop()
    assert errors(problems) == []


async def test_a_network_failure_while_syncing_commands_is_retried_once_connected(
    fake: FakeDiscord, problems: list[logging.LogRecord], caplog: pytest.LogCaptureFixture
) -> None:
    # Twice: aiohttp itself sends an idempotent request again once on a dropped connection.
    fake.drop("PUT", r"/applications/\d+/guilds/\d+/commands", times=2)
    config = discord_config(fake)
    app = await _app(config)
    adapter = DiscordAdapter(config.discord, env=ENV, guild_ready_timeout=0.05)
    app.attach(adapter)
    await app.start()
    try:
        await asyncio.wait_for(adapter.ready.wait(), 10)
        puts = await fake.wait_for("PUT", r"/applications/\d+/guilds/\d+/commands", count=3)
        assert puts[0].body == puts[-1].body
        said = [r.getMessage() for r in problems]
        assert any("could not sync the Discord commands yet" in m for m in said)
        await eventually(lambda: any("synced" in r.getMessage() for r in caplog.records))
        assert errors(problems) == []
    finally:
        await app.stop()


async def test_connected_once_the_gateway_is_up_and_not_after_stop(fake: FakeDiscord) -> None:
    from discord_kit import running

    async with running(fake) as bot:
        await eventually(lambda: bot.adapter.connected)
        await fake.outage(1.0)  # gone, and refusing to come back for a second
        await eventually(lambda: not bot.adapter.connected)
        await eventually(lambda: bot.adapter.connected, 30)
        await bot.adapter.stop()
        assert not bot.adapter.connected


async def test_a_garbled_frame_costs_a_reconnect_not_the_bot(fake: FakeDiscord) -> None:
    from discord_kit import running
    from fake_discord import frame

    from bot.model import MessagePosted

    async with running(fake) as bot:
        await fake.send_raw("{not json")
        await eventually(lambda: len(fake.identifies) >= 2)
        await fake.send(frame("message_create"))
        await bot.until(lambda: bool(bot.recorder.of(MessagePosted)))
        assert bot.adapter.failure is None
