"""Between discord.py's gateway reader and its parsers: a guard and a frame stamp.

The guard. discord.py parses each dispatch with `data["…"]` lookups; one payload
missing a field raises inside the gateway reader, and `Client.connect` lets that
exception escape, which ends the connection for good (a KeyError is not one of the
errors it reconnects after). Wrapping every parser makes a malformed or unexpected
payload a logged, skipped event instead of a dead bot.

The stamp. Some events carry no id of their own (reactions, departures, role
changes; see `refs`). While a parser runs, the current frame's (session id,
sequence) is put in a context variable; discord.py starts every event handler as a
task during the parser call, and a task copies the context it was created in, so
the handler reads the stamp of the frame that caused it.

Both work on this client's parser table only (`ConnectionState.parsers`, the dict
the websocket looks events up in); no discord.py global is touched.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable
from typing import Any

import discord

log = logging.getLogger(__name__)

current_frame: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "agora_discord_frame", default=None
)
Parser = Callable[[Any], None]


def install(client: discord.Client) -> None:
    """Guard and stamp every gateway parser of `client` (idempotent)."""
    parsers: dict[str, Parser] = client._connection.parsers
    for event, parser in list(parsers.items()):
        if getattr(parser, "__agora_guarded__", False):
            continue
        parsers[event] = _guarded(client, event, parser)


def _guarded(client: discord.Client, event: str, parser: Parser) -> Parser:
    def run(data: Any) -> None:
        token = current_frame.set(stamp(client, data))
        try:
            parser(data)
        except Exception as error:
            log.error(
                "Discord %s payload skipped: discord.py could not read it (%s: %s); keys: %s",
                event,
                type(error).__name__,
                error,
                sorted(data)[:20] if isinstance(data, dict) else type(data).__name__,
                exc_info=log.isEnabledFor(logging.DEBUG),
            )
        finally:
            current_frame.reset(token)

    run.__agora_guarded__ = True  # type: ignore[attr-defined]
    return run


def stamp(client: discord.Client, data: Any) -> str | None:
    """`"<session>:<seq>"` of the frame being parsed, or None when unknown."""
    try:
        ws = _websocket(client, data)
        if ws is None or ws.session_id is None or ws.sequence is None:
            return None
        return f"{ws.session_id}:{ws.sequence}"
    except Exception:  # a stamp is a nicety; never let it break parsing
        return None


def _websocket(client: discord.Client, data: Any) -> Any:
    count = client.shard_count
    if isinstance(client, discord.AutoShardedClient) and count:
        guild = data.get("guild_id") if isinstance(data, dict) else None
        # Discord routes a guild's events to shard (guild_id >> 22) % shard_count; DMs to 0.
        shard = (int(guild) >> 22) % count if guild is not None else 0
        return client._get_websocket(shard_id=shard)
    return client.ws
