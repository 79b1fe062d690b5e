"""`agora`: run the bot, validate the config, manage the database.

Every failure an admin can cause (a broken TOML file, an unreachable database, an
out-of-date schema) ends in a sentence that says what to do and a non-zero exit
code, never a traceback.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import os
import sys
from collections.abc import Callable, Coroutine, Sequence
from enum import StrEnum
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console, RenderableType
from rich.logging import RichHandler
from rich.text import Text

from bot.config import DEFAULT_CONFIG_FILE, AgoraConfig, ConfigError, Problem, load_config
from bot.i18n import _, ngettext, set_locale
from bot.model import Workspace

if TYPE_CHECKING:
    from bot.pidfile import ReloadOutcome

app = typer.Typer(
    name="agora",
    help="Agora: one community bot for Discord and Slack.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")
gdpr_app = typer.Typer(help="Data requests: export or erase what Agora stores about a person.")
app.add_typer(gdpr_app, name="gdpr")

T = TypeVar("T")

# No console markup: what is printed quotes files, errors and TOML (`[storage]`), which
# Rich would take for style tags and swallow. Styles are given as `Text` instead.
err = Console(stderr=True, markup=False, highlight=False)
out = Console(markup=False, highlight=False)

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="Path to agora.toml (default: $AGORA_CONFIG, else ./agora.toml if present).",
    ),
]


def config_path(given: Path | None) -> Path | None:
    """The file to use: --config, $AGORA_CONFIG, ./agora.toml, or none (built-in defaults)."""
    if given is not None:
        return given
    env = os.environ.get("AGORA_CONFIG")
    if env:
        return Path(env)
    default = Path(DEFAULT_CONFIG_FILE)
    return default if default.exists() else None


def show(console: Console, text: RenderableType) -> None:
    """Print whole lines: piped into a file or `grep`, a problem stays on one line."""
    console.print(text, soft_wrap=not console.is_terminal)


def fail(title: str, error: object) -> None:
    """`title` in red, then what went wrong, on stderr."""
    show(err, Text.assemble((title, "bold red"), " ", str(error)))


def print_problems(
    problems: Sequence[Problem | str],
    source: str | None,
    *,
    heading: str | None = None,
    style: str = "bold red",
) -> None:
    if heading is None:
        name = source or _("configuration")
        heading = ngettext(
            "{name} has {n} problem:", "{name} has {n} problems:", len(problems), name=name
        )
    show(err, Text(heading, style=style))
    for problem in problems:
        show(err, f"  • {problem}")


def load_or_exit(path: Path | None) -> AgoraConfig:
    try:
        config = load_config(config_path(path))
    except ConfigError as error:
        print_problems(error.problems, error.source)
        raise typer.Exit(2) from None
    set_locale(config.bot.language)
    return config


def load_checked(path: Path | None) -> AgoraConfig:
    """The config, if `agora check` would pass it; else every problem and exit 2."""
    from bot.config_checks import examine

    found = config_path(path)
    config, problems = examine(found)
    if problems or config is None:
        print_problems(problems, config.source if config else str(found) if found else None)
        raise typer.Exit(2)
    set_locale(config.bot.language)
    return config


def setup_logging(config: AgoraConfig, *, quiet: bool) -> None:
    level = logging.WARNING if quiet else getattr(logging, config.bot.log_level.upper())
    logging.basicConfig(
        level=level,
        format="%(name)s: %(message)s",
        handlers=[RichHandler(console=err, show_path=False, rich_tracebacks=False)],
        force=True,
    )
    for noisy in ("apscheduler", "aiosqlite", "asyncio", "discord.gateway", "alembic"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))


@app.command()
def run(
    config: ConfigOption = None,
    script: Annotated[
        Path | None,
        typer.Option("--script", "-s", help="Replay a console script and print the transcript."),
    ] = None,
) -> None:
    """Start Agora: the console by default, Discord/Slack when the config enables them."""
    from bot.app import StartupError
    from bot.app import run as run_app

    cfg = load_checked(config)
    console_only = not (cfg.discord.enabled or cfg.slack.enabled)
    setup_logging(cfg, quiet=script is not None or console_only)
    script_text = None if script is None else read_script(script)
    try:
        code = asyncio.run(run_app(cfg, script=script_text))
    except StartupError as error:
        fail(_("Agora cannot start:"), error)
        raise typer.Exit(1) from None
    except ConfigError as error:
        print_problems(error.problems, error.source)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        code = 130
    raise typer.Exit(code)


def read_script(path: Path) -> str:
    """The script's text, or a sentence saying why it cannot be read (exit 2)."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        problem = _("Cannot read the script {path}: {error}", path=path, error=error)
    except UnicodeDecodeError as error:
        byte = hex(error.object[error.start])
        problem = _(
            "The script {path} is not UTF-8 text (byte {byte} on line {line}). "
            "Save it as UTF-8 and run it again.",
            path=path,
            byte=byte,
            line=error.object[: error.start].count(b"\n") + 1,
        )
    show(err, problem)
    raise typer.Exit(2)


