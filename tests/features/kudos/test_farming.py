"""Kudos farming beyond pairs: circles of three and clusters of new accounts, reported once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.features.kudos.rules import closes_ring, is_new_account
from bot.testing import Harness
from tests.features.kudos.conftest import kudos, points, public, said_to

CIRCLE = (
    "Kudos between you, dave and another member have been going round in a circle in the "
    "last 7 days, so kudos along it are paused for now. Thank someone else who helped you!"
)
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def reports(h: Harness) -> list[str]:
    return [p.text for p in h.in_channel("mod-queue") if p.by_bot]


async def go_round(h: Harness, times: int) -> None:
    """carol → dave → erin → carol, `times` times, waiting out the cooldown."""
    for _ in range(times):
        for giver, receiver in (("carol", "dave"), ("dave", "erin"), ("erin", "carol")):
            assert public(await h.command(giver, f"/kudos @{receiver}")), (giver, receiver)
        await h.tick("61m")


def test_a_circle_needs_every_link_at_the_limit() -> None:
    assert closes_ring(3, 3, 3)
    assert not closes_ring(2, 5, 3)  # this link is not there yet
    assert not closes_ring(5, 2, 3)  # the rest of the circle is not
    assert not closes_ring(9, 9, 0)  # 0: no check


def test_new_accounts() -> None:
    now = datetime(2026, 1, 10, tzinfo=UTC)
    assert is_new_account(datetime(2026, 1, 4, tzinfo=UTC), now, 7)
    assert not is_new_account(datetime(2026, 1, 2, tzinfo=UTC), now, 7)
    assert not is_new_account(None, now, 7)  # a join date the platform never told
    assert not is_new_account(now, now, 0)


async def test_a_circle_of_three_pauses_and_the_moderators_hear_of_it_once() -> None:
    async with kudos(ring_limit=3, trade_limit=0, daily_allowance=0, top={"start": START}) as h:
        await go_round(h, 3)
        assert reports(h) == []
        out = await h.command("carol", "/kudos @dave once more")
        assert said_to(h, out, "carol") == [CIRCLE]
        (report,) = reports(h)
        assert report.startswith(
            "⚠️ Possible kudos farming: @carol, @dave, and @erin have been passing kudos round "
            "in a circle (every link 3 kudos or more within 1 week)."
        )
        # The other links are paused too, and the moderators are not told again.
        out = await h.command("dave", "/kudos @erin")
        assert "going round in a circle" in said_to(h, out, "dave")[0]
        assert len(reports(h)) == 1
        # Outside the circle everyone can still thank and be thanked.
        assert public(await h.command("carol", "/kudos @bob"))
        assert public(await h.command("bob", "/kudos @dave"))
        assert await points(h, "dave") == 4
        # The window passes: kudos flow again.
        await h.tick("7d")
        assert public(await h.command("carol", "/kudos @dave"))


async def test_thanking_in_a_circle_now_and_then_is_a_team_not_a_farm() -> None:
    async with kudos(ring_limit=3, daily_allowance=0, top={"start": START}) as h:
        await go_round(h, 2)
        assert public(await h.command("carol", "/kudos @dave"))
        assert reports(h) == []


async def test_kudos_from_new_accounts_to_one_member_are_capped() -> None:
    members = [("alice", ("admin",)), ("bob", ("moderator",)), ("carol", ())]
    async with kudos(
        new_account_limit=2, new_account_days=7, top={"start": START, "members": members}
    ) as h:
        await h.tick("8d")  # the community's members are old hands now
        for name in ("sock1", "sock2", "sock3"):
            await h.join(name)
        assert public(await h.command("sock1", "/kudos @carol"))
        assert public(await h.command("sock2", "/kudos @carol"))
        out = await h.command("sock3", "/kudos @carol")
        assert said_to(h, out, "sock3") == [
            "carol has received many kudos from new accounts lately, so kudos from new members "
            "to them are paused for now. Once you have been here 7 days, yours count again."
        ]
        (report,) = reports(h)
        assert report.startswith(
            "⚠️ Possible kudos farming: @carol has received 2 kudos or more from accounts "
            "younger than 1 week within 1 week."
        )
        assert public(await h.command("alice", "/kudos @carol"))  # old hands still can
        assert public(await h.command("sock3", "/kudos @bob"))  # and others can be thanked
        await h.tick("7d")  # sock3 is no longer new
        assert public(await h.command("sock3", "/kudos @carol"))
        assert await points(h, "carol") == 4 and len(reports(h)) == 1


async def test_without_a_report_channel_the_log_says_it(caplog: pytest.LogCaptureFixture) -> None:
    async with kudos(
        ring_limit=2, trade_limit=0, daily_allowance=0, report_channel="", top={"start": START}
    ) as h:
        await go_round(h, 2)
        assert not public(await h.command("carol", "/kudos @dave"))
        assert reports(h) == []
        assert "suspected ring farming" in caplog.text


async def test_a_reaction_along_a_circle_is_refused_and_reported() -> None:
    async with kudos(ring_limit=1, trade_limit=0, daily_allowance=0, top={"start": START}) as h:
        await go_round(h, 1)
        post = await h.say("dave", "an answer")
        out = await h.react("carol", post.number, "🙏")
        assert said_to(h, out, "carol")[0].startswith("Kudos between you, dave and another")
        assert len(reports(h)) == 1
