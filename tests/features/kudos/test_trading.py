"""Kudos farming: two members thanking each other back and forth pause; honest thanks do not."""

from __future__ import annotations

from bot.features.kudos.rules import trades_too_much
from bot.testing import Harness
from tests.features.kudos.conftest import kudos, points, public, said_to

PAUSED = (
    "You and dave have traded 4 kudos with each other in the last 7 days, so kudos between "
    "the two of you are paused for now. Thank someone else who helped you!"
)


async def trade(h: Harness, rounds: int) -> None:
    """carol and dave thank each other, waiting out the cooldown between rounds."""
    for _ in range(rounds):
        assert public(await h.command("carol", "/kudos @dave"))
        assert public(await h.command("dave", "/kudos @carol"))
        await h.tick("61m")


def test_trading_needs_both_directions_and_the_limit() -> None:
    assert trades_too_much(2, 2, 4)
    assert trades_too_much(3, 1, 4)
    assert not trades_too_much(2, 1, 4)
    assert not trades_too_much(6, 0, 4)  # thanking one helpful member often is not trading
    assert not trades_too_much(9, 9, 0)  # 0: no limit


async def test_members_trading_kudos_are_paused_with_the_reason() -> None:
    async with kudos(trade_limit=4, daily_allowance=0) as h:
        await trade(h, 2)
        out = await h.command("carol", "/kudos @dave yet again")
        assert [p.text for p in out] == [PAUSED]
        assert out[0].ephemeral_to == h.ref("carol")
        out = await h.command("dave", "/kudos @carol")
        assert "You and carol have traded 4 kudos" in out[-1].text
        assert await points(h, "dave") == 2 and await points(h, "carol") == 2
        assert public(await h.command("carol", "/kudos @erin"))  # others can be thanked
        assert public(await h.command("erin", "/kudos @dave"))  # and dave can be thanked


async def test_a_reaction_between_traders_is_refused_privately() -> None:
    async with kudos(trade_limit=4, daily_allowance=0) as h:
        await trade(h, 2)
        post = await h.say("dave", "a helpful answer")
        out = await h.react("carol", post.number, "🙏")
        assert said_to(h, out, "carol") == [PAUSED]
        assert await points(h, "dave") == 2


async def test_the_pause_ends_when_the_trades_leave_the_window() -> None:
    async with kudos(trade_limit=4, trade_days=7, daily_allowance=0) as h:
        await trade(h, 2)
        assert not public(await h.command("carol", "/kudos @dave"))
        await h.tick("7d")
        assert public(await h.command("carol", "/kudos @dave"))
        assert await points(h, "dave") == 3


async def test_thanking_one_member_often_is_not_trading() -> None:
    async with kudos(trade_limit=4, daily_allowance=0) as h:
        for _ in range(6):
            assert public(await h.command("carol", "/kudos @dave"))
            await h.tick("61m")
        assert await points(h, "dave") == 6


async def test_no_trade_limit_when_it_is_zero() -> None:
    async with kudos(trade_limit=0, daily_allowance=0) as h:
        await trade(h, 4)
        assert await points(h, "dave") == 4 and await points(h, "carol") == 4
