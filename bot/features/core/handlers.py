"""`/help`, `/language`, `/timezone`: what any member needs on day one."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.args import WordArg
from bot.context import Context, UserError
from bot.i18n import (
    LANGUAGE_LABELS,
    N_,
    SUPPORTED_LOCALES,
    _,
    current_locale,
    language_name,
    normalize_locale,
    using_locale,
)
from bot.model import Fields, MemberRecord, Section
from bot.ports import ActivityLog, EventLog
from bot.registry import Feature

feature = Feature("core", description=N_("Help, language and time zone"))

LANGUAGE_NAMES = LANGUAGE_LABELS  # the Slack app home shows these
AUTO = "auto"


@feature.command(
    "help",
    help=N_("List the commands you can use"),
    args=[WordArg("command", required=False)],
    ephemeral=True,
)
async def help_command(ctx: Context, command: str | None) -> None:
    registry = ctx.runtime.registry
    if command:
        name = command.lstrip("/").lower()
        matches = [c for c in registry.commands if c.name == name or c.root == name]
        matches = [c for c in matches if ctx.level.allows(c.level) and not c.hidden]
        if not matches:
            raise UserError(
                _("There is no command /{name} you can use. Type /help for the list.", name=name)
            )
        from bot.args import usage

        lines = [f"{usage(c.name, c.args)} — {_(c.help)}" for c in matches]
        await ctx.reply("\n".join(lines), ephemeral=True)
        return
    usable = [c for c in registry.commands if ctx.level.allows(c.level) and not c.hidden]
    lines = [f"/{c.name} — {_(c.help)}" for c in usable]
    header = _("Commands you can use ({count}):", count=len(usable))
    await ctx.reply(
        header + "\n" + "\n".join(lines),
        blocks=(Section(header), Fields(tuple((f"/{c.name}", _(c.help)) for c in usable))),
        ephemeral=True,
    )


@feature.command(
    "language",
    help=N_("Choose the language Agora speaks to you (auto: the channel's or community's)"),
    args=[WordArg("code", required=False)],
    ephemeral=True,
)
async def language(ctx: Context, code: str | None) -> None:
    actor = ctx.member()
    choices = ", ".join(f"{k} ({language_name(k)})" for k in SUPPORTED_LOCALES)
    if not code:
        await ctx.reply(_status(actor.locale, choices), ephemeral=True)
        return
    if code.strip().lower() == AUTO:
        await ctx.directory.set_person_prefs(actor.person_id, locale="")
        with using_locale(await _without_choice(ctx, actor)):
            await ctx.reply(
                _(
                    "Done: you have no language of your own now, so I speak {language} here, "
                    "the language of this channel or community.",
                    language=language_name(current_locale()),
                ),
                ephemeral=True,
            )
        return
    chosen = normalize_locale(code)
    if chosen is None or chosen not in SUPPORTED_LOCALES:
        raise UserError(
            _(
                "I don't speak {code!r} yet. Available: {choices}, or auto.",
                code=code,
                choices=choices,
            )
        )
    await ctx.directory.set_person_prefs(actor.person_id, locale=chosen)
    with using_locale(chosen):
        await ctx.reply(
            _("From now on I'll speak {language} with you.", language=language_name(chosen)),
            ephemeral=True,
        )


def _status(chosen: str | None, choices: str) -> str:
    """`/language` alone: what is in effect here, and why."""
    here = language_name(current_locale())
    if normalize_locale(chosen):
        return _(
            "Your language is {current}. Available: {choices}. /language auto undoes your choice.",
            current=here,
            choices=choices,
        )
    return _(
        "You have not chosen a language, so I speak {current} here. Available: {choices}.",
        current=here,
        choices=choices,
    )


async def _without_choice(ctx: Context, actor: MemberRecord) -> str:
    """The language this event speaks once the member's own choice is gone."""
    channel = ctx.channel
    hint = getattr(ctx.event, "locale", None) or actor.platform_locale
    return ctx.runtime.config.bot.language_for(None, hint, channel.name if channel else None)


@feature.command(
    "timezone",
    help=N_("Set your time zone for reminders and events"),
    args=[WordArg("zone", required=False)],
    ephemeral=True,
)
async def timezone(ctx: Context, zone: str | None) -> None:
    if ctx.actor is None:
        return
    if not zone:
        current = ctx.actor.timezone or ctx.runtime.config.bot.timezone
        await ctx.reply(
            _(
                "Your time zone is {zone}. Change it with /timezone Europe/Oslo (any IANA name).",
                zone=current,
            ),
            ephemeral=True,
        )
        return
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        lowered = zone.lower()
        close = sorted(z for z in available_timezones() if lowered in z.lower())[:5]
        hint = _(" Did you mean: {names}?", names=", ".join(close)) if close else ""
        raise UserError(_("{zone!r} is not a time zone I know.", zone=zone) + hint) from None
    await ctx.directory.set_person_prefs(ctx.actor.person_id, timezone=zone)
    await ctx.reply(_("Your time zone is now {zone}.", zone=zone), ephemeral=True)


@feature.job("prune", cron="30 3 * * *")
async def prune(ctx: Context, payload: dict[str, object]) -> None:
    """Nightly: drop activity facts and dedup keys older than the configured retention."""
    privacy = ctx.runtime.config.privacy
    now = ctx.now()
    await ctx.repo(ActivityLog).prune(now - timedelta(days=privacy.activity_retention_days))  # type: ignore[type-abstract]
    await ctx.repo(EventLog).prune(now - timedelta(days=privacy.processed_events_retention_days))  # type: ignore[type-abstract]
