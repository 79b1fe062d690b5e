"""Gateway events through the real discord.py client into the core, end to end."""

from __future__ import annotations

import logging

from discord_kit import GUILD, Bot, make_feature, running
from fake_discord import IDS, FakeDiscord, eventually, frame
from kit_common import Recorder, SlowCore

from adapters.discord.adapter import CORE_SLOTS
from bot.model import (
    ChannelKind,
    CommandInvoked,
    MemberJoined,
    MemberLeft,
    MessagePosted,
    ReactionChanged,
    Ref,
    RoleChanged,
)

USERS = IDS["users"]
CHANNELS = IDS["channels"]
QUESTION = IDS["messages"]["question (carol, #help)"]
THREAD = CHANNELS["thread 'Dev environment setup' (in #help)"]


def ref(id: str) -> Ref:
    return Ref("discord", GUILD, id)


async def test_login_identifies_with_the_configured_intents_and_gateway(bot: Bot) -> None:
    fake = bot.fake
    assert [c.path for c in fake.calls[:2]] == ["/users/@me", "/oauth2/applications/@me"]
    identify = fake.identifies[0]["d"]
    intents = identify["intents"]
    assert intents & (1 << 1), "GUILD_MEMBERS"
    assert intents & (1 << 15), "MESSAGE_CONTENT (the feature reads text)"
    assert intents & (1 << 10), "GUILD_MESSAGE_REACTIONS"
    assert not intents & (1 << 8), "no presences"
    assert fake.gateway_queries[0]["v"] == "10"
    assert identify["token"] == "fake-bot-token"


async def test_privileged_intents_only_when_a_feature_needs_them(fake: FakeDiscord) -> None:
    modest = make_feature(Recorder(), needs=frozenset())
    async with running(fake, features=[modest]):
        intents = fake.identifies[-1]["d"]["intents"]
        assert not intents & (1 << 1), "no GUILD_MEMBERS"
        assert not intents & (1 << 15), "no MESSAGE_CONTENT"
        assert not intents & (1 << 10), "no reactions"
        assert intents & (1 << 9), "GUILD_MESSAGES always"
    async with running(fake, features=[modest], message_content=True):
        assert fake.identifies[-1]["d"]["intents"] & (1 << 15), "the explicit setting wins"


async def test_member_join_reaches_the_core_and_the_welcome_is_posted(bot: Bot) -> None:
    await bot.fake.send(frame("guild_member_add"))
    posts = await bot.fake.wait_for("POST", rf"/channels/{CHANNELS['general']}/messages")
    await bot.settle()
    [joined] = bot.recorder.of(MemberJoined)
    assert joined.member.ref == ref(USERS["carol"])
    assert joined.member.name == "carol" and joined.member.display_name == "Carol"
    assert joined.member.roles == frozenset()
    body = posts[0].body
    assert f"<@{USERS['carol']}>" in body["content"]
    button = body["components"][0]["components"][0]
    assert button["custom_id"] == "agora:onboarding:start" and button["label"] == "Get started"
    assert body["allowed_mentions"]["parse"] == ["users"]


async def test_a_role_given_becomes_role_changed_with_the_role_name(bot: Bot) -> None:
    await bot.fake.send(frame("guild_member_add"))
    await bot.fake.send(frame("guild_member_update"))
    await bot.until(lambda: bool(bot.recorder.of(RoleChanged)))
    [change] = bot.recorder.of(RoleChanged)
    assert change.role == "Newcomer" and change.added
    assert change.member.roles == frozenset({"Newcomer"})


async def test_a_message_is_posted_with_mentions_and_recorded_as_activity(bot: Bot) -> None:
    await bot.fake.send(frame("message_create"))
    await bot.until(lambda: bool(bot.recorder.of(MessagePosted)))
    [posted] = bot.recorder.of(MessagePosted)
    message = posted.message
    assert message.ref == ref(f"{CHANNELS['help']}/{QUESTION}")
    assert message.author.ref == ref(USERS["carol"]) and message.author.roles == {"Newcomer"}
    assert message.channel.name == "help" and message.channel.kind is ChannelKind.TEXT
    assert message.mentions == (ref(USERS["bob"]),)
    assert not message.to_bot  # it mentions bob, not the bot
    assert message.thread_of is None
    assert message.text == frame("message_create")["d"]["content"]
    assert message.text.startswith("Hi! How do I set up the dev environment?")
    assert posted.event_id == f"discord:message:{QUESTION}"
    assert await bot.activity() == 1


