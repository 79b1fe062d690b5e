"""HTTP mode end to end: signed requests → real bolt AsyncApp → core → fake Web API."""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
from fake_slack import CHANNELS, TEAM, USERS, FakeSlack, load, load_text
from kit_common import SlowCore
from slack_kit import FORM, JSON, Bot, UnhurriedCore, interaction_body, running
from slack_sdk.errors import SlackClientError
from sqlalchemy import func, select

from adapters.slack.adapter import CORE_SLOTS
from bot.model import (
    ButtonPressed,
    CommandInvoked,
    FormSubmitted,
    MemberJoined,
    MessagePosted,
    ReactionChanged,
    Ref,
)
from storage.schema import processed_events


def ref(id: str) -> Ref:
    return Ref("slack", TEAM, id)


async def test_slash_command_is_acked_and_answered_privately(bot: Bot) -> None:
    status, body = await bot.command(load("http/slash_command.json"))
    assert (status, body) == (200, "")
    await bot.settle()

    [command] = bot.recorder.of(CommandInvoked)
    assert command.name == "kudos"
    assert command.actor.ref == ref(USERS["alice"])
    assert {"admin", "owner"} <= command.actor.roles
    assert command.channel.ref == ref(CHANNELS["general"])
    assert command.text == "<@U0003|carol> great first question in #help"
    [(path, reply)] = bot.fake.hooks
    assert path.startswith("commands/T0001/")
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == "Kudos to <@U0003>: great first question in #help"


def sample_form(bot: Bot) -> str:
    """slash_command.txt byte for byte, except that its response_url points at the fake."""
    local = quote(bot.fake.base + "hooks/", safe="")
    return load_text("http/slash_command.txt").replace("https%3A%2F%2Fhooks.slack.com%2F", local)


async def test_the_exact_sample_bytes_are_accepted(bot: Bot) -> None:
    status, _body = await bot.post(sample_form(bot), FORM)
    assert status == 200
    await bot.settle()
    assert len(bot.recorder.of(CommandInvoked)) == 1
    assert len(bot.fake.hooks) == 1


async def test_command_text_with_the_word_payload_reaches_the_core(bot: Bot) -> None:
    fields = load("http/slash_command.json")
    fields["text"] = "<@U0003|carol> thanks for the payload docs"
    status, _body = await bot.command(fields)
    assert status == 200
    await bot.settle()
    [command] = bot.recorder.of(CommandInvoked)
    assert command.text.endswith("thanks for the payload docs")
    assert bot.fake.hooks[-1][1]["text"] == "Kudos to <@U0003>: thanks for the payload docs"


async def test_public_reply_goes_through_chat_post_message(bot: Bot) -> None:
    fields = {**load("http/slash_command.json"), "command": "/hello", "text": ""}
    await bot.command(fields)
    await bot.settle()
    [post] = bot.fake.called("chat.postMessage")
    assert post.args["channel"] == CHANNELS["general"]
    assert post.args["text"] == "Hello, everyone!"
    assert post.token == "xoxb-test-bot"
    assert not bot.fake.hooks


async def test_public_reply_where_the_bot_is_not_falls_back_to_response_url(bot: Bot) -> None:
    bot.fake.fail("chat.postMessage", "not_in_channel")
    await bot.command({**load("http/slash_command.json"), "command": "/hello", "text": ""})
    await bot.settle()
    [(_path, reply)] = bot.fake.hooks
    assert reply["response_type"] == "in_channel"
    assert reply["text"] == "Hello, everyone!"


async def test_a_command_slack_keeps_for_itself_is_typed_with_the_feature_prefix(
    bot: Bot,
) -> None:
    """The kit's /remind is Slack's own command; members type /agora-remind instead."""
    fields = {**load("http/slash_command.json"), "command": "/agora-remind", "text": "tea"}
    assert (await bot.command(fields))[0] == 200
    await bot.settle()
    [command] = bot.recorder.of(CommandInvoked)
    assert command.name == "remind"
    assert bot.fake.hooks[-1][1]["text"] == "I'll remind you: tea"
    await bot.command({**fields, "command": "/help", "text": "", "trigger_id": "t-help"})
    await bot.settle()
    listed = bot.fake.hooks[-1][1]["text"]
    assert "/agora-remind — Remind me" in listed and "/remind" not in listed


