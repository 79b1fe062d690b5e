"""The core registry → Discord application commands, and invocations back to the core.

The registry is the one source of truth, so the JSON Discord receives is built
from it here, as data: `build()` is a pure function whose output is exactly what
`PUT /applications/{id}/guilds/{guild}/commands` sends. discord.py's `app_commands`
derive options from Python function signatures, which fits hand-written commands
but not a registry; the raw payload keeps every option type, limit and
localization visible and testable. Invocations arrive through the adapter's
catch-all interaction handler and are read back with `invocation()`.

Shapes:
- `"kudos"` → a command; `"mydata export"` → subcommand `export` of `/mydata`;
  `"poll admin close"` → subcommand `close` in group `admin`.
- A root that has its own command *and* subcommands (the core resolves `/kudos @bob`
  and `/kudos me`) cannot exist on Discord: the root's own command becomes the
  subcommand named by its verb (`/kudos give`, `bot.registry.verb_of`), or is the
  subcommand of that name when it declares one as its own form (`/referrals me`).
- Option types: member → USER, channel → CHANNEL, int → INTEGER (with min/max),
  flag → BOOLEAN, choice → STRING with choices (up to 25), everything else (word,
  text, duration, datetime, list) → STRING; the core parses those.
- Descriptions come from the help text in the bot's language, with localizations
  for every catalog Discord has a locale for (Norwegian is Discord's `no`; Latvian
  has no Discord locale). Command names are identifiers, not translated.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import aiohttp
import discord

from adapters.discord import limits
from adapters.text_limits import clip
from bot.args import Arg, ArgKind
from bot.i18n import N_, SUPPORTED_LOCALES, _, using_locale
from bot.model import Level
from bot.registry import CommandSpec, verb_of

if TYPE_CHECKING:
    from bot.config import DiscordConfig

log = logging.getLogger(__name__)

CHAT_INPUT = 1
SUB_COMMAND = 1
SUB_COMMAND_GROUP = 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE = 3, 4, 5, 6, 7, 8, 9
TEXT_CHANNEL_TYPES = (0, 5, 10, 11, 12)  # text, announcement, and their threads

_OPTION_TYPES = {
    ArgKind.MEMBER: USER,
    ArgKind.CHANNEL: CHANNEL,
    ArgKind.INT: INTEGER,
    ArgKind.FLAG: BOOLEAN,
}
# Who sees a staff-only command in the menu: moderators' usual permission, and admins'.
STAFF_PERMISSIONS: Mapping[Level, int] = {
    Level.MODERATOR: 1 << 13,  # Manage Messages
    Level.ADMIN: 1 << 5,  # Manage Server
}
# Our catalogs → Discord locales (https://discord.com/developers/docs/reference#locales).
DISCORD_LOCALES: Mapping[str, tuple[str, ...]] = {
    "en": ("en-US", "en-GB"),
    "nb": ("no",),
    "fi": ("fi",),
    "uk": ("uk",),
    "lv": (),
}


@dataclass(frozen=True, slots=True)
class CommandSet:
    """What gets synced, and how an invocation's path maps back to a registry name."""

    payloads: tuple[dict[str, Any], ...]
    routes: Mapping[tuple[str, ...], str] = field(default_factory=dict)
    skipped: tuple[str, ...] = ()


def valid_name(name: str) -> bool:
    """Discord's rule for command and option names (lower case, no spaces, ≤ 32)."""
    return (
        0 < len(name) <= limits.COMMAND_NAME
        and all(ch.isalnum() or ch in "-_'" for ch in name)
        and name == name.lower()
    )


