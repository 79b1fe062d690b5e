"""The console in-process: transcript format, buttons, menus, forms, threads, time."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import pytest

from adapters.console.adapter import ConsoleAdapter
from adapters.console.transcript import render
from bot.app import App, build_app, open_storage
from bot.args import IntArg
from bot.clock import FakeClock
from bot.config import load_config
from bot.context import Context
from bot.i18n import using_locale
from bot.model import (
    Attachment,
    Button,
    ButtonPressed,
    Buttons,
    FieldKind,
    Form,
    FormField,
    FormSubmitted,
    Option,
    ReactionChanged,
    RoleChanged,
    Select,
)
from bot.ports import Directory
from bot.registry import Feature


def _demo(seen: list[str] | None = None) -> Feature:
    feature = Feature("demo")

    @feature.on(ReactionChanged)
    async def reacted(ctx: Context, event: ReactionChanged) -> None:
        if seen is not None:
            seen.append(f"{'+' if event.added else '-'}{event.emoji}")

    @feature.on(RoleChanged)
    async def role(ctx: Context, event: RoleChanged) -> None:
        if seen is not None:
            seen.append(f"{'+' if event.added else '-'}{event.role}")

    @feature.command("menu", help="shows buttons and a menu")
    async def menu(ctx: Context) -> None:
        await ctx.reply(
            "Pick one",
            blocks=(
                Buttons((Button(feature.action_id("yes"), "Yes please"),)),
                Select(
                    feature.action_id("pick"),
                    "Topic",
                    (Option("py", "Python"), Option("rs", "Rust"), Option("learn", "To learn")),
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

    @feature.command("file", help="sends a file", args=[IntArg("size")])
    async def file(ctx: Context, size: int) -> None:
        await ctx.reply("here", attachments=(Attachment("notes.txt", b"x" * size),))

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
def seen() -> list[str]:
    """What the demo feature's listeners saw (reactions and roles, as +x / -x)."""
    return []


@pytest.fixture
async def console(seen: list[str]) -> AsyncIterator[ConsoleAdapter]:
    config = load_config(None)
    config = config.model_copy(
        update={
            "storage": config.storage.model_copy(update={"url": "sqlite+aiosqlite:///:memory:"})
        }
    )
    storage = await open_storage(config, create_schema=True)
    app: App = await build_app(config, clock=FakeClock(), storage=storage, features=[_demo(seen)])
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
    assert "▾ Topic (choose any): Python | Rust | To learn" in out[2]
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


async def test_a_comment_or_blank_line_does_not_reset_what_expect_sees(
    console: ConsoleAdapter,
) -> None:
    script = "/help\n# the help lists commands\n\n:expect Commands you can use\n"
    assert await console.run_script(script) == 0
    assert await console.run_script("/help\n:who\n:expect Commands you can use\n") == 1


async def test_multi_word_options_need_no_quotes(console: ConsoleAdapter) -> None:
    await console.execute("/menu")
    out = await console.execute(":select To learn")
    assert out[-1].endswith("picked learn")
    out = await console.execute(":select python to learn rust")
    assert out[-1].endswith("picked py,learn,rs")
    out = await console.execute(":select To teach")
    assert out == ["! There is no menu offering To teach that alice can see."]


async def test_buttons_shows_the_ids_click_and_select_take(console: ConsoleAdapter) -> None:
    await console.execute("/menu")
    out = await console.execute(":buttons")
    assert out == [
        "[1] buttons and menus (label = id):",
        "     [Yes please] = demo:yes",
        "     ▾ Topic = demo:pick: Python = py | Rust = rs | To learn = learn",
    ]
    assert await console.execute(":buttons 1") == out
    out = await console.execute(":click demo:yes")
    assert out == ["[2] #general (only alice sees) Agora: you said yes"]
    out = await console.execute(":buttons 2")
    assert out == ["! Message [2] has no buttons or menus."]
    await console.execute(":as bob")
    out = await console.execute(":buttons 2")
    assert out == ["! bob cannot see message [2]."]


async def test_nobody_reacts_to_what_they_cannot_see(
    console: ConsoleAdapter, seen: list[str]
) -> None:
    await console.execute("/help")  # [1], only alice sees it
    await console.execute(":as bob")
    out = await console.execute(":react 1 👍")
    assert out == ["! bob cannot see message [1]."]
    assert seen == []


