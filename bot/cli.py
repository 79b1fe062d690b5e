"""`agora`: run the bot, validate the config, manage the database.

Every failure an admin can cause (a broken TOML file, an unreachable database, an
out-of-date schema) ends in a sentence that says what to do and a non-zero exit
code, never a traceback.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from collections.abc import Callable, Coroutine
from importlib import metadata
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.logging import RichHandler

from bot.config import DEFAULT_CONFIG_FILE, AgoraConfig, ConfigError, Problem, load_config
from bot.i18n import _, set_locale

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

err = Console(stderr=True)
out = Console()

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


def print_problems(problems: list[Problem], source: str | None) -> None:
    name = source or _("configuration")
    err.print(
        _("[bold red]{name}[/] has {count} problem(s):", name=name, count=len(problems)),
        highlight=False,
    )
    for problem in problems:
        err.print(f"  • {problem}", markup=False, highlight=False)


def load_or_exit(path: Path | None) -> AgoraConfig:
    try:
        config = load_config(config_path(path))
    except ConfigError as error:
        print_problems(error.problems, error.source)
        raise typer.Exit(2) from None
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

    cfg = load_or_exit(config)
    console_only = not (cfg.discord.enabled or cfg.slack.enabled)
    setup_logging(cfg, quiet=script is not None or console_only)
    script_text: str | None = None
    if script is not None:
        try:
            script_text = script.read_text(encoding="utf-8")
        except OSError as error:
            err.print(_("Cannot read the script {path}: {error}", path=script, error=error))
            raise typer.Exit(2) from None
    try:
        code = asyncio.run(run_app(cfg, script=script_text))
    except StartupError as error:
        err.print(f"[bold red]{_('Agora cannot start:')}[/] {error}", highlight=False)
        raise typer.Exit(1) from None
    except ConfigError as error:
        print_problems(error.problems, error.source)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        code = 130
    raise typer.Exit(code)


@app.command()
def check(
    file: Annotated[Path | None, typer.Argument(help="The config file to validate.")] = None,
) -> None:
    """Validate a config file without connecting to anything."""
    from bot.app import validate_config

    path = config_path(file)
    cfg = load_or_exit(path)
    problems = validate_config(cfg)
    if problems:
        print_problems(problems, cfg.source)
        raise typer.Exit(2)
    enabled = [name for name, section in cfg.features.items() if section.enabled]
    shown = str(path) if path else _("built-in defaults")
    out.print(_("{source} is valid.", source=shown), highlight=False)
    from bot.app import enabled_features

    names = ", ".join(f.name for f in enabled_features(cfg)) or "-"
    out.print(_("Features enabled: {names}", names=names), highlight=False)
    del enabled


@db_app.command("upgrade")
def db_upgrade(config: ConfigOption = None) -> None:
    """Apply every database migration that is missing."""
    from bot.app import StartupError, upgrade_database

    cfg = load_or_exit(config)
    setup_logging(cfg, quiet=True)
    try:
        applied = asyncio.run(upgrade_database(cfg))
    except StartupError as error:
        err.print(f"[bold red]{_('Cannot upgrade:')}[/] {error}", highlight=False)
        raise typer.Exit(1) from None
    if applied:
        out.print(_("Database upgraded ({count} migration branch(es) applied).", count=applied))
    else:
        out.print(_("The database is already up to date."))


@db_app.command("status")
def db_status(config: ConfigOption = None) -> None:
    """Say whether the database schema is current."""
    from bot.app import StartupError, database_status

    cfg = load_or_exit(config)
    setup_logging(cfg, quiet=True)
    try:
        missing = asyncio.run(database_status(cfg))
    except StartupError as error:
        err.print(f"[bold red]{_('Cannot check:')}[/] {error}", highlight=False)
        raise typer.Exit(1) from None
    if missing:
        out.print(
            _(
                "{count} migration branch(es) missing: {names}. Run `agora db upgrade`.",
                count=len(missing),
                names=", ".join(sorted(missing)),
            )
        )
        raise typer.Exit(1)
    out.print(_("The database is up to date."))


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


def _running_pid(cfg: AgoraConfig) -> int | None:
    """The pid in `[bot] pid_file` if that process is alive."""
    try:
        pid = int(Path(cfg.bot.pid_file).read_text(encoding="utf-8").strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


@app.command()
def reload(config: ConfigOption = None) -> None:
    """Make a running Agora re-read its config (same as sending it SIGHUP)."""
    import signal

    from bot.app import validate_config

    cfg = load_or_exit(config)
    problems = validate_config(cfg)
    if problems:
        print_problems(problems, cfg.source)
        err.print(_("Nothing was reloaded; the running config stays in force."))
        raise typer.Exit(2)
    pid = _running_pid(cfg)
    if pid is None:
        err.print(
            _("No running Agora found (no live process in {file}).", file=cfg.bot.pid_file),
            highlight=False,
        )
        raise typer.Exit(1)
    os.kill(pid, signal.SIGHUP)
    out.print(_("Asked Agora (pid {pid}) to reload {source}.", pid=pid, source=cfg.source))


@app.command()
def health(config: ConfigOption = None) -> None:
    """Check the database, the schema and, if running, the live process (exit 1 if unhealthy)."""
    from bot.app import StartupError, database_status

    cfg = load_or_exit(config)
    setup_logging(cfg, quiet=True)
    ok = True
    try:
        missing = asyncio.run(database_status(cfg))
        out.print(_("database: reachable"))
        if missing:
            ok = False
            out.print(_("schema: out of date — run `agora db upgrade`"))
        else:
            out.print(_("schema: current"))
    except StartupError as error:
        ok = False
        out.print(_("database: {error}", error=error), highlight=False)
    pid = _running_pid(cfg)
    out.print(_("process: running (pid {pid})", pid=pid) if pid else _("process: not running"))
    if pid and cfg.bot.health_port:
        live = asyncio.run(_fetch_health(cfg.bot.health_host, cfg.bot.health_port))
        ok = ok and live.get("status") == "ok"
        out.print(_("live: {status}", status=json.dumps(live, sort_keys=True)), highlight=False)
    raise typer.Exit(0 if ok else 1)


async def _fetch_health(host: str, port: int) -> dict[str, Any]:
    import aiohttp

    try:
        timeout = aiohttp.ClientTimeout(total=5)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.get(f"http://{host}:{port}/healthz") as response,
        ):
            found: dict[str, Any] = await response.json()
            return found
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        return {"status": "unreachable", "error": str(error)}


@app.command("slack-manifest")
def slack_manifest(
    config: ConfigOption = None,
    public_url: Annotated[
        str | None,
        typer.Option("--public-url", help="HTTP mode: the public https:// address of Agora."),
    ] = None,
    json_format: Annotated[bool, typer.Option("--json", help="JSON instead of YAML.")] = False,
) -> None:
    """Print the Slack app manifest (commands, scopes, events) to paste at api.slack.com."""
    from adapters.slack.manifest import slack_manifest as build
    from bot.app import enabled_features
    from bot.registry import Registry

    cfg = load_or_exit(config)
    registry = Registry(enabled_features(cfg))
    print(build(registry, cfg, public_url=public_url, fmt="json" if json_format else "yaml"))


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
    app()
