"""What the feature tells people about questions: lists, statistics, metrics, exports."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from bot.context import Context, UserError
from bot.features.questions import delivery, render
from bot.features.questions.config import QuestionsConfig
from bot.features.questions.service import check_topic, readable
from bot.features.questions.stats import Summary, by_topic, summarize
from bot.features.questions.store import (
    Faq,
    Helpers,
    Listing,
    QuestionFacts,
    Questions,
    Replies,
)
from bot.i18n import _
from bot.model import Block, Section
from bot.stats import Figure, Window, as_minutes, as_percent

WINDOWS = (7, 30)
LIST_LIMIT = 20
# Windows end *after* now: what happened this very instant counts (a virtual clock in
# the console or a test does not move between two commands).
INSTANT = timedelta(microseconds=1)


def _questions(ctx: Context) -> Questions:
    return ctx.repo(Questions)  # type: ignore[type-abstract]


def _sla(ctx: Context) -> timedelta:
    return timedelta(minutes=ctx.config_of(QuestionsConfig).first_response_minutes)


async def listing(ctx: Context, which: str | None) -> render.Message:
    """`/questions [open|unanswered|mine|TOPIC]`: oldest waiting first, own newest first."""
    word = (which or "open").strip().lower()
    cfg = ctx.config_of(QuestionsConfig)
    topic = None
    if word == Listing.UNSOLVED.value:
        kind, heading = Listing.UNSOLVED, _("Open questions (oldest first):")
    elif word == Listing.UNANSWERED.value:
        kind, heading = Listing.UNANSWERED, _("Questions waiting for a first answer:")
    elif word == Listing.MINE.value:
        kind, heading = Listing.MINE, _("Your questions (newest first):")
    else:
        try:
            topic = check_topic(word, cfg)
        except UserError:
            raise UserError(
                _(
                    "Show open, unanswered, mine or a topic ({topics}).",
                    topics=", ".join(cfg.topic_names()) or _("any one-word topic"),
                )
            ) from None
        kind, heading = Listing.TOPIC, _("Open questions about {topic}:", topic=topic)
    person_id = ctx.actor.person_id if ctx.actor else None
    found = await _questions(ctx).listing(kind, person_id=person_id, topic=topic, limit=LIST_LIMIT)
    now = ctx.now()
    entries = [(q, now - q.created_at, delivery.link(ctx, q)) for q in found]
    return render.listing(heading, entries)


async def _window(ctx: Context, days: int) -> tuple[Summary, int, list[QuestionFacts]]:
    now = ctx.now()
    since = now - timedelta(days=days)
    until = now + INSTANT
    facts = await _questions(ctx).facts(since, until)
    deflected = await ctx.repo(Faq).deflections(since, until, None)  # type: ignore[type-abstract]
    return summarize(facts, now, _sla(ctx)), deflected, facts


async def stats_message(ctx: Context) -> render.Message:
    """`/question stats`: the last 7 and 30 days side by side, and topics over 30 days."""
    windows = []
    facts: list[QuestionFacts] = []
    for days in WINDOWS:
        summary, deflected, facts = await _window(ctx, days)
        windows.append((days, summary, deflected))
    topics = by_topic(facts, ctx.now(), _sla(ctx))
    if all(topic is None for topic, _summary in topics):
        topics = []
    waiting = await _questions(ctx).unanswered_now()
    return render.stats_report(windows, waiting, _sla(ctx), topics)


async def figures(ctx: Context, window: Window) -> list[Figure]:
    """Question figures for community metrics (`/stats`, reports, the weekly digest)."""
    facts = await _questions(ctx).facts(window.start, window.end, window.platform)
    summary = summarize(facts, window.end, _sla(ctx))
    deflected = await ctx.repo(Faq).deflections(  # type: ignore[type-abstract]
        window.start, window.end, window.platform
    )
    group = _("Questions")
    return [
        Figure("questions_asked", _("Questions asked"), summary.asked, group=group),
        Figure("questions_solved", _("Questions solved"), summary.solved, group=group),
        Figure("questions_unanswered", _("Questions unanswered"), summary.unanswered, group=group),
        Figure(
            "questions_within_sla",
            _("First answer within the target"),
            as_percent(summary.within_sla),
            unit="%",
            group=group,
        ),
        Figure(
            "questions_first_response_median",
            _("Time to first answer (median)"),
            as_minutes(summary.first_response_median),
            unit="min",
            group=group,
        ),
        Figure(
            "questions_first_response_p90",
            _("Time to first answer (p90)"),
            as_minutes(summary.first_response_p90),
            unit="min",
            group=group,
        ),
        Figure(
            "questions_solution_median",
            _("Time to solution (median)"),
            as_minutes(summary.solution_median),
            unit="min",
            group=group,
        ),
        Figure("questions_deflected", _("Answered by the FAQ"), deflected, group=group),
    ]


async def home(ctx: Context) -> list[Block]:
    """The member's unsolved questions on their home tab."""
    if ctx.actor is None:
        return []
    mine = await _questions(ctx).listing(Listing.MINE, person_id=ctx.actor.person_id, limit=10)
    open_ones = [q for q in mine if q.state.unsolved]
    if not open_ones:
        return []
    lines = []
    for q in open_ones:  # titles stored before mentions were named get their names here
        shown = replace(q, title=await readable(ctx, ctx.actor.ref, q.title)) if q.title else q
        lines.append(f"#{q.id} · {render.state_name(q.state)} · {render.title_of(shown, limit=80)}")
    return [Section(_("Your open questions:")), Section("\n".join(lines))]


async def export(ctx: Context, person_id: int) -> dict[str, Any]:
    asked = await _questions(ctx).of_person(person_id)
    replies = await ctx.repo(Replies).count_by(person_id)  # type: ignore[type-abstract]
    topics = await ctx.repo(Helpers).topics_of(person_id)  # type: ignore[type-abstract]
    return {
        "asked": [
            {
                "id": q.id,
                "title": q.title,
                "topic": q.topic,
                "state": q.state.value,
                "asked_at": q.created_at.isoformat(),
            }
            for q in asked
        ],
        "replies": replies,
        "helper_topics": ["*" if t == "" else t for t in topics],
    }
