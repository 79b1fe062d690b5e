"""What the Discord and Slack adapter test kits share, so both platforms are tested alike.

The kits (`discord_kit`, `slack_kit`) each build a tiny feature named `agora` and run
the real core with the real adapter against a fake platform. The pieces that do not
depend on the platform live here: the network guard, the event recorder, the
onboarding handlers the samples' ids route to, building the app as production does,
and a deliberately slow core for back-pressure tests. Each kit keeps its own
commands, config and adapter.
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest

from bot.app import App, build_app, open_storage
from bot.clock import FakeClock
from bot.config import AgoraConfig
from bot.context import Context
from bot.model import (
    Button,
    ButtonPressed,
    Buttons,
    Event,
    FieldKind,
    Form,
    FormField,
    FormSubmitted,
    MemberJoined,
    MemberLeft,
    MessagePosted,
    Outgoing,
    ReactionChanged,
    Ref,
)
from bot.registry import Feature

LOCAL = frozenset({"127.0.0.1", "localhost", "::1"})
START = datetime(2025, 6, 2, 10, 0, tzinfo=UTC)
INTRO = Form(
    "agora:onboarding:intro",
    "Introduce yourself",
    (
        FormField("intro", "Tell us about yourself", FieldKind.PARAGRAPH),
        FormField("interests", "Interests", required=False),
    ),
    context="onboarding-42",
)
E = TypeVar("E", bound=Event)


def payloads_folder(repo: Path) -> Path:
    """`shared/payloads` beside the repository, or beside a folder above it (a git
    worktree under `wt/` shares the main checkout's samples)."""
    for folder in repo.parents:
        found = folder / "shared" / "payloads"
        if found.is_dir():
            return found
    return repo.parent / "shared" / "payloads"


def stay_local(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail name resolution of any host but this one: no test can reach a real platform."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name not in LOCAL:
            raise socket.gaierror(socket.EAI_NONAME, f"tests stay on 127.0.0.1, not {name}")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@dataclass
class Recorder:
    """Every event the test feature's handlers saw, in order."""

    events: list[Event] = field(default_factory=list)

    def of(self, kind: type[E]) -> list[E]:
        return [e for e in self.events if isinstance(e, kind)]


def add_onboarding(
    feature: Feature, recorder: Recorder, general: Ref, *, start_value: str = ""
) -> None:
    """The samples' onboarding flow (welcome button → form) and the member/reaction events.

    `start_value` is the welcome button's value (Slack's samples carry one, Discord's not).
    """

    @feature.button("onboarding")
    async def onboarding(ctx: Context, event: ButtonPressed) -> None:
        recorder.events.append(event)
        await ctx.open_form(INTRO)

    @feature.form("onboarding")
    async def submitted(ctx: Context, event: FormSubmitted) -> None:
        recorder.events.append(event)
        await ctx.reply("Thanks for introducing yourself!")

    @feature.on(ReactionChanged)
    async def reacted(ctx: Context, event: ReactionChanged) -> None:
        recorder.events.append(event)

    @feature.on(MemberJoined)
    async def joined(ctx: Context, event: MemberJoined) -> None:
        recorder.events.append(event)
        button = Button("agora:onboarding:start", "Get started", start_value)
        welcome = (
            f"Welcome {ctx.mention(event.member.ref)}! Press the button to introduce yourself."
        )
        await ctx.send(Outgoing(welcome, (Buttons((button,)),), channel=general))

    @feature.on(MemberLeft)
    async def left(ctx: Context, event: MemberLeft) -> None:
        recorder.events.append(event)


async def build_test_app(config: AgoraConfig, *features: Feature) -> App:
    """The core as production builds it (`build_app`), on `config`'s database, clock frozen."""
    storage = await open_storage(config, create_schema=True)
    return await build_app(config, clock=FakeClock(START), storage=storage, features=list(features))


class SlowCore:
    """Stands in for the dispatcher: holds every `MessagePosted` until `release` is set.

    It counts the events inside the core at once (`inside`, and the most ever, `most`),
    so a test can show the adapter hands over no more than its slots allow and that
    nothing is lost while the core is slower than the platform.
    """

    def __init__(self, app: App) -> None:
        self.release = asyncio.Event()
        self.inside = 0
        self.most = 0
        self._handle = app.dispatcher.handle
        app.dispatcher.handle = self.handle  # type: ignore[method-assign]

    async def handle(self, event: Event) -> bool:
        self.inside += 1
        self.most = max(self.most, self.inside)
        try:
            if isinstance(event, MessagePosted):
                await self.release.wait()
            return await self._handle(event)
        finally:
            self.inside -= 1
