"""The Slack app manifest, generated from the registry (`agora slack-manifest`).

An admin pastes it at https://api.slack.com/apps → Create New App → From a manifest,
so the slash commands, scopes and event subscriptions always match the features that
are enabled. Slack gets one slash command per root (`/kudos`); subcommands
(`/kudos top`) are parsed by the core from the command text.

Scopes, and why:
- `commands`: the slash commands; `chat:write`: replies, welcomes, announcements;
  `chat:write.public`: post in public channels without being invited (mod queue).
- `im:write`: open DMs (conversations.open) for private answers and forms.
- `channels:history`, `groups:history`, `im:history`, `mpim:history`: the `message`
  events features count and react to (public, private, DM, group DM), and after a
  restart, whether a message the stopped run was sending reached Slack already.
- `channels:read`, `groups:read`, `im:read`, `mpim:read`: channel names and kinds,
  `member_joined_channel`.
- `app_mentions:read`: `@Agora` mentions; `reactions:read` / `reactions:write`:
  reaction events, and removing the bot's own reactions.
- `users:read`: names, language, admin/owner flags, `team_join` and `user_change`;
  `usergroups:read`: user groups as roles for `[permissions]`; `usergroups:write`
  only with `[slack] user_groups = true` (reward roles given as user groups).
- `files:write`: charts and images the core sends as bytes.
Not requested: `users:read.email` (privacy by default; add it if you link accounts
by e-mail). `[slack] scopes` replaces this list (the OAuth install asks for the same).

With `[slack] oauth = true` the manifest also names the OAuth redirect URL and
subscribes to `app_uninstalled` and `tokens_revoked`, which delete a workspace's
stored install.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from adapters.slack.reserved import BUILT_IN_COMMANDS
from adapters.text_limits import clip
from bot.args import usage
from bot.command_names import offered
from bot.config import USER_GROUP_SCOPES, AgoraConfig, SlackConfig
from bot.i18n import _
from bot.registry import CommandSpec, Registry

BOT_SCOPES = (
    "app_mentions:read",
    "channels:history",
    "channels:read",
    "chat:write",
    "chat:write.public",
    "commands",
    "files:write",
    "groups:history",
    "groups:read",
    "im:history",
    "im:read",
    "im:write",
    "mpim:history",
    "mpim:read",
    "pins:write",
    "reactions:read",
    "reactions:write",
    "usergroups:read",
    "users:read",
)
BOT_EVENTS = (
    "app_home_opened",
    "app_mention",
    "member_joined_channel",
    "member_left_channel",
    "message.channels",
    "message.groups",
    "message.im",
    "message.mpim",
    "reaction_added",
    "reaction_removed",
    "team_join",
    "user_change",
)
# Only with `[slack] oauth = true`: they delete a workspace's stored install.
OAUTH_EVENTS = ("app_uninstalled", "tokens_revoked")
APP_NAME = 35
APP_DESCRIPTION = 140
COMMAND_NAME = 32
COMMAND_DESCRIPTION = 100
USAGE_HINT = 1000
PLACEHOLDER_URL = "https://YOUR-PUBLIC-HOST"
Mode = Literal["http", "socket"]


def _describe(root: str, named: Sequence[tuple[str, CommandSpec]]) -> tuple[str, str]:
    """(description, usage hint) for one slash command and its subcommands."""
    main = next((s for n, s in named if n == root), None)
    subs = [(n.split(" ", 1)[1], s) for n, s in named if n != root]
    if main is not None:
        description = _(main.help)
    else:
        description = "; ".join(f"{sub}: {_(s.help)}" for sub, s in subs)
    hints = []
    if main is not None:
        hints.append(usage(root, main.args).removeprefix(f"/{root}").strip())
    hints.extend(usage(f"{root} {sub}", s.args).removeprefix(f"/{root}").strip() for sub, s in subs)
    return description, " | ".join(h for h in hints if h)


def bot_scopes(slack: SlackConfig) -> list[str]:
    """`[slack] scopes`, else the scopes above: the manifest and the install agree."""
    if slack.scopes:
        return list(slack.scopes)
    extra = USER_GROUP_SCOPES if slack.user_groups else ()
    return sorted({*BOT_SCOPES, *extra})


def slash_commands(registry: Registry, request_url: str | None) -> list[dict[str, Any]]:
    """One entry per root as members type it on Slack (built-in names are renamed)."""
    by_root: dict[str, list[tuple[str, CommandSpec]]] = {}
    for command in offered(registry, BUILT_IN_COMMANDS):
        by_root.setdefault(command.root, []).append((command.name, command.spec))
    commands = []
    for root, named in sorted(by_root.items()):
        description, hint = _describe(root, named)
        entry: dict[str, Any] = {
            "command": "/" + root[: COMMAND_NAME - 1],
            "description": clip(description or root, COMMAND_DESCRIPTION),
            "should_escape": True,
        }
        if hint:
            entry["usage_hint"] = clip(hint, USAGE_HINT)
        if request_url:
            entry["url"] = request_url
        commands.append(entry)
    return commands


def manifest_mode(slack: SlackConfig, mode: Mode | None, public_url: str | None) -> Mode:
    """`mode` when given; else a public URL means HTTP mode; else `[slack] mode`."""
    if mode is not None:
        return mode
    return "http" if public_url else slack.mode


def needs_public_url(slack: SlackConfig, mode: Mode | None, public_url: str | None) -> bool:
    """True when the manifest would name the placeholder host instead of a real one."""
    return manifest_mode(slack, mode, public_url) == "http" and not (public_url or slack.public_url)


def build_manifest(
    registry: Registry,
    config: AgoraConfig,
    *,
    public_url: str | None = None,
    mode: Mode | None = None,
) -> dict[str, Any]:
    """The manifest as a dict. HTTP mode needs the public base URL Slack will call
    (`public_url`, else `[slack] public_url`, else a placeholder to edit)."""
    slack = config.slack
    socket = manifest_mode(slack, mode, public_url) == "socket"
    request_url = None
    base = (public_url or slack.public_url or PLACEHOLDER_URL).rstrip("/")
    if not socket:
        path = slack.path if slack.path.startswith("/") else "/" + slack.path
        request_url = base + path
    name = clip(config.bot.name, APP_NAME)
    events = [*BOT_EVENTS, *OAUTH_EVENTS] if slack.oauth else list(BOT_EVENTS)
    settings: dict[str, Any] = {
        "event_subscriptions": {"bot_events": sorted(events)},
        "interactivity": {"is_enabled": True},
        "org_deploy_enabled": False,
        "socket_mode_enabled": socket,
        "token_rotation_enabled": False,
    }
    if request_url:
        settings["event_subscriptions"]["request_url"] = request_url
        settings["interactivity"]["request_url"] = request_url
    features: dict[str, Any] = {
        "app_home": {
            "home_tab_enabled": True,
            "messages_tab_enabled": True,
            "messages_tab_read_only_enabled": False,
        },
        "bot_user": {"display_name": clip(config.bot.name, 80), "always_online": True},
    }
    commands = slash_commands(registry, request_url)
    if commands:
        features["slash_commands"] = commands
    oauth: dict[str, Any] = {"scopes": {"bot": bot_scopes(slack)}}
    if slack.oauth:
        oauth = {"redirect_urls": [base + slack.redirect_uri_path], **oauth}
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": name,
            "description": clip(
                _("Community bot: onboarding, questions, kudos, polls and more."), APP_DESCRIPTION
            ),
        },
        "features": features,
        "oauth_config": oauth,
        "settings": settings,
    }


def manifest_text(manifest: Mapping[str, Any], fmt: Literal["yaml", "json"] = "yaml") -> str:
    """YAML (what Slack's editor shows by default) or JSON; both paste into Slack."""
    if fmt == "json":
        return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    return "\n".join(_yaml(manifest, 0)) + "\n"


def slack_manifest(
    registry: Registry,
    config: AgoraConfig,
    *,
    public_url: str | None = None,
    mode: Mode | None = None,
    fmt: Literal["yaml", "json"] = "yaml",
) -> str:
    """What `agora slack-manifest` prints."""
    manifest = build_manifest(registry, config, public_url=public_url, mode=mode)
    return manifest_text(manifest, fmt)


# A tiny YAML writer for the manifest's shapes (maps, lists, scalars): strings are
# written JSON-quoted, which YAML reads as double-quoted scalars, so no value can
# be misread (`on`, `yes`, `: ` …) and no YAML library is needed.


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    return json.dumps(str(value), ensure_ascii=False)


def _key(key: str) -> str:
    return key if key.replace("_", "").replace(".", "").isalnum() else json.dumps(key)


def _yaml(value: Any, indent: int) -> list[str]:
    pad = "  " * indent
    lines: list[str] = []
    if isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(item, Mapping | list) and item:
                lines.append(f"{pad}{_key(str(key))}:")
                lines.extend(_yaml(item, indent + 1))
            else:
                empty = (
                    "{}" if isinstance(item, Mapping) else "[]" if isinstance(item, list) else None
                )
                lines.append(f"{pad}{_key(str(key))}: {empty or _scalar(item)}")
        return lines
    for item in value:
        if isinstance(item, Mapping) and item:
            nested = _yaml(item, indent + 1)
            lines.append(f"{pad}- {nested[0].lstrip()}")
            lines.extend(nested[1:])
        else:
            lines.append(f"{pad}- {_scalar(item)}")
    return lines
