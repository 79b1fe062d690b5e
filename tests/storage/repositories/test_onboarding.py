"""Onboarding's repositories, and the activity log's `encounters`, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from bot.features.onboarding.store import (
    AnswerStore,
    Funnel,
    Load,
    Mentors,
    MentorState,
    Newcomers,
    Pairings,
    PairingStatus,
    Progress,
)
from bot.model import Member, Ref
from bot.ports import ActivityFact, ActivityLog, Directory, PersonData
from storage.engine import SqlStorage
from storage.repositories.core import count_encounters

T = TypeVar("T")
AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@asynccontextmanager
async def repo(storage: SqlStorage, protocol: type[T]) -> AsyncIterator[T]:
    async with storage.unit_of_work() as uow:
        yield uow.get(protocol)


def ref(name: str, platform: str = "discord") -> Ref:
    return Ref(platform, "guild", f"id-{name}")


async def person(storage: SqlStorage, name: str, platform: str = "discord") -> int:
    async with repo(storage, Directory) as directory:  # type: ignore[type-abstract]
        found = await directory.member_joined(Member(ref(name, platform), name), AT)
    return found.person_id


async def leave(storage: SqlStorage, name: str) -> None:
    async with repo(storage, Directory) as directory:  # type: ignore[type-abstract]
        await directory.member_left(ref(name), AT)


# --- newcomers ----------------------------------------------------------------------


async def test_arrive_agree_leave_and_return(storage: SqlStorage) -> None:
    dave = await person(storage, "dave")
    async with repo(storage, Newcomers) as store:  # type: ignore[type-abstract]
        first = await store.arrive(dave, ref("dave"), AT, gated=True)
        assert first.must_agree and first.progress is Progress.PENDING
        assert first.mentor is MentorState.NONE
        assert await store.agree(dave, AT + timedelta(minutes=5))
        assert not await store.agree(dave, AT + timedelta(minutes=6))  # once
        await store.set_progress(dave, Progress.DONE)
        assert await store.leave(dave, AT + timedelta(days=1))
        assert not await store.leave(dave, AT + timedelta(days=1))
    async with repo(storage, Newcomers) as store:  # type: ignore[type-abstract]
        back = await store.arrive(dave, ref("dave"), AT + timedelta(days=9), gated=True)
        assert back.left_at is None and back.joined_at == AT + timedelta(days=9)
        assert back.agreed_at == AT + timedelta(minutes=5)
        assert not back.gated and not back.must_agree  # agreed before: not held again
        assert back.progress is Progress.DONE
        assert await store.get(dave + 1000) is None


async def test_waiting_newcomers_longest_first_and_present_only(storage: SqlStorage) -> None:
    ids = [await person(storage, name) for name in ("a", "b", "c")]
    async with repo(storage, Newcomers) as store:  # type: ignore[type-abstract]
        for offset, pid in zip((3, 1, 2), ids, strict=True):
            await store.arrive(pid, ref("x"), AT + timedelta(hours=offset), gated=False)
            await store.set_mentor(pid, MentorState.WAITING)
        await store.leave(ids[2], AT)
        assert [n.person_id for n in await store.waiting()] == [ids[1], ids[0]]


async def test_funnel_counts_a_window_and_a_platform(storage: SqlStorage) -> None:
    a = await person(storage, "a")
    b = await person(storage, "b", "slack")
    c = await person(storage, "c")
    mentor = await person(storage, "m")
    async with repo(storage, Newcomers) as store:  # type: ignore[type-abstract]
        await store.arrive(a, ref("a"), AT, gated=True)
        await store.agree(a, AT)
        await store.set_progress(a, Progress.DONE)
        await store.set_mentor(a, MentorState.PAIRED)
        await store.arrive(b, ref("b", "slack"), AT, gated=False)
        await store.set_progress(b, Progress.SKIPPED)
        await store.arrive(c, ref("c"), AT - timedelta(days=40), gated=True)
    async with repo(storage, Pairings) as pairs:  # type: ignore[type-abstract]
        pairing = await pairs.create(a, mentor, ref("a"), ref("m"), None, AT)
        await pairs.finish(pairing.id, PairingStatus.MET, AT)
    window = (AT - timedelta(days=1), AT + timedelta(days=1))
    async with repo(storage, Newcomers) as store:  # type: ignore[type-abstract]
        assert await store.funnel(*window, None) == Funnel(2, 1, 1, 1, 1, 1, 1)
        assert await store.funnel(*window, "discord") == Funnel(1, 1, 1, 1, 0, 1, 1)
        assert await store.funnel(AT + timedelta(days=1), AT + timedelta(days=2), None) == Funnel(
            0, 0, 0, 0, 0, 0, 0
        )


# --- answers ------------------------------------------------------------------------


async def test_answers_replace_keep_order_and_count_present_members(storage: SqlStorage) -> None:
    dave = await person(storage, "dave")
    erin = await person(storage, "erin")
    gone = await person(storage, "gone")
    async with repo(storage, AnswerStore) as answers:  # type: ignore[type-abstract]
        await answers.put(dave, "topics", ["rust", "python"], AT)
        await answers.put(dave, "topics", ["rust", "design"], AT)  # replaces
        await answers.put(dave, "about", ["Ærlig talt: I like boats 🚤"], AT)
        await answers.put(erin, "topics", ["rust"], AT)
        await answers.put(gone, "topics", ["python"], AT)
        await answers.put(erin, "level", [], AT)  # nothing: no row
        assert await answers.of(dave) == {
            "about": ["Ærlig talt: I like boats 🚤"],
            "topics": ["rust", "design"],
        }
    await leave(storage, "gone")
    async with repo(storage, AnswerStore) as answers:  # type: ignore[type-abstract]
        pairs = [("topics", "rust"), ("topics", "python"), ("topics", "design")]
        assert await answers.counts(pairs) == {
            ("topics", "rust"): 2,
            ("topics", "python"): 0,
            ("topics", "design"): 1,
        }
        assert await answers.count_any([("topics", "rust"), ("topics", "design")]) == 2
        assert await answers.count_any([]) == 0
        assert await answers.counts([]) == {}
        assert await answers.respondents() == 2


# --- mentors and pairings -----------------------------------------------------------


async def test_mentors_volunteer_for_topics_or_any(storage: SqlStorage) -> None:
    carol = await person(storage, "carol")
    erin = await person(storage, "erin")
    async with repo(storage, Mentors) as mentors:  # type: ignore[type-abstract]
        await mentors.volunteer(carol, ["rust", "python", "rust"], AT)
        await mentors.volunteer(carol, ["design"], AT + timedelta(days=1))
        await mentors.volunteer(erin, [""], AT)
        found = await mentors.get(carol)
        assert found is not None and found.topics == ("design", "python", "rust")
        assert found.since == AT
        assert {v.person_id: v.topics for v in await mentors.on_duty()} == {
            carol: ("design", "python", "rust"),
            erin: (),
        }
        assert await mentors.retire(carol, ["rust", "cobol"]) == 1
        assert await mentors.retire(carol, []) == 2
        assert await mentors.get(carol) is None


async def test_pairings_finish_once_and_count_load(storage: SqlStorage) -> None:
    dave = await person(storage, "dave")
    frank = await person(storage, "frank")
    carol = await person(storage, "carol")
    erin = await person(storage, "erin")
    async with repo(storage, Pairings) as pairs:  # type: ignore[type-abstract]
        one = await pairs.create(dave, carol, ref("dave"), ref("carol"), "rust", AT)
        two = await pairs.create(frank, carol, ref("frank"), ref("carol"), None, AT)
        assert one.status is PairingStatus.ACTIVE and one.topic == "rust" and one.nudges == 0
        assert await pairs.nudged(one.id) == 1
        await pairs.set_thread(one.id, Ref("discord", "guild", "thread-1"))
        assert await pairs.finish(one.id, PairingStatus.NO_CONTACT, AT)
        assert not await pairs.finish(one.id, PairingStatus.MET, AT)  # once
        three = await pairs.create(dave, erin, ref("dave"), ref("erin"), None, AT)
        assert (await pairs.active_of_newcomer(dave)) == three
        assert [p.id for p in await pairs.active_of_mentor(carol)] == [two.id]
        assert await pairs.past_mentors(dave) == {carol, erin}
        assert await pairs.loads() == {carol: Load(1, 2), erin: Load(1, 1)}
        assert [p.id for p in await pairs.of_person(dave)] == [one.id, three.id]
        stored = await pairs.get(one.id)
        assert stored is not None
        assert stored.thread == Ref("discord", "guild", "thread-1")
        assert stored.status is PairingStatus.NO_CONTACT and stored.ended_at == AT


async def test_linking_two_newcomers_keeps_one_row(storage: SqlStorage) -> None:
    keep = await person(storage, "dave")
    gone = await person(storage, "dave-slack", "slack")
    async with repo(storage, Newcomers) as store:  # type: ignore[type-abstract]
        await store.arrive(keep, ref("dave"), AT, gated=False)
        await store.arrive(gone, ref("dave-slack", "slack"), AT, gated=True)
    async with repo(storage, PersonData) as data:  # type: ignore[type-abstract]
        await data.merge(keep, gone)
    async with repo(storage, Newcomers) as store:  # type: ignore[type-abstract]
        kept = await store.get(keep)
        assert kept is not None and not kept.gated
        assert await store.get(gone) is None


# --- activity: did two people talk? -------------------------------------------------


def fact(person_id: int, channel: str, at: datetime, kind: str = "message") -> ActivityFact:
    return ActivityFact(person_id, ref(str(person_id)), channel, kind, at)


async def test_encounters_are_posts_close_in_time_in_one_place(storage: SqlStorage) -> None:
    a, b, c = 1, 2, 3
    facts = [
        fact(a, "general", AT),
        fact(b, "general", AT + timedelta(minutes=20)),  # answers a: 1
        fact(a, "general", AT + timedelta(minutes=30)),  # answers b: 2
        fact(b, "help", AT + timedelta(minutes=31)),  # another channel: no
        fact(a, "random", AT + timedelta(hours=5)),
        fact(b, "random", AT + timedelta(hours=7)),  # too late: no
        fact(c, "general", AT + timedelta(minutes=25)),  # someone else: ignored
        fact(b, "general", AT + timedelta(minutes=35), kind="reaction"),  # not a post
        fact(a, "old", AT - timedelta(days=3)),
        fact(b, "old", AT - timedelta(days=3)),  # before `since`
    ]
    async with repo(storage, ActivityLog) as log:  # type: ignore[type-abstract]
        await log.record(facts)
    async with repo(storage, ActivityLog) as log:  # type: ignore[type-abstract]
        assert await log.encounters(a, b, AT - timedelta(hours=1), timedelta(hours=1)) == 2
        assert await log.encounters(b, a, AT - timedelta(hours=1), timedelta(hours=1)) == 2
        assert await log.encounters(a, b, AT - timedelta(days=4), timedelta(hours=1)) == 3
        assert await log.encounters(a, c, AT - timedelta(hours=1), timedelta(minutes=1)) == 0
        assert await log.encounters(a, a, AT - timedelta(hours=1), timedelta(hours=1)) == 0


def test_count_encounters_needs_both_people_in_one_place() -> None:
    place: Any = ("discord", "guild", "general")
    other: Any = ("discord", "guild", "help")
    posts = [(1, place, AT), (1, place, AT), (2, other, AT), (2, place, AT + timedelta(hours=2))]
    assert count_encounters(posts, timedelta(hours=1)) == 0
    assert count_encounters(posts, timedelta(hours=2)) == 1