async def test_unknown_command_is_answered_by_the_core(bot: Bot) -> None:
    await bot.command({**load("http/slash_command.json"), "command": "/nope", "text": ""})
    await bot.settle()
    [(_path, reply)] = bot.fake.hooks
    assert "/nope" in reply["text"]


async def test_forged_and_stale_requests_get_401_and_reach_nothing(bot: Bot) -> None:
    body = sample_form(bot)
    assert (await bot.post(body, FORM, signature="v0=" + "0" * 64))[0] == 401
    assert (await bot.post(body, FORM, age=301))[0] == 401
    assert (await bot.post("{not json", JSON, signature="v0=" + "1" * 64))[0] == 401
    forged = interaction_body(load("http/block_actions.json"))
    assert (await bot.post(forged, FORM, signature="v0=bad"))[0] == 401
    await bot.settle()
    assert bot.recorder.events == []
    assert bot.app.dispatcher.handled == 0
    assert [c.method for c in bot.fake.calls if c.method != "conversations.list"] == ["auth.test"]


async def test_a_290_second_old_request_is_still_fine(bot: Bot) -> None:
    assert (await bot.post(sample_form(bot), FORM, age=290))[0] == 200


async def test_url_verification_is_answered(bot: Bot) -> None:
    sample = load("http/event_url_verification.json")
    status, body = await bot.event(sample)
    assert status == 200
    assert json.loads(body) == {"challenge": sample["challenge"]}


