"""Routes one event to its handlers inside one unit of work.

The rules that make a bot survive real platforms live here, once:
- a platform event id is processed at most once (Slack retries, Discord replays);
- each handler runs in its own savepoint, so one failing feature neither kills the
  bot nor undoes what other features did with the same event;
- a failure is logged with context and answered with a sentence, never a traceback;
- the activity log gets the facts metrics need, never message content.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from contextlib import nullcontext
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.args import (
    ArgError,
    ArgKind,
    ChannelToken,
    MemberToken,
    echo_safe,
    parse_args,
    usage,
)
from bot.batching import GroupCommit
from bot.config import LimitsConfig
from bot.context import Context, NotAllowed, UserError, Work
from bot.i18n import _, using_locale
from bot.model import (
    ButtonPressed,
    Channel,
    CommandInvoked,
    Event,
    FormSubmitted,
    Level,
    Member,
    MemberJoined,
    MemberLeft,
    MemberRecord,
    MessagePosted,
    Outgoing,
    ReactionChanged,
    Ref,
    RoleChanged,
)
from bot.permissions import level_group
from bot.ports import ActivityFact, ActivityLog, Directory, EventLog, StorageUnavailable
from bot.ratelimit import RateLimiter, rate_key
from bot.redelivery import Redelivery
from bot.registry import CommandSpec, Feature
from bot.runtime import Runtime
from bot.sentiment import Scoring, to_score
from bot.text import defuse, neutral, one_line

log = logging.getLogger(__name__)

MAX_SIGNAL_DEPTH = 8


def actor_of(event: Event) -> Member | None:
    if isinstance(event, MessagePosted):
        return event.message.author
    if isinstance(event, MemberJoined | MemberLeft | RoleChanged):
        return event.member
    return getattr(event, "actor", None)


def _from_bot(event: Event) -> bool:
    actor = actor_of(event)
    return actor is not None and actor.is_bot


def activity_kind(event: Event) -> str | None:
    if isinstance(event, MessagePosted):
        return "reply" if event.message.thread_of else "message"
    if isinstance(event, ReactionChanged):
        return "reaction" if event.added else None
    if isinstance(event, CommandInvoked):
        return "command"
    if isinstance(event, ButtonPressed | FormSubmitted):
        return "click"
    if isinstance(event, MemberJoined):
        return "join"
    if isinstance(event, MemberLeft):
        return "leave"
    return None


async def _worded(ctx: Context, refusal: UserError) -> str:
    """A refusal's text; a permission refusal names who can help, looked up."""
    if isinstance(refusal, NotAllowed):
        return refusal.sentence(await ctx.who_can(refusal.level))
    return refusal.message


