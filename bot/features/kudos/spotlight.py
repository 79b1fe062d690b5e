"""The member spotlight: who helped most in the period just ended, posted with thanks.

Score = kudos points received × `kudos` + accepted answers × `answers` + newcomers
welcomed or mentored × `newcomers` (weights from `[features.kudos.spotlight_weights]`).
Members who left, bots, and the winners of the last `spotlight_skip_recent`
spotlights are not picked; ties go to more kudos, then to the longer-standing
member. An admin's `/spotlight @member` replaces the pick for the current period, and
the job then leaves that period alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.context import Context, UserError
from bot.features.kudos import render
from bot.features.kudos.config import KudosConfig
from bot.features.kudos.people import (
    label_of,
    mention_of,
    post_everywhere,
)
from bot.features.kudos.rules import Period, current_period, previous_period
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
    here = await boards.present(sorted(everyone))
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
    """The cron job: spotlight the best of the period that just ended, unless chosen."""
    cfg = ctx.config_of(KudosConfig)
    period = previous_period(cfg.spotlight_period, fire_time, community_zone(ctx))
    store = spotlights(ctx)
    if await store.get(period.key) is not None:
        return  # an admin already chose this period's member
    recent = {
        s.person_id for s in await store.recent(cfg.spotlight_skip_recent, excluding=period.key)
    }
    ranked = [c for c in await candidates(ctx, period) if c.person_id not in recent]
    if not ranked:
        return
    best = ranked[0]
    await store.record(Spotlight(period.key, best.person_id, best.score, AUTO, ctx.now()))
    await _post(ctx, best.person_id, period, best, None)


async def choose(ctx: Context, member: MemberRecord, text: str | None) -> Period:
    """An admin's pick for the current period: posted now, replacing the job's pick."""
    if member.is_bot or not member.active:
        raise UserError(_("{name} can't be spotlighted: pick a current member.", name=member.label))
    cfg = ctx.config_of(KudosConfig)
    if not cfg.spotlight_channel:
        raise UserError(
            _("There is no spotlight channel: set spotlight_channel under [features.kudos].")
        )
    period = current_period(cfg.spotlight_period, ctx.now(), community_zone(ctx))
    found = next(
        (c for c in await candidates(ctx, period) if c.person_id == member.person_id), None
    )
    words = " ".join(text.split()) if text else None
    posted = await _post(ctx, member.person_id, period, found, words)
    if not posted:
        raise UserError(
            _("I found no channel called #{name} to post in.", name=cfg.spotlight_channel)
        )
    score = found.score if found else 0.0
    await spotlights(ctx).record(Spotlight(period.key, member.person_id, score, ADMIN, ctx.now()))
    return period


async def preview(ctx: Context) -> render.Message:
    cfg = ctx.config_of(KudosConfig)
    tz = community_zone(ctx)
    period = current_period(cfg.spotlight_period, ctx.now(), tz)
    platform = ctx.actor.ref.platform if ctx.actor else ""
    rows = []
    for c in (await candidates(ctx, period))[:PREVIEW_SIZE]:
        name = await label_of(ctx, c.person_id, platform)
        rows.append((name, c.score, render.deeds(c.points, c.answers, c.newcomers)))
    return render.spotlight_preview(render.period_label(period, tz), rows)


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
