"""Kudos repositories, the same suite on SQLite and PostgreSQL.

Ledger (giving, totals, allowance and cooldown queries, take-back), leaderboards (ranks
with ties, windows, topics, departed members, linked persons), achievements (facts,
streaks, badges exactly once) and spotlights.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

from bot.features.kudos.store import (
    Achievements,
    Board,
    BoardPrivacy,
    FactKind,
    KudosLedger,
    Leaderboards,
    NewKudos,
    Pace,
    Removal,
    Source,
    Spotlight,
    Spotlights,
)
from bot.model import Member, Ref
from bot.ports import Directory, PersonData
from storage.engine import SqlStorage, create_engine

T = TypeVar("T")
AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
MESSAGE = Ref("discord", "guild", "m1")
TIED = 25  # members tied at the last place listed (leaderboard.MAX_TIED)


@asynccontextmanager
async def repo(storage: SqlStorage, protocol: type[T]) -> AsyncIterator[T]:
    async with storage.unit_of_work() as uow:
        yield uow.get(protocol)


async def people(storage: SqlStorage, *names: str) -> dict[str, int]:
    """Members (one account each) and their person ids."""
    found = {}
    async with repo(storage, Directory) as directory:  # type: ignore[type-abstract]
        for name in names:
            record = await directory.member_joined(
                Member(Ref("discord", "guild", f"u-{name}"), name), AT
            )
            found[name] = record.person_id
    return found


def kudos(
    giver: int | None,
    receiver: int,
    *,
    points: int = 1,
    at: datetime = AT,
    source: Source = Source.COMMAND,
    message: Ref | None = None,
    emoji: str | None = None,
    topic: str | None = None,
    reason: str | None = None,
) -> NewKudos:
    return NewKudos(giver, receiver, points, source, "discord", at, emoji, message, topic, reason)


async def give(storage: SqlStorage, *items: NewKudos) -> None:
    async with repo(storage, KudosLedger) as ledger:  # type: ignore[type-abstract]
        for item in items:
            assert await ledger.give(item) is not None


def meeting(backend: str) -> Callable[[], Awaitable[None]]:
    """Both transactions open at once on PostgreSQL; SQLite lets one writer in at a time."""
    barrier = asyncio.Barrier(2)

    async def meet() -> None:
        if backend != "sqlite":
            await barrier.wait()

    return meet


# --- ledger ----------------------------------------------------------------------------


async def test_giving_keeps_the_receivers_total(storage: SqlStorage) -> None:
    p = await people(storage, "ann", "ben")
    await give(storage, kudos(p["ann"], p["ben"], points=3), kudos(p["ann"], p["ben"]))
    async with repo(storage, KudosLedger) as ledger:  # type: ignore[type-abstract]
        assert await ledger.received_points(p["ben"]) == 4
        assert await ledger.received_points(p["ann"]) == 0
        assert await ledger.given_count(p["ann"]) == 2
        assert await ledger.received_points_since(p["ben"], AT + timedelta(seconds=1)) == 0


async def test_automatic_kudos_are_not_counted_as_given(storage: SqlStorage) -> None:
    p = await people(storage, "ann", "ben")
    await give(
        storage,
        kudos(p["ann"], p["ben"], source=Source.ANSWER, points=2),  # ann accepted ben's answer
        kudos(p["ann"], p["ben"], source=Source.REACTION, message=MESSAGE, emoji="🙏"),
    )
    async with repo(storage, KudosLedger) as ledger:  # type: ignore[type-abstract]
        assert await ledger.given_count(p["ann"]) == 1
        assert (await ledger.tallies(p["ben"], p["ann"])).given == 1
        assert await ledger.received_points(p["ben"]) == 3
        flow = await ledger.flow(AT, AT + timedelta(seconds=1), None)
        assert (flow.kudos, flow.givers, flow.receivers) == (2, 1, 1)


async def test_tallies_read_both_counts_and_both_badge_sets_at_once(storage: SqlStorage) -> None:
    p = await people(storage, "ann", "ben")
    await give(storage, kudos(p["ann"], p["ben"], points=3), kudos(p["ann"], p["ben"], topic="x"))
    async with repo(storage, KudosLedger) as ledger:  # type: ignore[type-abstract]
        fresh = await ledger.tallies(p["ben"], p["ann"])
    assert (fresh.received, fresh.given) == (4, 2)
    assert fresh.badges == {p["ben"]: frozenset(), p["ann"]: frozenset()}
    async with repo(storage, Achievements) as facts:  # type: ignore[type-abstract]
        await facts.award(p["ben"], "first-kudos", AT)
        await facts.award(p["ben"], "ten_kudos", AT)
        await facts.award(p["ann"], "generous", AT)
    async with repo(storage, KudosLedger) as ledger:  # type: ignore[type-abstract]
        later = await ledger.tallies(p["ben"], p["ann"])
    assert later.badges == {
        p["ben"]: frozenset({"first-kudos", "ten_kudos"}),
        p["ann"]: frozenset({"generous"}),
    }


async def test_a_message_is_thanked_once_per_giver_and_receiver(storage: SqlStorage) -> None:
    p = await people(storage, "ann", "ben", "cy")
    reaction = kudos(p["ann"], p["ben"], source=Source.REACTION, message=MESSAGE, emoji="🙏")
    async with repo(storage, KudosLedger) as ledger:  # type: ignore[type-abstract]
        first = await ledger.give(reaction)
        assert first is not None and first.message == MESSAGE and first.emoji == "🙏"
        assert await ledger.give(reaction) is None
        assert await ledger.give(kudos(p["cy"], p["ben"], message=MESSAGE)) is not None
        assert await ledger.give(kudos(p["ann"], p["ben"])) is not None  # commands never clash
        assert await ledger.received_points(p["ben"]) == 3


async def test_allowance_and_cooldown_count_chosen_kudos_only(storage: SqlStorage) -> None:
    p = await people(storage, "ann", "ben", "cy")
    await give(
        storage,
        kudos(p["ann"], p["ben"], at=AT - timedelta(days=1)),
        kudos(p["ann"], p["ben"], at=AT + timedelta(minutes=5)),
        kudos(p["ann"], p["cy"], at=AT + timedelta(minutes=10), source=Source.KEYWORD),
        kudos(p["ann"], p["ben"], at=AT + timedelta(minutes=20), source=Source.ANSWER),
    )
    async with repo(storage, KudosLedger) as ledger:  # type: ignore[type-abstract]
        assert await ledger.pace(p["ann"], AT) == Pace(2, None)
        assert await ledger.pace(p["ann"], AT, p["ben"], AT) == Pace(2, AT + timedelta(minutes=5))
        # The cooldown may reach back before the allowance's day.
        earlier = await ledger.pace(p["ann"], AT, p["ben"], AT - timedelta(days=2))
        assert earlier == Pace(2, AT + timedelta(minutes=5))
        assert await ledger.pace(p["ann"], AT, p["ben"], AT + timedelta(minutes=6)) == Pace(2, None)
        assert await ledger.pace(p["ben"], AT, p["ann"], AT) == Pace(0, None)


async def test_take_back_finds_the_reaction_and_removes_its_points(storage: SqlStorage) -> None:
    p = await people(storage, "ann", "ben")
    reaction = kudos(
        p["ann"],
        p["ben"],
        points=3,
        source=Source.REACTION,
        message=MESSAGE,
        emoji="🌮",
        topic="help",
    )
    await give(storage, reaction)
    async with repo(storage, KudosLedger) as ledger:  # type: ignore[type-abstract]
        assert await ledger.by_reaction(p["ann"], MESSAGE, "🙏") is None
        assert await ledger.by_reaction(p["ben"], MESSAGE) is None
        found = await ledger.by_reaction(p["ann"], MESSAGE, "🌮")
        assert found is not None and found == await ledger.by_reaction(p["ann"], MESSAGE)
        assert await ledger.remove(found.id)
        assert not await ledger.remove(found.id)
        assert await ledger.received_points(p["ben"]) == 0
    async with repo(storage, Leaderboards) as boards:  # type: ignore[type-abstract]
        for topic in (None, "help"):
            board = await boards.board(
                tied=TIED, since=None, until=None, topic=topic, size=5, me=None
            )
            assert board.empty


async def test_history_latest_reason_and_releasing_a_giver(storage: SqlStorage) -> None:
    p = await people(storage, "ann", "ben", "cy")
    await give(
        storage,
        kudos(p["ann"], p["ben"], reason="old", at=AT),
        kudos(p["cy"], p["ben"], reason="new", at=AT + timedelta(hours=1)),
        kudos(p["ben"], p["ann"], at=AT + timedelta(hours=2)),
    )
    async with repo(storage, KudosLedger) as ledger:  # type: ignore[type-abstract]
        page = await ledger.history(p["ben"], 2)
        assert [(e.kudos.giver_person_id, e.kudos.receiver_person_id) for e in page.entries] == [
            (p["ben"], p["ann"]),
            (p["cy"], p["ben"]),
        ]
        assert page.total == 3
        assert await ledger.latest_reason(p["ben"], AT, AT + timedelta(days=1)) == "new"
        assert await ledger.latest_reason(p["ben"], AT, AT + timedelta(minutes=1)) == "old"
        assert await ledger.release_giver(p["cy"]) == 1
        assert await ledger.latest_reason(p["ben"], AT, AT + timedelta(days=1)) == "old"
        assert await ledger.received_points(p["ben"]) == 2
        flow = await ledger.flow(AT, AT + timedelta(days=1), "discord")
        assert (flow.kudos, flow.points, flow.givers, flow.receivers) == (3, 3, 2, 2)
        assert (await ledger.flow(AT, AT + timedelta(days=1), "slack")).kudos == 0


async def test_a_moderators_removal_is_audited_in_the_history(storage: SqlStorage) -> None:
    p = await people(storage, "ann", "ben", "cy", "mod")
    await give(
        storage,
        kudos(p["ann"], p["ben"], reason="first", at=AT, topic="help"),
        kudos(p["cy"], p["ben"], points=3, at=AT + timedelta(hours=1)),
        kudos(p["ben"], p["ann"], at=AT + timedelta(hours=2)),
    )
    removed_at = AT + timedelta(days=1)
    async with repo(storage, KudosLedger) as ledger:  # type: ignore[type-abstract]
        first = (await ledger.history(p["ben"], None)).entries[-1].kudos
        gone = await ledger.remove_as_moderator(first.id, p["mod"], removed_at, "a sock puppet")
        assert gone == first
        assert await ledger.remove_as_moderator(first.id, p["mod"], removed_at, None) is None
        assert await ledger.received_points(p["ben"]) == 3
        page = await ledger.history(p["ben"], None)
        assert page.total == 3
        assert [e.kudos.id for e in page.entries][-1] == first.id  # where it was given
        assert page.entries[-1].kudos == first  # the kudos as it was
        assert page.entries[-1].removal == Removal(p["mod"], removed_at, "a sock puppet")
        assert all(e.removal is None for e in page.entries[:-1])
        # Pages and a start date: newest first, over the kudos and the removed ones.
        older = await ledger.history(p["ben"], 1, offset=1)
        assert [e.kudos.points for e in older.entries] == [3] and older.total == 3
        later = await ledger.history(p["ben"], None, since=AT + timedelta(minutes=30))
        assert later.total == 2 and all(e.removal is None for e in later.entries)
        # Forgetting the giver and the moderator keeps the audit without them.
        assert await ledger.release_giver(p["ann"]) == 1  # her only kudos, now in the audit
        assert await ledger.release_moderator(p["mod"]) == 1
        audit = (await ledger.history(p["ben"], None)).entries[-1]
        assert audit.kudos.giver_person_id is None and audit.kudos.reason is None
        assert audit.removal is not None and audit.removal.removed_by is None
        assert audit.removal.reason == "a sock puppet"


# --- leaderboards ------------------------------------------------------------------------


async def test_ranks_share_places_on_ties_and_the_caller_is_found(storage: SqlStorage) -> None:
    p = await people(storage, "ann", "ben", "cy", "dee", "eve")
    await give(
        storage,
        kudos(p["ann"], p["ben"], points=2),
        kudos(p["ann"], p["cy"], points=2),
        kudos(p["ann"], p["dee"]),
        kudos(p["ben"], p["eve"]),
    )
    async with repo(storage, Leaderboards) as boards:  # type: ignore[type-abstract]
        board = await boards.board(
            tied=TIED, since=None, until=None, topic=None, size=1, me=p["eve"]
        )
        assert [(s.person_id, s.points, s.rank) for s in board.top] == [
            (p["ben"], 2, 1),
            (p["cy"], 2, 1),
        ]
        assert board.mine is not None and (board.mine.rank, board.mine.points) == (3, 1)
        assert board.ranked == 4 and board.more == 0
        window = await boards.board(tied=TIED, since=AT, until=None, topic=None, size=3, me=None)
        assert [s.rank for s in window.top] == [1, 1, 3, 3]  # everyone tied at 3rd
        assert window.mine is None


async def test_windows_topics_and_a_cap_on_ties(storage: SqlStorage) -> None:
    p = await people(storage, "ann", "ben", "cy", "dee", "eve", "fay")
    await give(
        storage,
        kudos(p["ann"], p["ben"], at=AT - timedelta(days=10), topic="help"),
        kudos(p["ann"], p["cy"], topic="help"),
        kudos(p["ann"], p["dee"], topic="general"),
        kudos(p["ann"], p["eve"], topic="general"),
        kudos(p["ann"], p["fay"], topic="general"),
    )
    async with repo(storage, Leaderboards) as boards:  # type: ignore[type-abstract]
        week = await boards.board(
            tied=TIED, since=AT - timedelta(days=7), until=None, topic="help", size=5, me=None
        )
        assert [s.person_id for s in week.top] == [p["cy"]]
        ever = await boards.board(tied=TIED, since=None, until=None, topic="help", size=5, me=None)
        assert {s.person_id for s in ever.top} == {p["ben"], p["cy"]}
        before = await boards.board(tied=TIED, since=None, until=AT, topic=None, size=5, me=None)
        assert [s.person_id for s in before.top] == [p["ben"]]
        capped = await boards.board(tied=2, since=AT, until=None, topic=None, size=1, me=None)
        assert [s.person_id for s in capped.top] == [p["cy"], p["dee"]]  # 4 tied: 2 by name
        assert capped.more == 2
        between = await boards.received_between(AT - timedelta(days=1), AT + timedelta(days=1))
        assert between == {p["cy"]: 1, p["dee"]: 1, p["eve"]: 1, p["fay"]: 1}


async def test_departed_members_are_left_off(storage: SqlStorage) -> None:
    p = await people(storage, "ann", "ben", "cy")
    await give(storage, kudos(p["ann"], p["ben"]), kudos(p["ann"], p["cy"], points=5))
    async with repo(storage, Directory) as directory:  # type: ignore[type-abstract]
        await directory.member_left(Ref("discord", "guild", "u-cy"), AT)
    async with repo(storage, Leaderboards) as boards:  # type: ignore[type-abstract]
        board = await boards.board(
            tied=TIED, since=None, until=None, topic=None, size=5, me=p["cy"]
        )
        assert [(s.person_id, s.rank) for s in board.top] == [(p["ben"], 1)]
        assert board.mine is None
        assert await boards.on_boards([p["ann"], p["ben"], p["cy"]]) == {p["ann"], p["ben"]}
        assert await boards.received_between(AT, AT + timedelta(days=1)) == {p["ben"]: 1}


async def test_linked_persons_keep_every_point(storage: SqlStorage) -> None:
    p = await people(storage, "ann", "ben", "ben-on-slack")
    await give(storage, kudos(p["ann"], p["ben"], points=2), kudos(p["ann"], p["ben-on-slack"]))
    async with repo(storage, PersonData) as data:  # type: ignore[type-abstract]
        await data.merge(p["ben"], p["ben-on-slack"])
    async with repo(storage, KudosLedger) as ledger:  # type: ignore[type-abstract]
        assert await ledger.received_points(p["ben"]) == 3
        await ledger.give(kudos(p["ann"], p["ben"]))
        assert await ledger.received_points(p["ben"]) == 4
    async with repo(storage, Leaderboards) as boards:  # type: ignore[type-abstract]
        board = await boards.board(tied=TIED, since=None, until=None, topic=None, size=5, me=None)
        assert [(s.person_id, s.points) for s in board.top] == [(p["ben"], 4)]


async def test_linking_joins_the_streaks_and_keeps_the_best(storage: SqlStorage) -> None:
    p = await people(storage, "ann", "ann-on-slack", "ben", "ben-on-slack", "cy", "cy-on-slack")
    day = date(2026, 3, 1)
    async with repo(storage, Achievements) as facts:  # type: ignore[type-abstract]
        for offset in range(5):  # ann: Discord 1–5 March, Slack 6–8 March: one run
            await facts.touch_streak(p["ann"], day + timedelta(offset))
        for offset in range(5, 8):
            await facts.touch_streak(p["ann-on-slack"], day + timedelta(offset))
        for offset in range(6):  # ben: the older person has the better streak, long ago
            await facts.touch_streak(p["ben"], day + timedelta(offset))
        await facts.touch_streak(p["ben-on-slack"], day + timedelta(20))
        await facts.touch_streak(p["cy-on-slack"], day)  # cy: only the gone one has a row
    async with repo(storage, PersonData) as data:  # type: ignore[type-abstract]
        for name in ("ann", "ben", "cy"):
            await data.merge(p[name], p[f"{name}-on-slack"])
    async with repo(storage, Achievements) as facts:  # type: ignore[type-abstract]
        assert await facts.best_streak(p["ann"]) == 8
        assert await facts.touch_streak(p["ann"], day + timedelta(8)) == 9  # the run goes on
        assert await facts.best_streak(p["ben"]) == 6
        assert await facts.touch_streak(p["ben"], day + timedelta(21)) == 2  # Slack's run
        assert await facts.best_streak(p["cy"]) == 1
        assert await facts.touch_streak(p["cy"], day + timedelta(1)) == 2


async def test_ties_at_the_last_place_are_listed_by_name_up_to_a_cap(storage: SqlStorage) -> None:
    # Persons are made in this order, so ids and names disagree: zed has the lowest id.
    p = await people(storage, "zed", "Yan", "xia", "Wu", "vic", "ann")
    await give(
        storage,
        kudos(p["ann"], p["vic"], points=3),
        *(kudos(p["ann"], p[n]) for n in ("zed", "Yan", "xia", "Wu")),
        kudos(p["vic"], p["ann"]),
    )
    async with repo(storage, Leaderboards) as boards:  # type: ignore[type-abstract]

        async def board(tied: int, me: int | None = None) -> Board:
            return await boards.board(since=None, until=None, topic=None, size=2, me=me, tied=tied)

        full = await board(25)
        assert [s.person_id for s in full.top] == [
            p[n] for n in ("vic", "ann", "Wu", "xia", "Yan", "zed")
        ]
        assert {s.rank for s in full.top[1:]} == {2} and full.more == 0
        capped = await board(3, me=p["zed"])
        assert [s.person_id for s in capped.top] == [p[n] for n in ("vic", "ann", "Wu", "xia")]
        assert capped.more == 2 and capped.ranked == 6
        assert capped.mine is not None and (capped.mine.person_id, capped.mine.rank) == (
            p["zed"],
            2,
        )
        first = await board(1, me=p["ann"])  # the caller is among the listed
        assert [s.person_id for s in first.top] == [p["vic"], p["ann"]] and first.more == 4


async def test_hidden_members_are_left_off_boards_except_their_own_view(
    storage: SqlStorage,
) -> None:
    p = await people(storage, "ann", "ben", "cy")
    await give(storage, kudos(p["ann"], p["ben"], points=3), kudos(p["ann"], p["cy"]))
    async with repo(storage, BoardPrivacy) as privacy:  # type: ignore[type-abstract]
        assert await privacy.hide(p["ben"], AT)
        assert not await privacy.hide(p["ben"], AT + timedelta(days=1))
        assert await privacy.hidden_since(p["ben"]) == AT
        assert await privacy.hidden_since(p["cy"]) is None
    async with repo(storage, Leaderboards) as boards:  # type: ignore[type-abstract]

        async def board(me: int | None) -> list[tuple[int, int]]:
            found = await boards.board(since=None, until=None, topic=None, size=5, me=me, tied=TIED)
            return [(s.person_id, s.rank) for s in found.top]

        assert await board(None) == [(p["cy"], 1)]
        assert await board(p["ann"]) == [(p["cy"], 1)]
        assert await board(p["ben"]) == [(p["ben"], 1), (p["cy"], 2)]  # ben sees his place
        assert await boards.on_boards([p["ann"], p["ben"], p["cy"]]) == {p["ann"], p["cy"]}
        assert await boards.received_between(AT, AT + timedelta(days=1)) == {p["cy"]: 1}
    async with repo(storage, BoardPrivacy) as privacy:  # type: ignore[type-abstract]
        assert await privacy.show(p["ben"])
        assert not await privacy.show(p["ben"])
    async with repo(storage, Leaderboards) as boards:  # type: ignore[type-abstract]
        assert await board(None) == [(p["ben"], 1), (p["cy"], 2)]


# --- achievements ------------------------------------------------------------------------


async def test_facts_count_once_and_can_point_to_nobody(storage: SqlStorage) -> None:
    p = await people(storage, "ann", "ben")
    async with repo(storage, Achievements) as facts:  # type: ignore[type-abstract]
        assert await facts.record_fact(p["ann"], FactKind.WELCOME, "person:9", AT)
        assert not await facts.record_fact(p["ann"], FactKind.WELCOME, "person:9", AT)
        assert await facts.record_fact(p["ben"], FactKind.WELCOME, "person:9", AT)
        assert await facts.record_fact(p["ann"], FactKind.ANSWER, "question:1", AT)
        assert await facts.count_facts(p["ann"], FactKind.WELCOME) == 1
        assert await facts.anonymize_subject("person:9") == 2
        assert await facts.count_facts(p["ann"], FactKind.WELCOME) == 1
        assert await facts.record_fact(p["ann"], FactKind.WELCOME, "person:9", AT)
        assert await facts.facts_between(FactKind.WELCOME, AT, AT + timedelta(1)) == {
            p["ann"]: 2,
            p["ben"]: 1,
        }


async def test_streaks_grow_by_day_and_restart_after_a_gap(storage: SqlStorage) -> None:
    p = await people(storage, "ann")
    day = date(2026, 1, 5)
    async with repo(storage, Achievements) as facts:  # type: ignore[type-abstract]
        assert await facts.touch_streak(p["ann"], day) == 1
        assert await facts.touch_streak(p["ann"], day) is None
        assert await facts.touch_streak(p["ann"], day + timedelta(1)) == 2
        assert await facts.touch_streak(p["ann"], day + timedelta(2)) == 3
        assert await facts.touch_streak(p["ann"], day + timedelta(5)) == 1
        assert await facts.touch_streak(p["ann"], day + timedelta(4)) is None  # earlier day
        assert await facts.best_streak(p["ann"]) == 3


async def test_a_badge_is_awarded_once_even_when_two_transactions_race(
    backend: str, db_url: str, storage: SqlStorage
) -> None:
    p = await people(storage, "ann")
    other = SqlStorage(create_engine(db_url))
    meet = meeting(backend)
    try:

        async def award(where: SqlStorage) -> bool:
            async with repo(where, Achievements) as facts:  # type: ignore[type-abstract]
                await meet()
                won = await facts.award(p["ann"], "first-kudos", AT)
                await asyncio.sleep(0.01)
                return won

        results = await asyncio.gather(award(storage), award(other))
    finally:
        await other.close()
    assert sorted(results) == [False, True]
    async with repo(storage, Achievements) as facts:  # type: ignore[type-abstract]
        assert [a.badge for a in await facts.badges_of(p["ann"])] == ["first-kudos"]


# --- spotlights --------------------------------------------------------------------------


async def test_spotlights_are_one_per_period_and_an_admin_pick_replaces(
    storage: SqlStorage,
) -> None:
    p = await people(storage, "ann", "ben")
    async with repo(storage, Spotlights) as spots:  # type: ignore[type-abstract]
        await spots.record(Spotlight("2026-01", p["ann"], 5.0, "auto", AT))
        await spots.record(Spotlight("2026-02", p["ann"], 2.0, "auto", AT + timedelta(30)))
        await spots.record(Spotlight("2026-02", p["ben"], 0.0, "admin", AT + timedelta(31)))
        found = await spots.get("2026-02")
        assert found is not None and (found.person_id, found.source) == (p["ben"], "admin")
        assert await spots.get("2026-03") is None
        recent = await spots.recent(5, excluding="2026-03")
        assert [s.period for s in recent] == ["2026-02", "2026-01"]
        assert [s.period for s in await spots.recent(1, excluding="2026-02")] == ["2026-01"]
        assert await spots.recent(0, excluding="2026-03") == []


async def test_a_pick_made_ahead_waits_unposted_and_is_not_a_recent_winner(
    storage: SqlStorage,
) -> None:
    p = await people(storage, "ann", "ben")
    async with repo(storage, Spotlights) as spots:  # type: ignore[type-abstract]
        await spots.record(Spotlight("2026-01", p["ann"], 5.0, "auto", AT))
        await spots.record(Spotlight("2026-02", p["ben"], 0.0, "admin", None, "for the meetup"))
        ahead = await spots.get("2026-02")
        assert ahead == Spotlight("2026-02", p["ben"], 0.0, "admin", None, "for the meetup")
        assert [s.period for s in await spots.recent(5, excluding="2026-03")] == ["2026-01"]
        posted = AT + timedelta(days=27)
        await spots.record(Spotlight("2026-02", p["ben"], 0.0, "admin", posted, "for the meetup"))
        assert [s.period for s in await spots.recent(5, excluding="2026-03")] == [
            "2026-02",
            "2026-01",
        ]
