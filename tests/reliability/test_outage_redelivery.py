"""Messages, reactions and joins that arrive during a database outage are handled after it.

A command gets "temporarily unavailable" (the member can try again); a join cannot be
tried again by anyone, so it waits and the newcomer is still welcomed once the
database is back, once.
"""

from __future__ import annotations

import asyncio

import pytest
from fault_proxy import FaultProxy
from sqlalchemy.engine import make_url

from bot.context import Context
from bot.model import MemberJoined, MessagePosted, Outgoing
from bot.registry import Feature
from bot.testing import Harness


def _greeter() -> Feature:
    feature = Feature("greeter")

    @feature.on(MemberJoined)
    async def welcome(ctx: Context, event: MemberJoined) -> None:
        channel = await ctx.directory.find_channel("memory", "test", "general")
        assert channel is not None
        ctx.deliver(Outgoing(f"welcome {event.member.name}!", channel=channel))

    @feature.on(MessagePosted)
    async def count(ctx: Context, event: MessagePosted) -> None:
        if event.message.text == "ping":
            await ctx.reply("pong")

    return feature


async def _settle(h: Harness, until: int) -> None:
    for _ in range(200):
        if h.app is not None and h.app.dispatcher.redelivery.redelivered >= until:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the waiting events were never handled")


@pytest.mark.backends("postgresql")
async def test_a_join_during_an_outage_is_welcomed_afterwards(db_url: str) -> None:
    url = make_url(db_url)
    proxy = await FaultProxy(url.host or "127.0.0.1", url.port or 5432).start()
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    try:
        async with Harness(storage_url=proxied, features=[_greeter()]) as h:
            assert h.app is not None
            h.app.dispatcher.redelivery.delays = (0.05,)
            proxy.cut()
            assert await h.join("dave") == []
            assert await h.say("dave", "ping") is not None
            out = await h.command("carol", "/help")
            assert [p.text for p in out] == [
                "Agora is temporarily unavailable. Please try again in a minute."
            ]
            assert h.app.dispatcher.redelivery.waiting == 2  # the command is not kept
            proxy.restore()
            await _settle(h, until=2)
            texts = [p.text for p in h.sent]
            assert texts.count("welcome dave!") == 1 and texts.count("pong") == 1
            assert texts.index("welcome dave!") < texts.index("pong")  # in arrival order
            assert h.app.dispatcher.redelivery.waiting == 0
    finally:
        await proxy.close()
