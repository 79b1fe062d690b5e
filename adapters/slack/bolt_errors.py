"""What a signed request that crashes bolt before our listeners gets: 200, not 500.

Some signed requests are malformed in ways bolt's own code does not expect (`view` as
a string, `actions` as a number, an action without `action_id`, `event` as a list):
its middleware or matchers raise, and bolt answers 500. Slack retries a 5xx and, when
a Slack app keeps failing, switches its event subscriptions off. Such a request
fails the same way every time, so it is acknowledged and dropped with a warning.

Failures that can pass are not: a network error while bolt talks to Slack (its
`auth.test`, an installation lookup) keeps the 500, so Slack delivers the event again
once things work. Unsigned HTTP requests are never acknowledged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence

import aiohttp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackClientError
from slack_sdk.signature import SignatureVerifier

from adapters.slack.translate import kind_of

log = logging.getLogger(__name__)

PASSING = (SlackClientError, aiohttp.ClientError, asyncio.TimeoutError, ConnectionError)

ErrorHandler = Callable[[Exception, AsyncBoltRequest], Awaitable[BoltResponse | None]]


def signed(verifier: SignatureVerifier, raw: str, headers: Mapping[str, object]) -> bool:
    """True when `raw` carries a valid, fresh Slack signature (headers in any case)."""
    flat = {k.lower(): _first(v) for k, v in headers.items()}
    return verifier.is_valid(
        body=raw,
        timestamp=flat.get("x-slack-request-timestamp", ""),
        signature=flat.get("x-slack-signature", ""),
    )


def _first(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Sequence) and value and isinstance(value[0], str):
        return value[0]
    return ""


def acknowledge_malformed(verifier: SignatureVerifier | None) -> ErrorHandler:
    """Bolt's global error handler (`AsyncApp.error`); `verifier` None in Socket Mode."""

    async def handle(error: Exception, request: AsyncBoltRequest) -> BoltResponse | None:
        body = request.body if isinstance(request.body, Mapping) else {}
        kind = kind_of(body) or "unknown"
        if isinstance(error, PASSING):
            log.warning("Slack %s request failed (%r); Slack will retry it", kind, error)
            return None
        if request.mode == "http" and (
            verifier is None or not signed(verifier, request.raw_body, request.headers)
        ):
            return BoltResponse(status=401, body={"error": "invalid request"})
        log.warning("malformed Slack %s request acknowledged and dropped: %r", kind, error)
        return BoltResponse(status=200, body="")

    return handle
