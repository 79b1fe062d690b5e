"""The core repositories, the same suite on SQLite and PostgreSQL.

Directory (members, persons, channels), EventLog (dedup), ActivityLog (facts, in bulk)
and JobStore (persisted one-off jobs and cron claims).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.model import Member, Ref, Workspace
from bot.ports import (
    ActivityFact,
    ActivityLog,
    Directory,
    EventLog,
    JobStore,
    PersonData,
)
from storage.engine import SqlStorage, create_engine
from storage.schema import activity, members, persons, scheduled_jobs, workspaces

T = TypeVar("T")
AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
OSLO = ZoneInfo("Europe/Oslo")


@asynccontextmanager
async def repo(storage: SqlStorage, protocol: type[T]) -> AsyncIterator[T]:
    """One repository in its own committed unit of work."""
    async with storage.unit_of_work() as uow:
        yield uow.get(protocol)


def ref(account: str, platform: str = "discord", workspace: str = "guild") -> Ref:
    return Ref(platform, workspace, account)


def member(account: str, name: str, **fields: Any) -> Member:
    platform = fields.pop("platform", "discord")
    return Member(ref(account, platform), name, **fields)


def meeting(backend: str) -> Callable[[], Awaitable[None]]:
    """Where two concurrent transactions wait for each other, so both are open at once.

    On PostgreSQL they then really race. SQLite lets one writer in at a time (BEGIN
    IMMEDIATE): the second waits for the first to commit, so there is nothing to wait
    for, and waiting would deadlock.
    """
    barrier = asyncio.Barrier(2)

    async def meet() -> None:
        if backend != "sqlite":
            await barrier.wait()

    return meet


async def count(storage: SqlStorage, table: Any) -> int:
    async with storage.connection() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


# --- Directory ---------------------------------------------------------------------


async def test_upsert_creates_a_person_once_and_keeps_it(storage: SqlStorage) -> None:
    async with repo(storage, Directory) as directory:  # type: ignore[type-abstract]
        first = await directory.upsert_member(
            member("U1", "alice", display_name="Alice A.", roles=frozenset({"admin"})), AT
        )
        again = await directory.upsert_member(
            member("U1", "alice2", display_name="Alice B."), AT + timedelta(hours=2)
        )
    assert first.ref == ref("U1")
    assert (first.name, first.display_name, first.roles) == ("alice", "Alice A.", {"admin"})
    assert again.person_id == first.person_id
    # A new name is taken; roles the adapter did not mention are not wiped.
    assert (again.name, again.display_name, again.roles) == ("alice2", "Alice B.", {"admin"})
    assert (first.joined_at, first.left_at, first.is_bot) == (None, None, False)
    assert await count(storage, persons) == 1
    assert await count(storage, members) == 1


async def test_the_same_account_id_on_another_platform_is_someone_else(
    storage: SqlStorage,
) -> None:
    async with repo(storage, Directory) as directory:  # type: ignore[type-abstract]
        on_discord = await directory.upsert_member(member("U1", "alice"), AT)
        on_slack = await directory.upsert_member(member("U1", "alice", platform="slack"), AT)
        assert on_slack.person_id != on_discord.person_id
        assert await directory.get(ref("U1", "slack")) == on_slack
        assert await directory.get(ref("U2")) is None


async def test_find_by_id_name_or_display_name_ignoring_case(storage: SqlStorage) -> None:
    async with repo(storage, Directory) as directory:  # type: ignore[type-abstract]
        alice = await directory.upsert_member(member("U1", "alice", display_name="Ali"), AT)
        aase = await directory.upsert_member(member("U2", "Åse", display_name="ÆRLIG Øyvind"), AT)
        assert await directory.find("discord", "guild", "U1") == alice
        assert await directory.find("discord", "guild", "ALICE") == alice
        assert await directory.find("discord", "guild", " @Alice ") == alice
        assert await directory.find("discord", "guild", "ali") == alice
        # Case folding is not ASCII-only on either backend.
        assert await directory.find("discord", "guild", "åse") == aase
        assert await directory.find("discord", "guild", "ÅSE") == aase
        assert await directory.find("discord", "guild", "ærlig øyvind") == aase
        assert await directory.find("discord", "guild", "al") is None
        assert await directory.find("discord", "guild", "@") is None
        assert await directory.find("discord", "other-guild", "alice") is None
        assert await directory.find("slack", "guild", "alice") is None


async def test_find_prefers_the_member_who_is_still_here(storage: SqlStorage) -> None:
    async with repo(storage, Directory) as directory:  # type: ignore[type-abstract]
        await directory.upsert_member(member("U1", "sam"), AT)
        await directory.member_left(ref("U1"), AT + timedelta(days=1))
        newcomer = await directory.member_joined(member("U2", "sam"), AT + timedelta(days=2))
        assert await directory.find("discord", "guild", "sam") == newcomer


async def test_joining_leaving_and_coming_back(storage: SqlStorage) -> None:
    joined_at, left_at, back_at = AT, AT + timedelta(days=3), AT + timedelta(days=9)
    async with repo(storage, Directory) as directory:  # type: ignore[type-abstract]
        joined = await directory.member_joined(member("U1", "carol"), joined_at)
        assert (joined.joined_at, joined.left_at, joined.active) == (joined_at, None, True)
        left = await directory.member_left(ref("U1"), left_at)
        assert left is not None
        assert (left.joined_at, left.left_at, left.active) == (joined_at, left_at, False)
        assert left.person_id == joined.person_id
        back = await directory.member_joined(member("U1", "carol"), back_at)
        assert (back.joined_at, back.left_at, back.person_id) == (back_at, None, joined.person_id)
        assert await directory.member_left(ref("nobody"), left_at) is None


async def test_accounts_of_a_person_across_platforms(storage: SqlStorage) -> None:
    async with storage.unit_of_work() as uow:
        directory = uow.get(Directory)  # type: ignore[type-abstract]
        discord = await directory.upsert_member(member("D1", "alice"), AT)
        slack = await directory.upsert_member(member("S1", "alice", platform="slack"), AT)
        other = await directory.upsert_member(member("D2", "bob"), AT)
        assert [a.ref for a in await directory.accounts_of(discord.person_id)] == [discord.ref]
        await uow.get(PersonData).merge(discord.person_id, slack.person_id)  # type: ignore[type-abstract]
        linked = await directory.accounts_of(discord.person_id)
        assert sorted(str(a.ref) for a in linked) == [str(discord.ref), str(slack.ref)]
        assert {a.person_id for a in linked} == {discord.person_id}
        assert [a.ref for a in await directory.accounts_of(other.person_id)] == [other.ref]
        assert await directory.accounts_of(-1) == []


async def test_the_persons_choice_and_the_platform_locale_stay_apart(storage: SqlStorage) -> None:
    async with repo(storage, Directory) as directory:  # type: ignore[type-abstract]
        record = await directory.upsert_member(member("U1", "alice", locale="en-US"), AT)
        assert (record.locale, record.platform_locale, record.timezone) == (None, "en-US", None)
        assert await directory.person_prefs(record.person_id) == (None, None)
        await directory.set_person_prefs(record.person_id, locale="nb")
        await directory.set_person_prefs(record.person_id, timezone="Europe/Oslo")
        await directory.set_person_prefs(record.person_id)  # nothing given: nothing changes
        assert await directory.person_prefs(record.person_id) == ("nb", "Europe/Oslo")
        found = await directory.get(ref("U1"))
        assert found is not None
        assert (found.locale, found.platform_locale, found.timezone) == (
            "nb",
            "en-US",
            "Europe/Oslo",
        )
        # The platform reports another locale: the choice stays, the hint follows.
        again = await directory.upsert_member(member("U1", "alice", locale="lv"), AT)
        assert (again.locale, again.platform_locale) == ("nb", "lv")
        # "" forgets the choice (/language auto); the time zone stays.
        await directory.set_person_prefs(record.person_id, locale="")
        assert await directory.person_prefs(record.person_id) == (None, "Europe/Oslo")
        forgot = await directory.get(ref("U1"))
        assert forgot is not None and (forgot.locale, forgot.platform_locale) == (None, "lv")
        assert await directory.person_prefs(-1) == (None, None)


async def test_a_channels_name_is_known_by_its_ref(storage: SqlStorage) -> None:
    async with repo(storage, Directory) as directory:  # type: ignore[type-abstract]
        await directory.upsert_channel(ref("C1"), "lv-talk", "text")
        assert await directory.channel_name(ref("C1")) == "lv-talk"
        await directory.upsert_channel(ref("C1"), "latviski", "text")  # renamed
        assert await directory.channel_name(ref("C1")) == "latviski"
        assert await directory.channel_name(ref("C2")) is None


async def test_roles_are_replaced_by_set_roles(storage: SqlStorage) -> None:
    async with repo(storage, Directory) as directory:  # type: ignore[type-abstract]
        await directory.upsert_member(member("U1", "bob", roles=frozenset({"moderator"})), AT)
        await directory.set_roles(ref("U1"), frozenset({"helper", "admin"}))
        found = await directory.get(ref("U1"))
        assert found is not None
        assert found.roles == {"admin", "helper"}
        await directory.set_roles(ref("U1"), frozenset())
        found = await directory.get(ref("U1"))
        assert found is not None
        assert found.roles == frozenset()


async def test_count_members_counts_present_people_not_bots(storage: SqlStorage) -> None:
    async with storage.unit_of_work() as uow:
        directory = uow.get(Directory)  # type: ignore[type-abstract]
        alice = await directory.upsert_member(member("D1", "alice"), AT)
        alice_slack = await directory.upsert_member(member("S1", "alice", platform="slack"), AT)
        await uow.get(PersonData).merge(alice.person_id, alice_slack.person_id)  # type: ignore[type-abstract]
        await directory.upsert_member(member("D2", "bob"), AT)
        await directory.upsert_member(member("D3", "gone"), AT)
        await directory.member_left(ref("D3"), AT)
        await directory.upsert_member(member("D4", "agora", is_bot=True), AT)
        await directory.upsert_member(member("S2", "carol", platform="slack"), AT)
        assert await directory.count_members() == 3  # alice (two accounts), bob, carol
        assert await directory.count_members("discord") == 2
        assert await directory.count_members("slack") == 2
        assert await directory.count_members("console") == 0


async def test_a_new_member_seen_by_two_events_at_once_becomes_one_person(
    backend: str, db_url: str, storage: SqlStorage
) -> None:
    """Two events of a newcomer handled concurrently (two instances, or one on PG)."""
    other = SqlStorage(create_engine(db_url))
    meet = meeting(backend)
    try:

        async def see(where: SqlStorage) -> int:
            async with repo(where, Directory) as directory:  # type: ignore[type-abstract]
                await meet()
                found = await directory.upsert_member(member("U1", "newcomer"), AT)
                await asyncio.sleep(0.01)  # hold the transaction open while the other runs
                return found.person_id

        first, second = await asyncio.gather(see(storage), see(other))
    finally:
        await other.close()
    assert first == second
    assert await count(storage, persons) == 1
    assert await count(storage, members) == 1


async def test_channels_are_upserted_and_found_by_name_or_id(storage: SqlStorage) -> None:
    general = Ref("slack", "T1", "C1")
    async with repo(storage, Directory) as directory:  # type: ignore[type-abstract]
        await directory.upsert_channel(general, "general", "text")
        await directory.upsert_channel(Ref("slack", "T2", "C9"), "Hjelp", "text")
        await directory.upsert_channel(general, "general", "text")  # seen again: no-op
        assert await directory.find_channel("slack", "T1", "general") == general
        assert await directory.find_channel("slack", "T1", "#GENERAL") == general
        assert await directory.find_channel("slack", "T1", "C1") == general
        assert await directory.find_channel("slack", None, "general") == general
        assert await directory.find_channel("slack", None, "HJELP") == Ref("slack", "T2", "C9")
        assert await directory.find_channel("slack", "T1", "hjelp") is None
        assert await directory.find_channel("discord", None, "general") is None
        await directory.upsert_channel(general, "lobby", "text")  # renamed on the platform
        assert await directory.find_channel("slack", "T1", "lobby") == general
        assert await directory.find_channel("slack", "T1", "general") is None


async def test_workspaces_are_registered_once_and_named_when_told(storage: SqlStorage) -> None:
    later = AT + timedelta(days=3)
    async with repo(storage, Directory) as directory:  # type: ignore[type-abstract]
        await directory.register_workspace("discord", "G1", AT)
        await directory.register_workspace("slack", "T1", AT, "Fjordkoderne")
        await directory.register_workspace("discord", "G1", later)  # seen again: no-op
        await directory.register_workspace("discord", "G0", later)
    async with repo(storage, Directory) as directory:  # type: ignore[type-abstract]
        assert await directory.workspaces() == [
            Workspace("discord", "G1", None, AT),
            Workspace("discord", "G0", None, later),
            Workspace("slack", "T1", "Fjordkoderne", AT),
        ]
        await directory.register_workspace("discord", "G1", later, "Rust Oslo")  # told its name
        await directory.register_workspace("slack", "T1", later)  # no name: the old one stays
        await directory.register_workspace("slack", "T1", later, "Fjordkoderne")
    async with repo(storage, Directory) as directory:  # type: ignore[type-abstract]
        found = {(w.platform, w.external_id): w for w in await directory.workspaces()}
    assert found["discord", "G1"] == Workspace("discord", "G1", "Rust Oslo", AT)
    assert found["slack", "T1"] == Workspace("slack", "T1", "Fjordkoderne", AT)
    assert await count(storage, workspaces) == 3


# --- EventLog ----------------------------------------------------------------------


async def test_an_event_id_is_claimed_once(storage: SqlStorage) -> None:
    async with repo(storage, EventLog) as log:  # type: ignore[type-abstract]
        assert await log.claim(["slack:Ev1"], AT) == {"slack:Ev1"}
        assert await log.claim(["slack:Ev1"], AT) == set()
        assert await log.claim(["slack:Ev2"], AT) == {"slack:Ev2"}
    async with repo(storage, EventLog) as log:  # type: ignore[type-abstract]
        assert await log.claim(["slack:Ev1"], AT + timedelta(minutes=5)) == set()


async def test_claiming_in_bulk_returns_only_the_new_ids(storage: SqlStorage) -> None:
    async with repo(storage, EventLog) as log:  # type: ignore[type-abstract]
        assert await log.claim(["a", "b"], AT) == {"a", "b"}
        assert await log.claim(["b", "c", "c", "d"], AT) == {"c", "d"}
        assert await log.claim([], AT) == set()


async def test_a_released_claim_can_be_claimed_again(storage: SqlStorage) -> None:
    async with repo(storage, EventLog) as log:  # type: ignore[type-abstract]
        assert await log.claim(["a", "b"], AT) == {"a", "b"}
        await log.release("a")
        assert await log.claim(["a", "b"], AT) == {"a"}


async def test_a_claim_rolled_back_with_its_event_can_be_retried(storage: SqlStorage) -> None:
    with pytest.raises(RuntimeError):
        async with repo(storage, EventLog) as log:  # type: ignore[type-abstract]
            assert await log.claim(["slack:Ev1"], AT)
            raise RuntimeError("handler crashed before commit")
    async with repo(storage, EventLog) as log:  # type: ignore[type-abstract]
        assert await log.claim(["slack:Ev1"], AT) == {"slack:Ev1"}


async def test_the_same_event_delivered_twice_at_once_is_claimed_once(
    backend: str, db_url: str, storage: SqlStorage
) -> None:
    other = SqlStorage(create_engine(db_url))
    meet = meeting(backend)
    try:

        async def claim(where: SqlStorage) -> bool:
            async with repo(where, EventLog) as log:  # type: ignore[type-abstract]
                await meet()
                won = bool(await log.claim(["slack:retry"], AT))
                await asyncio.sleep(0.01)
                return won

        results = await asyncio.gather(claim(storage), claim(other))
    finally:
        await other.close()
    assert sorted(results) == [False, True]


async def test_prune_forgets_only_old_event_ids(storage: SqlStorage) -> None:
    async with repo(storage, EventLog) as log:  # type: ignore[type-abstract]
        for day in range(5):
            assert await log.claim([f"ev{day}"], AT + timedelta(days=day))
        assert await log.prune(AT + timedelta(days=2)) == 2
        assert await log.prune(AT + timedelta(days=2)) == 0
        assert await log.claim(["ev0"], AT) == {"ev0"}  # forgotten, so claimable again
        assert await log.claim(["ev2"], AT) == set()  # exactly at the cutoff: kept


# --- ActivityLog -------------------------------------------------------------------


def facts(n: int, start: datetime) -> list[ActivityFact]:
    return [
        ActivityFact(
            person_id=i % 7,
            member=ref(f"U{i % 7}"),
            channel_id=f"C{i % 3}",
            kind="reply" if i % 2 else "message",
            at=start + timedelta(minutes=i),
            length=i,
            reply=bool(i % 2),
            sentiment=None if i % 3 else i / 100,
        )
        for i in range(n)
    ]


async def test_activity_is_recorded_in_bulk_as_facts(storage: SqlStorage) -> None:
    batch = facts(500, AT)
    async with repo(storage, ActivityLog) as log:  # type: ignore[type-abstract]
        await log.record(batch)
        await log.record([])
    assert await count(storage, activity) == 500
    async with storage.connection() as conn:
        rows = (await conn.execute(select(activity).order_by(activity.c.id))).all()
    stored = [
        ActivityFact(
            r.person_id,
            Ref(r.platform, r.workspace, f"U{r.person_id}"),
            r.channel_id,
            r.kind,
            r.at,
            r.length,
            bool(r.reply),
            r.sentiment,
        )
        for r in rows
    ]
    assert stored == batch
    assert "text" not in activity.c and "content" not in activity.c  # facts, never words


async def test_activity_prune_removes_only_older_facts(storage: SqlStorage) -> None:
    async with repo(storage, ActivityLog) as log:  # type: ignore[type-abstract]
        await log.record(facts(100, AT))  # one a minute from AT
        assert await log.prune(AT + timedelta(minutes=40)) == 40
        assert await log.prune(AT) == 0
    async with storage.connection() as conn:
        oldest = (await conn.execute(select(func.min(activity.c.at)))).scalar_one()
    assert oldest == AT + timedelta(minutes=40)
    assert await count(storage, activity) == 60


# --- JobStore ----------------------------------------------------------------------


def keys(jobs: Sequence[Any]) -> list[str]:
    return [j.key for j in jobs]


async def test_schedule_is_idempotent_by_key_and_moves_the_job(storage: SqlStorage) -> None:
    async with repo(storage, JobStore) as store:  # type: ignore[type-abstract]
        first = await store.schedule(
            "polls:close:7", "polls", "close", AT + timedelta(days=1), {"poll": 7, "why": "ø"}
        )
        assert first.payload == {"poll": 7, "why": "ø"}
        assert (first.feature, first.name, first.due_at) == ("polls", "close", AT + timedelta(1))
        moved = await store.schedule(
            "polls:close:7", "polls", "close", AT + timedelta(hours=2), {"poll": 7}
        )
        assert moved.id == first.id
        assert (moved.due_at, moved.payload) == (AT + timedelta(hours=2), {"poll": 7})
        assert await store.get(first.id) == moved
        assert keys(await store.pending()) == ["polls:close:7"]
    assert await count(storage, scheduled_jobs) == 1


async def test_a_job_scheduled_twice_at_once_exists_once(
    backend: str, db_url: str, storage: SqlStorage
) -> None:
    other = SqlStorage(create_engine(db_url))
    meet = meeting(backend)
    try:

        async def schedule(where: SqlStorage, hours: int) -> int:
            async with repo(where, JobStore) as store:  # type: ignore[type-abstract]
                await meet()
                job = await store.schedule("k", "polls", "close", AT + timedelta(hours=hours), {})
                await asyncio.sleep(0.01)
                return job.id

        first, second = await asyncio.gather(schedule(storage, 1), schedule(other, 2))
    finally:
        await other.close()
    assert first == second
    assert await count(storage, scheduled_jobs) == 1


async def test_cancel_removes_a_pending_job_once(storage: SqlStorage) -> None:
    async with repo(storage, JobStore) as store:  # type: ignore[type-abstract]
        job = await store.schedule("a", "polls", "close", AT, {})
        await store.schedule("b", "polls", "close", AT, {})
        assert await store.cancel("a") is True
        assert await store.cancel("a") is False
        assert await store.cancel("never") is False
        assert await store.get(job.id) is None
        assert keys(await store.pending()) == ["b"]


async def test_a_job_that_ran_cannot_be_cancelled_but_can_be_scheduled_again(
    storage: SqlStorage,
) -> None:
    async with repo(storage, JobStore) as store:  # type: ignore[type-abstract]
        job = await store.schedule("a", "polls", "close", AT, {})
        assert await store.claim(job.id, "i1", AT)
        assert await store.cancel("a") is False
        assert await store.pending() == []
        again = await store.schedule("a", "polls", "close", AT + timedelta(days=1), {})
        assert again.id == job.id
        assert keys(await store.pending()) == ["a"]
        assert await store.claim(job.id, "i1", AT + timedelta(days=1)) is True


async def test_cancel_prefix_takes_wildcards_literally(storage: SqlStorage) -> None:
    all_keys = [
        "poll:1:close",
        "poll:1:remind",
        "poll:10:close",
        "poll:1%:x",
        "poll%:x",
        "poll_1:x",
        "pollX1:x",
        "Poll:1:close",
        "poll\\:x",
    ]
    async with repo(storage, JobStore) as store:  # type: ignore[type-abstract]
        for key in all_keys:
            await store.schedule(key, "polls", "close", AT, {})
        done = await store.schedule("poll:1:done", "polls", "close", AT, {})
        assert await store.claim(done.id, "i1", AT)
        assert await store.cancel_prefix("poll:1:") == 2  # not poll:10, Poll:1 or the done one
        assert await store.cancel_prefix("poll%") == 1  # not poll:1%:x
        assert await store.cancel_prefix("poll_") == 1  # not pollX1:x
        assert await store.cancel_prefix("poll\\") == 1
        assert await store.cancel_prefix("nothing") == 0
        left = sorted(keys(await store.pending()))
    assert left == sorted(["Poll:1:close", "poll:10:close", "poll:1%:x", "pollX1:x"])


async def test_pending_is_ordered_by_due_time_then_creation(storage: SqlStorage) -> None:
    async with repo(storage, JobStore) as store:  # type: ignore[type-abstract]
        await store.schedule("late", "f", "j", AT + timedelta(hours=3), {})
        await store.schedule("tie-1", "f", "j", AT + timedelta(hours=1), {})
        await store.schedule("tie-2", "f", "j", AT + timedelta(hours=1), {})
        # An Oslo time one hour ahead of UTC is the same instant as 08:00 UTC: earliest.
        await store.schedule("first", "f", "j", datetime(2026, 1, 5, 9, 0, tzinfo=OSLO), {})
        ran = await store.schedule("ran", "f", "j", AT, {})
        assert await store.claim(ran.id, "i1", AT)
        assert keys(await store.pending()) == ["first", "tie-1", "tie-2", "late"]
        due = await store.pending(due_before=AT + timedelta(hours=1))
        assert keys(due) == ["first", "tie-1", "tie-2"]  # inclusive bound
        assert all(j.due_at.tzinfo is UTC for j in due)


async def test_a_job_is_claimed_exactly_once(storage: SqlStorage) -> None:
    async with repo(storage, JobStore) as store:  # type: ignore[type-abstract]
        job = await store.schedule("a", "polls", "close", AT, {})
        assert await store.claim(job.id, "instance-1", AT) is True
        assert await store.claim(job.id, "instance-1", AT) is False
        assert await store.claim(job.id, "instance-2", AT) is False
        assert await store.claim(-1, "instance-2", AT) is False
    async with storage.connection() as conn:
        row = (await conn.execute(select(scheduled_jobs))).one()
    assert (row.claimed_by, row.done_at) == ("instance-1", AT)


async def test_two_instances_claiming_at_once_get_one_win(
    backend: str, db_url: str, storage: SqlStorage
) -> None:
    async with repo(storage, JobStore) as store:  # type: ignore[type-abstract]
        job = await store.schedule("a", "polls", "close", AT, {})
    other = SqlStorage(create_engine(db_url))
    meet = meeting(backend)
    try:

        async def claim(where: SqlStorage, instance: str) -> bool:
            async with repo(where, JobStore) as store:  # type: ignore[type-abstract]
                await meet()
                won = await store.claim(job.id, instance, AT)
                await asyncio.sleep(0.01)  # the winner's handler still running
                return won

        results = await asyncio.gather(claim(storage, "one"), claim(other, "two"))
    finally:
        await other.close()
    assert sorted(results) == [False, True]


async def test_a_cron_fire_time_is_claimed_once(storage: SqlStorage) -> None:
    fire = datetime(2026, 3, 29, 7, 0, tzinfo=UTC)
    async with repo(storage, JobStore) as store:  # type: ignore[type-abstract]
        assert await store.claim_cron("kudos.weekly", fire, "one") is True
        assert await store.claim_cron("kudos.weekly", fire, "two") is False
        # The same instant written in Oslo time is the same fire time.
        assert await store.claim_cron("kudos.weekly", fire.astimezone(OSLO), "two") is False
        assert await store.claim_cron("kudos.weekly", fire + timedelta(days=1), "two") is True
        assert await store.claim_cron("polls.remind", fire, "two") is True


async def test_cron_claims_at_once_from_two_instances_get_one_win(
    backend: str, db_url: str, storage: SqlStorage
) -> None:
    fire = datetime(2026, 3, 29, 7, 0, tzinfo=UTC)
    other = SqlStorage(create_engine(db_url))
    meet = meeting(backend)
    try:

        async def claim(where: SqlStorage, instance: str) -> bool:
            async with repo(where, JobStore) as store:  # type: ignore[type-abstract]
                await meet()
                won = await store.claim_cron("kudos.weekly", fire, instance)
                await asyncio.sleep(0.01)
                return won

        results = await asyncio.gather(claim(storage, "one"), claim(other, "two"))
    finally:
        await other.close()
    assert sorted(results) == [False, True]


def test_the_repositories_are_found_by_protocol() -> None:
    from storage.repositories import implementation

    for protocol in (Directory, EventLog, ActivityLog, JobStore, PersonData):
        assert cast(Any, implementation(protocol)).__module__.startswith("storage.repositories")
