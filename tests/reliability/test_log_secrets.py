"""No secret reaches a log: tokens, signing secrets and database passwords stay hidden.

Agora runs at DEBUG with recognisable fake secrets in its environment — in this
process against the fake Discord and Slack (caplog, plus SQLAlchemy's echo on
stdout), then as a real `agora run` subprocess (its stderr) — through startup, a
command, a failing handler, a platform refusing a call, a bad config reload and
shutdown. Every line of output is searched for every secret.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from both_kit import (
    DB_PASSWORD,
    INTERACTION_TOKEN,
    RESPONSE_URL_SECRET,
    config_text,
    discord_message,
    discord_slash,
    running_both,
    secret_env,
    slack_command,
)
from fake_discord import FakeDiscord, eventually, fake_discord
from fake_slack import FakeSlack, fake_slack
from kit_common import stay_local

from bot.app import protect_logs
from bot.redact import unprotect

AGORA = Path(sys.executable).with_name("agora")
CALLBACK = r"/interactions/(\d+)/([^/]+)/callback"
LOUD = (
    "",
    "discord",
    "discord.gateway",
    "discord.http",
    "discord.client",
    "slack_sdk",
    "slack_bolt",
    "aiohttp",
    "sqlalchemy",
    "sqlalchemy.engine",
    "asyncio",
    "apscheduler",
)


@pytest.fixture(autouse=True)
def local_network_only(monkeypatch: pytest.MonkeyPatch) -> None:
    stay_local(monkeypatch)


@pytest.fixture
def everything_at_debug() -> Iterator[None]:
    """Every library logs all it has (earlier tests may have quietened some loggers)."""
    loggers = [logging.getLogger(name) for name in LOUD]
    before = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    yield
    for logger, level in zip(loggers, before, strict=True):
        logger.setLevel(level)
    unprotect()


@pytest.fixture
async def fakes() -> AsyncIterator[tuple[FakeDiscord, FakeSlack]]:
    async with fake_discord() as discord, fake_slack() as slack:
        yield discord, slack


def leaks(text: str, secrets: list[str]) -> list[str]:
    """Each secret found in `text`, with a little context to tell where it came from."""
    found = []
    for secret in secrets:
        at = text.find(secret)
        if at >= 0:
            found.append(f"{secret!r} in …{text[max(0, at - 120) : at + len(secret) + 20]}…")
    return found


def the_secrets(env: dict[str, str]) -> list[str]:
    """The tokens, the database password, and the credentials interactions carry."""
    secrets = [value for name, value in env.items() if name != "AGORA_DATABASE_URL"]
    return [*secrets, DB_PASSWORD, INTERACTION_TOKEN, RESPONSE_URL_SECRET]


@pytest.mark.backends("postgresql")
async def test_debug_logs_of_both_platforms_hide_every_secret(
    db_url: str,
    tmp_path: Path,
    fakes: tuple[FakeDiscord, FakeSlack],
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    everything_at_debug: None,
) -> None:
    discord, slack = fakes
    env = secret_env(db_url)
    file = tmp_path / "agora.toml"
    file.write_text(config_text(discord, slack, log_level="debug"), encoding="utf-8")
    from bot.config import load_config

    protect_logs(load_config(file), env)  # what `agora run` does first
    caplog.set_level(logging.DEBUG)
    async with running_both(discord, slack, file, env) as both:
        # A command on each platform, and a handler that fails.
        await discord.send(discord_slash("ping"))
        await discord.send(discord_slash("boom"))
        slack.push(slack_command(slack, "ping"))
        slack.push(slack_command(slack, "boom"))
        # Each platform refuses a call.
        discord.refuse("POST", r"/channels/\d+/messages")
        slack.fail("chat.postMessage", "not_in_channel")
        await discord.send(discord_slash("announce"))
        slack.push(slack_command(slack, "announce"))
        await discord.send(discord_message("hello"))
        await discord.wait_for("POST", CALLBACK, count=3)
        await discord.wait_for("POST", r"/channels/\d+/messages")
        await slack.wait_for(lambda: slack.called("chat.postMessage"))
        await eventually(lambda: len(slack.hooks) >= 2)
        await both.settle()
        # A secret pasted into the file: the reload refuses it and says why.
        file.write_text(
            config_text(discord, slack) + f'token = "{env["DISCORD_TOKEN"]}"\n', encoding="utf-8"
        )
        assert await both.app.reload()
        assert both.app.dispatcher.failures >= 2
    records = caplog.records
    assert any(r.name.startswith("discord") for r in records)
    assert any(r.name.startswith("slack_sdk") for r in records)
    assert any(r.name.startswith("sqlalchemy.engine") for r in records)
    assert any("failed on purpose" in (r.exc_text or "") for r in records)
    assert any("reload refused" in r.getMessage() for r in records)
    output = capsys.readouterr()
    text = "\n".join([caplog.text, output.out, output.err])
    assert not leaks(text, the_secrets(env))
    assert "***" in text  # something was masked: the check looked at the right lines


@pytest.mark.backends("postgresql")
async def test_agora_run_subprocess_stderr_hides_every_secret(
    db_url: str, tmp_path: Path, fakes: tuple[FakeDiscord, FakeSlack]
) -> None:
    discord, slack = fakes
    env = secret_env(db_url)
    file = tmp_path / "agora.toml"
    file.write_text(config_text(discord, slack, log_level="debug"), encoding="utf-8")
    # Wide lines: Rich must not wrap a secret across two lines and hide it from the search.
    child_env = {**os.environ, **env, "COLUMNS": "2000", "NO_COLOR": "1"}
    proc = await asyncio.create_subprocess_exec(
        str(AGORA),
        "run",
        "--config",
        str(file),
        cwd=tmp_path,
        env=child_env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    # Read both pipes from the start: a child blocked on a full pipe would stall.
    output = asyncio.create_task(proc.communicate())
    try:
        up = lambda: bool(discord.identifies) and bool(slack._sockets)  # noqa: E731
        with contextlib.suppress(TimeoutError):
            await eventually(lambda: up() or output.done(), 90)
        if not up():
            proc.kill()
            out, err = await output
            pytest.fail(f"agora run ended early: {(out + err).decode(errors='replace')[-3000:]}")
        await discord.connected(30)
        # The real features: /help on each platform, then each platform refuses once.
        await discord.send(discord_slash("help"))
        await discord.wait_for("POST", CALLBACK, limit=30)
        slack.push(slack_command(slack, "help"))
        await eventually(lambda: len(slack.hooks) >= 1, 30)
        discord.refuse("POST", CALLBACK)
        slack.hook_status = 500
        await discord.send(discord_slash("help"))
        slack.push(slack_command(slack, "help"))
        await discord.wait_for("POST", CALLBACK, count=2, limit=30)
        await eventually(lambda: len(slack.hooks) >= 2, 30)
        file.write_text(
            config_text(discord, slack) + f'token = "{env["SLACK_BOT_TOKEN"]}"\n', encoding="utf-8"
        )
        proc.send_signal(signal.SIGHUP)
        await asyncio.sleep(1.0)
        proc.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(output, 60)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    stderr = err.decode(errors="replace")
    assert "reload refused" in stderr, stderr[-3000:]
    assert "discord.http" in stderr and "slack_sdk" in stderr and "sqlalchemy.engine" in stderr
    assert "Missing Permissions" in stderr  # Discord's refusal was logged
    text = stderr + out.decode(errors="replace")
    assert not leaks(text, the_secrets(env))


async def test_console_script_with_secrets_in_the_environment(tmp_path: Path) -> None:
    """The default console run: nothing it prints may carry a secret from the environment."""
    script = tmp_path / "s.txt"
    script.write_text("/help\n/nosuchcommand\n", encoding="utf-8")
    env = {**os.environ, "COLUMNS": "2000", "DISCORD_TOKEN": "MTConsoleFakeToken.aa11bb22"}
    env["AGORA_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'a.db'}"
    file = tmp_path / "agora.toml"
    file.write_text(
        '[bot]\nlog_level = "debug"\n[storage]\nurl_env = "AGORA_DATABASE_URL"\necho = true\n',
        encoding="utf-8",
    )
    proc = await asyncio.create_subprocess_exec(
        str(AGORA),
        "run",
        "--config",
        str(file),
        "--script",
        str(script),
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    text = out.decode(errors="replace") + err.decode(errors="replace")
    assert proc.returncode == 0, text[-2000:]
    assert "Commands" in text
    assert "MTConsoleFakeToken" not in text


def test_a_secret_pasted_where_a_variable_name_belongs_is_refused_unechoed(
    tmp_path: Path,
) -> None:
    """`token_env = "<the token>"` is the classic slip: refused, and the value never shown."""
    token, url = "MTPastedFakeToken.Zq7uXv9.kL3m", f"postgresql+asyncpg://bot:{DB_PASSWORD}@db/x"
    file = tmp_path / "agora.toml"
    file.write_text(
        f'[storage]\nurl_env = "{url}"\n[discord]\nenabled = true\ntoken_env = "{token}"\n',
        encoding="utf-8",
    )
    env = {**os.environ, "COLUMNS": "2000"}
    for command in (["check", str(file)], ["run", "--config", str(file)]):
        done = subprocess.run(
            [str(AGORA), *command],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        text = done.stdout + done.stderr
        assert done.returncode == 2, text
        assert "storage.url_env" in text and "discord.token_env" in text
        assert "not the secret itself" in text
        assert not leaks(text, [token, DB_PASSWORD])


async def test_an_unreachable_database_is_named_without_its_password() -> None:
    """Startup errors go to the terminal, not through logging: masked where they are made."""
    from bot.app import StartupError, open_storage
    from bot.config import AgoraConfig, StorageConfig

    url = f"postgresql+asyncpg://agora:{DB_PASSWORD}@127.0.0.1:1/none"
    config = AgoraConfig(storage=StorageConfig(url_env="DB", auto_migrate=False))
    with pytest.raises(StartupError) as raised:
        await open_storage(config, env={"DB": url})
    assert "Cannot reach the database at postgresql+asyncpg://agora:***@127.0.0.1:1" in str(
        raised.value
    )
    assert DB_PASSWORD not in str(raised.value)
