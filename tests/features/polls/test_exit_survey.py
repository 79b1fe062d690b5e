"""Exit surveys: a member who leaves gets a short, anonymous "why?" — where reachable."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.model import ButtonPressed, Capability, FormSubmitted
from bot.testing import Harness
from storage.tables.polls import survey_responses

ON = {"features": {"polls": {"exit_survey": True}}}


async def answer_as_departed(h: Harness, name: str, **values: str) -> None:
    """Platforms let a member who left click a DM button; the console cannot, so build it."""
    member = h.community.departed[name]
    invitation = next(p for p in h.dms(name) if p.buttons)
    button = invitation.buttons[0]
    await h.dispatch(
        ButtonPressed(
            event_id=f"exit-click-{name}",
            occurred_at=h.clock.now(),
            actor=member,
            action_id=button.action_id,
            value=button.value,
            message=invitation.ref,
        )
    )
    form = h.community.forms.pop(member.ref)
    await h.dispatch(
        FormSubmitted(
            event_id=f"exit-form-{name}",
            occurred_at=h.clock.now(),
            actor=member,
            form_id=form.form_id,
            values=values,
        )
    )


async def stored(h: Harness) -> list[dict[str, Any]]:
    async with h.runtime.storage.connection() as conn:
        return [dict(r) for r in (await conn.execute(select(survey_responses))).mappings()]


async def test_leaving_member_is_asked_why_and_answers_anonymously() -> None:
    async with Harness(config=ON) as h:
        await h.leave("carol")
        (dm,) = h.dms("carol")
        assert "Sorry to see you leave Agora community" in dm.text
        assert "Your answers are anonymous." in dm.text and dm.buttons[0].label == "Answer"
        await answer_as_departed(h, "carol", reason="Not enough activity", better="Evenings")
        assert "Thank you!" in h.dms("carol")[-1].text
        (row,) = await stored(h)
        assert row["person_id"] is None
        out = await h.command("bob", "/survey results exit")
        text = out[0].text
        assert "Before you go" in text and "1 response" in text
        assert "Not enough activity — 1 (100%)" in text and "“Evenings”" in text


async def test_off_by_default() -> None:
    async with Harness() as h:
        await h.leave("carol")
        assert h.dms("carol") == []


async def test_skipped_quietly_where_the_platform_cannot_dm() -> None:
    async with Harness(config=ON) as h:
        h.port.capabilities = frozenset(c for c in Capability if c is not Capability.DM)
        await h.leave("carol")
        assert h.dms("carol") == []
        assert h.app is not None and h.app.dispatcher.failures == 0


async def test_own_exit_survey_from_the_config() -> None:
    mine = {
        "name": "goodbye",
        "title": "One question",
        "anonymous": False,
        "questions": [{"id": "why", "label": "What made you go?", "kind": "paragraph"}],
    }
    settings = {
        "features": {
            "polls": {"exit_survey": True, "exit_survey_form": "goodbye", "surveys": [mine]}
        }
    }
    async with Harness(config=settings) as h:
        await h.leave("carol")
        assert "Your answers are anonymous." not in h.dms("carol")[0].text
        await answer_as_departed(h, "carol", why="Moved on")
        (row,) = await stored(h)
        assert row["person_id"] is not None
        out = await h.command("bob", "/survey results exit")
        assert "One question" in out[0].text and "“Moved on”" in out[0].text
