"""Slipping-away members and the optional check-in DM.

carol posts every Monday for four weeks (Jan 5–26) and then falls silent; dave posts
every Monday throughout. The check-in job runs on Tuesdays at 10:00 UTC.
"""

from __future__ import annotations

from bot.context import Context, Work
from bot.features.metrics import privacy
from bot.model import Outgoing, Ref
from bot.ports import Once, PlatformRefused
from bot.testing import Harness
from tests.features.metrics.conftest import metrics, record


async def six_weeks(h: Harness) -> None:
    """Ends on Monday Feb 16, 09:00."""
    for week in range(6):
        if week < 4:
            await h.say("carol", "weekly update")
        await h.say("dave", "still here")
        await h.tick("7d")


async def test_regulars_who_went_quiet_are_listed_for_admins() -> None:
    async with metrics() as h:
        await six_weeks(h)
        await h.leave("erin")
        text = (await h.command("alice", "/stats slipping"))[-1].text
    # carol: active in 4 of the 4 weeks before Feb 2, silent since. dave spoke on Feb 9.
    assert text.splitlines() == [
        "1 member was active in 3 of 4 weeks and has been silent for 2 weeks:",
        "• carol",
    ]


async def test_nobody_slipping_says_so(h: Harness) -> None:
    await h.say("carol", "only once")
    text = (await h.command("alice", "/stats slipping"))[-1].text
    assert "Nobody is slipping away" in text


async def test_the_thresholds_come_from_the_config() -> None:
    async with metrics(slipping_active_weeks=4, slipping_lookback_weeks=4) as h:
        for _ in range(3):
            await h.say("carol", "three weeks only")
            await h.tick("7d")
        await h.tick("14d")
        text = (await h.command("alice", "/stats slipping"))[-1].text
    assert "Nobody is slipping away" in text  # 3 of 4 weeks is not enough here


async def test_nudge_dm_goes_once_when_turned_on() -> None:
    async with metrics(nudge_dm=True) as h:
        await six_weeks(h)
        first = h.dms("carol")
        await h.tick("7d")  # Feb 17: still slipping, but checked on a week ago
        again = h.dms("carol")
    assert len(first) == 1 and len(again) == 1
    assert "Hi carol! We haven't seen you in" in first[0].text
    assert not h.dms("dave")


async def test_nudge_text_from_the_config() -> None:
    async with metrics(nudge_dm=True, nudge_text="Hei {name}, savner deg i {community}!") as h:
        await h.join("frank")
        await six_weeks(h)
    assert [p.text for p in h.dms("carol")] == ["Hei carol, savner deg i Agora community!"]


async def test_no_checkin_by_default() -> None:
    async with metrics() as h:
        await six_weeks(h)
        await h.tick("7d")
    assert not h.dms("carol")


async def test_checkins_are_exported_and_forgotten_with_the_person() -> None:
    async with metrics(nudge_dm=True) as h:
        await six_weeks(h)
        carol = (await record(h, "carol")).person_id
        feature = h.runtime.registry.features["metrics"]
        async with h.runtime.storage.unit_of_work() as uow:
            ctx = Context(Work(h.runtime, uow), feature, None)
            exported = await privacy.export(ctx, carol)
            await privacy.forget(ctx, carol)
            after = await privacy.export(ctx, carol)
    assert exported == {"checkins_sent": ["2026-02-10T10:00:00+00:00"]}
    assert after == {"checkins_sent": []}


async def test_a_refused_nudge_dm_does_not_stop_the_others() -> None:
    async with metrics(nudge_dm=True) as h:
        send = h.port.send

        async def refusing(out: Outgoing, once: Once | None = None) -> Ref:
            if out.dm == h.ref("carol"):
                raise PlatformRefused("cannot DM this user")
            return await send(out, once)

        h.port.send = refusing  # type: ignore[method-assign]
        for _ in range(4):
            await h.say("carol", "weekly update")
            await h.say("dave", "weekly update")
            await h.tick("7d")
        await h.tick("14d")
        carol = (await record(h, "carol")).person_id
        dave = (await record(h, "dave")).person_id
        feature = h.runtime.registry.features["metrics"]
        async with h.runtime.storage.unit_of_work() as uow:
            ctx = Context(Work(h.runtime, uow), feature, None)
            carol_sent, dave_sent = (
                await privacy.export(ctx, carol),
                await privacy.export(ctx, dave),
            )
    assert not h.dms("carol") and len(h.dms("dave")) == 1
    assert h.runtime.outbox.refused == 1
    # A nudge counts once queued: closed DMs are not asked again before the interval.
    assert len(carol_sent["checkins_sent"]) == 1 and len(dave_sent["checkins_sent"]) == 1
