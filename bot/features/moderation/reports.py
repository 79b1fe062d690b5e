"""What moderators read back: the audit log, the waiting queue, statistics, a CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.context import Context
from bot.features.moderation import details, render
from bot.features.moderation.config import ModerationConfig
from bot.features.moderation.people import labels, running, show
from bot.features.moderation.stats import Summary, figures, ranked, summarize
from bot.features.moderation.store import (
    Cases,
    CaseStatus,
    Flags,
    LogEntry,
    ModerationStats,
    ModLog,
)
from bot.formatting import measure, span
from bot.i18n import _, ngettext
from bot.model import Ref
from bot.stats import Figure, Window

CSV_COLUMNS = (
    "id",
    "at",
    "platform",
    "workspace",
    "kind",
    "case",
    "sanction",
    "actor",
    "subject",
    "detail",
)


async def log_text(ctx: Context, entries: Sequence[LogEntry], title: str) -> str:
    if not entries:
        return _("The moderation log has nothing to show yet.")
    platform = ctx.actor.ref.platform if ctx.actor else entries[0].platform
    names = await labels(ctx, [p for e in entries for p in (e.actor, e.subject)], platform)
    timezone = ctx.reader_zone
    return "\n".join(
        [title, *(render.log_line(e, names, timezone, details.shown(e.detail)) for e in entries)]
    )


async def recent_log(ctx: Context, limit: int, person_id: int | None) -> list[LogEntry]:
    return await ctx.repo(ModLog).recent(limit, person_id)  # type: ignore[type-abstract]


async def export_csv(ctx: Context, start: datetime | None, end: datetime | None) -> str:
    """The audit log as CSV; people as their names at export time (empty once forgotten)."""
    entries = await ctx.repo(ModLog).between(start, end)  # type: ignore[type-abstract]
    people: dict[int, str] = {}
    for person_id in {p for e in entries for p in (e.actor, e.subject) if p is not None}:
        accounts = await ctx.directory.accounts_of(person_id)
        people[person_id] = " / ".join(f"{a.label} ({a.ref})" for a in accounts)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        writer.writerow(
            (
                e.id,
                e.at.isoformat(),
                e.platform,
                e.workspace,
                e.kind.value,
                e.case_id or "",
                e.sanction_id or "",
                people.get(e.actor, "") if e.actor else "",
                people.get(e.subject, "") if e.subject else "",
                e.detail,
            )
        )
    return out.getvalue()


async def waiting_text(ctx: Context, place: Ref) -> str:
    cases = await ctx.repo(Cases).waiting(place.platform, place.workspace, 25)  # type: ignore[type-abstract]
    if not cases:
        return _("The moderation queue is empty. 🎉")
    now = ctx.now()
    lines = [
        ngettext("{n} case waits for a decision:", "{n} cases wait for a decision:", len(cases))
    ]
    here = running(ctx, place.platform)
    for case in cases:
        waited = span(now - case.queued_at) if case.queued_at else "?"
        author = show(ctx, case.author) if case.author else _("unknown")
        state = _("escalated") if case.status is CaseStatus.ESCALATED else _("open")
        link = ctx.link(case.message) if here else str(case.message)
        lines.append(
            _(
                "#{id} · {link} by {author} · {flags} · waiting {waited} · {state}",
                id=case.id,
                link=link,
                author=author,
                flags=ngettext("{n} flag", "{n} flags", case.flags),
                waited=waited,
                state=state,
            )
        )
    return "\n".join(lines)


async def summary(ctx: Context, window: Window) -> Summary:
    stats: ModerationStats = ctx.repo(ModerationStats)  # type: ignore[type-abstract]
    return summarize(
        await stats.flags(window.start, window.end, window.platform),
        await stats.cases(window.start, window.end, window.platform),
        await stats.sanctions(window.start, window.end, window.platform),
    )


async def stats_figures(ctx: Context, window: Window) -> list[Figure]:
    return figures(await summary(ctx, window))


async def stats_text(ctx: Context, days: int) -> str:
    config = ctx.config_of(ModerationConfig)
    end = ctx.now() + timedelta(seconds=1)  # [start, end) must include this very moment
    start = end - timedelta(days=days)
    platform = ctx.actor.ref.platform if ctx.actor else None
    lines = [ngettext("Moderation, last {n} day:", "Moderation, last {n} days:", days)]
    for figure in figures(await summary(ctx, Window(start, end))):
        lines.append(f"• {figure.label}: {measure(figure.value, figure.unit)}")
    scores = await ctx.repo(Flags).scores(start, None)  # type: ignore[type-abstract]
    accurate, false = ranked(scores, config.flag_spam_min_reviewed, 5)
    names = await labels(ctx, [s.person_id for s in [*accurate, *false]], platform or "")
    if accurate:
        lines.append(_("Most accurate flaggers:"))
        lines += [
            _(
                "• {who}: {confirmed} of {reviewed} confirmed",
                who=names.get(s.person_id, "?"),
                confirmed=s.confirmed,
                reviewed=s.reviewed,
            )
            for s in accurate
        ]
    if false:
        lines.append(_("Most dismissed flags (their flags count less once most are dismissed):"))
        lines += [
            _(
                "• {who}: {dismissed} of {reviewed} dismissed",
                who=names.get(s.person_id, "?"),
                dismissed=s.reviewed - s.confirmed,
                reviewed=s.reviewed,
            )
            for s in false
        ]
    return "\n".join(lines)
