"""What a handler gets: the event, the actor, repositories and ways to answer.

A `Context` lives for one handler call inside one unit of work. Everything the
handler writes commits together with the event's dedup record, and jobs it
schedules are armed only once that commit succeeded.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast

from bot.command_names import name_on, reserved_commands
from bot.i18n import _, using_locale
from bot.model import (
    Block,
    ButtonPressed,
    Capability,
    Channel,
    CommandInvoked,
    Event,
    Form,
    FormSubmitted,
    Level,
    MemberRecord,
    MessagePosted,
    Outgoing,
    ReactionChanged,
    Ref,
)
from bot.permissions import level_group
from bot.ports import (
    CapabilityMissing,
    ChatPort,
    Directory,
    JobStore,
    Parcel,
    PendingJob,
    UnitOfWork,
)

if TYPE_CHECKING:
    from bot.registry import Feature
    from bot.runtime import Runtime

log = logging.getLogger(__name__)
R = TypeVar("R")
C = TypeVar("C")


class UserError(Exception):
    """A refusal or mistake to tell the member about; nothing the handler wrote is kept."""

    def __init__(self, message: str, *, ephemeral: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.ephemeral = ephemeral


class NotAllowed(UserError):
    """A permission refusal. The dispatcher re-words it naming who can help, with user
    selectors looked up (which needs the database, so it cannot happen here)."""

    def __init__(self, level: Level, who: str) -> None:
        self.level = level
        super().__init__(self.sentence(who))

    def sentence(self, who: str) -> str:
        return _("Only {levels} can do that (ask {who}).", levels=level_group(self.level), who=who)


class Work:
    """One event's unit of work, shared by every handler that event reaches."""

    def __init__(self, runtime: Runtime, uow: UnitOfWork) -> None:
        self.runtime = runtime
        self.uow = uow
        self.armed: list[PendingJob] = []
        self.cancelled: list[str] = []
        self.after_commit: list[Callable[[], Awaitable[None]]] = []
        # Messages for the outbox: queued by handlers, written before the commit
        # (`staged`), delivered after it.
        self.parcels: list[Outgoing] = []
        self.staged: list[Parcel] = []
        self.depth = 0
        # Persons erased during this event: nothing more is recorded about them.
        self.forgotten: set[int] = set()