@app.command()
def check(
    file: Annotated[Path | None, typer.Argument(help="The config file to validate.")] = None,
) -> None:
    """Validate a config file without connecting to anything."""
    from bot.app import enabled_features
    from bot.config_checks import unset_variables

    path = config_path(file)
    cfg = load_checked(path)
    shown = str(path) if path else _("built-in defaults")
    show(out, _("{source} is valid.", source=shown))
    unset = unset_variables(cfg)
    if unset:
        heading = ngettext(
            "Before `agora run`, set {n} environment variable:",
            "Before `agora run`, set {n} environment variables:",
            len(unset),
        )
        print_problems(unset, cfg.source, heading=heading, style="bold yellow")
    names = ", ".join(f.name for f in enabled_features(cfg)) or "-"
    show(out, _("Features enabled: {names}", names=names))


@db_app.command("upgrade")
def db_upgrade(config: ConfigOption = None) -> None:
    """Apply every database migration that is missing."""
    from bot.app import StartupError, upgrade_database

    cfg = load_checked(config)
    setup_logging(cfg, quiet=True)
    try:
        applied = asyncio.run(upgrade_database(cfg))
    except StartupError as error:
        fail(_("Cannot upgrade:"), error)
        raise typer.Exit(1) from None
    except ConfigError as error:
        print_problems(error.problems, error.source)
        raise typer.Exit(2) from None
    if applied:
        show(
            out,
            ngettext(
                "Database upgraded ({n} migration branch applied).",
                "Database upgraded ({n} migration branches applied).",
                applied,
            ),
        )
    else:
        show(out, _("The database is already up to date."))


@db_app.command("status")
def db_status(config: ConfigOption = None) -> None:
    """Say whether the database schema is current."""
    from bot.app import StartupError, database_status, known_workspaces

    cfg = load_or_exit(config)
    setup_logging(cfg, quiet=True)
    try:
        missing = asyncio.run(database_status(cfg))
    except StartupError as error:
        fail(_("Cannot check:"), error)
        raise typer.Exit(1) from None
    except ConfigError as error:
        print_problems(error.problems, error.source)
        raise typer.Exit(2) from None
    if missing is None:
        show(out, _("There is no database yet; `agora run` or `agora db upgrade` creates it."))
        raise typer.Exit(1)
    if missing:
        show(
            out,
            ngettext(
                "{n} migration branch is missing: {names}. Run `agora db upgrade`.",
                "{n} migration branches are missing: {names}. Run `agora db upgrade`.",
                len(missing),
                names=", ".join(sorted(missing)),
            ),
        )
        raise typer.Exit(1)
    show(out, _("The database is up to date."))
    print_workspaces(asyncio.run(known_workspaces(cfg)))


def print_workspaces(found: list[Workspace]) -> None:
    """The guilds and workspaces the database has seen, by platform."""
    if not found:
        show(out, _("No workspace has been seen yet (none has sent an event)."))
        return
    show(
        out,
        ngettext("{n} workspace seen:", "{n} workspaces seen:", len(found)),
    )
    for place in found:
        name = place.name or _("(no name reported)")
        when = place.first_seen_at.strftime("%Y-%m-%d %H:%M UTC")
        show(
            out,
            _(
                "  {platform} {id}: {name}, first seen {when}",
                platform=place.platform,
                id=place.external_id,
                name=name,
                when=when,
            ),
        )