async def test_reactions_add_remove_add_are_three_events(bot: Bot) -> None:
    await bot.fake.send(frame("message_create"))
    await bot.fake.send(frame("message_reaction_add"))
    await bot.fake.send(frame("message_reaction_remove"))
    await bot.fake.send(frame("message_reaction_add"))
    await bot.until(lambda: len(bot.recorder.of(ReactionChanged)) == 3)
    first, removed, again = bot.recorder.of(ReactionChanged)
    assert (first.added, removed.added, again.added) == (True, False, True)
    assert first.emoji == "✅" and first.actor.ref == ref(USERS["bob"])
    assert first.actor.roles == {"Moderator"}
    assert first.message == ref(f"{CHANNELS['help']}/{QUESTION}")
    assert first.message_author == ref(USERS["carol"])
    # The removal carries no author; the cached message still tells who wrote it.
    assert removed.message_author == ref(USERS["carol"])
    assert removed.actor.name == "bob"
    assert len({first.event_id, removed.event_id, again.event_id}) == 3


async def test_a_reaction_on_an_uncached_message_still_counts(bot: Bot) -> None:
    await bot.fake.send(frame("message_reaction_add"))
    await bot.until(lambda: bool(bot.recorder.of(ReactionChanged)))
    [reaction] = bot.recorder.of(ReactionChanged)
    assert reaction.channel.name == "help"
    assert reaction.message_author == ref(USERS["carol"])


async def test_member_leaves(bot: Bot) -> None:
    await bot.fake.send(frame("guild_member_add"))
    await bot.fake.send(frame("guild_member_remove"))
    await bot.until(lambda: bool(bot.recorder.of(MemberLeft)))
    [left] = bot.recorder.of(MemberLeft)
    assert left.member.ref == ref(USERS["carol"])


async def test_messages_in_a_thread_point_at_the_message_it_hangs_from(bot: Bot) -> None:
    await bot.fake.send(frame("message_create"))
    await bot.fake.send(frame("thread_create"))
    reply = frame("message_create")
    reply["d"].update(id="1379038600000000000", channel_id=THREAD, content="try the devcontainer")
    reply["d"]["mentions"] = []
    await bot.fake.send(reply)
    await bot.until(lambda: len(bot.recorder.of(MessagePosted)) == 2)
    posted = bot.recorder.of(MessagePosted)[1].message
    assert posted.channel.kind is ChannelKind.THREAD
    assert posted.channel.ref == ref(THREAD)
    assert posted.thread_of == ref(f"{CHANNELS['help']}/{QUESTION}")


async def test_a_direct_message_belongs_to_the_members_guild(bot: Bot) -> None:
    dm = frame("message_create")
    dm["d"].pop("guild_id")
    dm["d"].pop("member")
    dm["d"].update(id="1379038700000000000", channel_id="1379038700000000001", mentions=[])
    dm["d"]["channel_type"] = 1
    dm["d"]["author"] = frame("guild_create")["d"]["members"][0]["user"]  # alice
    await bot.fake.send(dm)
    await bot.until(lambda: bool(bot.recorder.of(MessagePosted)))
    [posted] = bot.recorder.of(MessagePosted)
    assert posted.message.channel.kind is ChannelKind.DM
    assert posted.message.author.ref == ref(USERS["alice"])
    assert posted.message.to_bot  # the core answers "help" and the like


async def test_a_message_mentioning_the_bot_is_said_to_it(bot: Bot) -> None:
    mention = frame("message_create")
    mention["d"]["mentions"] = [frame("ready")["d"]["user"]]
    await bot.fake.send(mention)
    await bot.until(lambda: bool(bot.recorder.of(MessagePosted)))
    [posted] = bot.recorder.of(MessagePosted)
    assert posted.message.to_bot


async def test_the_bots_own_messages_do_not_reach_the_core(bot: Bot) -> None:
    own = frame("message_create")
    own["d"]["author"] = frame("ready")["d"]["user"]
    own["d"].pop("member")
    await bot.fake.send(own)
    await bot.fake.send(frame("message_create"))
    await bot.until(lambda: bool(bot.recorder.of(MessagePosted)))
    assert len(bot.recorder.of(MessagePosted)) == 1


async def test_members_left_out_of_guild_create_arrive_in_chunks(fake: FakeDiscord) -> None:
    guild = fake.guild["d"]
    # Like Discord without the presences intent: only the bot itself is in GUILD_CREATE.
    guild["members"] = [m for m in guild["members"] if m["user"]["id"] == USERS["agora_bot"]]
    assert guild["member_count"] == 3
    async with running(fake) as bot:
        [request] = fake.chunk_requests
        assert request["guild_id"] == int(GUILD) and request["limit"] == 0
        client = bot.adapter.client
        assert client is not None
        cached = client.get_guild(int(GUILD))
        assert cached is not None and cached.chunked
        assert {m.name for m in cached.members} >= {"alice", "bob"}
        await fake.send(frame("message_reaction_remove"))  # carries no member: from the cache
        await bot.until(lambda: bool(bot.recorder.of(ReactionChanged)))
        [reaction] = bot.recorder.of(ReactionChanged)
        assert reaction.actor.name == "bob" and reaction.actor.roles == {"Moderator"}
        assert not fake.sent("GET", r"/guilds/\d+/members/\d+"), "no member had to be fetched"


