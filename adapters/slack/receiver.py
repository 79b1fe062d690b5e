"""HTTP mode: an aiohttp server that hands signed Slack requests to the bolt app.

Bolt verifies the v0 signature (401 on a wrong or stale one), answers
`url_verification` and `ssl_check`, and runs our listeners. Three things are ours:
requests are parsed with `FormSafeRequest` (see `bolt_fix.py`); a signed request no
listener takes (an event type we do not use, a payload missing fields) is answered
200; and so is a signed request so malformed that parsing it or bolt's middleware
raises (`bolt_errors.py`), because anything else makes Slack retry it, and a Slack app
whose events keep failing gets its subscriptions switched off.

With `[slack] oauth = true` the same server answers two GET paths for bolt's OAuth
flow: `install_path` (a redirect to Slack's authorize page with a fresh state) and
`redirect_uri_path` (Slack sends the installer back there with a code).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier

from adapters.slack.bolt_errors import signed
from adapters.slack.bolt_fix import FormSafeRequest
from adapters.slack.oauth import page
from bot.i18n import _

log = logging.getLogger(__name__)

OAuthStep = Callable[[AsyncOAuthFlow, AsyncBoltRequest], Awaitable[BoltResponse]]


class HttpReceiver:
    def __init__(
        self, bolt: AsyncApp, *, host: str, port: int, path: str, signing_secret: str
    ) -> None:
        self.bolt = bolt
        self.host = host
        self.port = port
        self.path = path if path.startswith("/") else "/" + path
        self.verifier = SignatureVerifier(signing_secret)
        self._runner: web.AppRunner | None = None
        self.bound_port: int | None = None

    def web_app(self) -> web.Application:
        app = web.Application()
        app.router.add_post(self.path, self.handle)
        flow = self.bolt.oauth_flow
        if flow is not None:
            app.router.add_get(flow.install_path, self.install)
            app.router.add_get(flow.redirect_uri_path, self.callback)
        return app

    async def start(self) -> int:
        """Listen; returns the bound port (the OS picks one when `port` is 0)."""
        self._runner = web.AppRunner(self.web_app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        bound = [address for address in self._runner.addresses if isinstance(address, tuple)]
        self.bound_port = int(bound[0][1]) if bound else self.port
        log.info("Slack HTTP endpoint listening on %s:%s%s", self.host, self.bound_port, self.path)
        return self.bound_port

    @property
    def listening(self) -> bool:
        return self._runner is not None and bool(self._runner.addresses)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def handle(self, request: web.Request) -> web.Response:
        raw = (await request.read()).decode("utf-8", errors="replace")
        headers = dict(request.headers)
        try:
            bolt_request = FormSafeRequest(body=raw, query=request.query_string, headers=headers)  # type: ignore[arg-type]
            response: BoltResponse = await self.bolt.async_dispatch(bolt_request)
        except Exception as error:
            # Not parseable (bad JSON in the body or in `payload=`), or shaped so that
            # bolt's request parsing raises: refuse forgeries, and ack what Slack
            # really signed so it is not retried forever (see bolt_errors.py).
            if not signed(self.verifier, raw, headers):
                return web.json_response({"error": "invalid request"}, status=401)
            log.warning("unparseable signed Slack request acknowledged and dropped: %r", error)
            return web.Response(status=200)
        if response.status == 404:
            log.debug("no listener for a signed Slack request; acknowledged")
            return web.Response(status=200)
        return await to_aiohttp_response(response)

    async def install(self, request: web.Request) -> web.Response:
        return await self._oauth(request, AsyncOAuthFlow.handle_installation)

    async def callback(self, request: web.Request) -> web.Response:
        return await self._oauth(request, AsyncOAuthFlow.handle_callback)

    async def _oauth(self, request: web.Request, step: OAuthStep) -> web.Response:
        flow = self.bolt.oauth_flow
        if flow is None:
            raise web.HTTPNotFound()
        bolt_request = AsyncBoltRequest(
            body="",
            query=request.query_string,
            headers={k.lower(): v for k, v in request.headers.items()},
        )
        try:
            response: BoltResponse = await step(flow, bolt_request)
        except Exception:
            log.exception("the Slack install step %s failed", request.path)
            text = _("Something went wrong on our side. Please try again in a few minutes.")
            body = page(_("Agora was not installed"), text)
            return web.Response(status=500, text=body, content_type="text/html")
        return await to_aiohttp_response(response)
