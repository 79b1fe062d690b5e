"""`ChatPort` over the simulated community: every capability, nothing leaves the process."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from adapters.memory.community import Community, ModerationRecord, Posted
from bot.i18n import _
from bot.model import (
    EVERY_POWER,
    Capability,
    ChannelKind,
    Form,
    Invite,
    Outgoing,
    Ref,
    TimeStyle,
)
from bot.ports import CapabilityMissing, Once, PlatformRefused
from bot.timestamps import local_text


class MemoryPort:
    def __init__(
        self, community: Community, capabilities: frozenset[Capability] | None = None
    ) -> None:
        self.community = community
        self.platform = community.platform
        self.capabilities = capabilities if capabilities is not None else EVERY_POWER

    async def send(self, out: Outgoing, once: Once | None = None) -> Ref:
        c = self.community
        number, ref = c.next_message_ref()
        channel = c.channel_by_ref(out.channel) if out.channel is not None else None
        thread_of = out.thread_of
        if channel is not None and channel.kind is ChannelKind.THREAD and thread_of is None:
            thread_of = channel.parent
        ephemeral = out.ephemeral_to if Capability.EPHEMERAL in self.capabilities else None
        if out.ephemeral_to is not None and ephemeral is None:
            # No ephemeral messages here: deliver privately instead of to everyone.
            posted = Posted(
                number, ref, "Agora", out.text, None, out.blocks, dm_to=out.ephemeral_to
            )
        else:
            posted = Posted(
                number,
                ref,
                "Agora",
                out.text,
                channel if out.dm is None else None,
                out.blocks,
                dm_to=out.dm,
                ephemeral_to=ephemeral,
                thread_of=thread_of,
                attachments=out.attachments,
            )
        c.record(posted)
        return ref

    async def edit(self, message: Ref, out: Outgoing) -> None:
        posted = self._posted(message)
        posted.text = out.text
        posted.blocks = out.blocks
        posted.edited = True
        self.community.notify(posted, edited=True)

    def _require(self, capability: Capability) -> None:
        """Refuse like a real platform would when it lacks the capability."""
        if capability not in self.capabilities:
            raise CapabilityMissing(capability, self.platform)

    async def delete(self, message: Ref) -> None:
        posted = self._posted(message)
        if not posted.by_bot:  # a bot may always delete its own messages
            self._require(Capability.DELETE_MESSAGES)
        posted.deleted = True
        self.community.notify(posted, edited=True)

    async def open_form(self, actor: Ref, form: Form, reply_token: str | None) -> None:
        self.community.forms[actor] = form
        fields = ", ".join(f"{f.field_id} ({f.label})" for f in form.fields)
        text = _(
            "{title} — answer with :submit FIELD=VALUE … ({fields})",
            title=form.title,
            fields=fields,
        )
        await self.send(Outgoing(text, dm=actor))

    def _member(self, ref: Ref) -> str:
        member = self.community.member_by_ref(ref)
        if member is None:
            raise PlatformRefused(f"unknown member {ref}")
        return member.name

    async def add_role(self, member: Ref, role: str) -> None:
        name = self._member(member)
        current = self.community.members.get(name)
        if current is not None:
            self.community.members[name] = replace(current, roles=current.roles | {role})

    async def remove_role(self, member: Ref, role: str) -> None:
        name = self._member(member)
        current = self.community.members.get(name)
        if current is not None:
            self.community.members[name] = replace(current, roles=current.roles - {role})

    async def remove_reaction(self, message: Ref, emoji: str, member: Ref) -> None:
        self._require(Capability.REMOVE_REACTIONS)
        posted = self._posted(message)
        posted.reactions.get(emoji, set()).discard(self._member(member))

    async def create_thread(self, message: Ref, name: str) -> Ref:
        posted = self._posted(message)
        channel = self.community.add_channel(f"thread-{message.id}", ChannelKind.THREAD)
        thread = replace(channel, parent=message, name=name[:80])
        self.community.channels[channel.name] = thread
        del posted
        return thread.ref

    async def timeout(self, member: Ref, until: datetime, reason: str) -> None:
        self._require(Capability.TIMEOUT)
        self._member(member)
        self.community.moderation.append(ModerationRecord("timeout", member, reason, until))

    async def kick(self, member: Ref, reason: str) -> None:
        self._require(Capability.KICK)
        self._member(member)
        self.community.moderation.append(ModerationRecord("kick", member, reason))

    async def ban(self, member: Ref, reason: str) -> None:
        self._require(Capability.BAN)
        self._member(member)
        self.community.moderation.append(ModerationRecord("ban", member, reason))

    async def create_invite(
        self, channel: Ref, *, max_age: timedelta | None, max_uses: int
    ) -> Invite:
        self._require(Capability.INVITES)
        expires = self.community.clock.now() + max_age if max_age else None
        made = self.community.create_invite(channel, max_uses, expires)
        return Invite(made.code, made.url)

    async def invite_uses(self, workspace: str) -> Mapping[str, int]:
        self._require(Capability.INVITES)
        return {code: invite.uses for code, invite in self.community.invites.items()}

    async def pin(self, message: Ref) -> None:
        self._require(Capability.PIN)
        posted = self._posted(message)
        posted.pinned = True
        self.community.notify(posted)  # the console shows it again, marked 📌

    def timestamp(self, at: datetime, style: TimeStyle, zone: str) -> str:
        """Written out in the reader's zone: a terminal cannot localise for each viewer."""
        return local_text(at, style, zone, self.community.clock.now())

    def message_link(self, message: Ref) -> str:
        posted = self.community.post_by_ref(message)
        return f"[{posted.number}]" if posted else f"[{message.id}]"

    def mention(self, member: Ref) -> str:
        found = self.community.member_by_ref(member)
        return f"@{found.name}" if found else f"@{member.id}"

    def channel_mention(self, channel: Ref) -> str:
        found = self.community.channel_by_ref(channel)
        return f"#{found.name}" if found else f"#{channel.id}"

    def _posted(self, ref: Ref) -> Posted:
        posted = self.community.post_by_ref(ref)
        if posted is None:
            raise PlatformRefused(f"unknown message {ref}")
        return posted
