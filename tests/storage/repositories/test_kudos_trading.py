"""The kudos ledger's trade count (kudos farming), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from bot.features.kudos.store import KudosLedger, Pace, Source
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
