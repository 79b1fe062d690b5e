"""The console in-process: transcript format, buttons, menus, forms, threads, time."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import pytest

from adapters.console.adapter import ConsoleAdapter
from bot.app import App, build_app, open_storage
from bot.clock import FakeClock
from bot.config import load_config
from bot.context import Context
from bot.model import (
    Button,
    ButtonPressed,
    Buttons,
    FieldKind,
    Form,
    FormField,
    FormSubmitted,
    Option,
    Select,
)
from bot.registry import Feature


def _demo() -> Feature:
    feature = Feature("demo")

    @feature.command("menu", help="shows buttons and a menu")
    async def menu(ctx: Context) -> None:
        await ctx.reply(
            "Pick one",
            blocks=(
                Buttons((Button(feature.action_id("yes"), "Yes please"),)),
                Select(
                    feature.action_id("pick"),
                    "Topic",
                    (Option("py", "Python"), Option("rs", "Rust")),
                    multi=True,
                ),
            ),
            ephemeral=False,
        )

    @feature.button("yes")
    async def yes(ctx: Context, event: ButtonPressed) -> None:
        await ctx.reply("you said yes", ephemeral=True)

    @feature.button("pick")
    async def pick(ctx: Context, event: ButtonPressed) -> None:
        await ctx.reply("picked " + ",".join(event.values), ephemeral=False)

    @feature.command("form", help="opens a form")
    async def form(ctx: Context) -> None:
        await ctx.open_form(
            Form(
                feature.action_id("intro"),
                "Introduce yourself",
                (FormField("about", "About you", FieldKind.PARAGRAPH),),
            )
        )

    @feature.form("intro")
    async def intro(ctx: Context, event: FormSubmitted) -> None:
        assert ctx.actor is not None
        ctx.dm(ctx.actor.ref, "thanks: " + event.values["about"])

    @feature.command("later", help="reminds in an hour")
    async def later(ctx: Context) -> None:
        from datetime import timedelta

        await ctx.schedule("demo:later", "remind", ctx.now() + timedelta(hours=1), {"text": "ping"})

    @feature.job("remind")
    async def remind(ctx: Context, payload: dict[str, str]) -> None:
        channel = await ctx.directory.find_channel("console", "local", "general")
        assert channel is not None
        from bot.model import Outgoing

        await ctx.send(Outgoing(payload["text"], channel=channel))

    return feature


@pytest.fixture
async def console() -> AsyncIterator[ConsoleAdapter]:
    config = load_config(None)
    config = config.model_copy(
        update={
            "storage": config.storage.model_copy(update={"url": "sqlite+aiosqlite:///:memory:"})
        }
    )
    storage = await open_storage(config, create_schema=True)
    app: App = await build_app(config, clock=FakeClock(), storage=storage, features=[_demo()])
    adapter = ConsoleAdapter(config.console, out=io.StringIO())
    app.attach(adapter)
    await app.start()
    yield adapter
    await app.stop()


async def test_ephemeral_reply_is_marked_with_its_recipient(console: ConsoleAdapter) -> None:
    out = await console.execute("/help")
    assert out[0].startswith("[1] #general (only alice sees) Agora: Commands you can use")


async def test_buttons_are_shown_and_clicked_by_label(console: ConsoleAdapter) -> None:
    out = await console.execute("/menu")
    assert "[Yes please]" in out[1]
    assert "▾ Topic (choose any): Python | Rust" in out[2]
    out = await console.execute(":click yes please")
    assert out == ["[2] #general (only alice sees) Agora: you said yes"]
    out = await console.execute(":select python rust")
    assert out[-1].endswith("picked py,rs")


async def test_forms_are_answered_with_submit(console: ConsoleAdapter) -> None:
    out = await console.execute("/form")
    assert "DM → alice" in out[0] and "about (About you)" in out[0]
    out = await console.execute(':submit about="I garden"')
    assert out[-1].endswith("Agora: thanks: I garden")
    out = await console.execute(":submit about=again")
    assert out[0].startswith("! alice has no open form")


async def test_threads_and_reactions(console: ConsoleAdapter) -> None:
    await console.execute(":as carol")
    await console.execute("a question")
    out = await console.execute(":reply 1 an answer")
    assert out == ["[2] #general ↳[1] carol: an answer"]
    out = await console.execute(":react ✅")
    assert out == ["(carol +✅ [2])"]  # the latest message here, thread replies included


async def test_tick_fires_due_jobs_in_order(console: ConsoleAdapter) -> None:
    await console.execute("/later")
    out = await console.execute(":tick 59m")
    assert not any("ping" in line for line in out)
    out = await console.execute(":tick 1m")
    assert out[0].endswith("Agora: ping")


async def test_join_leave_and_roles(console: ConsoleAdapter) -> None:
    out = await console.execute(":join dave helper")
    assert out == ["(→ dave joined the community)"]
    out = await console.execute(":who")
    assert any("@dave (helper" in line for line in out)
    await console.execute(":role dave -helper")
    out = await console.execute(":who")
    assert any("@dave (member" in line for line in out)
    await console.execute(":leave dave")
    out = await console.execute(":as dave")
    assert out[0].startswith("! There is no member called 'dave'")


async def test_errors_never_stop_the_console(console: ConsoleAdapter) -> None:
    for line in [":click nothing", ":react 99 x", ":in #nowhere", '/form "unclosed', ":tick -1h"]:
        out = await console.execute(line)
        assert out and out[0].startswith(("!", "[")), (line, out)
    assert (await console.execute("/help"))[0].startswith("[")
