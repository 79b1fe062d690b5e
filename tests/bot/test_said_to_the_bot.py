"""Messages said to the bot (a mention, a DM): `help` is /help, anything else a hint."""

from __future__ import annotations

from dataclasses import replace

from bot.model import ChannelKind, MessagePosted
from bot.testing import Harness


async def test_at_agora_help_answers_like_slash_help_privately() -> None:
    async with Harness() as h:
        await h.say("carol", "@Agora help")
        reply = h.last()
        assert reply.text.startswith("Commands you can use")
        assert reply.ephemeral_to == h.ref("carol")  # the channel is not spammed
        await h.say("carol", "@agora help kudos")
        assert h.last().text.startswith("/kudos")


async def test_anything_else_said_to_the_bot_gets_a_hint_in_the_members_language() -> None:
    async with Harness() as h:
        await h.command("carol", "/language nb")
        await h.say("carol", "@Agora where is the meetup?")
        hint = h.last()
        assert hint.ephemeral_to == h.ref("carol")
        assert "/help" in hint.text and "carol" in hint.text
        assert "slash commands" not in hint.text  # Norwegian, not English


async def test_plain_messages_and_mentions_of_others_get_no_answer() -> None:
    async with Harness() as h:
        before = len(h.sent)
        await h.say("carol", "help")
        await h.say("carol", "@bob help me out")
        assert len(h.sent) == before


async def test_a_dm_to_the_bot_is_answered_in_the_dm() -> None:
    async with Harness() as h:
        dm = h.community.add_channel("dm-carol")
        event = h.community.say("carol", "dm-carol", "hjelp")
        message = replace(event.message, channel=replace(dm, kind=ChannelKind.DM), to_bot=True)
        await h.dispatch(
            MessagePosted(event_id="dm-1", occurred_at=event.occurred_at, message=message)
        )
        reply = h.last()
        assert reply.text.startswith("Commands you can use")
        assert reply.ephemeral_to is None  # a DM is private already
        unknown = replace(message, text="help nosuchthing")
        await h.dispatch(
            MessagePosted(event_id="dm-2", occurred_at=event.occurred_at, message=unknown)
        )
        assert "There is no command /nosuchthing" in h.last().text
