"""Features declare what they handle; the registry is the one source of truth.

The Discord adapter syncs application commands from it, `agora slack-manifest`
builds the Slack manifest from it, `/help` lists it, and a test checks that no two
features claim one command name.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from bot.args import Arg
from bot.config import AgoraConfig, FeatureConfig, Problem
from bot.model import Block, Event, Level
from bot.needs import Need
from bot.stats import Figure, Window

if TYPE_CHECKING:
    from bot.context import Context

CommandHandler = Callable[..., Awaitable[None]]
EventHandler = Callable[["Context", Any], Awaitable[None]]
JobHandler = Callable[["Context", dict[str, Any]], Awaitable[None]]
PersonHook = Callable[["Context", int], Awaitable[Any]]
HomeHook = Callable[["Context"], Awaitable[Sequence[Block]]]
StatsHook = Callable[["Context", Window], Awaitable[Sequence[Figure]]]
CommandGuard = Callable[["Context", "CommandSpec"], Awaitable[None]]
NeedsHook = Callable[[Any], Iterable[Need]]
ConfigCheck = Callable[[Any, AgoraConfig], Iterable[Problem]]
CronSource = str | Callable[[Any], str | None] | None

F = TypeVar("F", bound=Callable[..., Any])


class RegistryError(Exception):
    """Two declarations clash; found at start-up, never at run time."""


# The word for a root command's own form where a platform cannot have a command that both
# runs itself and holds subcommands (Discord): `/kudos @bob` and `/kudos me` become
# `/kudos give @bob` and `/kudos me`. Each such root declares its verb (`verb="give"`);
# a plugin that does not gets this one.
DEFAULT_VERB = "run"
_VERB = re.compile(r"[a-z][a-z0-9-]{0,31}")


@dataclass(frozen=True, slots=True)
class CommandSpec:
    name: str
    help: str
    args: tuple[Arg, ...]
    level: Level
    feature: str
    handler: CommandHandler
    ephemeral: bool = False
    hidden: bool = False
    # This root command's own form where it must be named (see DEFAULT_VERB); "" for none.
    verb: str = ""

    @property
    def root(self) -> str:
        return self.name.split(" ", 1)[0]

    @property
    def sub(self) -> str | None:
        parts = self.name.split(" ", 1)
        return parts[1] if len(parts) == 2 else None


@dataclass(frozen=True, slots=True)
class Listener:
    # A platform event class or a signal class from bot.signals.
    event_type: type[object]
    handler: EventHandler
    feature: str


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """A button/select (`kind="button"`) or form (`kind="form"`) handler by id prefix."""

    prefix: str
    handler: EventHandler
    feature: str
    kind: str


@dataclass(frozen=True, slots=True)
class JobSpec:
    """A job. With `cron` it runs on a schedule; without, it runs persisted one-offs."""

    name: str
    handler: JobHandler
    feature: str
    cron: CronSource = None
    timezone: str | None = None

    @property
    def qualified(self) -> str:
        return f"{self.feature}.{self.name}"


@dataclass
class Feature:
    """A feature: its config model and the handlers it declares."""

    name: str
    config: type[FeatureConfig] = FeatureConfig
    description: str = ""
    commands: list[CommandSpec] = field(default_factory=list)
    listeners: list[Listener] = field(default_factory=list)
    actions: list[ActionSpec] = field(default_factory=list)
    jobs: list[JobSpec] = field(default_factory=list)
    forget_hooks: list[PersonHook] = field(default_factory=list)
    export_hooks: list[PersonHook] = field(default_factory=list)
    checks: list[ConfigCheck] = field(default_factory=list)
    home_hooks: list[HomeHook] = field(default_factory=list)
    # Home sections of features with `home(…, first=True)` lead (the member's profile).
    home_first: bool = False
    stats_hooks: list[StatsHook] = field(default_factory=list)
    command_guards: list[CommandGuard] = field(default_factory=list)
    # What the platform must show the feature or let it do, whatever its settings.
    needs: frozenset[Need] = frozenset()
    need_hooks: list[NeedsHook] = field(default_factory=list)

    def command(
        self,
        name: str,
        *,
        help: str,
        args: Sequence[Arg] = (),
        level: Level = Level.MEMBER,
        ephemeral: bool = False,
        hidden: bool = False,
        verb: str = "",
    ) -> Callable[[F], F]:
        def register(fn: F) -> F:
            spec = CommandSpec(
                name,
                help,
                tuple(args),
                level,
                self.name,
                fn,
                ephemeral=ephemeral,
                hidden=hidden,
                verb=verb,
            )
            self.commands.append(spec)
            return fn

        return register

    def on(self, event_type: type[object]) -> Callable[[F], F]:
        """Handle a platform event type or a signal type (`bot.signals`)."""

        def register(fn: F) -> F:
            self.listeners.append(Listener(event_type, fn, self.name))
            return fn

        return register

    def button(self, action: str) -> Callable[[F], F]:
        """Handle buttons whose action id is `<feature>:<action>[:…]`."""
        return self._action(action, "button")

    def form(self, form: str) -> Callable[[F], F]:
        """Handle forms whose id is `<feature>:<form>[:…]`."""
        return self._action(form, "form")

    def _action(self, action: str, kind: str) -> Callable[[F], F]:
        def register(fn: F) -> F:
            self.actions.append(ActionSpec(f"{self.name}:{action}", fn, self.name, kind))
            return fn

        return register

    def job(
        self, name: str, *, cron: CronSource = None, timezone: str | None = None
    ) -> Callable[[F], F]:
        def register(fn: F) -> F:
            self.jobs.append(JobSpec(name, fn, self.name, cron, timezone))
            return fn

        return register

    def forget(self, fn: F) -> F:
        """Declare how this feature erases a person (every feature with tables must)."""
        self.forget_hooks.append(fn)
        return fn

    def export(self, fn: F) -> F:
        """Declare what this feature holds about a person, for data export."""
        self.export_hooks.append(fn)
        return fn

    def check(self, fn: F) -> F:
        """Declare extra validation of this feature's section for `agora check`."""
        self.checks.append(fn)
        return fn

    def home(self, fn: F, *, first: bool = False) -> F:
        """Declare blocks this feature adds to a member's home (the Slack App Home tab).

        The hook gets a Context whose actor is the member (no event) and returns blocks.
        `first`: shown before other features' sections (the member's own profile).
        """
        self.home_hooks.append(fn)
        self.home_first = self.home_first or first
        return fn

    def stats(self, fn: F) -> F:
        """Declare figures this feature adds to community metrics for a time window."""
        self.stats_hooks.append(fn)
        return fn

    def before_command(self, fn: F) -> F:
        """Declare a check run before every command of every feature (after permissions).

        The hook gets a Context of this feature (the command's event and actor) and the
        command's spec; raising `UserError` refuses the command with that sentence.
        Used where a feature's state decides who may use the bot at all (onboarding's
        rules gate), so no other feature needs to know about it.
        """
        self.command_guards.append(fn)
        return fn

    def requires(self, fn: F) -> F:
        """Declare needs that depend on this feature's section (`section → needs`)."""
        self.need_hooks.append(fn)
        return fn

    def needs_for(self, section: Any) -> frozenset[Need]:
        """Everything this feature needs from a platform with these settings."""
        found = set(self.needs)
        for hook in self.need_hooks:
            found.update(hook(section))
        return frozenset(found)

    def action_id(self, action: str, *parts: object) -> str:
        return ":".join([self.name, action, *(str(p) for p in parts)])


