"""The numbers: a summary of a period, its daily series, heat map and retention cohorts.

Storage hands over aggregates; this module turns them into the figures community
managers read (DAU/MAU, contributors' share, engagement, churn) and collects what
other features contribute through `@feature.stats`, without importing any of them.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.context import Context, UserError
from bot.features.metrics.periods import (
    Period,
    PeriodError,
    day_number,
    day_of,
    midnight,
    parse_period,
    shifts,
    week_number,
    week_start,
)
from bot.features.metrics.store import (
    ACTIVE_KINDS,
    ChannelCount,
    CommunityMetrics,
    Growth,
    HourCount,
    Reach,
    Shift,
    Stint,
    Tone,
    Tones,
)
from bot.i18n import _
from bot.stats import Figure, Window, as_percent

log = logging.getLogger(__name__)
EPOCH_UTC = datetime(1970, 1, 1, tzinfo=UTC)

COHORT_WEEKS = 8
# Joining weeks a long period's cohorts go back (half a year of rows is still readable).
MAX_COHORTS = 26
PLATFORM_NAMES = {"discord": "Discord", "slack": "Slack", "console": "console"}
# Tone is shown only from at least this many scored posts by at least this many
# people: below that, a "community" tone is one or two members' own.
MIN_TONE_POSTS = 5
MIN_TONE_PEOPLE = 3
NO_TONE = Tone()


def zone_of(ctx: Context) -> ZoneInfo:
    return ZoneInfo(ctx.runtime.config.bot.timezone)


def store(ctx: Context) -> CommunityMetrics:
    return ctx.repo(CommunityMetrics)  # type: ignore[type-abstract]


def period_of(ctx: Context, text: str, platform: str | None = None) -> Period:
    """The period a member asked for, or a sentence saying how to ask."""
    try:
        return parse_period(text, ctx.now(), zone_of(ctx), platform_of(ctx, platform))
    except PeriodError as error:
        raise UserError(str(error)) from None


def platform_of(ctx: Context, name: str | None) -> str | None:
    """`Slack`, ` discord ` → the platform's key; an unknown name is refused with the
    known ones (figures for a typo would be zeros that look true)."""
    if name is None or not name.strip():
        return None
    wanted = name.strip().lower()
    known = sorted(set(PLATFORM_NAMES) | set(ctx.runtime.ports))
    if wanted not in known:
        raise UserError(
            _(
                "There is no platform called {name}. Use one of: {known}.",
                name=name.strip(),
                known=", ".join(known),
            )
        )
    return wanted


def connected(ctx: Context) -> set[str]:
    """Platforms Agora runs on, or would with this configuration (the CLI runs none)."""
    config = ctx.runtime.config
    found = set(ctx.runtime.ports)
    if config.discord.enabled:
        found.add("discord")
    if config.slack.enabled:
        found.add("slack")
    if config.console.enabled or (
        config.console.enabled is None and not (config.discord.enabled or config.slack.enabled)
    ):
        found.add("console")
    return found


def require_data(ctx: Context, summary: Summary) -> None:
    """Refuse figures of a platform that is not connected and left nothing in the
    period: they would be zeros that read like a dead community."""
    platform = summary.period.window.platform
    if platform is None or platform in connected(ctx):
        return
    if summary.members or summary.members_before or summary.interactions or summary.reach.active:
        return  # connected once: its history still counts
    raise UserError(
        _(
            "There are no numbers from {platform}: it is not connected to Agora, and "
            "nothing from it was recorded in this period.",
            platform=PLATFORM_NAMES.get(platform, platform),
        )
    )


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def shown_tone(tone: Tone) -> float | None:
    """The mean score, or None while it could be a single member's (too few posts or
    people): sentiment is shown as an aggregate only, in every total, day and cell."""
    if tone.scored < MIN_TONE_POSTS or tone.people < MIN_TONE_PEOPLE:
        return None
    return tone.total / tone.scored


@dataclass(frozen=True, slots=True)
class Summary:
    """One period's community figures (a linked person counts once when combined)."""

    period: Period
    members_before: int
    members: int
    joined: int
    left: int
    reach: Reach
    messages: int
    replies: int
    reactions: int
    tone: Tone = NO_TONE
    # Members the directory knew before joins were recorded, first seen in the period.
    seen: int = 0
    channels: tuple[ChannelCount, ...] = ()
    contributed: tuple[Figure, ...] = ()
    # (weekday, hour) with the most posts and reactions, Monday = 0, community time.
    busiest: tuple[int, int] | None = None

    @property
    def dau(self) -> float:
        """Mean daily active members: person-days over the period's local days.

        A day that has begun counts as a whole day: `/stats day` at 00:29 with three
        posters is a DAU of 3, not 3 over half an hour. No mean exceeds the actives.
        """
        return min(self.reach.person_days / self.period.days, float(self.reach.active))

    @property
    def stickiness(self) -> float | None:
        return _ratio(self.dau, self.reach.mau)

    @property
    def sentiment(self) -> float | None:
        """The mean tone of posts, when enough people's posts were scored."""
        return shown_tone(self.tone)

    @property
    def interactions(self) -> int:
        return self.messages + self.replies + self.reactions

    @property
    def contributors_share(self) -> float | None:
        return _ratio(self.reach.posters, self.members)

    @property
    def engagement(self) -> float | None:
        return _ratio(self.interactions, self.members)

    @property
    def churn(self) -> float | None:
        return _ratio(self.left, self.members_before)

    def figures(self) -> list[Figure]:
        """The summary and other features' figures: CSV rows, the report."""
        return self.own() + list(self.contributed)

    def own(self) -> list[Figure]:
        """The community figures metrics computes itself, as named numbers."""
        group = _("Community")

        return [
            Figure("members", _("Members"), self.members, group=group),
            Figure("members_joined", _("Joined"), self.joined, group=group),
            Figure("members_left", _("Left"), self.left, group=group),
            Figure(
                "members_seen",
                _("First seen (joined before Agora counted joins)"),
                self.seen,
                group=group,
            ),
            Figure("members_net", _("Net growth"), self.joined - self.left, group=group),
            Figure("churn", _("Churn"), as_percent(self.churn), unit="%", group=group),
            Figure("active", _("Active members"), self.reach.active, group=group),
            Figure("dau", _("Daily active (mean)"), round(self.dau, 1), group=group),
            Figure("wau", _("Weekly active"), self.reach.wau, group=group),
            Figure("mau", _("Monthly active"), self.reach.mau, group=group),
            Figure("dau_mau", _("DAU/MAU"), as_percent(self.stickiness), unit="%", group=group),
            Figure("contributors", _("Contributors"), self.reach.posters, group=group),
            Figure(
                "contributors_share",
                _("Contributors' share of members"),
                as_percent(self.contributors_share),
                unit="%",
                group=group,
            ),
            Figure(
                "engagement",
                _("Interactions per member"),
                None if self.engagement is None else round(self.engagement, 2),
                group=group,
            ),
            Figure("messages", _("Messages"), self.messages, group=group),
            Figure("replies", _("Replies"), self.replies, group=group),
            Figure("reactions", _("Reactions"), self.reactions, group=group),
            Figure(
                "sentiment",
                _("Tone (-1 to +1)"),
                None if self.sentiment is None else round(self.sentiment, 3),
                group=group,
            ),
        ]


