"""Socket Mode: bolt's aiohttp handler, acking envelopes no listener takes.

Bolt's handler sends no ack when dispatch ends in 404 (an event type we do not use,
a payload missing fields) or when the envelope's payload is too malformed to parse,
so Slack redelivers that envelope again and again. We ack it and move on; everything
else is bolt's own code path (malformed payloads that make bolt's middleware raise
are acked by the error handler of `bolt_errors.py`).
"""

from __future__ import annotations

import logging
import time

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.socket_mode.async_internals import run_async_bolt_app, send_async_response
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

log = logging.getLogger(__name__)


class AckingSocketModeHandler(AsyncSocketModeHandler):
    async def handle(self, client: AsyncBaseSocketModeClient, req: SocketModeRequest) -> None:
        start = time.time()
        try:
            response = await run_async_bolt_app(self.app, req)
        except Exception as error:  # bolt could not even parse it: same every time
            log.warning("malformed Socket Mode envelope %s acked: %r", req.envelope_id, error)
            await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
            return
        if response.status == 404:
            log.debug(
                "no listener for Socket Mode envelope %s (%s); acked", req.envelope_id, req.type
            )
            await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
            return
        await send_async_response(client, req, response, start)
