"""Test kit: a tiny feature, the real core, the real SlackAdapter, signed requests.

`running(fake)` builds the core exactly as production does (`build_app` with SQLite in
memory and a FakeClock), attaches a `SlackAdapter` pointed at the fake Slack and
starts it on 127.0.0.1 port 0. `Bot` posts signed requests to its HTTP endpoint.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import sys
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import aiohttp
from fake_slack import CHANNELS, TEAM, FakeSlack

from adapters.slack.adapter import SlackAdapter
from bot.app import App, build_app, open_storage
from bot.args import MemberArg, TextArg
from bot.clock import FakeClock
from bot.config import AgoraConfig, SlackConfig, StorageConfig, config_from_dict
from bot.context import Context
from bot.features import all_features
from bot.model import Event, MessagePosted, Ref, Section
from bot.registry import Feature

# pytest puts every helper folder on sys.path (tests/conftest.py); the bench imports this
# kit for its signing helpers with only the platform folders there, so the shared kit
# one folder up is added here too (appended: it may shadow nothing installed).
if str(Path(__file__).resolve().parent.parent) not in sys.path:
    sys.path.append(str(Path(__file__).resolve().parent.parent))
from kit_common import START, INTRO, Recorder, add_onboarding, build_test_app  # isort: skip

SECRET = "agora-test-signing-secret"
ENV = {
    "SLACK_BOT_TOKEN": "xoxb-test-bot",
    "SLACK_SIGNING_SECRET": SECRET,
    "SLACK_APP_TOKEN": "xapp-1-A0001-test",
    "SLACK_ADMIN_TOKEN": "xoxp-test-admin",
}
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
GENERAL = Ref("slack", TEAM, CHANNELS["general"])


def make_feature(recorder: Recorder) -> Feature:
    """A feature named `agora` so the samples' ids (`agora:onboarding:start`) route to it."""
    feature = Feature("agora")

    @feature.command(
        "kudos", help="Thank someone", args=[MemberArg("to"), TextArg("why")], ephemeral=True
    )
    async def kudos(ctx: Context, to: Any, why: str) -> None:
        assert ctx.event is not None
        recorder.events.append(ctx.event)
        await ctx.reply(f"Kudos to {ctx.mention(to.ref)}: {why}")

    @feature.command("hello", help="Say hello to everyone")
    async def hello(ctx: Context) -> None:
        assert ctx.event is not None
        recorder.events.append(ctx.event)
        await ctx.reply("Hello, everyone!", ephemeral=False)

    # Slack keeps /remind for itself: there this is /agora-remind.
    @feature.command("remind", help="Remind me", args=[TextArg("what")], ephemeral=True)
    async def remind(ctx: Context, what: str) -> None:
        assert ctx.event is not None
        recorder.events.append(ctx.event)
        await ctx.reply(f"I'll remind you: {what}")

    @feature.command("intro", help="Introduce yourself")
    async def intro(ctx: Context) -> None:
        await ctx.open_form(INTRO)

    @feature.on(MessagePosted)
    async def posted(ctx: Context, event: MessagePosted) -> None:
        recorder.events.append(event)
        if "whisper" in event.message.text:
            await ctx.reply("psst", ephemeral=True)

    add_onboarding(feature, recorder, GENERAL, start_value="start")

    @feature.home
    async def home(ctx: Context) -> tuple[Section, ...]:
        return (Section("You received 3 kudos this month."),)

    return feature


class UnhurriedCore:
    """The dispatcher, a moment slower: an ack sent before the commit would show."""

    def __init__(self, app: App, pause: float) -> None:
        self.pause = pause
        self._handle = app.dispatcher.handle
        app.dispatcher.handle = self.handle  # type: ignore[method-assign]

    async def handle(self, event: Event) -> bool:
        await asyncio.sleep(self.pause)
        return await self._handle(event)


def sign(body: str, timestamp: int, secret: str = SECRET) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(body: str, content_type: str = JSON, *, age: int = 0) -> dict[str, str]:
    """What Slack sends with a request: its type, its time (`age` s ago) and signature."""
    timestamp = int(time.time()) - age
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": sign(body, timestamp),
    }