MemberOption = Annotated[
    str | None, typer.Option("--member", help="An account: platform:workspace:id.")
]
PersonOption = Annotated[int | None, typer.Option("--person", help="A person id.")]


def _run_admin(config: Path | None, job: Callable[[AgoraConfig], Coroutine[Any, Any, T]]) -> T:
    """Run an admin job against the database; refusals become a message and exit 1."""
    from bot.app import StartupError
    from bot.context import UserError

    cfg = load_or_exit(config)
    setup_logging(cfg, quiet=True)
    try:
        return asyncio.run(job(cfg))
    except (StartupError, UserError) as error:
        err.print(str(error), markup=False, highlight=False)
        raise typer.Exit(1) from None


def _deliver(text: str, output: Path | None) -> None:
    """Print `text`, or write it to `output` and say so."""
    if output is None:
        print(text, end="" if text.endswith("\n") else "\n")
        return
    try:
        output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    except OSError as error:
        err.print(
            _("Cannot write {path}: {reason}", path=output, reason=error.strerror or error),
            highlight=False,
        )
        raise typer.Exit(1) from None
    out.print(_("Wrote {path}.", path=output), highlight=False)


def _check_output(output: Path | None) -> None:
    """Refuse a file that cannot be written before minutes of work go into it."""
    if output is None:
        return
    folder = output.parent
    reason = None
    if output.is_dir():
        reason = _("it is a folder; add a file name, e.g. {path}", path=output / "report.html")
    elif not folder.is_dir():
        reason = _(
            "the folder {folder} does not exist; create it or choose another path", folder=folder
        )
    elif not os.access(folder, os.W_OK) or (output.exists() and not os.access(output, os.W_OK)):
        reason = _("you may not write there; choose another path")
    if reason is not None:
        err.print(_("Cannot write {path}: {reason}", path=output, reason=reason), highlight=False)
        raise typer.Exit(2)


def _data_request(config: Path | None, action: str, member: str | None, person: int | None) -> Any:
    from bot.features.identity.admin import data_request

    return _run_admin(config, lambda cfg: data_request(cfg, action, member=member, person=person))


@gdpr_app.command("export")
def gdpr_export(
    member: MemberOption = None,
    person: PersonOption = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the JSON here (default: stdout).")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Export every record about a person, across all features and platforms, as JSON."""
    data = _data_request(config, "export", member, person)
    _deliver(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True), output)


@gdpr_app.command("forget")
def gdpr_forget(
    member: MemberOption = None,
    person: PersonOption = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    config: ConfigOption = None,
) -> None:
    """Erase a person everywhere (irreversible); aggregates others see are kept."""
    if not yes and not typer.confirm(_("Erase this person everywhere? This cannot be undone.")):
        raise typer.Exit(1)
    report = _data_request(config, "forget", member, person)
    out.print(
        _(
            "Erased person {id}: {rows} records from {tables} tables, {accounts} account(s).",
            id=report.person_id,
            rows=report.rows,
            tables=len(report.erased),
            accounts=report.accounts,
        ),
        highlight=False,
    )


# How long `agora reload` waits for the running Agora to say how the reload went.
RELOAD_ANSWER_SECONDS = 15.0


def _running_pid(cfg: AgoraConfig) -> int | None:
    """The pid of the Agora holding `[bot] pid_file` (see `bot.pidfile`), if one runs."""
    from bot.pidfile import running_pid

    return running_pid(cfg.bot.pid_file) if cfg.bot.pid_file else None


def _not_running(cfg: AgoraConfig) -> str:
    if not cfg.bot.pid_file:
        return _("[bot] pid_file is empty, so a running Agora cannot be found.")
    return _(
        "No running Agora found: nothing holds {file} (start one with `agora run`, from "
        "the same directory).",
        file=cfg.bot.pid_file,
    )


