"""`[slack] oauth = true`: slack-bolt's OAuth v2 install flow on Agora's own database.

Bolt runs the flow (the install link with a `state`, the callback that checks it and
calls `oauth.v2.access`) and authorizes every request with the installation of its
workspace. What is ours:
- the stores: `SqlInstallationStore` and `SqlStateStore` keep installs and states in
  the `slack_*` tables through the async unit of work. slack-sdk's SQLAlchemy stores
  are synchronous and would block the event loop;
- the pages an installer sees after the callback, in the bot's language.

Bot tokens are secrets: they are stored, never logged, never put in an error message
(database errors are reported by type only: their text can carry the row's values).
slack-sdk logs every response at DEBUG, `oauth.v2.access`'s with the new token in it:
`redact_tokens` blanks tokens in its log records.
"""

from __future__ import annotations

import html
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from slack_bolt.error import BoltError
from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.response import BoltResponse
from slack_sdk.oauth import OAuthStateUtils
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore

from adapters.slack.installations import SlackInstall, SlackInstallations, SlackOAuthStates
from adapters.ttl import TtlCache
from bot.config import SlackConfig
from bot.i18n import _
from bot.ports import Clock, Storage

log = logging.getLogger(__name__)

STATE_SECONDS = OAuthStateUtils.default_expiration_seconds
DEFAULT_API = "https://slack.com/api/"
AUTHORIZE_PATH = "/oauth/v2/authorize"
# Bolt looks the install up for every request; a short cache spares the database.
CACHE_SECONDS = 300.0

Removed = Callable[[str], None]
TOKEN = re.compile(r"xox[a-z]-[A-Za-z0-9-]+")
SDK_LOGGER = "slack_sdk.web.async_base_client"


class RedactTokens(logging.Filter):
    """Blanks Slack tokens (`xoxb-…`, `xoxp-…`) in a log record's message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if TOKEN.search(message):
            record.msg = TOKEN.sub("xox…(redacted)", message)
            record.args = None
        return True


def authorize_url(config: SlackConfig) -> str:
    """Where installers approve the app: `[slack] oauth_authorize_url`, else the
    authorize page of the Slack that `api_base_url` points at (GovSlack, a proxy)."""
    if config.oauth_authorize_url:
        return config.oauth_authorize_url
    parts = urlsplit(config.api_base_url or DEFAULT_API)
    return f"{parts.scheme}://{parts.netloc}{AUTHORIZE_PATH}"


def redact_tokens(logger: logging.Logger | None = None) -> None:
    """Install `RedactTokens` on slack-sdk's Web API logger (once)."""
    target = logger or logging.getLogger(SDK_LOGGER)
    if not any(isinstance(f, RedactTokens) for f in target.filters):
        target.addFilter(RedactTokens())


class SqlInstallationStore(AsyncInstallationStore):
    """Bot-only installs, one per workspace (bolt's `installation_store_bot_only`)."""

    def __init__(
        self, storage: Storage, clock: Clock, *, on_removed: Removed | None = None
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.on_removed = on_removed
        self._cache: TtlCache[str, SlackInstall] = TtlCache(1024, CACHE_SECONDS, lru=True)

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        if installation.is_enterprise_install or not installation.team_id:
            raise BoltError(
                _("Org-wide installs are not supported: install Agora in each workspace.")
            )
        if not (installation.bot_token and installation.bot_id and installation.bot_user_id):
            raise BoltError(_("Slack sent no bot token: the app must ask for bot scopes."))
        if installation.bot_refresh_token:
            raise BoltError(
                _(
                    "Token rotation is on in the Slack app settings; Agora needs it off "
                    "(OAuth & Permissions → Advanced token security)."
                )
            )
        install = SlackInstall(
            team_id=installation.team_id,
            bot_token=installation.bot_token,
            bot_id=installation.bot_id,
            bot_user_id=installation.bot_user_id,
            installed_at=self.clock.now(),
            team_name=installation.team_name,
            enterprise_id=installation.enterprise_id,
            app_id=installation.app_id,
            bot_scopes=tuple(installation.bot_scopes or ()),
        )
        try:
            async with self.storage.unit_of_work() as uow:
                await uow.get(SlackInstallations).save(install)  # type: ignore[type-abstract]
        except Exception as error:
            log.error("storing the Slack install of %s failed (%s)", install.team_id, _kind(error))
            raise BoltError(_("The database did not accept the installation.")) from None
        self._cache.put(install.team_id, install)
        log.info("Slack app installed in workspace %s (%s)", install.team_id, install.team_name)

    async def find(self, team_id: str) -> SlackInstall | None:
        """The workspace's install (from a short cache; None when not installed)."""
        found = self._cache.get(team_id)
        if found is None:
            async with self.storage.unit_of_work() as uow:
                found = await uow.get(SlackInstallations).find(team_id)  # type: ignore[type-abstract]
            if found is not None:
                self._cache.put(team_id, found)
        return found

    async def teams(self) -> list[str]:
        async with self.storage.unit_of_work() as uow:
            return await uow.get(SlackInstallations).teams()  # type: ignore[type-abstract]

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        found = await self.find(team_id) if team_id else None
        if found is None:
            return None
        return Bot(
            app_id=found.app_id,
            enterprise_id=found.enterprise_id,
            team_id=found.team_id,
            team_name=found.team_name,
            bot_token=found.bot_token,
            bot_id=found.bot_id,
            bot_user_id=found.bot_user_id,
            bot_scopes=list(found.bot_scopes),
            installed_at=found.installed_at.timestamp(),
        )

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        if not team_id:
            return
        async with self.storage.unit_of_work() as uow:
            existed = await uow.get(SlackInstallations).delete(team_id)  # type: ignore[type-abstract]
        self._cache.drop(team_id)
        if existed:
            log.info("Slack app removed from workspace %s; its bot token is deleted", team_id)
        if self.on_removed is not None:
            self.on_removed(team_id)

    async def async_delete_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
    ) -> None:
        """Only bot tokens are kept: a revoked user token leaves nothing to delete."""
        if user_id is None:
            await self.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)


