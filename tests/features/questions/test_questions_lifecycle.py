"""open → answered → solved / closed → reopened, and who may move a question along."""

from __future__ import annotations

from typing import Any

from adapters.memory.community import Posted
from bot.context import Context
from bot.features.questions.handlers import feature as questions_feature
from bot.features.questions.store import CloseReason, Question, Questions, State
from bot.registry import Feature
from bot.signals import AnswerAccepted
from bot.testing import Harness
from tests.features.questions.conftest import MakeHarness


async def ask(h: Harness, text: str = "How do I reset my password?", who: str = "carol") -> int:
    """Ask in #general; the number of the question's root post in #help."""
    await h.command(who, f"/ask {text}")
    root = [p for p in h.in_channel("help") if p.thread_of is None and "Question #" in p.text]
    assert root, h.texts()
    return root[-1].number


def in_thread(h: Harness, root: int) -> list[Posted]:
    ref = h.community.post(root).ref
    return [p for p in h.sent if p.thread_of == ref]


async def question(h: Harness, question_id: int = 1) -> Question:
    async with h.runtime.storage.unit_of_work() as uow:
        found = await uow.get(Questions).get(question_id)
    assert found is not None
    return found


async def answer(h: Harness, root: int, who: str = "hana", text: str = "Use the link") -> Posted:
    return await h.say(who, text, channel="help", thread_of=root)


def thread_key(h: Harness, q: Question) -> str:
    """The simulated community's key for the question's thread channel (to post in it)."""
    return next(key for key, c in h.community.channels.items() if c.ref == q.thread)


def spy() -> tuple[Feature, list[AnswerAccepted]]:
    seen: list[AnswerAccepted] = []
    listener = Feature("spy")

    @listener.on(AnswerAccepted)
    async def heard(ctx: Context, signal: AnswerAccepted) -> None:
        seen.append(signal)

    return listener, seen


async def test_ask_posts_the_question_in_help_with_a_thread(h: Harness) -> None:
    out = await h.command("carol", "/ask How do I reset my password?")
    root = h.in_channel("help")[0]
    assert root.text.startswith("❓ Question #1 from @carol")
    assert "How do I reset my password?" in root.text
    confirmation = out[-1]
    assert confirmation.ephemeral_to == h.ref("carol")
    assert "#1 in #help" in confirmation.text and "30 min" in confirmation.text
    q = await question(h)
    assert q.state is State.OPEN and q.thread is not None and q.message == root.ref
    thread = h.community.channel_by_ref(q.thread)
    assert thread is not None and thread.parent == root.ref


async def test_first_reply_by_someone_else_answers_it_the_askers_own_does_not(
    h: Harness,
) -> None:
    root = await ask(h)
    await h.tick("5m")
    await answer(h, root, who="carol", text="It's for my work account")
    assert (await question(h)).state is State.OPEN
    await h.tick("5m")
    await answer(h, root)
    q = await question(h)
    assert q.state is State.ANSWERED
    assert q.first_response_at is not None
    assert (q.first_response_at - q.created_at).total_seconds() == 600
    prompt = in_thread(h, root)[-1]
    assert "@hana answered" in prompt.text and prompt.buttons[0].label == "Accept hana's answer"


async def test_reply_inside_the_thread_channel_counts_too(h: Harness) -> None:
    await ask(h)
    await h.say("hana", "Here is how", channel=thread_key(h, await question(h)))
    assert (await question(h)).state is State.ANSWERED


async def test_accept_by_reaction_records_the_answerer_and_emits_answer_accepted(
    harness: Any,
) -> None:
    listener, seen = spy()
    async with harness(top={"features": [questions_feature, listener]}) as h:
        root = await ask(h)
        reply = await answer(h, root)
        await h.react("carol", reply.number, "✅")
        q = await question(h)
        assert q.state is State.SOLVED
        assert q.answerer == h.ref("hana") and q.solved_at is not None
        assert "@carol accepted @hana's answer" in in_thread(h, root)[-1].text
        assert h.community.post(root).text.startswith("✅ Solved — question #1")
        assert seen == [AnswerAccepted(1, h.ref("carol"), h.ref("hana"), h.ref("carol"), None)]
        await h.react("carol", reply.number, "✅", added=False)
        await h.react("carol", reply.number, "✅")
        assert len(seen) == 1


