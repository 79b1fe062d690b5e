"""/kudos privacy: members who keep off public boards keep their kudos and their place."""

from __future__ import annotations

import json
from typing import Any

from bot.testing import Harness
from tests.features.kudos.conftest import badges, kudos, points, public


async def give(h: Harness, giver: str, receiver: str) -> None:
    assert public(await h.command(giver, f"/kudos @{receiver}"))


async def test_a_hidden_member_is_left_off_boards_but_sees_their_own_place(h: Harness) -> None:
    await give(h, "alice", "bob")
    await give(h, "carol", "bob")
    await give(h, "alice", "dave")
    out = await h.command("bob", "/kudos privacy on")
    assert out[-1].text.startswith("Done: leaderboards and spotlights no longer show you.")
    others = (await h.command("erin", "/leaderboard"))[-1].text
    assert "bob" not in others
    assert others.splitlines()[1] == "🥇 dave — 1 kudos"
    assert "1 member received kudos." in others
    mine = (await h.command("bob", "/leaderboard"))[-1].text
    assert "🥇 bob — 2 kudos" in mine and "You are #1 with 2 kudos." in mine
    me = (await h.command("bob", "/kudos me"))[-1].text
    assert "Received: 2 received (2 in the last 7 days) · #1 all time" in me
    assert await points(h, "bob") == 2  # kept
    status = (await h.command("bob", "/kudos privacy"))[-1].text
    assert status.startswith("Leaderboards and spotlights have not shown you since Jan 5, 2026.")
    await h.command("bob", "/kudos privacy off")
    assert "🥇 bob — 2 kudos" in (await h.command("erin", "/leaderboard"))[-1].text
    status = (await h.command("bob", "/kudos privacy"))[-1].text
    assert status.startswith("Leaderboards and spotlights show you.")


async def test_hidden_members_are_not_spotlighted_and_their_badges_come_by_dm() -> None:
    async with kudos(cooldown_minutes=0) as h:
        await h.command("bob", "/kudos privacy on")
        out = await h.command("carol", "/kudos @bob")
        assert not [p for p in public(out) if "earned the badge" in p.text]
        assert await badges(h, "bob") == ["first-kudos"]
        assert "earned the badge “First kudos”" in h.dms("bob")[-1].text
        await give(h, "alice", "bob")
        await give(h, "alice", "dave")
        posted = [p for p in await h.tick("27d1h1m") if p.text.startswith("🌟 Member of")]
        assert len(posted) == 1 and "@dave" in posted[0].text
        out = await h.command("alice", "/spotlight @bob")
        assert "bob keeps their kudos private" in out[-1].text


async def test_the_choice_is_in_the_data_export(h: Harness) -> None:
    await h.command("carol", "/kudos privacy on")
    await h.command("carol", "/mydata export")
    export: dict[str, Any] = json.loads(h.dms("carol")[-1].attachments[0].data)
    assert export["features"]["kudos"]["hidden_from_boards_since"].startswith("2026-01-05")
    assert export["tables"]["kudos_privacy"][0]["person_id"] == (await h.record("carol")).person_id


async def test_a_bad_setting_gets_the_usage(h: Harness) -> None:
    out = await h.command("carol", "/kudos privacy maybe")
    assert "'maybe' is not one of: on, off" in out[-1].text
