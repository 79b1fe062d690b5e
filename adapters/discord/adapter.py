"""DiscordAdapter: a discord.py client feeding the core, and the core's port on Discord.

Lifecycle. `start()` checks the token, logs in (a rejected token stops Agora with
a message saying what to do), syncs the slash commands from the registry and
starts the gateway connection in a task of its own. From then on Discord's
troubles stay here: discord.py reconnects and resumes by itself; when it gives up
(network gone at start, a 5xx), this retries with backoff; a fatal refusal
(revoked token, missing privileged intent) is logged with the fix and ends only
this adapter. Slack and the console keep running either way.

Events. Each discord.py event is translated (`translate`) and handed to the core's
dispatcher, which deduplicates by event id (see `refs` for the scheme); at most
`CORE_SLOTS` at a time, the rest wait here in order. Interactions are answered in
time by `interactions`; component clicks are routed by `custom_id` through the one
`on_interaction` handler, so no view has to be registered and a button posted before
a restart still works after it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import aiohttp
import discord
from discord import app_commands
from discord.backoff import ExponentialBackoff

from adapters.discord import commands, frames, limits, translate
from adapters.discord.custom_ids import OPEN_FORM, CustomIds
from adapters.discord.endpoints import Endpoints
from adapters.discord.intents import intents, privileged
from adapters.discord.interactions import ALLOWED_MENTIONS, Interactions, Kind, kind_of
from adapters.discord.port import DiscordPort
from adapters.discord.refs import DM_WORKSPACE, member_ref
from adapters.text_limits import clip
from bot.args import Suggestion
from bot.config import DiscordConfig
from bot.i18n import _, using_locale
from bot.model import CommandInvoked, Event, Member
from bot.needs import Need
from bot.ports import Directory, PlatformRefused
from bot.suggestions import suggestions

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

LOGIN_TIMEOUT = 30.0
# Discord waits three seconds for autocomplete choices; the answer needs its share.
SUGGEST_WITHIN = 2.0
RETRYABLE = (
    OSError,
    aiohttp.ClientError,
    TimeoutError,
    discord.GatewayNotFound,
    discord.HTTPException,
    discord.ConnectionClosed,
)
FATAL_CLOSE_CODES = frozenset({4004, 4010, 4011, 4012, 4013, 4014})
# Gateway events handed to the core at once; later ones wait here in arrival order.
# discord.py starts a task per event, so a core slower than the gateway would otherwise
# have thousands waiting on the database pool, and those fail after the pool's time-out
# (30 s): lost for good, since Discord never sends a gateway event twice. Interactions
# do not wait here (a member is waiting for them).
CORE_SLOTS = 64


class DiscordAdapter:
    name = "discord"

    def __init__(
        self,
        config: DiscordConfig | None = None,
        *,
        env: Mapping[str, str] | None = None,
        guild_ready_timeout: float = 2.0,
        retry_base: float = 1.0,
    ) -> None:
        self.config = config or DiscordConfig()
        source = os.environ if env is None else env
        self._token = (source.get(self.config.token_env) or "").strip() or None
        self.guild_ready_timeout = guild_ready_timeout
        self.retry_base = retry_base  # seconds; doubles per failed attempt (with jitter)
        self.ids = CustomIds()
        self.endpoints = Endpoints(self.config.api_base_url, self.config.gateway_url)
        self.interactions = Interactions(self.endpoints, self.config.defer_after)
        self.port = DiscordPort(self.ids, self.interactions)
        self.commands: commands.CommandSet | None = None
        self._unsynced = False  # the last sync could not reach Discord: again once ready
        self.needs: dict[Need, tuple[str, ...]] = {}
        self.client: discord.Client | None = None
        self.ready = asyncio.Event()
        self.failure: str | None = None
        self._app: App | None = None
        self._runner: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._in_core: dict[int, float] = {}  # dispatch number → monotonic time handed over
        self._slots = asyncio.Semaphore(CORE_SLOTS)
        self._dispatches = itertools.count()
        self._closing = False
        self._closed = asyncio.Event()
        self._stopped = asyncio.Event()

    # --- lifecycle -------------------------------------------------------------------

    def build_client(self) -> discord.Client:
        options: dict[str, Any] = {
            "intents": intents(self.config, self.needs),
            "guild_ready_timeout": self.guild_ready_timeout,
            "allowed_mentions": ALLOWED_MENTIONS,
        }
        client: discord.Client
        if self.config.shard_count:
            client = discord.AutoShardedClient(shard_count=self.config.shard_count, **options)
        else:
            client = discord.Client(**options)
        self.endpoints.apply(client)
        frames.install(client)
        for handler in (
            self.on_ready,
            self.on_guild_available,
            self.on_guild_join,
            self.on_message,
            self.on_raw_reaction_add,
            self.on_raw_reaction_remove,
            self.on_member_join,
            self.on_raw_member_remove,
            self.on_member_update,
            self.on_interaction,
        ):
            client.event(handler)
        return client

    async def start(self, app: App) -> None:
        from bot.app import StartupError

        if not self._token:
            raise StartupError(
                _(
                    "Discord is enabled but the environment variable {name} is not set. Export "
                    "the bot token from the Developer Portal (Bot → Reset Token) as {name}, or "
                    "set enabled = false under [discord].",
                    name=self.config.token_env,
                )
            )
        self._app = app
        self.needs = app.runtime.registry.needs(app.config)
        self.commands = commands.build(
            app.runtime.registry.commands, language=app.config.bot.language
        )
        logged_in = False
        try:
            await self._log_in()
            logged_in = True
        except discord.LoginFailure as error:
            raise StartupError(
                _(
                    "Discord rejected the bot token in {name}. Copy a fresh token from the "
                    "Developer Portal (Bot → Reset Token).",
                    name=self.config.token_env,
                )
            ) from error
        except RETRYABLE as error:
            log.warning("cannot reach Discord yet (%s); retrying in the background", error)
        self._runner = asyncio.create_task(
            self._run(logged_in), name="agora: discord", context=self.endpoints.context()
        )

    async def _log_in(self) -> discord.Client:
        """A logged-in client with the commands synced; a fresh client when need be.

        discord.py cannot log a closed client in again, and a failed login leaves the
        HTTP session it opened: so a failed login closes its client, and the next
        attempt (`_run`) starts from a new one.
        """
        assert self._token is not None and self.commands is not None
        client = self.client
        if client is None or client.is_closed():
            self.client = client = self.build_client()
            self.port.connect(client)
        try:
            await asyncio.wait_for(client.login(self._token), LOGIN_TIMEOUT)
        except BaseException:
            await client.close()
            raise
        self._unsynced = await commands.sync(client, self.commands, self.config) is None
        return client

    async def _run(self, logged_in: bool) -> None:
        """Keep the gateway connection up; give up only on refusals retrying cannot fix.

        `logged_in` is the state of `self.client`: True after a login that worked, False
        once the client is closed (discord.py closes it when it gives up) or was never
        logged in. A closed client is never reused.
        """
        backoff: ExponentialBackoff[bool] = ExponentialBackoff(base=self.retry_base)  # type: ignore[arg-type]
        while not self._closing:
            client = self.client
            try:
                if not logged_in or client is None:
                    client = await self._log_in()
                    logged_in = True
                await client.connect(reconnect=True)
                logged_in = False  # connect() returns once the client is closed
            except discord.PrivilegedIntentsRequired:
                self._give_up(self._intents_refused())
                return
            except discord.LoginFailure:
                self._give_up(
                    _("Discord no longer accepts the bot token; set a fresh one and restart Agora.")
                )
                return
            except discord.ConnectionClosed as error:
                if error.code in FATAL_CLOSE_CODES:
                    self._give_up(
                        _("Discord closed the connection for good (code {code}).", code=error.code)
                    )
                    return
                logged_in = client is not None and not client.is_closed()
                await self._pause(backoff, error)
            except RETRYABLE as error:
                logged_in = logged_in and client is not None and not client.is_closed()
                await self._pause(backoff, error)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if client is not None and client.ws is None and not client.is_closed():
                    # discord.py's first gateway connection failed, and its retry trips over
                    # the socket it never had: still logged in, try again.
                    await self._pause(backoff, error)
                    continue
                # Something discord.py did not expect (a garbled frame, a bug): start over.
                log.exception("the Discord connection failed unexpectedly; reconnecting")
                if client is not None:
                    await client.close()
                logged_in = False
                await self._pause(backoff, error)

    @property
    def connected(self) -> bool:
        """Is the gateway up: the client ready, not closed, every shard's socket open?

        False while discord.py reconnects or resumes, and for good once this adapter
        gave up (`failure`). discord.py never clears "ready" on a drop, so the socket
        is what tells.
        """
        client = self.client
        if client is None or self.failure or client.is_closed() or not client.is_ready():
            return False
        if isinstance(client, discord.AutoShardedClient):
            return bool(client.shards) and not any(s.is_closed() for s in client.shards.values())
        socket = getattr(client.ws, "socket", None)
        return socket is not None and not socket.closed

    async def _pause(self, backoff: ExponentialBackoff[bool], error: BaseException) -> None:
        if self._closing:
            return
        delay = backoff.delay()
        log.warning("Discord connection failed (%s); retrying in %.0f s", error, delay)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closed.wait(), delay)

    def _intents_refused(self) -> str:
        wanted = [intent for intent, _features in privileged(self.config, self.needs)]
        return _(
            "Discord refused the gateway connection: in the Developer Portal under Bot → "
            "Privileged Gateway Intents, turn on {intents} (agora discord invite-url says "
            "which features need them; or set {settings} = false under [discord]), then "
            "restart Agora.",
            intents=" + ".join(intent.name for intent in wanted),
            settings=" / ".join(intent.setting for intent in wanted),
        )

    def _give_up(self, message: str) -> None:
        self.failure = message
        log.error("%s", message)

    async def run(self) -> int:
        await self._stopped.wait()
        return 0

    async def stop(self) -> None:
        """Close the gateway (the dispatcher has drained), then wait for our tasks."""
        self._closing = True
        self._closed.set()
        if self.client is not None:
            await self.client.close()
        if self._runner is not None:
            try:
                await asyncio.wait_for(self._runner, 5.0)
            except (TimeoutError, asyncio.CancelledError):
                self._runner.cancel()
            except Exception:
                log.exception("the Discord connection ended with an error")
        await asyncio.sleep(0)  # events discord.py scheduled last start (and are tracked)
        await self.drain(limit=5.0)
        for task in list(self._tasks):
            task.cancel()
        self._stopped.set()

    async def drain(self, limit: float | None = None) -> None:
        """Wait until every event handed to the core so far has been processed."""
        current = asyncio.current_task()
        while pending := {t for t in self._tasks if t is not current}:
            done, _pending = await asyncio.wait(pending, timeout=limit)
            if not done:
                log.warning("%d Discord event(s) still running", len(pending))
                return

    def _track(self) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    # --- helpers ---------------------------------------------------------------------

    @property
    def core(self) -> App:
        if self._app is None:
            raise RuntimeError("DiscordAdapter used before start()")
        return self._app

    def now(self) -> datetime:
        return self.core.runtime.clock.now()

    @property
    def me(self) -> int | None:
        user = self.client.user if self.client is not None else None
        return user.id if user is not None else None

    def workspace_for(self, guild_id: int | None, user_id: int) -> str:
        """The guild an event belongs to; for DMs, the guild the person is a member of.

        Configured guilds come first, so a person in several guilds the bot serves is
        one member of the main community in DMs.
        """
        if guild_id is not None:
            return str(guild_id)
        client = self.client
        if client is not None:
            ordered = [client.get_guild(g) for g in self.config.guild_ids]
            guilds = [g for g in ordered if g is not None] + [
                g for g in client.guilds if g.id not in self.config.guild_ids
            ]
            for guild in guilds:
                if guild.get_member(user_id) is not None:
                    return str(guild.id)
            if self.config.guild_ids:
                return str(self.config.guild_ids[0])
            if len(client.guilds) == 1:
                return str(client.guilds[0].id)
        return DM_WORKSPACE

    async def _dispatch(self, event: Event, *, queue: bool = True) -> None:
        number = next(self._dispatches)
        self._in_core[number] = time.monotonic()
        try:
            async with self._slots if queue else contextlib.nullcontext():
                await self.core.dispatcher.handle(event)
        except Exception:
            log.exception("Discord event %s failed in the core", event.event_id)
        finally:
            del self._in_core[number]

    def core_behind(self) -> bool:
        """True when an event handed to the core has waited there longer than `defer_after`.

        A new interaction queues behind it and will not be answered within
        `defer_after` either, so waiting that long before deferring would only delay
        the acknowledgement (under load, most of it). The oldest entry comes first.
        """
        for started in self._in_core.values():
            return time.monotonic() - started > self.config.defer_after
        return False

    async def _remember(self, members: Iterable[Member], skip: Member | None = None) -> None:
        """Put members into the directory before a command names them (`<@id>`)."""
        others = [m for m in members if skip is None or m.ref != skip.ref]
        if not others:
            return
        runtime = self.core.runtime
        async with runtime.storage.unit_of_work() as uow:
            directory: Directory = uow.get(Directory)  # type: ignore[type-abstract]
            for member in others:
                await directory.upsert_member(member, runtime.clock.now())

    # --- gateway events ----------------------------------------------------------------

    async def on_ready(self) -> None:
        client = self.client
        assert client is not None and self.commands is not None
        log.info("connected to Discord as %s in %d guild(s)", client.user, len(client.guilds))
        self.ready.set()
        if self._unsynced:
            self._track()
            self._unsynced = await commands.sync(client, self.commands, self.config) is None

    async def on_guild_available(self, guild: discord.Guild) -> None:
        """Tell the directory the guild's channels, so `#name` in config finds them."""
        self._track()
        found = [
            translate.channel(ch, str(guild.id))
            for ch in guild.channels
            if isinstance(ch, discord.TextChannel | discord.ForumChannel)
        ]
        if not found or self._app is None:
            return
        try:
            async with self.core.runtime.storage.unit_of_work() as uow:
                directory: Directory = uow.get(Directory)  # type: ignore[type-abstract]
                for channel in found:
                    await directory.upsert_channel(channel.ref, channel.name, channel.kind.value)
        except Exception:
            log.exception("could not record the channels of guild %s", guild.id)

    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self.on_guild_available(guild)

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or message.webhook_id is not None:
            return
        self._track()
        try:
            guild = message.guild.id if message.guild is not None else None
            workspace = self.workspace_for(guild, message.author.id)
            event = translate.message_posted(message, workspace, self.now())
        except Exception:
            log.exception("message %s could not be translated", message.id)
            return
        if event is not None:
            await self._dispatch(event)

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        await self._reaction(payload)

    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        await self._reaction(payload)

    async def _reaction(self, payload: discord.RawReactionActionEvent) -> None:
        if payload.user_id == self.me:
            return
        self._track()
        frame = frames.current_frame.get()
        try:
            workspace = self.workspace_for(payload.guild_id, payload.user_id)
            actor = await self._reactor(payload, workspace)
            client = self.client
            assert client is not None
            where = translate.channel(
                client.get_channel(payload.channel_id), workspace, channel_id=payload.channel_id
            )
            author = payload.message_author_id or self._cached_author(payload.message_id)
            event = translate.reaction_changed(
                payload, actor=actor, where=where, author=author, frame=frame, now=self.now()
            )
        except Exception:
            log.exception("reaction on message %s could not be translated", payload.message_id)
            return
        await self._dispatch(event)

    async def _reactor(self, payload: discord.RawReactionActionEvent, workspace: str) -> Member:
        client = self.client
        assert client is not None
        user: discord.abc.User | None = payload.member
        guild = client.get_guild(payload.guild_id) if payload.guild_id else None
        if user is None and guild is not None:
            user = guild.get_member(payload.user_id)
            if user is None:
                try:
                    user = await guild.fetch_member(payload.user_id)
                except discord.HTTPException:
                    user = None
        if user is None:
            user = client.get_user(payload.user_id)
        if user is None:
            return Member(member_ref(workspace, payload.user_id), str(payload.user_id))
        return translate.member(user, workspace)

    def _cached_author(self, message_id: int) -> int | None:
        client = self.client
        if client is None:
            return None
        for message in reversed(client.cached_messages):
            if message.id == message_id:
                return message.author.id
        return None

    async def on_member_join(self, member: discord.Member) -> None:
        if member.id == self.me:
            return
        self._track()
        frame = frames.current_frame.get()
        event = translate.member_joined(member, str(member.guild.id), frame=frame, now=self.now())
        await self._dispatch(event)

    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        if payload.user.id == self.me:
            return
        self._track()
        frame = frames.current_frame.get()
        event = translate.member_left(
            payload.user, str(payload.guild_id), frame=frame, now=self.now()
        )
        await self._dispatch(event)

    async def on_member_update(self, before: discord.Member, after: discord.Member) -> None:
        self._track()
        frame = frames.current_frame.get()
        changes = translate.role_changes(
            before, after, str(after.guild.id), frame=frame, now=self.now()
        )
        for change in changes:
            await self._dispatch(change)

    # --- interactions ------------------------------------------------------------------

    async def on_interaction(self, interaction: discord.Interaction[discord.Client]) -> None:
        kind = kind_of(interaction)
        if kind is None:
            if interaction.type is discord.InteractionType.autocomplete:
                await self._suggest(interaction)
            return
        if self.interactions.seen(interaction):
            log.info("interaction %s arrived again; answered already", interaction.id)
            return
        self._track()
        data = translate.raw_data(interaction)
        custom_id = data.get("custom_id")
        workspace = self.workspace_for(interaction.guild_id, interaction.user.id)
        if (
            kind is Kind.COMPONENT
            and isinstance(custom_id, str)
            and custom_id.startswith(OPEN_FORM)
        ):
            try:
                with using_locale(await self._locale(interaction, workspace)):
                    await self.port.open_offered(interaction, custom_id[len(OPEN_FORM) :])
            except PlatformRefused as refused:
                log.warning("could not open an offered form: %s", refused)
            return
        try:
            event = self._interaction_event(interaction, kind, workspace)
        except Exception as error:
            log.warning("interaction %s could not be translated: %s", interaction.id, error)
            with using_locale(await self._locale(interaction, workspace)):
                said = _("Agora could not read this request. Please try again.")
            await self._say(interaction, said)
            return
        if event is None:
            with using_locale(await self._locale(interaction, workspace)):
                said = _("This button no longer works. Run the command again.")
            await self._say(interaction, said)
            return
        ephemeral = True
        if isinstance(event, CommandInvoked):
            spec = self.core.runtime.registry.command(event.name)
            ephemeral = spec.ephemeral if spec is not None else True
        pending = await self.interactions.open(
            interaction, kind, ephemeral=ephemeral, at_once=self.core_behind()
        )
        try:
            if isinstance(event, CommandInvoked):
                await self._remember(
                    translate.mentioned_members(interaction, workspace), event.actor
                )
            await self._dispatch(event, queue=False)
        finally:
            await pending.settle()

    def _interaction_event(
        self, interaction: discord.Interaction[discord.Client], kind: Kind, workspace: str
    ) -> Event | None:
        now = self.now()
        if kind is Kind.COMMAND:
            routes = self.commands.routes if self.commands is not None else {}
            return translate.command_invoked(interaction, workspace, routes, now)
        if kind is Kind.COMPONENT:
            return translate.button_pressed(interaction, workspace, self.ids, now)
        return translate.form_submitted(interaction, workspace, self.ids, now)

    async def _suggest(self, interaction: discord.Interaction[discord.Client]) -> None:
        """Autocomplete: what the core suggests for what was typed (`bot.suggestions`),
        within Discord's three seconds."""
        routes = self.commands.routes if self.commands is not None else {}
        found: Sequence[Suggestion] = ()
        integer = False
        try:
            focused = commands.focused(translate.raw_data(interaction), routes)
            if focused is not None:
                name, option, typed = focused
                workspace = self.workspace_for(interaction.guild_id, interaction.user.id)
                actor = translate.member(
                    interaction.user, workspace, locale=translate.locale_of(interaction)
                )
                integer = commands.is_integer(self.core.runtime.registry.command(name), option)
                async with asyncio.timeout(SUGGEST_WITHIN):
                    found = await suggestions(self.core.runtime, actor, name, option, typed)
        except TimeoutError:
            log.warning("suggestions for interaction %s took too long", interaction.id)
        except Exception:
            log.exception("no suggestions for interaction %s", interaction.id)
        choices = [
            app_commands.Choice(
                name=clip(s.label or s.value, limits.CHOICE_NAME),
                value=int(s.value) if integer else s.value,
            )
            for s in found[: limits.COMMAND_CHOICES]
            if len(s.value) <= limits.CHOICE_VALUE and (not integer or s.value.isdigit())
        ]
        try:
            with self.endpoints.webhooks():
                await interaction.response.autocomplete(choices)
        except (discord.HTTPException, aiohttp.ClientError) as error:
            log.warning("could not suggest values for interaction %s: %s", interaction.id, error)

    async def _locale(
        self, interaction: discord.Interaction[discord.Client], workspace: str
    ) -> str:
        """The member's language for what the adapter answers itself, chosen as the core
        chooses (`BotConfig.language_for`): their stored choice first, so a read of the
        directory."""
        chosen: str | None = None
        hint = translate.locale_of(interaction)
        try:
            async with self.core.runtime.storage.unit_of_work() as uow:
                directory: Directory = uow.get(Directory)  # type: ignore[type-abstract]
                record = await directory.get(translate.actor_ref(interaction, workspace))
                chosen = record.locale if record is not None else None
                hint = hint or (record.platform_locale if record is not None else None)
        except Exception as error:  # the database may be away: the client's language then
            log.warning("no stored language for interaction %s: %s", interaction.id, error)
        try:
            channel = translate.interaction_channel(interaction, workspace)
        except translate.Untranslatable:
            channel = None
        name = channel.name if channel is not None else None
        return self.core.config.bot.language_for(chosen, hint, name)

    async def _say(self, interaction: discord.Interaction[discord.Client], text: str) -> None:
        """A short private answer from the adapter itself (nothing reached the core)."""
        try:
            with self.endpoints.webhooks():
                await interaction.response.send_message(text, ephemeral=True)
        except (discord.HTTPException, aiohttp.ClientError) as error:
            log.warning("could not answer interaction %s: %s", interaction.id, error)