async def test_accept_by_button(h: Harness) -> None:
    root = await ask(h)
    await answer(h, root)
    await h.click("carol", "Accept hana's answer")
    q = await question(h)
    assert q.state is State.SOLVED and q.answerer == h.ref("hana")
    assert q.accepted_by_person_id == q.asker_person_id
    out = await h.click("carol", "Accept hana's answer")
    assert "already solved" in out[-1].text and out[-1].ephemeral_to == h.ref("carol")


async def test_who_may_accept(h: Harness) -> None:
    root = await ask(h)
    reply = await answer(h, root)
    out = await h.react("dave", reply.number, "✅")
    assert out == [] and (await question(h)).state is State.ANSWERED
    out = await h.click("dave", "Accept hana's answer")
    assert "Only the member who asked, a helper or a moderator" in out[-1].text
    out = await h.react("hana", reply.number, "✅")
    assert "can't accept your own answer" in out[-1].text
    assert out[-1].ephemeral_to == h.ref("hana")
    assert (await question(h)).state is State.ANSWERED
    await h.react("bob", reply.number, "✅")
    q = await question(h)
    assert q.state is State.SOLVED and q.answerer == h.ref("hana")
    assert "@bob marked @hana's answer as the solution" in in_thread(h, root)[-1].text


async def test_asker_marking_their_own_message_solves_without_an_answerer(
    harness: Any,
) -> None:
    listener, seen = spy()
    async with harness(top={"features": [questions_feature, listener]}) as h:
        root = await ask(h)
        own = await answer(h, root, who="carol", text="Never mind, found it: restart")
        await h.react("carol", own.number, "✅")
        q = await question(h)
        assert q.state is State.SOLVED and q.answerer is None
        assert "@carol marked this question as solved" in in_thread(h, root)[-1].text
        assert seen == []


async def test_close_with_a_reason_and_who_may(h: Harness) -> None:
    root = await ask(h)
    other = await ask(h, "Where are the meeting notes?", who="dave")
    out = await h.command("dave", "/question close off-topic 1")
    assert "Only the member who asked, a helper or a moderator can close" in out[-1].text
    out = await h.command("hana", "/question close off-topic 1 --of 2")
    assert "use it with duplicate" in out[-1].text
    out = await h.command("hana", "/question close duplicate 1 --of 1")
    assert "duplicate of itself" in out[-1].text
    out = await h.command("hana", "/question close duplicate 1 --of 99")
    assert "no question #99" in out[-1].text
    out = await h.command("hana", "/question close duplicate 1 --of 2")
    assert out[-1].text == "Question #1 is closed." and out[-1].ephemeral_to == h.ref("hana")
    q = await question(h)
    assert q.state is State.CLOSED and q.close_reason is CloseReason.DUPLICATE
    assert q.duplicate_of == 2
    assert f"as a duplicate of #2 [{other}]" in in_thread(h, root)[-1].text
    assert h.community.post(root).text.startswith("🔒 Closed (duplicate)")
    out = await h.command("carol", "/question close stale 1")
    assert "already solved or closed" in out[-1].text
    out = await h.command("dave", "/question close stale 2")
    assert out[-1].text == "Question #2 is closed."
    out = await h.command("carol", "/question close stale")
    assert "Say which question" in out[-1].text


async def test_close_in_the_thread_needs_no_number(h: Harness) -> None:
    await ask(h)
    out = await h.command(
        "carol", "/question close stale", channel=thread_key(h, await question(h))
    )
    assert out[-1].text == "Question #1 is closed."