async def test_a_resume_that_replays_frames_processes_each_event_once(bot: Bot) -> None:
    fake = bot.fake
    await fake.send(frame("message_create"))
    await fake.send(frame("message_reaction_add"))
    await bot.until(lambda: bool(bot.recorder.of(ReactionChanged)))
    fake.replay_on_resume = 2  # Discord may send again what the client already had
    await fake.drop_connection(4000)
    await fake.connected()
    await bot.until(lambda: bool(fake.resumes))
    await fake.send(frame("message_reaction_remove"))
    await bot.until(lambda: len(bot.recorder.of(ReactionChanged)) == 2)
    assert fake.resumes[0]["d"]["session_id"] == frame("ready")["d"]["session_id"]
    assert len(bot.recorder.of(MessagePosted)) == 1
    assert [r.added for r in bot.recorder.of(ReactionChanged)] == [True, False]
    assert bot.app.dispatcher.duplicates == 2
    assert await bot.activity() == 2  # the message and the one reaction add


async def test_a_core_slower_than_the_gateway_takes_events_in_turn_and_loses_none(
    bot: Bot,
) -> None:
    core = SlowCore(bot.app)
    sent = CORE_SLOTS + 20
    for n in range(sent):
        item = frame("message_create")
        item["d"]["id"] = str(int(QUESTION) + n + 1)
        await bot.fake.send(item)
    await eventually(lambda: core.inside == CORE_SLOTS)
    # A member's command does not queue behind the gateway's events.
    await bot.fake.send(frame("interaction_create_slash_command"))
    await eventually(lambda: bool(bot.recorder.of(CommandInvoked)))
    core.release.set()
    await bot.until(lambda: len(bot.recorder.of(MessagePosted)) == sent)
    assert core.most <= CORE_SLOTS + 1  # the messages, and the command beside them
    assert len({e.event_id for e in bot.recorder.of(MessagePosted)}) == sent
    assert await bot.activity() == sent + 1


async def test_malformed_payloads_are_logged_and_the_bot_goes_on(bot: Bot, caplog: object) -> None:
    fake = bot.fake
    broken = frame("message_create")
    del broken["d"]["content"], broken["d"]["type"]
    await fake.send(broken)
    await fake.send({"op": 0, "t": "MESSAGE_CREATE", "d": None})
    no_user = frame("guild_member_add")
    del no_user["d"]["user"]
    await fake.send(no_user)
    no_token = frame("interaction_create_button")
    del no_token["d"]["token"]
    await fake.send(no_token)
    await fake.send({"op": 0, "t": "SOMETHING_NEW", "d": {"_trace": ["x"]}})
    await fake.send(frame("message_create"))
    await bot.until(lambda: bool(bot.recorder.of(MessagePosted)))
    assert len(bot.recorder.of(MessagePosted)) == 1
    assert not bot.adapter.failure
    skipped = [
        r
        for r in caplog.records  # type: ignore[attr-defined]
        if r.name == "adapters.discord.frames" and r.levelno == logging.ERROR
    ]
    assert len(skipped) == 4
    assert "MESSAGE_CREATE" in skipped[0].getMessage()


async def test_sharded_client_uses_the_shard_and_still_stamps_frames(fake: FakeDiscord) -> None:
    async with running(fake, shard_count=1) as bot:
        assert fake.identifies[0]["d"]["shard"] == [0, 1]
        await fake.send(frame("message_reaction_add"))
        await bot.until(lambda: bool(bot.recorder.of(ReactionChanged)))
        [reaction] = bot.recorder.of(ReactionChanged)
        session = frame("ready")["d"]["session_id"]
        assert reaction.event_id.startswith(f"discord:frame:{session}:")


async def test_two_clients_in_one_process_keep_their_own_endpoints() -> None:
    from fake_discord import fake_discord

    async with fake_discord() as one, fake_discord() as two:
        async with running(one) as first, running(two) as second:
            await one.send(frame("guild_member_add"))
            await one.wait_for("POST", r"/channels/\d+/messages")
            await first.settle()
            assert not two.sent("POST", r"/channels/\d+/messages")
            assert second.adapter.ready.is_set()
        assert one.identifies and two.identifies
