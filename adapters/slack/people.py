"""Who and where: users.info, user groups and conversations.info, cached and bounded.

Slack payloads name members and channels by id only. The core wants names, roles and
a language, so the adapter asks the Web API, once per member per few minutes. Every
cache here is bounded (an LRU with a time to live), concurrent lookups of one id share
one request, and a failed lookup degrades to "an id without a name", never an error.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Hashable, Mapping
from typing import Any, TypeVar

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.translate import ChannelInfo, Lookup, Needs, member_from_user
from adapters.ttl import TtlCache
from bot.model import ChannelKind, Member

log = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

LOOKUP_ERRORS = (SlackClientError, aiohttp.ClientError, asyncio.TimeoutError)
# Errors after which asking again is pointless (the app lacks a scope, a plan, …).
_GIVE_UP = frozenset({"missing_scope", "not_allowed_token_type", "paid_only", "team_not_paid"})


class SlackPeople:
    """Cached lookups the translator needs; one instance per adapter."""

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        size: int = 4096,
        ttl: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.users: TtlCache[str, Mapping[str, Any]] = TtlCache(size, ttl, clock=clock, lru=True)
        self.channels: TtlCache[str, ChannelInfo] = TtlCache(size, ttl * 6, clock=clock, lru=True)
        self._groups: TtlCache[str, Mapping[str, frozenset[str]]] = TtlCache(
            1, ttl, clock=clock, lru=True
        )
        self._groups_disabled_until = 0.0
        self._clock = clock
        self._ttl = ttl
        self._inflight: dict[Hashable, asyncio.Future[Any]] = {}

    async def _once(self, key: Hashable, fetch: Callable[[], Awaitable[V]]) -> V:
        """Concurrent lookups of one key (a retried event, a burst) share one request."""
        pending = self._inflight.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            value = await fetch()
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as error:
            future.set_exception(error)
            future.exception()  # mark retrieved: waiters (if any) re-raise it
            raise
        else:
            future.set_result(value)
            return value
        finally:
            del self._inflight[key]

    # --- members --------------------------------------------------------------------

    def remember(self, user: Mapping[str, Any]) -> None:
        """Store a user object Slack pushed (team_join, user_change)."""
        user_id = user.get("id")
        if isinstance(user_id, str) and user_id:
            self.users.put(user_id, user)

    async def user(self, user_id: str) -> Mapping[str, Any] | None:
        cached = self.users.get(user_id)
        if cached is not None:
            return cached

        async def fetch() -> Mapping[str, Any] | None:
            try:
                response = await self.client.users_info(user=user_id, include_locale=True)
            except LOOKUP_ERRORS as error:
                log.warning("users.info %s failed: %s", user_id, _reason(error))
                return None
            user = response.get("user")
            if isinstance(user, Mapping):
                self.users.put(user_id, user)
                return user
            return None

        return await self._once(("user", user_id), fetch)

    async def member(self, team: str, user_id: str) -> Member | None:
        user = await self.user(user_id)
        if user is None:
            return None
        groups = (await self.groups()).get(user_id, frozenset())
        return member_from_user(user, team, groups)

    def forget_groups(self) -> None:
        """Agora changed a user group itself: the next lookup lists the groups again."""
        self._groups.drop("all")

    async def groups(self) -> Mapping[str, frozenset[str]]:
        """user id → handles of the user groups they are in (empty without the scope)."""
        cached = self._groups.get("all")
        if cached is not None:
            return cached
        if self._clock() < self._groups_disabled_until:
            return {}

        async def fetch() -> Mapping[str, frozenset[str]]:
            try:
                response = await self.client.usergroups_list(include_users=True)
            except LOOKUP_ERRORS as error:
                reason = _reason(error)
                if reason in _GIVE_UP:
                    log.info(
                        "Slack user groups unavailable (%s): roles come from admin flags", reason
                    )
                    self._groups_disabled_until = self._clock() + self._ttl * 6
                else:
                    log.warning("usergroups.list failed: %s", reason)
                    self._groups_disabled_until = self._clock() + 30
                return {}
            members: dict[str, set[str]] = {}
            for group in response.get("usergroups") or ():
                handle = group.get("handle") if isinstance(group, Mapping) else None
                if not isinstance(handle, str) or group.get("date_delete"):
                    continue
                for user_id in group.get("users") or ():
                    members.setdefault(str(user_id), set()).add(handle)
            found = {user: frozenset(handles) for user, handles in members.items()}
            self._groups.put("all", found)
            return found

        return await self._once("groups", fetch)

    # --- channels -------------------------------------------------------------------

    async def channel(self, channel_id: str) -> ChannelInfo | None:
        cached = self.channels.get(channel_id)
        if cached is not None:
            return cached

        async def fetch() -> ChannelInfo | None:
            try:
                response = await self.client.conversations_info(channel=channel_id)
            except LOOKUP_ERRORS as error:
                log.info("conversations.info %s failed: %s", channel_id, _reason(error))
                return None
            info = channel_info(response.get("channel"))
            if info is not None:
                self.channels.put(channel_id, info)
            return info

        return await self._once(("channel", channel_id), fetch)

    # --- all at once ----------------------------------------------------------------

    async def lookup(
        self, needs: Needs, join_channels: frozenset[str], bot_user: str | None = None
    ) -> Lookup:
        team = needs.team or ""
        members = await asyncio.gather(*(self.member(team, u) for u in needs.users))
        channels = await asyncio.gather(*(self.channel(c) for c in needs.channels))
        return Lookup(
            team,
            {u: m for u, m in zip(needs.users, members, strict=True) if m is not None},
            {c: i for c, i in zip(needs.channels, channels, strict=True) if i is not None},
            join_channels,
            bot_user,
        )


def channel_info(channel: Any) -> ChannelInfo | None:
    """A conversations.info / conversations.list channel object → name and kind."""
    if not isinstance(channel, Mapping) or not channel.get("id"):
        return None
    if channel.get("is_im") or channel.get("is_mpim"):
        return ChannelInfo(str(channel.get("name") or channel["id"]), ChannelKind.DM)
    return ChannelInfo(str(channel.get("name") or channel["id"]), ChannelKind.TEXT)


def _reason(error: BaseException) -> str:
    if isinstance(error, SlackApiError):
        return str(error.response.get("error") or error)
    return f"{type(error).__name__}: {error}"
