"""Events as iCalendar (RFC 5545): the file members add to their own calendars.

Times carry their zone (`TZID` with a `VTIMEZONE`), so a calendar shows 18:00 Oslo
time as 18:00 in Oslo and the right hour everywhere else, across DST changes. A
recurring event is one entry per occurrence, like its posts (no RRULE): importing the
file of every week's post never doubles a series in someone's calendar.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from icalendar import Calendar
from icalendar import Event as VEvent

from bot.features.events import when
from bot.features.events.store import Event

MIME = "text/calendar"


def _slug(community: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", community.lower()).strip("-") or "agora"


def uid(event: Event, community: str) -> str:
    """Stable per event, so a re-imported file updates the entry instead of adding one."""
    return f"event-{event.id}@{_slug(community)}.agora"


def calendar(events: Sequence[Event], *, community: str, now: datetime) -> bytes:
    """A VCALENDAR of `events`, one VEVENT each."""
    cal = Calendar()
    cal.add("prodid", "-//Agora//Community events//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", community)
    for event in events:
        cal.add_component(_vevent(event, community, now))
    cal.add_missing_timezones()
    data: bytes = cal.to_ical()
    return data


def _vevent(event: Event, community: str, now: datetime) -> VEvent:
    zone = when.zone(event.timezone)
    item = VEvent()
    item.add("uid", uid(event, community))
    item.add("dtstamp", now)
    item.add("dtstart", event.starts_at.astimezone(zone))
    item.add("dtend", event.ends_at.astimezone(zone))
    item.add("summary", event.title)
    item.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    item.add("sequence", 1 if event.cancelled else 0)
    if event.capacity is not None:
        item.add("description", f"{community} · max {event.capacity}")
    else:
        item.add("description", community)
    return item


def filename(event: Event) -> str:
    return f"event-{event.id}.ics"
