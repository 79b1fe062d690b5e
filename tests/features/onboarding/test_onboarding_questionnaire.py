"""The questionnaire: one question at a time, skippable, answers stored and applied."""

from __future__ import annotations

from dataclasses import replace

from bot.features.onboarding.store import AnswerStore, Newcomers, Progress
from bot.model import Capability
from bot.ports import Directory
from bot.testing import Harness
from tests.features.onboarding.conftest import MakeHarness, texts


async def _state(h: Harness, name: str) -> tuple[Progress | None, dict[str, list[str]]]:
    async with h.runtime.storage.unit_of_work() as uow:
        record = await uow.get(Directory).get(h.ref(name))  # type: ignore[type-abstract]
        assert record is not None
        newcomer = await uow.get(Newcomers).get(record.person_id)  # type: ignore[type-abstract]
        answers = await uow.get(AnswerStore).of(record.person_id)  # type: ignore[type-abstract]
    return (newcomer.progress if newcomer else None), answers


async def test_answers_one_question_after_another(harness: MakeHarness) -> None:
    async with harness() as h:
        await h.join("dave")
        first = await h.click("dave", "Start")
        assert "Which topics interest you?" in first[0].text
        assert "Question 1 of 3" in first[0].text
        assert first[0].selects[0].multi
        await h.select("dave", ["python"])
        await h.select("dave", ["python", "design"])  # menus may report every change
        assert "Your answer now: python, design" in h.community.post(first[0].number).text
        out = await h.click("dave", "Next")
        question = h.community.post(first[0].number)
        assert question.text == "✓ Which topics interest you? — python, design"
        assert "How experienced are you?" in h.answer(out, "dave").text
        assert [b.label for b in h.answer(out, "dave").buttons] == [
            "Just starting",
            "Experienced",
            "Skip",
        ]
        out = await h.click("dave", "Experienced")
        assert "Tell us about yourself" in h.answer(out, "dave").text
        await h.click("dave", "Answer")
        out = await h.submit("dave", answer="I build boats and like Rust.")
        assert "That's all" in h.answer(out, "dave").text
        progress, answers = await _state(h, "dave")
        assert progress is Progress.DONE
        assert answers == {
            "topics": ["python", "design"],
            "experience": ["expert"],
            "about": ["I build boats and like Rust."],
        }


async def test_members_can_skip_questions_or_everything(harness: MakeHarness) -> None:
    async with harness() as h:
        await h.join("dave")
        await h.click("dave", "Start")
        out = await h.click("dave", "Skip")
        assert "How experienced are you?" in h.answer(out, "dave").text
        assert "skipped" in h.community.post(h.answer(out, "dave").number - 1).text
        await h.join("frank")
        out = await h.click("frank", "Skip the questions")
        assert "the questions are skipped" in out[0].text
        assert (await _state(h, "frank")) == (Progress.SKIPPED, {})
        assert (await _state(h, "dave"))[0] is Progress.ASKING


async def test_answers_give_roles_and_a_changed_answer_takes_them_back(
    harness: MakeHarness,
) -> None:
    async with harness() as h:
        await h.join("dave")
        await h.click("dave", "Start")
        await h.click("dave", "Skip")
        await h.click("dave", "Just starting")
        assert h.community.members["dave"].roles == {"Beginner"}
        await h.command("dave", "/profile edit")
        await h.click("dave", "Skip")
        await h.click("dave", "Experienced")
        assert h.community.members["dave"].roles == {"Expert"}


async def test_roles_stay_answers_only_where_the_platform_has_none(harness: MakeHarness) -> None:
    async with harness() as h:
        h.port.capabilities = frozenset(Capability) - {Capability.ROLES}
        await h.join("dave")
        await h.click("dave", "Start")
        await h.click("dave", "Skip")
        await h.click("dave", "Just starting")
        assert h.community.members["dave"].roles == frozenset()
        assert (await _state(h, "dave"))[1] == {"experience": ["beginner"]}


async def test_the_language_question_sets_the_language_of_what_follows(
    harness: MakeHarness,
) -> None:
    questions = [
        {
            "id": "language",
            "text": {"en": "Which language?", "nb": "Hvilket språk?"},
            "sets": "language",
            "options": [{"id": "en", "label": "English"}, {"id": "nb", "label": "Norsk"}],
        },
        {"id": "city", "text": {"en": "Where do you live?", "nb": "Hvor bor du?"}, "kind": "text"},
    ]
    async with harness(questions=questions) as h:
        await h.join("dave")
        await h.click("dave", "Start")
        out = await h.click("dave", "Norsk")
        assert "Hvor bor du?" in h.answer(out, "dave").text
        async with h.runtime.storage.unit_of_work() as uow:
            record = await uow.get(Directory).get(h.ref("dave"))  # type: ignore[type-abstract]
        assert record is not None and record.locale == "nb"