def _ask_to_reload(pid_file: str, pid: int) -> ReloadOutcome | None:
    """Send SIGHUP and wait for the answer the process leaves beside its pid file."""
    import signal
    import time

    from bot.pidfile import read_outcome

    before = read_outcome(pid_file)
    seen = before.attempt if before is not None and before.pid == pid else 0
    os.kill(pid, signal.SIGHUP)
    deadline = time.monotonic() + RELOAD_ANSWER_SECONDS
    while time.monotonic() < deadline:
        answer = read_outcome(pid_file)
        if answer is not None and answer.pid == pid and answer.attempt > seen:
            return answer
        time.sleep(0.1)
    return None


@app.command()
def reload(config: ConfigOption = None) -> None:
    """Make the running Agora re-read its config file, and say whether it took it."""
    try:
        cfg = load_config(config_path(config))
    except ConfigError as error:  # the running Agora would refuse it the same way
        print_problems(error.problems, error.source)
        err.print(_("Nothing was reloaded; the running config stays in force."))
        raise typer.Exit(2) from None
    set_locale(cfg.bot.language)
    pid = _running_pid(cfg)
    if pid is None:
        err.print(_not_running(cfg), markup=False, highlight=False)
        raise typer.Exit(1)
    answer = _ask_to_reload(cfg.bot.pid_file, pid)
    if answer is None:
        err.print(
            _(
                "Agora (pid {pid}) did not say within {seconds} s whether it took the "
                "config; its log will tell.",
                pid=pid,
                seconds=int(RELOAD_ANSWER_SECONDS),
            ),
            highlight=False,
        )
        raise typer.Exit(1)
    if answer.ok:
        out.print(
            _("Agora (pid {pid}) reloaded {file}.", pid=pid, file=answer.source), highlight=False
        )
        return
    if answer.source is None:
        err.print(
            _(
                "Agora (pid {pid}) runs on its built-in defaults: there is no config file to "
                "re-read. Restart it with --config FILE (or with agora.toml where it runs).",
                pid=pid,
            ),
            highlight=False,
        )
        raise typer.Exit(2)
    print_problems(list(answer.problems), answer.source)
    err.print(
        _("Agora (pid {pid}) refused it; the running config stays in force.", pid=pid),
        highlight=False,
    )
    raise typer.Exit(2)


@app.command()
def health(config: ConfigOption = None) -> None:
    """Check the database and schema without changing them, and the running Agora
    (exit 1 when it is not running or not healthy)."""
    from bot.app import StartupError, database_status

    cfg = load_or_exit(config)
    setup_logging(cfg, quiet=True)
    ok = True
    try:
        missing = asyncio.run(database_status(cfg))
    except StartupError as error:
        ok = False
        out.print(_("database: {error}", error=error), highlight=False)
    except ConfigError as error:  # storage.url_env names a variable that is not set
        print_problems(error.problems, error.source)
        raise typer.Exit(2) from None
    else:
        ok = _report_schema(cfg, missing)
    pid = _running_pid(cfg)
    if pid is None:
        ok = False
        out.print(_("process: not running"))
    else:
        out.print(_("process: running (pid {pid})", pid=pid))
        if cfg.bot.health_port:
            live = asyncio.run(_fetch_health(cfg.bot.health_host, cfg.bot.health_port))
            ok = ok and live.get("status") == "ok"
            out.print(_("live: {status}", status=json.dumps(live, sort_keys=True)), highlight=False)
            for warning in live.get("warnings") or ():
                out.print(_("to fix: {warning}", warning=warning), markup=False, highlight=False)
    raise typer.Exit(0 if ok else 1)


def _report_schema(cfg: AgoraConfig, missing: set[str] | None) -> bool:
    """Print what `agora health` knows of the schema; False when an admin must act."""
    auto = cfg.storage.should_auto_migrate(cfg.storage.resolved_url(os.environ))
    if missing is None:
        out.print(_("database: not created yet"))
        if auto:
            out.print(_("schema: will be created when Agora starts"))
            return True
        out.print(_("schema: not created — run `agora db upgrade`"))
        return False
    out.print(_("database: reachable"))
    if not missing:
        out.print(_("schema: current"))
        return True
    if auto:
        out.print(
            ngettext(
                "schema: {n} migration branch to apply — Agora applies it when it starts",
                "schema: {n} migration branches to apply — Agora applies them when it starts",
                len(missing),
            )
        )
        return True
    out.print(_("schema: out of date — run `agora db upgrade`"))
    return False


