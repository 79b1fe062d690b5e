"""`agora discord invite-url`: the link that adds the bot to a server, and what it asks for.

The application id comes from `--client-id`, else `[discord] application_id`, else the
bot token: a token's first part is the bot's user id in base64, and a bot user has
its application's id. The permissions are computed from the enabled features
(`permissions.required`), and the privileged intents they need are listed too, since
the invite cannot grant those: they are switched on in the Developer Portal.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from adapters.discord import permissions
from adapters.discord.intents import Privileged, privileged
from adapters.discord.permissions import Granted
from bot.config import AgoraConfig
from bot.i18n import _
from bot.needs import Need


class InviteLinkError(Exception):
    """What is missing or wrong, as a sentence for the admin."""


@dataclass(frozen=True, slots=True)
class InviteLink:
    url: str
    permissions: int
    granted: tuple[Granted, ...]
    intents: tuple[tuple[Privileged, tuple[str, ...]], ...]


def application_id_from_token(token: str, variable: str) -> int:
    """The application id inside a bot token (its first part, base64 of the id)."""
    head = token.strip().split(".", 1)[0]
    try:
        digits = base64.b64decode(head + "=" * (-len(head) % 4), altchars=b"-_", validate=True)
        text = digits.decode("ascii")
    except (binascii.Error, ValueError):
        text = ""
    if not text.isdigit() or len(text) > 20:
        raise InviteLinkError(
            _(
                "{name} does not hold a Discord bot token (its first part should be the "
                "application id, in base64). Copy the token again from the Developer Portal "
                "(Bot → Reset Token), or pass --client-id with the Application ID from "
                "General Information.",
                name=variable,
            )
        )
    return int(text)


def application_id(config: AgoraConfig, given: int | None, env: Mapping[str, str]) -> int:
    if given is not None:
        return given
    if config.discord.application_id is not None:
        return config.discord.application_id
    variable = config.discord.token_env
    token = (env.get(variable) or "").strip()
    if not token:
        raise InviteLinkError(
            _(
                "Agora needs the application id for the link: pass --client-id with the "
                "Application ID from the Developer Portal (General Information), set "
                "application_id under [discord], or export the bot token as {name}.",
                name=variable,
            )
        )
    return application_id_from_token(token, variable)


def invite_link(
    config: AgoraConfig,
    needs: Mapping[Need, Sequence[str]],
    *,
    client_id: int | None,
    env: Mapping[str, str],
) -> InviteLink:
    """The invite link for the features `needs` came from (`Registry.needs(config)`)."""
    if client_id is not None and client_id <= 0:
        raise InviteLinkError(_("--client-id must be the application's id, a positive number."))
    app = application_id(config, client_id, env)
    granted = permissions.required(needs)
    value = permissions.integer(granted)
    return InviteLink(
        url=permissions.invite_url(app, value),
        permissions=value,
        granted=tuple(granted),
        intents=tuple(privileged(config.discord, needs)),
    )


def describe(link: InviteLink) -> list[str]:
    """The link, then each permission and privileged intent with why, for the terminal."""
    lines = [link.url, "", _("Permissions ({value}):", value=link.permissions)]
    for item in link.granted:
        lines.append(_line(item.permission.name, item.permission.purpose, item.features))
    lines.append("")
    if link.intents:
        lines.append(_("Turn on in the Developer Portal (Bot → Privileged Gateway Intents):"))
        for intent, features in link.intents:
            lines.append(_line(intent.name, intent.purpose, features))
    else:
        lines.append(_("No privileged intents needed."))
    return lines


def _line(name: str, purpose: str, features: Sequence[str]) -> str:
    if features:
        return _(
            "  • {name} — {features}: {purpose}",
            name=_(name),
            features=", ".join(features),
            purpose=_(purpose),
        )
    return _("  • {name} — {purpose}", name=_(name), purpose=_(purpose))
