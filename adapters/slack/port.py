"""`ChatPort` on the Slack Web API: what the core may ask Slack to do, honestly declared.

Where things go:
- `dm` → conversations.open, then chat.postMessage in that DM;
- `ephemeral_to` → the interaction's `response_url` when the reply token has one
  (works in channels the bot is not in), else chat.postEphemeral, else a DM;
- a channel or thread ref → chat.postMessage (`thread_ts` from a thread ref or
  `thread_of`); when the bot is not in the channel and the member acted there, the
  reply goes through `response_url` instead;
- images given as bytes and attachments → files_upload_v2 next to the message, or a
  short note when uploading is impossible (ephemeral replies, edits, failures).

What Slack cannot do is declared absent (the core degrades): roles (Slack has none;
the core keeps its own perk) unless `[slack] user_groups = true`, which gives roles as
user groups (`user_groups.py`), timeouts, kicks and bans (workspace membership needs the
Enterprise admin API), removing other people's reactions (reactions.remove only
removes the caller's own). Deleting other people's messages needs a user token of a
workspace admin (`[slack] admin_token_env`); without it only the bot's own messages
can be deleted, and DELETE_MESSAGES is not declared.

Every ref names its workspace (the Slack team id), and every call goes out with that
workspace's connection: in token mode the one workspace's, with `[slack] oauth = true`
the bot token of the workspace's installation (looked up once, then kept).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack import emoji as slack_emoji
from adapters.slack import posted, render
from adapters.slack.pacing import ChannelPacer
from adapters.slack.refs import (
    EPHEMERAL_TS,
    PLATFORM,
    ReplyToken,
    is_ephemeral,
    message_ref,
    split,
)
from adapters.slack.reserved import BUILT_IN_COMMANDS
from adapters.slack.translate import OPEN_FORM_ACTION
from adapters.slack.user_groups import UserGroups
from adapters.ttl import TtlCache
from bot.i18n import _
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
from bot.ports import CapabilityMissing, Once, PlatformRefused
from bot.timestamps import local_text, unix

log = logging.getLogger(__name__)

# Slack's date tokens per style; Slack writes them in each viewer's zone and language.
_DATE_TOKENS = {
    TimeStyle.FULL: "{date_long_pretty} {time}",
    TimeStyle.SHORT: "{date_short_pretty} {time}",
    TimeStyle.DATE: "{date_long_pretty}",
    TimeStyle.TIME: "{time}",
    TimeStyle.RELATIVE: "{ago}",
}

CAPABILITIES = frozenset(
    {
        Capability.THREADS,
        Capability.BUTTONS,
        Capability.SELECTS,
        Capability.FORMS,
        Capability.EPHEMERAL,
        Capability.DM,
        Capability.IMAGES,
        Capability.PIN,
    }
)
NETWORK_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, SlackClientError)
_NOT_THERE = frozenset({"not_in_channel", "channel_not_found", "user_not_in_channel"})
_EXPIRED_TRIGGER = frozenset({"expired_trigger_id", "invalid_trigger_id", "trigger_expired"})


@dataclass(frozen=True, slots=True)
class Connection:
    """One workspace as the port reaches it (auth.test told us who we are there)."""

    client: AsyncWebClient
    team: str
    bot_user: str
    url: str
    admin: AsyncWebClient | None = None
    session: aiohttp.ClientSession | None = None
    bot_name: str = "Agora"  # what members type after /invite @


Resolver = Callable[[str], Awaitable[Connection | None]]


def slack_error(error: BaseException) -> str:
    if isinstance(error, SlackApiError):
        return str(error.response.get("error") or "unknown_error")
    return type(error).__name__


def refused(method: str, error: BaseException, where: str = "") -> PlatformRefused:
    """A PlatformRefused that says what Slack said and what the admin can do."""
    code = slack_error(error)
    hints = {
        "not_in_channel": _("Invite the bot to the channel (/invite @Agora)."),
        "channel_not_found": _("Invite the bot to the channel, or check the channel id."),
        "missing_scope": _(
            "Add the missing scope in the Slack app settings (see `agora slack-manifest`) "
            "and reinstall the app."
        ),
        "is_archived": _("The channel is archived."),
        "invalid_auth": _("The Slack token is no longer valid."),
    }
    place = f" ({where})" if where else ""
    message = _("Slack refused {method}{place}: {code}.", method=method, place=place, code=code)
    hint = hints.get(code, "")
    return PlatformRefused(f"{message} {hint}".strip())


class SlackPort:
    platform = PLATFORM
    # Slack's own commands: the core offers those under other names here.
    reserved_commands = BUILT_IN_COMMANDS

    def __init__(
        self,
        *,
        admin_capable: bool = False,
        post_interval: float = 1.0,
        user_groups: UserGroups | None = None,
    ) -> None:
        extra = {Capability.DELETE_MESSAGES} if admin_capable else set()
        if user_groups is not None:
            extra.add(Capability.ROLES)
        self.capabilities = CAPABILITIES | extra
        self.user_groups = user_groups
        # Told the workspace whose user groups changed (its cached roles are stale).
        self.on_groups_changed: Callable[[str], None] | None = None
        self.pacer = ChannelPacer(post_interval)
        self.forms: TtlCache[str, render.JsonBlock] = TtlCache(512, 3600.0, lru=True)
        self._dms: TtlCache[tuple[str, str], str] = TtlCache(4096, 3600.0, lru=True)
        self.posted = posted.PostedBefore()
        self._single: Connection | None = None
        self._conns: dict[str, Connection] = {}
        self._resolve: Resolver | None = None
        self._resolving = asyncio.Lock()  # a burst after a restart asks the store once
        self.session: aiohttp.ClientSession | None = None

    def connect(self, connection: Connection) -> None:
        """Token mode: one workspace, and every ref goes through its connection."""
        self._single = connection
        self._conns[connection.team] = connection
        self.session = connection.session

    def serve(self, resolve: Resolver, session: aiohttp.ClientSession | None) -> None:
        """OAuth mode: a connection per workspace, `resolve`d on first use."""
        self._resolve = resolve
        self.session = session

    def add(self, connection: Connection) -> None:
        """A workspace's (new) connection, e.g. from a request bolt just authorized."""
        self._conns[connection.team] = connection

    def known(self, team: str) -> Connection | None:
        return self._conns.get(team) or self._single

    def forget(self, team: str) -> None:
        """The app was uninstalled from `team`: drop its connection and cached DMs."""
        self._conns.pop(team, None)
        self._dms.drop_where(lambda key: key[0] == team)
        if self.user_groups is not None:
            self.user_groups.forget(team)

    async def conn(self, team: str) -> Connection:
        found = self.known(team)
        if found is not None:
            return found
        if self._resolve is None:
            raise PlatformRefused(_("The Slack adapter is not connected yet."))
        async with self._resolving:
            found = self._conns.get(team) or await self._resolve(team)
        if found is None:
            raise PlatformRefused(
                _(
                    "Agora is not installed in the Slack workspace {team}. Ask one of its "
                    "admins to install it again.",
                    team=team,
                )
            )
        self._conns[team] = found
        return found

    # --- sending --------------------------------------------------------------------

    async def send(self, out: Outgoing, once: Once | None = None) -> Ref:
        token = ReplyToken.decode(out.reply_token)
        try:
            if out.dm is not None or out.channel is None:
                target = out.dm or out.ephemeral_to
                if target is None:
                    raise PlatformRefused(_("A message needs a channel or a member to go to."))
                conn = await self.conn(target.workspace)
                dm = await self._dm_channel(conn, target.id)
                return await self._post(conn, dm, None, out, once)
            conn = await self.conn(out.channel.workspace)
            channel, thread_ts = split(out.channel)
            if out.thread_of is not None:
                thread_ts = split(out.thread_of)[1] or thread_ts
            if out.ephemeral_to is not None:
                return await self._ephemeral(
                    conn, channel, thread_ts, out.ephemeral_to, out, token, once
                )
            try:
                return await self._post(conn, channel, thread_ts, out, once)
            except SlackApiError as error:
                if slack_error(error) in _NOT_THERE and token.response_url:
                    rendered = render.message(out, uploads_allowed=False)
                    if await self._respond(token.response_url, rendered, "in_channel"):
                        return self._unaddressable(conn, channel)
                raise
        except SlackApiError as error:
            raise refused(
                "chat.postMessage", error, out.channel.id if out.channel else ""
            ) from error
        except NETWORK_ERRORS as error:
            raise PlatformRefused(_("Slack could not be reached: {error}", error=error)) from error

    async def _dm_channel(self, conn: Connection, user: str) -> str:
        found = self._dms.get((conn.team, user))
        if found is None:
            response = await conn.client.conversations_open(users=user)
            found = str(response["channel"]["id"])
            self._dms.put((conn.team, user), found)
        return found

    def _unaddressable(self, conn: Connection, channel: str) -> Ref:
        """A ref for a message Slack gave no ts for (it cannot be edited or linked)."""
        return message_ref(conn.team, channel, EPHEMERAL_TS + secrets.token_hex(6))

    async def _post(
        self,
        conn: Connection,
        channel: str,
        thread_ts: str | None,
        out: Outgoing,
        once: Once | None = None,
    ) -> Ref:
        """chat.postMessage, then the uploads. An outbox message carries its key as
        metadata; one a stopped run may have posted is looked for first (`posted`)."""
        if once is not None and once.resumed:
            ts = await self.posted.find(conn.client, conn.team, channel, thread_ts, once)
            if ts is not None:
                log.info("message %s was posted before the restart; not again", once.key)
                return message_ref(conn.team, channel, ts)
        rendered = render.message(out)
        async with self.pacer.turn(channel):
            response = await conn.client.chat_postMessage(
                channel=channel,
                text=rendered.text,
                blocks=rendered.blocks or None,
                thread_ts=thread_ts,
                metadata=posted.metadata(once) if once is not None else None,
            )
        posted_in = str(response.get("channel") or channel)
        ref = message_ref(conn.team, posted_in, str(response["ts"]))
        for upload in rendered.uploads:
            await self._upload(conn, posted_in, thread_ts, upload)
        return ref

    async def _upload(
        self, conn: Connection, channel: str, thread_ts: str | None, upload: render.Upload
    ) -> None:
        try:
            async with self.pacer.turn(channel):
                await conn.client.files_upload_v2(
                    channel=channel,
                    thread_ts=thread_ts,
                    file_uploads=[
                        {"content": upload.data, "filename": upload.filename, "title": upload.title}
                    ],
                )
        except (SlackApiError, *NETWORK_ERRORS) as error:
            log.warning(
                "upload of %s to %s failed: %s", upload.filename, channel, slack_error(error)
            )
            note = _(
                "🖼 {name} could not be uploaded ({error}).",
                name=upload.title,
                error=slack_error(error),
            )
            try:
                await conn.client.chat_postMessage(channel=channel, text=note, thread_ts=thread_ts)
            except (SlackApiError, *NETWORK_ERRORS) as again:
                log.warning("could not post the upload note either: %s", slack_error(again))

    async def _ephemeral(
        self,
        conn: Connection,
        channel: str,
        thread_ts: str | None,
        member: Ref,
        out: Outgoing,
        token: ReplyToken,
        once: Once | None,
    ) -> Ref:
        rendered = render.message(out, uploads_allowed=False, files_by_dm=True)
        try:
            whispered = await self._whisper(conn, channel, thread_ts, member, rendered, token)
        except SlackApiError as error:
            if slack_error(error) not in _NOT_THERE:
                raise
            # Not in that channel and no response_url: still private, as a DM.
            log.info(
                "ephemeral reply in %s impossible (%s); sent as a DM", channel, slack_error(error)
            )
            return await self._post(conn, await self._dm_channel(conn, member.id), None, out, once)
        if rendered.uploads:
            await self._files_to_dm(conn, member, rendered.uploads)
        return whispered

    async def _whisper(
        self,
        conn: Connection,
        channel: str,
        thread_ts: str | None,
        member: Ref,
        rendered: render.Rendered,
        token: ReplyToken,
    ) -> Ref:
        """The reply only `member` sees: through the command's response_url when it has
        one (it works where the bot is not a member), else chat.postEphemeral."""
        # response_url answers where the member acted; it cannot aim at a thread.
        if (
            token.response_url
            and thread_ts is None
            and await self._respond(token.response_url, rendered, "ephemeral")
        ):
            return self._unaddressable(conn, channel)
        response = await conn.client.chat_postEphemeral(
            channel=channel,
            user=member.id,
            text=rendered.text,
            blocks=rendered.blocks or None,
            thread_ts=thread_ts,
        )
        ts = str(response.get("message_ts") or secrets.token_hex(6))
        return message_ref(conn.team, channel, EPHEMERAL_TS + ts)

    async def _files_to_dm(
        self, conn: Connection, member: Ref, uploads: tuple[render.Upload, ...]
    ) -> None:
        """The files of an ephemeral reply (a /stats chart), uploaded to the member's DM.

        The reply itself is out already: a DM that cannot be opened is logged, not raised.
        """
        try:
            dm = await self._dm_channel(conn, member.id)
        except (SlackApiError, *NETWORK_ERRORS) as error:
            log.warning("no DM with %s for the reply's files: %s", member, slack_error(error))
            return
        for upload in uploads:
            await self._upload(conn, dm, None, upload)

    async def _respond(self, url: str, rendered: render.Rendered, response_type: str) -> bool:
        """Answer through an interaction's response_url; False when that did not work."""
        webhook = AsyncWebhookClient(url, session=self.session, timeout=10)
        try:
            response = await webhook.send(
                text=rendered.text,
                blocks=rendered.blocks or None,
                response_type=response_type,
            )
        except NETWORK_ERRORS as error:
            log.warning("response_url failed: %s", slack_error(error))
            return False
        if response.status_code != 200:
            log.warning("response_url answered %s %s", response.status_code, response.body[:100])
            return False
        return True

    # --- changing messages ------------------------------------------------------------

    def _addressable(self, message: Ref) -> tuple[str, str]:
        channel, ts = split(message)
        if ts is None or is_ephemeral(ts):
            raise PlatformRefused(
                _("Slack cannot change or remove this message (it is ephemeral or has no id).")
            )
        return channel, ts

    async def edit(self, message: Ref, out: Outgoing) -> None:
        channel, ts = self._addressable(message)
        rendered = render.message(out, uploads_allowed=False)
        try:
            conn = await self.conn(message.workspace)
            await conn.client.chat_update(
                channel=channel, ts=ts, text=rendered.text, blocks=rendered.blocks
            )
        except SlackApiError as error:
            raise refused("chat.update", error, message.id) from error
        except NETWORK_ERRORS as error:
            raise PlatformRefused(_("Slack could not be reached: {error}", error=error)) from error

    async def delete(self, message: Ref) -> None:
        """The bot deletes its own messages; others' need the admin user token."""
        channel, ts = self._addressable(message)
        conn = await self.conn(message.workspace)
        try:
            await conn.client.chat_delete(channel=channel, ts=ts)
            return
        except SlackApiError as error:
            if slack_error(error) != "cant_delete_message":
                raise refused("chat.delete", error, message.id) from error
        if conn.admin is None:
            raise CapabilityMissing(Capability.DELETE_MESSAGES, PLATFORM)
        try:
            await conn.admin.chat_delete(channel=channel, ts=ts)
        except SlackApiError as error:
            raise refused("chat.delete", error, message.id) from error

    # --- forms ------------------------------------------------------------------------

    async def open_form(self, actor: Ref, form: Form, reply_token: str | None) -> None:
        """views.open with the interaction's trigger_id (valid for about 3 seconds).

        Without a usable trigger (the form follows a message, or the core was slow), the
        member gets a button that opens the form: the click brings a fresh trigger_id.
        """
        token = ReplyToken.decode(reply_token)
        try:
            view = render.modal(form, channel=token.channel)
        except render.FormTooLarge as error:
            raise PlatformRefused(str(error)) from error
        if token.trigger_id:
            try:
                conn = await self.conn(actor.workspace)
                await conn.client.views_open(trigger_id=token.trigger_id, view=view)
                return
            except SlackApiError as error:
                if slack_error(error) not in _EXPIRED_TRIGGER:
                    raise refused("views.open", error, form.form_id) from error
                log.info("trigger for form %s expired; offering a button", form.form_id)
        await self._offer_form(actor, form, view, token)

    async def _offer_form(
        self, actor: Ref, form: Form, view: render.JsonBlock, token: ReplyToken
    ) -> None:
        key = secrets.token_urlsafe(12)
        self.forms.put(key, view)
        button = Button(OPEN_FORM_ACTION, _("Open the form"), key, ButtonStyle.PRIMARY)
        text = _("“{title}” is ready: press the button to fill it in.", title=form.title)
        channel = Ref(PLATFORM, actor.workspace, token.channel) if token.channel else None
        await self.send(
            Outgoing(
                text,
                (Buttons((button,)),),
                channel=channel,
                dm=None if channel else actor,
                ephemeral_to=actor if channel else None,
                reply_token=token.encode(),
            )
        )

    async def reopen_form(self, team: str, key: str, trigger_id: str) -> bool:
        """The member pressed "Open the form" in `team`; False when that form is gone."""
        view = self.forms.get(key)
        if view is None:
            return False
        try:
            conn = await self.conn(team)
            await conn.client.views_open(trigger_id=trigger_id, view=view)
        except SlackApiError as error:
            raise refused("views.open", error) from error
        self.forms.drop(key)
        return True

    async def notify(self, response_url: str | None, text: str) -> None:
        """A short private note through a response_url (adapter-level messages)."""
        if response_url:
            rendered = render.message(Outgoing(text), uploads_allowed=False)
            await self._respond(response_url, rendered, "ephemeral")

    # --- roles as user groups (only with `[slack] user_groups = true`) -------------------

    async def add_role(self, member: Ref, role: str) -> None:
        if self.user_groups is None:
            raise CapabilityMissing(Capability.ROLES, PLATFORM)
        conn = await self.conn(member.workspace)
        if await self.user_groups.add(conn.client, conn.team, member.id, role):
            self._groups_changed(conn.team)

    async def remove_role(self, member: Ref, role: str) -> None:
        if self.user_groups is None:
            raise CapabilityMissing(Capability.ROLES, PLATFORM)
        conn = await self.conn(member.workspace)
        if await self.user_groups.remove(conn.client, conn.team, member.id, role):
            self._groups_changed(conn.team)

    def _groups_changed(self, team: str) -> None:
        if self.on_groups_changed is not None:
            self.on_groups_changed(team)

    # --- what Slack does not have ------------------------------------------------------

    async def remove_reaction(self, message: Ref, emoji: str, member: Ref) -> None:
        """Only the bot's own reaction: Slack lets nobody remove someone else's."""
        conn = await self.conn(message.workspace)
        if member.id != conn.bot_user:
            raise CapabilityMissing(Capability.REMOVE_REACTIONS, PLATFORM)
        channel, ts = self._addressable(message)
        try:
            await conn.client.reactions_remove(
                channel=channel, timestamp=ts, name=slack_emoji.to_slack(emoji)
            )
        except SlackApiError as error:
            raise refused("reactions.remove", error, message.id) from error

    async def create_thread(self, message: Ref, name: str) -> Ref:
        """A Slack thread is its root message: replies to this ref go into the thread."""
        channel, ts = self._addressable(message)
        return message_ref(message.workspace, channel, ts)

    async def timeout(self, member: Ref, until: datetime, reason: str) -> None:
        raise CapabilityMissing(Capability.TIMEOUT, PLATFORM)

    async def kick(self, member: Ref, reason: str) -> None:
        raise CapabilityMissing(Capability.KICK, PLATFORM)

    async def ban(self, member: Ref, reason: str) -> None:
        raise CapabilityMissing(Capability.BAN, PLATFORM)

    async def create_invite(
        self, channel: Ref, *, max_age: timedelta | None, max_uses: int
    ) -> Invite:
        """Slack invites go through admins (and tell no one who used them): features
        fall back to referral codes."""
        raise CapabilityMissing(Capability.INVITES, PLATFORM)

    async def invite_uses(self, workspace: str) -> Mapping[str, int]:
        raise CapabilityMissing(Capability.INVITES, PLATFORM)

    async def pin(self, message: Ref) -> None:
        channel, ts = self._addressable(message)
        try:
            conn = await self.conn(message.workspace)
            await conn.client.pins_add(channel=channel, timestamp=ts)
        except SlackApiError as error:
            if slack_error(error) == "already_pinned":
                return
            raise refused("pins.add", error, message.id) from error

    # --- text -------------------------------------------------------------------------

    def timestamp(self, at: datetime, style: TimeStyle, zone: str) -> str:
        """`<!date^…>`: Slack shows it in each viewer's zone; the fallback names `zone`."""
        fallback = local_text(at, style, zone).replace("|", "/").replace(">", "")
        return f"<!date^{unix(at)}^{_DATE_TOKENS[style]}|{fallback}>"

    def message_link(self, message: Ref) -> str:
        known = self.known(message.workspace)
        base = known.url if known is not None else "https://slack.com/"
        base = base if base.endswith("/") else base + "/"
        channel, ts = split(message)
        if ts is None or is_ephemeral(ts):
            return f"{base}archives/{channel}"
        return f"{base}archives/{channel}/p{ts.replace('.', '')}"

    def mention(self, member: Ref) -> str:
        return f"<@{member.id}>"

    def channel_mention(self, channel: Ref) -> str:
        return f"<#{split(channel)[0]}>"