async def test_reopen(h: Harness) -> None:
    root = await ask(h)
    out = await h.command("carol", "/reopen 1")
    assert "still open" in out[-1].text
    reply = await answer(h, root)
    await h.react("carol", reply.number, "✅")
    out = await h.command("dave", "/reopen 1")
    assert "Only the member who asked" in out[-1].text
    out = await h.command("carol", "/reopen 1")
    assert "open again" in out[-1].text
    q = await question(h)
    assert q.state is State.ANSWERED and q.solved_at is None and q.answerer is None
    assert "@carol reopened" in in_thread(h, root)[-1].text
    assert h.community.post(root).text.startswith("❓ Question #1")
    # No longer solved, so no longer suggested by the FAQ search.
    out = await h.command("dave", "/ask How to reset a password?")
    assert "Before you post" not in out[-1].text


async def test_reopened_unanswered_question_escalates_again(h: Harness) -> None:
    await ask(h)
    await h.command("carol", "/question close stale 1")
    await h.tick("2h")
    await h.command("carol", "/reopen 1")
    assert (await question(h)).state is State.OPEN
    posts = await h.tick("31m")
    assert any("asked the helpers" in p.text for p in posts)


async def test_follow_up_yes_solves_with_the_last_answer(h: Harness) -> None:
    root = await ask(h)
    await answer(h, root)
    posts = await h.tick("23h")
    assert not any("did the answers here solve" in p.text for p in posts)
    posts = await h.tick("2h")
    (follow,) = [p for p in posts if "did the answers here solve" in p.text]
    assert follow.text.startswith("@carol") and follow.thread_of == h.community.post(root).ref
    out = await h.click("dave", "No, I still need help")
    assert "Only the member who asked" in out[-1].text
    await h.click("carol", "Yes, it's solved")
    q = await question(h)
    assert q.state is State.SOLVED and q.answerer == h.ref("hana")


async def test_follow_up_no_brings_the_helpers_back_and_asks_again_later(h: Harness) -> None:
    root = await ask(h)
    await answer(h, root, who="dave", text="No idea, sorry")
    await h.tick("25h")
    out = await h.click("carol", "No, I still need help")
    assert "asked the helpers to take another look: @hana" in out[-1].text
    assert (await question(h)).state is State.ANSWERED
    posts = await h.tick("25h")
    assert sum("did the answers here solve" in p.text for p in posts) == 1


async def test_idle_answered_question_closes_with_how_to_reopen(h: Harness) -> None:
    root = await ask(h)
    await h.tick("1d")
    await answer(h, root)
    posts = await h.tick("6d23h")
    assert (await question(h)).state is State.ANSWERED
    posts = await h.tick("2h")
    (closing,) = [p for p in posts if "without activity" in p.text]
    assert "7 days" in closing.text and "/reopen 1" in closing.text
    q = await question(h)
    assert q.state is State.CLOSED and q.close_reason is CloseReason.STALE


async def test_activity_moves_the_idle_clock_and_unanswered_never_auto_close(
    h: Harness,
) -> None:
    root = await ask(h)
    await ask(h, "Is there a dark mode?", who="dave")
    await answer(h, root)
    await h.tick("6d")
    await answer(h, root, who="carol", text="still trying")
    await h.tick("6d")
    assert (await question(h)).state is State.ANSWERED
    await h.tick("2d")
    assert (await question(h)).state is State.CLOSED
    await h.tick("60d")
    assert (await question(h, 2)).state is State.OPEN


async def test_help_channel_messages_become_questions(harness: Any) -> None:
    async with harness(help_channels=["help"]) as h:
        message = await h.say("carol", "My build fails with error 42", channel="help")
        q = await question(h)
        assert q.message == message.ref and q.title == "My build fails with error 42"
        notice = in_thread(h, message.number)[0]
        assert notice.text.startswith("@carol, I'm tracking this as question #1")
        await h.say("dave", "random chatter", channel="general")
        reply = await answer(h, message.number)
        await h.react("carol", reply.number, "✅")
        assert (await question(h)).state is State.SOLVED
        assert "Solved" not in h.community.post(message.number).text  # a member's own post


