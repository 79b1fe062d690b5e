"""Point one discord.py client at another REST base and gateway (proxies, the test fake).

discord.py keeps Discord's addresses in class attributes (`http.Route.BASE`,
`DiscordWebSocket.DEFAULT_GATEWAY`). Changing those would move every client in the
process, so this rewrites per client instead:

- REST: the client's own `HTTPClient.request` and `ws_connect` are wrapped on the
  instance; a URL under Discord's base or gateway is re-rooted at the configured
  one (query kept: `v`, `encoding`, `compress`). With a gateway configured, every
  gateway connection goes there, resumes included: a proxy or fake that speaks for
  Discord must see the whole session.
- Interaction callbacks and follow-ups go through discord.py's webhook adapter,
  which it takes from a context variable (`webhook.async_.async_context`). A
  subclass that re-roots URLs is set in that variable for the client's own tasks and
  around every call the port makes (`webhooks()`).

Without configured addresses nothing is wrapped and discord.py runs untouched.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from collections.abc import Iterator
from typing import Any

import discord
import yarl
from discord.http import Route
from discord.webhook.async_ import AsyncWebhookAdapter, async_context

DEFAULT_API_VERSION = 10


def api_base(url: str | None) -> str | None:
    """`http://host:port` or `…/api/v10` → the REST base with its version."""
    if not url:
        return None
    base = url.rstrip("/")
    if not re.search(r"/api/v\d+$", base):
        base = f"{base}/api/v{DEFAULT_API_VERSION}"
    return base


def rebase(url: str, base: str) -> str:
    default = Route.BASE
    return base + url[len(default) :] if url.startswith(default) else url


class _RebasedWebhooks(AsyncWebhookAdapter):
    """discord.py's webhook adapter, sending to the configured REST base."""

    def __init__(self, base: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.base = base

    async def request(self, route: Route, *args: Any, **kwargs: Any) -> Any:
        route.url = rebase(route.url, self.base)
        return await super().request(route, *args, **kwargs)


class Endpoints:
    def __init__(self, api_base_url: str | None = None, gateway_url: str | None = None) -> None:
        self.api = api_base(api_base_url)
        self.gateway = yarl.URL(gateway_url) if gateway_url else None
        self._webhooks = _RebasedWebhooks(self.api) if self.api else None

    @property
    def custom(self) -> bool:
        return self.api is not None or self.gateway is not None

    def apply(self, client: discord.Client) -> None:
        """Wrap this client's HTTP calls (no-op for Discord's own addresses)."""
        http = client.http
        if self.api is not None:
            base = self.api
            request = http.request

            async def rebased_request(route: Route, **kwargs: Any) -> Any:
                route.url = rebase(route.url, base)
                return await request(route, **kwargs)

            http.request = rebased_request  # type: ignore[method-assign]
        if self.gateway is not None:
            gateway = self.gateway
            connect = http.ws_connect

            async def rerouted_connect(url: str, **kwargs: Any) -> Any:
                wanted = yarl.URL(url)
                return await connect(str(gateway.with_query(wanted.query)), **kwargs)

            http.ws_connect = rerouted_connect  # type: ignore[method-assign]

    @contextlib.contextmanager
    def webhooks(self) -> Iterator[None]:
        """Interaction responses made inside this block use the configured base."""
        if self._webhooks is None:
            yield
            return
        token = async_context.set(self._webhooks)
        try:
            yield
        finally:
            async_context.reset(token)

    def context(self) -> contextvars.Context:
        """A context for the client's own tasks (event handlers inherit it)."""
        context = contextvars.copy_context()
        if self._webhooks is not None:
            context.run(async_context.set, self._webhooks)
        return context
