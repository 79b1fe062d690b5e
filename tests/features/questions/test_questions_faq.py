"""FAQ search before posting: suggestions, "that solved it", "post anyway", and ranking."""

from __future__ import annotations

from typing import Any

from bot.features.questions.search import (
    Query,
    index_terms,
    keys,
    normalize,
    parse_query,
    rank,
    stem,
    words_of,
)
from bot.features.questions.store import CloseReason, Questions, State
from bot.testing import Harness


async def solve(h: Harness, text: str, asker: str = "carol") -> None:
    """Ask, get an answer from hana, accept it: a solved question the FAQ knows."""
    await h.command(asker, f"/ask {text}")
    root = [p for p in h.in_channel("help") if p.thread_of is None][-1].number
    reply = await h.say("hana", "Here is how", channel="help", thread_of=root)
    await h.react(asker, reply.number, "✅")


def test_normalising_folds_case_diacritics_and_apostrophes() -> None:
    assert normalize("Kā nomainīt PAROLI?") == "ka nomainit paroli"
    assert normalize("Don't reset пам'ять!") == "dont reset память"
    assert normalize("Hvordan går det, Åse?") == "hvordan gar det ase"
    assert normalize("wifi_password  v2") == "wifi password v2"


def test_function_words_and_single_letters_are_not_searched() -> None:
    assert words_of("How do I reset my password?") == ["reset", "password"]
    assert words_of("Kā es varu nomainīt paroli?") == ["nomainit", "paroli"]
    assert words_of("Miten voin vaihtaa salasanan?") == ["vaihtaa", "salasanan"]
    assert words_of("Як я можу змінити пароль?") == ["змінити", "пароль"]
    assert words_of("Hvordan kan jeg endre passord?") == ["endre", "passord"]
    assert words_of("a 4 b") == ["4"]


def test_each_languages_question_words_are_not_searched() -> None:
    assert words_of("Hvilken plattform bruker dere?") == ["plattform", "bruker"]
    assert words_of("Cik maksā abonements? Ko vajag?") == ["maksa", "abonements"]
    assert words_of("Mistä ja kuinka löydän sen, mihin?") == ["loydan", "sen"]
    assert words_of("Скільки коштує і куди треба писати?") == ["коштує", "писати"]


def test_roots_join_forms_that_change_inside_the_word() -> None:
    def same(a: str, b: str) -> bool:
        return not keys(normalize(a)).isdisjoint(keys(normalize(b)))

    assert same("tiedon", "tieto") and same("tietoa", "tiedon")  # Finnish gradation
    assert same("boka", "bøker") and same("bok", "bøkene")  # Bokmål umlaut
    assert same("друзі", "друг") and same("друзів", "друга")  # Ukrainian г/з
    assert same("стіл", "стола") and same("пароля", "паролем")
    assert not same("tieto", "tila") and not same("друг", "дружина")
    assert "tieto" in index_terms("Mistä löydän tiedon?")


def test_stems_survive_inflection() -> None:
    assert stem("salasanan") == "salasa" and "salasana".startswith(stem("salasanan"))
    assert stem("paroles") == "parol" and "paroli".startswith(stem("paroles"))
    assert stem("пароля") == "паро"
    assert stem("wifi") == "wifi" and stem("2024") == "2024"
    terms = parse_query("reset resetting kirjautuminen").terms
    assert [(t.word, t.stem) for t in terms] == [
        ("kirjautuminen", "kirjau"),
        ("resetting", "resett"),
        ("reset", "rese"),
    ]
    assert parse_query("reset resetting kirjautuminen").terms_needed == 2


def test_rank_prefers_covering_more_words_and_drops_weak_matches() -> None:
    query = parse_query("reset my email password")
    titles = [
        ("weak", "Email notifications"),
        ("best", "How to reset your password and email"),
        ("good", "Password reset"),
        ("none", "Dark mode"),
    ]
    assert rank(query, titles, 3) == ["best", "good"]
    assert rank(Query(("password",)), [("a", "Passwords"), ("b", "My password")], 5) == ["b", "a"]
    assert rank(query, titles, 1) == ["best"]
    assert index_terms("") == [] and rank(query, [("x", "")], 3) == []


async def test_similar_solved_questions_are_suggested_before_posting(h: Harness) -> None:
    await solve(h, "How do I reset my password?")
    out = await h.command("dave", "/ask Forgot my password, how to reset it?")
    (suggested,) = out
    assert suggested.ephemeral_to == h.ref("dave")
    assert suggested.text.startswith("Before you post: these solved questions look similar.")
    assert "• #1 How do I reset my password? — [1]" in suggested.text
    assert [b.label for b in suggested.buttons] == ["That solved it", "Post anyway"]
    before = len(h.in_channel("help"))
    out = await h.click("dave", "Post anyway")
    assert "Your question is #2" in out[-1].text
    assert len(h.in_channel("help")) > before
    out = await h.click("dave", "Post anyway")
    assert "already posted or dropped" in out[-1].text
    async with h.runtime.storage.unit_of_work() as uow:
        second = await uow.get(Questions).get(2)
    assert second is not None and second.title == "Forgot my password, how to reset it?"


async def test_that_solved_it_posts_nothing_and_counts_a_deflection(h: Harness) -> None:
    await solve(h, "How do I reset my password?")
    before = len(h.in_channel("help"))
    await h.command("dave", "/ask password reset?")
    out = await h.click("dave", "That solved it")
    assert out[-1].text.startswith("Glad that helped! Nothing was posted.")
    assert len(h.in_channel("help")) == before
    out = await h.click("dave", "Post anyway")
    assert "already posted or dropped" in out[-1].text
    out = await h.command("alice", "/question stats")
    assert "Answered by the FAQ: 1 | 1" in out[-1].text


async def test_unrelated_questions_post_directly(h: Harness) -> None:
    await solve(h, "How do I reset my password?")
    out = await h.command("dave", "/ask Is there a dark mode?")
    assert "Your question is #2" in out[-1].text


async def test_faq_search_can_be_turned_off(harness: Any) -> None:
    async with harness(faq_suggestions=0) as h:
        await solve(h, "How do I reset my password?")
        out = await h.command("dave", "/ask How do I reset my password?")
        assert "Your question is #2" in out[-1].text


async def test_questions_from_a_help_channel_get_suggestions_in_the_thread(
    harness: Any,
) -> None:
    async with harness(help_channels=["help"]) as h:
        await solve(h, "How do I reset my password?")
        message = await h.say("dave", "I need to reset my password", channel="help")
        notice = h.sent[-1]
        assert notice.thread_of == message.ref
        assert "These solved questions may already answer it:" in notice.text
        out = await h.click("carol", "That solved it")
        assert "Only the member who asked" in out[-1].text
        await h.click("dave", "That solved it")
        async with h.runtime.storage.unit_of_work() as uow:
            q = await uow.get(Questions).get(2)
        assert q is not None and q.state is State.CLOSED
        assert q.close_reason is CloseReason.DUPLICATE
        out = await h.command("alice", "/question stats")
        assert "Answered by the FAQ: 1 | 1" in out[-1].text
