"""The outbox: messages go after the commit, never for a rolled-back change, one refusal
per recipient, in order per destination, and what a crash left behind goes at the next start.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot import outbox as outbox_module
from bot.args import TextArg
from bot.context import Context
from bot.model import MemberJoined, Outgoing, Ref
from bot.outbox import Outbox
from bot.ports import Once, OutboxStore, PlatformRefused
from bot.registry import Feature
from bot.testing import Harness
from storage.tables.outbox import outbox as outbox_table

WORDS = [TextArg("text", required=False)]


def _feature() -> Feature:
    feature = Feature("probe")

    @feature.command("tell", help="DMs members, then maybe fails", args=WORDS)
    async def tell(ctx: Context, text: str) -> None:
        assert ctx.actor is not None
        for name in text.split():
            member = await ctx.directory.find("memory", "test", name)
            assert member is not None
            ctx.dm(member.ref, f"hello {name}")
        if "boom" in text:
            raise RuntimeError("the change failed after queuing")
        await ctx.reply("queued")

    @feature.on(MemberJoined)
    async def welcome(ctx: Context, event: MemberJoined) -> None:
        ctx.dm(event.member.ref, "welcome!")

    @feature.job("remind")
    async def remind(ctx: Context, payload: dict[str, Any]) -> None:
        for name in payload["names"]:
            member = await ctx.directory.find("memory", "test", name)
            assert member is not None
            ctx.dm(member.ref, f"reminder for {name}")
        if payload.get("fail"):
            raise RuntimeError("the job failed after queuing")

    @feature.command("plan", help="schedules a reminder", args=WORDS)
    async def plan(ctx: Context, text: str) -> None:
        payload: dict[str, Any] = {"names": text.split(), "fail": "fail" in text}
        payload["names"] = [n for n in payload["names"] if n != "fail"]
        await ctx.schedule("probe:remind", "remind", ctx.now() + timedelta(hours=1), payload)

    return feature


async def _rows(h: Harness) -> int:
    async with h.runtime.storage.connection() as conn:
        return int(
            (await conn.execute(select(func.count()).select_from(outbox_table))).scalar_one()
        )


async def test_messages_go_after_the_reply_and_leave_no_row() -> None:
    async with Harness(features=[_feature()]) as h:
        out = await h.command("alice", "/tell bob carol")
        assert [p.text for p in out] == ["queued", "hello bob", "hello carol"]
        assert [p.dm_to for p in out[1:]] == [h.ref("bob"), h.ref("carol")]
        assert await _rows(h) == 0


async def test_a_failed_change_sends_nothing_it_queued() -> None:
    async with Harness(features=[_feature()]) as h:
        out = await h.command("alice", "/tell bob boom")
        assert h.dms("bob") == []
        assert "error on our side" in h.answer(out, "alice").text
        assert await _rows(h) == 0


async def test_a_failed_job_sends_nothing_and_a_good_one_everything() -> None:
    async with Harness(features=[_feature()]) as h:
        await h.command("alice", "/plan bob fail")
        await h.tick("2h")
        assert h.dms("bob") == []
        await h.command("alice", "/plan bob carol")
        await h.tick("2h")
        assert [p.text for p in h.dms("bob")] == ["reminder for bob"]
        assert [p.text for p in h.dms("carol")] == ["reminder for carol"]


async def test_one_refusal_does_not_stop_the_others() -> None:
    async with Harness(features=[_feature()]) as h:
        send = h.port.send

        async def refusing(out: Outgoing, once: Once | None = None) -> Ref:
            if out.dm == h.ref("bob"):
                raise PlatformRefused("Cannot send messages to this user")
            return await send(out, once)

        h.port.send = refusing  # type: ignore[method-assign]
        await h.command("alice", "/tell bob carol")
        assert h.dms("bob") == [] and [p.text for p in h.dms("carol")] == ["hello carol"]
        assert (h.runtime.outbox.refused, h.runtime.outbox.delivered) == (1, 1)
        assert await _rows(h) == 0


async def test_a_platform_without_dms_queues_nothing() -> None:
    from bot.model import Capability

    async with Harness(
        features=[_feature()], capabilities=frozenset(Capability) - {Capability.DM}
    ) as h:
        await h.command("alice", "/tell bob")
        assert h.dms("bob") == [] and await _rows(h) == 0


# --- in the background, as a bot on a real platform runs it -----------------------------


@pytest.fixture
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(outbox_module, "RETRY_DELAYS", (0.01, 0.01))
    monkeypatch.setattr(outbox_module, "FLUSH_EVERY", 0.01)
    yield


async def _background(h: Harness) -> Outbox:
    box = Outbox(h.runtime, inline=False)
    h.runtime._outbox = box
    await box.start()
    return box


async def test_in_the_background_order_is_kept_per_member(quick_retries: None) -> None:
    async with Harness(features=[_feature()]) as h:
        box = await _background(h)
        for n in range(5):
            await h.command("alice", f"/tell bob carol {'bob ' * n}")
        assert await box.drain(5)
        bob = [p.text for p in h.dms("bob")]
        assert bob == ["hello bob"] * 15
        assert await _rows(h) == 0
        await box.stop()


async def test_a_transient_failure_is_retried_then_given_up(quick_retries: None) -> None:
    async with Harness(features=[_feature()]) as h:
        box = await _background(h)
        send = h.port.send
        failures = {"bob": 1, "carol": 10}

        async def flaky(out: Outgoing, once: Once | None = None) -> Ref:
            for name, left in failures.items():
                if out.dm == h.ref(name) and left > 0:
                    failures[name] = left - 1
                    raise ConnectionResetError("the platform hung up")
            return await send(out, once)

        h.port.send = flaky  # type: ignore[method-assign]
        await h.command("alice", "/tell bob carol")
        assert await box.drain(5)
        assert [p.text for p in h.dms("bob")] == ["hello bob"]
        assert h.dms("carol") == [] and box.dropped == 1
        assert await _rows(h) == 0
        await box.stop()


async def test_what_a_crash_left_is_delivered_at_the_next_start() -> None:
    async with Harness(features=[_feature()]) as h:
        async with h.runtime.storage.unit_of_work() as uow:
            await uow.get(OutboxStore).add(  # type: ignore[type-abstract]
                [Outgoing("left behind", dm=h.ref("bob"))],
                "a-dead-instance",
                h.clock.now() - timedelta(minutes=5),
            )
        box = Outbox(h.runtime, inline=True)
        await box.start()
        assert [p.text for p in h.dms("bob")] == ["left behind"]
        assert await _rows(h) == 0


async def test_each_message_names_itself_and_a_handed_over_one_says_so() -> None:
    """Platforms post a message once by its key (`Once`), and look for it first only
    when a run that stopped may have posted it."""
    async with Harness(features=[_feature()]) as h:
        seen: list[tuple[str, Once | None]] = []
        send = h.port.send

        async def noting(out: Outgoing, once: Once | None = None) -> Ref:
            seen.append((out.text, once))
            return await send(out, once)

        h.port.send = noting  # type: ignore[method-assign]
        await h.command("alice", "/tell bob carol")
        async with h.runtime.storage.unit_of_work() as uow:
            await uow.get(OutboxStore).add(  # type: ignore[type-abstract]
                [Outgoing("left behind", dm=h.ref("bob"))],
                "a-dead-instance",
                h.clock.now() - timedelta(minutes=5),
            )
        await Outbox(h.runtime, inline=True).start()
        named = {text: once for text, once in seen if once is not None}
        assert set(named) == {"hello bob", "hello carol", "left behind"}
        assert len({once.key for once in named.values()}) == 3
        assert [text for text, once in named.items() if once.resumed] == ["left behind"]
        assert ("queued", None) in seen  # the command's answer goes straight out


async def test_a_live_instances_messages_are_not_taken_over() -> None:
    async with Harness(features=[_feature()]) as h:
        async with h.runtime.storage.unit_of_work() as uow:
            await uow.get(OutboxStore).add(  # type: ignore[type-abstract]
                [Outgoing("being sent", dm=h.ref("bob"))], "another-instance", h.clock.now()
            )
        await Outbox(h.runtime, inline=True).start()
        assert h.dms("bob") == [] and await _rows(h) == 1


async def test_a_clean_stop_hands_what_is_left_to_the_next_start(quick_retries: None) -> None:
    async with Harness(features=[_feature()]) as h:
        box = await _background(h)
        gate = asyncio.Event()
        send = h.port.send

        async def stuck(out: Outgoing, once: Once | None = None) -> Ref:
            if out.dm is not None:  # the platform hangs on DMs
                await gate.wait()
            return await send(out, once)

        h.port.send = stuck  # type: ignore[method-assign]
        await h.command("alice", "/tell bob")
        await box.stop(limit=0.05)
        assert h.dms("bob") == [] and await _rows(h) == 1
        h.port.send = send  # type: ignore[method-assign]
        await Outbox(h.runtime, inline=True).start()  # no 45 s wait for a stale claim
        assert [p.text for p in h.dms("bob")] == ["hello bob"]