async def _fetch_health(host: str, port: int) -> dict[str, Any]:
    import aiohttp

    try:
        timeout = aiohttp.ClientTimeout(total=3)  # within Docker's HEALTHCHECK timeout
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.get(f"http://{host}:{port}/healthz") as response,
        ):
            found: dict[str, Any] = await response.json()
            return found
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        return {"status": "unreachable", "error": str(error)}


class ManifestMode(StrEnum):
    """How the Slack app reaches Agora (`agora slack-manifest --mode`)."""

    http = "http"
    socket = "socket"


@app.command("slack-manifest")
def slack_manifest(
    config: ConfigOption = None,
    public_url: Annotated[
        str | None,
        typer.Option("--public-url", help="HTTP mode: the public https:// address of Agora."),
    ] = None,
    mode: Annotated[
        ManifestMode | None,
        typer.Option(
            "--mode",
            help="http or socket (default: http with --public-url, else [slack] mode).",
        ),
    ] = None,
    json_format: Annotated[bool, typer.Option("--json", help="JSON instead of YAML.")] = False,
) -> None:
    """Print the Slack app manifest (commands, scopes, events) to paste at api.slack.com."""
    from adapters.slack.manifest import PLACEHOLDER_URL, Mode, needs_public_url
    from adapters.slack.manifest import slack_manifest as build
    from bot.app import enabled_features
    from bot.registry import Registry

    cfg = load_or_exit(config)
    chosen: Mode | None = None
    if mode is not None:
        chosen = "http" if mode is ManifestMode.http else "socket"
    if needs_public_url(cfg.slack, chosen, public_url):
        err.print(
            _(
                "Warning: HTTP mode without a public address, so the manifest says "
                "{placeholder}. Pass --public-url https://your.host (or set [slack] "
                "public_url), or edit the URLs before pasting.",
                placeholder=PLACEHOLDER_URL,
            ),
            markup=False,
            highlight=False,
        )
    registry = Registry(enabled_features(cfg))
    text = build(
        registry, cfg, public_url=public_url, mode=chosen, fmt="json" if json_format else "yaml"
    )
    print(text)


discord_app = typer.Typer(
    help="Discord: the link that adds the bot to a server.", no_args_is_help=True
)
app.add_typer(discord_app, name="discord")


@discord_app.command("invite-url")
def discord_invite_url(
    config: ConfigOption = None,
    client_id: Annotated[
        int | None,
        typer.Option(
            "--client-id",
            help="The Application ID (default: [discord] application_id, else the bot token).",
        ),
    ] = None,
) -> None:
    """Print the link that adds the bot to a server, with the permissions it asks for and why."""
    from adapters.discord.invite_link import InviteLinkError, describe, invite_link
    from bot.app import enabled_features
    from bot.registry import Registry

    cfg = load_or_exit(config)
    needs = Registry(enabled_features(cfg)).needs(cfg)
    try:
        link = invite_link(cfg, needs, client_id=client_id, env=os.environ)
    except InviteLinkError as error:
        err.print(str(error), markup=False, highlight=False)
        raise typer.Exit(2) from None
    for line in describe(link):
        out.print(line, markup=False, highlight=False, soft_wrap=True)


modlog_app = typer.Typer(help="The moderation audit log.", no_args_is_help=True)
app.add_typer(modlog_app, name="modlog")


