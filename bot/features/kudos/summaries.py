"""What a member or moderator can look up: `/kudos me`, `/badges`, `/kudos history`.

Also the same facts where other parts of Agora show a member: the Slack App Home,
onboarding's `/profile` (through the `ProfileRequested` signal) and community
metrics (kudos flow).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.context import Context, UserError
from bot.features.kudos import badges, render
from bot.features.kudos.config import KudosConfig
from bot.features.kudos.leaderboard import standings
from bot.features.kudos.people import labels
from bot.features.kudos.rules import zone
from bot.features.kudos.service import achievements, ledger, verdict
from bot.features.kudos.store import Awarded
from bot.i18n import _, ngettext
from bot.model import Block, MemberRecord
from bot.signals import ProfileRequested
from bot.stats import Figure, Window

HISTORY_SIZE = 20


def _badge_names(cfg: KudosConfig, awarded: list[Awarded]) -> tuple[str, ...]:
    shown = []
    for a in awarded:
        rule = cfg.badge(a.badge)
        shown.append(render.badge_name(rule) if rule else f"🏅 {a.badge}")
    return tuple(shown)


async def me(ctx: Context) -> render.Message:
    member = ctx.member()
    cfg = ctx.config_of(KudosConfig)
    now = ctx.now()
    book = ledger(ctx)
    board = await standings(ctx, "all", None, None, member.person_id)
    awarded = list(await achievements(ctx).badges_of(member.person_id))
    return render.summary(
        render.Summary(
            received=await book.received_points(member.person_id),
            received_week=await book.received_points_since(
                member.person_id, now - timedelta(days=7)
            ),
            given=await book.given_count(member.person_id),
            verdict=await verdict(ctx, member, None),
            allowance=cfg.daily_allowance,
            rank=board.mine.rank if board.mine else None,
            badges=_badge_names(cfg, awarded),
        )
    )


async def badge_list(ctx: Context, member: MemberRecord) -> render.Message:
    cfg = ctx.config_of(KudosConfig)
    awarded = await achievements(ctx).badges_of(member.person_id)
    progress = {
        kind: await badges.progress(ctx, member.person_id, kind)
        for kind in {r.rule for r in cfg.badges}
    }
    tz = zone(ctx.member().timezone, ctx.runtime.config.bot.timezone)
    return render.badge_list(member.label, cfg.badges, awarded, progress, tz)


async def history(
    ctx: Context, member: MemberRecord, page: int, since: datetime | None
) -> render.Message:
    """A page of the member's kudos (`since`: given on or after that moment, a date
    typed in the moderator's time zone), removed ones with who removed them and why."""
    viewer = ctx.member()
    tz = zone(viewer.timezone, ctx.runtime.config.bot.timezone)
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=tz)
    offset = (page - 1) * HISTORY_SIZE
    found = await ledger(ctx).history(member.person_id, HISTORY_SIZE, offset=offset, since=since)
    pages = max(1, -(-found.total // HISTORY_SIZE))
    if page > pages:
        raise UserError(
            ngettext(
                "The history of {name} has {n} page; /kudos history @{name} {n} is the oldest.",
                "The history of {name} has {n} pages; /kudos history @{name} {n} is the oldest.",
                pages,
                name=member.name,
            )
        )
    people = {
        p
        for e in found.entries
        for p in (
            e.kudos.giver_person_id,
            e.kudos.receiver_person_id,
            e.removal.removed_by if e.removal else None,
        )
        if p is not None
    }
    found_names = await labels(ctx, people, viewer.ref.platform)
    names: dict[int | None, str] = {p: name for p, name in found_names.items()}
    names[None] = _("a forgotten member")
    shown_since = render.day(since, tz) if since is not None else None
    older = None
    if page < pages:
        older = f"/kudos history @{member.name} {page + 1}"
        if since is not None:
            older += f" --since {since.astimezone(tz).date().isoformat()}"
    bot = ctx.runtime.config.bot.name
    view = render.HistoryView(member.label, page, pages, shown_since, older, bot)
    return render.history(view, found.entries, names, tz)


async def profile_lines(ctx: Context, signal: ProfileRequested) -> None:
    """Kudos and badges on a member's /profile."""
    cfg = ctx.config_of(KudosConfig)
    received = await ledger(ctx).received_points(signal.person_id)
    awarded = list(await achievements(ctx).badges_of(signal.person_id))
    signal.lines.append((_("Kudos"), ngettext("{n} received", "{n} received", received)))
    if awarded:
        signal.lines.append((_("Badges"), ", ".join(_badge_names(cfg, awarded))))


async def home(ctx: Context) -> list[Block]:
    """The member's kudos on their home tab."""
    if ctx.actor is None:
        return []
    _text, blocks = await me(ctx)
    return list(blocks)


async def flow(ctx: Context, window: Window) -> list[Figure]:
    """Kudos flow for community metrics."""
    found = await ledger(ctx).flow(window.start, window.end, window.platform)
    group = _("Kudos")
    return [
        Figure("kudos_given", _("Kudos given"), found.kudos, group=group),
        Figure("kudos_points", _("Kudos points"), found.points, group=group),
        Figure("kudos_givers", _("Members who gave kudos"), found.givers, group=group),
        Figure("kudos_receivers", _("Members who received kudos"), found.receivers, group=group),
    ]
