"""Forget and export: a forgotten giver's kudos stay counted, without name or words."""

from __future__ import annotations

import json

from bot.testing import Harness
from tests.features.kudos.conftest import badges, points


async def forget(h: Harness, name: str) -> None:
    await h.command(name, "/mydata forget")
    await h.click(name, "Forget me")
    assert "erased" in h.last(to=name).text


async def test_a_forgotten_giver_s_kudos_still_count_for_the_receiver(h: Harness) -> None:
    await h.command("carol", "/kudos @dave for the secret recipe")
    await forget(h, "carol")
    assert await points(h, "dave") == 1
    out = await h.command("bob", "/kudos history @dave")
    assert "a forgotten member → dave" in out[-1].text
    assert "secret recipe" not in out[-1].text
    out = await h.command("erin", "/leaderboard all")
    assert "🥇 dave — 1 kudos" in out[-1].text


async def test_a_forgotten_receiver_leaves_no_kudos_badges_or_streak(h: Harness) -> None:
    await h.say("dave", "hello")
    await h.command("carol", "/kudos @dave")
    assert await badges(h, "dave") == ["first-kudos"]
    await forget(h, "dave")
    out = await h.command("erin", "/leaderboard all")
    assert "dave" not in out[-1].text
    out = await h.command("carol", "/kudos me")
    assert "Given: 0 given" in out[-1].text  # what went to dave went with dave


async def test_welcomes_of_a_forgotten_newcomer_still_count_for_the_welcomer() -> None:
    welcomer = {"id": "welcomer", "name": "Welcomer", "rule": "newcomers_welcomed", "threshold": 2}
    async with Harness(
        config={"features": {"kudos": {"badges": [welcomer]}}},
        members=(("alice", ("admin",)), ("bob", ("moderator",)), ("carol", ())),
    ) as h:
        await h.join("frank")
        await h.say("bob", "welcome @frank")
        await forget(h, "frank")
        await h.join("gina")
        await h.say("bob", "welcome @gina")
        assert await badges(h, "bob") == ["welcomer"]


async def test_export_lists_kudos_and_badges(h: Harness) -> None:
    await h.command("carol", "/kudos @dave for the slides")
    await h.command("dave", "/kudos @erin")
    await h.command("dave", "/mydata export")
    data = json.loads(h.dms("dave")[-1].attachments[0].data)
    mine = data["features"]["kudos"]
    assert mine["received_points"] == 1 and mine["given"] == 1
    assert [(k["direction"], k["reason"]) for k in mine["kudos"]] == [
        ("given", None),
        ("received", "for the slides"),
    ]
    assert [b["badge"] for b in mine["badges"]] == ["first-kudos"]
    assert "kudos" in data["tables"] and "kudos_badges" in data["tables"]


async def test_the_removal_audit_outlives_a_forgotten_moderator_but_not_the_receiver() -> None:
    members = (("alice", ("admin",)), ("bob", ("moderator",)), ("mo", ("moderator",)))
    async with Harness(members=(*members, ("carol", ()), ("dave", ()))) as h:
        await h.command("carol", "/kudos @dave")
        await h.command("mo", "/kudos remove 1 a mistake")
        await forget(h, "mo")
        out = await h.command("bob", "/kudos history @dave")
        assert "✂ removed by a forgotten member on Jan 5, 2026: “a mistake”" in out[-1].text
        await h.command("dave", "/mydata export")
        data = json.loads(h.dms("dave")[-1].attachments[0].data)
        (removed,) = data["features"]["kudos"]["kudos"]
        assert removed["removed"] == {"at": "2026-01-05T09:00:00+00:00", "reason": "a mistake"}
        await forget(h, "dave")
        out = await h.command("bob", "/kudos history @carol")
        assert "No kudos given or received yet." in out[-1].text