async def test_question_emoji_turns_a_message_into_a_question(h: Harness) -> None:
    message = await h.say("carol", "Does anyone know how to export my data?")
    await h.react("hana", message.number, "❓")
    q = await question(h)
    assert q.asker == h.ref("carol") and q.title == "Does anyone know how to export my data?"
    assert q.message == message.ref and q.channel == h.community.channel("general").ref
    await h.react("dave", message.number, "❓")
    notice = in_thread(h, message.number)[0]
    await h.react("carol", notice.number, "❓")
    async with h.runtime.storage.unit_of_work() as uow:
        assert await uow.get(Questions).get(2) is None


async def test_ask_input_is_checked(h: Harness) -> None:
    out = await h.command("carol", "/ask")
    assert "Missing <question>" in out[-1].text
    out = await h.command("carol", "/ask ???")
    assert "Write your question after /ask" in out[-1].text
    out = await h.command("carol", "/ask " + "why " * 300)
    assert "under 1000 characters" in out[-1].text
    out = await h.command("carol", "/ask What now? --topic two-words!")
    assert "A topic is one word" in out[-1].text
    assert h.in_channel("help") == []


async def test_topics_when_configured(harness: Any) -> None:
    async with harness(topics={"billing": ["user:bob"], "setup": []}) as h:
        out = await h.command("carol", "/ask Where is my invoice? --topic shipping")
        assert "Topics: billing, setup" in out[-1].text
        await h.command("carol", "/ask Where is my invoice? billing")
        q = await question(h)
        assert q.topic == "billing" and q.title == "Where is my invoice?"
        await h.command("carol", "/ask How do I pay my billing")
        assert (await question(h, 2)).topic is None
        out = await h.command("carol", "/questions billing")
        assert "#1" in out[-1].text and "#2" not in out[-1].text


def test_config_errors_are_friendly() -> None:
    import pytest
    from pydantic import ValidationError

    from bot.features.questions.config import QuestionsConfig, parse_quiet_hours

    with pytest.raises(ValidationError, match="HH:MM-HH:MM"):
        QuestionsConfig(quiet_hours="late")
    with pytest.raises(ValidationError, match="one word"):
        QuestionsConfig(topics={"two words": []})
    with pytest.raises(ValidationError, match="role:NAME or user:NAME"):
        QuestionsConfig(helpers=["helpers"])
    with pytest.raises(ValidationError, match="longer than follow_up_hours"):
        QuestionsConfig(follow_up_hours=48, idle_close_days=1)
    quiet = parse_quiet_hours("22:00-08:00")
    assert quiet is not None and quiet.contains(quiet.start) and not quiet.contains(quiet.end)
    assert QuestionsConfig(topics={"Billing": []}).topics == {"billing": []}


async def test_the_question_post_speaks_the_communitys_language(harness: MakeHarness) -> None:
    """carol reads Agora in Ukrainian; #help is read by the whole Norwegian community."""
    async with harness(top={"config": {"bot": {"language": "nb"}}}) as h:
        await h.command("carol", "/language uk")
        out = await h.command("carol", "/ask How do I reset my password?")
        [post] = [p for p in out if p.channel == h.community.channel("help") and not p.thread_of]
        assert post.text.startswith("❓ Spørsmål #1 fra @carol")
        [confirmation] = [p for p in out if p.ephemeral_to == h.ref("carol")]
        assert any("\u0400" <= ch <= "\u04ff" for ch in confirmation.text)  # hers: Ukrainian
        later = await h.tick("31m")
        assert later and all(
            not any("\u0400" <= ch <= "\u04ff" for ch in p.text) for p in later if not p.dm_to
        )