def build(commands: Sequence[CommandSpec], *, language: str = "en") -> CommandSet:
    """The application command payloads for `commands` (the registry's, sorted)."""
    roots: dict[str, list[CommandSpec]] = {}
    for spec in commands:
        roots.setdefault(spec.root, []).append(spec)
    payloads: list[dict[str, Any]] = []
    routes: dict[tuple[str, ...], str] = {}
    skipped: list[str] = []
    for root, specs in sorted(roots.items()):
        if not valid_name(root):
            skipped.extend(s.name for s in specs)
            log.warning("/%s is not a valid Discord command name; not synced", root)
            continue
        payload = _root(root, specs, language, routes, skipped)
        if payload is not None:
            payloads.append(payload)
    return CommandSet(tuple(payloads), routes, tuple(skipped))


def _root(
    root: str,
    specs: list[CommandSpec],
    language: str,
    routes: dict[tuple[str, ...], str],
    skipped: list[str],
) -> dict[str, Any] | None:
    own = next((s for s in specs if s.sub is None), None)
    subs = [s for s in specs if s.sub is not None]
    if not subs:
        assert own is not None
        options = _options(own, language, skipped)
        if options is None:
            return None
        routes[(root,)] = own.name
        return {
            "type": CHAT_INPUT,
            "name": root,
            **_described(own.help, language),
            **_visibility(specs),
            "options": options,
        }
    children: list[dict[str, Any]] = []
    groups: dict[str, dict[str, Any]] = {}
    entries = [(s, s.name) for s in subs]
    if own is not None:
        verb = verb_of(own)
        taken = [s for s in subs if (s.sub or "").split(" ", 1)[0] == verb]
        if not taken:
            entries.insert(0, (replace(own, name=f"{root} {verb}"), own.name))
        elif taken[0].sub != verb or taken[0].handler is not own.handler:
            skipped.append(own.name)
            log.warning("/%s has a subcommand %r already; its own form is not synced", root, verb)
        # else the subcommand called so *is* the own form (`/referrals me`)
    for spec, real in entries:
        path = (spec.sub or "").split(" ")
        if len(path) > 2 or not all(valid_name(p) for p in path):
            skipped.append(spec.name)
            log.warning("/%s cannot be a Discord subcommand; not synced", spec.name)
            continue
        options = _options(spec, language, skipped)
        if options is None:
            continue
        leaf = {
            "type": SUB_COMMAND,
            "name": path[-1],
            **_described(spec.help, language),
            "options": options,
        }
        if len(path) == 1:
            children.append(leaf)
            routes[(root, path[0])] = real
        else:
            group = groups.get(path[0])
            if group is None:
                group = {
                    "type": SUB_COMMAND_GROUP,
                    "name": path[0],
                    **_described(N_("Commands of /{name}"), language, name=f"{root} {path[0]}"),
                    "options": [],
                }
                groups[path[0]] = group
                children.append(group)
            group["options"].append(leaf)
            routes[(root, path[0], path[1])] = real
    children = [c for c in children if c["type"] == SUB_COMMAND or c["options"]]
    if len(children) > limits.SUBCOMMANDS:
        skipped.extend(f"{root} {c['name']}" for c in children[limits.SUBCOMMANDS :])
        children = children[: limits.SUBCOMMANDS]
    if not children:
        return None
    return {
        "type": CHAT_INPUT,
        "name": root,
        **_described(N_("Commands of /{name}"), language, name=root),
        **_visibility(specs),
        "options": children,
    }


def _options(spec: CommandSpec, language: str, skipped: list[str]) -> list[dict[str, Any]] | None:
    if len(spec.args) > limits.COMMAND_OPTIONS or not all(valid_name(a.name) for a in spec.args):
        skipped.append(spec.name)
        log.warning("/%s has arguments Discord cannot take; not synced", spec.name)
        return None
    options = [_option(arg, language) for arg in spec.args]
    # Discord wants required options before optional ones (the core matches by name).
    return sorted(options, key=lambda o: not o["required"])


def required(arg: Arg) -> bool:
    """Whether Discord must insist on the option (the core's own rules, see bot.args)."""
    return arg.required and not arg.option and arg.kind is not ArgKind.FLAG


