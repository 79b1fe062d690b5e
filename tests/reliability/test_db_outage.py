"""PostgreSQL goes away: members hear "temporarily unavailable", then everything resumes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fault_proxy import FaultProxy
from sqlalchemy.engine import make_url

from bot.context import Context
from bot.model import Outgoing
from bot.registry import Feature
from bot.testing import Harness


def _reminder() -> Feature:
    feature = Feature("reminder")

    @feature.command("remind", help="remind in a minute")
    async def remind(ctx: Context) -> None:
        await ctx.schedule("reminder:1", "ring", ctx.now() + timedelta(minutes=1))

    @feature.job("ring")
    async def ring(ctx: Context, payload: dict[str, Any]) -> None:
        channel = await ctx.directory.find_channel("memory", "test", "general")
        assert channel is not None
        await ctx.send(Outgoing("ring!", channel=channel))

    return feature


@pytest.mark.backends("postgresql")
async def test_outage_is_survived(db_url: str) -> None:
    url = make_url(db_url)
    proxy = await FaultProxy(url.host or "127.0.0.1", url.port or 5432).start()
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    try:
        async with Harness(storage_url=proxied, features=[_reminder()]) as h:
            assert (await h.command("carol", "/help"))[0].text.startswith("Commands")
            await h.command("carol", "/remind")
            proxy.cut()
            out = await h.command("carol", "/help")
            assert [p.text for p in out] == [
                "Agora is temporarily unavailable. Please try again in a minute."
            ]
            assert out[0].ephemeral_to == h.ref("carol")
            fired = await h.tick("2m")  # the reminder falls due while the database is down
            assert not [p for p in fired if p.text == "ring!"]
            proxy.restore()
            assert (await h.command("carol", "/help"))[0].text.startswith("Commands")
            fired = await h.tick("1m")
            assert [p.text for p in fired].count("ring!") == 1  # once, after the outage
            assert [p.text for p in await h.tick("1h")].count("ring!") == 0
    finally:
        await proxy.close()
