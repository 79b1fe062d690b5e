"""Reminders (persisted, across restarts), recurring events across DST, calendar files."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.context import Context, Work
from bot.features.events import ics, service, when
from bot.features.events.store import Event
from bot.features.events.when import Recurrence
from bot.model import Ref
from bot.stats import Window
from bot.testing import Harness
from tests.features.events.conftest import START, events, public

CREATE = '/event create "Board games" 2026-12-05 18:00 Europe/Oslo'  # 17:00 UTC


def reminders(h: Harness, name: str) -> list[str]:
    return [p.text for p in h.dms(name) if p.text.startswith("⏰ Reminder")]


async def test_reminders_go_a_day_and_a_quarter_hour_before_to_those_who_answered() -> None:
    async with events() as h:
        await h.command("bob", CREATE)
        await h.click("carol", "✅ Going")
        await h.click("dave", "🤔 Maybe")
        await h.click("erin", "❌ Can't go")
        await h.tick(datetime(2026, 12, 4, 16, 59, tzinfo=UTC) - START)
        assert reminders(h, "carol") == []
        await h.tick("1m")
        assert len(reminders(h, "carol")) == 1 and len(reminders(h, "dave")) == 1
        assert reminders(h, "carol")[0] == (
            "⏰ Reminder: “Board games” starts in 24 hours (Sat, December 5, 2026 18:00 CET)."
        )
        assert reminders(h, "erin") == []
        await h.tick("23h44m")
        assert len(reminders(h, "carol")) == 1
        await h.tick("1m")
        assert reminders(h, "carol")[-1].startswith(
            "⏰ Reminder: “Board games” starts in 15 minutes"
        )
        await h.tick("2d")
        assert len(reminders(h, "carol")) == 2


async def test_reminder_offsets_and_maybe_are_configurable() -> None:
    async with events(reminders=["2h"], remind_maybe=False) as h:
        await h.command("bob", CREATE)
        await h.click("carol", "✅ Going")
        await h.click("dave", "🤔 Maybe")
        await h.tick(datetime(2026, 12, 5, 15, 0, tzinfo=UTC) - START)
        assert len(reminders(h, "carol")) == 1 and reminders(h, "dave") == []
        assert "starts in 2 hours" in reminders(h, "carol")[0]


async def test_reminders_are_in_the_members_zone_and_language() -> None:
    async with events(reminders=["1h"]) as h:
        await h.command("bob", CREATE)
        await h.command("carol", "/timezone America/New_York")
        await h.command("carol", "/language nb")
        await h.click("carol", "✅ Going")
        await h.tick("6d")
        [text] = [p.text for p in h.dms("carol") if p.text.startswith("⏰")]
        assert "12:00 EST" in text and "lør." in text


async def test_reminders_survive_a_restart_and_fire_once(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'agora.db'}"
    async with events(storage_url=url) as first:
        await first.command("bob", CREATE)
        await first.click("carol", "✅ Going")
    # Down from Monday until Saturday 17:30 local: the 24 h reminder was missed.
    later = datetime(2026, 12, 5, 16, 30, tzinfo=UTC)
    async with events(storage_url=url, start=later) as second:
        await second.tick("1m")
        assert len(reminders(second, "carol")) == 1  # the missed one, once
        await second.tick("14m")
        assert len(reminders(second, "carol")) == 2  # the 15-minute one, on time
        await second.tick("1d")
        assert len(reminders(second, "carol")) == 2
    async with events(storage_url=url, start=later + timedelta(hours=2)) as third:
        await third.tick("2d")
        assert reminders(third, "carol") == []


@pytest.mark.parametrize(
    ("zone", "first", "dst_end"),
    [
        ("Europe/Oslo", "2026-10-13", datetime(2026, 10, 25, tzinfo=UTC)),
        ("Europe/Riga", "2026-10-13", datetime(2026, 10, 25, tzinfo=UTC)),
        ("Europe/Helsinki", "2026-10-13", datetime(2026, 10, 25, tzinfo=UTC)),
        ("Europe/Kyiv", "2026-10-13", datetime(2026, 10, 25, tzinfo=UTC)),
        ("America/New_York", "2026-10-13", datetime(2026, 11, 1, 6, tzinfo=UTC)),
    ],
)
async def test_weekly_events_keep_their_local_time_across_dst(
    zone: str, first: str, dst_end: datetime
) -> None:
    start = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
    async with events(start=start) as h:
        await h.command("bob", f'/event create "Meetup" {first} 18:00 {zone} --recurring weekly')
        await h.tick("25d")
        posts = [p for p in public(h) if p.text.startswith("📅 **Meetup**")]
        assert len(posts) == 4  # the first and three repeats, each when the previous began
        async with h.runtime.storage.unit_of_work() as uow:
            ctx = Context(Work(h.runtime, uow), h.runtime.registry.features["events"], None)
            found = [await service.store(ctx).get(i) for i in range(1, 5)]
        starts = [e.starts_at for e in found if e is not None]
        local = [s.astimezone(ZoneInfo(zone)) for s in starts]
        assert {(t.hour, t.minute, t.weekday()) for t in local} == {(18, 0, local[0].weekday())}
        offsets = {s >= dst_end: s.astimezone(ZoneInfo(zone)).utcoffset() for s in starts}
        assert offsets[False] != offsets[True]  # the UTC time moved with the clocks
        assert [b - a for a, b in pairwise(starts)].count(
            timedelta(weeks=1)
        ) == 2  # one week was an hour longer or shorter


def test_repeats_landing_in_a_dst_gap_shift_forward_and_months_clamp() -> None:
    gap = datetime(2027, 3, 21, 1, 30, tzinfo=UTC)  # 02:30 Oslo, a week before the gap
    nxt = when.next_start(gap, "Europe/Oslo", Recurrence.WEEKLY)
    assert nxt.astimezone(ZoneInfo("Europe/Oslo")).hour == 3
    jan31 = datetime(2027, 1, 31, 17, 0, tzinfo=UTC)
    feb = when.next_start(jan31, "Europe/Riga", Recurrence.MONTHLY)
    assert feb.astimezone(ZoneInfo("Europe/Riga")).date().isoformat() == "2027-02-28"
    two = when.next_start(jan31, "UTC", Recurrence.BIWEEKLY)
    assert two - jan31 == timedelta(weeks=2)


def _event(**changes: Any) -> Event:
    base = Event(
        id=7,
        title="Board games; snacks, too",
        channel=Ref("memory", "test", "c-general"),
        creator_person_id=None,
        starts_at=datetime(2026, 12, 5, 17, 0, tzinfo=UTC),
        timezone="Europe/Oslo",
        duration=timedelta(minutes=90),
        capacity=30,
        recurrence="weekly",
        created_at=START,
    )
    return replace(base, **changes)


def test_ics_is_valid_rfc5545_with_its_zone() -> None:
    data = ics.calendar([_event()], community="Oslo Py", now=START)
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    assert b"\n" not in data.replace(b"\r\n", b"")
    parsed = Calendar.from_ical(data)
    assert parsed["VERSION"] == "2.0" and parsed["PRODID"]
    [vevent] = parsed.walk("VEVENT")
    assert str(vevent["UID"]) == "event-7@oslo-py.agora"
    assert vevent["SUMMARY"] == "Board games; snacks, too"
    start = vevent.decoded("DTSTART")
    assert start == datetime(2026, 12, 5, 18, 0, tzinfo=ZoneInfo("Europe/Oslo"))
    assert vevent.decoded("DTEND") - start == timedelta(minutes=90)
    assert vevent.decoded("DTSTAMP") == START
    assert "RRULE" not in vevent  # every occurrence is posted (and exported) on its own
    assert [tz["TZID"] for tz in parsed.walk("VTIMEZONE")] == ["Europe/Oslo"]
    assert b"DTSTART;TZID=Europe/Oslo:20261205T180000" in data


def test_ics_export_marks_cancelled_events() -> None:
    data = ics.calendar(
        [_event(), _event(id=8, cancelled_at=START, timezone="America/New_York")],
        community="x",
        now=START,
    )
    parsed = Calendar.from_ical(data)
    first, second = parsed.walk("VEVENT")
    assert first["STATUS"] == "CONFIRMED" and second["STATUS"] == "CANCELLED"
    assert {tz["TZID"] for tz in parsed.walk("VTIMEZONE")} == {"Europe/Oslo", "America/New_York"}


async def test_stats_export_and_forget() -> None:
    async with events() as h:
        await h.command("bob", '/event create "Board games" 2026-12-05 18:00 Europe/Oslo --limit 1')
        await h.click("carol", "✅ Going")
        await h.click("dave", "✅ Going")  # waitlisted
        await h.click("erin", "🤔 Maybe")
        await h.command("bob", '/event create "Later" 2027-01-05 18:00 Europe/Oslo')
        runtime = h.runtime
        feature = runtime.registry.features["events"]
        async with runtime.storage.unit_of_work() as uow:
            ctx = Context(Work(runtime, uow), feature, None)
            (hook,) = feature.stats_hooks
            window = Window(START, datetime(2026, 12, 31, tzinfo=UTC))
            figures = {f.key: f.value for f in await hook(ctx, window)}
        assert figures == {
            "events_held": 1,
            "event_rsvps": 3,  # going, waitlisted and maybe
            "event_attendance": 1,
            "event_attendance_avg": 1.0,
        }
        await h.command("carol", "/mydata export")
        data = json.loads(h.dms("carol")[-1].attachments[0].data)
        [rsvp] = data["features"]["events"]["event_rsvps"]
        assert rsvp["title"] == "Board games" and rsvp["answer"] == "going"
        await h.command("carol", "/mydata forget")
        await h.click("carol", "Forget me")
        text = (await h.command("bob", "/event attendees 1"))[-1].text
        assert "Going (1): dave" in text and "Waitlist (0)" in text
        assert h.dms("dave")[-1].text.startswith("🎟 A seat freed up")
        assert "1/1 going" in public(h)[0].text


async def test_a_long_outage_posts_only_the_next_future_occurrence(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'agora.db'}"
    async with events(storage_url=url) as first:
        await first.command("bob", CREATE + " --recurring weekly")
    # Down for four weeks: the repeat job fires once, late.
    later = datetime(2026, 12, 29, 9, 0, tzinfo=UTC)
    async with events(storage_url=url, start=later) as second:
        await second.tick("1m")
        posts = [p.text for p in public(second) if p.text.startswith("📅")]
        assert len(posts) == 1
        assert "(event #2)" in posts[0] and "Sat, January 2, 2027 18:00 CET" in posts[0]


async def test_two_instances_send_each_reminder_once(db_url: str) -> None:
    async with events(storage_url=db_url) as first:
        await first.command("bob", CREATE)
        await first.click("carol", "✅ Going")
        async with events(storage_url=db_url) as second:  # armed the same jobs at start
            await second.tick("6d")
            await first.tick("6d")
            both = reminders(first, "carol") + reminders(second, "carol")
            assert len(both) == 2  # the day-before and the quarter-hour one, once each