def _option(arg: Arg, language: str) -> dict[str, Any]:
    option: dict[str, Any] = {
        "type": _OPTION_TYPES.get(arg.kind, STRING),
        "name": arg.name,
        **_described(arg.help or arg.name, language),
        "required": required(arg),
    }
    if arg.kind is ArgKind.INT:
        if arg.min is not None:
            option["min_value"] = arg.min
        if arg.max is not None:
            option["max_value"] = arg.max
    elif arg.kind is ArgKind.CHANNEL:
        option["channel_types"] = list(TEXT_CHANNEL_TYPES)
    elif arg.kind is ArgKind.CHOICE and _pickable(arg.choices):
        option["choices"] = [_choice(arg, c, language) for c in arg.choices]
    if (arg.complete or arg.lookup) is not None and "choices" not in option:
        option["autocomplete"] = True  # answered by `bot.suggestions`
    return option


def is_integer(spec: CommandSpec | None, option: str) -> bool:
    """Whether Discord declares `option` of this command an integer (choices are then ints)."""
    arg = next((a for a in spec.args if a.name == option), None) if spec else None
    return arg is not None and _OPTION_TYPES.get(arg.kind) == INTEGER


def _pickable(choices: Sequence[str]) -> bool:
    """Discord offers at most 25 choices of at most 100 characters; more stay free text."""
    return 0 < len(choices) <= limits.COMMAND_CHOICES and all(
        len(c) <= limits.CHOICE_VALUE for c in choices
    )


def _choice(arg: Arg, value: str, language: str) -> dict[str, Any]:
    """A choice named by its label in each language; the value stays what members type."""
    if not arg.labels:
        return {"name": clip(value, limits.CHOICE_NAME), "value": value}
    return {
        **_localized("name", arg.label(value), language, limits.CHOICE_NAME, {}),
        "value": value,
    }


def _visibility(specs: Sequence[CommandSpec]) -> dict[str, Any]:
    """Hide a command only staff may use from other members' menus (the core still checks).

    Discord shows it only to members with the permission; server admins can change that
    per role under Server Settings → Integrations. Per command, not per subcommand.
    """
    lowest = min((s.level for s in specs), key=lambda level: level.rank)
    bits = STAFF_PERMISSIONS.get(lowest)
    return {"default_member_permissions": str(bits)} if bits is not None else {}


def _described(msgid: str, language: str, **kwargs: Any) -> dict[str, Any]:
    """`description` in the bot's language plus `description_localizations`."""
    return _localized("description", msgid, language, limits.COMMAND_DESCRIPTION, kwargs)


def _localized(
    key: str, msgid: str, language: str, limit: int, kwargs: Mapping[str, Any]
) -> dict[str, Any]:
    """`key` in the bot's language, and `<key>_localizations` from the other catalogs.

    A catalog without a translation adds nothing: Discord shows the default instead.
    """
    default = _translated(msgid, language, limit, kwargs)
    localized: dict[str, str] = {}
    for locale in SUPPORTED_LOCALES:
        if locale == language:
            continue
        text = _translated(msgid, locale, limit, kwargs)
        if text == default:
            continue
        for code in DISCORD_LOCALES.get(locale, ()):
            localized[code] = text
    found: dict[str, Any] = {key: default}
    if localized:
        found[f"{key}_localizations"] = localized
    return found


def _translated(msgid: str, locale: str, limit: int, kwargs: Mapping[str, Any]) -> str:
    with using_locale(locale):
        text = _(msgid, **kwargs) if msgid else ""
    return clip(" ".join(text.split()), limit) or "…"


# --- invocations ------------------------------------------------------------------------


def invocation(
    data: Mapping[str, Any], routes: Mapping[tuple[str, ...], str]
) -> tuple[str, dict[str, str]]:
    """(registry command name, options as text) of an application command interaction.

    Members come as `<@id>` and channels as `<#id>`, the forms the core's argument
    parser already reads from text platforms.
    """
    name, options = _walk(data, routes)
    values: dict[str, str] = {}
    for option in options:
        if "value" in option and "name" in option:
            values[str(option["name"])] = option_text(option)
    return name, values


