"""Autocomplete suggestions: read from the community's data as the member typing sees it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from bot.args import Suggestion, matching
from bot.ports import StorageUnavailable
from bot.suggestions import suggestions
from bot.testing import Harness


async def suggested(h: Harness, name: str, command: str, option: str, typed: str = "") -> list:
    found = await suggestions(h.runtime, h.community.member(name), command, option, typed)
    return [(s.value, s.label) for s in found]


def test_a_number_matches_the_value_and_words_match_the_label() -> None:
    offered = [Suggestion("3", "#3 Lunch on Friday?"), Suggestion("12", "#12 Which editor?")]
    assert matching("", offered) == offered
    assert matching("1", offered) == [offered[1]]
    assert matching("#3", offered) == [offered[0]]
    assert matching("friday LUNCH", offered) == [offered[0]]
    assert matching("pizza", offered) == []
    assert len(matching("", [Suggestion(str(n)) for n in range(40)])) == 25


async def test_polls_are_offered_open_ones_first_with_their_question() -> None:
    async with Harness() as h:
        await h.command("alice", '/poll "Lunch on Friday?" Pizza Soup')
        await h.command("alice", '/poll "Which editor?" Vim Emacs')
        await h.command("alice", "/poll close 1")
        assert await suggested(h, "carol", "poll results", "poll") == [
            ("2", "#2 Which editor?"),
            ("1", "#1 Lunch on Friday?"),
        ]
        assert await suggested(h, "carol", "poll results", "poll", "lunch") == [
            ("1", "#1 Lunch on Friday?")
        ]


async def test_events_name_their_start_in_the_readers_zone() -> None:
    async with Harness() as h:
        await h.command("alice", '/event create "Board games" tomorrow 18:00 UTC')
        [(value, label)] = await suggested(h, "carol", "event rsvp", "id")
        assert value == "1" and label.startswith("#1 Board games · ") and "18:00" in label


async def test_a_command_above_the_members_level_suggests_nothing() -> None:
    async with Harness() as h:
        await h.command(
            "alice", '/checkin create standup "every day 09:00" "What next?" --everyone'
        )
        assert await suggested(h, "alice", "checkin run-now", "name") == [
            ("standup", "standup — Standup")
        ]
        assert await suggested(h, "carol", "checkin run-now", "name") == []
        assert await suggested(h, "carol", "checkin join", "name") == [
            ("standup", "standup — Standup")
        ]
        await h.command("carol", "/checkin leave standup")
        assert await suggested(h, "carol", "checkin pause", "name") == []  # not hers now


async def test_unsolved_questions_for_closing_and_announcements_for_their_status() -> None:
    async with Harness() as h:
        await h.command("carol", "/ask How do I reset my password?", channel="help")
        await h.command("alice", "/announce #general Storm tonight: the meetup moves online.")
        assert await suggested(h, "carol", "question close", "question") == [
            ("1", "#1 How do I reset my password?")
        ]
        [(value, label)] = await suggested(h, "alice", "announce status", "id")
        assert (value, label) == ("1", "#1 Storm tonight: the meetup moves online.")


async def test_time_zones_come_from_what_was_typed_alone() -> None:
    async with Harness() as h:
        assert await suggested(h, "carol", "timezone", "zone", "riga") == [("Europe/Riga", "")]


async def test_unknown_commands_options_and_plain_arguments_suggest_nothing() -> None:
    async with Harness() as h:
        assert await suggested(h, "carol", "no such command", "x") == []
        assert await suggested(h, "carol", "poll results", "nope") == []
        assert await suggested(h, "carol", "kudos", "reason") == []


async def test_a_database_outage_suggests_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    async with Harness() as h:
        await h.command("alice", '/poll "Lunch?" Pizza Soup')

        @asynccontextmanager
        async def unreachable() -> AsyncIterator[None]:
            raise StorageUnavailable("the database is down")
            yield

        monkeypatch.setattr(h.runtime.storage, "reading", unreachable)
        monkeypatch.setattr(h.runtime.storage, "unit_of_work", unreachable)
        assert await suggested(h, "carol", "poll results", "poll") == []
