"""Kudos farming counts (pairs, circles, new accounts) and reports, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.features.kudos.store import FarmingReports, KudosLedger, Pace, Source
from storage.engine import SqlStorage
from tests.storage.repositories.test_kudos import AT, give, kudos, people, repo


async def test_traded_counts_chosen_kudos_both_ways_in_the_window(storage: SqlStorage) -> None:
    p = await people(storage, "ann", "ben", "cy")
    ann, ben, cy = p["ann"], p["ben"], p["cy"]
    await give(
        storage,
        kudos(ann, ben, at=AT),
        kudos(ann, ben, at=AT + timedelta(hours=2), source=Source.REACTION),
        kudos(ben, ann, at=AT + timedelta(hours=1), points=3),
        kudos(ann, ben, at=AT - timedelta(days=10)),  # before the window
        kudos(ann, cy, at=AT),  # someone else
        kudos(None, ann, at=AT, source=Source.ANSWER),  # automatic: not a choice
        kudos(ben, ann, at=AT, source=Source.ANSWER),
    )
    since = AT - timedelta(days=7)
    day = AT - timedelta(hours=9)  # the allowance's day, read in the same statement
    async with repo(storage, KudosLedger) as ledger:  # type: ignore[type-abstract]

        async def traded(one: int, other: int) -> tuple[int, int]:
            return (await ledger.pace(one, day, other, trade_since=since)).traded

        assert await traded(ann, ben) == (2, 1)
        assert await traded(ben, ann) == (1, 2)
        assert await traded(ann, cy) == (1, 0)
        assert await traded(ben, cy) == (0, 0)
        both = await ledger.pace(ann, day, ben, AT - timedelta(minutes=1), since)
        assert both == Pace(3, AT + timedelta(hours=2), (2, 1))
        assert (await ledger.pace(ann, day)).traded == (0, 0)  # no receiver: not asked


async def test_a_circle_is_counted_by_its_weakest_link(storage: SqlStorage) -> None:
    p = await people(storage, "ann", "ben", "cy", "dee")
    ann, ben, cy, dee = p["ann"], p["ben"], p["cy"], p["dee"]
    hour = timedelta(hours=1)
    await give(
        storage,
        # ann → ben → cy → ann: 3, 2, 4 kudos; ann → ben → dee → ann: 3, 5, 1.
        *(kudos(ann, ben, at=AT + n * hour) for n in range(3)),
        *(kudos(ben, cy, at=AT + n * hour) for n in range(2)),
        *(kudos(cy, ann, at=AT + n * hour) for n in range(4)),
        *(kudos(ben, dee, at=AT + n * hour) for n in range(5)),
        kudos(dee, ann, at=AT),
        kudos(cy, ann, at=AT - timedelta(days=10)),  # before the window
        kudos(ben, cy, at=AT, source=Source.ANSWER),  # automatic: not a choice
    )
    since = AT - timedelta(days=7)
    async with repo(storage, KudosLedger) as ledger:  # type: ignore[type-abstract]
        pace = await ledger.pace(ann, AT, ben, trade_since=since, rings=True)
        assert (pace.traded, pace.ring) == ((3, 0), 2)  # ben → cy → ann: min(2, 4)
        assert await ledger.ring_partner(ann, ben, since) == cy
        other_way = await ledger.pace(ben, AT, ann, trade_since=since, rings=True)
        assert other_way.ring == 0  # ann thanked nobody who thanks ben
        assert await ledger.ring_partner(ben, ann, since) is None
        assert (await ledger.pace(ann, AT, ben, trade_since=since)).ring == 0  # not asked


async def test_kudos_from_new_accounts_are_counted_per_receiver(storage: SqlStorage) -> None:
    p = await people(storage, "ann", "ben", "cy", "dee")
    await give(
        storage,
        replace(kudos(p["ann"], p["cy"]), from_new_account=True),
        replace(kudos(p["ben"], p["cy"]), from_new_account=True),
        replace(kudos(p["ben"], p["cy"], at=AT - timedelta(days=9)), from_new_account=True),
        replace(kudos(p["ann"], p["dee"]), from_new_account=True),
        kudos(p["dee"], p["cy"]),
    )
    since = AT - timedelta(days=7)
    async with repo(storage, KudosLedger) as ledger:  # type: ignore[type-abstract]
        pace = await ledger.pace(p["dee"], AT, p["cy"], trade_since=since, new_giver=True)
        assert pace.from_new_accounts == 2
        assert (await ledger.pace(p["dee"], AT, p["cy"], trade_since=since)).from_new_accounts == 0


async def test_farming_is_reported_once_per_window(storage: SqlStorage) -> None:
    p = await people(storage, "ann", "ben")
    week = timedelta(days=7)
    async with repo(storage, FarmingReports) as reports:  # type: ignore[type-abstract]
        assert await reports.claim(p["ann"], "ring", AT, AT - week)
        assert not await reports.claim(p["ann"], "ring", AT + week / 2, AT - week / 2)
        assert await reports.claim(p["ann"], "newcomers", AT, AT - week)  # another kind
        assert await reports.claim(p["ben"], "ring", AT, AT - week)  # another member
        assert await reports.claim(p["ann"], "ring", AT + 2 * week, AT + week)  # a new window
        assert not await reports.claim(p["ann"], "ring", AT + 2 * week, AT + week)