async def contributions(
    ctx: Context, window: Window, *, only: Collection[str] | None = None
) -> dict[str, list[Figure]]:
    """Figures every other enabled feature (or those named in `only`) declares with
    `@feature.stats`, by feature.

    Each hook runs in its own savepoint with its feature's context; one that fails is
    logged and left out, so a bug in one feature never blanks the whole summary.
    """
    found: dict[str, list[Figure]] = {}
    for feature in ctx.runtime.registry.features.values():
        if feature is ctx.feature or (only is not None and feature.name not in only):
            continue
        for hook in feature.stats_hooks:
            other = Context(ctx.work, feature, None, ctx.actor, ctx.level)
            try:
                async with ctx.work.uow.savepoint():
                    figures = await hook(other, window)
            except Exception:
                log.exception("stats hook of %s failed", feature.name)
                continue
            found.setdefault(feature.name, []).extend(figures)
    return found


async def contributed(
    ctx: Context, window: Window, *, only: Collection[str] | None = None
) -> list[Figure]:
    """Other features' figures for the window, in feature order."""
    by_feature = await contributions(ctx, window, only=only)
    return [figure for figures in by_feature.values() for figure in figures]


def span_shifts(ctx: Context, start: datetime, end: datetime) -> tuple[Shift, ...]:
    """UTC offsets from a little before `start` to `end` (cohorts look weeks back)."""
    return shifts(zone_of(ctx), start - timedelta(days=7), end + timedelta(days=1))


