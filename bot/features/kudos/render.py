"""Every text kudos shows: confirmations, refusals, summaries, boards, badges, spotlights.

`text` is always the complete message; blocks repeat it richly. Counts go through
`ngettext`, times and dates through Babel in the current locale.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.lists import format_list

from bot.features.kudos.config import BadgeKind, BadgeRule, KudosConfig
from bot.features.kudos.rules import Period, Refusal, Verdict
from bot.features.kudos.store import Awarded, Board, Entry, Kudos, Removal, Source
from bot.formatting import number, relative, span
from bot.i18n import _, current_locale, ngettext
from bot.model import Block, Context, Fields, Section

MEDALS = {1: "🥇", 2: "🥈", 3: "🥉"}
Message = tuple[str, tuple[Block, ...]]


def kudos_count(n: int) -> str:
    return ngettext("{n} kudos", "{n} kudos", n)


def day(moment: datetime, tz: ZoneInfo) -> str:
    return str(format_date(moment.astimezone(tz).date(), "medium", locale=current_locale()))


def period_label(period: Period, tz: ZoneInfo) -> str:
    first = period.start.astimezone(tz).date()
    if period.kind == "month":
        return str(format_date(first, "LLLL yyyy", locale=current_locale()))
    return _("the week of {date}", date=format_date(first, "d MMMM yyyy", locale=current_locale()))


def left_today(verdict: Verdict) -> str:
    """How many kudos the giver has left today ("" when the allowance is unlimited)."""
    if verdict.left is None:
        return ""
    if verdict.left == 0:
        return _(
            "You have no kudos left today; new ones arrive {when}.",
            when=relative(verdict.renews_at - verdict.now),
        )
    return ngettext(
        "You have {n} kudos left today.", "You have {n} kudos left today.", verdict.left
    )


def refusal(verdict: Verdict, receiver: str, cfg: KudosConfig) -> str:
    """Why a kudos was not given, and what the giver has left today."""
    allowance, trade_days = cfg.daily_allowance, cfg.trade_days
    if verdict.refusal in (Refusal.RING, Refusal.NEW_ACCOUNTS):
        # Farming, not today's allowance: no "left today" either.
        return _farming_refusal(verdict, receiver, cfg)
    if verdict.refusal is Refusal.TRADING:
        # Trading is between two members, not about today's allowance: no "left today".
        return ngettext(
            "You and {name} have traded {n} kudos with each other in the last {days} days, "
            "so kudos between the two of you are paused for now. Thank someone else who "
            "helped you!",
            "You and {name} have traded {n} kudos with each other in the last {days} days, "
            "so kudos between the two of you are paused for now. Thank someone else who "
            "helped you!",
            verdict.traded,
            name=receiver,
            days=trade_days,
        )
    reason = {
        Refusal.SELF: _("You can't give kudos to yourself."),
        Refusal.BOT: _("{name} is a bot; kudos are for members.", name=receiver),
        Refusal.DEPARTED: _(
            "{name} has left the community, so they can't receive kudos.", name=receiver
        ),
        Refusal.COOLDOWN: _(
            "You thanked {name} {ago}; you can give them kudos again {when}.",
            name=receiver,
            ago=relative((verdict.last_thanked or verdict.now) - verdict.now),
            when=relative(verdict.wait or timedelta(0)),
        ),
    }
    if verdict.refusal is Refusal.ALLOWANCE:
        # The reason is the allowance itself: say when it renews, once.
        return ngettext(
            "You have given your {n} kudos for today; new ones arrive {when}.",
            "You have given all {n} kudos for today; new ones arrive {when}.",
            allowance,
            when=relative(verdict.renews_at - verdict.now),
        )
    said = reason[verdict.refusal or Refusal.SELF]
    return " ".join(part for part in (said, left_today(verdict)) if part)


def _farming_refusal(verdict: Verdict, receiver: str, cfg: KudosConfig) -> str:
    if verdict.refusal is Refusal.RING:
        return ngettext(
            "Kudos between you, {name} and another member have been going round in a "
            "circle in the last {n} day, so kudos along it are paused for now. Thank "
            "someone else who helped you!",
            "Kudos between you, {name} and another member have been going round in a "
            "circle in the last {n} days, so kudos along it are paused for now. Thank "
            "someone else who helped you!",
            cfg.trade_days,
            name=receiver,
        )
    return ngettext(
        "{name} has received many kudos from new accounts lately, so kudos from new "
        "members to them are paused for now. Once you have been here {n} day, yours "
        "count again.",
        "{name} has received many kudos from new accounts lately, so kudos from new "
        "members to them are paused for now. Once you have been here {n} days, yours "
        "count again.",
        cfg.new_account_days,
        name=receiver,
    )


def farming_report(kind: Refusal, members: Sequence[str], cfg: KudosConfig) -> str:
    """The note to moderators about suspected farming (in the community's language)."""
    window = span(timedelta(days=cfg.trade_days))
    if kind is Refusal.RING:
        return ngettext(
            "⚠️ Possible kudos farming: {members} have been passing kudos round in a circle "
            "(every link {n} kudos or more within {window}). Kudos along the circle are "
            "paused; /kudos history shows who gave what.",
            "⚠️ Possible kudos farming: {members} have been passing kudos round in a circle "
            "(every link {n} kudos or more within {window}). Kudos along the circle are "
            "paused; /kudos history shows who gave what.",
            cfg.ring_limit,
            members=format_list(list(members), locale=current_locale()),
            window=window,
        )
    return ngettext(
        "⚠️ Possible kudos farming: {member} has received {n} kudos or more from accounts "
        "younger than {age} within {window}. More kudos from new accounts to them are "
        "paused; /kudos history shows who gave what.",
        "⚠️ Possible kudos farming: {member} has received {n} kudos or more from accounts "
        "younger than {age} within {window}. More kudos from new accounts to them are "
        "paused; /kudos history shows who gave what.",
        cfg.new_account_limit,
        member=members[0],
        age=span(timedelta(days=cfg.new_account_days)),
        window=window,
    )


def given(giver: str, receiver: str, reason: str | None, total: int) -> Message:
    """The public thank-you a /kudos posts."""
    if reason:
        headline = _(
            "🙏 {giver} gave kudos to {receiver}: {reason}",
            giver=giver,
            receiver=receiver,
            reason=reason,
        )
    else:
        headline = _("🙏 {giver} gave kudos to {receiver}!", giver=giver, receiver=receiver)
    footer = ngettext(
        "{name} has received {n} kudos so far.",
        "{name} has received {n} kudos so far.",
        total,
        name=receiver,
    )
    return f"{headline}\n{footer}", (Section(headline), Context(footer))


def received_dm(giver: str, source: Source, emoji: str | None, link: str | None) -> str:
    if source is Source.REACTION:
        text = _("{giver} gave you kudos {emoji} for your message.", giver=giver, emoji=emoji)
    else:
        text = _("{giver} thanked you, and it counts as kudos.", giver=giver)
    return f"{text} {link}" if link else text


def answer_dm(points: int, question_id: int) -> str:
    return ngettext(
        "Your answer to question #{id} was accepted: you received {n} kudos. Thank you!",
        "Your answer to question #{id} was accepted: you received {n} kudos. Thank you!",
        points,
        id=question_id,
    )


def taken_back(receiver: str, verdict: Verdict) -> str:
    text = _("You took back your kudos to {name}.", name=receiver)
    return " ".join(part for part in (text, left_today(verdict)) if part)


# --- /kudos me ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Summary:
    received: int
    received_week: int
    given: int
    verdict: Verdict
    allowance: int
    rank: int | None
    badges: tuple[str, ...]


def summary(s: Summary) -> Message:
    title = _("Your kudos")
    received = ngettext(
        "{n} received ({week} in the last 7 days)",
        "{n} received ({week} in the last 7 days)",
        s.received,
        week=s.received_week,
    )
    if s.rank is not None:
        received += " · " + _("#{rank} all time", rank=s.rank)
    given_text = ngettext("{n} given", "{n} given", s.given)
    if s.verdict.left is None:
        left = _("unlimited")
    else:
        left = _(
            "{left} of {allowance} (renews {when})",
            left=s.verdict.left,
            allowance=s.allowance,
            when=relative(s.verdict.renews_at - s.verdict.now),
        )
    badges = ", ".join(s.badges) if s.badges else _("none yet — see /badges")
    pairs = (
        (_("Received"), received),
        (_("Given"), given_text),
        (_("Left today"), left),
        (_("Badges"), badges),
    )
    text = "\n".join([title, *(f"{k}: {v}" for k, v in pairs)])
    return text, (Section(title), Fields(pairs))


# --- leaderboards ---------------------------------------------------------------------------


def board_title(period: str, topic: str | None) -> str:
    span = {
        "week": _("last 7 days"),
        "month": _("last 30 days"),
        "all": _("all time"),
    }[period]
    if topic:
        return _("🏆 Kudos leaderboard for #{topic}, {span}", topic=topic, span=span)
    return _("🏆 Kudos leaderboard, {span}", span=span)


def place(rank: int) -> str:
    return MEDALS.get(rank, f"{rank}.")


def _empty_board(period: str, topic: str | None, give: str) -> str:
    """Nothing to rank: say so, and for a topic, how topics are named (it may be a typo)."""
    if topic:
        if period == "all":
            return _(
                "No kudos for #{topic} yet. A topic is a channel's name (or one set by "
                "the admins); try /leaderboard week, month or all.",
                topic=topic,
            )
        return _(
            "No kudos for #{topic} in this period yet. A topic is a channel's name (or one "
            "set by the admins); try /leaderboard week, month or all.",
            topic=topic,
        )
    if period == "all":
        return _("No kudos yet. Thank someone with {command} @member!", command=give)
    return _("No kudos in this period yet. Thank someone with {command} @member!", command=give)


def board(
    period: str,
    topic: str | None,
    result: Board,
    names: Mapping[int, str],
    *,
    viewer: int | None = None,
    give: str = "/kudos",
) -> Message:
    """`give`: how the viewer types the command that gives kudos (`/kudos give` on Discord)."""
    title = board_title(period, topic)
    if result.empty:
        empty = _empty_board(period, topic, give)
        return f"{title}\n{empty}", (Section(title), Section(empty))
    # Tied members by the name this reader sees.
    shown = sorted(result.top, key=lambda s: (s.rank, names.get(s.person_id, "").casefold()))
    lines = [
        f"{place(s.rank)} {names.get(s.person_id, '?')} — {kudos_count(s.points)}" for s in shown
    ]
    if result.more:
        lines.append(
            ngettext(
                "…and {n} more member tied at this place.",
                "…and {n} more members tied at this place.",
                result.more,
            )
        )
    notes = [ngettext("{n} member received kudos.", "{n} members received kudos.", result.ranked)]
    if viewer is not None:
        mine = result.mine
        if mine is None and period == "all":
            notes.append(_("You have not received kudos yet."))
        elif mine is None:
            notes.append(_("You have not received kudos in this period yet."))
        else:
            notes.append(
                _("You are #{rank} with {points}.", rank=mine.rank, points=kudos_count(mine.points))
            )
    body = "\n".join(lines)
    footer = " ".join(notes)
    return f"{title}\n{body}\n{footer}", (Section(title), Section(body), Context(footer))


# --- badges ---------------------------------------------------------------------------------


def achievement(kind: BadgeKind, n: int) -> str:
    """What a badge asks for, as a noun phrase ("25 kudos received")."""
    if kind is BadgeKind.KUDOS_RECEIVED:
        return ngettext("{n} kudos received", "{n} kudos received", n)
    if kind is BadgeKind.KUDOS_GIVEN:
        return ngettext("{n} kudos given", "{n} kudos given", n)
    if kind is BadgeKind.ACCEPTED_ANSWERS:
        return ngettext("{n} accepted answer", "{n} accepted answers", n)
    if kind is BadgeKind.STREAK_DAYS:
        return ngettext("a streak of {n} day", "a streak of {n} days", n)
    if kind is BadgeKind.NEWCOMERS_WELCOMED:
        return ngettext("{n} newcomer welcomed", "{n} newcomers welcomed", n)
    if kind is BadgeKind.MENTEES:
        return ngettext("{n} newcomer mentored", "{n} newcomers mentored", n)
    if kind is BadgeKind.QUIZ_ANSWERS:
        return ngettext("{n} quiz answered right", "{n} quizzes answered right", n)
    return ngettext("{n} accurate flag", "{n} accurate flags", n)


def badge_name(rule: BadgeRule) -> str:
    # Built-in names are translated; an admin's own names pass through unchanged.
    return f"{rule.emoji} {_(rule.name)}"


def badge_earned(member: str, rule: BadgeRule) -> Message:
    text = _(
        "{emoji} {member} earned the badge “{badge}” ({what})!",
        emoji=rule.emoji,
        member=member,
        badge=_(rule.name),
        what=achievement(rule.rule, rule.threshold),
    )
    return text, (Section(text),)


def badge_list(
    whose: str,
    rules: Sequence[BadgeRule],
    awarded: Sequence[Awarded],
    progress: Mapping[BadgeKind, int],
    tz: ZoneInfo,
) -> Message:
    have = {a.badge: a for a in awarded}
    earned = [
        _("{badge} — since {date}", badge=badge_name(r), date=day(have[r.id].awarded_at, tz))
        for r in rules
        if r.id in have
    ]
    # Badges no longer in the config stay earned; they are shown by id.
    known = {r.id for r in rules}
    earned += [f"🏅 {a.badge}" for a in awarded if a.badge not in known]
    to_earn = [
        _(
            "{badge} — {what} ({current} so far)",
            badge=badge_name(r),
            what=achievement(r.rule, r.threshold),
            current=min(progress.get(r.rule, 0), r.threshold),
        )
        for r in rules
        if r.id not in have
    ]
    title = _("Badges of {name}", name=whose)
    sections: list[str] = []
    if earned:
        sections.append(_("Earned:") + "\n" + "\n".join(earned))
    if to_earn:
        sections.append(_("Still to earn:") + "\n" + "\n".join(to_earn))
    if not sections:
        sections.append(_("This community has no badges configured."))
    text = "\n".join([title, *sections])
    return text, (Section(title), *(Section(s) for s in sections))


# --- history --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HistoryView:
    """Which part of a member's history is shown: a page of `pages`, given `since` (a
    date as the reader reads it), and the command that shows the next, older page."""

    whose: str
    page: int
    pages: int
    since: str | None = None
    older: str | None = None
    bot: str = "Agora"  # the giver of referral rewards (`[bot] name`)


def _how(k: Kudos) -> str:
    return (
        k.emoji
        or {
            Source.COMMAND: "/kudos",
            Source.KEYWORD: _("thanks"),
            Source.ANSWER: _("accepted answer"),
            Source.REFERRAL: _("referral"),
            Source.REACTION: _("reaction"),
        }[k.source]
    )


def _removal(removal: Removal, names: Mapping[int | None, str], tz: ZoneInfo) -> str:
    by = names.get(removal.removed_by, "?")
    when = day(removal.removed_at, tz)
    if removal.reason:
        return _(
            "✂ removed by {name} on {date}: “{reason}”", name=by, date=when, reason=removal.reason
        )
    return _("✂ removed by {name} on {date}", name=by, date=when)


def history(
    view: HistoryView, entries: Sequence[Entry], names: Mapping[int | None, str], tz: ZoneInfo
) -> Message:
    """A member's kudos for moderators, removed ones included where they were given."""
    if view.since:
        title = _("Kudos of {name} since {date} (latest first)", name=view.whose, date=view.since)
    else:
        title = _("Kudos of {name} (latest first)", name=view.whose)
    if not entries:
        empty = _("No kudos given or received yet.")
        return f"{title}\n{empty}", (Section(title), Section(empty))
    lines = []
    for entry in entries:
        k = entry.kudos
        giver = names.get(k.giver_person_id, "?")
        if k.giver_person_id is None and k.source is Source.REFERRAL:
            giver = view.bot  # a referral reward has no giver
        parts = [
            f"#{k.id}",
            day(k.given_at, tz),
            f"{giver} → {names.get(k.receiver_person_id, '?')}",
            f"{kudos_count(k.points)} ({_how(k)})",
        ]
        if k.topic:
            parts.append(f"#{k.topic}")
        if k.reason:
            parts.append(f"“{k.reason}”")
        if entry.removal is not None:
            parts.append(_removal(entry.removal, names, tz))
        lines.append(" · ".join(parts))
    body = "\n".join(lines)
    if view.pages <= 1:
        return f"{title}\n{body}", (Section(title), Section(body))
    footer = _("Page {page} of {pages}.", page=view.page, pages=view.pages)
    if view.older:
        footer = " ".join((footer, _("Older: {command}", command=view.older)))
    return f"{title}\n{body}\n{footer}", (Section(title), Section(body), Context(footer))


def removed_dm(giver: str, points: int, given: str, reason: str | None) -> str:
    """What the receiver of a removed kudos is told (the moderator is not named)."""
    text = _(
        "A moderator removed the kudos {giver} gave you on {date} ({points}).",
        giver=giver,
        date=given,
        points=kudos_count(points),
    )
    if reason:
        text = " ".join((text, _("The reason: {reason}", reason=reason)))
    return text


# --- spotlight ------------------------------------------------------------------------------


def deeds(points: int, answers: int, newcomers: int) -> str:
    """What the member did, as one list ("received 14 kudos and had 3 answers accepted")."""
    parts = []
    if points:
        parts.append(ngettext("received {n} kudos", "received {n} kudos", points))
    if answers:
        parts.append(ngettext("had {n} answer accepted", "had {n} answers accepted", answers))
    if newcomers:
        parts.append(ngettext("helped {n} newcomer", "helped {n} newcomers", newcomers))
    return str(format_list(parts, locale=current_locale())) if parts else ""


def spotlight(member: str, period: str, kind: str, citation: str, quote: str | None) -> Message:
    if kind == "month":
        headline = _("🌟 Member of the month, {period}: {member}!", period=period, member=member)
    else:
        headline = _("🌟 Member of the week, {period}: {member}!", period=period, member=member)
    lines = [headline]
    if citation:
        lines.append(citation)
    if quote:
        lines.append(_("From their kudos: “{quote}”", quote=quote))
    lines.append(_("Thank you for everything you do for this community!"))
    return "\n".join(lines), tuple(Section(line) for line in lines)


def spotlight_preview(
    period: str, key: str, rows: Sequence[tuple[str, float, str]], pick: str | None = None
) -> Message:
    """This period's leaders; `key` names the period in commands (2026-12)."""
    title = _("Spotlight candidates for {period} so far", period=period)
    if rows:
        lines = [
            f"{i}. {n} — {number(score)} ({what})" for i, (n, score, what) in enumerate(rows, 1)
        ]
        body = "\n".join(lines)
    else:
        body = _("Nobody has received kudos or helped in this period yet.")
    if pick:
        hint = _(
            "You chose {name} for {period}: the scheduled spotlight posts them when it ends.",
            name=pick,
            period=period,
        )
    else:
        hint = _(
            "/spotlight @member [citation] spotlights someone for the period that ended "
            "last, now; /spotlight @member {key} [citation] chooses them for this one, "
            "posted when it ends.",
            key=key,
        )
    return f"{title}\n{body}\n{hint}", (Section(title), Section(body), Context(hint))
