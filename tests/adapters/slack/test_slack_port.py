"""SlackPort against the fake Web API: where messages go, what Slack cannot do."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from fake_slack import CHANNELS, TEAM, USERS, FakeSlack, load
from slack_kit import ENV, GENERAL, INTRO, Bot, running

from adapters.slack.pacing import ChannelPacer
from adapters.slack.refs import ReplyToken
from adapters.slack.translate import OPEN_FORM_ACTION
from bot.model import Capability, FormSubmitted, Image, Outgoing, Ref, Section, TimeStyle
from bot.ports import CapabilityMissing, ChatPort, Parcel, PlatformRefused


def ref(id: str) -> Ref:
    return Ref("slack", TEAM, id)


CAROL = ref(USERS["carol"])
QUESTION = ref(f"{CHANNELS['help']}/1748858700.000200")
# When the outbox wrote the messages below: before the fake's first post (1748859001).
WRITTEN = datetime(2025, 6, 2, 10, 0, tzinfo=UTC)


async def test_the_port_is_a_chat_port_with_honest_capabilities(bot: Bot) -> None:
    port = bot.adapter.port
    assert isinstance(port, ChatPort)
    assert bot.app.runtime.port("slack") is port
    assert Capability.FORMS in port.capabilities and Capability.EPHEMERAL in port.capabilities
    for missing in (Capability.ROLES, Capability.KICK, Capability.BAN, Capability.TIMEOUT):
        assert missing not in port.capabilities
    assert Capability.REMOVE_REACTIONS not in port.capabilities
    assert Capability.DELETE_MESSAGES in port.capabilities  # the admin token is set


async def test_pin_uses_pins_add_and_refusals_name_the_fix(bot: Bot) -> None:
    port = bot.adapter.port
    assert Capability.PIN in port.capabilities
    await port.pin(QUESTION)
    [call] = bot.fake.called("pins.add")
    assert (call.args["channel"], call.args["timestamp"]) == ("C0002", "1748858700.000200")
    bot.fake.fail("pins.add", "already_pinned")
    await port.pin(QUESTION)  # pinned already: nothing to do
    bot.fake.fail("pins.add", "missing_scope")
    with pytest.raises(PlatformRefused, match=r"pins\.add"):
        await port.pin(QUESTION)


async def test_timestamps_are_slack_date_markup_with_a_fallback_in_the_zone(bot: Bot) -> None:
    port = bot.adapter.port
    at = datetime(2026, 12, 5, 17, 0, tzinfo=UTC)
    full = port.timestamp(at, TimeStyle.FULL, "Europe/Oslo")
    assert full == "<!date^1796490000^{date_long_pretty} {time}|Sat, December 5, 2026 18:00 CET>"
    short = port.timestamp(at, TimeStyle.SHORT, "America/New_York")
    assert short == "<!date^1796490000^{date_short_pretty} {time}|Dec 5, 2026 12:00 EST>"
    assert port.timestamp(at, TimeStyle.RELATIVE, "UTC").startswith("<!date^1796490000^{ago}|")
    posted = await port.send(Outgoing(f"Starts {full} & ends later", channel=GENERAL))
    assert posted is not None
    text = bot.fake.called("chat.postMessage")[-1].args["text"]
    assert text == f"Starts {full} &amp; ends later"  # the markup survives escaping


async def test_dm_opens_the_conversation_once(bot: Bot) -> None:
    port = bot.adapter.port
    first = await port.send(Outgoing("hello", dm=CAROL))
    await port.send(Outgoing("again", dm=CAROL))
    assert first.id.startswith(CHANNELS["dm_with_carol"] + "/")
    assert len(bot.fake.called("conversations.open")) == 1
    assert [c.args["channel"] for c in bot.fake.called("chat.postMessage")] == ["D0001", "D0001"]


async def test_thread_replies_carry_thread_ts(bot: Bot) -> None:
    port = bot.adapter.port
    thread = await port.create_thread(QUESTION, "Dev environment setup")
    assert thread == QUESTION
    await port.send(Outgoing("in the thread", channel=thread))
    await port.send(Outgoing("also", channel=ref(CHANNELS["help"]), thread_of=QUESTION))
    posts = bot.fake.called("chat.postMessage")
    assert [(p.args["channel"], p.args["thread_ts"]) for p in posts] == [
        ("C0002", "1748858700.000200"),
        ("C0002", "1748858700.000200"),
    ]


async def test_an_outbox_message_a_stopped_run_posted_is_not_posted_again(bot: Bot) -> None:
    port, fake = bot.adapter.port, bot.fake
    posted = Parcel(7, Outgoing("welcome", channel=GENERAL), WRITTEN)
    waiting = Parcel(8, Outgoing("and this", channel=GENERAL), WRITTEN)
    first = await port.send(posted.out, posted.once)
    [call] = fake.called("chat.postMessage")
    assert call.args["metadata"] == {
        "event_type": "agora_delivery",
        "event_payload": {"key": posted.once.key},
    }
    assert not fake.called("conversations.history")  # a first delivery looks for nothing
    # The restart hands both over: the one posted is found, the other posted now.
    assert await port.send(posted.out, replace(posted, resumed=True).once) == first
    await port.send(waiting.out, replace(waiting, resumed=True).once)
    assert [c.args["text"] for c in fake.called("chat.postMessage")] == ["welcome", "and this"]
    [history] = fake.called("conversations.history")  # one read for the conversation
    assert history.args["channel"] == GENERAL.id
    assert float(history.args["oldest"]) < WRITTEN.timestamp()


async def test_handed_over_thread_replies_and_dms_are_looked_for_where_they_went(
    bot: Bot,
) -> None:
    port, fake = bot.adapter.port, bot.fake
    reply = Parcel(9, Outgoing("in the thread", channel=QUESTION), WRITTEN)
    dm = Parcel(10, Outgoing("hello", dm=CAROL), WRITTEN)
    for parcel in (reply, dm):
        await port.send(parcel.out, parcel.once)
        await port.send(parcel.out, replace(parcel, resumed=True).once)
    assert len(fake.called("chat.postMessage")) == 2
    [replies] = fake.called("conversations.replies")
    assert replies.args["ts"] == "1748858700.000200"
    [history] = fake.called("conversations.history")
    assert history.args["channel"] == "D0001"


async def test_a_busy_conversation_is_read_page_by_page(bot: Bot) -> None:
    port, fake = bot.adapter.port, bot.fake
    parcel = Parcel(11, Outgoing("welcome", channel=GENERAL), WRITTEN)
    await port.send(parcel.out, parcel.once)
    chatter = [{"ts": f"1748859{n:03d}.500000", "text": "chat"} for n in range(1, 451)]
    fake.posted[GENERAL.id].extend(chatter)  # members talked on before the crash
    await port.send(parcel.out, replace(parcel, resumed=True).once)
    assert len(fake.called("chat.postMessage")) == 1
    assert len(fake.called("conversations.history")) == 3  # 200, 200, then the 51 left


async def test_without_the_history_scope_a_handed_over_message_is_posted(bot: Bot) -> None:
    port, fake = bot.adapter.port, bot.fake
    parcel = Parcel(12, Outgoing("welcome", channel=GENERAL), WRITTEN)
    await port.send(parcel.out, parcel.once)
    fake.fail("conversations.history", "missing_scope")
    await port.send(parcel.out, replace(parcel, resumed=True).once)
    assert len(fake.called("chat.postMessage")) == 2  # at least once, as without the key


async def test_edit_updates_and_clears_blocks(bot: Bot) -> None:
    port = bot.adapter.port
    posted = await port.send(Outgoing("poll", (Section("*Poll*"),), channel=GENERAL))
    await port.edit(posted, Outgoing("poll closed"))
    [update] = bot.fake.called("chat.update")
    assert update.args["ts"] == posted.id.split("/")[1]
    assert update.args["text"] == "poll closed"
    assert update.args["blocks"] == []


async def test_ephemeral_messages_cannot_be_changed(bot: Bot) -> None:
    port = bot.adapter.port
    whisper = await port.send(Outgoing("psst", channel=GENERAL, ephemeral_to=CAROL))
    with pytest.raises(PlatformRefused):
        await port.edit(whisper, Outgoing("changed"))
    with pytest.raises(PlatformRefused):
        await port.delete(whisper)
    assert port.message_link(whisper) == "https://agora-test.slack.com/archives/C0001"


async def test_delete_uses_the_admin_token_for_other_peoples_messages(bot: Bot) -> None:
    bot.fake.fail(
        "chat.delete", lambda call: "cant_delete_message" if call.token.startswith("xoxb") else None
    )
    await bot.adapter.port.delete(QUESTION)
    assert [c.token for c in bot.fake.called("chat.delete")] == ["xoxb-test-bot", "xoxp-test-admin"]


async def test_without_an_admin_token_deleting_others_is_a_missing_capability(
    fake: FakeSlack,
) -> None:
    env = {k: v for k, v in ENV.items() if k != "SLACK_ADMIN_TOKEN"}
    async with running(fake, env=env) as bot:
        port = bot.adapter.port
        assert Capability.DELETE_MESSAGES not in port.capabilities
        own = await port.send(Outgoing("mine", channel=GENERAL))
        await port.delete(own)  # the bot's own message: fine
        fake.fail("chat.delete", "cant_delete_message")
        with pytest.raises(CapabilityMissing):
            await port.delete(QUESTION)


async def test_slack_errors_become_platform_refused_with_a_hint(bot: Bot) -> None:
    bot.fake.fail("chat.postMessage", "not_in_channel")
    with pytest.raises(PlatformRefused, match="/invite"):
        await bot.adapter.port.send(Outgoing("hi", channel=ref(CHANNELS["mod-queue"])))


async def test_ephemeral_where_the_bot_is_not_becomes_a_dm(bot: Bot) -> None:
    bot.fake.fail("chat.postEphemeral", "channel_not_found")
    await bot.adapter.port.send(Outgoing("psst", channel=ref("C0999"), ephemeral_to=CAROL))
    [dm] = bot.fake.called("chat.postMessage")
    assert dm.args["channel"] == CHANNELS["dm_with_carol"]


async def test_images_as_bytes_are_uploaded_next_to_the_message(bot: Bot) -> None:
    chart = Image("Weekly activity", data=b"\x89PNG fake", filename="activity.png")
    await bot.adapter.port.send(Outgoing("This week", (chart,), channel=GENERAL))
    [post] = bot.fake.called("chat.postMessage")
    assert post.args["blocks"][0]["text"]["text"] == "This week"
    [url] = bot.fake.called("files.getUploadURLExternal")
    assert url.args["filename"] == "activity.png"
    assert bot.fake.uploads == [b"\x89PNG fake"]
    [done] = bot.fake.called("files.completeUploadExternal")
    assert done.args["channel_id"] == CHANNELS["general"]
    assert done.args["files"][0]["title"] == "Weekly activity"


async def test_a_failed_upload_leaves_a_note(bot: Bot) -> None:
    bot.fake.fail("files.getUploadURLExternal", "missing_scope")
    chart = Image("Weekly activity", data=b"png", filename="activity.png")
    await bot.adapter.port.send(Outgoing("This week", (chart,), channel=GENERAL))
    _welcome, note = bot.fake.called("chat.postMessage")
    assert "Weekly activity" in note.args["text"] and "missing_scope" in note.args["text"]


async def test_images_in_ephemeral_replies_go_to_the_members_dm(bot: Bot) -> None:
    """Slack shows no file in a message only one member sees: the chart goes to their DM."""
    chart = Image("Your stats", data=b"\x89PNG chart", filename="stats.png")
    await bot.adapter.port.send(Outgoing("Stats", (chart,), channel=GENERAL, ephemeral_to=CAROL))
    [whisper] = bot.fake.called("chat.postEphemeral")
    note = json.dumps(whisper.args["blocks"], ensure_ascii=False)
    assert "Your stats is in your direct messages with me" in note
    [url] = bot.fake.called("files.getUploadURLExternal")
    assert url.args["filename"] == "stats.png"
    assert bot.fake.uploads == [b"\x89PNG chart"]
    [done] = bot.fake.called("files.completeUploadExternal")
    assert done.args["channel_id"] == CHANNELS["dm_with_carol"]


async def test_an_ephemeral_reply_stays_when_its_dm_cannot_be_opened(bot: Bot) -> None:
    bot.fake.fail("conversations.open", "cannot_dm_bot")
    chart = Image("Your stats", data=b"png", filename="stats.png")
    sent = await bot.adapter.port.send(
        Outgoing("Stats", (chart,), channel=GENERAL, ephemeral_to=CAROL)
    )
    assert sent is not None and len(bot.fake.called("chat.postEphemeral")) == 1
    assert bot.fake.called("files.getUploadURLExternal") == []


async def test_form_without_a_trigger_is_offered_as_a_button(bot: Bot) -> None:
    port = bot.adapter.port
    await port.open_form(CAROL, INTRO, None)
    assert bot.fake.called("views.open") == []
    [offer] = bot.fake.called("chat.postMessage")
    assert offer.args["channel"] == CHANNELS["dm_with_carol"]
    button = offer.args["blocks"][-1]["elements"][0]
    assert button["action_id"] == OPEN_FORM_ACTION

    click = load("http/block_actions.json")
    click["actions"] = [{"action_id": OPEN_FORM_ACTION, "type": "button", "value": button["value"]}]
    click["trigger_id"] = "fresh-trigger"
    await bot.interaction(click)
    await bot.settle()
    [opened] = bot.fake.called("views.open")
    assert opened.args["trigger_id"] == "fresh-trigger"
    assert opened.args["view"]["callback_id"] == INTRO.form_id
    assert bot.recorder.events == []  # the adapter's own button never reaches the core

    # A second click: that form was used, so the member is told to start again.
    await bot.interaction(click)
    await bot.settle()
    [(_path, note)] = bot.fake.hooks
    assert "expired" in note["text"]


async def test_expired_trigger_falls_back_to_the_button(bot: Bot) -> None:
    bot.fake.fail("views.open", "expired_trigger_id")
    token = ReplyToken("old-trigger", None, CHANNELS["general"]).encode()
    await bot.adapter.port.open_form(CAROL, INTRO, token)
    [offer] = bot.fake.called("chat.postEphemeral")
    assert offer.args["channel"] == CHANNELS["general"]
    assert offer.args["user"] == USERS["carol"]


async def test_form_answers_come_back_from_the_offered_form(bot: Bot) -> None:
    await bot.command({**load("http/slash_command.json"), "command": "/intro", "text": ""})
    await bot.settle()
    [opened] = bot.fake.called("views.open")
    submission = load("http/view_submission.json")
    submission["view"]["private_metadata"] = opened.args["view"]["private_metadata"]
    await bot.interaction(submission)
    await bot.settle()
    [answer] = bot.recorder.of(FormSubmitted)
    assert answer.context == "onboarding-42"


async def test_reactions_only_the_bots_own_can_be_removed(bot: Bot) -> None:
    port = bot.adapter.port
    await port.remove_reaction(QUESTION, "✅", ref(USERS["agora_bot"]))
    [removed] = bot.fake.called("reactions.remove")
    assert removed.args == {
        "channel": "C0002",
        "timestamp": "1748858700.000200",
        "name": "white_check_mark",
    }
    with pytest.raises(CapabilityMissing):
        await port.remove_reaction(QUESTION, "✅", CAROL)


async def test_what_slack_does_not_have(bot: Bot) -> None:
    port = bot.adapter.port
    for attempt in (
        port.add_role(CAROL, "newcomer"),
        port.remove_role(CAROL, "newcomer"),
        port.timeout(CAROL, datetime(2030, 1, 1, tzinfo=UTC), "spam"),
        port.kick(CAROL, "spam"),
        port.ban(CAROL, "spam"),
    ):
        with pytest.raises(CapabilityMissing):
            await attempt


async def test_links_and_mentions(bot: Bot) -> None:
    port = bot.adapter.port
    assert (
        port.message_link(QUESTION)
        == "https://agora-test.slack.com/archives/C0002/p1748858700000200"
    )
    assert port.mention(CAROL) == "<@U0003>"
    assert port.channel_mention(QUESTION) == "<#C0002>"
    assert port.channel_mention(ref("C0001")) == "<#C0001>"


async def test_channels_are_known_to_the_directory_at_start(bot: Bot) -> None:
    from bot.ports import Directory

    async with bot.app.runtime.storage.unit_of_work() as uow:
        directory = uow.get(Directory)  # type: ignore[type-abstract]
        assert await directory.find_channel("slack", TEAM, "mod-queue") == ref(
            CHANNELS["mod-queue"]
        )


async def test_posts_to_one_channel_wait_their_turn_and_other_channels_do_not(
    fake: FakeSlack,
) -> None:
    """`[slack] post_interval` paces chat.postMessage per channel, on the real port."""
    async with running(fake, post_interval=1.0) as bot:
        port = bot.adapter.port
        assert port.pacer.interval == 1.0
        waits: list[float] = []
        turn = asyncio.Event()

        async def sleep(seconds: float) -> None:
            waits.append(seconds)
            await turn.wait()

        # A frozen clock: every second post to a channel has the whole interval to wait.
        port.pacer = ChannelPacer(1.0, clock=lambda: 100.0, sleep=sleep)
        help_channel = ref(CHANNELS["help"])
        await port.send(Outgoing("one", channel=GENERAL))
        second = asyncio.create_task(port.send(Outgoing("two", channel=GENERAL)))
        async with asyncio.timeout(5):
            while not waits:  # noqa: ASYNC110  (set by the port's task, not signalled)
                await asyncio.sleep(0.01)
        await port.send(Outgoing("three", channel=help_channel))
        texts = [c.args["text"] for c in fake.called("chat.postMessage")]
        assert texts == ["one", "three"]  # #help went ahead; #general's second post waits
        assert waits == [1.0]
        turn.set()
        await second
        texts = [c.args["text"] for c in fake.called("chat.postMessage")]
        assert texts == ["one", "three", "two"]
