"""Test kit: a tiny feature, the real core, the real DiscordAdapter against the fake.

`running(fake)` builds the core the way production does (`build_app`, SQLite in
memory, a FakeClock), attaches a `DiscordAdapter` pointed at the fake Discord and
waits until discord.py reports ready. The feature is named `agora` so the samples'
ids (`agora:onboarding:start`, `agora:onboarding:intro`) route to it, and `/kudos`
has the sample's options (`member`, `reason`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fake_discord import IDS, FakeDiscord, eventually, frame
from kit_common import INTRO, Recorder, add_onboarding, build_test_app
from sqlalchemy import func, select

from adapters.discord.adapter import DiscordAdapter
from bot.app import App
from bot.args import (
    ChannelArg,
    ChoiceArg,
    DurationArg,
    FlagArg,
    IntArg,
    ListArg,
    MemberArg,
    Suggestion,
    TextArg,
)
from bot.config import AgoraConfig, config_from_dict
from bot.context import Context
from bot.features import feature_models
from bot.model import (
    ButtonPressed,
    FieldKind,
    Form,
    FormField,
    MessagePosted,
    Option,
    Ref,
    RoleChanged,
)
from bot.needs import Need
from bot.registry import Feature
from storage.schema import activity

ENV = {"DISCORD_TOKEN": "fake-bot-token"}
GUILD = IDS.get("guild_id", "0")
GENERAL = Ref("discord", GUILD, IDS.get("channels", {}).get("general", "0"))
PICK = Form(
    "agora:onboarding:pick",
    "Pick",
    (
        FormField(
            "topic", "Topic", FieldKind.CHOICE, (Option("py", "Python"), Option("rs", "Rust"))
        ),
    ),
)


_serial = iter(range(1, 10_000))


def slash(name: str, options: list[dict[str, Any]] | None = None, **data: Any) -> dict[str, Any]:
    """The sample /kudos interaction turned into another command (new id and token)."""
    item = frame("interaction_create_slash_command")
    n = next(_serial)
    item["d"]["id"] = str(int(item["d"]["id"]) + n)
    item["d"]["token"] = f"token-{name.replace(' ', '-')}-{n}"
    item["d"]["data"] = {"id": "1", "name": name, "type": 1, "options": options or [], **data}
    return item


def make_feature(recorder: Recorder, needs: frozenset[Need] = frozenset(Need)) -> Feature:
    """The test feature; it needs everything (every intent) unless told otherwise."""
    feature = Feature("agora", needs=needs)

    @feature.command(
        "kudos",
        help="Thank someone",
        args=[MemberArg("member", "Who to thank"), TextArg("reason", "What for")],
    )
    async def kudos(ctx: Context, member: Any, reason: str) -> None:
        assert ctx.event is not None and ctx.actor is not None
        recorder.events.append(ctx.event)
        await ctx.reply(
            f"🎉 {ctx.mention(ctx.actor.ref)} gave kudos to {ctx.mention(member.ref)}: {reason}",
            ephemeral=False,
        )
        await ctx.reply("Thanks! Kudos are tallied every Friday.", ephemeral=True)

    @feature.command("secret", help="Say something only you see", ephemeral=True)
    async def secret(ctx: Context) -> None:
        assert ctx.event is not None
        recorder.events.append(ctx.event)
        await ctx.reply("Only you can read this.")

    @feature.command("slow", help="Take a while, then answer")
    async def slow(ctx: Context) -> None:
        assert ctx.event is not None
        recorder.events.append(ctx.event)
        await asyncio.sleep(0.3)
        await ctx.reply("Done thinking.", ephemeral=False)

    @feature.command("quiet", help="Answer nothing")
    async def quiet(ctx: Context) -> None:
        assert ctx.event is not None
        recorder.events.append(ctx.event)

    @feature.command("intro", help="Introduce yourself")
    async def intro(ctx: Context) -> None:
        await ctx.open_form(INTRO)

    @feature.command(
        "poll create",
        help="Start a poll",
        args=[
            TextArg("question", "The question"),
            ListArg("choices", "The answers", min=2, max=10),
            IntArg("hours", "How long", min=1, max=72, option=True),
            FlagArg("anonymous", "Hide who voted"),
            ChoiceArg("kind", ["poll", "quiz"], "Poll or quiz", required=False),
        ],
    )
    async def poll_create(ctx: Context, **values: Any) -> None:
        assert ctx.event is not None
        recorder.events.append(ctx.event)
        await ctx.reply(f"poll: {sorted(values.items())!r}", ephemeral=True)

    @feature.command(
        "poll remind",
        help="Remind voters",
        args=[ChannelArg("where", "Where to remind"), DurationArg("after", "When")],
    )
    async def poll_remind(ctx: Context, where: Ref, after: Any) -> None:
        assert ctx.event is not None
        recorder.events.append(ctx.event)
        await ctx.reply(f"remind in {ctx.channel_mention(where)} after {after}", ephemeral=True)

    async def tickets(ctx: Context, typed: str) -> list[Suggestion]:
        """Suggestions that show whom they were read for (and one Discord cannot take)."""
        who = ctx.actor.label if ctx.actor is not None else "nobody"
        return [Suggestion("7", f"#7 for {who} ({typed})"), Suggestion("x", "not a number")]

    @feature.command(
        "ticket",
        help="Look at a ticket",
        args=[IntArg("number", "Which ticket", lookup=tickets)],
        ephemeral=True,
    )
    async def ticket(ctx: Context, number: int) -> None:
        await ctx.reply(f"ticket {number}")

    @feature.button("pick")
    async def pick(ctx: Context, event: ButtonPressed) -> None:
        recorder.events.append(event)
        await ctx.reply(f"picked {','.join(event.values)}")

    @feature.on(MessagePosted)
    async def posted(ctx: Context, event: MessagePosted) -> None:
        recorder.events.append(event)

    @feature.on(RoleChanged)
    async def role(ctx: Context, event: RoleChanged) -> None:
        recorder.events.append(event)

    add_onboarding(feature, recorder, GENERAL)
    return feature


@dataclass
class Bot:
    app: App
    adapter: DiscordAdapter
    recorder: Recorder
    fake: FakeDiscord

    async def settle(self) -> None:
        """Wait until every event the adapter received has been processed."""
        await asyncio.sleep(0.02)
        await self.adapter.drain(limit=5.0)

    async def until(self, condition: Callable[[], bool], limit: float = 5.0) -> None:
        await eventually(condition, limit)
        await self.settle()

    async def activity(self) -> int:
        storage: Any = self.app.runtime.storage
        async with storage.connection() as conn:
            return int(
                (await conn.execute(select(func.count()).select_from(activity))).scalar_one()
            )


def discord_config(
    fake: FakeDiscord, settings: Mapping[str, Any] | None = None, **overrides: Any
) -> AgoraConfig:
    """Discord against `fake`, SQLite in memory; `settings` adds other sections."""
    discord = {
        "enabled": True,
        "guild_ids": [int(GUILD)],
        "api_base_url": fake.api_base,
        "gateway_url": fake.gateway_url,
        **overrides,
    }
    return config_from_dict(
        {
            **(settings or {}),
            "storage": {"url": "sqlite+aiosqlite:///:memory:"},
            "discord": discord,
        },
        feature_models(),
    )


@asynccontextmanager
async def running(
    fake: FakeDiscord,
    *,
    features: Sequence[Feature] | None = None,
    settings: Mapping[str, Any] | None = None,
    **overrides: Any,
) -> AsyncIterator[Bot]:
    """The bot on `fake`: the test feature, or `features` (real ones) with `settings`."""
    recorder = Recorder()
    config = discord_config(fake, settings, **overrides)
    chosen = list(features) if features is not None else [make_feature(recorder)]
    app = await build_test_app(config, *chosen)
    adapter = DiscordAdapter(config.discord, env=ENV, guild_ready_timeout=0.05, retry_base=0.05)
    app.attach(adapter)
    try:
        await app.start()
        await asyncio.wait_for(adapter.ready.wait(), 10)
        await fake.connected()
        yield Bot(app, adapter, recorder, fake)
    finally:
        await app.stop()