async def hours_of(ctx: Context, window: Window) -> list[HourCount]:
    """Facts per local hour and kind over the window: one pass feeds totals, the daily
    series and the heat map."""
    return list(await store(ctx).hours(window, span_shifts(ctx, window.start, window.end)))


async def tones_of(ctx: Context, window: Window) -> Tones:
    """The tone of posts over the window and per local day."""
    return await store(ctx).tone(window, span_shifts(ctx, window.start, window.end))


@dataclass(frozen=True, slots=True)
class SummaryFacts:
    """What a summary reads beyond the hourly counts, tones and features' figures."""

    growth: Growth
    reach: Reach
    channels: tuple[ChannelCount, ...]


async def summarize(
    ctx: Context,
    period: Period,
    *,
    channels: int = 0,
    channel_detail: bool = False,
    hooks: bool = True,
    hours: Sequence[HourCount] | None = None,
    tones: Tones | None = None,
    figures: Sequence[Figure] | None = None,
) -> Summary:
    """The period's summary; `hours`, `tones` and other features' `figures` when the
    caller has them already (/stats and the report share them with the daily series)."""
    facts = await summary_facts(ctx, period, channels=channels, channel_detail=channel_detail)
    window = period.window
    if hours is None:
        hours = await hours_of(ctx, window)
    if tones is None:
        tones = await tones_of(ctx, window)
    if not hooks:
        figures = ()
    elif figures is None:
        figures = await contributed(ctx, window)
    return summary_of(period, facts, hours, tones, figures, zone_of(ctx))


async def summary_facts(
    ctx: Context, period: Period, *, channels: int = 0, channel_detail: bool = False
) -> SummaryFacts:
    """A summary's own queries (growth, reach, the top `channels`): the report starts
    them before the hourly counts they are combined with are in."""
    window = period.window
    offsets = span_shifts(ctx, window.start - timedelta(days=30), window.end)
    metrics = store(ctx)
    growth = await metrics.growth(window, offsets)
    reach = await metrics.reach(window, offsets)
    listed = await metrics.channels(window, channels, detail=channel_detail) if channels else ()
    return SummaryFacts(growth, reach, tuple(listed))


def summary_of(
    period: Period,
    facts: SummaryFacts,
    hours: Sequence[HourCount],
    tones: Tones,
    figures: Sequence[Figure],
    zone: ZoneInfo,
) -> Summary:
    """The summary from its facts, the hourly counts, the tones and features' figures."""
    counts: dict[str, int] = {}
    for hour in hours:
        counts[hour.kind] = counts.get(hour.kind, 0) + hour.count

    def count(kind: str) -> int:
        return counts.get(kind, 0)

    growth = facts.growth
    return Summary(
        period=period,
        members_before=growth.before,
        members=growth.after,
        joined=growth.joined_total,
        left=growth.left_total,
        seen=growth.seen_total,
        reach=facts.reach,
        messages=count("message"),
        replies=count("reply"),
        reactions=count("reaction"),
        tone=tones.period,
        channels=facts.channels,
        contributed=tuple(figures),
        busiest=busiest(heat_map(hours, hour_slots(period.window, zone))),
    )


def busiest(heat: Sequence[Sequence[float]]) -> tuple[int, int] | None:
    """The (weekday, hour) cell with the most activity; the earliest one on a tie."""
    best = max(
        (
            (count, -weekday, -hour)
            for weekday, row in enumerate(heat)
            for hour, count in enumerate(row)
        ),
        default=(0, 0, 0),
    )
    return (-best[1], -best[2]) if best[0] else None


# --- series for charts and the report ------------------------------------------------


@dataclass(frozen=True, slots=True)
class Day:
    day: date
    members: int
    joined: int
    left: int
    dau: int
    wau: int
    mau: int
    messages: int
    replies: int
    reactions: int
    sentiment: float | None = None
    seen: int = 0

    @property
    def stickiness(self) -> float | None:
        return _ratio(self.dau, self.mau)


