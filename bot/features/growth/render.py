"""Every sentence growth says, in the reader's language. No I/O here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from bot.features.growth.store import Action, GrantEntry, Referral, Rising, Source, Status
from bot.formatting import dates, number, when
from bot.i18n import N_, _, ngettext
from bot.model import Block, Button, Buttons, ButtonStyle, Section

Message = tuple[str, tuple[Block, ...]]


def reward(points: int, badge: str | None, role: str | None) -> str:
    """What a qualified referral earns, as a phrase ("5 kudos and the role Regular")."""
    parts = []
    if points:
        parts.append(ngettext("{n} kudos", "{n} kudos", points, n=points))
    if badge:
        parts.append(_("the badge “{badge}”", badge=badge))
    if role:
        parts.append(_("the role {role}", role=role))
    if not parts:
        return _("our thanks")
    if len(parts) == 1:
        return parts[0]
    return _("{first} and {last}", first=", ".join(parts[:-1]), last=parts[-1])


def condition(days: int, messages: int) -> str:
    """The newcomer's first days and messages, as a noun phrase ("7 days and 5 messages")."""
    stay = ngettext("{n} day", "{n} days", days, n=days)
    if not messages:
        return stay
    write = ngettext("{n} message", "{n} messages", messages, n=messages)
    return _("{days} and {messages}", days=stay, messages=write)


def invite_link(url: str, reused: bool, when: str, earned: str) -> str:
    head = (
        _("Your personal invite link (the same as before): {url}", url=url)
        if reused
        else _("Your personal invite link: {url}", url=url)
    )
    tail = _(
        "When someone joins with it, you both get {reward} after their first {condition}.",
        condition=when,
        reward=earned,
    )
    return f"{head}\n{tail}"


def invite_code(code: str, claim_days: int, when: str, earned: str) -> str:
    head = _("Your personal referral code: {code}", code=code)
    how = ngettext(
        "Newcomers enter it with /referral {code} within {n} day of joining.",
        "Newcomers enter it with /referral {code} within {n} days of joining.",
        claim_days,
        code=code,
        n=claim_days,
    )
    tail = _("You both get {reward} after their first {condition}.", condition=when, reward=earned)
    return f"{head}\n{how}\n{tail}"


def referrer_told(newcomer: str, when: str, earned: str) -> str:
    return _(
        "🎉 {name} joined thanks to you! After their first {condition}, you both get {reward}.",
        name=newcomer,
        condition=when,
        reward=earned,
    )


def newcomer_told(referrer: str, when: str, earned: str) -> str:
    return _(
        "Thanks for telling us: {name} invited you. After your first {condition}, you both "
        "get {reward}.",
        name=referrer,
        condition=when,
        reward=earned,
    )


def who_invited_you(candidates: Sequence[tuple[str, str]], action: str) -> Message:
    """The question for a newcomer of a burst; `candidates` are (invite id, name)."""
    text = _(
        "Welcome! Several invites were used at the same moment, so we could not tell whose "
        "link you used. Who invited you? (You can also type /referral with their code.)"
    )
    buttons = tuple(Button(f"{action}:{invite}", name) for invite, name in candidates)
    return text, (Section(text), Buttons(buttons))


def referral_rewarded(other: str, earned: str, newcomer: bool) -> str:
    if newcomer:
        return _(
            "🎁 You have been with us a while now — welcome for good! You and {name}, who "
            "invited you, both get {reward}.",
            name=other,
            reward=earned,
        )
    return _(
        "🎁 {name}, whom you invited, has settled in. Thank you for growing the community: "
        "you both get {reward}.",
        name=other,
        reward=earned,
    )


def status_label(referral: Referral) -> str:
    return {
        Status.PENDING: _("settling in"),
        Status.REWARDED: _("rewarded"),
        Status.LEFT: _("left"),
        Status.EXPIRED: _("did not take part"),
    }[referral.status]


def my_referrals(rows: Sequence[tuple[str, Referral, str]]) -> str:
    """`rows`: (newcomer name, referral, progress for pending ones)."""
    if not rows:
        return _("Nobody joined with your invite yet. Get your link or code with /invite.")
    rewarded = sum(1 for _n, r, _p in rows if r.status is Status.REWARDED)
    head = ngettext(
        "You invited {n} member ({rewarded} rewarded):",
        "You invited {n} members ({rewarded} rewarded):",
        len(rows),
        n=len(rows),
        rewarded=rewarded,
    )
    lines = [head]
    for name, referral, progress in rows:
        state = status_label(referral)
        lines.append(f"• {name} — {state}{f' ({progress})' if progress else ''}")
    return "\n".join(lines)


def progress(days_left: int, messages: int, needed: int) -> str:
    parts = []
    if days_left > 0:
        parts.append(ngettext("{n} day to go", "{n} days to go", days_left, n=days_left))
    if needed:
        parts.append(_("{done} of {needed} messages", done=min(messages, needed), needed=needed))
    return ", ".join(parts)


def top(rows: Sequence[tuple[str, int, int]]) -> str:
    if not rows:
        return _("Nobody has brought in a member yet. Be the first: /invite.")
    lines = [_("🌱 Top referrers")]
    for place, (name, rewarded, joined) in enumerate(rows, 1):
        lines.append(
            _(
                "{place}. {name} — {rewarded} settled in, {joined} joined",
                place=place,
                name=name,
                rewarded=rewarded,
                joined=joined,
            )
        )
    return "\n".join(lines)


