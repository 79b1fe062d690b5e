"""Surveys: from the config file or from chat, sent to a channel or a role, answered once."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.features import feature_models
from bot.testing import Harness, load_config_dict
from storage.tables.polls import survey_responses

FEEDBACK = {
    "name": "feedback",
    "title": "How are we doing?",
    "questions": [
        {
            "id": "rating",
            "label": "How useful is this community?",
            "kind": "choice",
            "options": ["Very", "Somewhat", "Not really"],
        },
        {
            "id": "topics",
            "label": "What should we talk about more?",
            "kind": "multi",
            "options": ["Events", "Help", "News"],
            "required": False,
        },
        {"id": "wish", "label": "One thing you would change?", "kind": "paragraph"},
    ],
}


def config(**polls: Any) -> dict[str, Any]:
    return {"features": {"polls": {"surveys": [FEEDBACK], **polls}}}


async def responses(h: Harness) -> list[dict[str, Any]]:
    async with h.runtime.storage.connection() as conn:
        rows = await conn.execute(select(survey_responses).order_by(survey_responses.c.id))
        return [dict(r) for r in rows.mappings()]


async def test_config_survey_sent_answered_and_summarised() -> None:
    async with Harness(config=config()) as h:
        out = await h.command("bob", "/survey send feedback")
        invitation = next(p for p in h.sent if p.text.startswith("📋 Survey: How are we doing?"))
        assert "3 questions — click Answer" in invitation.text
        assert invitation.channel is not None and invitation.channel.name == "general"
        assert "Survey feedback is posted in #general." in h.answer(out, "bob").text
        await h.click("carol", "Answer")
        form = h.community.forms[h.ref("carol")]
        assert [f.field_id for f in form.fields] == ["rating", "topics", "wish"]
        out = await h.submit("carol", rating="Very", topics="Events, news", wish="More meetups")
        assert "Your answers to “How are we doing?” are saved." in out[0].text
        await h.click("alice", "Answer")
        await h.submit("alice", rating="2", wish="Fewer bots")  # a choice by its number
        await h.click("carol", "Answer")
        out = await h.submit("carol", rating="Somewhat", wish="More meetups, please")
        assert "are updated" in out[0].text  # answering again replaces, never adds
        stored = await responses(h)
        assert len(stored) == 2 and all(r["person_id"] for r in stored)
        out = await h.command("bob", "/survey results feedback")
        text = out[0].text
        assert "📋 Survey “How are we doing?” (feedback) — 2 responses" in text
        assert "Somewhat — 2 (100%)" in text and "Very — 0 (0%)" in text
        assert "2. What should we talk about more?" in text and "Events — 0 (0%)" in text
        assert "3. One thing you would change? — 2 answers" in text
        assert "“More meetups, please”" in text and "“Fewer bots”" in text
        assert "agora export survey feedback" in text


async def test_answers_are_checked() -> None:
    async with Harness(config=config()) as h:
        await h.command("bob", "/survey send feedback")
        await h.click("carol", "Answer")
        out = await h.submit("carol", rating="Very")
        assert "Please answer “One thing you would change?”." in out[0].text
        await h.click("carol", "Answer")
        out = await h.submit("carol", rating="Brilliant", wish="x")
        assert "“Brilliant” is not a choice for “How useful is this community?”" in out[0].text
        assert "Very, Somewhat, Not really" in out[0].text
        assert await responses(h) == []


async def test_multi_answers_count_each_choice() -> None:
    async with Harness(config=config()) as h:
        await h.command("bob", "/survey send feedback")
        for name in ("alice", "carol"):
            await h.click(name, "Answer")
            await h.submit(name, rating="Very", topics="Events,Help", wish="-")
        out = await h.command("bob", "/survey results feedback")
        assert "Events — 2 (100%)" in out[0].text and "News — 0 (0%)" in out[0].text


async def test_survey_made_in_chat_can_be_anonymous() -> None:
    async with Harness() as h:
        out = await h.command("bob", "/survey create")
        assert "New survey" in h.dms("bob")[-1].text
        out = await h.submit(
            "bob",
            title="Onboarding check",
            questions="How did you find us?\nHow often do you visit? | daily | weekly\n"
            "+Which topics? | events | help",
            anonymous="yes",
        )
        assert "Survey 1 “Onboarding check” is ready." in out[0].text
        await h.command("bob", "/survey send 1 --channel #help")
        invitation = next(p for p in h.sent if p.text.startswith("📋 Survey: Onboarding"))
        assert invitation.channel is not None and invitation.channel.name == "help"
        assert "Answers are anonymous" in invitation.text
        await h.click("carol", "Answer")
        form = h.community.forms[h.ref("carol")]
        assert [f.kind.value for f in form.fields] == ["paragraph", "choice", "multi"]
        await h.submit("carol", q1="A friend told me", q2="weekly", q3="events,help")
        (stored,) = await responses(h)
        assert stored["person_id"] is None
        assert stored["submitted_at"].hour == 0 and stored["submitted_at"].minute == 0
        await h.click("carol", "Answer")
        await h.submit("carol", q1="A friend", q2="daily", q3="help")
        assert len(await responses(h)) == 1  # still recognised: one response per member
        out = await h.command("bob", "/survey results 1")
        assert "daily — 1 (100%)" in out[0].text


@pytest.mark.parametrize(
    ("questions", "message"),
    [
        ("", "Write at least one question"),
        ("How often? | daily", "needs at least two choices"),
        ("\n".join(f"Q{n}?" for n in range(11)), "at most 10 questions"),
        ("Which? | " + "x" * 76 + " | y", "under 75 characters each"),
    ],
)
async def test_survey_create_mistakes(questions: str, message: str) -> None:
    async with Harness() as h:
        await h.command("bob", "/survey create")
        out = await h.submit("bob", title="T", questions=questions)
        assert message in out[0].text


async def test_send_by_dm_to_a_role() -> None:
    async with Harness(config=config()) as h:
        await h.join("dave", "newcomer")
        await h.join("erin", "Newcomer")
        out = await h.command("bob", "/survey send feedback --role newcomer")
        assert "Survey sent by DM to 2 members." in h.answer(out, "bob").text
        for name in ("dave", "erin"):
            (dm,) = [p for p in h.dms(name) if p.text.startswith("📋 Survey")]
            assert "seen only by the moderators" in dm.text and dm.buttons
        assert not [p for p in h.dms("carol") if p.text.startswith("📋 Survey")]
        await h.click("dave", "Answer")
        out = await h.submit("dave", rating="Very", wish="All good")
        assert "saved" in out[0].text
        out = await h.command("bob", "/survey send feedback --role astronaut")
        assert "Nobody here has the role astronaut." in h.answer(out, "bob").text


async def test_surveys_are_for_moderators_and_close() -> None:
    async with Harness(config=config()) as h:
        for line in ("/survey send feedback", "/survey results feedback", "/survey list"):
            out = await h.command("carol", line)
            assert "for moderators only" in out[0].text
        out = await h.command("bob", "/survey send nosuch")
        assert "There is no survey nosuch" in h.answer(out, "bob").text
        await h.command("bob", "/survey send feedback")
        out = await h.command("bob", "/survey list")
        assert "feedback — How are we doing?: 0 responses, open" in out[0].text
        out = await h.command("bob", "/survey close feedback")
        assert "Survey feedback is closed." in out[0].text
        out = await h.click("carol", "Answer")
        assert "Survey feedback is closed." in out[0].text
        out = await h.command("carol", "/survey answer feedback")
        assert "closed" in out[0].text
        out = await h.command("bob", "/survey close feedback")
        assert "already closed" in out[0].text


async def test_survey_answer_command_opens_the_form() -> None:
    async with Harness(config=config()) as h:
        await h.command("carol", "/survey answer feedback")
        assert h.ref("carol") in h.community.forms


async def test_editing_the_config_updates_the_survey() -> None:
    edited = {**FEEDBACK, "title": "How are we doing in 2026?"}
    async with Harness(config=config()) as h:
        await h.command("bob", "/survey send feedback")
        new = load_config_dict(
            {"features": {"polls": {"surveys": [edited]}}, "limits": {"commands_per_minute": 0}},
            feature_models(),
        )
        h.runtime.replace_config(new)
        await h.command("bob", "/survey send feedback")
        assert h.sent[-2].text.startswith("📋 Survey: How are we doing in 2026?")


def test_config_rejects_broken_surveys() -> None:
    from bot.config import ConfigError

    broken = [
        {"surveys": [{**FEEDBACK, "name": "Feed Back"}]},
        {"surveys": [FEEDBACK, FEEDBACK]},
        {"surveys": [{**FEEDBACK, "name": "exit"}]},
        {"exit_survey_form": "missing"},
        {"surveys": [{**FEEDBACK, "questions": [{"id": "a", "label": "A", "kind": "choice"}]}]},
        {
            "surveys": [
                {
                    **FEEDBACK,
                    "questions": [
                        {"id": "a", "label": "A", "kind": "choice", "options": ["x" * 76, "y"]}
                    ],
                }
            ]
        },
        {"default_closes": "soon"},
    ]
    for polls in broken:
        with pytest.raises(ConfigError):
            load_config_dict({"features": {"polls": polls}}, feature_models())