@dataclass(frozen=True, slots=True)
class CohortRow:
    """Members who joined in the week starting `week`; `shares[k-1]` active in week W+k."""

    week: date
    size: int
    shares: tuple[float | None, ...]


def _running(starts: dict[int, int], ends: dict[int, int], first: int, last: int) -> list[int]:
    """Counts on each day first..last from +n on start days and -n on end days."""
    level = sum(n for d, n in starts.items() if d < first) - sum(
        n for d, n in ends.items() if d <= first - 1
    )
    found = []
    for day in range(first, last + 1):
        level += starts.get(day, 0) - ends.get(day, 0)
        found.append(level)
    return found


@dataclass(frozen=True, slots=True)
class DailyFacts:
    """What the daily series reads beyond the hourly counts: growth and activity stints."""

    first: int
    last: int
    growth: Growth
    stints: Sequence[Stint]


async def daily(
    ctx: Context,
    period: Period,
    hours: Sequence[HourCount] | None = None,
    *,
    tones: Tones | None = None,
    lookback_days: int = 29,
) -> list[Day]:
    """One row per local day of the period: members, DAU/WAU/MAU, posts, tone (on days
    with enough people's posts scored).

    WAU and MAU count activity up to `lookback_days` before the period (29: exact
    rolling 30 days); with 0 they only see the period itself (cheaper, for charts of
    daily actives).
    """
    facts = await daily_facts(ctx, period, lookback_days)
    if hours is None:
        hours = await hours_of(ctx, period.window)
    if tones is None:
        tones = await tones_of(ctx, period.window)
    return daily_rows(facts, hours, tones)


async def daily_facts(ctx: Context, period: Period, lookback_days: int = 29) -> DailyFacts:
    """The daily series' own queries; they need nothing of the hourly counts, so the
    report starts them beside its first pass (the stints are its longest query)."""
    window = period.window
    lookback = Window(
        min(window.start, midnight(period.first - timedelta(days=lookback_days), zone_of(ctx))),
        window.end,
        window.platform,
    )
    offsets = span_shifts(ctx, lookback.start, window.end)
    metrics = store(ctx)
    growth = await metrics.growth(window, offsets)
    stints = await metrics.stints(lookback, offsets)
    return DailyFacts(day_number(period.first), day_number(period.last), growth, stints)


def daily_rows(facts: DailyFacts, hours: Sequence[HourCount], tones: Tones) -> list[Day]:
    """The daily series from its facts, the hourly counts and the tones."""
    first, last, growth = facts.first, facts.last, facts.growth
    starts: dict[int, int] = {}
    end30: dict[int, int] = {}
    end7: dict[int, int] = {}
    for stint in facts.stints:
        starts[stint.day] = starts.get(stint.day, 0) + stint.persons
        end30[stint.until30] = end30.get(stint.until30, 0) + stint.persons
        end7[stint.until7] = end7.get(stint.until7, 0) + stint.persons
    mau = _running(starts, end30, first, last)
    wau = _running(starts, end7, first, last)
    posts: dict[tuple[int, str], int] = {}
    for hour in hours:
        day = hour.hour // 24
        posts[(day, hour.kind)] = posts.get((day, hour.kind), 0) + hour.count
    members = growth.before
    rows = []
    for index, number in enumerate(range(first, last + 1)):
        joined, left = growth.joined.get(number, 0), growth.left.get(number, 0)
        seen = growth.seen.get(number, 0)
        members += joined + seen - left
        rows.append(
            Day(
                day=day_of(number),
                members=members,
                joined=joined,
                left=left,
                seen=seen,
                dau=starts.get(number, 0),
                wau=wau[index],
                mau=mau[index],
                messages=posts.get((number, "message"), 0),
                replies=posts.get((number, "reply"), 0),
                reactions=posts.get((number, "reaction"), 0),
                sentiment=shown_tone(tones.days.get(number, NO_TONE)),
            )
        )
    return rows


