"""Data requests: export lists what names the member; forget keeps everyone's totals."""

from __future__ import annotations

import json

from bot.ports import Directory, PersonData
from bot.testing import Harness

SURVEY = {
    "name": "feedback",
    "title": "How are we doing?",
    "questions": [{"id": "wish", "label": "One thing you would change?", "kind": "text"}],
}


async def busy_day(h: Harness) -> None:
    await h.command("alice", '/poll "Lunch?" "Pizza" "Soup" --closes 1d')
    await h.command("carol", '/poll "Tea or coffee?" "Tea" "Coffee" --closes 3d')
    await h.click("carol", "Soup")
    await h.click("bob", "Soup")
    await h.click("carol", "Tea")
    await h.command("carol", "/idea A book club. Once a month.")
    await h.click("bob", "👍 Support")
    await h.click("carol", "👍 Support")
    await h.command("bob", "/survey send feedback")
    await h.click("carol", "Answer")
    await h.submit("carol", wish="More meetups")


async def test_export_lists_votes_ideas_and_answers() -> None:
    async with Harness(config={"features": {"polls": {"surveys": [SURVEY]}}}) as h:
        await busy_day(h)
        await h.command("carol", "/mydata export")
        data = json.loads(h.dms("carol")[-1].attachments[0].data)
        mine = data["features"]["polls"]
        assert {"poll": 1, "question": "Lunch?", "choices": ["Soup"]} in mine["poll_votes"]
        assert mine["ideas_proposed"][0]["title"] == "A book club"
        assert mine["ideas_supported"] == [{"idea": 1, "title": "A book club"}]
        assert mine["survey_answers"][0]["answers"] == {
            "One thing you would change?": "More meetups"
        }
        for table in ("poll_votes", "idea_votes", "survey_responses", "ideas", "polls"):
            assert table in data["tables"]


async def test_forget_keeps_totals_but_not_the_member() -> None:
    async with Harness(config={"features": {"polls": {"surveys": [SURVEY]}}}) as h:
        await busy_day(h)
        await h.tick("1d")  # "Lunch?" closes with carol's vote counted
        carol = h.ref("carol")
        async with h.runtime.storage.unit_of_work() as uow:
            record = await uow.get(Directory).get(carol)
        assert record is not None
        await h.command("carol", "/mydata forget")
        await h.click("carol", "Forget me")
        async with h.runtime.storage.unit_of_work() as uow:
            assert await uow.get(PersonData).remaining(record.person_id, [carol]) == {}
        out = await h.command("bob", "/poll results 1")
        assert "2. Soup 🏆 — 2 votes (100%)" in out[0].text  # frozen at close
        out = await h.command("bob", "/poll results 2")
        assert "1. Tea  ██████████ 1 · 100%" in out[0].text  # still running: kept as a ballot
        idea = next(p for p in h.sent if p.text.startswith("💡 Idea #1"))
        out = await h.command("bob", "/ideas")
        assert "#1 A book club — 2 supporters" in out[0].text
        await h.click("bob", "👍 Support", idea.number)  # bob takes his support back
        out = await h.command("bob", "/ideas")
        assert "#1 A book club — 1 supporter" in out[0].text
        assert "proposed by" not in next(p for p in h.sent if p.text.startswith("💡 Idea #1")).text
        out = await h.command("bob", "/survey results feedback")
        assert "0 responses" in out[0].text  # her answers are gone
        out = await h.command("bob", "/poll voters 2")
        assert "carol" not in out[0].text
        await h.tick("3d")
        results = [p.text for p in h.sent if p.text.startswith("📊 Results of poll #2")]
        assert "1. Tea 🏆 — 1 vote (100%)" in results[0]
