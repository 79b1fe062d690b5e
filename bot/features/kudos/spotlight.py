"""The member spotlight: who helped most in the period just ended, posted with thanks.

Score = kudos points received × `kudos` + accepted answers × `answers` + newcomers
welcomed or mentored × `newcomers` (weights from `[features.kudos.spotlight_weights]`).
Members who left, bots, and the winners of the last `spotlight_skip_recent`
spotlights are not picked; ties go to more kudos, then to the longer-standing
member.

An admin overrides with `/spotlight @member [period]`. The period defaults to the one
that ended last — the one the scheduled spotlight has just covered or is about to —
because that is what an admin disagreeing with (or getting ahead of) the automatic
pick means: it is posted now and replaces the automatic pick. An admin naming the
running period (`2026-12` in December) chooses ahead: the pick is kept and the
scheduled job posts it when the period is over, instead of computing one; a
spotlight never says "member of the month" of a month with weeks still to go.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.context import Context, UserError
from bot.features.kudos import render
from bot.features.kudos.board_privacy import is_hidden
from bot.features.kudos.config import KudosConfig
from bot.features.kudos.people import (
    label_of,
    mention_of,
    post_everywhere,
)
from bot.features.kudos.rules import (
    Period,
    current_period,
    month_of,
    previous_period,
    week_of,
)
from bot.features.kudos.store import (
    Achievements,
    FactKind,
    KudosLedger,
    Leaderboards,
    Spotlight,
    Spotlights,
)
from bot.i18n import _
from bot.model import MemberRecord, Outgoing, Ref

AUTO = "auto"
ADMIN = "admin"
PREVIEW_SIZE = 3
# What `/spotlight @member PERIOD` accepts: a month (2026-12) or an ISO week (2026-W02).
PERIOD_PATTERN = r"\d{4}-[Ww]?\d{1,2}"
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_WEEK = re.compile(r"(\d{4})-[Ww](\d{1,2})")


@dataclass(frozen=True, slots=True)
class Candidate:
    person_id: int
    points: int
    answers: int
    newcomers: int
    score: float


def spotlights(ctx: Context) -> Spotlights:
    return ctx.repo(Spotlights)  # type: ignore[type-abstract]


def community_zone(ctx: Context) -> ZoneInfo:
    return ZoneInfo(ctx.runtime.config.bot.timezone)


async def candidates(ctx: Context, period: Period) -> list[Candidate]:
    """Everyone who scored in the period, best first."""
    cfg = ctx.config_of(KudosConfig)
    weights = cfg.spotlight_weights
    boards: Leaderboards = ctx.repo(Leaderboards)  # type: ignore[type-abstract]
    facts: Achievements = ctx.repo(Achievements)  # type: ignore[type-abstract]
    points = await boards.received_between(period.start, period.end)
    answers = await facts.facts_between(FactKind.ANSWER, period.start, period.end)
    welcomed = await facts.facts_between(FactKind.WELCOME, period.start, period.end)
    mentored = await facts.facts_between(FactKind.MENTEE, period.start, period.end)
    everyone = set(points) | set(answers) | set(welcomed) | set(mentored)
    here = await boards.on_boards(sorted(everyone))
    found = []
    for person in here:
        helped = welcomed.get(person, 0) + mentored.get(person, 0)
        score = (
            points.get(person, 0) * weights.kudos
            + answers.get(person, 0) * weights.answers
            + helped * weights.newcomers
        )
        if score > 0:
            found.append(
                Candidate(person, points.get(person, 0), answers.get(person, 0), helped, score)
            )
    return sorted(found, key=lambda c: (-c.score, -c.points, c.person_id))


def citation(candidate: Candidate) -> str:
    deeds = render.deeds(candidate.points, candidate.answers, candidate.newcomers)
    return _("This period they {deeds}.", deeds=deeds) if deeds else ""


async def scheduled(ctx: Context, fire_time: datetime) -> None:
    """The cron job: spotlight the best of the period that just ended, unless an admin
    chose already (a pick made ahead is posted now)."""
    cfg = ctx.config_of(KudosConfig)
    period = previous_period(cfg.spotlight_period, fire_time, community_zone(ctx))
    store = spotlights(ctx)
    chosen = await store.get(period.key)
    if chosen is not None and chosen.posted_at is not None:
        return  # posted already (an admin's pick, or this job before a restart)
    if chosen is not None and await _may_spotlight(ctx, chosen.person_id):
        found = await _candidate(ctx, period, chosen.person_id)
        await _post(ctx, chosen.person_id, period, found, chosen.citation)
        await store.record(replace(chosen, posted_at=ctx.now()))
        return
    recent = {
        s.person_id for s in await store.recent(cfg.spotlight_skip_recent, excluding=period.key)
    }
    ranked = [c for c in await candidates(ctx, period) if c.person_id not in recent]
    if not ranked:
        return
    best = ranked[0]
    await store.record(Spotlight(period.key, best.person_id, best.score, AUTO, ctx.now()))
    await _post(ctx, best.person_id, period, best, None)


@dataclass(frozen=True, slots=True)
class Choice:
    """What `/spotlight @member` did: posted now (replacing `replaced`, an earlier
    pick's person) or kept to be posted when the period ends."""

    period: Period
    posted: bool
    replaced: int | None = None


async def choose(ctx: Context, member: MemberRecord, named: str | None, text: str | None) -> Choice:
    """An admin's pick for a period (default: the one that ended last)."""
    if member.is_bot or not member.active:
        raise UserError(_("{name} can't be spotlighted: pick a current member.", name=member.label))
    if await is_hidden(ctx, member.person_id):
        raise UserError(
            _(
                "{name} keeps their kudos private (/kudos privacy), so they are not spotlighted.",
                name=member.label,
            )
        )
    cfg = ctx.config_of(KudosConfig)
    if not cfg.spotlight_channel:
        raise UserError(
            _("There is no spotlight channel: set spotlight_channel under [features.kudos].")
        )
    tz = community_zone(ctx)
    now = ctx.now()
    kind = cfg.spotlight_period
    period = period_named(kind, named, tz) if named else previous_period(kind, now, tz)
    if period.start > now:
        raise UserError(
            _(
                "{period} has not begun yet: choose a period that has ended, or the current one.",
                period=render.period_label(period, tz),
            )
        )
    store = spotlights(ctx)
    before = await store.get(period.key)
    found = await _candidate(ctx, period, member.person_id)
    score = found.score if found else 0.0
    words = " ".join(text.split()) if text else None
    if period.end > now:  # the running period: posted when it ends
        if not cfg.spotlight_cron:
            raise UserError(
                _(
                    "{period} is not over, and no scheduled spotlight will post it "
                    "(spotlight_cron is off): choose once it has ended.",
                    period=render.period_label(period, tz),
                )
            )
        await store.record(Spotlight(period.key, member.person_id, score, ADMIN, None, words))
        return Choice(period, posted=False)
    if not await _post(ctx, member.person_id, period, found, words):
        raise UserError(
            _("I found no channel called #{name} to post in.", name=cfg.spotlight_channel)
        )
    await store.record(Spotlight(period.key, member.person_id, score, ADMIN, now, words))
    earlier = before.person_id if before and before.posted_at else None
    return Choice(period, True, earlier if earlier != member.person_id else None)


async def confirmation(ctx: Context, member: MemberRecord, choice: Choice) -> str:
    """What the admin is told: posted (and whom it replaced), or kept for later."""
    label = render.period_label(choice.period, community_zone(ctx))
    if not choice.posted:
        return _(
            "{name} is your pick for {period}: the scheduled spotlight posts them when the "
            "period is over, instead of choosing by itself.",
            name=member.label,
            period=label,
        )
    text = _(
        "Spotlight on {name} posted in #{channel} as the pick for {period}; the automatic "
        "spotlight will not replace it.",
        name=member.label,
        channel=ctx.config_of(KudosConfig).spotlight_channel,
        period=label,
    )
    if choice.replaced is None:
        return text
    earlier = await label_of(ctx, choice.replaced, member.ref.platform)
    return " ".join((text, _("It replaces the earlier pick, {name}.", name=earlier)))


def period_named(kind: str, typed: str, tz: ZoneInfo) -> Period:
    """The period an admin named: `2026-12` (monthly spotlights) or `2026-W02` (weekly)."""
    month, week = _MONTH.fullmatch(typed), _WEEK.fullmatch(typed)
    try:
        if kind == "month" and month:
            return month_of(date(int(month[1]), int(month[2]), 1), tz)
        if kind == "week" and week:
            return week_of(date.fromisocalendar(int(week[1]), int(week[2]), 1), tz)
    except ValueError:
        pass  # month 13, week 54: explained below
    if kind == "month":
        raise UserError(_("{value!r} is not a month: write it like 2026-12.", value=typed))
    raise UserError(
        _("Spotlights here are weekly: name a week like 2026-W02, not {value!r}.", value=typed)
    )


async def preview(ctx: Context) -> render.Message:
    cfg = ctx.config_of(KudosConfig)
    tz = community_zone(ctx)
    period = current_period(cfg.spotlight_period, ctx.now(), tz)
    platform = ctx.actor.ref.platform if ctx.actor else ""
    rows = []
    for c in (await candidates(ctx, period))[:PREVIEW_SIZE]:
        name = await label_of(ctx, c.person_id, platform)
        rows.append((name, c.score, render.deeds(c.points, c.answers, c.newcomers)))
    chosen = await spotlights(ctx).get(period.key)
    ahead = chosen is not None and chosen.posted_at is None
    pick = await label_of(ctx, chosen.person_id, platform) if chosen and ahead else None
    return render.spotlight_preview(render.period_label(period, tz), period.key, rows, pick)


async def _candidate(ctx: Context, period: Period, person_id: int) -> Candidate | None:
    return next((c for c in await candidates(ctx, period) if c.person_id == person_id), None)


async def _may_spotlight(ctx: Context, person_id: int) -> bool:
    """Still here and shown when their spotlight is due (a pick made ahead may have left,
    or chosen `/kudos privacy on`, since)."""
    boards: Leaderboards = ctx.repo(Leaderboards)  # type: ignore[type-abstract]
    return person_id in await boards.on_boards([person_id])


async def _post(
    ctx: Context, person_id: int, period: Period, found: Candidate | None, words: str | None
) -> list[Ref]:
    """Post the spotlight everywhere; `words` (an admin's) replace the computed citation."""
    cfg = ctx.config_of(KudosConfig)
    ledger: KudosLedger = ctx.repo(KudosLedger)  # type: ignore[type-abstract]
    quote = await ledger.latest_reason(person_id, period.start, period.end)
    tz = community_zone(ctx)

    async def build(platform: str) -> Outgoing:
        member = await mention_of(ctx, person_id, platform)
        async with ctx.in_public(cfg.spotlight_channel):
            said = words if words is not None else (citation(found) if found else "")
            text, blocks = render.spotlight(
                member, render.period_label(period, tz), period.kind, said, quote
            )
        return Outgoing(text, blocks)

    return await post_everywhere(ctx, cfg.spotlight_channel, build)
