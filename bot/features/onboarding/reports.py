"""What onboarding shows: profiles, segments, mentors, metrics and a person's data.

Profiles are public by default but each question can be private (`public = false`):
the member and admins see everything, others only public answers. Segments count
present members (at least one account still in the community), per option, and per
named segment when options share a `segment` name.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date

from bot.context import Context
from bot.features.onboarding import delivery, mentoring, questionnaire, render
from bot.features.onboarding.config import OnboardingConfig
from bot.features.onboarding.store import (
    answer_store,
    mentors,
    newcomers,
    pairings,
)
from bot.i18n import N_, _, current_locale
from bot.model import Block, Level, MemberRecord
from bot.signals import ProfileRequested
from bot.stats import Figure, Window

FUNNEL_DAYS = 30


def _config(ctx: Context) -> OnboardingConfig:
    return ctx.config_of(OnboardingConfig)


def _viewer_zone(ctx: Context) -> ZoneInfo:
    chosen = ctx.actor.timezone if ctx.actor is not None else None
    return ZoneInfo(chosen or ctx.runtime.config.bot.timezone)


def _shown_answers(
    cfg: OnboardingConfig, answers: questionnaire.Answers, full: bool, fallback: str
) -> list[tuple[str, str]]:
    """(question, answer) the viewer may see; topics are shown on a line of their own."""
    shown = []
    for question in questionnaire.usable(cfg):
        values = answers.get(question.id)
        if not values or question.sets == "topics" or not (question.public or full):
            continue
        shown.append(
            (
                render.localized(question.text, fallback),
                render.answer_labels(question, values, fallback),
            )
        )
    return shown


async def profile(
    ctx: Context, target: MemberRecord | None, *, extras: bool = True
) -> render.Message:
    """`/profile`; `extras=False` leaves out what other features add (kudos, perks),
    for the App Home, where those features show their own sections."""
    viewer = ctx.member()
    member = target or viewer
    cfg = _config(ctx)
    questions = questionnaire.usable(cfg)
    own = member.person_id == viewer.person_id
    full = own or ctx.level.allows(Level.ADMIN)
    answers = await answer_store(ctx).of(member.person_id)
    public_topics = any(q.public for q in questions if q.sets == "topics")
    topics = questionnaire.topics_of(cfg, answers) if (public_topics or full) else []
    volunteer = await mentors(ctx).get(member.person_id)
    mentor_name = None
    if full:
        pairing = await pairings(ctx).active_of_newcomer(member.person_id)
        mentor = await ctx.directory.get(pairing.mentor) if pairing is not None else None
        if mentor is not None:
            mentor_name = mentoring.label_for(ctx, mentor, viewer.ref.platform)
    joined = None
    if member.joined_at is not None:
        joined = format_date(
            member.joined_at.astimezone(_viewer_zone(ctx)), format="long", locale=current_locale()
        )
    asked = ProfileRequested(member.person_id, member.ref)
    if extras:
        await ctx.emit(asked)
    view = render.ProfileView(
        name=mentoring.label_for(ctx, member, viewer.ref.platform),
        joined=joined,
        answers=tuple(_shown_answers(cfg, answers, full, ctx.runtime.config.bot.language)),
        topics=tuple(topics),
        mentoring=volunteer.topics if volunteer is not None else None,
        mentor=mentor_name,
        extra=tuple(asked.lines),
    )
    return render.profile(view, own=own, questions=bool(questions))


async def home(ctx: Context) -> list[Block]:
    """The member's own profile (joined, topics, answers, mentoring) on their home tab."""
    if ctx.actor is None:
        return []
    _text, blocks = await profile(ctx, None, extras=False)
    return list(blocks)