@modlog_app.command("export")
def modlog_export(
    days: Annotated[int, typer.Option("--days", min=1, help="How far back.")] = 90,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the CSV here (default: stdout).")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Export moderation decisions (flags, actions, sanctions, appeals) as CSV."""
    from bot.features.moderation.admin import export_log

    _deliver(_run_admin(config, lambda cfg: export_log(cfg, days=days)), output)


export_app = typer.Typer(help="Export community data as CSV.", no_args_is_help=True)
app.add_typer(export_app, name="export")


@export_app.command("survey")
def export_survey(
    survey: Annotated[str, typer.Argument(help="The survey's name or id.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the CSV here (default: stdout).")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Export a survey's answers as CSV (anonymous surveys carry no member)."""
    from bot.features.polls.admin import export_survey as build

    _deliver(_run_admin(config, lambda cfg: build(cfg, survey)), output)


@export_app.command("events")
def export_events(
    output: Annotated[
        Path | None,
        typer.Option("--out", "--output", "-o", help="Write the .ics here (default: stdout)."),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Export every event as one iCalendar (.ics) file for a shared calendar."""
    from bot.features.events.admin import export_calendar

    data = _run_admin(config, export_calendar)
    if output is None:
        sys.stdout.buffer.write(data)
        return
    output.write_bytes(data)
    out.print(_("Wrote {path}.", path=output), highlight=False)


PeriodOption = Annotated[
    str,
    typer.Option(
        "--period", "-p", help="day, week, month, 30d, or 2026-01-01..2026-01-31 (local dates)."
    ),
]
PlatformOption = Annotated[
    str | None, typer.Option("--platform", help="Only this platform (discord or slack).")
]
REPORT = Path("report.html")


@export_app.command("metrics")
def export_metrics(
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv or json.")] = "csv",
    period: PeriodOption = "30d",
    by: Annotated[
        str,
        typer.Option(
            "--by",
            help="day: a row per day; summary: the period's figures; channel: a row per "
            "channel; cohort: a row per joining week (retention); hour: a row per weekday "
            "and hour.",
        ),
    ] = "day",
    platform: PlatformOption = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here (default: stdout).")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Export community metrics (members, DAU/WAU/MAU, posts, channels, cohorts, hours,
    tone) as CSV or JSON."""
    from bot.features.metrics.admin import EXPORTS
    from bot.features.metrics.admin import export_metrics as build

    by = by.strip().lower()
    if fmt not in ("csv", "json") or by not in EXPORTS:
        err.print(
            _("Use --format csv or json, and --by {choices}.", choices=", ".join(EXPORTS)),
            highlight=False,
        )
        raise typer.Exit(2)
    _check_output(output)
    _deliver(_run_admin(config, lambda cfg: build(cfg, period, fmt, by, platform)), output)


@app.command()
def report(
    period: PeriodOption = "30d",
    platform: PlatformOption = None,
    output: Annotated[Path, typer.Option("--out", "-o", help="The HTML file to write.")] = REPORT,
    config: ConfigOption = None,
) -> None:
    """Write a self-contained HTML report of community metrics, charts included."""
    from rich.progress import Progress

    from bot.features.metrics.admin import html_report
    from bot.features.metrics.report import STEPS

    _check_output(output)
    with Progress(console=err, transient=True) as bar:
        task = bar.add_task(_("Computing the report"), total=STEPS)
        done = [0]

        def step(name: str) -> None:  # told as each step is done
            done[0] += 1
            bar.update(task, description=name, completed=done[0])

        text = _run_admin(config, lambda cfg: html_report(cfg, period, platform, step))
        bar.update(task, completed=STEPS)
    _deliver(text, output)


onboarding_app = typer.Typer(help="Newcomer onboarding.", no_args_is_help=True)
app.add_typer(onboarding_app, name="onboarding")


@onboarding_app.command("preview")
def onboarding_preview(
    language: Annotated[
        str | None, typer.Option("--language", help="Show it in this language (en, nb, …).")
    ] = None,
    member: Annotated[str, typer.Option("--member", help="The newcomer's name.")] = "@newcomer",
    config: ConfigOption = None,
) -> None:
    """Print the welcome, rules and questions a newcomer would see (nothing is sent)."""
    from bot.features.onboarding.preview import preview

    cfg = load_or_exit(config)
    for line in preview(cfg, language=language, member=member):
        out.print(line, markup=False, highlight=False)


@app.command()
def version() -> None:
    """Print the installed version."""
    try:
        found = metadata.version("agora-bot")
    except metadata.PackageNotFoundError:
        found = "unknown"
    out.print(f"agora {found} (Python {sys.version.split()[0]})", highlight=False)


def main() -> None:
    try:
        app()
    finally:
        # At exit Python collects garbage once more, walking every object still alive
        # (SQLAlchemy, matplotlib, the features): 0.4 s after `agora report` was done.
        # Nothing here needs it: files are closed and the database let go by then.
        gc.freeze()
