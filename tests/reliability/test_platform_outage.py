"""A platform goes away: its adapter reconnects, nothing is lost or doubled, the other runs on.

One Agora process serves the fake Discord and the fake Slack (Socket Mode) at once,
as `agora run` does with both enabled. Discord closes the gateway and refuses
reconnections for a while; discord.py retries with exponential backoff and resumes
the session, and the fake replays what the bot missed (plus two frames it already
had). Slack's WebSocket drops; slack_sdk opens a new one and the envelopes wait.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from both_kit import (
    SECRETS,
    Both,
    config_text,
    discord_message,
    discord_slash,
    running_both,
    slack_command,
    slack_message,
)
from fake_discord import eventually, fake_discord
from fake_slack import FakeSlack, fake_slack
from kit_common import stay_local

from bot.health import snapshot

CALLBACK = r"/interactions/(\d+)/([^/]+)/callback"
REFUSED_FOR = 2.0  # seconds the fake gateway answers 503


def slack_said(slack: FakeSlack, text: str) -> bool:
    """The bot answered `text` on Slack (in the channel or through the response_url)."""
    posted = [c.args.get("text") for c in slack.called("chat.postMessage")]
    return text in posted or any(body.get("text") == text for _path, body in slack.hooks)


@pytest.fixture(autouse=True)
def local_network_only(monkeypatch: pytest.MonkeyPatch) -> None:
    stay_local(monkeypatch)


@pytest.fixture
async def both(tmp_path: Path) -> AsyncIterator[Both]:
    async with fake_discord() as discord, fake_slack() as slack:
        file = tmp_path / "agora.toml"
        file.write_text(config_text(discord, slack, echo=False), encoding="utf-8")
        env = {**SECRETS, "AGORA_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'a.db'}"}
        async with running_both(discord, slack, file, env) as running:
            yield running


async def test_discord_outage_resumes_without_loss_while_slack_keeps_working(
    both: Both,
) -> None:
    discord, slack = both.discord_fake, both.slack_fake
    await discord.send(discord_message("before 1"))
    await discord.send(discord_message("before 2"))
    await eventually(lambda: len(both.seen.messages("discord")) == 2)
    identifies = len(discord.identifies)

    discord.replay_on_resume = 2  # Discord may resend frames the bot already had
    outage_started = time.monotonic()
    await discord.outage(60)  # until Slack has shown it works on, then REFUSED_FOR in all
    for n in range(3):
        discord.hold(discord_message(f"during {n}"))  # Discord keeps them for the session

    # Slack, in the same process, does not notice.
    slack.push(slack_message("slack during the outage"))
    slack.push(slack_command(slack, "ping"))
    await eventually(lambda: "slack during the outage" in both.seen.messages("slack"))
    await eventually(lambda: slack_said(slack, "pong"))
    assert not discord._connected.is_set(), "Slack had to wait for Discord"
    health = await snapshot(both.app)  # health sees the outage, and only Discord's
    assert health["adapters"] == {"discord": False, "slack": True}
    assert health["status"] == "degraded"
    discord.refuse_until = max(time.monotonic() + 0.5, outage_started + REFUSED_FOR)

    await discord.connected(30)
    await discord.send(discord_message("after"))
    await discord.send(discord_slash("ping"))
    await discord.wait_for("POST", CALLBACK)
    await eventually(lambda: "after" in both.seen.messages("discord"))
    await both.settle()

    assert both.seen.messages("discord") == [
        "before 1",
        "before 2",
        "during 0",
        "during 1",
        "during 2",
        "after",
    ]
    assert len(discord.identifies) == identifies, "the session was resumed, not started over"
    assert discord.resumes and discord.resumes[-1]["d"]["seq"] >= 2
    assert both.app.dispatcher.duplicates >= 2  # the replayed frames were no-ops
    refused = [t for t in discord.gateway_attempts if outage_started <= t < discord.refuse_until]
    window = discord.refuse_until - outage_started
    assert 1 <= len(refused) <= 8, f"{len(refused)} attempts in {window:.1f} s: no backoff?"
    assert both.discord.failure is None
    await eventually(lambda: both.discord.connected)
    assert (await snapshot(both.app))["status"] == "ok"


async def test_slack_socket_drop_reconnects_and_handles_what_follows(both: Both) -> None:
    discord, slack = both.discord_fake, both.slack_fake
    slack.push(slack_message("slack before"))
    await eventually(lambda: "slack before" in both.seen.messages("slack"))
    assert slack.connections == 1

    await slack.drop_sockets()
    slack.push(slack_message("slack while reconnecting"))
    await eventually(lambda: slack.connections == 2, 30)
    slack.push(slack_message("slack after"))
    slack.push(slack_command(slack, "ping"))
    await eventually(lambda: "slack after" in both.seen.messages("slack"), 30)
    await eventually(lambda: slack_said(slack, "pong"))
    # Discord never noticed.
    await discord.send(discord_message("discord meanwhile"))
    await eventually(lambda: "discord meanwhile" in both.seen.messages("discord"))
    await both.settle()
    assert both.seen.messages("slack") == [
        "slack before",
        "slack while reconnecting",
        "slack after",
    ]
    assert len(discord.identifies) == 1 and not discord.resumes
    assert len(slack.called("apps.connections.open")) == 2


async def test_a_slack_socket_that_cannot_reconnect_shows_in_health(both: Both) -> None:
    slack = both.slack_fake
    await eventually(lambda: both.slack.connected)
    assert (await snapshot(both.app))["status"] == "ok"
    slack.fail("apps.connections.open", "internal_error")  # Slack refuses a new socket
    await slack.drop_sockets()
    await eventually(lambda: not both.slack.connected)
    health = await snapshot(both.app)
    assert health["adapters"] == {"discord": True, "slack": False}
    assert health["status"] == "degraded"
    del slack.failures["apps.connections.open"]
    await eventually(lambda: both.slack.connected, 30)
    assert (await snapshot(both.app))["status"] == "ok"


async def test_both_platforms_drop_at_once_and_both_come_back(both: Both) -> None:
    discord, slack = both.discord_fake, both.slack_fake
    await asyncio.gather(discord.outage(0.5), slack.drop_sockets())
    discord.hold(discord_message("discord held"))
    slack.push(slack_message("slack held"))
    await discord.connected(30)
    await eventually(lambda: "slack held" in both.seen.messages("slack"), 30)
    await eventually(lambda: "discord held" in both.seen.messages("discord"), 30)
    await both.settle()
    assert both.seen.messages("discord") == ["discord held"]
    assert both.seen.messages("slack") == ["slack held"]