class SqlStateStore(AsyncOAuthStateStore):
    """OAuth states in `slack_oauth_states`: any instance may issue or consume one."""

    def __init__(self, storage: Storage, clock: Clock, *, seconds: int = STATE_SECONDS) -> None:
        self.storage = storage
        self.clock = clock
        self.seconds = seconds

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        state = secrets.token_urlsafe(32)
        now = self.clock.now()
        async with self.storage.unit_of_work() as uow:
            states = uow.get(SlackOAuthStates)  # type: ignore[type-abstract]
            await states.issue(state, now + timedelta(seconds=self.seconds), now)
        return state

    async def async_consume(self, state: str) -> bool:
        if not state or len(state) > 64:
            return False
        async with self.storage.unit_of_work() as uow:
            states = uow.get(SlackOAuthStates)  # type: ignore[type-abstract]
            return await states.consume(state, self.clock.now())


# --- the pages installers see ----------------------------------------------------------


def _kind(error: BaseException) -> str:
    return type(error).__name__


def page(title: str, text: str, link: tuple[str, str] | None = None) -> str:
    """A small self-contained HTML page; every text is escaped."""
    more = ""
    if link is not None:
        href, label = link
        more = f'<p><a href="{html.escape(href)}">{html.escape(label)}</a></p>'
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title></head>"
        '<body style="font-family: sans-serif; max-width: 36em; margin: 3em auto">'
        f"<h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>{more}</body></html>"
    )


def _failure_text(args: AsyncFailureArgs) -> str:
    reason = args.reason
    if reason == "access_denied":
        return _("The installation was cancelled in Slack. Nothing was changed.")
    if reason in ("invalid_browser", "invalid_state"):
        return _(
            "This install link has expired or was not started in this browser. "
            "Start the installation again."
        )
    if reason in ("missing_code", "invalid_code"):
        return _(
            "Slack did not confirm the installation (the code is missing, expired or "
            "already used). Start the installation again."
        )
    if reason == "storage_error" and isinstance(args.error, BoltError):
        # Our own messages (see SqlInstallationStore.async_save): no secret in them.
        return _("The installation could not be saved: {why}", why=str(args.error))
    return _("The installation did not complete ({reason}).", reason=reason)


def install_pages(
    install_path: str,
    state_utils: OAuthStateUtils,
    on_installed: Callable[[str], Awaitable[None]],
) -> AsyncCallbackOptions:
    """Success and failure pages for the OAuth callback (bolt's are English-only)."""
    html_type = {"Content-Type": "text/html; charset=utf-8"}

    async def success(args: AsyncSuccessArgs) -> BoltResponse:
        installation = args.installation
        team = installation.team_name or installation.team_id or ""
        if installation.team_id:
            await on_installed(installation.team_id)
        body = page(
            _("Agora is installed"),
            _(
                "Agora is now installed in {team}. Invite the bot to the channels it should "
                "watch (/invite @Agora). You can close this page.",
                team=team,
            ),
        )
        headers = {**html_type, "Set-Cookie": [state_utils.build_set_cookie_for_deletion()]}
        return BoltResponse(status=200, body=body, headers=headers)

    async def failure(args: AsyncFailureArgs) -> BoltResponse:
        log.info("Slack installation refused: %s", args.reason)
        body = page(
            _("Agora was not installed"),
            _failure_text(args),
            (install_path, _("Install Agora again")),
        )
        headers = {**html_type, "Set-Cookie": [state_utils.build_set_cookie_for_deletion()]}
        return BoltResponse(status=args.suggested_status_code, body=body, headers=headers)

    return AsyncCallbackOptions(success=success, failure=failure)
