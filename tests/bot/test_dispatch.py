"""Dispatch: once per event id, a failing handler is answered politely, the bot goes on."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import delete, func, select

from adapters.memory.community import Community
from bot.args import FlagArg, IntArg, MemberArg
from bot.context import Context, UserError
from bot.model import Level, MemberRecord, MessagePosted
from bot.registry import Feature
from bot.testing import Harness
from storage.schema import activity, workspaces


def _probe() -> tuple[Feature, list[str]]:
    seen: list[str] = []
    feature = Feature("probe")

    @feature.command("boom", help="always fails")
    async def boom(ctx: Context) -> None:
        raise RuntimeError("kaboom")

    @feature.command("count", help="counts", args=[IntArg("n", min=1), FlagArg("twice")])
    async def count(ctx: Context, n: int, twice: bool) -> None:
        seen.append(f"count {n}")
        await ctx.reply(f"counted {n * 2 if twice else n}")

    @feature.command("poke", help="pokes", args=[MemberArg("who")])
    async def poke(ctx: Context, who: MemberRecord) -> None:
        await ctx.reply(f"poked {who.name}")

    @feature.command("secret", help="mods only", level=Level.MODERATOR)
    async def secret(ctx: Context) -> None:
        await ctx.reply("the secret")

    @feature.command("refuse", help="refuses")
    async def refuse(ctx: Context) -> None:
        raise UserError("You cannot do that yet.")

    @feature.on(MessagePosted)
    async def on_message(ctx: Context, event: MessagePosted) -> None:
        seen.append(event.message.text)
        if event.message.text == "explode":
            raise RuntimeError("listener failure")

    return feature, seen


async def _activity_rows(h: Harness) -> int:
    async with h.runtime.storage.connection() as conn:
        return int((await conn.execute(select(func.count()).select_from(activity))).scalar_one())


async def test_a_repeated_event_id_is_processed_once() -> None:
    feature, seen = _probe()
    async with Harness(features=[feature]) as h:
        community: Community = h.community
        event = community.say("carol", "general", "hello")
        assert await h.dispatch(event) is True
        assert await h.dispatch(event) is False
        assert seen == ["hello"]
        assert h.app is not None and h.app.dispatcher.duplicates == 1
        assert await _activity_rows(h) == 1


async def test_failing_command_gets_a_polite_answer_and_the_bot_goes_on() -> None:
    feature, _seen = _probe()
    async with Harness(features=[feature]) as h:
        out = await h.command("carol", "/boom")
        assert len(out) == 1
        assert "error on our side" in out[0].text
        assert "kaboom" not in out[0].text and "Traceback" not in out[0].text
        assert out[0].ephemeral_to == h.ref("carol")
        out = await h.command("carol", "/count 3")
        assert out[-1].text == "counted 3"


async def test_failing_listener_does_not_undo_the_event() -> None:
    feature, seen = _probe()
    async with Harness(features=[feature]) as h:
        await h.say("carol", "explode")
        assert seen == ["explode"]
        assert await _activity_rows(h) == 1  # the event itself still committed
        await h.say("carol", "after")
        assert seen == ["explode", "after"]


async def test_bad_arguments_show_the_usage() -> None:
    feature, _seen = _probe()
    async with Harness(features=[feature]) as h:
        out = await h.command("carol", "/count zero")
        assert "whole number" in out[0].text and "Usage: /count <n>" in out[0].text
        out = await h.command("carol", "/poke @nobody")
        assert "don't know a member called nobody" in out[0].text


async def test_a_switch_given_a_value_is_refused_with_the_usage() -> None:
    feature, seen = _probe()
    async with Harness(features=[feature]) as h:
        out = await h.command("carol", "/count 3 --twice=3")
        assert "--twice is a switch: write it without a value." in out[0].text
        assert "Usage: /count <n> [--twice]" in out[0].text
        assert seen == []
        out = await h.command("carol", "/count 3 --twice")
        assert out[-1].text == "counted 6"


async def test_members_are_resolved_by_name() -> None:
    feature, _seen = _probe()
    async with Harness(features=[feature]) as h:
        out = await h.command("carol", "/poke @Bob")
        assert out[0].text == "poked bob"


async def test_permission_is_checked_before_the_handler() -> None:
    feature, _seen = _probe()
    async with Harness(features=[feature]) as h:
        out = await h.command("carol", "/secret")
        assert "for moderators only" in out[0].text
        out = await h.command("bob", "/secret")
        assert out[0].text == "the secret"
        out = await h.command("alice", "/secret")  # admins may do what moderators may
        assert out[0].text == "the secret"


async def test_user_error_is_a_sentence_to_the_actor() -> None:
    feature, _seen = _probe()
    async with Harness(features=[feature]) as h:
        out = await h.command("carol", "/refuse")
        assert out[0].text == "You cannot do that yet."
        assert out[0].ephemeral_to == h.ref("carol")


async def test_unknown_command() -> None:
    async with Harness() as h:
        out = await h.command("carol", "/frobnicate now")
        assert "There is no command /frobnicate" in out[0].text


async def test_bots_are_ignored() -> None:
    feature, seen = _probe()
    async with Harness(features=[feature]) as h:
        community: Community = h.community
        bot = community.add_member("robot")
        community.members["robot"] = type(bot)(bot.ref, "robot", is_bot=True)
        assert await h.dispatch(community.say("robot", "general", "beep")) is False
        assert seen == []


async def test_help_lists_only_what_the_member_may_use() -> None:
    feature, _seen = _probe()
    async with Harness(features=[feature]) as h:
        carol = (await h.command("carol", "/help"))[0].text
        bob = (await h.command("bob", "/help"))[0].text
        assert "/secret" not in carol and "/count" in carol
        assert "/secret" in bob


async def test_per_member_language_is_used_for_replies() -> None:
    async with Harness() as h:
        await h.command("carol", "/language nb")
        assert h.last(to="carol").text  # chosen and confirmed
        out = await h.command("carol", "/language")
        assert out[0].text.startswith("Språket ditt er norsk bokmål.")


async def test_a_channel_can_have_a_language_of_its_own() -> None:
    config = {"bot": {"channel_languages": {"#LV-talk": "lv"}}}
    async with Harness(config, channels=("general", "lv-talk")) as h:
        out = await h.command("carol", "/nosuchcommand", channel="lv-talk")
        assert "Komandas /nosuchcommand nav" in out[0].text
        out = await h.command("carol", "/nosuchcommand", channel="general")
        assert "There is no command /nosuchcommand" in out[0].text
        await h.command("carol", "/language nb")  # a member's own choice comes first
        out = await h.command("carol", "/nosuchcommand", channel="lv-talk")
        assert "Det finnes ingen kommando /nosuchcommand" in out[0].text


def test_a_channel_language_must_be_supported() -> None:
    from bot.config import BotConfig

    with pytest.raises(ValueError, match="unsupported language"):
        BotConfig(channel_languages={"general": "xx"})


async def test_features_talk_through_signals_in_one_unit_of_work() -> None:
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Thanked:
        who: str

    sender, receiver = Feature("sender"), Feature("receiver")
    heard: list[str] = []

    @sender.command("thank", help="thanks", args=[MemberArg("who")])
    async def thank(ctx: Context, who: MemberRecord) -> None:
        await ctx.emit(Thanked(who.name))
        await ctx.reply("sent")

    @receiver.on(Thanked)
    async def on_thanked(ctx: Context, signal: Thanked) -> None:
        heard.append(signal.who)
        if signal.who == "alice":
            raise RuntimeError("a listener's failure stays its own")

    async with Harness(features=[sender, receiver]) as h:
        await h.command("carol", "/thank @bob")
        assert heard == ["bob"]
        out = await h.command("carol", "/thank @alice")
        assert heard == ["bob", "alice"]
        assert out[-1].text == "sent"


async def test_drain_waits_for_events_in_flight() -> None:
    import asyncio

    gate = asyncio.Event()
    feature = Feature("slow")

    @feature.command("slow", help="waits")
    async def slow(ctx: Context) -> None:
        await gate.wait()
        await ctx.reply("done")

    async with Harness(features=[feature]) as h:
        assert h.app is not None
        dispatcher = h.app.dispatcher
        task = asyncio.create_task(
            dispatcher.handle(h.community.command("carol", "general", "/slow"))
        )
        await asyncio.sleep(0)
        assert await dispatcher.drain(0.05) is False
        gate.set()
        assert await dispatcher.drain(1) is True
        assert await task is True
        assert h.last().text == "done"


# --- group commit (SQLite: one writer, so events that arrive together share a unit) ---


def _count_begins(h: Harness) -> list[str]:
    from sqlalchemy import event as sa_event

    begins: list[str] = []
    engine = h.runtime.storage.engine.sync_engine

    @sa_event.listens_for(engine, "before_cursor_execute")
    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.startswith("BEGIN"):
            begins.append(statement)

    return begins


async def test_events_arriving_together_share_one_unit_of_work() -> None:
    feature, seen = _probe()
    async with Harness(features=[feature]) as h:
        begins = _count_begins(h)
        events = [h.community.say("carol", "general", f"m{i}") for i in range(10)]
        results = await asyncio.gather(*(h.app.dispatcher.handle(e) for e in events))  # type: ignore[union-attr]
        assert results == [True] * 10
        assert seen == [f"m{i}" for i in range(10)]  # in the order they arrived
        assert len(begins) == 1
        assert await _activity_rows(h) == 10


async def test_the_same_event_twice_in_one_batch_is_processed_once() -> None:
    feature, seen = _probe()
    async with Harness(features=[feature]) as h:
        event = h.community.say("carol", "general", "hello")
        results = await asyncio.gather(*(h.app.dispatcher.handle(event) for _ in range(3)))  # type: ignore[union-attr]
        assert sorted(results) == [False, False, True]
        assert seen == ["hello"]
        assert await _activity_rows(h) == 1


async def test_an_event_failing_in_a_batch_is_undone_alone_and_its_retry_is_processed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    feature, seen = _probe()
    async with Harness(features=[feature]) as h:
        assert h.app is not None
        dispatcher = h.app.dispatcher
        original = dispatcher._one
        broken = {"poison"}

        async def flaky(work: object, event: MessagePosted) -> object:
            result = await original(work, event)  # type: ignore[arg-type]
            if event.message.text in broken:
                raise RuntimeError("the directory fell over")  # after its writes
            return result

        monkeypatch.setattr(dispatcher, "_one", flaky)
        events = [h.community.say("carol", "general", t) for t in ("a", "poison", "b")]
        results = await asyncio.gather(*(dispatcher.handle(e) for e in events))
        assert results == [True, False, True]
        assert await _activity_rows(h) == 2  # the poisoned event left nothing behind
        broken.clear()
        assert await dispatcher.handle(events[1]) is True  # the platform's retry
        assert seen == ["a", "poison", "b", "poison"]
        assert await _activity_rows(h) == 3


async def test_hints_name_a_commands_own_form_by_its_verb_where_the_platform_needs_it() -> None:
    from bot.model import EVERY_POWER, Capability

    verbs = EVERY_POWER | {Capability.COMMAND_VERBS}
    async with Harness(capabilities=verbs) as h:
        await h.command("carol", "/leaderboard")
        assert "Thank someone with /kudos give @member!" in h.last().text
        await h.command("carol", "/help")
        assert "/kudos give — " in h.last().text and "/kudos me — " in h.last().text
        await h.command("carol", "/kudos --bogus")
        assert "Usage: /kudos give @member" in h.last().text
    async with Harness() as h:
        await h.command("carol", "/leaderboard")
        assert "Thank someone with /kudos @member!" in h.last().text


async def _workspace_rows(h: Harness) -> list[tuple[str, str]]:
    async with h.runtime.storage.connection() as conn:
        query = select(workspaces.c.platform, workspaces.c.external_id).order_by(workspaces.c.id)
        return [(r.platform, r.external_id) for r in await conn.execute(query)]


async def _forget_workspaces(h: Harness) -> None:
    async with h.runtime.storage.unit_of_work() as uow:
        await uow.conn.execute(delete(workspaces))  # type: ignore[attr-defined]


async def test_a_workspace_is_registered_at_its_first_event_not_at_every_one() -> None:
    async with Harness() as h:
        await _forget_workspaces(h)  # as if the seeding had not told the directory
        await h.say("carol", "hello")
        assert await _workspace_rows(h) == [("memory", "test")]
        await _forget_workspaces(h)
        await h.say("carol", "again")
        await h.command("bob", "/help")
        assert await _workspace_rows(h) == []  # known since the first event: no statement
        slack = await h.add_platform("slack", workspace="T9")
        await _forget_workspaces(h)
        await h.on(slack, slack.say("carol", "general", "hei"))
        assert await _workspace_rows(h) == [("slack", "T9")]


# --- which language: choice → channel → (platform, if allowed) → community ----------------

NB_WITH_LATVIAN_CHANNEL = {"bot": {"language": "nb", "channel_languages": {"lv-talk": "lv"}}}


async def test_an_english_app_does_not_outvote_the_community_or_the_channel() -> None:
    async with Harness(NB_WITH_LATVIAN_CHANNEL, channels=("general", "lv-talk")) as h:
        h.community.add_member("erik", locale="en-US")  # Discord left in English
        out = await h.command("erik", "/nosuchcommand", channel="general")
        assert "Det finnes ingen kommando /nosuchcommand" in out[0].text
        out = await h.command("erik", "/nosuchcommand", channel="lv-talk")
        assert "Komandas /nosuchcommand nav" in out[0].text


async def test_the_platform_language_counts_where_the_community_allows_it() -> None:
    config = {"bot": {**NB_WITH_LATVIAN_CHANNEL["bot"], "use_platform_locale": True}}
    async with Harness(config, channels=("general", "lv-talk")) as h:
        h.community.add_member("oksana", locale="uk")
        out = await h.command("oksana", "/nosuchcommand", channel="general")
        assert "Команди /nosuchcommand немає" in out[0].text
        out = await h.command("oksana", "/nosuchcommand", channel="lv-talk")  # the channel's
        assert "Komandas /nosuchcommand nav" in out[0].text
        h.community.add_member("ann", locale="de-DE")  # not a language Agora speaks
        out = await h.command("ann", "/nosuchcommand", channel="general")
        assert "Det finnes ingen kommando /nosuchcommand" in out[0].text


async def test_language_auto_undoes_a_members_choice() -> None:
    async with Harness(NB_WITH_LATVIAN_CHANNEL, channels=("general", "lv-talk")) as h:
        await h.command("carol", "/language fi")
        out = await h.command("carol", "/nosuchcommand", channel="lv-talk")
        assert "/nosuchcommand" in out[0].text and "Komandas" not in out[0].text
        assert (await h.record("carol")).locale == "fi"
        out = await h.command("carol", "/language auto", channel="lv-talk")
        assert "latviešu" in out[0].text  # says what it speaks there now, in that language
        assert (await h.record("carol")).locale is None
        out = await h.command("carol", "/nosuchcommand", channel="general")
        assert "Det finnes ingen kommando /nosuchcommand" in out[0].text
        out = await h.command("carol", "/language", channel="general")
        assert "norsk bokmål" in out[0].text


async def test_an_unknown_language_is_refused_with_the_choices() -> None:
    async with Harness() as h:
        out = await h.command("carol", "/language klingon")
        assert "I don't speak 'klingon' yet" in out[0].text
        assert "lv (Latvian)" in out[0].text and "auto" in out[0].text
        assert (await h.record("carol")).locale is None