async def segments(ctx: Context) -> render.Message:
    cfg = _config(ctx)
    fallback = ctx.runtime.config.bot.language
    catalogue = questionnaire.segment_catalogue(cfg)
    store = answer_store(ctx)
    counts = await store.counts([(q.id, o.id) for _s, q, o in catalogue])
    groups: list[render.SegmentGroup] = []
    named: dict[str, list[tuple[str, str]]] = {}
    for question in questionnaire.usable(cfg):
        if not question.choice:
            continue
        rows = tuple(
            (render.option_label(o, fallback), counts.get((question.id, o.id), 0))
            for o in question.options
        )
        groups.append(render.SegmentGroup(render.localized(question.text, fallback), rows))
        for option in question.options:
            if option.segment:
                named.setdefault(option.segment, []).append((question.id, option.id))
    named_counts = [(name, await store.count_any(pairs)) for name, pairs in sorted(named.items())]
    now = ctx.now()
    # Up to and including this very moment: someone who joined just now counts.
    funnel = await newcomers(ctx).funnel(
        now - timedelta(days=FUNNEL_DAYS), now + timedelta(seconds=1), None
    )
    line = render.funnel_line(
        FUNNEL_DAYS, funnel.joined, funnel.agreed, funnel.gated, funnel.answered, funnel.paired
    )
    return render.segments_report(groups, named_counts, await store.respondents(), line)


async def mentors_overview(ctx: Context) -> render.Message:
    cfg = _config(ctx)
    viewer = ctx.actor
    platform = viewer.ref.platform if viewer is not None else ""
    loads = await pairings(ctx).loads()
    rows: list[render.MentorRow] = []
    for volunteer in await mentors(ctx).on_duty():
        account = await delivery.best_account(ctx, volunteer.person_id, platform)
        if account is None:
            continue
        load = loads.get(volunteer.person_id)
        rows.append(
            render.MentorRow(
                mentoring.label_for(ctx, account, platform),
                volunteer.topics,
                load.active if load is not None else 0,
                load.total if load is not None else 0,
            )
        )
    rows.sort(key=lambda r: (-r.active, r.name.lower()))
    waiting = []
    for newcomer in await newcomers(ctx).waiting():
        account = await delivery.best_account(ctx, newcomer.person_id, platform)
        if account is not None:
            waiting.append(mentoring.label_for(ctx, account, platform))
    return render.mentors_report(rows, cfg.max_mentees, waiting)


# --- metrics and data requests ------------------------------------------------------

_FIGURES = (
    ("onboarding_newcomers", N_("Newcomers")),
    ("onboarding_agreed", N_("Newcomers who accepted the rules")),
    ("onboarding_answered", N_("Newcomers who answered the questionnaire")),
    ("onboarding_paired", N_("Newcomers paired with a mentor")),
    ("onboarding_met", N_("Newcomers who talked with their mentor")),
)


async def figures(ctx: Context, window: Window) -> list[Figure]:
    funnel = await newcomers(ctx).funnel(window.start, window.end, window.platform)
    values = (funnel.joined, funnel.agreed, funnel.answered, funnel.paired, funnel.met)
    return [
        Figure(key, _(label), float(value), group=_("Onboarding"))
        for (key, label), value in zip(_FIGURES, values, strict=True)
    ]


async def export(ctx: Context, person_id: int) -> dict[str, Any]:
    newcomer = await newcomers(ctx).get(person_id)
    volunteer = await mentors(ctx).get(person_id)
    return {
        "newcomer": None
        if newcomer is None
        else {
            "joined_at": newcomer.joined_at.isoformat(),
            "rules_required": newcomer.gated,
            "agreed_at": newcomer.agreed_at.isoformat() if newcomer.agreed_at else None,
            "questionnaire": newcomer.progress.value,
            "mentor": newcomer.mentor.value,
            "left_at": newcomer.left_at.isoformat() if newcomer.left_at else None,
        },
        "answers": await answer_store(ctx).of(person_id),
        "mentor_topics": list(volunteer.topics) if volunteer is not None else None,
        "pairings": [
            {
                "role": "newcomer" if p.newcomer_person_id == person_id else "mentor",
                "topic": p.topic,
                "status": p.status.value,
                "paired_at": p.paired_at.isoformat(),
                "ended_at": p.ended_at.isoformat() if p.ended_at else None,
            }
            for p in await pairings(ctx).of_person(person_id)
        ],
    }
