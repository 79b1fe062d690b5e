"""Did an earlier run already post this outbox message? Slack's answer, from history.

Slack has no idempotency key for chat.postMessage. So every outbox message carries its
key in message metadata (`EVENT_TYPE`), and a message handed over by a run that
stopped (`Once.resumed`) is first looked for in the conversation since it was
written: found, it is not posted again. Only handed-over messages pay for the lookup,
and one conversation's history is read once for all of them (`Seen`), kept for
`KEEP` seconds: a restart after a crash hands over a few hundred messages at most, and
conversations.history allows about 50 calls a minute.

A lookup Slack refuses (a missing `*:history` scope from an old install, a network
error) falls back to posting: at least once, as before.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from slack_sdk.errors import SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.ttl import TtlCache
from bot.ports import Once

log = logging.getLogger(__name__)

EVENT_TYPE = "agora_delivery"
KEEP = 120.0
PAGE = 200
PAGES = 5
# Looked for from this long before the message was written (clocks differ).
SKEW = 60.0


def metadata(once: Once) -> dict[str, Any]:
    """The message metadata that names an outbox message."""
    return {"event_type": EVENT_TYPE, "event_payload": {"key": once.key}}


def key_of(message: dict[str, Any]) -> str | None:
    meta = message.get("metadata")
    if not isinstance(meta, dict) or meta.get("event_type") != EVENT_TYPE:
        return None
    payload = meta.get("event_payload")
    key = payload.get("key") if isinstance(payload, dict) else None
    return key if isinstance(key, str) else None


@dataclass
class Seen:
    """The outbox keys found in one conversation (or thread) since `oldest`: key → ts."""

    oldest: float
    keys: dict[str, str] = field(default_factory=dict)


class PostedBefore:
    def __init__(self) -> None:
        self._seen: TtlCache[tuple[str, str, str], Seen] = TtlCache(1024, KEEP)

    async def find(
        self,
        client: AsyncWebClient,
        team: str,
        channel: str,
        thread_ts: str | None,
        once: Once,
    ) -> str | None:
        """The ts of the message this key already made in the conversation, if any."""
        since = once.since.timestamp() - SKEW
        where = (team, channel, thread_ts or "")
        seen = self._seen.get(where)
        if seen is None or seen.oldest > since:
            try:
                seen = await self._read(client, channel, thread_ts, since)
            except (SlackClientError, aiohttp.ClientError, TimeoutError) as error:
                log.info("could not look for message %s in %s: %s", once.key, channel, error)
                return None
            self._seen.put(where, seen)
        return seen.keys.get(once.key)

    @staticmethod
    async def _read(
        client: AsyncWebClient, channel: str, thread_ts: str | None, since: float
    ) -> Seen:
        seen = Seen(since)
        cursor: str | None = None
        for _page in range(PAGES):
            arguments: dict[str, Any] = {
                "channel": channel,
                "oldest": f"{since:.6f}",
                "limit": PAGE,
                "include_all_metadata": True,
                "cursor": cursor,
            }
            if thread_ts:
                response = await client.conversations_replies(ts=thread_ts, **arguments)
            else:
                response = await client.conversations_history(**arguments)
            for message in response.get("messages") or ():
                key = key_of(message)
                if key is not None:
                    seen.keys.setdefault(key, str(message.get("ts", "")))
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if cursor is None:
                break
        return seen
