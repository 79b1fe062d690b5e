"""One Agora process serving Discord and Slack at once, against the two fake platforms.

`running_both()` builds the core as `agora run` does (`build_app` from a config file,
`App.attach` for each adapter) with the real DiscordAdapter (gateway + REST on the
fake Discord) and the real SlackAdapter in Socket Mode (Web API + WebSocket on the
fake Slack). The probe feature answers `/ping`, fails on `/boom`, posts to #general
on `/announce` (so a platform can refuse it) and records every message it sees.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Any

from fake_discord import IDS as DISCORD_IDS
from fake_discord import FakeDiscord, eventually, frame
from fake_slack import CHANNELS, TEAM, USERS, FakeSlack, load

from adapters.discord.adapter import DiscordAdapter
from adapters.slack.adapter import SlackAdapter
from bot.app import App, build_app, open_storage
from bot.clock import FakeClock
from bot.config import load_config
from bot.context import Context
from bot.model import Event, MessagePosted, Outgoing, Ref
from bot.registry import Feature

GUILD = DISCORD_IDS.get("guild_id", "0")
DISCORD_GENERAL = Ref("discord", GUILD, DISCORD_IDS.get("channels", {}).get("general", "0"))
SLACK_GENERAL = Ref("slack", TEAM, CHANNELS["general"])
DB_PASSWORD = "pg-Pw5Rt8Yu-fake"
# Short-lived credentials: Discord interaction tokens start so; the sample's response_url
# ends with this secret part.
INTERACTION_TOKEN = "aW50ZXJhY3Rpb246fake"
RESPONSE_URL_SECRET = "9f82095b38836075ac26d9ef"
# Recognisable, and unlike anything a library would print by chance.
SECRETS = {
    "DISCORD_TOKEN": "MTDiscordFakeToken.Zq7uXv9.kL3mN8pQ",
    "SLACK_BOT_TOKEN": "xoxb-1111-fake-Qw3rTy7bot",
    "SLACK_APP_TOKEN": "xapp-1-A0001-fake-Lk8Jh2app",
    "SLACK_SIGNING_SECRET": "fake-signing-Mn4Bv6Cx9",
    "SLACK_ADMIN_TOKEN": "xoxp-2222-fake-Pq9Wz1admin",
}


def config_text(
    discord: FakeDiscord, slack: FakeSlack, *, log_level: str = "info", echo: bool = True
) -> str:
    """An agora.toml enabling both platforms against the fakes (secrets stay in env)."""
    return f"""
[bot]
log_level = "{log_level}"
pid_file = ""

[storage]
url_env = "AGORA_DATABASE_URL"
echo = {str(echo).lower()}
auto_migrate = true

[discord]
enabled = true
guild_ids = [{GUILD}]
api_base_url = "{discord.api_base}"
gateway_url = "{discord.gateway_url}"

[slack]
enabled = true
mode = "socket"
api_base_url = "{slack.api_base}"
post_interval = 0
admin_token_env = "SLACK_ADMIN_TOKEN"
"""


def secret_env(db_url: str) -> dict[str, str]:
    """The secrets as `agora run` finds them: environment variables, a password in the URL."""
    from sqlalchemy.engine import make_url

    url = make_url(db_url).set(password=DB_PASSWORD).render_as_string(hide_password=False)
    return {**SECRETS, "AGORA_DATABASE_URL": url}


@dataclass
class Seen:
    events: list[Event] = field(default_factory=list)

    def messages(self, platform: str) -> list[str]:
        return [
            e.message.text
            for e in self.events
            if isinstance(e, MessagePosted) and e.message.ref.platform == platform
        ]


def probe_feature(seen: Seen) -> Feature:
    feature = Feature("probe")

    @feature.command("ping", help="Answer pong")
    async def ping(ctx: Context) -> None:
        await ctx.reply("pong", ephemeral=False)

    @feature.command("boom", help="Fail")
    async def boom(ctx: Context) -> None:
        raise RuntimeError("the probe handler failed on purpose")

    @feature.command("announce", help="Post to #general")
    async def announce(ctx: Context) -> None:
        assert ctx.actor is not None
        where = DISCORD_GENERAL if ctx.actor.ref.platform == "discord" else SLACK_GENERAL
        await ctx.send(Outgoing("announcement", channel=where))

    @feature.on(MessagePosted)
    async def posted(ctx: Context, event: MessagePosted) -> None:
        seen.events.append(event)

    return feature


@dataclass
class Both:
    app: App
    discord: DiscordAdapter
    slack: SlackAdapter
    discord_fake: FakeDiscord
    slack_fake: FakeSlack
    seen: Seen

    async def settle(self) -> None:
        await asyncio.sleep(0.02)
        await self.discord.drain(limit=5.0)
        await self.slack.drain(limit=5.0)


@asynccontextmanager
async def running_both(
    discord_fake: FakeDiscord,
    slack_fake: FakeSlack,
    config_file: Path,
    env: Mapping[str, str],
    *,
    retry_base: float = 0.05,
) -> AsyncIterator[Both]:
    config = load_config(config_file)
    storage = await open_storage(config, env=env)
    seen = Seen()
    clock = FakeClock(datetime(2025, 6, 2, 10, 0, tzinfo=UTC))
    app = await build_app(config, clock=clock, storage=storage, features=[probe_feature(seen)])
    discord = DiscordAdapter(
        config.discord, env=env, guild_ready_timeout=0.05, retry_base=retry_base
    )
    slack = SlackAdapter(config.slack, env=env)
    app.attach(discord)
    app.attach(slack)
    try:
        await app.start()
        await asyncio.wait_for(discord.ready.wait(), 10)
        await discord_fake.connected()
        await eventually(lambda: bool(slack_fake._sockets), 10)
        yield Both(app, discord, slack, discord_fake, slack_fake, seen)
    finally:
        await app.stop()


# --- what the platforms send -------------------------------------------------------------

_serial = count(1)


def discord_slash(name: str) -> dict[str, Any]:
    """The sample slash-command interaction as another command, with a fresh id and token."""
    item = frame("interaction_create_slash_command")
    n = next(_serial)
    item["d"]["id"] = str(int(item["d"]["id"]) + n)
    item["d"]["token"] = f"{INTERACTION_TOKEN}{name}{n:012d}"  # long, as real ones are
    item["d"]["data"] = {"id": "1", "name": name, "type": 1, "options": []}
    return item


def discord_message(text: str) -> dict[str, Any]:
    item = frame("message_create")
    n = next(_serial)
    item["d"]["id"] = str(int(item["d"]["id"]) + n)
    item["d"]["content"] = text
    return item


def slack_command(fake: FakeSlack, name: str) -> dict[str, Any]:
    envelope = fake.localize(load("socket_mode/socket_mode_envelope_slash_command.json"))
    n = next(_serial)
    envelope["envelope_id"] = f"cmd-{name}-{n}"
    envelope["payload"].update(command=f"/{name}", text="", trigger_id=f"trigger-{name}-{n}")
    return dict(envelope)


def slack_message(text: str) -> dict[str, Any]:
    payload = load("http/event_message.json")
    n = next(_serial)
    payload["event_id"] = f"Ev-fault-{n}"
    payload["event"].pop("blocks", None)
    payload["event"].update(text=text, ts=f"1748860{n:03d}.000200", user=USERS["bob"])
    return {
        "envelope_id": f"msg-{n}",
        "type": "events_api",
        "payload": payload,
        "accepts_response_payload": False,
        "retry_attempt": 0,
        "retry_reason": "",
    }