async def test_each_event_delivered_three_times_is_processed_once(bot: Bot) -> None:
    samples = [
        "http/event_team_join.json",
        "http/event_message.json",
        "http/event_reaction_added.json",
    ]
    for sample in samples:
        payload = load(sample)
        statuses = await asyncio.gather(
            bot.event(payload),
            bot.event(
                payload, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
            ),
            bot.event(
                payload, headers={"X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "http_timeout"}
            ),
        )
        assert [s for s, _ in statuses] == [200, 200, 200]
        await bot.settle()
    assert len(bot.recorder.of(MemberJoined)) == 1
    assert len(bot.recorder.of(MessagePosted)) == 1
    assert len(bot.recorder.of(ReactionChanged)) == 1
    assert bot.app.dispatcher.duplicates == 6
    assert len(bot.fake.called("chat.postMessage")) == 1  # one welcome, not three


async def test_retried_slash_command_runs_once(bot: Bot) -> None:
    fields = load("http/slash_command.json")
    await bot.command(fields)
    await bot.command(fields, headers={"X-Slack-Retry-Num": "1"})
    await bot.settle()
    assert len(bot.recorder.of(CommandInvoked)) == 1
    assert len(bot.fake.hooks) == 1


async def until(condition: Callable[[], bool], limit: float = 5.0) -> None:
    async with asyncio.timeout(limit):
        while not condition():  # noqa: ASYNC110  (changed by other tasks, not signalled)
            await asyncio.sleep(0.01)


async def test_a_core_slower_than_slack_takes_events_in_turn_and_loses_none(bot: Bot) -> None:
    """Events are acked by the deadline even while the core holds them all (and those
    waiting for a slot); nothing is lost when the core catches up."""
    bot.adapter.ack_within = 0.05  # the deadline, shortened: the core never answers in time
    core = SlowCore(bot.app)
    sent = CORE_SLOTS + 20
    for n in range(sent):
        payload = load("http/event_message.json")
        payload["event_id"] = f"EvSlow{n}"
        payload["event"]["ts"] = payload["event"]["event_ts"] = f"1748858800.{n:06d}"
        assert (await bot.event(payload))[0] == 200
    assert not core.release.is_set() and not bot.recorder.of(MessagePosted)
    await until(lambda: core.inside == CORE_SLOTS)
    # A member's command does not queue behind the events.
    assert (await bot.command(load("http/slash_command.json")))[0] == 200
    await until(lambda: bool(bot.recorder.of(CommandInvoked)))
    core.release.set()
    await bot.settle()
    assert core.most <= CORE_SLOTS + 1  # the messages, and the command beside them
    posted = bot.recorder.of(MessagePosted)
    assert len(posted) == len({e.event_id for e in posted}) == sent


async def processed(bot: Bot, key: str) -> bool:
    """Whether the core committed the event (its replay-protection row exists)."""
    async with bot.app.runtime.storage.connection() as conn:
        query = select(func.count()).where(processed_events.c.event_id == key)
        return bool((await conn.execute(query)).scalar_one())


async def test_an_event_is_acked_after_the_core_committed_it(bot: Bot) -> None:
    UnhurriedCore(bot.app, 0.2)
    payload = load("http/event_reaction_added.json")
    assert (await bot.event(payload))[0] == 200
    assert await processed(bot, f"slack:{TEAM}:ev:{payload['event_id']}")
    assert len(bot.recorder.of(ReactionChanged)) == 1
    # Commands are still acked at once: the member's answer goes by response_url.
    assert (await bot.command(load("http/slash_command.json")))[0] == 200
    assert not bot.recorder.of(CommandInvoked)
    await bot.settle()
    assert len(bot.recorder.of(CommandInvoked)) == 1


async def test_team_join_welcomes_with_a_button(bot: Bot) -> None:
    await bot.event(load("http/event_team_join.json"))
    await bot.settle()
    [joined] = bot.recorder.of(MemberJoined)
    assert joined.member.ref == ref(USERS["carol"])
    assert joined.member.display_name == "carol"
    [welcome] = bot.fake.called("chat.postMessage")
    assert welcome.args["channel"] == CHANNELS["general"]
    [section, actions] = welcome.args["blocks"]
    assert section["text"]["text"].startswith("Welcome <@U0003>!")
    assert actions["elements"][0]["action_id"] == "agora:onboarding:start"


async def test_button_press_reaches_the_core_and_opens_the_form(bot: Bot) -> None:
    sample = load("http/block_actions.json")
    status, _body = await bot.interaction(sample)
    assert status == 200
    await bot.settle()
    [pressed] = bot.recorder.of(ButtonPressed)
    assert pressed.action_id == "agora:onboarding:start"
    assert pressed.value == "start"
    assert pressed.values == ("start",)
    assert pressed.message == ref(f"{CHANNELS['general']}/1748858465.000100")
    assert pressed.actor.ref == ref(USERS["carol"])
    [opened] = bot.fake.called("views.open")
    assert opened.args["trigger_id"] == sample["trigger_id"]
    view = opened.args["view"]
    assert view["callback_id"] == "agora:onboarding:intro"
    metadata = json.loads(view["private_metadata"])
    assert metadata == {"agora": 1, "context": "onboarding-42", "channel": CHANNELS["general"]}
    assert [b["block_id"] for b in view["blocks"]] == ["intro", "interests"]


async def test_form_submission_round_trips_its_context(bot: Bot) -> None:
    await bot.interaction(load("http/block_actions.json"))
    await bot.settle()
    view = bot.fake.called("views.open")[0].args["view"]
    submission = load("http/view_submission.json")
    submission["view"]["private_metadata"] = view["private_metadata"]
    status, body = await bot.interaction(submission)
    assert (status, body) == (200, "")
    await bot.settle()
    [form] = bot.recorder.of(FormSubmitted)
    assert form.form_id == "agora:onboarding:intro"
    assert form.context == "onboarding-42"
    assert form.values == {
        "intro": "Hi, I'm Carol. I write Python and want to help with the docs.",
        "interests": "python, documentation",
    }
    assert form.channel is not None and form.channel.ref == ref(CHANNELS["general"])
    [thanks] = bot.fake.called("chat.postEphemeral")
    assert thanks.args["user"] == USERS["carol"]
    assert thanks.args["channel"] == CHANNELS["general"]


async def test_foreign_private_metadata_is_the_context(bot: Bot) -> None:
    sample = load("http/view_submission.json")
    await bot.interaction(sample)
    await bot.settle()
    [form] = bot.recorder.of(FormSubmitted)
    assert form.context == sample["view"]["private_metadata"]
    assert form.channel is None
    # No channel to answer in: the thanks arrive as a DM.
    [dm] = bot.fake.called("chat.postMessage")
    assert dm.args["channel"] == CHANNELS["dm_with_carol"]


async def test_message_reaction_and_mention_reach_the_core(bot: Bot) -> None:
    for sample in (
        "http/event_message.json",
        "http/event_app_mention.json",
        "http/event_reaction_added.json",
        "http/event_reaction_removed.json",
    ):
        assert (await bot.event(load(sample)))[0] == 200
    await bot.settle()
    [question, mention] = bot.recorder.of(MessagePosted)
    assert question.message.ref == ref(f"{CHANNELS['help']}/1748858700.000200")
    assert question.message.channel.name == "help"
    assert question.message.mentions == (ref(USERS["bob"]),)
    assert mention.message.mentions == (ref(USERS["agora_bot"]),)
    added, removed = bot.recorder.of(ReactionChanged)
    assert (added.emoji, added.added, removed.added) == ("✅", True, False)
    assert added.message == question.message.ref
    assert added.message_author == ref(USERS["carol"])
    assert added.actor.roles == frozenset({"moderators"})
    assert added.actor.locale == "nb-NO"


async def test_an_app_mention_of_a_message_already_seen_is_not_a_second_message(bot: Bot) -> None:
    message = load("http/event_message.json")
    mention = load("http/event_app_mention.json")
    mention["event"]["ts"] = message["event"]["ts"]
    await bot.event(message)
    await bot.event(mention)
    await bot.settle()
    assert len(bot.recorder.of(MessagePosted)) == 1


async def test_ephemeral_reply_without_response_url_uses_post_ephemeral(bot: Bot) -> None:
    payload = load("http/event_message.json")
    payload["event"]["text"] = "a whisper for the bot"
    await bot.event(payload)
    await bot.settle()
    [whisper] = bot.fake.called("chat.postEphemeral")
    assert whisper.args["channel"] == CHANNELS["help"]
    assert whisper.args["user"] == USERS["carol"]


async def test_bot_messages_edits_and_other_subtypes_are_ignored(bot: Bot) -> None:
    for change in (
        {"subtype": "message_changed"},
        {"subtype": "channel_join"},
        {"bot_id": "B0002"},
        {"subtype": "bot_message", "bot_id": "B0002"},
    ):
        payload = load("http/event_message.json")
        payload["event"].update(change)
        payload["event_id"] += change.get("subtype", "bot")
        payload["event"]["ts"] = "1748858701.000200"
        assert (await bot.event(payload))[0] == 200
    await bot.settle()
    assert bot.recorder.of(MessagePosted) == []


async def test_thread_reply_is_answered_in_the_thread(bot: Bot) -> None:
    payload = load("http/event_message.json")
    payload["event"].update(ts="1748858800.000300", thread_ts="1748858700.000200", text="whisper")
    await bot.event(payload)
    await bot.settle()
    [message] = bot.recorder.of(MessagePosted)
    assert message.message.thread_of == ref(f"{CHANNELS['help']}/1748858700.000200")
    assert message.message.channel.kind == "thread"
    assert message.message.channel.parent == ref(CHANNELS["help"])
    [whisper] = bot.fake.called("chat.postEphemeral")
    assert whisper.args["thread_ts"] == "1748858700.000200"
    assert whisper.args["channel"] == CHANNELS["help"]


async def test_malformed_signed_payloads_are_acked_and_harmless(bot: Bot) -> None:
    message = load("http/event_message.json")
    del message["event"]["user"]
    no_event = {k: v for k, v in load("http/event_message.json").items() if k != "event"}
    odd_event = {**load("http/event_reaction_added.json"), "event": {"type": "reaction_added"}}
    unknown_event = load("http/event_message.json")
    unknown_event["event"] = {"type": "pin_added", "user": "U0001"}
    no_actions = load("http/block_actions.json")
    del no_actions["actions"]
    no_user = load("http/view_submission.json")
    del no_user["user"]
    command = {k: v for k, v in load("http/slash_command.json").items() if k != "user_id"}
    for status, _body in [
        await bot.event(message),
        await bot.event(no_event),
        await bot.event(odd_event),
        await bot.event(unknown_event),
        await bot.event({"type": "event_callback"}),
        await bot.event({}),
        await bot.interaction(no_actions),
        await bot.interaction(no_user),
        await bot.interaction({"type": "shortcut", "callback_id": "x"}),
        await bot.command(command),
        await bot.post("{not json", JSON),
        await bot.post("payload=%7Bbroken", FORM),
    ]:
        assert status == 200
    await bot.settle()
    assert bot.recorder.events == []
    # … and the adapter still works.
    await bot.command(load("http/slash_command.json"))
    await bot.settle()
    assert len(bot.recorder.of(CommandInvoked)) == 1


def shapes_bolt_chokes_on() -> list[tuple[str, dict[str, Any]]]:
    """Signed but malformed so that bolt's own middleware raised (HTTP 500) before."""
    view_text = load("http/view_submission.json")
    view_text["view"] = "not a view"
    actions_number = load("http/block_actions.json")
    actions_number["actions"] = 3
    no_action_id = load("http/block_actions.json")
    del no_action_id["actions"][0]["action_id"]
    actions_text = load("http/block_actions.json")
    actions_text["actions"] = ["x"]
    callback_number = load("http/view_submission.json")
    callback_number["view"]["callback_id"] = 5
    event_list = load("http/event_message.json")
    event_list["event"] = [1, 2]
    event_text = load("http/event_message.json")
    event_text["event"] = "message"
    team_number = load("http/event_message.json")
    team_number["team_id"] = 5
    user_text = load("http/block_actions.json")
    user_text["user"] = "U0003"
    return [
        ("interaction", view_text),
        ("interaction", actions_number),
        ("interaction", no_action_id),
        ("interaction", actions_text),
        ("interaction", callback_number),
        ("event", event_list),
        ("event", event_text),
        ("event", team_number),
        ("interaction", user_text),
    ]


async def test_signed_requests_bolt_cannot_digest_are_acked_not_500(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    for kind, payload in shapes_bolt_chokes_on():
        status, _body = await getattr(bot, kind)(payload)
        assert status == 200, (kind, payload)
        forged = await getattr(bot, kind)(payload, signature="v0=" + "0" * 64)
        assert forged[0] == 401
    await bot.settle()
    assert bot.recorder.events == []
    assert any("acknowledged and dropped" in r.getMessage() for r in caplog.records)
    # … and the adapter still works.
    await bot.command(load("http/slash_command.json"))
    await bot.settle()
    assert len(bot.recorder.of(CommandInvoked)) == 1


ODD_VALUES: list[Any] = [None, 0, 7, "", "x", [], [1, "a"], {}, {"id": 3}, True]


def damaged(payload: Any, rnd: random.Random, depth: int = 0) -> Any:
    """`payload` with fields dropped or replaced by odd values, at any depth."""
    if isinstance(payload, list) and depth < 5:
        return [damaged(item, rnd, depth + 1) for item in payload]
    if not isinstance(payload, dict) or depth >= 5:
        return payload
    result: dict[str, Any] = {}
    for key, value in payload.items():
        roll = rnd.random()
        if roll < 0.1:
            continue
        result[key] = rnd.choice(ODD_VALUES) if roll < 0.25 else damaged(value, rnd, depth + 1)
    return result


async def test_any_damaged_signed_payload_is_answered_200(bot: Bot) -> None:
    """A seeded fuzz: whatever shape a signed request has, Slack gets 200, never a 500."""
    rnd = random.Random(12)
    samples = [
        ("event", "http/event_message.json"),
        ("event", "http/event_reaction_added.json"),
        ("event", "http/event_team_join.json"),
        ("event", "http/event_member_joined_channel.json"),
        ("interaction", "http/block_actions.json"),
        ("interaction", "http/view_submission.json"),
    ]
    for round_ in range(60):
        kind, sample = samples[round_ % len(samples)]
        payload = damaged(load(sample), rnd)
        if kind == "event":
            payload["event_id"] = f"EvFuzz{round_}"
        status, _body = await getattr(bot, kind)(payload)
        assert status == 200, payload
    await bot.settle()
    await bot.command(load("http/slash_command.json"))
    await bot.settle()
    assert len(bot.recorder.of(CommandInvoked)) == 1


async def test_a_slack_outage_inside_bolt_keeps_the_500_so_slack_retries(
    fake: FakeSlack,
) -> None:
    """A network failure while bolt talks to Slack (auth.test, say) is not the
    request's fault: Slack must deliver it again."""
    async with running(fake) as bot:

        async def slack_unreachable(next: Callable[[], Any]) -> None:
            raise SlackClientError("Slack is down")

        bot.adapter.bolt.use(slack_unreachable)
        status, _body = await bot.command(load("http/slash_command.json"))
        assert status == 500
        await bot.settle()
        assert bot.recorder.events == []


async def test_app_home_shows_the_member_and_their_commands(bot: Bot) -> None:
    payload = load("http/event_message.json")
    payload["event_id"] = "Ev0100"
    payload["event"] = {
        "type": "app_home_opened",
        "user": USERS["bob"],
        "channel": "D0002",
        "tab": "home",
        "event_ts": "1748858800.000100",
    }
    assert (await bot.event(payload))[0] == 200
    await bot.settle()
    [published] = bot.fake.called("views.publish")
    assert published.args["user_id"] == USERS["bob"]
    view = published.args["view"]
    assert view["type"] == "home"
    text = json.dumps(view, ensure_ascii=False)
    # bob's Slack says nb-NO, but platform languages are off ([bot] use_platform_locale).
    assert "English" in text and "Norsk" not in text
    assert "/kudos" in text and "/help" in text
    assert "You received 3 kudos this month." in text


async def test_join_channels_turn_channel_joins_into_community_joins(fake: FakeSlack) -> None:
    async with running(fake, join_channels=[CHANNELS["general"]]) as bot:
        await bot.event(load("http/event_member_joined_channel.json"))
        left = load("http/event_member_joined_channel.json")
        left["event"]["type"] = "member_left_channel"
        left["event_id"] = "Ev0099"
        await bot.event(left)
        await bot.settle()
        assert [type(e).__name__ for e in bot.recorder.events] == ["MemberJoined", "MemberLeft"]


async def test_channel_joins_elsewhere_are_not_community_joins(bot: Bot) -> None:
    await bot.event(load("http/event_member_joined_channel.json"))
    await bot.settle()
    assert bot.recorder.events == []


async def test_deactivated_user_leaves(bot: Bot) -> None:
    payload = load("http/event_team_join.json")
    payload["event"]["type"] = "user_change"
    payload["event"]["user"]["deleted"] = True
    payload["event_id"] = "Ev0200"
    await bot.event(payload)
    await bot.settle()
    [left] = bot.recorder.events
    assert type(left).__name__ == "MemberLeft"


async def test_connected_while_the_endpoint_listens(fake: FakeSlack) -> None:
    async with running(fake) as started:
        assert started.adapter.connected
        await started.adapter.stop()
        assert not started.adapter.connected