def hour_slots(window: Window, zone: ZoneInfo) -> list[list[int]]:
    """How often each (weekday, hour) of the community's clock occurs in the window.

    A 30-day window holds some weekdays five times and others four: the heat map
    divides by this so a weekday is not "busier" for occurring more often. Counted per
    stretch of one UTC offset (whole weeks at once), not hour by hour: ten years are
    a few dozen stretches instead of 87,600 steps.
    """
    slots = [[0] * 24 for _ in range(7)]
    first = window.start.replace(minute=0, second=0, microsecond=0)
    count = -(-(window.end - first) // timedelta(hours=1))  # hours starting in the window
    stretches = shifts(zone, first, first + timedelta(hours=count))
    done = 0
    for index, shift in enumerate(stretches):
        if index + 1 < len(stretches):
            # Hours of `first + k h` that start before the next offset takes over.
            later = stretches[index + 1].since - first
            until = min(count, -(-later // timedelta(hours=1)))
        else:
            until = count
        if until <= done:
            continue
        local = int((first - EPOCH_UTC).total_seconds() + shift.seconds) // 3600 + done
        _add_hours(slots, local, until - done)
        done = until
    return slots


def _add_hours(slots: list[list[int]], local_hour: int, hours: int) -> None:
    """Count `hours` consecutive local hours from `local_hour` (local hours since 1970)."""
    weeks, rest = divmod(hours, 7 * 24)
    for row in slots:
        for hour in range(24):
            row[hour] += weeks
    for step in range(rest):
        day, hour = divmod(local_hour + step, 24)
        slots[(day + 3) % 7][hour] += 1


def hour_totals(hours: Sequence[HourCount]) -> list[list[int]]:
    """Posts and reactions by weekday (Monday first) and hour of day, community time."""
    totals = [[0] * 24 for _ in range(7)]
    for hour in hours:
        if hour.kind in ACTIVE_KINDS:
            weekday = (hour.hour // 24 + 3) % 7
            totals[weekday][hour.hour % 24] += hour.count
    return totals


def heat_map(hours: Sequence[HourCount], slots: Sequence[Sequence[int]]) -> list[list[float]]:
    """Mean posts and reactions per hour, by weekday (Monday first) and hour of day."""
    return [
        [count / seen if seen else 0.0 for count, seen in zip(row, times, strict=True)]
        for row, times in zip(hour_totals(hours), slots, strict=True)
    ]


async def cohorts(ctx: Context, period: Period, weeks: int = COHORT_WEEKS) -> list[CohortRow]:
    """Retention of those who joined in each week the period touches (whole weeks, the
    latest `MAX_COHORTS` of a long period): the share active in each of the following
    `weeks` weeks, up to the period's end. This week's newcomers are a row of their own
    whose later weeks have not come yet."""
    zone = zone_of(ctx)
    current = week_number(period.last)
    first = max(week_number(period.first), current - MAX_COHORTS + 1)
    joined_from = midnight(week_start(first), zone)
    offsets = span_shifts(ctx, joined_from, period.window.end)
    found = await store(ctx).cohorts(
        joined_from, period.window.end, period.window.end, offsets, period.window.platform
    )
    rows = []
    for week in range(first, current + 1):
        size = found.sizes.get(week, 0)
        shares: list[float | None] = []
        for later in range(1, weeks + 1):
            if week + later > current or not size:
                shares.append(None)
            else:
                shares.append(found.active.get((week, week + later), 0) / size)
        rows.append(CohortRow(week_start(week), size, tuple(shares)))
    return rows


def chunks(period: Period, zone: ZoneInfo, most: int = 12) -> list[Period]:
    """The period cut into weeks, oldest first (trends of other features' figures)."""
    found: list[Period] = []
    last = period.last
    while last >= period.first and len(found) < most:
        first = max(period.first, last - timedelta(days=6))
        start = max(midnight(first, zone), period.window.start)
        end = min(midnight(last + timedelta(days=1), zone), period.window.end)
        if end > start:
            found.append(Period(first, last, Window(start, end, period.window.platform)))
        last = first - timedelta(days=1)
    return list(reversed(found))


def change(now: float | None, before: float | None) -> float | None:
    """Relative change (0.25 = +25 %), None when there is nothing to compare with."""
    if now is None or before is None or before == 0:
        return None
    return (now - before) / abs(before)


def compare(current: Sequence[Figure], previous: Sequence[Figure]) -> dict[str, float | None]:
    """Relative change of each figure from the previous period, by key."""
    before = {f.key: f.value for f in previous}
    return {f.key: change(f.value, before.get(f.key)) for f in current}