class Dispatcher:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        runtime._dispatcher = self
        self.handled = 0
        self.duplicates = 0
        self.failures = 0
        self._in_flight = 0
        self.last_event_at: datetime | None = None
        self.limiter = RateLimiter(runtime.config.limits.commands_per_minute)
        self.click_limiter = RateLimiter(runtime.config.limits.clicks_per_minute)
        self._known_channels: set[tuple[Ref, str]] = set()
        self._known_workspaces: set[tuple[str, str]] = set()
        self._idle = asyncio.Event()
        self._idle.set()
        self._batches = GroupCommit(self._process, lanes=runtime.storage.lanes)
        self.redelivery = Redelivery(self.handle, runtime.clock.now)

    async def handle(self, event: Event) -> bool:
        """Process one event; False when it was a duplicate or could not be processed."""
        self._in_flight += 1
        self._idle.clear()
        try:
            return await self._batches.submit(event)
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.set()

    def apply_limits(self, limits: LimitsConfig) -> None:
        """New limits (hot reload); the windows people are in carry over."""
        self.limiter.limit = limits.commands_per_minute
        self.click_limiter.limit = limits.clicks_per_minute

    async def drain(self, limit: float = 10.0) -> bool:
        """Wait until no event is being handled (graceful shutdown); False on time-out."""
        try:
            async with asyncio.timeout(limit):
                await self._idle.wait()
        except TimeoutError:
            log.warning("%d event(s) still in flight at shutdown", self._in_flight)
            return False
        return True

    async def _process(self, events: Sequence[Event]) -> list[bool]:
        """Process events in one unit of work, each in a savepoint of its own.

        Claims and activity rows are written in bulk; an event that fails outside its
        handlers (whose failures are their own) is rolled back alone, its claim
        released so the platform's retry gets another chance.
        """
        outcome = [False] * len(events)
        wanted = [e for e in events if not _from_bot(e)]
        if not wanted:
            return outcome
        done: list[tuple[int, Work]] = []
        failed: list[Event] = []
        tones = Scoring.start(self.runtime, wanted)  # in a worker thread meanwhile
        try:
            async with self.runtime.storage.unit_of_work() as uow:
                now = self.runtime.clock.now()
                claims: EventLog = uow.get(EventLog)  # type: ignore[type-abstract]
                fresh = await claims.claim([e.event_id for e in wanted], now)
                if len(wanted) > 1:
                    directory: Directory = uow.get(Directory)  # type: ignore[type-abstract]
                    await directory.preload([a.ref for e in wanted if (a := actor_of(e))])
                facts: list[ActivityFact] = []
                for index, event in enumerate(events):
                    if _from_bot(event):
                        continue
                    if event.event_id not in fresh:
                        self.duplicates += 1
                        continue
                    fresh.discard(event.event_id)  # the same id twice in one batch
                    work = Work(self.runtime, uow)
                    try:
                        # Alone in its unit of work, an event needs no savepoint of its own.
                        async with uow.savepoint() if len(wanted) > 1 else nullcontext():
                            fact, scored = await self._one(work, event)
                    except StorageUnavailable:
                        raise
                    except Exception:
                        if len(wanted) == 1:
                            raise
                        self.failures += 1
                        log.exception("event %s (%s) failed", event.event_id, type(event).__name__)
                        await claims.release(event.event_id)
                        failed.append(event)
                        continue
                    if fact is not None:
                        if scored:
                            tones.keep(len(facts), event.event_id)
                        facts.append(fact)
                    done.append((index, work))
                facts = await tones.apply(facts)
                await uow.get(ActivityLog).record(facts)  # type: ignore[type-abstract]
                await self.runtime.outbox.stage([work for _index, work in done])
        except StorageUnavailable:
            log.warning("storage unavailable while handling %d event(s)", len(wanted))
            for event in wanted:
                if isinstance(event, CommandInvoked | ButtonPressed | FormSubmitted):
                    await self._apologise(
                        event, _("Agora is temporarily unavailable. Please try again in a minute.")
                    )
                else:  # nobody can "try again" a message or a join: it is handled later
                    self.redelivery.offer(event)
            return [False] * len(events)
        except Exception:
            self.failures += 1
            log.exception("event(s) %s failed", ", ".join(e.event_id for e in wanted))
            failed = wanted
            done = []
        for event in failed:
            await self._apologise(
                event,
                _(
                    "Something went wrong on our side; the moderators can see what in the log. "
                    "Please try again."
                ),
            )
        for index, work in done:
            outcome[index] = True
            self.handled += 1
            self.last_event_at = events[index].occurred_at
            await self._after_commit(work)
        return outcome

    async def _one(self, work: Work, event: Event) -> tuple[ActivityFact | None, bool]:
        """Everything one event does; returns the activity fact to record for it and
        whether the fact gets a tone score (`Scoring`)."""
        actor = actor_of(event)
        record = await self._remember(work, event, actor)
        await self._remember_channel(work, event)
        if actor is not None:
            place = (actor.ref.platform, actor.ref.workspace)
            await self._once(
                work,
                self._known_workspaces,
                place,
                lambda d: d.register_workspace(*place, self.runtime.clock.now()),
            )
        level = self.runtime.permissions.level_of(actor) if actor else Level.MEMBER
        with using_locale(self._locale(event, record)):
            await self._route(work, event, record, level)
        return self._activity(work, event, record), to_score(self.runtime, event, record)

    def _locale(self, event: Event, record: MemberRecord | None) -> str:
        """The member's own choice, else the channel's language, else (if allowed) what
        their client speaks, else the community's: `BotConfig.language_for`."""
        channel = getattr(event, "channel", None)
        if isinstance(event, MessagePosted):
            channel = event.message.channel
        hint = getattr(event, "locale", None) or (record.platform_locale if record else None)
        return self.runtime.config.bot.language_for(
            record.locale if record else None,
            hint,
            channel.name if isinstance(channel, Channel) else None,
        )

    async def _remember_channel(self, work: Work, event: Event) -> None:
        """Register channels as events reveal them (once per process), for name lookups."""
        channel = getattr(event, "channel", None)
        if isinstance(event, MessagePosted):
            channel = event.message.channel
        if not isinstance(channel, Channel):
            return
        await self._once(
            work,
            self._known_channels,
            (channel.ref, channel.name),
            lambda d: d.upsert_channel(channel.ref, channel.name, channel.kind.value),
        )

    @staticmethod
    async def _once(
        work: Work, known: set[Any], key: Any, write: Callable[[Directory], Awaitable[None]]
    ) -> None:
        """Write what events reveal (a channel, a workspace) once per process, not per event."""
        if key in known:
            return
        await write(work.uow.get(Directory))  # type: ignore[type-abstract]

        async def remember() -> None:  # only once the write has committed
            known.add(key)

        work.after_commit.append(remember)

    async def _remember(
        self, work: Work, event: Event, actor: Member | None
    ) -> MemberRecord | None:
        if actor is None:
            return None
        directory: Directory = work.uow.get(Directory)  # type: ignore[type-abstract]
        now = self.runtime.clock.now()
        if isinstance(event, MemberJoined):
            return await directory.member_joined(actor, now)
        if isinstance(event, MemberLeft):
            return await directory.member_left(actor.ref, now)
        if isinstance(event, RoleChanged):
            record = await directory.upsert_member(actor, now)
            await directory.set_roles(actor.ref, actor.roles)
            return record
        return await directory.upsert_member(actor, now)

    def _activity(
        self, work: Work, event: Event, record: MemberRecord | None
    ) -> ActivityFact | None:
        kind = activity_kind(event)
        if kind is None or record is None or record.person_id in work.forgotten:
            return None
        channel = getattr(event, "channel", None)
        length = 0
        if isinstance(event, MessagePosted):
            channel = event.message.channel
            length = len(event.message.text)
        return ActivityFact(
            person_id=record.person_id,
            member=record.ref,
            channel_id=channel.ref.id if channel is not None else "",
            kind=kind,
            at=event.occurred_at,
            length=length,
            reply=kind == "reply",
        )

    # --- routing ---------------------------------------------------------------------

    async def _route(
        self, work: Work, event: Event, actor: MemberRecord | None, level: Level
    ) -> None:
        if isinstance(event, CommandInvoked):
            await self._command(work, event, actor, level)
        elif isinstance(event, ButtonPressed | FormSubmitted):
            await self._action(work, event, actor, level)
        await self.deliver(work, event, actor, level)

    async def deliver(
        self, work: Work, signal: object, actor: MemberRecord | None, level: Level
    ) -> None:
        """Run every listener of `signal` (platform event or feature signal)."""
        if work.depth >= MAX_SIGNAL_DEPTH:
            log.error("signal loop stopped at %s", type(signal).__name__)
            return
        work.depth += 1
        try:
            for feature in self.runtime.registry.features.values():
                for listener in feature.listeners:
                    if isinstance(signal, listener.event_type):
                        event = signal if isinstance(signal, Event) else None
                        ctx = Context(work, feature, event, actor, level)
                        await self._guarded(ctx, listener.handler, signal, quiet=True)
        finally:
            work.depth -= 1

    async def _command(
        self, work: Work, event: CommandInvoked, actor: MemberRecord | None, level: Level
    ) -> None:
        if await self._too_fast(self.limiter, work, event, actor, level):
            return
        spec, text = self.runtime.registry.resolve(event.name, event.text)
        if spec is None:
            ctx = Context(work, self._core_feature(), event, actor, level)
            await ctx.reply(
                _(
                    "There is no command /{name}. Type /help to see what you can use.",
                    name=one_line(event.name, limit=100),
                ),
                ephemeral=True,
            )
            return
        feature = self.runtime.registry.features[spec.feature]
        ctx = Context(work, feature, event, actor, level)
        if not level.allows(spec.level):
            await ctx.reply(
                _(
                    "Sorry, /{name} is for {levels} only. Ask {who}.",
                    name=spec.name,
                    levels=level_group(spec.level),
                    who=await ctx.who_can(spec.level),
                ),
                ephemeral=True,
            )
            return
        if not await self._guards_allow(work, event, actor, level, spec):
            return
        try:
            options = dict(event.options) if event.options is not None else None
            values = parse_args(spec.args, text, options)
            values = echo_safe(spec.args, await self._resolve(ctx, spec, values))
        except ArgError as error:
            await ctx.reply(
                _(
                    "{problem}\nUsage: {usage}",
                    problem=neutral(str(error)),  # it may quote what was typed
                    usage=usage(ctx.command_path(spec.name), spec.args),
                ),
                ephemeral=True,
            )
            return

        async def run(ctx: Context, _signal: object) -> None:
            await spec.handler(ctx, **values)

        await self._guarded(ctx, run, event, quiet=False)

    async def _too_fast(
        self,
        limiter: RateLimiter,
        work: Work,
        event: CommandInvoked | ButtonPressed | FormSubmitted,
        actor: MemberRecord | None,
        level: Level,
    ) -> bool:
        """True when this person is over `limiter`'s rate; the first refusal says so."""
        verdict = limiter.check(rate_key(event.actor.ref, actor), self.runtime.clock.now())
        if verdict.allowed:
            return False
        if verdict.tell:
            ctx = Context(work, self._core_feature(), event, actor, level)
            seconds = max(1, int(verdict.retry_after.total_seconds()))
            await ctx.reply(
                _("You're going a bit fast. Try again in {seconds} s.", seconds=seconds),
                ephemeral=True,
            )
        return True

    async def _guards_allow(
        self,
        work: Work,
        event: CommandInvoked,
        actor: MemberRecord | None,
        level: Level,
        spec: CommandSpec,
    ) -> bool:
        """Run every feature's `before_command` hook; False when one refused (it replied).

        A hook that crashes is logged and ignored: a bug in one feature's gate must not
        take every command of every feature down with it.
        """
        for feature in self.runtime.registry.features.values():
            for guard in feature.command_guards:
                ctx = Context(work, feature, event, actor, level)
                try:
                    async with work.uow.savepoint():
                        await guard(ctx, spec)
                except UserError as refusal:
                    await ctx.reply(await _worded(ctx, refusal), ephemeral=True)
                    return False
                except StorageUnavailable:
                    raise
                except Exception:
                    self.failures += 1
                    log.exception("%s: command guard failed on /%s", feature.name, spec.name)
        return True

    async def _resolve(
        self, ctx: Context, spec: CommandSpec, values: dict[str, Any]
    ) -> dict[str, Any]:
        platform = ctx.actor.ref if ctx.actor else None
        if platform is None:
            return values
        for arg in spec.args:
            value = values.get(arg.name)
            if arg.kind is ArgKind.MEMBER and isinstance(value, MemberToken):
                # A platform's mention is an id: one indexed lookup, never a name search.
                found = await (
                    ctx.directory.get(platform.sibling(value.text))
                    if value.is_id
                    else ctx.directory.find(platform.platform, platform.workspace, value.text)
                )
                if found is None:
                    raise ArgError(_("I don't know a member called {name}.", name=value.text))
                values[arg.name] = found
            elif arg.kind is ArgKind.CHANNEL and isinstance(value, ChannelToken):
                if value.is_id:
                    values[arg.name] = platform.sibling(value.text)
                else:
                    ref = await ctx.directory.find_channel(
                        platform.platform, platform.workspace, value.text
                    )
                    if ref is None:
                        raise ArgError(_("I don't know a channel called #{name}.", name=value.text))
                    values[arg.name] = ref
        return values

    async def _action(
        self,
        work: Work,
        event: ButtonPressed | FormSubmitted,
        actor: MemberRecord | None,
        level: Level,
    ) -> None:
        if await self._too_fast(self.click_limiter, work, event, actor, level):
            return
        kind = "button" if isinstance(event, ButtonPressed) else "form"
        action_id = event.action_id if isinstance(event, ButtonPressed) else event.form_id
        spec = self.runtime.registry.action(action_id, kind)
        if spec is None:
            log.info("no handler for %s %s", kind, action_id)
            ctx = Context(work, self._core_feature(), event, actor, level)
            await ctx.reply(
                _("This button no longer works. Run the command again."), ephemeral=True
            )
            return
        if isinstance(event, FormSubmitted):  # answers are free text, like arguments
            event = replace(event, values={k: defuse(v) for k, v in event.values.items()})
        feature = self.runtime.registry.features[spec.feature]
        ctx = Context(work, feature, event, actor, level)
        await self._guarded(ctx, spec.handler, event, quiet=False)

    async def _guarded(
        self,
        ctx: Context,
        handler: Callable[[Context, Any], Awaitable[None]],
        signal: object,
        *,
        quiet: bool,
    ) -> None:
        """Run one handler in a savepoint: its failure is its own (messages it queued too)."""
        queued = len(ctx.work.parcels)
        try:
            async with ctx.work.uow.savepoint():
                await handler(ctx, signal)
        except UserError as refusal:
            del ctx.work.parcels[queued:]
            await ctx.reply(await _worded(ctx, refusal), ephemeral=refusal.ephemeral)
        except StorageUnavailable:
            raise
        except Exception:
            del ctx.work.parcels[queued:]
            self.failures += 1
            log.exception(
                "%s failed on %s (actor %s)",
                ctx.feature.name,
                type(signal).__name__,
                ctx.actor.ref if ctx.actor else None,
            )
            if not quiet:
                await ctx.reply(
                    _(
                        "Sorry, that did not work because of an error on our side. "
                        "The error was logged; please try again later."
                    ),
                    ephemeral=True,
                )

    def _core_feature(self) -> Feature:
        feature = self.runtime.registry.features.get("core")
        return feature if feature is not None else Feature("core")

    async def _after_commit(self, work: Work) -> None:
        scheduler = self.runtime._scheduler
        if scheduler is not None:
            for key in work.cancelled:
                scheduler.disarm_key(key)
            for job in work.armed:
                scheduler.arm(job)
        for hook in work.after_commit:
            try:
                await hook()
            except Exception:
                log.exception("after-commit hook failed")
        await self.runtime.outbox.hand_over(work.staged)

    async def _apologise(self, event: Event, text: str) -> None:
        """Tell the actor something failed, without touching storage."""
        actor = actor_of(event)
        channel = getattr(event, "channel", None)
        if actor is None or not isinstance(event, CommandInvoked | ButtonPressed | FormSubmitted):
            return
        try:
            port = self.runtime.port(actor.ref.platform)
            out = Outgoing(
                text,
                channel=channel.ref if channel is not None else None,
                dm=None if channel is not None else actor.ref,
                ephemeral_to=actor.ref if channel is not None else None,
                reply_token=event.reply_token,
            )
            await port.send(out)
        except Exception:
            log.exception("could not apologise to %s", actor.ref)