def focused(
    data: Mapping[str, Any], routes: Mapping[tuple[str, ...], str]
) -> tuple[str, str, str] | None:
    """(registry command name, option name, what was typed so far) of an autocomplete."""
    name, options = _walk(data, routes)
    for option in options:
        if option.get("focused") and "name" in option:
            return name, str(option["name"]), str(option.get("value") or "")
    return None


def _walk(
    data: Mapping[str, Any], routes: Mapping[tuple[str, ...], str]
) -> tuple[str, Sequence[Mapping[str, Any]]]:
    """The registry name the subcommand path leads to, and the options given to it."""
    path = [str(data["name"])]
    options: Sequence[Mapping[str, Any]] = data.get("options") or ()
    while options and options[0].get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP):
        path.append(str(options[0]["name"]))
        options = options[0].get("options") or ()
    return routes.get(tuple(path)) or " ".join(path), options


def option_text(option: Mapping[str, Any]) -> str:
    value = option["value"]
    kind = option.get("type")
    if kind in (USER, MENTIONABLE):
        return f"<@{value}>"
    if kind == CHANNEL:
        return f"<#{value}>"
    if kind == ROLE:
        return f"<@&{value}>"
    if kind == BOOLEAN or isinstance(value, bool):
        return "true" if value is True or str(value).lower() == "true" else "false"
    return str(value)


# --- syncing ---------------------------------------------------------------------------


async def sync(client: discord.Client, commands: CommandSet, config: DiscordConfig) -> bool | None:
    """Replace the application's commands with `commands`.

    To the configured guilds (visible at once), or globally (Discord may take up to an
    hour to show changes everywhere). True when done; False when Discord refused (logged
    with what to do: the bot runs on without slash commands rather than not at all);
    None when Discord could not be reached (the adapter tries again once connected).
    """
    application = client.application_id
    if application is None:
        log.error("cannot sync Discord commands: the application id is unknown")
        return False
    payload = list(commands.payloads)
    ok = True
    targets: Sequence[int | None] = list(config.guild_ids) or [None]
    for guild in targets:
        try:
            if guild is None:
                await client.http.bulk_upsert_global_commands(application, payload)
            else:
                await client.http.bulk_upsert_guild_commands(application, guild, payload)
        except discord.Forbidden as error:
            ok = False
            log.error(
                "%s",
                _(
                    "Discord refused the slash commands for guild {guild} ({error}). Invite "
                    "the bot with the applications.commands scope (see the README).",
                    guild=guild or "global",
                    error=error.text or error.status,
                ),
            )
        except discord.HTTPException as error:
            ok = False
            log.error(
                "Discord rejected the slash commands for %s: %s %s",
                guild or "global",
                error.status,
                error.text,
            )
        except (OSError, aiohttp.ClientError, TimeoutError) as error:
            log.warning("could not sync the Discord commands yet (%s); trying again later", error)
            return None
    if ok and config.guild_ids:
        await _clear_global(client, application)
    if ok:
        log.info(
            "synced %d Discord command(s) to %s",
            len(payload),
            ", ".join(str(g) for g in config.guild_ids) or "all guilds (global)",
        )
    return ok


async def _clear_global(client: discord.Client, application: int) -> None:
    """Remove global commands an earlier global sync left, now that guilds have their own.

    Members would otherwise see every command twice. Once: afterwards there are none. A
    failure is logged and tried again at the next start (the guild commands stand).
    """
    try:
        left = await client.http.get_global_commands(application)
        if left:
            await client.http.bulk_upsert_global_commands(application, [])
            log.info(
                "removed %d global Discord command(s) left from an earlier global sync "
                "(now that guild_ids is set, members would have seen them twice)",
                len(left),
            )
    except (discord.HTTPException, OSError, aiohttp.ClientError, TimeoutError) as error:
        log.warning("could not remove the old global Discord commands (%s); next start", error)
