"""Hot reload keeps the old config on a bad file; health reports what it checks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
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
from bot.pidfile import running_pid
from bot.testing import Harness

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


@contextmanager
def agora_running(folder: Path, *args: str) -> Iterator[subprocess.Popen[str]]:
    """`agora run` on the console in `folder`, up once it holds its pid file; `:quit`
    (and a clean exit) at the end."""
    proc = subprocess.Popen(
        [str(AGORA), "run", *args],
        cwd=folder,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while running_pid(folder / "agora.pid") != proc.pid:
            assert proc.poll() is None and time.monotonic() < deadline, "agora run did not start"
            time.sleep(0.05)
        yield proc
        if proc.poll() is None:
            proc.communicate(":quit\n", timeout=20)
            assert proc.returncode == 0
            assert not (folder / "agora.pid").exists()
    finally:
        if proc.poll() is None:
            proc.kill()


def agora(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(AGORA), *args], cwd=folder, capture_output=True, text=True, check=False, timeout=60
    )


def test_sighup_with_a_broken_file_is_refused_and_the_bot_keeps_running(tmp_path: Path) -> None:
    file = tmp_path / "agora.toml"
    file.write_text('[bot]\nname = "Test"\n', encoding="utf-8")
    with agora_running(tmp_path, "--config", str(file)) as proc:
        file.write_text("[bot]\nname = 42\n", encoding="utf-8")
        refused = agora(tmp_path, "reload", "--config", str(file))
        assert refused.returncode == 2 and "bot.name" in refused.stderr
        assert "Nothing was reloaded" in refused.stderr
        os.kill(proc.pid, signal.SIGHUP)  # signalled anyway: the process must refuse it itself
        time.sleep(0.5)
        assert proc.poll() is None
        _stdout, stderr = proc.communicate(":quit\n", timeout=20)
        assert proc.returncode == 0
        assert "reload refused" in stderr


def test_agora_reload_says_whether_the_running_agora_took_the_file(tmp_path: Path) -> None:
    """A good file is taken; one that only the running Agora's checks refuse (a bad cron
    line) comes back with its errors, and the old config stays."""
    file = tmp_path / "agora.toml"
    file.write_text('[bot]\nname = "Test"\n', encoding="utf-8")
    with agora_running(tmp_path, "--config", str(file)) as proc:
        health = agora(tmp_path, "health", "--config", str(file))
        assert health.returncode == 0, health.stdout
        assert f"process: running (pid {proc.pid})" in health.stdout
        file.write_text('[bot]\nname = "Test"\n[features.polls]\nenabled = false\n', "utf-8")
        taken = agora(tmp_path, "reload", "--config", str(file))
        assert taken.returncode == 0, taken.stderr
        assert f"Agora (pid {proc.pid}) reloaded {file}." in " ".join(taken.stdout.split())
        file.write_text('[features.kudos]\nleaderboard_cron = "61 25 * * *"\n', "utf-8")
        refused = agora(tmp_path, "reload", "--config", str(file))
        shown = " ".join(refused.stderr.split())
        assert refused.returncode == 2, refused.stdout + refused.stderr
        assert "features.kudos" in shown and "bad cron expression" in shown
        assert f"Agora (pid {proc.pid}) refused it; the running config stays in force." in shown
        # The good file is what runs: polls are off, kudos (untouched by it) still on.
        stdout, _stderr = proc.communicate('/poll "Lunch?" "A" "B"\n/kudos @bob hi\n:quit\n', 30)
        assert "There is no command /poll" in stdout
        assert "gave kudos to @bob" in stdout


def test_agora_reload_on_built_in_defaults_says_there_is_no_file(tmp_path: Path) -> None:
    with agora_running(tmp_path) as proc:
        answer = agora(tmp_path, "reload")
        assert answer.returncode == 2
        assert f"Agora (pid {proc.pid}) runs on its built-in defaults" in answer.stderr
        assert "None" not in answer.stdout + answer.stderr


def test_agora_reload_never_signals_a_process_that_is_not_agora(tmp_path: Path) -> None:
    """`sleep 300 & echo $! > agora.pid; agora reload` once killed the sleep."""
    sleeper = subprocess.Popen(["sleep", "300"])
    try:
        (tmp_path / "agora.pid").write_text(f"{sleeper.pid}\n", encoding="utf-8")
        answer = agora(tmp_path, "reload")
        assert answer.returncode == 1 and "No running Agora found" in answer.stderr
        time.sleep(0.2)
        assert sleeper.poll() is None, "the reload signalled a process that is not Agora"
        health = agora(tmp_path, "health")
        assert health.returncode == 1 and "process: not running" in health.stdout
    finally:
        sleeper.kill()
        sleeper.wait(10)


async def test_reload_turns_a_feature_off_and_on_again(tmp_path: Path) -> None:
    """`[features.polls] enabled = false` stops /poll, its buttons and its jobs at once;
    turned back on, the poll's deadline (waiting in the table) fires."""
    file = tmp_path / "agora.toml"
    file.write_text("[features.polls]\nenabled = true\n", encoding="utf-8")
    async with Harness(config=load_config(file)) as h:
        assert h.app is not None
        scheduler = h.app.scheduler
        await h.command("alice", '/poll "Lunch?" "Pizza" "Soup" --closes 1h')
        assert scheduler.pending_count == 1
        file.write_text("[features.polls]\nenabled = false\n", encoding="utf-8")
        assert await h.app.reload() == []
        assert "polls" not in h.runtime.registry.features
        out = await h.command("alice", '/poll "Dinner?" "Yes" "No"')
        assert out[0].text.startswith("There is no command /poll")
        assert "no longer works" in (await h.click("carol", "Pizza"))[0].text
        assert not [p for p in await h.tick("2h") if "Results of poll" in p.text]
        file.write_text("[features.polls]\nenabled = true\n", encoding="utf-8")
        assert await h.app.reload() == []
        results = [p for p in await h.tick("1m") if "Results of poll #1" in p.text]
        assert len(results) == 1, "the deadline waited in the table and fired once back on"


async def test_reload_drops_the_cron_jobs_of_a_feature_turned_off(tmp_path: Path) -> None:
    file = tmp_path / "agora.toml"
    file.write_text("", encoding="utf-8")
    async with Harness(config=load_config(file)) as h:
        assert h.app is not None
        assert "checkins.sync" in h.app.scheduler._next_cron
        file.write_text("[features.checkins]\nenabled = false\n", encoding="utf-8")
        assert await h.app.reload() == []
        assert "checkins.sync" not in h.app.scheduler._next_cron
        out = await h.command("carol", "/checkin list")
        assert out[0].text.startswith("There is no command /checkin")
