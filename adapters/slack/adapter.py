"""SlackAdapter: slack-bolt's AsyncApp in HTTP or Socket Mode, feeding the core.

Every payload goes to a tracked task that looks up who and where, translates it and
hands the events to the dispatcher; at most `CORE_SLOTS` events are in the core at
once (commands and clicks aside). When the answer to Slack goes out depends on what
came:
- Events API deliveries (HTTP, and Socket Mode `events_api` envelopes) are
  acknowledged once the core has committed them, so a crash never loses an event
  Slack was told we have: Slack delivers an unacknowledged one again. Slack waits 3
  seconds; the ack goes out after `[slack] ack_within` seconds at the latest (0.25 by
  default, keeping acks quick under load), committed or not (a slow database, a long
  queue for the slots); those events are processed after the ack, as before.
- Slash commands and interactivity are acknowledged at once: the member's reply goes
  through `response_url` / the Web API, and a `trigger_id` is only valid briefly.

Retries (HTTP `X-Slack-Retry-Num`, Socket Mode `retry_attempt`) are not filtered
here: every delivery is translated to the same event id (Slack's `event_id`; for
commands and interactions the `trigger_id`), and the dispatcher's processed-events
claim turns the repeats into no-ops. Filtering in memory would be wrong: when the
first delivery failed before its commit, the retry is the one that must run.

Two ways to be installed: one workspace with a bot token from the environment (the
default), or `[slack] oauth = true`, where any number of workspaces install the app
through bolt's OAuth v2 flow (`oauth.py`), bolt authorizes every request with its
workspace's stored install, and each request's connection (client with that
workspace's bot token) is what the port and the lookups use for that workspace.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

import aiohttp
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.oauth import OAuthStateUtils
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import channels, render, translate
from adapters.slack import emoji as slack_emoji
from adapters.slack.bolt_errors import acknowledge_malformed
from adapters.slack.home import home_blocks
from adapters.slack.manifest import bot_scopes
from adapters.slack.oauth import (
    DEFAULT_API,
    SqlInstallationStore,
    SqlStateStore,
    authorize_url,
    install_pages,
    redact_tokens,
)
from adapters.slack.people import LOOKUP_ERRORS, SlackPeople, channel_info
from adapters.slack.port import NETWORK_ERRORS, Connection, SlackPort, slack_error
from adapters.slack.receiver import HttpReceiver
from adapters.slack.reserved import BUILT_IN_COMMANDS
from adapters.slack.socket_mode import AckingSocketModeHandler
from adapters.slack.user_groups import UserGroups
from adapters.ttl import TtlCache
from bot.app import StartupError
from bot.command_names import core_root
from bot.config import USER_GROUP_SCOPES, SlackConfig
from bot.i18n import _
from bot.model import (
    ButtonPressed,
    CommandInvoked,
    Event,
    FormSubmitted,
    Member,
    MessagePosted,
    Ref,
)
from bot.ports import Directory, PlatformRefused

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

ANY = re.compile(r".*")
CHANNEL_SYNC_LIMIT = 5000
# Events handed to the core at once; later ones wait here in arrival order. Each
# request spawns a task, so a core slower than Slack's events would otherwise have
# thousands waiting on the database pool, failing after its time-out (30 s): lost,
# since Slack got its 200 and never sends them again. Commands, clicks and forms do not
# wait here (a member is waiting for them).
CORE_SLOTS = 64
# Events with listeners of their own (answered at once, never handed to the core).
OWN_EVENTS = frozenset({"event:app_home_opened", "event:app_uninstalled", "event:tokens_revoked"})


class SlackAdapter:
    name = "slack"

    def __init__(
        self, config: SlackConfig | None = None, *, env: Mapping[str, str] | None = None
    ) -> None:
        self.config = config or SlackConfig()
        source = os.environ if env is None else env
        self._bot_token = source.get(self.config.bot_token_env) or None
        self._signing_secret = source.get(self.config.signing_secret_env) or None
        self._app_token = source.get(self.config.app_token_env) or None
        admin_env = self.config.admin_token_env
        self._admin_token = (source.get(admin_env) or None) if admin_env else None
        self._client_id = source.get(self.config.client_id_env) or None
        self._client_secret = source.get(self.config.client_secret_env) or None
        groups = (
            UserGroups(create=self.config.create_user_groups) if self.config.user_groups else None
        )
        self.port = SlackPort(
            admin_capable=self._admin_token is not None,
            post_interval=self.config.post_interval,
            user_groups=groups,
        )
        self.port.on_groups_changed = self._groups_changed
        self.bound_port: int | None = None
        self.team: str | None = None  # token mode: the one workspace
        self.installations: SqlInstallationStore | None = None  # OAuth mode
        self._people: dict[str, SlackPeople] = {}
        self._base_url = DEFAULT_API
        self._app: App | None = None
        self._session: aiohttp.ClientSession | None = None
        self._receiver: HttpReceiver | None = None
        self._socket: AckingSocketModeHandler | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(CORE_SLOTS)
        self._join_channels: dict[str, frozenset[str]] = {}
        self._registered: TtlCache[Ref, Member] = TtlCache(4096, 600.0, lru=True)
        self._warnings: dict[str, list[str]] = {}  # per workspace
        self.ack_within = self.config.ack_within
        self._stopped = asyncio.Event()

    # --- lifecycle -------------------------------------------------------------------

    def missing_settings(self) -> list[str]:
        """The environment variables an admin still has to set for this mode."""
        config = self.config
        if config.oauth:
            found = (
                (config.client_id_env, self._client_id),
                (config.client_secret_env, self._client_secret),
            )
            missing = [name for name, value in found if not value]
        else:
            missing = [] if self._bot_token else [config.bot_token_env]
        if self.config.mode == "http" and not self._signing_secret:
            missing.append(self.config.signing_secret_env)
        if self.config.mode == "socket" and not self._app_token:
            missing.append(self.config.app_token_env)
        return missing

    async def start(self, app: App) -> None:
        missing = self.missing_settings()
        if missing and self.config.oauth:
            raise StartupError(
                _(
                    "Slack is enabled with oauth = true but these environment variables are "
                    "not set: {names}. Export the Client ID, Client Secret and Signing Secret "
                    "from the Slack app's Basic Information page, or set oauth = false.",
                    names=", ".join(missing),
                )
            )
        if missing:
            raise StartupError(
                _(
                    "Slack is enabled ({mode} mode) but these environment variables are not "
                    "set: {names}. Export the bot token (xoxb-…), the signing secret (HTTP "
                    "mode) or the app-level token (xapp-…, Socket Mode) from the Slack app "
                    "settings, or set enabled = false under [slack].",
                    mode=self.config.mode,
                    names=", ".join(missing),
                )
            )
        self._app = app
        self._session = aiohttp.ClientSession()
        try:
            await self._connect(app)
        except BaseException:
            await self._close_session()
            raise

    def _web_client(self, token: str | None) -> AsyncWebClient:
        retries: list[AsyncRetryHandler] = [
            AsyncConnectionErrorRetryHandler(),
            AsyncRateLimitErrorRetryHandler(max_retry_count=2),
        ]
        return AsyncWebClient(
            token=token, base_url=self._base_url, session=self._session, retry_handlers=retries
        )

    async def _connect(self, app: App) -> None:
        base_url = self.config.api_base_url or DEFAULT_API
        self._base_url = base_url if base_url.endswith("/") else base_url + "/"
        if self.config.oauth:
            await self._connect_installed(app)
        else:
            await self._connect_token(app)
        self._check_emoji(app)
        await self._listen()

    async def _connect_token(self, app: App) -> None:
        """One workspace: the bot token from the environment, checked by auth.test."""
        self.client = self._web_client(self._bot_token)
        identity = await self._identify()
        self.team = str(identity.get("team_id") or "")
        if not self.team:
            raise StartupError(_("Slack's auth.test did not say which workspace the token is for."))
        admin = None
        if self._admin_token:
            admin = AsyncWebClient(
                token=self._admin_token, base_url=self._base_url, session=self._session
            )
        connection = Connection(
            client=self.client,
            team=self.team,
            bot_user=str(identity.get("user_id") or ""),
            url=str(identity.get("url") or "https://slack.com/"),
            admin=admin,
            session=self._session,
            bot_name=str(identity.get("user") or "Agora"),
        )
        self.port.connect(connection)
        self.bolt = self._build_bolt()
        await self._sync_channels(app, connection)

    async def _connect_installed(self, app: App) -> None:
        """Several workspaces: installs come from the database, one per workspace."""
        runtime = app.runtime
        redact_tokens()
        self.client = self._web_client(None)  # bolt's: oauth.v2.access, auth.test
        self.installations = SqlInstallationStore(
            runtime.storage, runtime.clock, on_removed=self._forget
        )
        self.port.serve(self._resolve, self._session)
        self.bolt = self._build_bolt(SqlStateStore(runtime.storage, runtime.clock))
        teams = await self.installations.teams()
        log.info("Slack installed in %d workspace(s)", len(teams))
        for team in teams:
            self._spawn(self._sync_team(team))

    async def _listen(self) -> None:
        if self.config.mode == "http":
            self._receiver = HttpReceiver(
                self.bolt,
                host=self.config.host,
                port=self.config.port,
                path=self.config.path,
                signing_secret=self._signing_secret or "",
            )
            self.bound_port = await self._receiver.start()
        else:
            self._socket = AckingSocketModeHandler(
                self.bolt, app_token=self._app_token, web_client=self.client
            )
            await self._socket.connect_async()  # type: ignore[no-untyped-call]
            log.info("Slack Socket Mode connected for workspace %s", self.team)

    # --- workspaces ----------------------------------------------------------------------

    async def _resolve(self, team: str) -> Connection | None:
        """OAuth mode: a workspace's connection from its stored install (None: not there)."""
        assert self.installations is not None
        install = await self.installations.find(team)
        if install is None:
            return None
        client = self._web_client(install.bot_token)
        try:
            identity = await client.auth_test()
        except SlackApiError as error:
            log.warning("the stored Slack token of %s is refused: %s", team, slack_error(error))
            return None
        except NETWORK_ERRORS as error:
            raise PlatformRefused(_("Slack could not be reached: {error}", error=error)) from error
        return Connection(
            client=client,
            team=team,
            bot_user=install.bot_user_id,
            url=str(identity.get("url") or "https://slack.com/"),
            session=self._session,
            bot_name=str(identity.get("user") or "Agora"),
        )

    def _connection(self, context: AsyncBoltContext) -> Connection | None:
        """The connection of the workspace bolt authorized this request for."""
        team = context.team_id
        if not self.config.oauth:
            return self.port.known(team or "")
        result = context.authorize_result
        if not team or result is None or not result.bot_token:
            return None
        known = self.port.known(team)
        if known is not None and known.client.token == result.bot_token:
            return known
        connection = Connection(
            client=self._web_client(result.bot_token),
            team=team,
            bot_user=result.bot_user_id or "",
            url=result.url or (known.url if known is not None else "https://slack.com/"),
            session=self._session,
            bot_name=known.bot_name if known is not None else "Agora",
        )
        self.port.add(connection)
        return connection

    def people(self, connection: Connection) -> SlackPeople:
        """The cached lookups of one workspace (rebuilt when its token changes)."""
        found = self._people.get(connection.team)
        if found is None or found.client is not connection.client:
            found = SlackPeople(connection.client)
            self._people[connection.team] = found
        return found

    def _groups_changed(self, team: str) -> None:
        """A reward role changed a user group: members' roles are read again."""
        people = self._people.get(team)
        if people is not None:
            people.forget_groups()

    def _forget(self, team: str) -> None:
        self.port.forget(team)
        self._people.pop(team, None)

    async def _installed(self, team: str) -> None:
        """A workspace (re)installed the app: fresh connection, then its channels."""
        self._forget(team)
        self._spawn(self._sync_team(team))

    async def _uninstalled(self, team: str | None) -> None:
        if self.installations is None or not team:
            return
        try:
            await self.installations.async_delete_all(enterprise_id=None, team_id=team)
        except Exception:
            log.exception("deleting the Slack install of %s failed", team)

    async def _sync_team(self, team: str) -> None:
        """Background: one installed workspace's channels into the directory."""
        try:
            connection = await self.port.conn(team)
            await self._sync_channels(self.core, connection)
        except PlatformRefused as error:
            log.warning("Slack workspace %s skipped: %s", team, error)
        except Exception:
            log.exception("syncing the channels of Slack workspace %s failed", team)

    async def _identify(self) -> Mapping[str, Any]:
        try:
            response = await self.client.auth_test()
        except SlackApiError as error:
            raise StartupError(
                _(
                    "Slack rejected the bot token in {name} ({error}). Copy the Bot User OAuth "
                    "Token (xoxb-…) from the app's OAuth & Permissions page.",
                    name=self.config.bot_token_env,
                    error=slack_error(error),
                )
            ) from error
        except LOOKUP_ERRORS as error:
            raise StartupError(
                _("Cannot reach Slack at {url}: {error}", url=self.client.base_url, error=error)
            ) from error
        self._check_user_group_scopes(response.headers.get("x-oauth-scopes"))
        return response.data if isinstance(response.data, dict) else {}

    def _check_user_group_scopes(self, granted: str | None) -> None:
        """Say at startup, not at the first grant, that the token cannot edit user groups.

        Slack names a token's scopes in the `x-oauth-scopes` header of every answer;
        without the header (proxies, tests) nothing is known and nothing is said.
        """
        if not self.config.user_groups or granted is None:
            return
        scopes = {s.strip() for s in granted.split(",")}
        missing = [s for s in USER_GROUP_SCOPES if s not in scopes]
        if missing:
            log.warning(
                "[slack] user_groups is on but the bot token lacks %s: reward roles stay "
                "perks on Slack until the scopes are added and the app is reinstalled",
                ", ".join(missing),
            )

    @property
    def connected(self) -> bool:
        """HTTP mode: the endpoint is listening. Socket Mode: the WebSocket is open and
        not stale (slack_sdk marks it so when pings go unanswered, then reconnects)."""
        if self._receiver is not None:
            return self._receiver.listening
        client = self._socket.client if self._socket is not None else None
        if client is None or client.closed or client.stale:
            return False
        session = client.current_session
        return session is not None and not session.closed

    async def run(self) -> int:
        await self._stopped.wait()
        return 0

    async def stop(self) -> None:
        """Stop taking requests, let in-flight events finish, close connections."""
        if self._receiver is not None:
            await self._receiver.stop()
            self._receiver = None
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
            self._socket = None
        await self.drain(limit=10.0)
        for task in list(self._tasks):
            task.cancel()
        await self._close_session()
        self._stopped.set()

    async def _close_session(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def drain(self, limit: float | None = None) -> None:
        """Wait until every event handed to the core so far has been processed."""
        while self._tasks:
            done, _pending = await asyncio.wait(set(self._tasks), timeout=limit)
            if not done:
                log.warning("%d Slack event(s) still running at shutdown", len(self._tasks))
                return

    def _spawn(self, work: Awaitable[None]) -> asyncio.Future[None]:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # --- bolt --------------------------------------------------------------------------

    def _build_bolt(self, states: SqlStateStore | None = None) -> AsyncApp:
        """Bolt with our listeners; with `states` (OAuth mode) also the install flow."""
        logger = logging.getLogger("slack_bolt.agora")
        oauth: dict[str, Any] = {}
        if states is not None:
            oauth = self._oauth_options(states, logger)
        bolt = AsyncApp(
            client=self.client,
            signing_secret=self._signing_secret or "",
            request_verification_enabled=self.config.mode == "http",
            logger=logger,
            **oauth,
        )

        async def on_payload(
            ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
        ) -> None:
            connection = self._connection(context)
            if connection is None:
                await ack()
                log.warning("Slack %s without an installation ignored", translate.kind_of(body))
                return
            await ack()
            self._spawn(self._handle(body, connection))

        async def events_after_commit(
            body: dict[str, Any], context: AsyncBoltContext, next: Callable[[], Awaitable[None]]
        ) -> BoltResponse | None:
            """Events API deliveries: answered once committed or at the deadline.

            A middleware, not a listener: bolt acks event listeners before they run.
            """
            if body.get("type") != "event_callback" or translate.kind_of(body) in OWN_EVENTS:
                await next()
                return None
            connection = self._connection(context)
            if connection is None:
                log.warning("Slack %s without an installation ignored", translate.kind_of(body))
            else:
                handled = self._spawn(self._handle(body, connection))
                await asyncio.wait({handled}, timeout=self.ack_within)
            return BoltResponse(status=200, body="")

        async def on_home(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
            await ack()
            connection = self._connection(context)
            if connection is not None:
                self._spawn(self._publish_home(body, connection))

        async def on_uninstalled(ack: AsyncAck, context: AsyncBoltContext) -> None:
            await ack()
            self._spawn(self._uninstalled(context.team_id))

        async def on_revoked(
            ack: AsyncAck, event: dict[str, Any], context: AsyncBoltContext
        ) -> None:
            await ack()
            if (event.get("tokens") or {}).get("bot"):
                self._spawn(self._uninstalled(context.team_id))

        async def ack_only(ack: AsyncAck) -> None:
            await ack()

        verifier = SignatureVerifier(self._signing_secret) if self._signing_secret else None
        bolt.error(acknowledge_malformed(verifier if self.config.mode == "http" else None))
        bolt.use(events_after_commit)
        bolt.command(ANY)(on_payload)
        bolt.action(ANY)(on_payload)
        bolt.view_submission(ANY)(on_payload)
        bolt.view_closed(ANY)(ack_only)
        bolt.shortcut(ANY)(ack_only)
        bolt.event("app_home_opened")(on_home)
        if states is not None:
            bolt.event("app_uninstalled")(on_uninstalled)
            bolt.event("tokens_revoked")(on_revoked)
        return bolt

    def _oauth_options(self, states: SqlStateStore, logger: logging.Logger) -> dict[str, Any]:
        """AsyncApp arguments for the OAuth v2 install flow on our stores."""
        assert self.installations is not None
        config = self.config
        redirect_uri = None
        if config.public_url:
            redirect_uri = config.public_url.rstrip("/") + config.redirect_uri_path
        settings = AsyncOAuthSettings(
            client_id=self._client_id,
            client_secret=self._client_secret,
            scopes=bot_scopes(config),
            user_scopes=[],
            redirect_uri=redirect_uri,
            install_path=config.install_path,
            install_page_rendering_enabled=False,
            redirect_uri_path=config.redirect_uri_path,
            authorization_url=authorize_url(config),
            callback_options=install_pages(config.install_path, OAuthStateUtils(), self._installed),
            installation_store=self.installations,
            installation_store_bot_only=True,
            state_store=states,
            state_expiration_seconds=states.seconds,
            logger=logger,
        )
        # Bolt's default authorize calls auth.test for every request; cached per token.
        authorize = AsyncInstallationStoreAuthorize(
            logger=logger, installation_store=self.installations, bot_only=True, cache_enabled=True
        )
        return {
            "oauth_settings": settings,
            "authorize": authorize,
            "installation_store_bot_only": True,
            "user_facing_authorize_error_message": _(
                "Agora is not installed in this workspace any more. Ask a workspace admin "
                "to install it again."
            ),
        }

    # --- payload → core ------------------------------------------------------------------

    @property
    def core(self) -> App:
        if self._app is None:
            raise RuntimeError("SlackAdapter used before start()")
        return self._app

    async def _handle(self, body: Mapping[str, Any], connection: Connection) -> None:
        try:
            if await self._adapter_action(body, connection):
                return
            people = self.people(connection)
            user = translate.user_object(body)
            if user is not None:
                people.remember(user)
            needs = translate.needs(body)
            if self.config.oauth:
                # The workspace bolt authorized (in a Slack Connect channel not always
                # the payload's `team_id`): refs name the workspace whose token answers.
                needs = dataclasses.replace(needs, team=connection.team)
            if needs.team is None:
                log.warning("Slack payload without a team ignored (%s)", translate.kind_of(body))
                return
            lookup = await people.lookup(
                needs, self.join_channels(connection.team), connection.bot_user or None
            )
            events = translate.to_events(body, lookup, self.core.runtime.clock.now())
            for event in events:
                if isinstance(event, CommandInvoked):
                    event = self._core_command(event)
                if isinstance(event, CommandInvoked | MessagePosted):
                    await self._register_mentioned(event, lookup.members.values())
                await self._dispatch(event)
        except Exception:
            log.exception("Slack %s payload failed", translate.kind_of(body))

    async def _dispatch(self, event: Event) -> None:
        if isinstance(event, CommandInvoked | ButtonPressed | FormSubmitted):
            await self.core.dispatcher.handle(event)
            return
        async with self._slots:
            await self.core.dispatcher.handle(event)

    def _core_command(self, event: CommandInvoked) -> CommandInvoked:
        """`/growth-status` is how Slack members type the core's `/status` (reserved)."""
        name = core_root(self.core.runtime.registry, BUILT_IN_COMMANDS, event.name)
        return event if name == event.name else dataclasses.replace(event, name=name)

    async def _register_mentioned(
        self, event: CommandInvoked | MessagePosted, members: Any
    ) -> None:
        """Members named in a command or message must be known to the directory before
        the core resolves `@carol` (Slack sends `<@U0003>`): for a command's argument,
        "thanks @bob" kudos, or a question title that names them, even if they never
        said a word yet."""
        actor = event.message.author if isinstance(event, MessagePosted) else event.actor
        others: list[Member] = [
            m for m in members if m.ref != actor.ref and self._registered.get(m.ref) != m
        ]
        if not others:
            return
        runtime = self.core.runtime
        async with runtime.storage.unit_of_work() as uow:
            directory: Directory = uow.get(Directory)  # type: ignore[type-abstract]
            for member in others:
                await directory.upsert_member(member, runtime.clock.now())
        for member in others:  # written: no need to again until the lookup is refreshed
            self._registered.put(member.ref, member)

    async def _adapter_action(self, body: Mapping[str, Any], connection: Connection) -> bool:
        """Buttons the adapter posted itself ("Open the form"); True when handled."""
        if translate.kind_of(body) != "block_actions":
            return False
        actions = [a for a in body.get("actions") or () if isinstance(a, Mapping)]
        mine = [a for a in actions if a.get("action_id") == translate.OPEN_FORM_ACTION]
        if not mine:
            return False
        trigger = body.get("trigger_id")
        response_url = body.get("response_url")
        opened = bool(trigger) and await self.port.reopen_form(
            connection.team, str(mine[0].get("value") or ""), str(trigger)
        )
        if not opened:
            await self.port.notify(
                response_url if isinstance(response_url, str) else None,
                _("This form has expired. Run the command again to get a new one."),
            )
        return len(mine) == len(actions)

    async def _publish_home(self, body: Mapping[str, Any], connection: Connection) -> None:
        opened = translate.home_opened(body)
        if opened is None:
            return
        team, user = opened
        if self.config.oauth:
            team = connection.team
        try:
            people = self.people(connection)
            member = await people.member(team, user) or translate.Lookup(team).member(user)
            blocks = await home_blocks(self.core.runtime, member)
            await connection.client.views_publish(user_id=user, view=render.home(blocks))
        except Exception:
            log.exception("publishing the home tab of %s failed", user)

    async def _sync_channels(self, app: App, connection: Connection) -> None:
        """Tell the directory which channels exist, so config and `#name` find them;
        resolve `join_channels` and say which configured channels the bot is not in."""
        runtime = app.runtime
        people = self.people(connection)
        found: list[tuple[str, translate.ChannelInfo]] = []
        seen: list[channels.Listed] = []
        cursor: str | None = None
        try:
            while len(found) < CHANNEL_SYNC_LIMIT:
                response = await connection.client.conversations_list(
                    types="public_channel,private_channel",
                    exclude_archived=True,
                    limit=200,
                    cursor=cursor,
                )
                for channel in response.get("channels") or ():
                    info = channel_info(channel)
                    entry = channels.listed(channel) if isinstance(channel, Mapping) else None
                    if info is not None and entry is not None:
                        found.append((entry.id, info))
                        seen.append(entry)
                        people.channels.put(entry.id, info)
                cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
                if not cursor:
                    break
        except LOOKUP_ERRORS as error:
            log.warning(
                "could not list the channels of Slack workspace %s: %s",
                connection.team,
                slack_error(error),
            )
        self._check_channels(app, connection, seen, complete=bool(found))
        if not found:
            return
        async with runtime.storage.unit_of_work() as uow:
            directory: Directory = uow.get(Directory)  # type: ignore[type-abstract]
            for channel_id, info in found:
                ref = translate.Lookup(connection.team).channel(channel_id).ref
                await directory.upsert_channel(ref, info.name, info.kind.value)

    def _check_channels(
        self, app: App, connection: Connection, seen: list[channels.Listed], *, complete: bool
    ) -> None:
        """`join_channels` names → ids; warnings for configured channels out of reach."""
        ids, unknown = channels.resolve(self.config.join_channels, seen)
        self._join_channels[connection.team] = ids
        for entry in unknown if complete else ():
            log.warning(
                "[slack] join_channels: no channel %r in workspace %s%s",
                entry,
                connection.team,
                " (kept as an id: a private channel the bot is not in?)" if entry in ids else "",
            )
        if not complete:
            return
        configured = [
            *channels.named_in(feature_sections(app)),
            *(bridge.slack for bridge in app.runtime.config.bridges),
        ]
        report = channels.membership(configured, seen)
        warnings = report.warnings(connection.team, connection.bot_name)
        self._warnings[connection.team] = warnings
        for warning in warnings:
            log.warning("%s", warning)

    def _check_emoji(self, app: App) -> None:
        """Reactions a feature listens for that no Slack member can add."""
        found = [
            f"{where} = {emoji!r} is no emoji Slack has: members there cannot react with "
            "it; use a standard emoji or a custom one written :name:"
            for where, emoji in slack_emoji.configured(feature_sections(app))
            if not slack_emoji.expressible(emoji)
        ]
        self._warnings["*"] = found
        for warning in found:
            log.warning("%s", warning)

    @property
    def warnings(self) -> list[str]:
        """What an admin should fix (channels the bot is not in); `agora health` shows it."""
        return [w for found in self._warnings.values() for w in found]

    def join_channels(self, team: str) -> frozenset[str]:
        """Channel ids whose joins count as community joins (`[slack] join_channels`)."""
        found = self._join_channels.get(team)
        if found is not None:
            return found
        return channels.resolve(self.config.join_channels, [])[0]


def feature_sections(app: App) -> dict[str, Any]:
    """Each enabled feature's settings, as plain data (what the checks look through)."""
    runtime = app.runtime
    return {name: runtime.feature_config(name).model_dump() for name in runtime.registry.features}