def interaction_body(payload: Mapping[str, Any]) -> str:
    return "payload=" + quote(json.dumps(payload, separators=(",", ":")))


@dataclass
class Bot:
    app: App
    adapter: SlackAdapter
    recorder: Recorder
    fake: FakeSlack
    session: aiohttp.ClientSession

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.adapter.bound_port}{self.adapter.config.path}"

    async def post(
        self,
        body: str,
        content_type: str,
        *,
        age: int = 0,
        signature: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, str]:
        sent = signed_headers(body, content_type, age=age) | dict(headers or {})
        if signature is not None:
            sent["X-Slack-Signature"] = signature
        async with self.session.post(self.url, data=body.encode(), headers=sent) as response:
            return response.status, await response.text()

    async def event(self, payload: Mapping[str, Any], **kwargs: Any) -> tuple[int, str]:
        return await self.post(json.dumps(payload), JSON, **kwargs)

    async def command(self, fields: Mapping[str, Any], **kwargs: Any) -> tuple[int, str]:
        return await self.post(urlencode(self.fake.localize(dict(fields))), FORM, **kwargs)

    async def interaction(self, payload: Mapping[str, Any], **kwargs: Any) -> tuple[int, str]:
        return await self.post(interaction_body(self.fake.localize(payload)), FORM, **kwargs)

    async def settle(self) -> None:
        """Wait until everything the adapter handed to the core has been processed."""
        await self.adapter.drain()


def slack_config(
    fake: FakeSlack, *, database: str = "sqlite+aiosqlite:///:memory:", **overrides: Any
) -> AgoraConfig:
    slack = SlackConfig(
        enabled=True,
        **{
            "mode": "http",
            "host": "127.0.0.1",
            "port": 0,
            "api_base_url": fake.api_base,
            "post_interval": 0,
            "admin_token_env": "SLACK_ADMIN_TOKEN",
            **overrides,
        },
    )
    return AgoraConfig(storage=StorageConfig(url=database), slack=slack)


REAL_CONFIG: dict[str, Any] = {
    "permissions": {"admin": ["role:admin"], "moderator": ["role:moderators"]},
    "features": {"questions": {"help_channels": ["help"]}},
}


@asynccontextmanager
async def running_real(
    fake: FakeSlack, *, sections: Mapping[str, Any] = REAL_CONFIG, **overrides: Any
) -> AsyncIterator[Bot]:
    """Every real feature (moderation, onboarding, questions …) behind the adapter.

    `sections` are the config's other tables, as TOML would give them (no test
    feature runs: the recorder stays empty, what reached "Slack" tells the story).
    """
    base = slack_config(fake, **overrides)
    data = {
        **{k: v for k, v in sections.items()},
        "storage": {"url": base.storage.url},
        "slack": base.slack.model_dump(exclude_unset=True),
    }
    models = {f.name: f.config for f in all_features()}
    config = config_from_dict(data, models)
    storage = await open_storage(config, create_schema=True)
    app = await build_app(config, clock=FakeClock(START), storage=storage)
    async with serving(app, config, fake) as bot:
        yield bot


@asynccontextmanager
async def running(
    fake: FakeSlack, *, env: Mapping[str, str] = ENV, **overrides: Any
) -> AsyncIterator[Bot]:
    recorder = Recorder()
    config = slack_config(fake, **overrides)  # `database=` for a file that outlives a run
    app = await build_test_app(config, make_feature(recorder))
    async with serving(app, config, fake, env=env, recorder=recorder) as bot:
        yield bot


@asynccontextmanager
async def serving(
    app: App,
    config: AgoraConfig,
    fake: FakeSlack,
    *,
    env: Mapping[str, str] = ENV,
    recorder: Recorder | None = None,
) -> AsyncIterator[Bot]:
    """`app` started behind a real Slack adapter talking to `fake`; stopped after."""
    adapter = SlackAdapter(config.slack, env=env)
    app.attach(adapter)
    try:
        await app.start()
        async with aiohttp.ClientSession() as session:
            yield Bot(app, adapter, recorder or Recorder(), fake, session)
    finally:
        await app.stop()
