"""`ChatPort` on Discord: what the core may ask of a guild, honestly declared.

Where a message goes:
- the answer to an interaction (`reply_token` of a live interaction, same channel)
  → the interaction response or its follow-up (`interactions.Pending`); ephemeral
  only there, because Discord has no ephemeral messages outside interactions;
- `ephemeral_to` without a live interaction → a DM to that member (still private);
- `dm` → the member's DM channel;
- a channel → that channel; with `thread_of` → the thread of that message (created
  when it does not exist yet; a thread started from a message has its id).

Every Discord refusal becomes `PlatformRefused` with a sentence that says what to
fix; the kinds the core can tell apart (`REFUSALS`): a member Discord will not let
the bot write to (DMs closed, account gone) is `MemberUnreachable`, a missing
permission or hidden channel `BotLacksPermission`, a deleted channel or message
`TargetGone`. Discord does all
that the core asks; pins need the bot's "Pin Messages" permission. Invites need the bot's
"Create Invite" and "Manage Server" permissions (the latter to read use counts).
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import aiohttp
import discord

from adapters.discord import render
from adapters.discord.custom_ids import OPEN_FORM, CustomIds
from adapters.discord.interactions import ALLOWED_MENTIONS, Interactions, Pending
from adapters.discord.refs import PLATFORM, channel_ref, guild_id, message_ref, split
from adapters.discord.render import Rendered
from adapters.text_limits import clip
from adapters.ttl import TtlCache
from bot.i18n import N_, _
from bot.model import (
    Button,
    Buttons,
    ButtonStyle,
    Capability,
    Form,
    Invite,
    Outgoing,
    Ref,
    TimeStyle,
)
from bot.ports import BotLacksPermission, MemberUnreachable, Once, PlatformRefused, TargetGone
from bot.timestamps import unix

log = logging.getLogger(__name__)

CAPABILITIES = frozenset(
    {
        Capability.THREADS,
        Capability.BUTTONS,
        Capability.SELECTS,
        Capability.FORMS,
        Capability.EPHEMERAL,
        Capability.DM,
        Capability.ROLES,
        Capability.DELETE_MESSAGES,
        Capability.TIMEOUT,
        Capability.KICK,
        Capability.BAN,
        Capability.REMOVE_REACTIONS,
        Capability.IMAGES,
        Capability.PIN,
        Capability.INVITES,
        Capability.COMMAND_VERBS,
    }
)
MAX_TIMEOUT = timedelta(days=28)
UNKNOWN_INTERACTION = 10062
THREAD_EXISTS = 160004
FORM_TTL = 3600.0


# Discord's JSON error codes that say who or what refused, and the kind of refusal each is
# for the core (https://discord.com/developers/docs/topics/opcodes-and-status-codes).
CANNOT_DM = 50007
MISSING_ACCESS = 50001
MISSING_PERMISSIONS = 50013
UNKNOWN_CHANNEL = 10003
UNKNOWN_MESSAGE = 10008
UNKNOWN_MEMBER = 10007
UNKNOWN_USER = 10013
REFUSALS: Mapping[int, tuple[type[PlatformRefused], str]] = {
    CANNOT_DM: (
        MemberUnreachable,
        N_(
            "Discord could not {action}: this member does not accept direct messages from "
            "the bot (their privacy settings, or they blocked it)."
        ),
    ),
    MISSING_ACCESS: (
        BotLacksPermission,
        N_(
            "Discord refused to {action}: the bot cannot see that channel. Give the bot's "
            "role View Channels and Read Message History there."
        ),
    ),
    MISSING_PERMISSIONS: (
        BotLacksPermission,
        N_(
            "Discord refused to {action}: the bot lacks a permission there. Give the bot's "
            "role that permission (for roles and moderation, also move it above the roles "
            "and members it manages)."
        ),
    ),
    UNKNOWN_CHANNEL: (
        TargetGone,
        N_("Discord could not {action}: that channel no longer exists."),
    ),
    UNKNOWN_MESSAGE: (
        TargetGone,
        N_("Discord could not {action}: that message no longer exists."),
    ),
    UNKNOWN_MEMBER: (
        MemberUnreachable,
        N_("Discord could not {action}: the member is no longer on the server."),
    ),
    UNKNOWN_USER: (
        MemberUnreachable,
        N_("Discord could not {action}: that account no longer exists."),
    ),
}


def _refused(action: str, error: BaseException) -> PlatformRefused:
    """What Discord (or the network) said, as a sentence that says what to fix."""
    if isinstance(error, discord.HTTPException):
        detail = error.text or error.status
        known = REFUSALS.get(error.code)
        if known is not None:
            kind, message = known
            return kind(_(message, action=action))
        if isinstance(error, discord.Forbidden):
            return BotLacksPermission(
                _(
                    "Discord refused to {action}: the bot lacks a permission there ({detail}). "
                    "Give the bot's role that permission and move it above the roles it "
                    "manages.",
                    action=action,
                    detail=detail,
                )
            )
        if isinstance(error, discord.NotFound):
            return TargetGone(
                _(
                    "Discord could not {action}: it does not know that message, channel or "
                    "member any more ({detail}).",
                    action=action,
                    detail=detail,
                )
            )
        return PlatformRefused(
            _("Discord could not {action}: {detail}", action=action, detail=detail)
        )
    if isinstance(error, aiohttp.ClientError | TimeoutError):
        return PlatformRefused(_("Discord could not be reached: {error}", error=error))
    return PlatformRefused(_("Discord could not {action}: {error}", action=action, error=error))


@contextlib.contextmanager
def refusing(action: str) -> Iterator[None]:
    """Turn what Discord (or the network) says into a PlatformRefused for the core."""
    try:
        yield
    except (discord.HTTPException, aiohttp.ClientError, TimeoutError, ValueError) as error:
        raise _refused(action, error) from error


class DiscordPort:
    platform = PLATFORM
    capabilities = CAPABILITIES

    def __init__(self, ids: CustomIds, interactions: Interactions) -> None:
        self.ids = ids
        self.interactions = interactions
        self.forms: TtlCache[str, Form] = TtlCache(5_000, FORM_TTL)
        self._client: discord.Client | None = None
        self._dms: dict[int, int] = {}

    def connect(self, client: discord.Client) -> None:
        self._client = client

    @property
    def client(self) -> discord.Client:
        if self._client is None:
            raise PlatformRefused(_("The Discord adapter is not connected yet."))
        return self._client

    # --- sending ----------------------------------------------------------------------

    async def send(self, out: Outgoing, once: Once | None = None) -> Ref:
        rendered = render.message(out, self.ids)
        pending = self.interactions.get(out.reply_token)
        if pending is not None and _answers(pending, out):
            try:
                return await self._answer(pending, out, rendered)
            except discord.NotFound as gone:
                if gone.code != UNKNOWN_INTERACTION or out.channel is None:
                    raise _refused(_("answer the interaction"), gone) from gone
                # Discord forgot the interaction (answered too late): post it plainly.
                log.warning("interaction %s expired; answering in the channel", pending.id)
                out = replace(out, reply_token=None)
                if out.ephemeral_to is not None:
                    return await self._direct(out.ephemeral_to, rendered, out.silent, once)
        if out.dm is not None:
            return await self._direct(out.dm, rendered, out.silent, once)
        if out.ephemeral_to is not None:
            # Ephemeral needs a live interaction; a DM keeps it private.
            log.info("no live interaction for an ephemeral reply; sent as a DM")
            return await self._direct(out.ephemeral_to, rendered, out.silent, once)
        if out.channel is None:
            raise PlatformRefused(_("A message needs a channel or a member to go to."))
        return await self._to_channel(out, rendered, once)

    async def _answer(self, pending: Pending, out: Outgoing, rendered: Rendered) -> Ref:
        where = out.channel or out.ephemeral_to or out.dm
        assert where is not None
        ephemeral = out.ephemeral_to is not None
        message_id: int | None = None
        try:
            for part in rendered.leading:
                await pending.send(_plain(part), ephemeral=ephemeral, silent=out.silent)
            message_id = await pending.send(_last(rendered), ephemeral=ephemeral, silent=out.silent)
        except discord.NotFound:
            raise  # the caller decides (an expired interaction falls back to the channel)
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError, ValueError) as error:
            raise _refused(_("answer the interaction"), error) from error
        if message_id is None:
            message_id = pending.id
            pending.original = pending.original or message_id
        self.interactions.remember(message_id, pending)
        return message_ref(where.workspace, pending.channel_id or 0, message_id)

    async def _to_channel(self, out: Outgoing, rendered: Rendered, once: Once | None) -> Ref:
        assert out.channel is not None
        workspace = out.channel.workspace
        with refusing(_("send the message")):
            channel_id, in_message = split(out.channel)
            thread_of = out.thread_of
            if thread_of is None and in_message is not None:
                thread_of = out.channel
            target = split(thread_of)[1] or channel_id if thread_of is not None else channel_id
            messageable = self.client.get_partial_messageable(
                target, guild_id=guild_id(out.channel)
            )
            try:
                sent = await self._post(messageable, rendered, out.silent, once)
            except discord.NotFound:
                if thread_of is None:
                    raise
                thread = await self._thread_for(thread_of, out.text)
                sent = await self._post(thread, rendered, out.silent, once)
        return message_ref(workspace, sent.channel.id, sent.id)

    def _message(self, message: Ref) -> discord.PartialMessage:
        """The message behind a ref, without fetching it (every call needs only the ids)."""
        channel_id, message_id = split(message)
        if message_id is None:
            raise ValueError(_("{ref} is not a message", ref=message))
        channel = self.client.get_partial_messageable(channel_id, guild_id=guild_id(message))
        return channel.get_partial_message(message_id)

    async def _thread_for(self, message: Ref, text: str) -> discord.abc.Messageable:
        partial = self._message(message)
        name = clip(" ".join(text.split()) or _("Thread"), 100)
        return await partial.create_thread(name=name)

    async def _direct(
        self, member: Ref, rendered: Rendered, silent: bool, once: Once | None
    ) -> Ref:
        with refusing(_("send a direct message")):
            user_id = int(member.id)
            channel_id = self._dms.get(user_id)
            if channel_id is None:
                dm = await self.client.create_dm(discord.Object(user_id))
                channel_id = self._dms[user_id] = dm.id
            messageable = self.client.get_partial_messageable(
                channel_id, type=discord.ChannelType.private
            )
            sent = await self._post(messageable, rendered, silent, once)
        return message_ref(member.workspace, channel_id, sent.id)

    async def _post(
        self,
        messageable: discord.abc.Messageable,
        rendered: Rendered,
        silent: bool,
        once: Once | None,
    ) -> discord.Message:
        """Post the parts in order. An outbox message's parts carry nonces made from its
        key, which discord.py sends with `enforce_nonce`: Discord answers a repeat within
        a few minutes (a restart handing the message over again) with the message it
        already made instead of a second one."""
        for number, part in enumerate(rendered.leading):
            await messageable.send(
                part,
                allowed_mentions=ALLOWED_MENTIONS,
                silent=silent,
                nonce=_nonce(once, f".{number}"),
            )
        view = render.to_view(rendered)
        return await messageable.send(
            rendered.content,
            nonce=_nonce(once),
            embeds=render.to_embeds(rendered),
            files=render.to_files(rendered),
            view=view or discord.utils.MISSING,
            allowed_mentions=ALLOWED_MENTIONS,
            silent=silent,
        )

    # --- changing messages -----------------------------------------------------------

    async def edit(self, message: Ref, out: Outgoing) -> None:
        rendered = render.message(out, self.ids, split=False)
        with refusing(_("edit the message")):
            channel_id, message_id = split(message)
            if message_id is None:
                raise ValueError(_("{ref} is not a message", ref=message))
            clicked = self.interactions.clicked(message_id)
            if clicked is not None and await clicked.update(rendered):
                return
            sent_by = self.interactions.sent_by(message_id)
            if sent_by is not None:
                await sent_by.edit(message_id, rendered)
                return
            partial = self.client.get_partial_messageable(channel_id).get_partial_message(
                message_id
            )
            await partial.edit(
                content=rendered.content,
                embeds=render.to_embeds(rendered),
                attachments=render.edited_files(rendered),
                view=render.to_view(rendered),
                allowed_mentions=ALLOWED_MENTIONS,
            )

    async def delete(self, message: Ref) -> None:
        with refusing(_("delete the message")):
            channel_id, message_id = split(message)
            if message_id is None:
                raise ValueError(_("{ref} is not a message", ref=message))
            sent_by = self.interactions.sent_by(message_id)
            if sent_by is not None:
                await sent_by.delete(message_id)
                return
            await (
                self.client.get_partial_messageable(channel_id)
                .get_partial_message(message_id)
                .delete()
            )

    # --- forms -----------------------------------------------------------------------

    async def open_form(self, actor: Ref, form: Form, reply_token: str | None) -> None:
        """The modal, when the interaction can still take one; else a button that opens it.

        Discord shows a modal only as the first answer to an interaction. When that
        moment has passed (the core deferred, or the form follows a modal or a
        message), the member gets "Open the form", whose click is a fresh interaction.
        """
        try:
            spec = render.modal(form, self.ids)
        except render.FormTooLarge as error:
            raise PlatformRefused(str(error)) from error
        pending = self.interactions.get(reply_token)
        if pending is not None:
            with refusing(_("open the form")):
                if await pending.modal(render.to_modal(spec)):
                    return
        key = secrets.token_urlsafe(9)
        self.forms.put(key, form)
        button = Button(OPEN_FORM + key, _("Open the form"), style=ButtonStyle.PRIMARY)
        text = _("“{title}” is ready: press the button to fill it in.", title=form.title)
        blocks = (Buttons((button,)),)
        if pending is not None and pending.channel_id is not None:
            where = channel_ref(actor.workspace, pending.channel_id)
            await self.send(
                Outgoing(text, blocks, channel=where, ephemeral_to=actor, reply_token=reply_token)
            )
        else:
            await self.send(Outgoing(text, blocks, dm=actor))

    async def open_offered(
        self, interaction: discord.Interaction[discord.Client], key: str
    ) -> None:
        """ "Open the form" was pressed: show the modal, or say that the form expired."""
        form = self.forms.get(key)
        with self.interactions.endpoints.webhooks(), refusing(_("open the form")):
            if form is None:
                await interaction.response.send_message(
                    _("This form has expired. Run the command again to get a new one."),
                    ephemeral=True,
                )
                return
            await interaction.response.send_modal(render.to_modal(render.modal(form, self.ids)))

    # --- members ---------------------------------------------------------------------

    def _guild(self, ref: Ref) -> discord.Guild:
        gid = guild_id(ref)
        guild = self.client.get_guild(gid) if gid is not None else None
        if guild is None:
            raise PlatformRefused(
                _("The bot is not in the Discord server {guild}.", guild=ref.workspace)
            )
        return guild

    async def _member(self, guild: discord.Guild, ref: Ref) -> discord.Member:
        user_id = int(ref.id)
        return guild.get_member(user_id) or await guild.fetch_member(user_id)

    def _role(self, guild: discord.Guild, name: str) -> discord.Role:
        wanted = name.strip().lstrip("@").casefold()
        for role in guild.roles:
            if role.name.casefold() == wanted and not role.is_default():
                return role
        raise PlatformRefused(
            _(
                "There is no role called “{role}” on the Discord server. Create it, or fix "
                "the name in agora.toml.",
                role=name,
            )
        )

    async def add_role(self, member: Ref, role: str) -> None:
        guild = self._guild(member)
        found = self._role(guild, role)
        with refusing(_("give the role {role}", role=found.name)):
            await (await self._member(guild, member)).add_roles(found, reason="Agora")

    async def remove_role(self, member: Ref, role: str) -> None:
        guild = self._guild(member)
        found = self._role(guild, role)
        with refusing(_("take the role {role}", role=found.name)):
            await (await self._member(guild, member)).remove_roles(found, reason="Agora")

    async def remove_reaction(self, message: Ref, emoji: str, member: Ref) -> None:
        with refusing(_("remove the reaction")):
            await self._message(message).remove_reaction(
                self._emoji(message, emoji), discord.Object(int(member.id))
            )

    def _emoji(self, where: Ref, emoji: str) -> discord.Emoji | str:
        """`:name:` (how custom emoji reach the core) back to the guild's emoji."""
        if emoji.startswith(":") and emoji.endswith(":") and len(emoji) > 2:
            gid = guild_id(where)
            guild = self.client.get_guild(gid) if gid is not None else None
            found = discord.utils.get(guild.emojis, name=emoji[1:-1]) if guild else None
            if found is not None:
                return found
        return emoji

    async def create_thread(self, message: Ref, name: str) -> Ref:
        channel_id, message_id = split(message)
        if channel_id == message_id:
            return channel_ref(message.workspace, channel_id)  # a forum post is its own thread
        with refusing(_("start a thread")):
            partial = self._message(message)
            try:
                thread = await partial.create_thread(name=clip(name.strip() or _("Thread"), 100))
            except discord.HTTPException as error:
                if error.code != THREAD_EXISTS:
                    raise
                return channel_ref(message.workspace, partial.id)  # it has the message's id
        return channel_ref(message.workspace, thread.id)

    async def timeout(self, member: Ref, until: datetime, reason: str) -> None:
        if until - datetime.now(UTC) > MAX_TIMEOUT:
            raise PlatformRefused(_("Discord allows timeouts of at most 28 days."))
        guild = self._guild(member)
        with refusing(_("time out the member")):
            await (await self._member(guild, member)).timeout(until, reason=clip(reason, 512))

    async def kick(self, member: Ref, reason: str) -> None:
        guild = self._guild(member)
        with refusing(_("kick the member")):
            await guild.kick(discord.Object(int(member.id)), reason=clip(reason, 512))

    async def ban(self, member: Ref, reason: str) -> None:
        guild = self._guild(member)
        with refusing(_("ban the member")):
            await guild.ban(
                discord.Object(int(member.id)), reason=clip(reason, 512), delete_message_seconds=0
            )

    # --- invites ---------------------------------------------------------------------

    async def create_invite(
        self, channel: Ref, *, max_age: timedelta | None, max_uses: int
    ) -> Invite:
        guild = self._guild(channel)
        found = guild.get_channel(split(channel)[0])
        if not isinstance(found, discord.abc.GuildChannel):
            raise PlatformRefused(_("Discord does not know the channel {ref}.", ref=channel.id))
        seconds = int(max_age.total_seconds()) if max_age else 0
        with refusing(_("create an invite link")):
            made = await found.create_invite(
                max_age=seconds, max_uses=max_uses, unique=True, reason="Agora referral invite"
            )
        return Invite(made.code, made.url)

    async def invite_uses(self, workspace: str) -> Mapping[str, int]:
        guild = self._guild(Ref(PLATFORM, workspace, "0"))
        with refusing(_("read the server's invites")):
            invites = await guild.invites()
        return {invite.code: invite.uses or 0 for invite in invites}

    async def pin(self, message: Ref) -> None:
        with refusing(_("pin the message")):
            await self._message(message).pin(reason="Agora")

    # --- text ------------------------------------------------------------------------

    def timestamp(self, at: datetime, style: TimeStyle, zone: str) -> str:
        """Discord's markup: every viewer's client shows it in their own zone and language."""
        return f"<t:{unix(at)}:{style.value}>"

    def message_link(self, message: Ref) -> str:
        channel, _sep, message_id = message.id.partition("/")
        guild = message.workspace if message.workspace.isdigit() else "@me"
        tail = f"/{message_id}" if message_id else ""
        return f"https://discord.com/channels/{guild}/{channel}{tail}"

    def mention(self, member: Ref) -> str:
        return f"<@{member.id}>"

    def channel_mention(self, channel: Ref) -> str:
        return f"<#{channel.id.partition('/')[0]}>"


def _answers(pending: Pending, out: Outgoing) -> bool:
    """Whether `out` is the interaction's answer (not a DM, not another channel)."""
    if out.dm is not None or out.thread_of is not None:
        return False
    if out.channel is None:
        return out.ephemeral_to is not None
    try:
        return split(out.channel)[0] == pending.channel_id
    except ValueError:
        return False


def _plain(text: str) -> Rendered:
    return Rendered((text,))


def _last(rendered: Rendered) -> Rendered:
    return Rendered((rendered.content,), rendered.embeds, rendered.rows, rendered.files)


def _nonce(once: Once | None, part: str = "") -> str | int:
    """The nonce of one posted part: from the outbox key, else random (as discord.py's own)."""
    return f"{once.key}{part}" if once is not None else secrets.randbits(64)
