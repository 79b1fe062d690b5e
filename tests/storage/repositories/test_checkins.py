"""The check-in repository on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import insert, inspect

from bot.features.checkins.store import (
    Checkin,
    CheckinStore,
    Delivery,
    NewDelivery,
    Response,
    Source,
    Stance,
)
from bot.features.onboarding.store import AnswerStore
from bot.model import Member, Ref
from bot.ports import ActivityFact, ActivityLog, Directory, PersonData
from storage.engine import SqlStorage, create_engine
from storage.migrate import current_heads, upgrade
from storage.repositories.checkins import SqlCheckinStore
from storage.tables.checkins import checkins

AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
KEY = "20260105T0900"
STANDUP = Checkin(
    id=0,
    name="standup",
    title="Daily standup",
    questions=("What did you do?", "What next?"),
    schedule="0 9 * * mon-fri",
    timezone=None,
    delivery=Delivery.DM,
    channel="general",
    roles=frozenset({"team"}),
    everyone=False,
    remind_after=timedelta(hours=2),
    summary_at=time(17, 0),
    source=Source.CONFIG,
)


def member(platform: str, name: str, *roles: str) -> Member:
    return Member(Ref(platform, "w", f"u-{name}"), name, name.title(), frozenset(roles))


async def _people(storage: SqlStorage) -> dict[str, int]:
    async with storage.unit_of_work() as uow:
        directory = uow.get(Directory)  # type: ignore[type-abstract]
        found = {}
        for m in (member("discord", "carol", "team"), member("discord", "dave")):
            found[m.name] = (await directory.member_joined(m, AT)).person_id
        slack = await directory.member_joined(member("slack", "carol", "lead"), AT)
        await uow.get(PersonData).merge(found["carol"], slack.person_id)  # type: ignore[type-abstract]
        await directory.member_left(Ref("discord", "w", "u-dave"), AT)
        return found


async def test_definitions_round_trip_and_names_are_unique(storage: SqlStorage) -> None:
    async with storage.unit_of_work() as uow:
        store = uow.get(CheckinStore)  # type: ignore[type-abstract]
        made = await store.create(STANDUP, AT)
        assert made is not None and made.id > 0
        assert (await store.get(made.id)) == (await store.by_name("standup"))
        assert await store.create(STANDUP, AT) is None
        await store.replace(replace(STANDUP, title="Standup", questions=("Done?",)))
        again = await store.by_name("standup")
        assert again is not None
        assert (again.title, again.questions) == ("Standup", ("Done?",))
        assert (again.remind_after, again.summary_at, again.roles) == (
            timedelta(hours=2),
            time(17, 0),
            frozenset({"team"}),
        )


async def test_participants_are_present_people_with_all_their_roles(storage: SqlStorage) -> None:
    people = await _people(storage)
    async with storage.unit_of_work() as uow:
        found = await uow.get(CheckinStore).participants()  # type: ignore[type-abstract]
    assert [(p.person_id, p.roles) for p in found] == [
        (people["carol"], frozenset({"team", "lead"}))
    ]


async def test_deliveries_are_unique_per_run_and_paced_by_batch(storage: SqlStorage) -> None:
    people = await _people(storage)
    carol = people["carol"]
    async with storage.unit_of_work() as uow:
        store = uow.get(CheckinStore)  # type: ignore[type-abstract]
        checkin = await store.create(STANDUP, AT)
        assert checkin is not None
        assert await store.start_run(checkin.id, KEY, AT, AT + timedelta(hours=8))
        assert not await store.start_run(checkin.id, KEY, AT, None)
        row = NewDelivery(checkin.id, KEY, carol, Ref("discord", "w", "u-carol"), "nb", AT, 1)
        await store.deliver([row])
        await store.deliver([row])  # a replayed run
        assert await store.batch(checkin.id, AT, 0) == []
        [sent] = await store.batch(checkin.id, AT, 1)
        assert (sent.locale, sent.member.id) == ("nb", "u-carol")
        assert await store.batches(checkin.id, AT) == 2
        await store.mark_sent([sent.id], AT)
        assert await store.batch(checkin.id, AT, 1) == []
        assert [d.id for d in await store.to_remind(checkin.id, AT, 1)] == [sent.id]
        await store.respond(Response(checkin.id, KEY, carol, True, (), AT))
        assert await store.to_remind(checkin.id, AT, 1) == []
        await store.respond(Response(checkin.id, KEY, carol, False, ("a", "b"), AT))
        answer = await store.response(checkin.id, KEY, carol)
        assert answer is not None and (answer.skipped, answer.answers) == (False, ("a", "b"))
        rate = await store.rate(AT, AT + timedelta(days=1))
        assert (rate.sent, rate.answered, rate.skipped) == (1, 1, 0)
        latest = await store.latest_delivery(checkin.id, carol)
        assert latest is not None and latest.id == sent.id
        summary_at = AT + timedelta(hours=8)
        channel, message = Ref("discord", "w", "c-general"), Ref("discord", "w", "m-1")
        assert await store.summarized(checkin.id, KEY, channel, message, summary_at)
        assert not await store.summarized(checkin.id, KEY, channel, message, summary_at)
        run = await store.run(checkin.id, KEY)
        assert run is not None and run.summary_message == message


async def test_memberships_pauses_forget_and_export(storage: SqlStorage) -> None:
    people = await _people(storage)
    carol = people["carol"]
    async with storage.unit_of_work() as uow:
        store = uow.get(CheckinStore)  # type: ignore[type-abstract]
        checkin = await store.create(STANDUP, AT)
        assert checkin is not None
        await store.set_stance(checkin.id, carol, Stance.JOINED)
        await store.set_paused(checkin.id, carol, AT + timedelta(days=7))
        [mine] = (await store.memberships(checkin.id)).values()
        assert (mine.stance, mine.paused_until) == (Stance.JOINED, AT + timedelta(days=7))
        await store.respond(Response(checkin.id, KEY, carol, False, ("æøå", "✓"), AT))
        data = await store.export(carol)
        assert data["answers"][0]["answers"] == ["æøå", "✓"]
        assert data["memberships"][0]["choice"] == "in"
        assert await store.forget(carol) == 2
        assert await store.export(carol) == {"answers": [], "memberships": []}
        assert await store.delete(checkin.id)
        assert await store.all() == []


async def test_activity_per_hour_and_posted_slots(storage: SqlStorage) -> None:
    people = await _people(storage)
    general = Ref("discord", "w", "c-general")
    author = Ref("discord", "w", "u-carol")
    facts = [
        ActivityFact(people["carol"], author, "c-general", kind, AT + timedelta(minutes=m))
        for kind, m in (("message", 5), ("reply", 50), ("message", 70), ("reaction", 6))
    ] + [ActivityFact(people["carol"], author, "c-other", "message", AT)]
    async with storage.unit_of_work() as uow:
        await uow.get(ActivityLog).record(facts)  # type: ignore[type-abstract]
        store = uow.get(CheckinStore)  # type: ignore[type-abstract]
        hours = await store.activity_hours(general, AT - timedelta(days=1), AT + timedelta(days=1))
        assert sorted(hours) == [(AT, 2), (AT + timedelta(hours=1), 1)]
        assert not await store.posted("weekly", AT)
        assert await store.claim_post("weekly", AT, AT)
        assert not await store.claim_post("weekly", AT, AT)
        assert await store.posted("weekly", AT)
        await store.set_post_message("weekly", AT, Ref("discord", "w", "m-9"))


async def test_segments_round_trip(storage: SqlStorage) -> None:
    async with storage.unit_of_work() as uow:
        store = uow.get(CheckinStore)  # type: ignore[type-abstract]
        made = await store.create(replace(STANDUP, segments=frozenset({"newbies", "a:b"})), AT)
        assert made is not None and made.segments == frozenset({"newbies", "a:b"})
        await store.replace(replace(STANDUP, segments=frozenset()))
        again = await store.by_name("standup")
        assert again is not None and again.segments == frozenset()


async def test_onboarding_answers_are_read_for_segment_audiences(storage: SqlStorage) -> None:
    people = await _people(storage)
    carol, dave = people["carol"], people["dave"]
    async with storage.unit_of_work() as uow:
        answers = uow.get(AnswerStore)  # type: ignore[type-abstract]
        await answers.put(carol, "experience", ["beginner"], AT)
        await answers.put(carol, "purpose", ["learn", "help"], AT)
        await answers.put(dave, "purpose", ["help"], AT)
        await answers.put(dave, "level", ["beginner"], AT)  # same option id, other question
        store = uow.get(CheckinStore)  # type: ignore[type-abstract]
        wanted = [("experience", "beginner"), ("purpose", "help")]
        assert await store.onboarding_answers(wanted) == {
            carol: frozenset(wanted),
            dave: frozenset({("purpose", "help")}),
        }
        assert await store.onboarding_answers(wanted, dave) == {
            dave: frozenset({("purpose", "help")})
        }
        assert await store.onboarding_answers([("experience", "expert")]) == {}
        assert await store.onboarding_answers([]) == {}


async def test_checkins_0002_adds_segments_and_keeps_existing_check_ins(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        await upgrade(engine, "0001")
        await upgrade(engine, "checkins_0001")
        async with engine.begin() as conn:
            await conn.execute(
                insert(checkins).values(
                    id=1,
                    name="standup",
                    title="Daily standup",
                    questions='["What did you do?"]',
                    schedule="0 9 * * mon-fri",
                    delivery="dm",
                    roles='["team"]',
                    everyone=False,
                    source="config",
                    created_at=AT,
                )
            )
            columns = await conn.run_sync(
                lambda c: [col["name"] for col in inspect(c).get_columns("checkins")]
            )
            assert "segments" not in columns
        await upgrade(engine, "checkins_0002")
        assert "checkins_0002" in await current_heads(engine)
        async with engine.begin() as conn:
            store = SqlCheckinStore(conn)
            kept = await store.by_name("standup")
            assert kept is not None
            assert (kept.roles, kept.segments) == (frozenset({"team"}), frozenset())
            await store.replace(replace(kept, segments=frozenset({"newbies"})))
            again = await store.get(1)
            assert again is not None and again.segments == frozenset({"newbies"})
    finally:
        await engine.dispose()
