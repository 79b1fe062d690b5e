"""Hot reload keeps the old config on a bad file; health reports what it checks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from adapters.memory.community import Community
from adapters.memory.port import MemoryPort
from bot.app import App, build_app, open_storage
from bot.clock import FakeClock, SystemClock
from bot.config import load_config
from bot.health import serve_health, snapshot

AGORA = Path(sys.executable).with_name("agora")


def _write(path: str | None, text: str) -> None:
    assert path is not None
    Path(path).write_text(text, encoding="utf-8")


BASE = '[storage]\nurl = "sqlite+aiosqlite:///:memory:"\n'


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    file = tmp_path / "agora.toml"
    _write(str(file), BASE + '[permissions]\nhelper = ["role:helper"]\n')
    config = load_config(file)
    storage = await open_storage(config, create_schema=True)
    built = await build_app(config, clock=FakeClock(), storage=storage)
    await built.start()
    yield built
    await built.stop()


async def test_reload_applies_a_good_file(app: App) -> None:
    _write(
        app.config.source,
        BASE + '[permissions]\nhelper = ["role:mentor"]\n[limits]\ncommands_per_minute = 5\n',
    )
    assert await app.reload() == []
    assert app.config.permissions.helper == ["role:mentor"]
    assert app.dispatcher.limiter.limit == 5


async def test_reload_keeps_the_old_config_on_errors(app: App) -> None:
    _write(app.config.source, "[permissions]\nhelper = [\n")
    problems = await app.reload()
    assert problems and "not valid TOML" in problems[0].message
    assert app.config.permissions.helper == ["role:helper"]


async def test_reload_does_not_switch_the_database_at_run_time(app: App) -> None:
    _write(app.config.source, '[storage]\nurl = "sqlite+aiosqlite:///other.db"\n')
    assert await app.reload() == []
    assert app.config.storage.url == "sqlite+aiosqlite:///:memory:"


async def test_health_snapshot_and_endpoint(app: App) -> None:
    body = await snapshot(app)
    assert body["status"] == "ok" and body["database"] is True and body["scheduler"] is True
    runner = await serve_health(app, "127.0.0.1", 0)
    try:
        port = runner.addresses[0][1]
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}/healthz") as response,
        ):
            assert response.status == 200
            assert (await response.json())["database"] is True
    finally:
        await runner.cleanup()


async def test_health_says_the_scheduler_stopped(tmp_path: Path) -> None:
    """On the real clock, the scheduler's health is APScheduler's own state."""
    file = tmp_path / "agora.toml"
    _write(str(file), BASE)
    config = load_config(file)
    storage = await open_storage(config, create_schema=True)
    app = await build_app(config, clock=SystemClock(), storage=storage)
    await app.start()
    try:
        assert (await snapshot(app))["scheduler"] is True
        await app.scheduler.stop()
        body = await snapshot(app)
        assert body["scheduler"] is False and body["status"] == "degraded"
    finally:
        await app.stop()


async def test_health_degrades_when_no_event_arrived_for_too_long(tmp_path: Path) -> None:
    file = tmp_path / "agora.toml"
    _write(str(file), BASE + "[bot]\nhealth_max_event_age = 600\n")
    config = load_config(file)
    storage = await open_storage(config, create_schema=True)
    clock = FakeClock()
    app = await build_app(config, clock=clock, storage=storage)
    app.runtime.ports["memory"] = MemoryPort(Community(clock, "memory", "test"))
    await app.start()
    try:
        assert (await snapshot(app))["status"] == "ok"  # just started: quiet is fine
        clock.advance(timedelta(minutes=11))
        body = await snapshot(app)
        assert body["events_stale"] and body["status"] == "degraded"
        community = app.runtime.ports["memory"].community
        community.add_channel("general")
        community.add_member("carol")
        assert await app.dispatcher.handle(community.say("carol", "general", "hello"))
        body = await snapshot(app)
        assert not body["events_stale"] and body["status"] == "ok"
        assert body["last_event_age_seconds"] == 0
    finally:
        await app.stop()


def test_sighup_with_a_broken_file_is_refused_and_the_bot_keeps_running(tmp_path: Path) -> None:
    file = tmp_path / "agora.toml"
    file.write_text('[bot]\nname = "Test"\n', encoding="utf-8")
    proc = subprocess.Popen(
        [str(AGORA), "run", "--config", str(file)],
        cwd=tmp_path,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        pid_file = tmp_path / "agora.pid"
        deadline = time.monotonic() + 20
        while not pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert pid_file.exists(), "agora run did not start"
        file.write_text("[bot]\nname = 42\n", encoding="utf-8")
        refused = subprocess.run(
            [str(AGORA), "reload", "--config", str(file)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        assert refused.returncode == 2 and "bot.name" in refused.stderr
        os.kill(proc.pid, signal.SIGHUP)  # signalled anyway: the process must refuse it itself
        time.sleep(0.5)
        assert proc.poll() is None
        assert proc.stdin is not None
        _stdout, stderr = proc.communicate(":quit\n", timeout=20)
        assert proc.returncode == 0
        assert "reload refused" in stderr
        assert not pid_file.exists()
    finally:
        if proc.poll() is None:
            proc.kill()
