"""Answering interactions in time: Discord wants a first response within 3 seconds.

Every interaction gets a `Pending` as it arrives. The core starts on it at once,
and a timer gives it `defer_after` seconds (config, default 0.25 s) to say something:

- its first reply becomes the interaction response itself (callback type 4, ephemeral
  when the core asked), with nothing to defer;
- a form it opens becomes the modal (type 9) — Discord accepts a modal *only* as the
  first response, so a handler that opens a form must get the chance to do so before
  anything else is sent;
- if neither happened when the timer fires, the interaction is deferred: a command
  shows "thinking…" (ephemeral when the command is declared ephemeral), a button or
  a modal submit is acknowledged silently (type 6). Replies then go through the
  follow-up webhook. A form requested after that arrives as a button that opens it.

With `defer_after = 0` every interaction is deferred before the core runs, and so is
one that arrives while the core is behind (an event handed to it earlier has waited
longer than `defer_after`): it would not be answered in time anyway, and under load
waiting for the timer made the timer the acknowledgement's latency. (A form such a
command opens arrives as a button that opens it.)

After a "thinking…" defer, Discord makes the first follow-up replace the loading
message and keeps the defer's visibility whatever the follow-up says. So the first
reply edits the loading message when the visibility matches, and otherwise deletes
it and follows up: an ephemeral refusal never becomes public, and a public answer
is never hidden. When the core is done and said nothing, the interaction is still
acknowledged and any loading message removed, so no member sees "The application
did not respond".
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from enum import StrEnum
from typing import Any, Final, cast

import aiohttp
import discord

from adapters.discord import render
from adapters.discord.endpoints import Endpoints
from adapters.discord.render import Rendered
from adapters.ttl import TtlCache

log = logging.getLogger(__name__)

TOKEN_TTL = 15 * 60 - 30  # interaction tokens live 15 minutes
# The first response's name in the follow-up webhook's routes (discord.py's own
# `edit_original_response` calls `/webhooks/{app}/{token}/messages/@original`).
ORIGINAL: Final = cast(int, "@original")
ALLOWED_MENTIONS = discord.AllowedMentions(
    everyone=False, roles=False, users=True, replied_user=False
)


class Kind(StrEnum):
    COMMAND = "command"
    COMPONENT = "component"
    MODAL = "modal"


def kind_of(interaction: discord.Interaction[Any]) -> Kind | None:
    if interaction.type is discord.InteractionType.application_command:
        return Kind.COMMAND
    if interaction.type is discord.InteractionType.component:
        return Kind.COMPONENT
    if interaction.type is discord.InteractionType.modal_submit:
        return Kind.MODAL
    return None


class Pending:
    """One interaction, from arrival until its token expires.

    Once the core is done with it (`settle`), the interaction itself is let go: its
    payload, member and message are no use after the first response, and a busy
    guild keeps thousands of tokens alive for their 15 minutes. What stays answers
    later edits and follow-ups: the follow-up webhook (application id and token).
    """

    def __init__(
        self,
        interaction: discord.Interaction[Any],
        kind: Kind,
        *,
        ephemeral: bool,
        endpoints: Endpoints,
    ) -> None:
        self.interaction: discord.Interaction[Any] | None = interaction
        self.id = interaction.id
        self.channel_id: int | None = interaction.channel_id
        self.hook = interaction.followup
        self.kind = kind
        self.ephemeral = ephemeral
        self.endpoints = endpoints
        self.lock = asyncio.Lock()
        self.loading: bool | None = (
            None  # visibility of an unresolved "thinking…" (True: ephemeral)
        )
        self.answered = False
        self.original: int | None = None
        self._timer: asyncio.Task[None] | None = None
        self._sleeping = False

    @property
    def acknowledged(self) -> bool:
        return self.interaction is None or self.interaction.response.is_done()

    # --- the deadline --------------------------------------------------------------------

    def arm(self, defer_after: float) -> None:
        """Defer after `defer_after` seconds unless the core has answered by then."""
        self._timer = asyncio.create_task(self._deadline(defer_after))

    async def _deadline(self, delay: float) -> None:
        self._sleeping = True
        try:
            await asyncio.sleep(delay)
        finally:
            self._sleeping = False
        try:
            await self.defer()
        except Exception:
            log.exception("deferring interaction %s failed", self.id)

    async def defer(self) -> None:
        async with self.lock:
            await self._defer()

    async def _defer(self) -> None:
        interaction = self.interaction
        if interaction is None or interaction.response.is_done():
            return
        response = interaction.response
        with self._calling("defer"):
            if self.kind is Kind.COMMAND or (
                self.kind is Kind.MODAL and interaction.message is None
            ):
                ephemeral = self.ephemeral or self.kind is Kind.MODAL
                await response.defer(ephemeral=ephemeral, thinking=True)
                self.loading = ephemeral
            else:
                await response.defer()

    async def settle(self) -> None:
        """The core is done: acknowledge if nobody did, and clear a lone loading message."""
        if self._timer is not None and self._sleeping:
            self._timer.cancel()  # only while it waits: never in the middle of a request
        async with self.lock:
            try:
                await self._settle()
            finally:
                self.interaction = None
                self._timer = None

    async def _settle(self) -> None:
        interaction = self.interaction
        if interaction is None:
            return
        if not interaction.response.is_done():
            if self.kind is Kind.COMPONENT or interaction.message is not None:
                with self._calling("acknowledge"):
                    await interaction.response.defer()
                return
            self.ephemeral = True
            await self._defer()
        if self.loading is not None and not self.answered:
            with self._calling("clear the loading message"):
                await interaction.delete_original_response()
            self.loading = None

    # --- answering -----------------------------------------------------------------------

    async def send(self, rendered: Rendered, *, ephemeral: bool, silent: bool) -> int | None:
        """Send `rendered` as this interaction's answer; the new message's id."""
        async with self.lock:
            with self.endpoints.webhooks():
                return await self._send(rendered, ephemeral=ephemeral, silent=silent)

    async def _send(self, rendered: Rendered, *, ephemeral: bool, silent: bool) -> int | None:
        interaction = self.interaction
        view = render.to_view(rendered)
        embeds = render.to_embeds(rendered)
        if interaction is not None and not interaction.response.is_done():
            callback = await interaction.response.send_message(
                rendered.content,
                embeds=embeds,
                files=render.to_files(rendered),
                view=view or discord.utils.MISSING,
                ephemeral=ephemeral,
                silent=silent,
                allowed_mentions=ALLOWED_MENTIONS,
            )
            self.answered = True
            self.original = callback.message_id or getattr(callback.resource, "id", None)
            return self.original
        if interaction is not None and self.loading is not None and not self.answered:
            if self.loading == ephemeral:
                edited = await interaction.edit_original_response(
                    content=rendered.content,
                    embeds=embeds,
                    attachments=render.to_files(rendered),
                    view=view,
                    allowed_mentions=ALLOWED_MENTIONS,
                )
                self.answered = True
                self.loading = None
                self.original = edited.id
                return edited.id
            await interaction.delete_original_response()
            self.loading = None
        sent = await self.hook.send(
            rendered.content,
            embeds=embeds,
            files=render.to_files(rendered),
            view=view or discord.utils.MISSING,
            ephemeral=ephemeral,
            silent=silent,
            allowed_mentions=ALLOWED_MENTIONS,
            wait=True,
        )
        self.answered = True
        return sent.id

    async def modal(self, modal: discord.ui.Modal) -> bool:
        """Show `modal` as the first response; False when that moment has passed."""
        async with self.lock:
            interaction = self.interaction
            if interaction is None or interaction.response.is_done() or self.kind is Kind.MODAL:
                return False
            with self.endpoints.webhooks():
                await interaction.response.send_modal(modal)
            self.answered = True
            return True

    async def update(self, rendered: Rendered) -> bool:
        """Edit the clicked message as the response (type 7); False when too late."""
        async with self.lock:
            interaction = self.interaction
            if interaction is None or interaction.response.is_done():
                return False
            if self.kind is not Kind.COMPONENT:
                return False
            with self.endpoints.webhooks():
                await interaction.response.edit_message(
                    content=rendered.content,
                    embeds=render.to_embeds(rendered),
                    attachments=render.edited_files(rendered),
                    view=render.to_view(rendered),
                    allowed_mentions=ALLOWED_MENTIONS,
                )
            return True

    async def edit(self, message_id: int, rendered: Rendered) -> None:
        with self.endpoints.webhooks():
            kwargs: dict[str, Any] = {
                "content": rendered.content,
                "embeds": render.to_embeds(rendered),
                "attachments": render.edited_files(rendered),
                "view": render.to_view(rendered),
                "allowed_mentions": ALLOWED_MENTIONS,
            }
            await self.hook.edit_message(self._route_id(message_id), **kwargs)

    async def delete(self, message_id: int) -> None:
        with self.endpoints.webhooks():
            await self.hook.delete_message(self._route_id(message_id))

    def _route_id(self, message_id: int) -> int:
        """The first response is `@original` in the webhook's routes; others by id."""
        return ORIGINAL if message_id == self.original else message_id

    @contextlib.contextmanager
    def _calling(self, what: str) -> Iterator[None]:
        """Acknowledgement calls: a failure (expired, already answered) is only logged."""
        try:
            with self.endpoints.webhooks():
                yield
        except discord.HTTPException as error:
            log.warning(
                "could not %s interaction %s: %s %s",
                what,
                self.id,
                error.status,
                error.text,
            )
        except (aiohttp.ClientError, TimeoutError) as error:
            log.warning("could not %s interaction %s: %s", what, self.id, error)


