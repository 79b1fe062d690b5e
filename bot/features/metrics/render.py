"""Text for `/stats`, the weekly digest and the slipping-away list.

Compact by design: a community manager reads it on a phone between two other
things, so each line carries one idea and the change from the previous period.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.features.metrics.compute import Summary, change
from bot.features.metrics.periods import Period
from bot.i18n import N_, _, ngettext
from bot.stats import Figure, as_percent

PLATFORMS = {"discord": "Discord", "slack": "Slack", "console": "console"}
WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)


def number(value: float | None, unit: str = "") -> str:
    """12, 12.5, 12 % or — for a missing value."""
    if value is None:
        return "—"
    shown = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    if unit == "%":
        return f"{shown}%"
    return f"{shown} {unit}" if unit else shown


def signed(value: int) -> str:
    return f"+{value}" if value > 0 else f"−{-value}" if value < 0 else "0"


def delta(now: float | None, before: float | None) -> str:
    """ " (+12%)", " (−3%)" or "" when there is nothing to compare with."""
    found = change(now, before)
    if found is None:
        return ""
    percent = round(100 * found)
    return f" ({'+' if percent >= 0 else '−'}{abs(percent)}%)"


def tone(value: float) -> str:
    return f"{value:+.2f}"


def title(period: Period) -> str:
    span = (
        period.first.isoformat()
        if period.days == 1
        else f"{period.first.isoformat()} – {period.last.isoformat()}"
    )
    platform = period.window.platform
    if platform is None:
        return _("📊 Community stats, {span}", span=span)
    return _(
        "📊 Community stats, {span} ({platform} only)",
        span=span,
        platform=PLATFORMS.get(platform, platform),
    )


def summary(now: Summary, before: Summary | None, names: Mapping[str, str]) -> str:
    """The /stats text and the digest's body; `names` maps channel ids to #names."""
    b = before
    members = _(
        "Members: {members}{change} · joined {joined} · left {left} · net {net} · churn {churn}",
        members=number(now.members),
        change=delta(now.members, b.members if b else None),
        joined=now.joined,
        left=now.left,
        net=signed(now.joined - now.left),
        churn=number(as_percent(now.churn), "%"),
    )
    if now.seen:
        members += " · " + ngettext(
            "{n} member first seen (joined before Agora counted joins)",
            "{n} members first seen (joined before Agora counted joins)",
            now.seen,
        )
    lines = [
        title(now.period),
        members,
        _(
            "Active members: {active}{change} · DAU {dau} · WAU {wau} · MAU {mau} · "
            "DAU/MAU {ratio}",
            active=number(now.reach.active),
            change=delta(now.reach.active, b.reach.active if b else None),
            dau=number(round(now.dau, 1)),
            wau=number(now.reach.wau),
            mau=number(now.reach.mau),
            ratio=number(None if now.stickiness is None else round(100 * now.stickiness), "%"),
        ),
        _(
            "Contributors: {posters} ({share} of members) · {engagement} interactions per member",
            posters=number(now.reach.posters),
            share=number(
                None if now.contributors_share is None else round(100 * now.contributors_share),
                "%",
            ),
            engagement=number(None if now.engagement is None else round(now.engagement, 1)),
        ),
        _(
            "Messages: {messages}{change} · replies {replies} · reactions {reactions}",
            messages=number(now.messages),
            change=delta(now.messages, b.messages if b else None),
            replies=number(now.replies),
            reactions=number(now.reactions),
        ),
    ]
    if now.channels:
        several = len({c.platform for c in now.channels}) > 1
        busiest = ", ".join(
            f"{names.get(c.channel_id, '#' + c.name)}"
            + (f" [{PLATFORMS.get(c.platform, c.platform)}]" if several else "")
            + f" ({c.messages + c.replies})"
            for c in now.channels
        )
        lines.append(_("Busiest channels: {channels}", channels=busiest))
    if now.busiest is not None:
        weekday, hour = now.busiest
        lines.append(
            _(
                "Busiest hour: {weekday} {start:02d}:00–{end:02d}:00 (community time)",
                weekday=_(WEEKDAYS[weekday]),
                start=hour,
                end=(hour + 1) % 24,
            )
        )
    if now.sentiment is not None:
        lines.append(
            ngettext(
                "Tone: {tone} (from {n} scored post; -1 negative … +1 positive)",
                "Tone: {tone} (from {n} scored posts; -1 negative … +1 positive)",
                now.scored,
                tone=tone(now.sentiment),
            )
        )
    lines += contributed(now.contributed, b.contributed if b else ())
    return "\n".join(lines)


def contributed(figures: Sequence[Figure], previous: Sequence[Figure] = ()) -> list[str]:
    """Other features' figures, one line per group: questions, moderation, kudos, polls.

    Figures that are zero or missing now and before are left out.
    """
    before = {f.key: f.value for f in previous}
    groups: dict[str, list[str]] = {}
    for figure in figures:
        if not figure.value and not before.get(figure.key):
            continue  # compact: a feature nobody used this period says nothing
        shown = number(figure.value, figure.unit) + delta(figure.value, before.get(figure.key))
        groups.setdefault(figure.group or _("Other"), []).append(f"{figure.label} {shown}")
    return [f"{group}: " + " · ".join(items) for group, items in groups.items()]


def slipping(names: Sequence[str], lookback: int, active: int, silent: int) -> str:
    if not names:
        return _("Nobody is slipping away: no regular has gone quiet. 🎉")
    head = ngettext(
        "{n} member was active in {active} of {lookback} weeks and has been silent for "
        "{silent} weeks:",
        "{n} members were active in {active} of {lookback} weeks and have been silent for "
        "{silent} weeks:",
        len(names),
        active=active,
        lookback=lookback,
        silent=silent,
    )
    return "\n".join([head, *(f"• {name}" for name in names)])


def checkin(name: str, community: str) -> str:
    return _(
        "Hi {name}! We haven't seen you in {community} for a little while and wanted to "
        "say we miss you. If something put you off or there's anything we could do "
        "better, just reply here — we'd love to hear it. 🙂",
        name=name,
        community=community,
    )