class Registry:
    """All enabled features, indexed for dispatch."""

    def __init__(self, features: Iterable[Feature]) -> None:
        self.features: dict[str, Feature] = {}
        self._commands: dict[str, CommandSpec] = {}
        self._with_subcommands: set[str] = set()
        for feature in features:
            self.add(feature)

    def add(self, feature: Feature) -> None:
        if feature.name in self.features:
            raise RegistryError(f"feature {feature.name!r} registered twice")
        for spec in feature.commands:
            if spec.name in self._commands:
                other = self._commands[spec.name].feature
                raise RegistryError(
                    f"command /{spec.name} is declared by both {other!r} and {feature.name!r}"
                )
        self.features[feature.name] = feature
        for spec in feature.commands:
            self._commands[spec.name] = spec
            if spec.sub is not None:
                self._with_subcommands.add(spec.root)
        for spec in self._commands.values():
            if spec.verb:
                self._check_verb(spec)

    def _check_verb(self, spec: CommandSpec) -> None:
        if spec.sub is not None or not _VERB.fullmatch(spec.verb):
            raise RegistryError(
                f"/{spec.name}: verb={spec.verb!r} must be one lower-case word on a root command"
            )
        same = self._commands.get(f"{spec.root} {spec.verb}")
        if same is not None and same.handler is not spec.handler:
            raise RegistryError(
                f"/{spec.name}: its verb {spec.verb!r} is the subcommand /{same.name} already"
            )

    @property
    def commands(self) -> list[CommandSpec]:
        return sorted(self._commands.values(), key=lambda c: c.name)

    def roots(self) -> list[str]:
        return sorted({c.root for c in self._commands.values()})

    def command(self, name: str) -> CommandSpec | None:
        return self._commands.get(name)

    def resolve(self, name: str, text: str) -> tuple[CommandSpec | None, str]:
        """Find the command for `/name text`, preferring a subcommand (`/kudos me`)."""
        name = name.lstrip("/").strip().lower()
        head, _sep, rest = text.strip().partition(" ")
        if head:
            sub = self._commands.get(f"{name} {head.lower()}")
            if sub is not None:
                return sub, rest.strip()
        return self._commands.get(name), text.strip()

    def path(self, name: str, *, verbs: bool) -> str:
        """Command `name` as members type it (without the slash).

        With `verbs` (platforms where a command cannot both run itself and hold
        subcommands), a root that has subcommands is typed with its verb: `kudos give`.
        """
        spec = self._commands.get(name)
        if not verbs or spec is None or spec.sub is not None:
            return name
        if spec.root not in self._with_subcommands:
            return name
        return f"{name} {verb_of(spec)}"

    def subcommands(self, root: str) -> list[CommandSpec]:
        return [c for c in self.commands if c.root == root and c.sub]

    def needs(self, config: AgoraConfig) -> dict[Need, tuple[str, ...]]:
        """Each need of the features, with the features that have it (in registry order)."""
        found: dict[Need, list[str]] = {}
        for feature in self.features.values():
            section = config.feature(feature.name, feature.config)
            for need in feature.needs_for(section):
                found.setdefault(need, []).append(feature.name)
        return {need: tuple(found[need]) for need in Need if need in found}

    def listeners(self, event: Event) -> Iterator[Listener]:
        for feature in self.features.values():
            for listener in feature.listeners:
                if isinstance(event, listener.event_type):
                    yield listener

    def action(self, action_id: str, kind: str) -> ActionSpec | None:
        best: ActionSpec | None = None
        for feature in self.features.values():
            for spec in feature.actions:
                if spec.kind != kind:
                    continue
                matches = action_id == spec.prefix or action_id.startswith(spec.prefix + ":")
                if matches and (best is None or len(spec.prefix) > len(best.prefix)):
                    best = spec
        return best

    def home_order(self) -> list[Feature]:
        """Features in the order their home sections show (`first` ones lead)."""
        return sorted(self.features.values(), key=lambda f: not f.home_first)

    def jobs(self) -> list[JobSpec]:
        return [job for f in self.features.values() for job in f.jobs]

    def job(self, feature: str, name: str) -> JobSpec | None:
        found = self.features.get(feature)
        if found is None:
            return None
        return next((j for j in found.jobs if j.name == name), None)


def verb_of(spec: CommandSpec) -> str:
    """The word for a root command's own form where a platform needs one (`kudos give`)."""
    return spec.verb or DEFAULT_VERB
