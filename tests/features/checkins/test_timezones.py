"""Each member is asked at 09:00 on their own clock, through daylight saving changes."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import pytest

from bot.features.checkins.timing import next_instant, run_key, summary_due
from tests.features.checkins.conftest import STANDUP, checkins, deliveries, set_zone, utc

ZONES = {
    "carol": "Europe/Oslo",
    "dave": "America/New_York",
    "erin": "Europe/Kyiv",
    "frank": "Europe/Riga",
    "gina": "Europe/Helsinki",
}
TEAM = (("alice", ("admin",)), *((name, ("team",)) for name in ZONES))


async def asked_at(start: datetime, days: str) -> dict[str, list[datetime]]:
    async with checkins(start=start, members=TEAM, checkins=[STANDUP]) as h:
        for name, zone in ZONES.items():
            await set_zone(h, name, zone)
        await h.tick(days)
        by_ref = {h.ref(name): name for name in ZONES}
        found: dict[str, list[datetime]] = defaultdict(list)
        for row in await deliveries(h):
            assert row.sent_at == row.due_at  # a small team goes in the first batch
            found[by_ref[_ref(row.member_ref)]].append(row.sent_at)
        return dict(found)


def _ref(text: str) -> object:
    from bot.model import Ref

    return Ref.parse(text)


async def test_spring_forward_in_europe() -> None:
    # Friday 27 March 2026; Europe moves its clocks on Sunday 29 March (US did on 8 March).
    found = await asked_at(utc(3, 27), "4d")
    assert found["carol"] == [utc(3, 27, 8), utc(3, 30, 7)]  # 09:00 CET, then CEST
    for name in ("erin", "frank", "gina"):
        assert found[name] == [utc(3, 27, 7), utc(3, 30, 6)], name  # EET, then EEST
    assert found["dave"] == [utc(3, 27, 13), utc(3, 30, 13)]  # EDT both days


async def test_fall_back_in_europe_then_in_america() -> None:
    # Europe moves back on Sunday 25 October 2026, the US on Sunday 1 November.
    found = await asked_at(utc(10, 23), "11d")
    assert found["carol"][:2] == [utc(10, 23, 7), utc(10, 26, 8)]
    for name in ("erin", "frank", "gina"):
        assert found[name][:2] == [utc(10, 23, 6), utc(10, 26, 7)], name
    ny = found["dave"]
    assert ny[ny.index(utc(10, 30, 13)) + 1] == utc(11, 2, 14)  # EDT Friday, EST Monday
    assert len(found["carol"]) == len(ny) == 7  # every weekday once, none twice


async def test_a_changed_time_zone_is_used_from_the_next_run() -> None:
    async with checkins(start=utc(1, 5, 0), members=TEAM, checkins=[STANDUP]) as h:
        await set_zone(h, "carol", "Europe/Oslo")
        await h.tick("1d")
        await set_zone(h, "carol", "America/New_York")
        await h.tick("1d")
        carol = h.ref("carol")
        times = [r.sent_at for r in await deliveries(h) if r.member_ref == str(carol)]
        assert times == [utc(1, 5, 8), utc(1, 6, 14)]


async def test_one_zone_for_all_when_the_check_in_names_one() -> None:
    fixed = {**STANDUP, "timezone": "Europe/Helsinki"}
    async with checkins(start=utc(3, 27), members=TEAM, checkins=[fixed]) as h:
        await set_zone(h, "dave", "America/New_York")
        await h.tick("1d")
        assert {r.sent_at for r in await deliveries(h)} == {utc(3, 27, 7)}


@pytest.mark.parametrize(
    ("zone", "local_hour_utc"),
    [
        ("Europe/Oslo", (utc(3, 30, 7), "20260330T0900")),
        ("Europe/Riga", (utc(3, 30, 6), "20260330T0900")),
        ("America/New_York", (utc(3, 30, 13), "20260330T0900")),
    ],
)
def test_the_run_key_is_the_wall_clock_time_everywhere(
    zone: str, local_hour_utc: tuple[datetime, str]
) -> None:
    instant, key = local_hour_utc
    assert next_instant("0 9 * * mon-fri", [zone], utc(3, 29, 12)) == instant
    assert run_key(instant, zone) == key


def test_a_summary_comes_after_the_first_delivery_on_the_home_clock() -> None:
    from datetime import time
    from zoneinfo import ZoneInfo

    oslo = ZoneInfo("Europe/Oslo")
    assert summary_due(utc(3, 30, 7), time(17), oslo) == utc(3, 30, 15)
    # Asked at 09:00 in Auckland (Sunday evening in Oslo): Monday's 17:00.
    assert summary_due(utc(3, 29, 20), time(17), oslo) == utc(3, 30, 15)
    # 02:30 does not exist that night: 03:30 CEST, the moment the gap ends plus 30 minutes.
    assert summary_due(utc(3, 28, 12), time(2, 30), oslo) == utc(3, 29, 1, 30)