async def test_taking_back_what_is_not_there_says_so_and_sends_nothing(
    console: ConsoleAdapter, seen: list[str]
) -> None:
    await console.execute("hello")
    assert await console.execute(":unreact 👍") == ["! alice has no 👍 on [1] to take back."]
    assert await console.execute(":react 👍") == ["(alice +👍 [1])"]
    assert await console.execute(":react 👍") == ["! alice has already reacted 👍 to [1]."]
    assert await console.execute(":role carol -member") == [
        "! carol does not have the role member."
    ]
    assert await console.execute(":role alice +Admin") == ["! alice already has the role admin."]
    assert await console.execute(":role carol helper") == ["(carol +helper)"]
    assert seen == ["+👍", "+helper"]


async def test_channels_are_created_once_with_names_in_can_enter(
    console: ConsoleAdapter,
) -> None:
    assert await console.execute(":channel general") == ["! There is already a channel #general."]
    out = await console.execute(':channel "a b"')
    assert out == [
        "! 'a b' is not a channel name: one word of letters, digits, '-' and '_', "
        "at most 50 characters, e.g. off-topic."
    ]
    assert (await console.execute(":channel " + "x" * 300))[0].startswith("! 'xxxxx")
    assert await console.execute(":channel #Off-Topic") == ["(channel #off-topic created)"]
    assert await console.execute(":in off-topic") == ["(you are now in #off-topic)"]
    assert (await console.execute(':join "dave smith"'))[0].startswith(
        "! 'dave smith' is not a member name"
    )


async def test_a_storage_failure_in_a_console_command_is_reported_and_the_console_goes_on(
    console: ConsoleAdapter, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object) -> None:
        raise RuntimeError("value too long for type character varying(200)")

    monkeypatch.setattr("adapters.console.adapter.register_channel", broken)
    out = await console.execute(":channel lounge")
    assert out == [
        "! That did not work (value too long for type character varying(200)); the console goes on."
    ]
    assert (await console.execute(":in lounge"))[0].startswith("! There is no channel #lounge")
    assert (await console.execute("/help"))[0].startswith("[1]")


async def test_leaving_as_yourself_says_who_you_are_now(console: ConsoleAdapter) -> None:
    out = await console.execute(":leave alice")
    assert out == ["(← alice left the community)", "(you are now bob)"]
    assert console.prompt() == "bob@#general> "


async def test_an_unclosed_quote_in_submit_is_reported(console: ConsoleAdapter) -> None:
    await console.execute("/form")
    out = await console.execute(':submit about="unterminated')
    assert out == ['! A quote is not closed. Add the closing " and try again.']
    out = await console.execute(':submit about="closed at last"')
    assert out[-1].endswith("Agora: thanks: closed at last")


async def test_console_words_are_translated(console: ConsoleAdapter) -> None:
    with using_locale("nb"):
        who = await console.execute(":who")
        assert "  @alice (administrator; roller: admin)" in who
        assert "  @carol (medlem; roller: -)" in who
        await console.execute("hello")
        console.community.post(1).deleted = True
        assert render(console.community, console.community.post(1)) == ["[1 slettet]"]
    with using_locale("uk"):
        await console.execute("/file 3")
        assert console.community.posts[-1].attachments
        assert render(console.community, console.community.posts[-1])[-1] == (
            "     📎 notes.txt (3 байти)"
        )


async def test_names_too_long_for_the_database_are_refused_on_both_backends(db_url: str) -> None:
    config = load_config(None)
    config = config.model_copy(
        update={"storage": config.storage.model_copy(update={"url": db_url})}
    )
    storage = await open_storage(config, create_schema=True)
    app = await build_app(config, clock=FakeClock(), storage=storage, features=[_demo()])
    console = ConsoleAdapter(config.console, out=io.StringIO())
    app.attach(console)
    await app.start()
    try:
        out = await console.execute(":channel " + "c" * 300)
        assert out[0].startswith("! 'ccc") and "at most 50 characters" in out[0]
        out = await console.execute(":join " + "m" * 300)
        assert out[0].startswith("! 'mmm") and "at most 32 characters" in out[0]
        longest = "c" * 50
        assert await console.execute(f":channel {longest}") == [f"(channel #{longest} created)"]
        await console.execute(f":join {'m' * 32}")
        assert (await console.execute(f":in {longest}"))[0] == f"(you are now in #{longest})"
        out = await console.execute("hello from the longest names")
        assert out == [f"[1] #{longest} alice: hello from the longest names"]
        async with app.runtime.storage.unit_of_work() as uow:
            found = await uow.get(Directory).find_channel("console", "local", longest)  # type: ignore[type-abstract]
        assert found is not None
    finally:
        await app.stop()
