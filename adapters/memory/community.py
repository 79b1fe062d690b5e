"""A small simulated community: members, channels, numbered messages, forms.

Both the test harness and the console adapter drive the core through this, so what
an admin tries in the console is exactly what the tests check. It makes platform
events (with fresh event ids) and records everything the bot sends.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.i18n import _, ngettext
from bot.model import (
    Attachment,
    Block,
    Button,
    ButtonPressed,
    Buttons,
    Channel,
    ChannelKind,
    CommandInvoked,
    Form,
    FormSubmitted,
    Member,
    MemberJoined,
    MemberLeft,
    Message,
    MessagePosted,
    Option,
    ReactionChanged,
    Ref,
    RoleChanged,
    Select,
)
from bot.ports import Clock

BOT_NAME = "Agora"


class SimulationError(ValueError):
    """A console/harness action that cannot happen (unknown member, no such button)."""


@dataclass
class Posted:
    """One message in the simulated community, as a member would see it."""

    number: int
    ref: Ref
    author: str
    text: str
    channel: Channel | None = None
    blocks: tuple[Block, ...] = ()
    dm_to: Ref | None = None
    ephemeral_to: Ref | None = None
    thread_of: Ref | None = None
    attachments: tuple[Attachment, ...] = ()
    by_bot: bool = True
    deleted: bool = False
    edited: bool = False
    pinned: bool = False
    reactions: dict[str, set[str]] = field(default_factory=dict)

    @property
    def buttons(self) -> tuple[Button, ...]:
        return tuple(b for blk in self.blocks if isinstance(blk, Buttons) for b in blk.buttons)

    @property
    def selects(self) -> tuple[Select, ...]:
        return tuple(blk for blk in self.blocks if isinstance(blk, Select))

    def visible_to(self, member: Ref) -> bool:
        if self.dm_to is not None:
            return self.dm_to == member
        return self.ephemeral_to is None or self.ephemeral_to == member


@dataclass
class SimulatedInvite:
    """An invite link of the simulated community; `number` is how the console names it."""

    number: int
    code: str
    url: str
    channel: Ref
    max_uses: int
    expires_at: datetime | None
    uses: int = 0

    def usable(self, now: datetime) -> bool:
        fresh = self.expires_at is None or now < self.expires_at
        return fresh and (not self.max_uses or self.uses < self.max_uses)


@dataclass
class ModerationRecord:
    action: str
    member: Ref
    reason: str
    until: datetime | None = None


class Community:
    def __init__(self, clock: Clock, platform: str = "console", workspace: str = "demo") -> None:
        self.clock = clock
        self.platform = platform
        self.workspace = workspace
        self.members: dict[str, Member] = {}
        self.departed: dict[str, Member] = {}
        self.channels: dict[str, Channel] = {}
        self.posts: list[Posted] = []
        # Posts by number and by ref: a long session (or a benchmark) keeps thousands,
        # and reactions and links look one up on every event.
        self._by_number: dict[int, Posted] = {}
        self._by_ref: dict[Ref, Posted] = {}
        self.forms: dict[Ref, Form] = {}
        self.moderation: list[ModerationRecord] = []
        self.invites: dict[str, SimulatedInvite] = {}
        self.observers: list[Callable[[Posted, bool], None]] = []
        self._ids = itertools.count(1)
        self._events = itertools.count(1)
        # Numbers restart every session; ids must not, or the database would take a new
        # session's events for replays of the last one.
        self.session = secrets.token_hex(4)
        self.bot = Member(self.ref("bot"), BOT_NAME, BOT_NAME, is_bot=True)

    # --- identities ------------------------------------------------------------------

    def ref(self, id: str) -> Ref:
        return Ref(self.platform, self.workspace, id)

    def _event_id(self) -> str:
        return f"{self.platform}:{self.workspace}:{self.session}:ev{next(self._events)}"

    def add_member(
        self, name: str, roles: tuple[str, ...] = (), locale: str | None = None
    ) -> Member:
        key = name.lower()
        member = Member(self.ref(f"u-{key}"), key, name, frozenset(roles), locale=locale)
        self.members[key] = member
        self.departed.pop(key, None)
        return member

    def add_channel(self, name: str, kind: ChannelKind = ChannelKind.TEXT) -> Channel:
        key = name.lstrip("#").lower()
        channel = Channel(self.ref(f"c-{key}"), key, kind)
        self.channels[key] = channel
        return channel

    def member(self, name: str) -> Member:
        key = name.lstrip("@").lower()
        if key not in self.members:
            raise SimulationError(_("There is no member called {name!r}.", name=name))
        return self.members[key]

    def member_by_ref(self, ref: Ref) -> Member | None:
        for member in [*self.members.values(), *self.departed.values()]:
            if member.ref == ref:
                return member
        return self.bot if ref == self.bot.ref else None

    def channel(self, name: str) -> Channel:
        key = name.lstrip("#").lower()
        if key not in self.channels:
            raise SimulationError(
                _("There is no channel #{name}. Create it with :channel {name}.", name=key)
            )
        return self.channels[key]

    def channel_by_ref(self, ref: Ref) -> Channel | None:
        return next((c for c in self.channels.values() if c.ref == ref), None)

    def post(self, number: int) -> Posted:
        posted = self._by_number.get(number)
        if posted is None:
            raise SimulationError(_("There is no message [{number}].", number=number))
        return posted

    def post_by_ref(self, ref: Ref) -> Posted | None:
        return self._by_ref.get(ref)

    # --- what the bot does -----------------------------------------------------------

    def record(self, posted: Posted) -> Posted:
        self.posts.append(posted)
        self._by_number.setdefault(posted.number, posted)
        self._by_ref.setdefault(posted.ref, posted)
        self.notify(posted)
        return posted

    def keep_only(self, posts: list[Posted]) -> None:
        """Forget every other message, as a platform forgets old history: a soak run
        would otherwise hold every message it ever sent (and the bot's replies)."""
        self.posts = posts
        self._by_number = {p.number: p for p in reversed(posts)}
        self._by_ref = {p.ref: p for p in reversed(posts)}

    def notify(self, posted: Posted, *, edited: bool = False) -> None:
        """Tell observers (the console's transcript) about a new or edited message."""
        for observer in self.observers:
            observer(posted, edited)

    def next_message_ref(self) -> tuple[int, Ref]:
        number = next(self._ids)
        return number, self.ref(f"{self.session}-m{number}")

    # --- what members do -------------------------------------------------------------

    def say(
        self, name: str, channel: str, text: str, *, thread_of: int | None = None
    ) -> MessagePosted:
        author = self.member(name)
        where = self.channel(channel)
        parent = self.post(thread_of).ref if thread_of is not None else None
        number, ref = self.next_message_ref()
        mentions = tuple(m.ref for key, m in self.members.items() if f"@{key}" in text.lower())
        self.record(Posted(number, ref, author.name, text, where, thread_of=parent, by_bot=False))
        to_bot = f"@{BOT_NAME.lower()}" in text.lower()  # "@agora help"
        message = Message(
            ref, where, author, text, self.clock.now(), parent, mentions, to_bot=to_bot
        )
        return MessagePosted(
            event_id=self._event_id(), occurred_at=self.clock.now(), message=message
        )

    def command(self, name: str, channel: str, line: str) -> CommandInvoked:
        actor = self.member(name)
        command, _sep, rest = line.strip().lstrip("/").partition(" ")
        return CommandInvoked(
            event_id=self._event_id(),
            occurred_at=self.clock.now(),
            actor=actor,
            channel=self.channel(channel),
            name=command.lower(),
            text=rest.strip(),
            locale=actor.locale,
        )

    def visible(self, name: str, number: int) -> Posted:
        """Message `[number]`, if the member can see it (not deleted, not someone else's)."""
        actor = self.member(name)
        posted = self.post(number)
        if posted.deleted:
            raise SimulationError(_("Message [{number}] was deleted.", number=number))
        if not posted.visible_to(actor.ref):
            raise SimulationError(
                _("{name} cannot see message [{number}].", name=actor.name, number=number)
            )
        return posted

    def reacted(self, name: str, number: int, emoji: str) -> bool:
        return self.member(name).name in self.post(number).reactions.get(emoji, set())

    def react(self, name: str, number: int, emoji: str, *, added: bool = True) -> ReactionChanged:
        """A reaction event. Tests may send what a platform sends at odd moments (taking
        back a reaction never added); the console refuses that before it gets here."""
        actor = self.member(name)
        posted = self.post(number)
        users = posted.reactions.setdefault(emoji, set())
        if added:
            users.add(actor.name)
        else:
            users.discard(actor.name)
        author = self._author_ref(posted)
        channel = (
            posted.channel or self.channels.get("general") or next(iter(self.channels.values()))
        )
        return ReactionChanged(
            event_id=self._event_id(),
            occurred_at=self.clock.now(),
            actor=actor,
            message=posted.ref,
            channel=channel,
            emoji=emoji,
            added=added,
            message_author=author,
        )

    def _author_ref(self, posted: Posted) -> Ref | None:
        if posted.by_bot:
            return self.bot.ref
        member = self.members.get(posted.author) or self.departed.get(posted.author)
        return member.ref if member else None

    def find_button(
        self, name: str, wanted: str, number: int | None = None
    ) -> tuple[Posted, Button]:
        """The latest message visible to `name` with a button labelled or id'd `wanted`."""
        actor = self.member(name)
        candidates = [self.post(number)] if number is not None else reversed(self.posts)
        lowered = wanted.lower()
        for posted in candidates:
            if posted.deleted or not posted.visible_to(actor.ref):
                continue
            for button in posted.buttons:
                if lowered in (button.label.lower(), button.action_id.lower()):
                    return posted, button
        if number is not None:
            raise SimulationError(
                _(
                    "Message [{number}] has no button {wanted!r} that {name} can see.",
                    number=number,
                    wanted=wanted,
                    name=name,
                )
            )
        raise SimulationError(
            _("There is no button {wanted!r} that {name} can see.", wanted=wanted, name=name)
        )

    def click(self, name: str, wanted: str, number: int | None = None) -> ButtonPressed:
        posted, button = self.find_button(name, wanted, number)
        return ButtonPressed(
            event_id=self._event_id(),
            occurred_at=self.clock.now(),
            actor=self.member(name),
            action_id=button.action_id,
            value=button.value,
            message=posted.ref,
            channel=posted.channel,
        )

    def select(self, name: str, words: list[str], number: int | None = None) -> ButtonPressed:
        """Choose options by value or label; unquoted words may make up one label."""
        actor = self.member(name)
        candidates = [self.post(number)] if number is not None else list(reversed(self.posts))
        wanted = [w.lower() for w in words]
        for posted in candidates:
            if posted.deleted or not posted.visible_to(actor.ref):
                continue
            for select in posted.selects:
                chosen = _match_options(select.options, wanted)
                if chosen is not None:
                    return ButtonPressed(
                        event_id=self._event_id(),
                        occurred_at=self.clock.now(),
                        actor=actor,
                        action_id=select.action_id,
                        value=chosen[0],
                        values=tuple(chosen),
                        message=posted.ref,
                        channel=posted.channel,
                    )
        raise SimulationError(
            _(
                "There is no menu offering {options} that {name} can see.",
                options=" ".join(words),
                name=name,
            )
        )

    def submit(self, name: str, values: dict[str, str]) -> FormSubmitted:
        actor = self.member(name)
        form = self.forms.pop(actor.ref, None)
        if form is None:
            raise SimulationError(_("{name} has no open form to submit.", name=name))
        known = {f.field_id for f in form.fields}
        unknown = set(values) - known
        if unknown:
            self.forms[actor.ref] = form
            raise SimulationError(
                ngettext(
                    "Unknown field {unknown}; this form has: {known}.",
                    "Unknown fields {unknown}; this form has: {known}.",
                    len(unknown),
                    unknown=", ".join(sorted(unknown)),
                    known=", ".join(sorted(known)),
                )
            )
        return FormSubmitted(
            event_id=self._event_id(),
            occurred_at=self.clock.now(),
            actor=actor,
            form_id=form.form_id,
            values=values,
            context=form.context,
        )

    def create_invite(
        self, channel: Ref, max_uses: int, expires_at: datetime | None
    ) -> SimulatedInvite:
        number = len(self.invites) + 1
        code = f"{self.session}i{number}"
        url = f"https://{self.platform}.invalid/invite/{number}"
        invite = SimulatedInvite(number, code, url, channel, max_uses, expires_at)
        self.invites[code] = invite
        return invite

    def invite(self, wanted: str) -> SimulatedInvite:
        """An invite by its code, its number (`2`) or its link."""
        key = wanted.strip().rstrip("/").rsplit("/", 1)[-1].lstrip("#")
        for invite in self.invites.values():
            if key in (invite.code, str(invite.number)):
                return invite
        raise SimulationError(_("There is no invite {wanted!r}.", wanted=wanted))

    def join(
        self,
        name: str,
        roles: tuple[str, ...] = (),
        locale: str | None = None,
        *,
        invite: str | None = None,
    ) -> MemberJoined:
        """A member joins; through `invite` (code or number) its use count goes up.

        Like Discord, the join event does not say which invite was used: the bot finds
        out by comparing use counts.
        """
        if invite is not None:
            used = self.invite(invite)
            if not used.usable(self.clock.now()):
                raise SimulationError(_("Invite {number} has expired.", number=used.number))
            used.uses += 1
        member = self.add_member(name, roles, locale)
        return MemberJoined(event_id=self._event_id(), occurred_at=self.clock.now(), member=member)

    def leave(self, name: str) -> MemberLeft:
        member = self.member(name)
        del self.members[member.name]
        self.departed[member.name] = member
        return MemberLeft(event_id=self._event_id(), occurred_at=self.clock.now(), member=member)

    def held_role(self, name: str, role: str) -> str | None:
        """The member's role called `role` (any case), as it is spelled; None if not held."""
        return next((r for r in self.member(name).roles if r.lower() == role.lower()), None)

    def set_role(self, name: str, role: str, added: bool = True) -> RoleChanged:
        member = self.member(name)
        roles = set(member.roles)
        if added:
            roles.add(role)
        else:
            roles.discard(self.held_role(name, role) or role)
        updated = replace(member, roles=frozenset(roles))
        self.members[member.name] = updated
        return RoleChanged(
            event_id=self._event_id(),
            occurred_at=self.clock.now(),
            member=updated,
            role=role,
            added=added,
        )


def _match_options(options: tuple[Option, ...], words: list[str]) -> list[str] | None:
    """The values of the options `words` name, each by value or label; None if any is not.

    Labels have spaces (`To learn`) and a console line is split into words, so at each
    place the longest run of words that names an option is taken: `to learn python`
    is "To learn" and "python" when both are options.
    """
    names = {n: o.value for o in options for n in (o.value.lower(), o.label.lower())}
    chosen: list[str] = []
    start = 0
    while start < len(words):
        end = next(
            (e for e in range(len(words), start, -1) if " ".join(words[start:e]) in names), None
        )
        if end is None:
            return None
        chosen.append(names[" ".join(words[start:end])])
        start = end
    return chosen
