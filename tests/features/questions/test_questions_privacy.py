"""A question's title is the one piece of content stored; export shows it, forget erases it."""

from __future__ import annotations

import json

from bot.features.questions.store import Questions, State
from bot.ports import Directory, PersonData
from bot.testing import Harness


async def solved_by_hana(h: Harness, asker: str, text: str) -> None:
    await h.command(asker, f"/ask {text}")
    root = [p for p in h.in_channel("help") if p.thread_of is None][-1].number
    reply = await h.say("hana", "Here is how", channel="help", thread_of=root)
    await h.react(asker, reply.number, "✅")


async def test_export_lists_the_questions_asked_and_help_given(h: Harness) -> None:
    await solved_by_hana(h, "carol", "How do I reset my password?")
    await h.command("carol", "/helper on")
    await h.command("carol", "/mydata export")
    data = json.loads(h.dms("carol")[-1].attachments[0].data)
    mine = data["features"]["questions"]
    assert [q["title"] for q in mine["asked"]] == ["How do I reset my password?"]
    assert mine["asked"][0]["state"] == "solved" and mine["helper_topics"] == ["*"]
    await h.command("hana", "/mydata export")
    theirs = json.loads(h.dms("hana")[-1].attachments[0].data)["features"]["questions"]
    assert theirs["asked"] == [] and theirs["replies"] == 1


async def test_forget_erases_titles_and_credit_but_keeps_the_numbers(h: Harness) -> None:
    await solved_by_hana(h, "carol", "How do I reset my password?")
    await solved_by_hana(h, "dave", "Where is the wifi password written?")
    async with h.runtime.storage.unit_of_work() as uow:
        carol = await uow.get(Directory).get(h.ref("carol"))
        hana = await uow.get(Directory).get(h.ref("hana"))
    assert carol is not None and hana is not None
    await h.command("carol", "/mydata forget")
    await h.click("carol", "Forget me")
    await h.command("hana", "/mydata forget")
    await h.click("hana", "Forget me")
    async with h.runtime.storage.unit_of_work() as uow:
        first = await uow.get(Questions).get(1)
        second = await uow.get(Questions).get(2)
        left = await uow.get(PersonData).remaining(carol.person_id, [carol.ref])
    assert first is not None and first.title == "" and first.asker is None
    assert first.state is State.SOLVED and first.answerer is None
    assert second is not None and second.title and second.answerer is None
    assert left == {}
    out = await h.command("bob", "/ask How do I reset my password?")
    assert "#2 Where is the wifi password" in out[-1].text
    assert "#1" not in out[-1].text  # the erased title is no longer searchable
    out = await h.command("alice", "/question stats")
    assert "Solved: 2 | 2" in out[-1].text