class Context:
    def __init__(
        self,
        work: Work,
        feature: Feature,
        event: Event | None,
        actor: MemberRecord | None = None,
        level: Level = Level.MEMBER,
    ) -> None:
        self.work = work
        self.runtime = work.runtime
        self.feature = feature
        self.event = event
        self.actor = actor
        self.level = level
        self._replied = False

    # --- data ------------------------------------------------------------------------

    def repo(self, repo: type[R]) -> R:
        return self.work.uow.get(repo)

    @property
    def config(self) -> Any:
        return self.runtime.feature_config(self.feature.name)

    def config_of(self, model: type[C]) -> C:
        """The feature's config, typed (`ctx.config_of(KudosConfig)`)."""
        return cast(C, self.runtime.feature_config(self.feature.name))

    @property
    def memo(self) -> dict[Any, Any]:
        """This feature's process-local scratch space for shortcuts, never for the truth.

        It is empty after a restart and not shared between instances, so it may only
        remember what saves work ("this member's streak already counted today"). Fill it
        from `after_commit`, so a rolled-back event leaves nothing behind.
        """
        return self.runtime.memos.setdefault(self.feature.name, {})

    def after_commit(self, hook: Callable[[], Awaitable[None]]) -> None:
        """Run `hook` once this event's writes are committed (never if they are not)."""
        self.work.after_commit.append(hook)

    @property
    def directory(self) -> Directory:
        return self.repo(Directory)  # type: ignore[type-abstract]

    def member(self) -> MemberRecord:
        """The member who acted; a friendly refusal when the platform did not say who."""
        if self.actor is None:
            raise UserError(_("I could not tell who you are; please try again."))
        return self.actor

    def now(self) -> datetime:
        return self.runtime.clock.now()

    @property
    def reader_zone(self) -> str:
        """The time zone replies are written for: the actor's own, else the community's."""
        own = self.actor.timezone if self.actor else None
        return own or self.runtime.config.bot.timezone

    @property
    def community(self) -> str:
        return self.runtime.config.bot.name

    @property
    def channel(self) -> Channel | None:
        ev = self.event
        if isinstance(ev, CommandInvoked | ReactionChanged):
            return ev.channel
        if isinstance(ev, ButtonPressed | FormSubmitted):
            return ev.channel
        if isinstance(ev, MessagePosted):
            return ev.message.channel
        return None

    def require(self, level: Level) -> None:
        if not self.level.allows(level):
            raise NotAllowed(level, self.runtime.permissions.describe(level))

    async def who_can(self, level: Level) -> str:
        """Who holds `level`, named for the member who acted (see `Permissions.who_can`)."""
        viewer = self.actor.ref if self.actor else None
        return await self.runtime.permissions.who_can(level, self.directory, viewer)

    # --- talking ---------------------------------------------------------------------

    def port(self, platform: str) -> ChatPort:
        return self.runtime.port(platform)

    def can(self, platform: str, capability: Capability) -> bool:
        return capability in self.port(platform).capabilities

    def command_path(self, name: str, platform: str | None = None) -> str:
        """Command `name` as members type it on `platform` (default: where the event came
        from), without the slash: `kudos`; on Discord `kudos give`; on Slack, whose own
        `/invite` wins, `referrals invite` (see `bot.command_names`)."""
        where = platform or (self.event.platform if self.event is not None else None)
        port = self.runtime.ports.get(where) if where is not None else None
        if port is None:
            return name
        registry = self.runtime.registry
        spec = registry.resolve(name, "")[0]
        if spec is not None and spec.name == name:  # a root the platform keeps is renamed
            name = name_on(registry, reserved_commands(port), spec)
        return registry.path(name, verbs=Capability.COMMAND_VERBS in port.capabilities)

    async def send(self, out: Outgoing) -> Ref | None:
        """Deliver `out`; returns its ref, or None when the platform could not."""
        target = out.dm or out.channel or out.ephemeral_to
        if target is None:
            log.warning("message without a destination from %s dropped", self.feature.name)
            return None
        try:
            return await self.port(target.platform).send(out)
        except CapabilityMissing as missing:
            log.info("%s: %s", self.feature.name, missing)
            return None

    async def reply(
        self,
        text: str,
        *,
        blocks: tuple[Block, ...] = (),
        ephemeral: bool | None = None,
        attachments: tuple[Any, ...] = (),
    ) -> Ref | None:
        """Answer the event where it happened (ephemeral to the actor if asked)."""
        ev = self.event
        if ephemeral is None:
            ephemeral = self._default_ephemeral()
        channel = self.channel
        token = getattr(ev, "reply_token", None)
        actor_ref = self.actor.ref if self.actor else None
        thread_of = None
        if isinstance(ev, MessagePosted):
            thread_of = ev.message.thread_of
        if channel is None:
            if actor_ref is None:
                log.warning("reply from %s has nowhere to go", self.feature.name)
                return None
            out = Outgoing(text, blocks, dm=actor_ref, attachments=attachments, reply_token=token)
        else:
            out = Outgoing(
                text,
                blocks,
                channel=channel.ref,
                ephemeral_to=actor_ref if ephemeral else None,
                thread_of=thread_of,
                attachments=attachments,
                reply_token=token,
            )
        self._replied = True
        return await self.send(out)

    def _default_ephemeral(self) -> bool:
        ev = self.event
        if isinstance(ev, CommandInvoked):
            spec = self.runtime.registry.resolve(ev.name, ev.text)[0]
            return bool(spec and spec.ephemeral)
        return isinstance(ev, ButtonPressed | FormSubmitted)

    async def bridged(self, channel: Ref) -> list[Ref]:
        """Channels bridged with `channel` (`[[bridges]]`) on the other running platforms."""
        found: list[Ref] = []
        for bridge in self.runtime.config.bridges:
            sides = {"discord": bridge.discord, "slack": bridge.slack}
            mine = sides.get(channel.platform)
            if mine is None:
                continue
            here = await self.directory.find_channel(channel.platform, channel.workspace, mine)
            if here != channel:
                continue
            for platform, name in sides.items():
                if platform == channel.platform or platform not in self.runtime.ports:
                    continue
                there = await self.directory.find_channel(platform, None, name)
                if there is not None:
                    found.append(there)
        return found

    async def send_bridged(self, out: Outgoing) -> list[Ref]:
        """Send to `out.channel` and to every channel bridged with it; returns the posts."""
        sent: list[Ref] = []
        first = await self.send(out)
        if first is not None:
            sent.append(first)
        if out.channel is None or out.ephemeral_to is not None:
            return sent
        for other in await self.bridged(out.channel):
            copy = await self.send(replace(out, channel=other, thread_of=None, reply_token=None))
            if copy is not None:
                sent.append(copy)
        return sent

    def deliver(self, out: Outgoing) -> bool:
        """Queue `out` to be sent once this unit of work commits (see `bot.outbox`).

        For messages nobody waits for and whose ref is not kept: DMs, reminders,
        announcements to many. Never sent if the change that asked for it rolls back;
        sent after a restart if the process dies first. False when the platform is not
        running or cannot deliver this kind of message (no DMs, say).
        """
        target = out.dm or out.channel or out.ephemeral_to
        if target is None:
            log.warning("message without a destination from %s dropped", self.feature.name)
            return False
        port = self.runtime.ports.get(target.platform)
        if port is None:
            log.info("%s: no adapter runs for %s; message not queued", self.feature.name, target)
            return False
        if out.dm is not None and Capability.DM not in port.capabilities:
            log.info("%s: %s cannot send direct messages", self.feature.name, target.platform)
            return False
        self.work.parcels.append(replace(out, reply_token=None))
        return True

    def dm(self, member: Ref, text: str, *, blocks: tuple[Block, ...] = ()) -> bool:
        """Queue a direct message to `member` (delivered after the commit)."""
        return self.deliver(Outgoing(text, blocks, dm=member))

    async def open_form(self, form: Form) -> None:
        """Open a modal for the actor, or say how to answer where forms do not exist."""
        if self.actor is None:
            return
        token = getattr(self.event, "reply_token", None)
        await self.port(self.actor.ref.platform).open_form(self.actor.ref, form, token)

    def mention(self, ref: Ref) -> str:
        return self.port(ref.platform).mention(ref)

    def channel_mention(self, ref: Ref) -> str:
        return self.port(ref.platform).channel_mention(ref)

    def link(self, message: Ref) -> str:
        return self.port(message.platform).message_link(message)

    async def public_language(self, channel: Channel | Ref | str | None = None) -> str:
        """The language of a post everyone in `channel` reads: the channel's own
        (`[bot] channel_languages`), else the community's — never the language one
        member chose for themselves. `channel` is a channel, its ref or its name; by
        default the one the event happened in."""
        bot = self.runtime.config.bot
        if not bot.channel_languages:
            return bot.language
        where = self.channel if channel is None else channel
        if isinstance(where, Ref):
            where = await self.directory.channel_name(where)
        name = where.name if isinstance(where, Channel) else where
        return bot.channel_language(name) or bot.language

    @asynccontextmanager
    async def in_public(self, channel: Channel | Ref | str | None = None) -> AsyncIterator[str]:
        """Render a post in a shared channel (`public_language`); replies only the actor
        sees, and DMs, keep the reader's own language (`speaking_to`)."""
        with using_locale(await self.public_language(channel)) as loc:
            yield loc

    def language_of(self, member: MemberRecord) -> str:
        """The language `member` reads in private (see `BotConfig.language_for`)."""
        return self.runtime.config.bot.language_for(member.locale, member.platform_locale)

    @contextmanager
    def speaking_to(self, member: MemberRecord) -> Iterator[str]:
        """Render in `member`'s own language, for a DM or a reply only they see."""
        with using_locale(self.language_of(member)) as loc:
            yield loc

    # --- jobs and signals ------------------------------------------------------------

    async def schedule(
        self, key: str, name: str, due_at: datetime, payload: Mapping[str, Any] | None = None
    ) -> None:
        """Persist a one-off job (`name` is one of this feature's jobs), armed after commit."""
        store = self.repo(JobStore)  # type: ignore[type-abstract]
        job = await store.schedule(key, self.feature.name, name, due_at, dict(payload or {}))
        self.work.armed.append(job)

    async def cancel(self, key: str) -> None:
        store = self.repo(JobStore)  # type: ignore[type-abstract]
        if await store.cancel(key):
            self.work.cancelled.append(key)

    async def emit(self, signal: object) -> None:
        """Tell other features something happened, inside this same unit of work."""
        await self.runtime.dispatcher.deliver(self.work, signal, self.actor, self.level)