def tree(lines: Sequence[str], cut: bool) -> str:
    if not lines:
        return _("No referrals yet.")
    head = _("Referral tree (who invited whom):")
    more = [_("… and more (the tree shows the first entries).")] if cut else []
    return "\n".join([head, *lines, *more])


def why(thresholds: Mapping[str, int]) -> str:
    parts = []
    if "kudos" in thresholds:
        n = thresholds["kudos"]
        parts.append(ngettext("{n} kudos received", "{n} kudos received", n, n=n))
    if "accepted_answers" in thresholds:
        n = thresholds["accepted_answers"]
        parts.append(ngettext("{n} accepted answer", "{n} accepted answers", n, n=n))
    return ", ".join(parts)


def role_announced(mention: str, role: str, reason: str) -> str:
    return _("🎉 {name} is now {role} — {why}. Thank you!", name=mention, role=role, why=reason)


def role_granted_dm(role: str, reason: str) -> str:
    return _("🎉 You are now {role} ({why}). Thank you for all you do!", role=role, why=reason)


def role_inactive_dm(name: str, role: str, days: int) -> str:
    return ngettext(
        "Hello {name}! We have set your role {role} aside after {n} quiet day. It comes back "
        "by itself once you take part again — we would love to see you.",
        "Hello {name}! We have set your role {role} aside after {n} quiet days. It comes back "
        "by itself once you take part again — we would love to see you.",
        days,
        name=name,
        role=role,
        n=days,
    )


def role_below_dm(name: str, role: str, reason: str) -> str:
    return _(
        "Hello {name}! Your role {role} needs {why}, which no longer holds, so we have set it "
        "aside. It comes back by itself when you get there again.",
        name=name,
        role=role,
        why=reason,
    )


def report(
    start: datetime,
    end: datetime,
    rows: Sequence[tuple[str, Rising]],
    tracks: Sequence[tuple[str, Sequence[tuple[str, str]]]],
    timezone: str,
) -> Message:
    """The admins' weekly report; `tracks[i]` holds (action id, label) buttons for row i."""
    title = _("🌱 Rising contributors, {dates}", dates=dates(start, end, timezone))
    if not rows:
        empty = _("Nobody stood out this time.")
        return f"{title}\n{empty}", (Section(title), Section(empty))
    lines = [title]
    blocks: list[Block] = [Section(title)]
    for (name, rising), (_who, buttons) in zip(rows, tracks, strict=True):
        line = _(
            "{name}: {messages} messages ({growth} more than before), {answers} accepted "
            "answers, {kudos} kudos, {flags} accurate flags, {welcomes} newcomers welcomed",
            name=name,
            messages=number(rising.messages),
            growth=number(rising.growth),
            answers=number(rising.answers),
            kudos=number(rising.kudos),
            flags=number(rising.flags),
            welcomes=number(rising.welcomes),
        )
        lines.append(f"• {line}")
        blocks.append(Section(line))
        if buttons:
            blocks.append(Buttons(tuple(Button(a, label) for a, label in buttons)))
    return "\n".join(lines), tuple(blocks)


def invite_to(name: str, track: str) -> str:
    return _("Invite {name} to {track}", name=name, track=track)


def invitation(
    name: str, community: str, track: str, role: str, accept: str, decline: str
) -> Message:
    text = _(
        "Hello {name}! The {community} team would love you to join the {track} (role: "
        "{role}) — thank you for everything you already do. Would you like to?",
        name=name,
        community=community,
        track=track,
        role=role,
    )
    buttons = Buttons(
        (
            Button(accept, _("Accept"), style=ButtonStyle.PRIMARY),
            Button(decline, _("No, thank you")),
        )
    )
    return text, (Section(text), buttons)


def invitation_sent(name: str, track: str) -> str:
    return _("Invitation to the {track} sent to {name}.", track=track, name=name)


def invitation_open(name: str, track: str) -> str:
    return _("{name} already has an open invitation to the {track}.", name=name, track=track)


def already_holds(name: str, role: str) -> str:
    return _("{name} already has the role {role}.", name=name, role=role)


def accepted(track: str, role: str) -> str:
    return _("Welcome to the {track}! You now have the role {role}.", track=track, role=role)


def declined() -> str:
    return _("No problem at all — thank you for all you do.")


def answered_note(name: str, track: str, yes: bool) -> str:
    if yes:
        return _("{name} accepted the invitation to the {track}.", name=name, track=track)
    return _("{name} declined the invitation to the {track}.", name=name, track=track)


_SOURCES = {
    Source.THRESHOLD: N_("earned"),
    Source.REFERRAL: N_("referral"),
    Source.PIPELINE: N_("nomination"),
}


def audit(
    rows: Sequence[tuple[GrantEntry, str, str | None]], whose: str | None, timezone: str
) -> str:
    """`rows`: (entry, member name, admin name or None); times on `timezone`'s clock."""
    title = (
        _("Role grants and removals of {name} (latest first):", name=whose)
        if whose
        else _("Role grants and removals (latest first):")
    )
    if not rows:
        nothing = _("Nothing yet.")
        return f"{title}\n{nothing}"
    lines = [title]
    for entry, name, by in rows:
        sign = "+" if entry.action is Action.GRANT else "−"
        who = _(" · by {name}", name=by) if by else ""
        source = _(_SOURCES[entry.source])
        lines.append(
            f"#{entry.id} {when(entry.at, timezone)} · {name} · {sign}{entry.role} "
            f"({source}: {entry.reason}){who}"
        )
    return "\n".join(lines)


def perks_line(roles: Sequence[str]) -> str:
    return ", ".join(roles)
