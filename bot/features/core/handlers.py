"""`/help`, `/language`, `/timezone`: what any member needs on day one."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.args import WordArg, usage
from bot.command_names import Offered, name_on, offered, reserved_commands
from bot.context import Context, UserError
from bot.features.core.zones import suggest_zones
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
from bot.model import Block, ChannelKind, Fields, MemberRecord, MessagePosted, Section
from bot.ports import ActivityLog, EventLog
from bot.registry import Feature
from bot.text import without_mentions

feature = Feature("core", description=N_("Help, language and time zone"))

LANGUAGE_NAMES = LANGUAGE_LABELS  # the Slack app home shows these
AUTO = "auto"


@feature.command(
    "help",
    help=N_("List the commands you can use"),
    args=[WordArg("command", N_("one command, e.g. kudos"), required=False)],
    ephemeral=True,
)
async def help_command(ctx: Context, command: str | None) -> None:
    text, blocks = help_reply(ctx, command)
    await ctx.reply(text, blocks=blocks, ephemeral=True)


def help_reply(ctx: Context, command: str | None) -> tuple[str, tuple[Block, ...]]:
    """`/help [command]` as text and blocks, with the names members type on this platform."""
    registry = ctx.runtime.registry
    platform = ctx.actor.ref.platform if ctx.actor is not None else None
    reserved = reserved_commands(ctx.runtime.ports.get(platform or ""))

    def typed(offer: Offered) -> str:
        return ctx.command_path(offer.spec.name, platform)

    usable = sorted(
        (
            o
            for o in offered(registry, reserved)
            if ctx.level.allows(o.spec.level) and not o.spec.hidden
        ),
        key=lambda o: o.name,
    )
    if command:
        name = command.lstrip("/").lower()
        wanted = {name} | {
            name_on(registry, reserved, spec)
            for spec in registry.commands
            if name in (spec.name, spec.root)
        }
        matches = [o for o in usable if o.name in wanted or o.root in wanted]
        if not matches:
            raise UserError(
                _("There is no command /{name} you can use. Type /help for the list.", name=name)
            )
        lines = [f"{usage(typed(o), o.spec.args)} — {_(o.spec.help)}" for o in matches]
        return "\n".join(lines), ()
    header = _("Commands you can use ({count}):", count=len(usable))
    pairs = tuple((f"/{typed(o)}", _(o.spec.help)) for o in usable)
    lines = [f"{name} — {text}" for name, text in pairs]
    return header + "\n" + "\n".join(lines), (Section(header), Fields(pairs))


# The word that asks for help, in each language Agora speaks (what members write
# after @Agora or in a DM to it).
HELP_WORDS = frozenset({"help", "hjelp", "palīdzība", "palidziba", "apua", "ohje", "допомога"})


@feature.on(MessagePosted)
async def said_to_the_bot(ctx: Context, event: MessagePosted) -> None:
    """`@Agora help [command]` or a DM saying so is /help; anything else said to the bot
    gets a short hint, so a member is never left talking to a wall. Only messages the
    adapter marks `to_bot` (mentions of the bot, one-to-one DMs): never busy channels."""
    message = event.message
    if not message.to_bot or ctx.actor is None:
        return
    words = without_mentions(message.text).split()
    while words and words[0].startswith("@"):  # a mention written as text (console)
        words.pop(0)
    privately = message.channel.kind is not ChannelKind.DM  # a DM is private already
    if words and words[0].lower().strip("!?.,:;") in HELP_WORDS:
        try:
            text, blocks = help_reply(ctx, words[1] if len(words) > 1 else None)
        except UserError as refusal:
            text, blocks = refusal.message, ()
        await ctx.reply(text, blocks=blocks, ephemeral=privately)
        return
    hint = _(
        "Hi {name}! I work through slash commands: type /help to see the ones you can "
        "use (or write “help” to me).",
        name=ctx.actor.label,
    )
    await ctx.reply(hint, ephemeral=privately)


@feature.command(
    "language",
    help=N_("Choose the language Agora speaks to you (auto: the channel's or community's)"),
    args=[WordArg("code", N_("en, nb, lv, fi, uk or auto"), required=False)],
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
    args=[
        WordArg(
            "zone",
            N_("an IANA time zone, e.g. Europe/Oslo"),
            required=False,
            complete=suggest_zones,
        )
    ],
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
