"""The polls repositories on SQLite and PostgreSQL: votes, close, ideas, surveys, schedules."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from bot.features.polls.store import (
    IdeaStatus,
    IdeaStore,
    Poll,
    PollKind,
    PollSpec,
    PollStore,
    Post,
    PostKind,
    Question,
    ScheduleStore,
    SurveyStore,
    Voter,
)
from bot.model import Member, Ref
from bot.ports import Directory
from storage.engine import SqlStorage
from storage.tables.polls import poll_ballots, poll_votes

T = TypeVar("T")
AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
HERE = Ref("discord", "guild", "c-general")
SPEC = PollSpec(PollKind.POLL, "Lunch?", ("Pizza", "Soup", "Salad"))


@asynccontextmanager
async def repo(storage: SqlStorage, protocol: type[T]) -> AsyncIterator[T]:
    async with storage.unit_of_work() as uow:
        yield uow.get(protocol)


async def people(storage: SqlStorage, count: int, roles: tuple[str, ...] = ()) -> list[int]:
    found = []
    async with repo(storage, Directory) as directory:  # type: ignore[type-abstract]
        for n in range(count):
            member = Member(Ref("discord", "guild", f"u{n}"), f"member{n}", roles=frozenset(roles))
            found.append((await directory.upsert_member(member, AT)).person_id)
    return found


async def new_poll(storage: SqlStorage, spec: PollSpec = SPEC, secret: str | None = None) -> Poll:
    async with repo(storage, PollStore) as polls:  # type: ignore[type-abstract]
        return await polls.create(
            spec, HERE, creator=None, at=AT, closes_at=AT + timedelta(days=1), secret=secret
        )


async def test_poll_round_trip(storage: SqlStorage) -> None:
    (alice,) = await people(storage, 1)
    async with repo(storage, PollStore) as polls:  # type: ignore[type-abstract]
        created = await polls.create(
            PollSpec(PollKind.QUIZ, "2+2?", ("3", "4"), hidden=True, correct=1),
            HERE,
            creator=alice,
            at=AT,
            closes_at=None,
            secret=None,
        )
        found = await polls.get(created.id)
        assert found == created
        assert await polls.get(created.id + 1) is None
        await polls.add_post(PostKind.POLL, created.id, Post(HERE.sibling("m1"), HERE))
        await polls.add_post(PostKind.POLL, created.id, Post(HERE.sibling("m1"), HERE))
        assert await polls.posts(PostKind.POLL, created.id) == [Post(HERE.sibling("m1"), HERE)]
        assert await polls.posts(PostKind.IDEA, created.id) == []


async def test_single_choice_vote_change_and_take_back(storage: SqlStorage) -> None:
    carol, bob = await people(storage, 2)
    poll = await new_poll(storage)
    async with repo(storage, PollStore) as polls:  # type: ignore[type-abstract]
        assert await polls.toggle(poll.id, Voter(carol), 0, multi=False)
        assert await polls.toggle(poll.id, Voter(carol), 2, multi=False)  # change
        assert await polls.toggle(poll.id, Voter(bob), 2, multi=False)
        assert await polls.choices(poll.id, Voter(carol)) == (2,)
        tally = await polls.tally(poll)
        assert tally.counts == (0, 0, 2) and tally.voters == 2
        assert not await polls.toggle(poll.id, Voter(carol), 2, multi=False)  # take back
        assert (await polls.tally(poll)).counts == (0, 0, 1)
        assert await polls.voters(poll.id) == [(bob, 2)]


async def test_the_database_refuses_a_second_single_choice_vote(storage: SqlStorage) -> None:
    (carol,) = await people(storage, 1)
    poll = await new_poll(storage)
    row = {"poll_id": poll.id, "person_id": carol, "slot": 0, "option": 0}
    async with storage.unit_of_work() as uow:
        await uow.conn.execute(insert(poll_votes).values(row))  # type: ignore[attr-defined]
    with pytest.raises(IntegrityError):
        async with storage.unit_of_work() as uow:
            await uow.conn.execute(insert(poll_votes).values({**row, "option": 1}))  # type: ignore[attr-defined]


async def test_multi_choice_counts_voters_once(storage: SqlStorage) -> None:
    carol, bob = await people(storage, 2)
    poll = await new_poll(storage, PollSpec(PollKind.POLL, "Topics?", ("A", "B", "C"), multi=True))
    async with repo(storage, PollStore) as polls:  # type: ignore[type-abstract]
        for person, option in ((carol, 0), (carol, 2), (bob, 2)):
            assert await polls.toggle(poll.id, Voter(person), option, multi=True)
        assert await polls.choices(poll.id, Voter(carol)) == (0, 2)
        tally = await polls.tally(poll)
        assert tally.counts == (1, 0, 2) and tally.voters == 2 and tally.votes == 3
        assert not await polls.toggle(poll.id, Voter(carol), 0, multi=True)
        assert await polls.choices(poll.id, Voter(carol)) == (2,)


async def test_anonymous_ballots_and_close_once(storage: SqlStorage) -> None:
    poll = await new_poll(storage, PollSpec(PollKind.POLL, "Q", ("Y", "N"), anonymous=True), "ab")
    async with repo(storage, PollStore) as polls:  # type: ignore[type-abstract]
        assert await polls.toggle(poll.id, Voter(token="t1"), 0, multi=False)
        assert await polls.toggle(poll.id, Voter(token="t2"), 1, multi=False)
        assert await polls.toggle(poll.id, Voter(token="t2"), 0, multi=False)
        assert (await polls.tally(poll)).counts == (2, 0)
    async with repo(storage, PollStore) as polls:  # type: ignore[type-abstract]
        assert await polls.close(poll.id, AT + timedelta(hours=1))
        assert not await polls.close(poll.id, AT + timedelta(hours=2))
        closed = await polls.get(poll.id)
        assert closed is not None and closed.secret is None
        assert closed.closed_at == AT + timedelta(hours=1)
        tally = await polls.tally(closed)
        assert tally.counts == (2, 0) and tally.voters == 2
    async with storage.connection() as conn:
        left = await conn.execute(select(func.count()).select_from(poll_ballots))
        assert left.scalar_one() == 0


async def test_release_keeps_running_totals_without_the_person(storage: SqlStorage) -> None:
    carol, bob = await people(storage, 2)
    running = await new_poll(storage)
    closed = await new_poll(storage)
    async with repo(storage, PollStore) as polls:  # type: ignore[type-abstract]
        for poll in (running, closed):
            await polls.toggle(poll.id, Voter(carol), 1, multi=False)
            await polls.toggle(poll.id, Voter(bob), 1, multi=False)
        await polls.close(closed.id, AT)
        assert [p.id for p, _ in await polls.votes_of(carol)] == [running.id, closed.id]
        await polls.release_person(carol)
        assert (await polls.tally(running)).counts == (0, 2, 0)
        assert await polls.voters(running.id) == [(bob, 1)]
        assert [p.id for p, _ in await polls.votes_of(carol)] == [closed.id]


async def test_recent_lists_newest_first(storage: SqlStorage) -> None:
    first = await new_poll(storage)
    second = await new_poll(storage)
    async with repo(storage, PollStore) as polls:  # type: ignore[type-abstract]
        await polls.close(first.id, AT)
        found = await polls.recent("discord", "guild", open_only=True, limit=10)
        assert [p.id for p in found] == [second.id]
        found = await polls.recent("discord", "guild", open_only=False, limit=10)
        assert [p.id for p in found] == [second.id, first.id]
        assert found[0].spec.options == SPEC.options
        assert await polls.recent("slack", "guild", open_only=False, limit=10) == []


async def test_concurrent_votes_are_never_lost_or_doubled(storage: SqlStorage) -> None:
    """Many members vote at once (some double-click); each ends with exactly one vote."""
    voters = await people(storage, 60)
    poll = await new_poll(storage)
    chosen = {person: random.Random(person).randrange(3) for person in voters}

    async def vote(person: int) -> None:
        async with repo(storage, PollStore) as polls:  # type: ignore[type-abstract]
            await polls.toggle(poll.id, Voter(person), chosen[person], multi=False)

    clicks = [*voters, *voters[:20]]  # twenty members click twice at the same moment
    await asyncio.gather(*(vote(person) for person in clicks))
    async with repo(storage, PollStore) as polls:  # type: ignore[type-abstract]
        tally = await polls.tally(poll)
        rows = await polls.voters(poll.id)
    # A double click votes and takes the vote back — or, when both clicks race past
    # each other, votes twice onto the same row. Never two rows for one member.
    assert len({person for person, _ in rows}) == len(rows)
    assert dict(rows) == {p: o for p, o in chosen.items() if p in dict(rows)}
    assert all(p in dict(rows) for p in voters[20:])
    assert tally.votes == len(rows) == tally.voters


async def test_schedules(storage: SqlStorage) -> None:
    (bob,) = await people(storage, 1)
    async with repo(storage, ScheduleStore) as schedules:  # type: ignore[type-abstract]
        made = await schedules.create(
            SPEC,
            HERE,
            cron="0 9 * * MON",
            timezone="Europe/Riga",
            duration=timedelta(days=2),
            creator=bob,
            at=AT,
        )
        assert await schedules.get(made.id) == made
        assert [s.id for s in await schedules.active("discord", "guild")] == [made.id]
        await schedules.release_person(bob)
        assert (await schedules.get(made.id)).creator is None  # type: ignore[union-attr]
        assert await schedules.stop(made.id)
        assert not await schedules.stop(made.id)
        assert await schedules.active("discord", "guild") == []


async def test_ideas(storage: SqlStorage) -> None:
    carol, bob, alice = await people(storage, 3)
    async with repo(storage, IdeaStore) as ideas:  # type: ignore[type-abstract]
        first = await ideas.create(HERE, "Dark mode", "at night", author=carol, at=AT)
        second = await ideas.create(HERE, "Wiki", "", author=bob, at=AT)
        assert await ideas.toggle(first.id, bob)
        assert await ideas.toggle(first.id, alice)
        assert not await ideas.toggle(first.id, alice)
        assert await ideas.toggle(second.id, alice)
        assert await ideas.toggle(second.id, carol)
        assert await ideas.toggle(first.id, carol)
        top = await ideas.search("discord", "guild", status=None, newest_first=False, limit=5)
        assert [(i.id, i.votes) for i in top] == [(first.id, 2), (second.id, 2)]
        new = await ideas.search("discord", "guild", status=None, newest_first=True, limit=5)
        assert [i.id for i in new] == [second.id, first.id]
        await ideas.set_status(first.id, IdeaStatus.DONE, "shipped", AT)
        found = await ideas.get(first.id)
        assert found is not None and found.status is IdeaStatus.DONE and found.note == "shipped"
        top = await ideas.search("discord", "guild", status=None, newest_first=False, limit=5)
        assert [i.id for i in top] == [second.id]
        done = await ideas.search(
            "discord", "guild", status=IdeaStatus.DONE, newest_first=False, limit=5
        )
        assert [i.id for i in done] == [first.id]
        proposed, supported = await ideas.of_person(carol)
        assert [i.id for i in proposed] == [first.id]
        assert [i.id for i in supported] == [first.id, second.id]
        await ideas.release_person(carol)
        again = await ideas.get(first.id)
        assert again is not None and again.author is None and again.votes == 2
        assert sorted(await ideas.supporters(first.id)) == [bob]


async def test_surveys(storage: SqlStorage) -> None:
    carol, bob = await people(storage, 2, roles=("newcomer",))
    questions = (Question("q1", "Why?", "paragraph"), Question("q2", "Pick", "choice", ("a", "b")))
    async with repo(storage, SurveyStore) as surveys:  # type: ignore[type-abstract]
        made = await surveys.create(
            name="feedback",
            title="T",
            questions=questions,
            anonymous=False,
            secret="00",
            creator=bob,
            at=AT,
        )
        assert await surveys.by_name("feedback") == made
        assert await surveys.get(made.id) == made
        assert await surveys.respond(made.id, "r1", carol, {"q1": "x", "q2": "a"}, AT)
        assert not await surveys.respond(made.id, "r1", carol, {"q1": "y", "q2": "b"}, AT)
        assert await surveys.respond(made.id, "r2", None, {"q1": "z"}, AT + timedelta(hours=5))
        found = await surveys.responses(made.id)
        assert [r.answers for r in found] == [{"q1": "z"}, {"q1": "y", "q2": "b"}]
        anonymous = next(r for r in found if r.person_id is None)
        assert anonymous.submitted_at == AT.replace(hour=0)  # only the day is kept
        assert [(s.id, n) for s, n in await surveys.all()] == [(made.id, 2)]
        ((survey, response),) = await surveys.of_person(carol)
        assert survey.id == made.id and response.answers["q1"] == "y"
        await surveys.redefine(made.id, "T2", questions[:1], True)
        changed = await surveys.get(made.id)
        assert changed is not None and changed.title == "T2" and changed.anonymous
        assert await surveys.close(made.id, AT)
        assert not await surveys.close(made.id, AT)
        audience = await surveys.audience("discord", "guild", "Newcomer")
        assert [r.id for r in audience] == ["u0", "u1"]
        assert await surveys.audience("discord", "guild", "newcomers") == []
        await surveys.release_person(bob)
        assert (await surveys.get(made.id)).creator is None  # type: ignore[union-attr]
