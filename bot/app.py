"""The composition root: builds storage, runtime, dispatcher, scheduler and adapters.

This and `cli.py` are the only core modules that touch `storage/` and `adapters/`,
and only inside functions, so importing the core never pulls in an SDK.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, Protocol, TypeVar

from bot.clock import FakeClock, SystemClock
from bot.config import AgoraConfig, LimitsConfig, Problem
from bot.config_checks import ENABLE_ONE, NOTHING_TO_RUN, console_enabled
from bot.config_checks import validate_config as validate_config  # where callers know it
from bot.dispatch import Dispatcher
from bot.i18n import _, ngettext
from bot.model import Workspace
from bot.outbox import Outbox
from bot.pidfile import PidFile
from bot.ports import ChatPort, Clock, Directory, Storage
from bot.redact import protect, redact, secret_values
from bot.registry import Feature, Registry
from bot.runtime import Runtime, default_instance_id
from bot.scheduler import CronError, Scheduler, sleep_until_idle

if TYPE_CHECKING:
    from adapters.console.adapter import ConsoleAdapter

log = logging.getLogger(__name__)

T = TypeVar("T")

# Seconds a thread may hold the GIL while another waits (Python's default is 0.005).
GIL_SWITCH_INTERVAL = 0.0005


class StartupError(Exception):
    """Agora cannot start; the message tells the admin what to do."""


class Adapter(Protocol):
    """A running platform connection."""

    @property
    def name(self) -> str: ...

    @property
    def port(self) -> ChatPort: ...

    @property
    def connected(self) -> bool:
        """Is the platform connection up right now (for health checks)?"""
        ...

    async def start(self, app: App) -> None: ...

    async def run(self) -> int:
        """Run until the adapter is done (console: `:quit`); others wait for stop()."""
        ...

    async def stop(self) -> None: ...


@dataclass
class App:
    runtime: Runtime
    dispatcher: Dispatcher
    scheduler: Scheduler
    adapters: list[Adapter] = field(default_factory=list)
    background: set[asyncio.Task[Any]] = field(default_factory=set)
    started: bool = False
    started_at: datetime | None = None
    # Every feature this build can run; the config's `enabled` flags pick from it.
    available: list[Feature] = field(default_factory=list)

    @property
    def config(self) -> AgoraConfig:
        return self.runtime.config

    def attach(self, adapter: Adapter) -> None:
        self.adapters.append(adapter)
        self.runtime.ports[adapter.port.platform] = adapter.port

    async def start(self) -> None:
        for adapter in self.adapters:
            await adapter.start(self)
        await self.runtime.outbox.start()
        try:
            await self.scheduler.start()
        except CronError as error:
            raise StartupError(
                _(
                    "A scheduled job has a bad cron expression: {error}. Fix it in the "
                    "config; `agora check` shows the line.",
                    error=error,
                )
            ) from None
        self.started = True
        self.started_at = self.runtime.clock.now()
        # What exists now (modules, SDK caches, config) lives as long as the process; a
        # full garbage collection would walk its ~150,000 objects every time, pausing
        # the event loop for tens of milliseconds. Frozen, they are never walked again.
        gc.freeze()
        # Every SQLite statement is handed to the driver's thread and back. With the
        # default 5 ms switch interval a busy event loop keeps the GIL that long before
        # the driver thread may answer; at 0.5 ms, kudos under a flood (bench
        # kudos_give, paired runs on SQLite) went from p99 1,004 / 554 ms to 383 / 167.
        sys.setswitchinterval(GIL_SWITCH_INTERVAL)

    async def reload(self) -> list[Problem]:
        """Hot reload (SIGHUP, `agora reload`): re-read the file; keep the old config on errors."""
        from bot.config import ConfigError, load_config

        current = self.runtime.config
        if current.source is None:
            log.warning("reload: Agora runs on built-in defaults, there is no file to re-read")
            return [Problem("", None, _("there is no config file to reload"))]
        try:
            fresh = await asyncio.to_thread(load_config, current.source)
        except ConfigError as error:
            problems = error.problems
        else:
            problems = await asyncio.to_thread(validate_config, fresh)
        if problems:
            for problem in problems:
                log.error("reload refused, the old config stays in force: %s", problem)
            return problems
        virtual = not (current.discord.enabled or current.slack.enabled)
        fresh = effective(fresh, virtual=virtual)
        for section in ("storage", "discord", "slack", "console"):
            if getattr(fresh, section) != getattr(current, section):
                log.warning("reload: [%s] changed; restart Agora for it to take effect", section)
        fresh = fresh.model_copy(
            update={s: getattr(current, s) for s in ("storage", "discord", "slack", "console")}
        )
        registry = self._registry_for(fresh)
        self.runtime.replace_config(fresh, registry)
        self.dispatcher.apply_limits(fresh.limits)  # keeps everyone's current window
        await self.scheduler.reload()
        log.info("configuration reloaded from %s", current.source)
        return []

    def _registry_for(self, fresh: AgoraConfig) -> Registry | None:
        """A new registry when `[features.X] enabled` changed (None: keep the one running).

        Commands, listeners, buttons and jobs follow it at once; the menus Discord and
        Slack show were registered at start, so they follow at the next restart (a
        command still shown there answers "there is no command" meanwhile).
        """
        before = set(self.runtime.registry.features)
        chosen = enabled_features(fresh, self.available or None)
        after = {f.name for f in chosen}
        if after == before:
            return None
        for name in sorted(after - before):
            log.warning("reload: feature %s turned on", name)
        for name in sorted(before - after):
            log.warning("reload: feature %s turned off: its commands, listeners, jobs stop", name)
        if fresh.discord.enabled or fresh.slack.enabled:
            log.warning("reload: the Discord and Slack command menus change at the next restart")
        return Registry(chosen)

    async def stop(self) -> None:
        """Finish in-flight events and queued messages (adapters still up), then close down."""
        await self.dispatcher.drain()
        await self.dispatcher.redelivery.stop()
        await self.runtime.outbox.stop()
        for adapter in reversed(self.adapters):
            try:
                await adapter.stop()
            except Exception:
                log.exception("adapter %s did not stop cleanly", adapter.name)
        await self.scheduler.stop()
        self.started = False
        await sleep_until_idle(self.scheduler)
        await self.runtime.storage.close()


def enabled_features(
    config: AgoraConfig, features: Sequence[Feature] | None = None
) -> list[Feature]:
    """The features to run: the core one (help, language) always, others when enabled."""
    from bot.features import all_features
    from bot.features.core.handlers import feature as core

    chosen = list(features) if features is not None else all_features()
    if all(f.name != core.name for f in chosen):
        chosen.insert(0, core)
    return [f for f in chosen if f is core or config.feature(f.name, f.config).enabled]


async def open_storage(
    config: AgoraConfig, *, env: Mapping[str, str] | None = None, create_schema: bool = False
) -> Storage:
    """Connect and make sure the schema is current (or say how to make it so)."""
    from storage.engine import SqlStorage, Timeouts, create_engine
    from storage.migrate import missing_migrations, upgrade
    from storage.schema import load_all

    url = config.storage.resolved_url(env if env is not None else os.environ)
    section = config.storage
    timeouts = Timeouts(section.connect_timeout, section.command_timeout, section.pool_timeout)
    engine = create_engine(url, echo=section.echo, timeouts=timeouts)
    storage = SqlStorage(engine)
    try:
        if create_schema:
            metadata = load_all()
            async with engine.begin() as conn:
                await conn.run_sync(metadata.create_all)
            return storage
        missing = await missing_migrations(engine)
        if missing:
            if not config.storage.should_auto_migrate(url):
                raise StartupError(
                    ngettext(
                        "The database schema is out of date ({n} migration to apply). "
                        "Run `agora db upgrade` first, or set auto_migrate = true under [storage].",
                        "The database schema is out of date ({n} migrations to apply). "
                        "Run `agora db upgrade` first, or set auto_migrate = true under [storage].",
                        len(missing),
                    )
                )
            log.info("applying %d migration(s)", len(missing))
            await upgrade(engine)
    except StartupError:
        await storage.close()
        raise
    except Exception as error:
        await storage.close()
        explain(url, error)
    return storage


def explain(url: str, error: Exception) -> NoReturn:
    """Raise what the admin should read about a database that cannot be used.

    Errors that are not about the database being there (bugs) pass unchanged.
    """
    from storage.engine import cannot_open, is_outage, sqlite_file
    from storage.migrate import UnknownRevisions

    file = sqlite_file(url)
    if isinstance(error, UnknownRevisions):
        raise StartupError(
            _(
                "The database is newer than this Agora: it carries migrations this version "
                "does not know ({names}). Upgrade Agora to the version that migrated it (or "
                "a later one) and start again.",
                names=str(error),
            )
        ) from error
    if file is not None and cannot_open(error):
        raise StartupError(
            _(
                "Cannot open the SQLite database {file}: {cause}.",
                file=file,
                cause=sqlite_cause(file),
            )
        ) from error
    if is_outage(error):
        raise unreachable(url, error) from error
    raise error


def sqlite_cause(file: Path) -> str:
    """Why SQLite could not open `file`, as far as the file system tells."""
    folder = file.absolute().parent
    if not folder.is_dir():
        return _(
            "the directory {folder} does not exist; create it, or point url under [storage] "
            "to a directory that does",
            folder=folder,
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        return _(
            "the user Agora runs as ({user}) may not write in {folder}, where SQLite keeps "
            "the file and its journal; give that user write access (with Docker: the data "
            "volume must belong to the image's user)",
            user=_user(),
            folder=folder,
        )
    if file.exists() and not os.access(file, os.R_OK | os.W_OK):
        return _(
            "the user Agora runs as ({user}) may not read and write it; give that user "
            "the file (chown) or write access",
            user=_user(),
        )
    return _("check that the path is right and that the user Agora runs as may write there")


def _user() -> str:
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError, AttributeError):  # no pwd (Windows), no passwd entry
        return str(getattr(os, "geteuid", lambda: "?")())


def unreachable(url: str, error: BaseException) -> StartupError:
    """The database is not there; printed to the terminal, so masked here, not by logging."""
    return StartupError(
        redact(_("Cannot reach the database at {url}: {error}", url=url, error=error))
    )


async def build_app(
    config: AgoraConfig,
    *,
    clock: Clock | None = None,
    storage: Storage | None = None,
    features: Sequence[Feature] | None = None,
    env: Mapping[str, str] | None = None,
) -> App:
    """Everything but the adapters.

    On a virtual clock (the console, tests) the outbox delivers inline, right after each
    commit, so every step shows its consequences before the next (see `bot.outbox`).
    """
    available = list(features) if features is not None else None
    registry = Registry(enabled_features(config, available))
    if storage is None:
        storage = await open_storage(config, env=env)
    runtime = Runtime(
        config=config,
        registry=registry,
        storage=storage,
        clock=clock or SystemClock(),
        instance_id=config.bot.instance_id or default_instance_id(),
    )
    runtime._outbox = Outbox(runtime, inline=isinstance(runtime.clock, FakeClock))
    dispatcher = Dispatcher(runtime)
    scheduler = Scheduler(runtime)
    return App(runtime, dispatcher, scheduler, available=available or [])


async def _on_database(
    config: AgoraConfig,
    env: Mapping[str, str] | None,
    job: Callable[[Any], Awaitable[T]],
    *,
    read_only: bool = False,
) -> T:
    """Run `job(engine)` for a CLI command; a database that cannot be used is explained.

    `read_only` for commands that only look (`agora db status`, `agora health`): a
    SQLite file is opened read-only and never created, and nothing waits long.
    """
    from storage.engine import Timeouts, create_engine

    url = config.storage.resolved_url(env if env is not None else os.environ)
    timeouts = Timeouts(3.0, 3.0, 3.0) if read_only else Timeouts()
    engine = create_engine(url, read_only=read_only, timeouts=timeouts)
    try:
        return await job(engine)
    except Exception as error:
        explain(url, error)
    finally:
        await engine.dispose()


async def upgrade_database(config: AgoraConfig, *, env: Mapping[str, str] | None = None) -> int:
    """`agora db upgrade`: apply missing migrations; returns how many branches moved."""
    from storage.migrate import missing_migrations, upgrade

    async def apply(engine: Any) -> int:
        missing = await missing_migrations(engine)
        if missing:
            await upgrade(engine)
        return len(missing)

    return await _on_database(config, env, apply)


async def database_status(
    config: AgoraConfig, *, env: Mapping[str, str] | None = None
) -> set[str] | None:
    """The migration branches missing, looking only (None: no SQLite file yet)."""
    from storage.engine import sqlite_file
    from storage.migrate import missing_migrations

    file = sqlite_file(config.storage.resolved_url(env if env is not None else os.environ))
    if file is not None and not file.exists():
        if not file.absolute().parent.is_dir():  # nothing could ever create it there
            raise StartupError(
                _(
                    "Cannot open the SQLite database {file}: {cause}.",
                    file=file,
                    cause=sqlite_cause(file),
                )
            )
        return None
    return await _on_database(config, env, missing_migrations, read_only=True)


async def known_workspaces(
    config: AgoraConfig, *, env: Mapping[str, str] | None = None
) -> list[Workspace]:
    """The workspaces the database has seen (`agora db status`); the schema must be current."""
    from storage.engine import SqlStorage

    async def read(engine: Any) -> list[Workspace]:
        async with SqlStorage(engine).unit_of_work() as uow:
            directory: Directory = uow.get(Directory)  # type: ignore[type-abstract]
            return list(await directory.workspaces())

    return await _on_database(config, env, read, read_only=True)


def effective(config: AgoraConfig, *, virtual: bool) -> AgoraConfig:
    """The config as run: on the virtual clock, rate limits are off unless set explicitly."""
    if virtual and "limits" not in config.model_fields_set:
        # Virtual time stands still between console lines: a rate limit would only misfire.
        unlimited = LimitsConfig(commands_per_minute=0, clicks_per_minute=0)
        return config.model_copy(update={"limits": unlimited})
    return config


def protect_logs(config: AgoraConfig, env: Mapping[str, str] | None = None) -> None:
    """From now on no log line shows a token, signing secret or database password."""
    names = (
        config.discord.token_env,
        config.slack.bot_token_env,
        config.slack.signing_secret_env,
        config.slack.app_token_env,
        config.slack.admin_token_env,
        config.storage.url_env,
    )
    protect(secret_values(os.environ if env is None else env, names))


async def run(config: AgoraConfig, *, script: str | None = None, out: Any = None) -> int:
    """`agora run`: every adapter the config enables, one core, until stopped."""
    protect_logs(config)
    real_platforms = config.discord.enabled or config.slack.enabled
    if not (real_platforms or console_enabled(config)):
        problem, hint = _(NOTHING_TO_RUN), _(ENABLE_ONE)
        raise StartupError(f"{problem}: {hint}.")
    clock: Clock = SystemClock() if real_platforms else FakeClock(SystemClock().now())
    app = await build_app(effective(config, virtual=not real_platforms), clock=clock)
    from adapters.console.adapter import ConsoleAdapter

    console = (
        ConsoleAdapter(config.console, script=script, out=out) if console_enabled(config) else None
    )
    if console is not None:
        app.attach(console)
    if config.discord.enabled:
        from adapters.discord.adapter import DiscordAdapter

        app.attach(DiscordAdapter(config.discord))
    if config.slack.enabled:
        from adapters.slack.adapter import SlackAdapter

        app.attach(SlackAdapter(config.slack))
    stop = asyncio.Event()
    pid_file = None if script is not None else claim_pid_file(config)
    _install_signal_handlers(stop, app, pid_file)
    health = None
    code = 0
    try:
        await app.start()
        if config.bot.health_port:
            from bot.health import serve_health

            health = await serve_health(app, config.bot.health_host, config.bot.health_port)
        if console is not None:
            code = await run_console(app, console, stop)
        else:
            await stop.wait()
    finally:
        if health is not None:
            await health.cleanup()
        await app.stop()
        if pid_file is not None:
            pid_file.release()
    return code


async def run_console(app: App, console: ConsoleAdapter, stop: asyncio.Event) -> int:
    """The console's exit code once it is done, or 0 when Agora is stopped first.

    `:quit` and the end of a script stop Agora. The end of its input alone stops it
    only when the console runs by itself: beside Discord or Slack, a missing terminal
    (`docker run -d` without `-i`) ends the console and the platforms go on.
    """
    runner = asyncio.create_task(console.run())
    waiter = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({runner, waiter}, return_when=asyncio.FIRST_COMPLETED)
        if not runner.done():
            return 0
        code = runner.result()
        others = [a.name for a in app.adapters if a is not console]
        if console.input_closed and others:
            log.warning(
                "console: its input ended (no terminal); %s go on. Stop Agora with "
                "Ctrl-C or SIGTERM.",
                " and ".join(others),
            )
            await waiter
            return 0
        return code
    finally:
        for task in (runner, waiter):
            task.cancel()
        # The console's own clean-up (history, terminal settings) runs before Agora stops.
        await asyncio.gather(runner, waiter, return_exceptions=True)


def claim_pid_file(config: AgoraConfig) -> PidFile | None:
    """Let `agora reload` and `agora health` find this process (see `bot.pidfile`)."""
    return PidFile.claim(config.bot.pid_file) if config.bot.pid_file else None


async def reload_and_report(app: App, pid_file: PidFile | None) -> None:
    """SIGHUP: reload, and leave the outcome where `agora reload` looks for it."""
    source = app.runtime.config.source
    try:
        problems = await app.reload()
    except Exception:
        log.exception("reload failed")
        problems = [Problem("", None, _("the reload failed; the log says why"))]
    if pid_file is not None:
        pid_file.report_reload(not problems, source, [str(p) for p in problems])


def _install_signal_handlers(stop: asyncio.Event, app: App, pid_file: PidFile | None) -> None:
    import signal

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)

    def reload() -> None:
        task = loop.create_task(reload_and_report(app, pid_file))
        app.background.add(task)
        task.add_done_callback(app.background.discard)

    with contextlib.suppress(NotImplementedError, RuntimeError, AttributeError):
        loop.add_signal_handler(signal.SIGHUP, reload)
