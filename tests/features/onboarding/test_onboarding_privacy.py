"""Data requests: onboarding exports what it holds and a forget leaves nothing behind."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.features.identity.handlers import feature as identity
from bot.features.onboarding.handlers import feature as onboarding
from bot.model import MemberRecord
from bot.ports import PersonData
from bot.testing import Harness
from storage.tables.onboarding import onboarding_answers, onboarding_pairings
from tests.features.onboarding.conftest import CHANNELS, MEMBERS, QUESTIONS

CONFIG = {"features": {"onboarding": {"questions": QUESTIONS, "rules": "Be kind."}}}


def harness() -> Harness:
    return Harness(
        config=CONFIG, features=[onboarding, identity], members=MEMBERS, channels=CHANNELS
    )


async def record(h: Harness, name: str) -> MemberRecord:
    return await h.record(name)


async def onboard(h: Harness, name: str) -> None:
    await h.join(name)
    await h.click(name, "I agree")
    await h.click(name, "Start")
    await h.select(name, ["rust"])
    await h.click(name, "Next")
    await h.click(name, "Just starting")
    await h.click(name, "Answer")
    await h.submit(name, answer="I sail on weekends")


async def test_export_holds_the_onboarding_story() -> None:
    async with harness() as h:
        await h.command("carol", "/mentor on rust")
        await onboard(h, "dave")
        await h.command("dave", "/mydata export")
        data = json.loads(h.dms("dave")[-1].attachments[0].data)
        mine = data["features"]["onboarding"]
        assert mine["newcomer"]["rules_required"] is True
        assert mine["newcomer"]["agreed_at"] is not None
        assert mine["newcomer"]["questionnaire"] == "done"
        assert mine["answers"] == {
            "about": ["I sail on weekends"],
            "experience": ["beginner"],
            "topics": ["rust"],
        }
        assert [p["role"] for p in mine["pairings"]] == ["newcomer"]


async def test_forgetting_a_newcomer_erases_answers_and_closes_the_pairing() -> None:
    async with harness() as h:
        await h.command("carol", "/mentor on rust")
        await onboard(h, "dave")
        dave = await record(h, "dave")
        await h.command("dave", "/mydata forget")
        await h.click("dave", "Forget me")
        async with h.runtime.storage.unit_of_work() as uow:
            left = await uow.get(PersonData).remaining(dave.person_id, [dave.ref])  # type: ignore[type-abstract]
        assert left == {}
        async with h.runtime.storage.connection() as conn:
            texts = (await conn.execute(select(onboarding_answers.c.value))).scalars().all()
            pairs = (await conn.execute(select(onboarding_pairings))).all()
        assert "I sail on weekends" not in texts and pairs == []
        assert h.runtime.scheduler.pending_count == 0  # reminders and the check-in are gone


async def test_forgetting_a_mentor_hands_their_newcomers_on() -> None:
    async with harness() as h:
        await h.command("carol", "/mentor on rust")
        await onboard(h, "dave")
        await h.command("erin", "/mentor on")
        await h.command("carol", "/mydata forget")
        await h.click("carol", "Forget me")
        assert "Meet @erin" in h.dms("dave")[-1].text
        out = await h.command("alice", "/mentors")
        assert "1 mentor on duty" in out[0].text and "@carol" not in out[0].text
