"""The rules of giving, and the calendar they run on — pure, so each can be checked alone.

- A member cannot thank themselves, a bot, or someone who has left.
- The daily allowance counts the kudos a member chose to give since midnight of
  *their* day (their time zone, else the community's), so it renews at their midnight.
- The cooldown is per receiver: after thanking bob, the same giver waits before
  thanking bob again, but may thank others meanwhile.
- Two members trading kudos back and forth (farming points for each other) pause
  once their exchanges in the window, both ways, reach the trade limit; three passing
  kudos round a circle pause once every link reaches the ring limit; and a member
  stops receiving kudos from new accounts (sock puppets) past a cap in the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.model import MemberRecord


class Refusal(StrEnum):
    SELF = "self"
    BOT = "bot"
    DEPARTED = "departed"
    ALLOWANCE = "allowance"
    COOLDOWN = "cooldown"
    TRADING = "trading"
    RING = "ring"
    NEW_ACCOUNTS = "new_accounts"


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a kudos may be given, and what the giver has left today either way.

    `left` is None when the allowance is unlimited; `wait` is how long a cooldown
    still runs, since the giver last thanked the receiver at `last_thanked`;
    `renews_at` is the giver's next midnight, `now` when this was decided.
    """

    refusal: Refusal | None
    left: int | None
    renews_at: datetime
    now: datetime
    wait: timedelta | None = None
    last_thanked: datetime | None = None
    traded: int = 0  # kudos the pair exchanged in the trade window (TRADING)

    @property
    def allowed(self) -> bool:
        return self.refusal is None


def zone(name: str | None, fallback: str) -> ZoneInfo:
    return ZoneInfo(name or fallback)


def day_start(now: datetime, tz: ZoneInfo) -> datetime:
    """Midnight (UTC instant) that began the local day `now` is in."""
    local = now.astimezone(tz).date()
    return datetime.combine(local, time(0), tzinfo=tz).astimezone(UTC)


def next_midnight(now: datetime, tz: ZoneInfo) -> datetime:
    local = now.astimezone(tz).date() + timedelta(days=1)
    return datetime.combine(local, time(0), tzinfo=tz).astimezone(UTC)


def local_day(now: datetime, tz: ZoneInfo) -> date:
    return now.astimezone(tz).date()


def who_refusal(giver: MemberRecord, receiver: MemberRecord) -> Refusal | None:
    """The rules about who may be thanked (checked before any counting)."""
    if giver.person_id == receiver.person_id:
        return Refusal.SELF
    if receiver.is_bot:
        return Refusal.BOT
    if not receiver.active:
        return Refusal.DEPARTED
    return None


def trades_too_much(given: int, received: int, limit: int) -> bool:
    """Kudos both ways between two members, `limit` or more in all: a farm, not thanks.

    Thanking one helpful member often is not trading (the cooldown paces that);
    points flowing back and forth between the same two are.
    """
    return limit > 0 and given > 0 and received > 0 and given + received >= limit


def closes_ring(given: int, ring: int, limit: int) -> bool:
    """A kudos along a circle (giver → receiver → X → giver) whose every link already
    carries `limit` kudos: points going round, not thanks.

    Three members who each thank the next now and then are a team; the same three
    passing kudos round and round, each link `limit` times within the window, farm.
    """
    return limit > 0 and given >= limit and ring >= limit


def is_new_account(joined_at: datetime | None, now: datetime, days: int) -> bool:
    """Joined less than `days` ago (0: nobody is new; an unknown join date is not new)."""
    return days > 0 and joined_at is not None and now - joined_at < timedelta(days=days)


def left_today(allowance: int, used: int) -> int | None:
    return None if allowance == 0 else max(0, allowance - used)


def cooldown_wait(last: datetime | None, now: datetime, cooldown: timedelta) -> timedelta | None:
    """How long the giver must still wait to thank this receiver again (None: no wait)."""
    if last is None or cooldown <= timedelta(0):
        return None
    wait = last + cooldown - now
    return wait if wait > timedelta(0) else None


# --- streaks ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Streak:
    """Days in a row with a message: the current run ends on `last_day`; `best` is the longest."""

    last_day: date
    length: int
    best: int


def joined_streaks(one: Streak, other: Streak) -> Streak:
    """One person's streak from the streaks of two accounts being linked.

    The current run is the more recent one; when the other run reaches up to the day
    before it starts (or overlaps it), the person was active on every day of both,
    so the runs join. The best is the longest of the two bests and the joined run.
    """
    later, earlier = sorted((one, other), key=lambda s: (s.last_day, s.length), reverse=True)
    start = later.last_day - timedelta(days=later.length - 1)
    if earlier.last_day >= start - timedelta(days=1):
        start = min(start, earlier.last_day - timedelta(days=earlier.length - 1))
    length = (later.last_day - start).days + 1
    return Streak(later.last_day, length, max(one.best, other.best, length))


# --- periods ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Period:
    """A spotlight period: `key` is stored ("2026-01", "2026-W02"), [start, end) in UTC."""

    key: str
    start: datetime
    end: datetime
    kind: str


def month_of(day: date, tz: ZoneInfo) -> Period:
    start = date(day.year, day.month, 1)
    end = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return Period(
        f"{day.year:04d}-{day.month:02d}", _instant(start, tz), _instant(end, tz), "month"
    )


def week_of(day: date, tz: ZoneInfo) -> Period:
    monday = day - timedelta(days=day.weekday())
    year, week, _weekday = monday.isocalendar()
    return Period(
        f"{year:04d}-W{week:02d}",
        _instant(monday, tz),
        _instant(monday + timedelta(days=7), tz),
        "week",
    )


def current_period(kind: str, now: datetime, tz: ZoneInfo) -> Period:
    today = local_day(now, tz)
    return month_of(today, tz) if kind == "month" else week_of(today, tz)


def previous_period(kind: str, now: datetime, tz: ZoneInfo) -> Period:
    """The period that ended most recently before the one `now` is in."""
    current = current_period(kind, now, tz)
    day_before = local_day(current.start - timedelta(seconds=1), tz)
    return month_of(day_before, tz) if kind == "month" else week_of(day_before, tz)


def _instant(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
