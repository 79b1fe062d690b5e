"""Text for `/stats`, the weekly digest and the slipping-away list.

Compact by design: a community manager reads it on a phone between two other
things, so each line carries one idea and the change from the previous period.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot import formatting
from bot.features.metrics.compute import PLATFORM_NAMES, Summary, change
from bot.features.metrics.periods import Period
from bot.i18n import N_, _, ngettext
from bot.stats import Figure

PLATFORMS = PLATFORM_NAMES
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
    """12, 12.5, 12 %, 12 min or — for a missing value, in the reader's language
    (`12 345,5` in Latvian). A figure in "%" is a percentage already (0 to 100)."""
    if value is None:
        return "—"
    if unit == "%":
        return formatting.percent(value / 100, digits=1)
    shown = formatting.decimal(value, 1)
    return f"{shown} {unit}" if unit else shown


def share(value: float | None) -> str:
    """A share (0 to 1) as a whole percentage, or —."""
    return "—" if value is None else formatting.percent(value)


def signed(value: int) -> str:
    return formatting.signed_decimal(value, 0) if value else "0"


def delta(now: float | None, before: float | None) -> str:
    """ " (+12%)", " (−3%)" or "" when there is nothing to compare with."""
    found = change(now, before)
    if found is None:
        return ""
    sign = "+" if round(100 * found) >= 0 else "−"
    return f" ({sign}{formatting.percent(abs(found))})"


def points(now: float | None, before: float | None) -> str:
    """ " (+3 pts)": how a share moved, in percentage points ("" with nothing to compare)."""
    if now is None or before is None:
        return ""
    return " (" + _("{change} pts", change=signed(round(100 * (now - before)))) + ")"


def tone(value: float) -> str:
    return formatting.signed_decimal(value, 2)


def title(period: Period) -> str:
    span = formatting.days(period.first, period.last)
    platform = period.window.platform
    if platform is None:
        return _("📊 Community stats, {span}", span=span)
    return _(
        "📊 Community stats, {span} ({platform} only)",
        span=span,
        platform=PLATFORMS.get(platform, platform),
    )


def _members(now: Summary, b: Summary | None) -> str:
    line = _(
        "Members: {members}{change} · joined {joined} · left {left} · net {net} · churn {churn}",
        members=number(now.members),
        change=delta(now.members, b.members if b else None),
        joined=number(now.joined),
        left=number(now.left),
        net=signed(now.joined - now.left),
        churn=share(now.churn),
    )
    if now.seen:
        line += " · " + ngettext(
            "{n} member first seen (joined before Agora counted joins)",
            "{n} members first seen (joined before Agora counted joins)",
            now.seen,
            n=number(now.seen),
        )
    return line


def _channels(now: Summary, names: Mapping[str, str]) -> str:
    several = len({c.platform for c in now.channels}) > 1
    busiest = ", ".join(
        f"{names.get(c.channel_id, '#' + c.name)}"
        + (f" [{PLATFORMS.get(c.platform, c.platform)}]" if several else "")
        + f" ({number(c.messages + c.replies)})"
        for c in now.channels
    )
    return _("Busiest channels: {channels}", channels=busiest)


def summary(now: Summary, before: Summary | None, names: Mapping[str, str]) -> str:
    """The /stats text and the digest's body; `names` maps channel ids to #names.

    Every headline says how it moved since `before` (the previous period of the same
    length): counts in percent, shares (DAU/MAU, contributors) in percentage points.
    """
    b = before
    lines = [
        title(now.period),
        _members(now, b),
        _(
            "Active members: {active}{change} · DAU {dau}{dau_change} · WAU {wau} · "
            "MAU {mau} · DAU/MAU {ratio}{ratio_change}",
            active=number(now.reach.active),
            change=delta(now.reach.active, b.reach.active if b else None),
            dau=number(round(now.dau, 1)),
            dau_change=delta(round(now.dau, 1), round(b.dau, 1) if b else None),
            wau=number(now.reach.wau),
            mau=number(now.reach.mau),
            ratio=share(now.stickiness),
            ratio_change=points(now.stickiness, b.stickiness if b else None),
        ),
        _(
            "Contributors: {posters}{change} · {share} of members{share_change} · "
            "interactions per member: {engagement}{engagement_change}",
            posters=number(now.reach.posters),
            change=delta(now.reach.posters, b.reach.posters if b else None),
            share=share(now.contributors_share),
            share_change=points(now.contributors_share, b.contributors_share if b else None),
            engagement=number(None if now.engagement is None else round(now.engagement, 1)),
            engagement_change=delta(now.engagement, b.engagement if b else None),
        ),
        _(
            "Messages: {messages}{change} · replies {replies}{replies_change} · "
            "reactions {reactions}{reactions_change}",
            messages=number(now.messages),
            change=delta(now.messages, b.messages if b else None),
            replies=number(now.replies),
            replies_change=delta(now.replies, b.replies if b else None),
            reactions=number(now.reactions),
            reactions_change=delta(now.reactions, b.reactions if b else None),
        ),
    ]
    if now.channels:
        lines.append(_channels(now, names))
    if now.busiest is not None:
        weekday, hour = now.busiest
        lines.append(
            _(
                "Busiest hour: {weekday} {hours} (community time)",
                weekday=_(WEEKDAYS[weekday]),
                hours=formatting.hour_span(hour),
            )
        )
    if now.sentiment is not None:
        lines.append(
            ngettext(
                "Tone: {tone} (from {n} scored post; -1 negative … +1 positive)",
                "Tone: {tone} (from {n} scored posts; -1 negative … +1 positive)",
                now.tone.scored,
                n=number(now.tone.scored),
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
