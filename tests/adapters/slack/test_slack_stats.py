"""`/stats` on Slack: the summary privately, and its chart where Slack can show it.

Slack shows no file in a reply only one member sees, so the chart of `/stats` is
uploaded to the member's DM with Agora and the private reply says so.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fake_slack import USERS, FakeSlack, load
from kit_common import build_test_app
from slack_kit import Bot, serving, slack_config

from bot.features.metrics.handlers import feature as metrics


@asynccontextmanager
async def with_metrics(fake: FakeSlack) -> AsyncIterator[Bot]:
    config = slack_config(fake)
    app = await build_test_app(config, metrics)
    async with serving(app, config, fake) as bot:
        yield bot


async def test_stats_answers_privately_and_uploads_its_chart_to_the_dm(fake: FakeSlack) -> None:
    async with with_metrics(fake) as bot:
        command = {**load("http/slash_command.json"), "command": "/stats", "text": "week"}
        assert command["user_id"] == USERS["alice"]  # an admin in the fake workspace
        status, _body = await bot.command(command)
        assert status == 200
        await bot.settle()
    [(_path, reply)] = fake.hooks
    assert reply["response_type"] == "ephemeral"
    shown = json.dumps(reply["blocks"], ensure_ascii=False)
    assert "Community stats" in shown
    assert "is in your direct messages with me" in shown
    [opened] = fake.called("conversations.open")
    assert opened.args["users"] == USERS["alice"]
    [url] = fake.called("files.getUploadURLExternal")
    assert url.args["filename"] == "stats.png"
    [png] = fake.uploads
    assert png.startswith(b"\x89PNG")
    [done] = fake.called("files.completeUploadExternal")
    assert done.args["channel_id"].startswith("D")