class Interactions:
    """Live interactions by token, by the messages they sent, and ids already seen."""

    def __init__(self, endpoints: Endpoints, defer_after: float) -> None:
        self.endpoints = endpoints
        self.defer_after = defer_after
        self._by_token: TtlCache[str, Pending] = TtlCache(10_000, TOKEN_TTL)
        self._by_message: TtlCache[int, Pending] = TtlCache(20_000, TOKEN_TTL)
        self._clicked: TtlCache[int, Pending] = TtlCache(10_000, 5.0)
        # A replay after the token expired could not be answered anyway.
        self._seen: TtlCache[int, bool] = TtlCache(20_000, TOKEN_TTL)

    def seen(self, interaction: discord.Interaction[Any]) -> bool:
        """True when this interaction arrived before (a gateway replay): answer once."""
        if interaction.id in self._seen:
            return True
        self._seen.put(interaction.id, True)
        return False

    async def open(
        self,
        interaction: discord.Interaction[Any],
        kind: Kind,
        *,
        ephemeral: bool,
        at_once: bool = False,
    ) -> Pending:
        """Track `interaction`; defer it now when `at_once`, else arm the timer."""
        pending = Pending(interaction, kind, ephemeral=ephemeral, endpoints=self.endpoints)
        self._by_token.put(interaction.token, pending)
        if kind is Kind.COMPONENT and interaction.message is not None:
            self._clicked.put(interaction.message.id, pending)
        if at_once or self.defer_after <= 0:
            await pending.defer()
        else:
            pending.arm(self.defer_after)
        return pending

    def get(self, token: str | None) -> Pending | None:
        return self._by_token.get(token) if token else None

    def clicked(self, message_id: int) -> Pending | None:
        """A component interaction on `message_id` that can still update it in place."""
        pending = self._clicked.get(message_id)
        return pending if pending is not None and not pending.acknowledged else None

    def sent_by(self, message_id: int) -> Pending | None:
        return self._by_message.get(message_id)

    def remember(self, message_id: int, pending: Pending) -> None:
        self._by_message.put(message_id, pending)
