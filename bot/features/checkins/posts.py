"""Recurring posts (a content calendar), optionally at the channel's busiest hour.

Each occurrence ("slot") of a post's schedule is one persisted job keyed by the slot,
and a row in `checkin_posts` once it went out, so re-arming never posts a slot twice
even when the best time put it earlier than the schedule said. "Best time" reads the
core activity log: posts per hour of day in the channel over the last four weeks, on
the post's own clock (DST-correct, hour by hour), and keeps the schedule's minute.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date

from bot.context import Context
from bot.features.checkins import service
from bot.features.checkins.config import PostDefinition
from bot.features.checkins.timing import schedule_in
from bot.formatting import clock
from bot.i18n import current_locale
from bot.model import Outgoing

log = logging.getLogger(__name__)

POST_JOB = "post"
BEST_TIME_WINDOW = timedelta(weeks=4)
_LOOK_AHEAD = 60  # posted slots skipped at most, looking for the next one to arm


def post_key(name: str, slot: datetime) -> str:
    return f"checkins:post:{name}:{slot:%Y%m%dT%H%M}"


def zone_name(ctx: Context, post: PostDefinition) -> str:
    return post.timezone or service.community_zone(ctx)


async def arm(ctx: Context, post: PostDefinition, after: datetime) -> datetime | None:
    """Arm the next slot that has not been posted; returns when it will go."""
    store = service.store(ctx)
    schedule = schedule_in(post.schedule, zone_name(ctx, post))
    slot = schedule.next_after(after)
    for _step in range(_LOOK_AHEAD):
        if slot is None or not await store.posted(post.name, slot):
            break
        slot = schedule.next_after(slot)
    if slot is None:
        return None
    due = await best_instant(ctx, post, slot) if post.best_time else slot
    payload = {"post": post.name, "slot": slot.isoformat(), "due": due.isoformat()}
    await ctx.schedule(post_key(post.name, slot), POST_JOB, due, payload)
    return due


def busiest_hour(hours: list[tuple[datetime, int]], zone: ZoneInfo) -> int | None:
    """The local hour of day with the most posts (the earliest of equals); None without data."""
    counts: Counter[int] = Counter()
    for start, posts in hours:
        counts[start.astimezone(zone).hour] += posts
    if not counts:
        return None
    top = max(counts.values())
    return min(hour for hour, n in counts.items() if n == top)


async def best_instant(ctx: Context, post: PostDefinition, slot: datetime) -> datetime:
    """The slot's day at the channel's busiest hour, or the slot itself when unknowable."""
    now = ctx.now()
    channel = await service.resolve_channel(ctx, post.channel)
    if channel is None:
        return slot
    hours = await service.store(ctx).activity_hours(channel, now - BEST_TIME_WINDOW, now)
    zone = ZoneInfo(zone_name(ctx, post))
    hour = busiest_hour(list(hours), zone)
    if hour is None:
        return slot
    local = slot.astimezone(zone)
    best = datetime.combine(local.date(), time(hour, local.minute), tzinfo=zone).astimezone(UTC)
    return best if best > now else slot


def fill(ctx: Context, text: str, slot: datetime, zone: ZoneInfo) -> str:
    local = slot.astimezone(zone)
    values: dict[str, Any] = {
        "date": format_date(local.date(), "long", locale=current_locale()),
        "weekday": format_date(local.date(), "EEEE", locale=current_locale()),
        "time": clock(local.time()),
        "week": local.isocalendar().week,
        "community": ctx.community,
    }
    return text.format_map(values)


async def on_post(ctx: Context, payload: dict[str, Any]) -> None:
    """Post one slot (once, within the grace window) and arm the next."""
    name = str(payload["post"])
    post = next((p for p in service.settings(ctx).posts if p.name == name), None)
    if post is None:
        log.info("recurring post %s is no longer configured; not posted", name)
        return
    slot = datetime.fromisoformat(str(payload["slot"]))
    due = datetime.fromisoformat(str(payload.get("due", payload["slot"])))
    now = ctx.now()
    store = service.store(ctx)
    if now - due > service.settings(ctx).grace_window:
        log.warning(
            "recurring post %s due %s was missed by %s (beyond the grace window); skipped",
            name,
            due.isoformat(),
            now - due,
        )
    elif await store.claim_post(name, slot, now):
        channel = await service.resolve_channel(ctx, post.channel)
        if channel is None:
            log.warning("recurring post %s: channel %r not found", name, post.channel)
        else:
            text = fill(ctx, post.text, slot, ZoneInfo(zone_name(ctx, post)))
            sent = await ctx.send_bridged(Outgoing(text, channel=channel))
            if sent:
                await store.set_post_message(name, slot, sent[0])
    await arm(ctx, post, max(slot, now))
