"""Core action ids and form ids ↔ Discord `custom_id` strings (100 characters at most).

A core button has an `action_id` (which feature handles it) and a `value`; Discord has
one `custom_id`. They travel as `"<action_id>|<value>"` (just the action id when the
value is empty), so a button keeps working after a restart with nothing stored.
Forms carry their `context` the same way. What does not fit (over 100 characters, or
an action id that itself contains `|`) is kept in memory under a short key: such a
button works until the process restarts, then the core answers that it expired.

Ids under `ADAPTER_PREFIX` are the adapter's own ("Open the form") and never reach
the core; no feature name contains `/`, so they cannot collide with an action id.
"""

from __future__ import annotations

import logging
import secrets

from adapters.discord.limits import CUSTOM_ID
from adapters.ttl import TtlCache

log = logging.getLogger(__name__)

SEP = "|"
ADAPTER_PREFIX = "agora/"
OPEN_FORM = ADAPTER_PREFIX + "open-form/"
STORED = ADAPTER_PREFIX + "stored/"
STORE_SIZE = 20_000
STORE_TTL = 7 * 24 * 3600.0


class CustomIds:
    def __init__(self) -> None:
        self._stored: TtlCache[str, tuple[str, str]] = TtlCache(STORE_SIZE, STORE_TTL)

    def encode(self, first: str, second: str = "") -> str:
        """`first|second` (or `first`), or a stored key when that does not fit."""
        inline = f"{first}{SEP}{second}" if second else first
        if len(inline) <= CUSTOM_ID and SEP not in first and not first.startswith(STORED):
            return inline
        key = STORED + secrets.token_urlsafe(12)
        log.info("custom_id for %r is too long for Discord; kept in memory", first[:60])
        self._stored.put(key, (first, second))
        return key

    def decode(self, custom_id: str) -> tuple[str, str] | None:
        """(first, second), or None when a stored id has expired or is unknown."""
        if custom_id.startswith(STORED):
            return self._stored.get(custom_id)
        first, _sep, second = custom_id.partition(SEP)
        return first, second

    @staticmethod
    def is_adapters(custom_id: str) -> bool:
        return custom_id.startswith(ADAPTER_PREFIX) and not custom_id.startswith(STORED)