async def test_a_time_zone_answer_is_checked_and_set(harness: MakeHarness) -> None:
    questions = [{"id": "tz", "text": "Your time zone?", "kind": "text", "sets": "timezone"}]
    async with harness(questions=questions) as h:
        await h.join("dave")
        await h.click("dave", "Start")
        await h.click("dave", "Answer")
        out = await h.submit("dave", answer="Europe/Osl")
        assert "Did you mean: Europe/Oslo" in out[0].text
        await h.click("dave", "Answer")
        await h.submit("dave", answer="Europe/Oslo")
        async with h.runtime.storage.unit_of_work() as uow:
            record = await uow.get(Directory).get(h.ref("dave"))  # type: ignore[type-abstract]
        assert record is not None and record.timezone == "Europe/Oslo"


async def test_free_text_is_bounded_and_never_echoed_raw(harness: MakeHarness) -> None:
    async with harness() as h:
        await h.join("dave")
        await h.click("dave", "Start")
        await h.click("dave", "Skip")
        await h.click("dave", "Skip")
        await h.click("dave", "Answer")
        out = await h.submit("dave", answer="x" * 501)
        assert "under 500 characters" in out[0].text
        await h.click("dave", "Answer")
        await h.submit("dave", answer="hi @everyone")
        profile = await h.command("dave", "/profile")
        assert "@everyone" not in profile[0].text
        assert "hi @\u200beveryone" in profile[0].text


async def test_a_stale_or_forged_choice_is_refused(harness: MakeHarness) -> None:
    async with harness() as h:
        await h.join("dave")
        await h.click("dave", "Start")
        event = h.community.select("dave", ["python"])
        await h.dispatch(replace(event, values=("cobol",)))
        assert "not one of the choices" in h.last(to="dave").text
        await h.dispatch(replace(event, event_id="again", action_id="onboarding:pick:removed"))
        assert "no longer asked" in h.last(to="dave").text


async def test_profile_edit_walks_through_with_current_answers(harness: MakeHarness) -> None:
    async with harness() as h:
        out = await h.command("carol", "/profile edit", channel="general")
        assert "sent you the questions" in out[0].text  # the questions follow by DM
        assert h.dms("carol")[-1].text.startswith("Which topics interest you?")
        await h.select("carol", ["rust"])
        out = await h.command("carol", "/profile edit")
        assert "Your answer now: rust" in texts(out)
        assert (await _state(h, "carol"))[0] is None  # an old member: no newcomer record


async def test_a_member_who_leaves_mid_questionnaire_is_closed_cleanly(
    harness: MakeHarness,
) -> None:
    async with harness(reminder_hours=24) as h:
        await h.join("dave")
        await h.click("dave", "Start")
        await h.select("dave", ["rust"])
        await h.leave("dave")
        assert await h.tick("3d") == []  # no reminder for someone who left
        async with h.runtime.storage.unit_of_work() as uow:
            record = await uow.get(Directory).get(h.ref("dave"))  # type: ignore[type-abstract]
            assert record is not None
            newcomer = await uow.get(Newcomers).get(record.person_id)  # type: ignore[type-abstract]
        assert newcomer is not None and newcomer.left_at is not None
        assert h.runtime.scheduler.pending_count == 0
        # Back a week later: the answer given is kept, the questions go on from there.
        await h.join("dave")
        out = await h.click("dave", "Start")
        assert "How experienced are you?" in h.answer(out, "dave").text


async def test_reminder_to_finish_the_questions(harness: MakeHarness) -> None:
    async with harness(reminder_hours=24) as h:
        await h.join("dave")
        await h.click("dave", "Start")
        await h.select("dave", ["rust"])
        out = await h.tick("24h")
        assert "You have 2 questions left" in out[0].text
        assert [b.label for b in out[0].buttons] == ["Continue", "Skip the questions"]
        out = await h.click("dave", "Continue")
        assert "How experienced are you?" in h.answer(out, "dave").text


async def test_no_questions_means_no_questionnaire(harness: MakeHarness) -> None:
    async with harness(questions=[]) as h:
        await h.join("dave")
        assert h.dms("dave")[0].buttons == ()
        out = await h.command("dave", "/profile edit")
        assert "no questions" in out[0].text
