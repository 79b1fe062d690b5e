"""Metrics queries on SQLite and PostgreSQL against a small community counted by hand.

The community (week of Monday 2026-03-02, UTC unless a test says otherwise):

- ann: known before joins were recorded (no join time); message Mar 2 10:00 (tone
  +0.5), reaction Mar 2 11:00, message Mar 8 23:30 (00:30 on Mar 9 in Oslo).
- bob: joins Mar 3; reply Mar 3 12:00 in #help, a command Mar 3 12:05 (not "active"),
  message Mar 10 (after the window).
- cat: joins Feb 24, message Feb 25, leaves Mar 4.
- eve: one person with two accounts: Discord (joined Feb 1; message Mar 5 09:00 in
  #help, tone -0.1) and Slack (joined Mar 5; message Mar 5 10:00 in C1, reaction Mar 6).
- fay: joins Jan 1; only a reaction, Mar 4.
- a bot account (joined Mar 3), which never counts.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from bot.features.metrics.periods import day_number, shifts, week_number
from bot.features.metrics.store import CheckIns, CommunityMetrics, Stint
from bot.model import Member, Ref
from bot.ports import ActivityFact, ActivityLog, Directory, PersonData
from bot.stats import Window
from storage.engine import SqlStorage

T = TypeVar("T")
UTC_SHIFTS = shifts(
    ZoneInfo("UTC"), datetime(2025, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
)
WEEK = Window(datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 9, tzinfo=UTC))


def at(day: int, hour: int = 12, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def d(day: int, month: int = 3) -> int:
    return day_number(date(2026, month, day))


@asynccontextmanager
async def repo(storage: SqlStorage, protocol: type[T]) -> AsyncIterator[T]:
    async with storage.unit_of_work() as uow:
        yield uow.get(protocol)


def account(name: str, platform: str = "discord", *, bot: bool = False) -> Member:
    workspace = "guild" if platform == "discord" else "team"
    return Member(Ref(platform, workspace, f"u-{name}"), name, is_bot=bot)


async def community(storage: SqlStorage) -> dict[str, int]:
    """The community above; returns person ids by name."""
    joins: dict[str, tuple[Member, datetime | None]] = {
        "ann": (account("ann"), None),
        "bob": (account("bob"), at(3, 8)),
        "cat": (account("cat"), at(24, 8, month=2)),
        "eve": (account("eve"), at(1, 8, month=2)),
        "eve-slack": (account("eve", "slack"), at(5, 8)),
        "fay": (account("fay"), datetime(2026, 1, 1, 8, tzinfo=UTC)),
        "robot": (account("robot", bot=True), at(3, 8)),
    }
    people: dict[str, int] = {}
    async with repo(storage, Directory) as directory:  # type: ignore[type-abstract]
        for name, (member, joined) in joins.items():
            if joined is None:
                record = await directory.upsert_member(member, at(1, 8, month=1))
            else:
                record = await directory.member_joined(member, joined)
            people[name] = record.person_id
        await directory.member_left(account("cat").ref, at(4, 8))
        await directory.upsert_channel(Ref("discord", "guild", "c-general"), "general", "text")
        await directory.upsert_channel(Ref("discord", "guild", "c-help"), "help", "text")
    async with repo(storage, PersonData) as data:  # type: ignore[type-abstract]
        await data.merge(people["eve"], people.pop("eve-slack"))

    def fact(
        name: str, kind: str, when: datetime, channel: str = "c-general", **more: Any
    ) -> ActivityFact:
        member = account(name, more.pop("platform", "discord"))
        return ActivityFact(people[name], member.ref, channel, kind, when, **more)

    facts = [
        fact("ann", "message", at(2, 10), length=20, sentiment=0.5),
        fact("ann", "reaction", at(2, 11)),
        fact("ann", "message", at(8, 23, 30), length=5),
        fact("bob", "reply", at(3, 12), "c-help", reply=True),
        fact("bob", "command", at(3, 12, 5), "c-help"),
        fact("bob", "message", at(10, 9)),
        fact("cat", "message", at(25, 9, month=2)),
        fact("eve", "message", at(5, 9), "c-help", sentiment=-0.1),
        fact("eve", "message", at(5, 10), "C1", platform="slack"),
        fact("eve", "reaction", at(6, 10), "C1", platform="slack"),
        fact("fay", "reaction", at(4, 15)),
    ]
    async with repo(storage, ActivityLog) as log:  # type: ignore[type-abstract]
        await log.record(facts)
    return people


async def test_growth_counts_persons_once_and_leavers(storage: SqlStorage) -> None:
    await community(storage)
    async with repo(storage, CommunityMetrics) as metrics:  # type: ignore[type-abstract]
        both = await metrics.growth(WEEK, UTC_SHIFTS)
        slack = await metrics.growth(Window(WEEK.start, WEEK.end, "slack"), UTC_SHIFTS)
        discord = await metrics.growth(Window(WEEK.start, WEEK.end, "discord"), UTC_SHIFTS)
        empty = await metrics.growth(
            Window(datetime(2025, 6, 1, tzinfo=UTC), datetime(2025, 6, 8, tzinfo=UTC)), UTC_SHIFTS
        )
    # ann (first seen Jan 1), cat (leaves later), eve (once, two accounts), fay; no bot.
    assert both.before == 4
    assert dict(both.joined) == {d(3): 1}  # bob; eve's Slack account is not a newcomer
    assert dict(both.left) == {d(4): 1}  # cat
    assert both.after == 4
    assert (slack.before, dict(slack.joined), dict(slack.left)) == (0, {d(5): 1}, {})
    assert discord.before == 4 and dict(discord.joined) == {d(3): 1}
    # Before anyone was seen or joined there was nobody, not even ann.
    assert (empty.before, dict(empty.joined), dict(empty.left)) == (0, {}, {})


async def test_a_member_known_before_joins_were_recorded_counts_from_first_seen(
    storage: SqlStorage,
) -> None:
    await community(storage)
    new_year = Window(datetime(2025, 12, 29, tzinfo=UTC), datetime(2026, 1, 5, tzinfo=UTC))
    async with repo(storage, CommunityMetrics) as metrics:  # type: ignore[type-abstract]
        growth = await metrics.growth(new_year, UTC_SHIFTS)
    # ann was first seen on Jan 1 at 08:00, the hour fay joined: one arrival each.
    assert growth.before == 0
    assert (dict(growth.joined), dict(growth.seen), growth.after) == (
        {d(1, 1): 1},
        {d(1, 1): 1},
        2,
    )


async def test_history_keeps_a_departure_and_the_first_cohort_of_a_member_who_came_back(
    storage: SqlStorage,
) -> None:
    """gus joins Tue Nov 24, leaves Wed Dec 2 and comes back on Fri Dec 4, 2026."""

    def day(month: int, number: int, hour: int = 9) -> datetime:
        return datetime(2026, month, number, hour, tzinfo=UTC)

    async with repo(storage, Directory) as directory:  # type: ignore[type-abstract]
        gus = (await directory.member_joined(account("gus"), day(11, 24))).person_id
        await directory.member_left(account("gus").ref, day(12, 2))
        await directory.member_joined(account("gus"), day(12, 4))
        await directory.member_joined(account("gus"), day(12, 5))  # a replayed join
        await directory.member_left(account("ghost").ref, day(12, 5))  # never seen: nothing
    async with repo(storage, ActivityLog) as log:  # type: ignore[type-abstract]
        await log.record([ActivityFact(gus, account("gus").ref, "c", "message", day(12, 8))])
    week = Window(day(11, 30, 0), day(12, 7, 0))
    nov23, dec7 = week_number(date(2026, 11, 23)), week_number(date(2026, 12, 7))
    async with repo(storage, CommunityMetrics) as metrics:  # type: ignore[type-abstract]
        growth = await metrics.growth(week, UTC_SHIFTS)
        cohorts = await metrics.cohorts(
            day(11, 23, 0), day(12, 14, 0), day(12, 14, 0), UTC_SHIFTS, None
        )
    assert growth.before == 1
    assert (dict(growth.left), dict(growth.joined)) == ({d(2, 12): 1}, {d(4, 12): 1})
    assert growth.after == 1
    assert dict(cohorts.sizes) == {nov23: 1}  # the first join's week, not the rejoin's
    assert dict(cohorts.active) == {(nov23, dec7): 1}


async def test_a_linked_person_departs_with_their_last_account(storage: SqlStorage) -> None:
    people = await community(storage)
    async with repo(storage, Directory) as directory:  # type: ignore[type-abstract]
        await directory.member_left(account("eve", "slack").ref, at(10, 9))
        await directory.member_left(account("eve").ref, at(11, 9))
    week = Window(at(9, 0), at(16, 0))
    async with repo(storage, CommunityMetrics) as metrics:  # type: ignore[type-abstract]
        both = await metrics.growth(week, UTC_SHIFTS)
        slack = await metrics.growth(Window(week.start, week.end, "slack"), UTC_SHIFTS)
    assert people["eve"]
    assert (both.before, dict(both.left), both.after) == (4, {d(11): 1}, 3)
    assert (slack.before, dict(slack.left), slack.after) == (1, {d(10): 1}, 0)


async def test_reach_distinct_persons_days_wau_mau(storage: SqlStorage) -> None:
    await community(storage)
    async with repo(storage, CommunityMetrics) as metrics:  # type: ignore[type-abstract]
        both = await metrics.reach(WEEK, UTC_SHIFTS)
        slack = await metrics.reach(Window(WEEK.start, WEEK.end, "slack"), UTC_SHIFTS)
        first_day = await metrics.reach(Window(at(2, 0), at(3, 0)), UTC_SHIFTS)
        nothing = await metrics.reach(Window(at(1, 0, month=6), at(2, 0, month=6)), UTC_SHIFTS)
    # active: ann, bob, eve (once), fay; posters: not fay (reaction only).
    # person-days: ann 2 (Mar 2, 8), bob 1, eve 2 (Mar 5, 6), fay 1; MAU adds cat (Feb 25).
    assert (both.active, both.posters, both.person_days, both.wau, both.mau) == (4, 3, 6, 4, 5)
    assert (slack.active, slack.posters, slack.person_days, slack.wau, slack.mau) == (1, 1, 2, 1, 1)
    # One day: only ann; the 7 and 30 days before Mar 3 both hold ann and cat (Feb 25).
    assert (first_day.active, first_day.wau, first_day.mau) == (1, 2, 2)
    assert nothing == type(nothing)(0, 0, 0, 0, 0)


async def test_hours_count_every_kind(storage: SqlStorage) -> None:
    await community(storage)
    async with repo(storage, CommunityMetrics) as metrics:  # type: ignore[type-abstract]
        hours = await metrics.hours(WEEK, UTC_SHIFTS)
        quiet = await metrics.hours(Window(at(9, 0), at(16, 0)), UTC_SHIFTS)
    kinds: dict[str, int] = {}
    for hour in hours:
        kinds[hour.kind] = kinds.get(hour.kind, 0) + hour.count
    assert kinds == {"message": 4, "reply": 1, "reaction": 3, "command": 1}
    assert [(h.kind, h.count) for h in quiet] == [("message", 1)]


async def test_tone_sums_scores_and_counts_people_per_period_and_day(storage: SqlStorage) -> None:
    people = await community(storage)
    async with repo(storage, ActivityLog) as log:  # type: ignore[type-abstract]
        await log.record(
            [
                ActivityFact(
                    people["ann"], account("ann").ref, "c", "message", at(5, 20), sentiment=0.3
                )
            ]
        )
    async with repo(storage, CommunityMetrics) as metrics:  # type: ignore[type-abstract]
        week = await metrics.tone(WEEK, UTC_SHIFTS)
        slack = await metrics.tone(Window(WEEK.start, WEEK.end, "slack"), UTC_SHIFTS)
    # ann +0.5 (Mar 2) and +0.3 (Mar 5), eve -0.1 (Mar 5): three scores, two people.
    assert (round(week.period.total, 6), week.period.scored, week.period.people) == (0.7, 3, 2)
    assert {day: (round(t.total, 6), t.scored, t.people) for day, t in week.days.items()} == {
        d(2): (0.5, 1, 1),
        d(5): (0.2, 2, 2),
    }
    assert (slack.period.scored, dict(slack.days)) == (0, {})


async def test_hours_follow_the_community_clock(storage: SqlStorage) -> None:
    await community(storage)
    oslo = shifts(ZoneInfo("Europe/Oslo"), datetime(2026, 1, 1, tzinfo=UTC), at(31))
    async with repo(storage, CommunityMetrics) as metrics:  # type: ignore[type-abstract]
        utc = await metrics.hours(WEEK, UTC_SHIFTS)
        local = await metrics.hours(WEEK, oslo)
    late = d(8) * 24 + 23
    assert any(h.hour == late and h.kind == "message" for h in utc)
    # 23:30 UTC on Sunday is 00:30 on Monday in Oslo (UTC+1 in March before DST).
    assert any(h.hour == d(9) * 24 + 0 and h.kind == "message" for h in local)
    assert sorted((h.hour, h.kind) for h in utc) == sorted(
        [
            (d(3) * 24 + 12, "command"),
            (d(2) * 24 + 10, "message"),
            (d(2) * 24 + 11, "reaction"),
            (late, "message"),
            (d(3) * 24 + 12, "reply"),
            (d(5) * 24 + 9, "message"),
            (d(5) * 24 + 10, "message"),
            (d(6) * 24 + 10, "reaction"),
            (d(4) * 24 + 15, "reaction"),
        ]
    )


async def test_days_change_at_local_midnight_across_daylight_saving(storage: SqlStorage) -> None:
    """Oslo moves to UTC+2 on 2026-03-29 at 01:00 UTC."""
    people = await community(storage)
    before_dst = at(28, 23, 30)  # 00:30 on Mar 29, still UTC+1
    after_dst = at(29, 22, 30)  # 00:30 on Mar 30, UTC+2
    async with repo(storage, ActivityLog) as log:  # type: ignore[type-abstract]
        await log.record(
            [
                ActivityFact(people["ann"], account("ann").ref, "c", "message", before_dst),
                ActivityFact(people["ann"], account("ann").ref, "c", "message", after_dst),
            ]
        )
    oslo = shifts(ZoneInfo("Europe/Oslo"), datetime(2026, 1, 1, tzinfo=UTC), at(31))
    async with repo(storage, CommunityMetrics) as metrics:  # type: ignore[type-abstract]
        hours = await metrics.hours(Window(at(28, 0), at(31, 0)), oslo)
    assert sorted(h.hour for h in hours) == [d(29) * 24, d(30) * 24]


async def test_stints_give_rolling_actives(storage: SqlStorage) -> None:
    await community(storage)
    async with repo(storage, CommunityMetrics) as metrics:  # type: ignore[type-abstract]
        stints = sorted(await metrics.stints(WEEK, UTC_SHIFTS), key=lambda s: (s.day, s.until7))
    assert stints == [
        Stint(d(2), d(8), d(8), 1),  # ann, active again on Mar 8
        Stint(d(3), d(3) + 30, d(3) + 7, 1),  # bob
        Stint(d(4), d(4) + 30, d(4) + 7, 1),  # fay
        Stint(d(5), d(6), d(6), 1),  # eve, again the next day
        Stint(d(6), d(6) + 30, d(6) + 7, 1),
        Stint(d(8), d(8) + 30, d(8) + 7, 1),
    ]


async def test_channels_rank_posts_with_names(storage: SqlStorage) -> None:
    await community(storage)
    async with repo(storage, CommunityMetrics) as metrics:  # type: ignore[type-abstract]
        found = await metrics.channels(WEEK, 10)
        top = await metrics.channels(WEEK, 1)
        detail = await metrics.channels(WEEK, None, detail=True)
    assert [(c.platform, c.name, c.messages, c.replies, c.reactions) for c in found] == [
        ("discord", "general", 2, 0, None),
        ("discord", "help", 1, 1, None),
        ("slack", "C1", 1, 0, None),
    ]
    assert [c.name for c in top] == ["general"]
    # general: ann's 2 messages and reaction, fay's reaction; help: eve's message and
    # bob's reply; C1 (Slack, no name known): eve's message and reaction.
    assert [(c.name, c.messages, c.replies, c.reactions, c.people) for c in detail] == [
        ("general", 2, 0, 2, 2),
        ("help", 1, 1, 0, 2),
        ("C1", 1, 0, 1, 1),
    ]


async def test_cohorts_of_joiners_and_their_later_weeks(storage: SqlStorage) -> None:
    await community(storage)
    feb23, mar2, mar9 = (week_number(date(2026, m, x)) for m, x in ((2, 23), (3, 2), (3, 9)))
    async with repo(storage, CommunityMetrics) as metrics:  # type: ignore[type-abstract]
        cohorts = await metrics.cohorts(at(23, 0, month=2), at(9, 0), at(16, 0), UTC_SHIFTS, None)
        slack = await metrics.cohorts(at(23, 0, month=2), at(9, 0), at(16, 0), UTC_SHIFTS, "slack")
    assert dict(cohorts.sizes) == {feb23: 1, mar2: 1}  # cat, bob
    assert dict(cohorts.active) == {(feb23, feb23): 1, (mar2, mar2): 1, (mar2, mar9): 1}
    assert dict(slack.sizes) == {mar2: 1}  # eve's Slack account joined Mar 5
    assert dict(slack.active) == {(mar2, mar2): 1}


async def test_slipping_members_active_before_and_silent_since(storage: SqlStorage) -> None:
    people: dict[str, int] = {}
    async with repo(storage, Directory) as directory:  # type: ignore[type-abstract]
        for name in ("gus", "hal", "ivy", "jon", "kim"):
            people[name] = (await directory.upsert_member(account(name), at(1, 0))).person_id
        await directory.member_left(account("jon").ref, at(28, 0, month=2))
    days = {
        "gus": [(2, 3), (2, 10), (2, 24)],  # 3 of 4 weeks, then silent: slipping
        "hal": [(2, 3), (2, 10), (2, 17), (3, 10)],  # spoke again on Mar 10
        "ivy": [(2, 3), (2, 4), (2, 10)],  # only 2 different weeks
        "jon": [(2, 3), (2, 10), (2, 17)],  # left
        "kim": [(2, 3), (2, 10), (2, 17), (2, 24)],  # every week, then silent
    }
    facts = [
        ActivityFact(people[n], account(n).ref, "c", "message", at(x, 9, month=m))
        for n, when in days.items()
        for m, x in when
    ]
    async with repo(storage, ActivityLog) as log:  # type: ignore[type-abstract]
        await log.record(facts)
    edges = [at(2, 0, month=2) + timedelta(weeks=i) for i in range(4)] + [at(2, 0), at(16, 0)]
    async with repo(storage, CommunityMetrics) as metrics:  # type: ignore[type-abstract]
        found = await metrics.slipping(edges, 3, None)
        strict = await metrics.slipping(edges, 4, None)
        on_slack = await metrics.slipping(edges, 3, "slack")
    assert found == sorted([people["gus"], people["kim"]])
    assert strict == [people["kim"]]
    assert on_slack == []


async def test_checkins_remember_the_last_one(storage: SqlStorage) -> None:
    people = await community(storage)
    async with repo(storage, CheckIns) as checkins:  # type: ignore[type-abstract]
        await checkins.record(people["ann"], at(2))
        await checkins.record(people["ann"], at(9))
        await checkins.record(people["ann"], at(9))  # the same job twice: once
        last = await checkins.last([people["ann"], people["bob"]])
        assert await checkins.of(people["ann"]) == [at(2), at(9)]
        assert await checkins.forget(people["ann"]) == 2
        assert await checkins.of(people["ann"]) == []
    assert last == {people["ann"]: at(9)}
