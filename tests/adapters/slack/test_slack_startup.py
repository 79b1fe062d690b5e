"""Starting the Slack adapter: clear errors for the admin, and a clean start and stop."""

from __future__ import annotations

import socket
from typing import cast

import pytest
from fake_slack import FakeSlack
from slack_kit import ENV, running, slack_config

from adapters.slack.adapter import SlackAdapter
from bot.app import App, StartupError
from bot.config import SlackConfig


async def test_missing_tokens_name_the_variables_to_set() -> None:
    adapter = SlackAdapter(SlackConfig(enabled=True, mode="http"), env={})
    with pytest.raises(StartupError) as raised:
        await adapter.start(cast(App, None))
    assert "SLACK_BOT_TOKEN" in str(raised.value) and "SLACK_SIGNING_SECRET" in str(raised.value)
    socket_mode = SlackAdapter(
        SlackConfig(enabled=True, mode="socket"), env={"SLACK_BOT_TOKEN": "x"}
    )
    assert socket_mode.missing_settings() == ["SLACK_APP_TOKEN"]
    custom = SlackConfig(
        enabled=True, mode="socket", bot_token_env="AGORA_SLACK", app_token_env="AGORA_APP"
    )
    assert SlackAdapter(custom, env={}).missing_settings() == ["AGORA_SLACK", "AGORA_APP"]


async def test_a_rejected_token_is_reported(fake: FakeSlack) -> None:
    fake.fail("auth.test", "invalid_auth")
    with pytest.raises(StartupError, match=r"SLACK_BOT_TOKEN.*invalid_auth"):
        async with running(fake):
            pass


async def test_an_unreachable_api_is_reported(fake: FakeSlack) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    config = slack_config(fake, api_base_url=f"http://127.0.0.1:{closed}/api")
    adapter = SlackAdapter(config.slack, env=ENV)
    with pytest.raises(StartupError, match="Cannot reach Slack"):
        await adapter.start(cast(App, None))


async def test_http_mode_binds_a_free_port_and_stops(fake: FakeSlack) -> None:
    async with running(fake) as bot:
        port = bot.adapter.bound_port
        assert port is not None and port > 0
        assert bot.adapter.team == "T0001"
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0  # closed after stop
