"""Gateway intents from what the enabled features need (`bot.needs`).

Discord sends a bot only the events its intents ask for, and two of them are
privileged: they must also be switched on in the Developer Portal (Bot → Privileged
Gateway Intents), and a bot in 100 or more servers needs Discord's approval for them.
So Agora asks for a privileged intent only when an enabled feature needs it:

| need            | intent                          | without it                          |
|-----------------|---------------------------------|-------------------------------------|
| MEMBER_EVENTS   | Server Members (privileged)     | no joins, departures, role changes  |
| MESSAGE_TEXT    | Message Content (privileged)    | messages arrive with empty text     |
| REACTIONS       | guild and DM reactions          | no reactions                        |
| (always)        | guilds, guild and DM messages   | —                                   |

Messages themselves are always on: activity metrics, mentor check-ins and answers in
question threads count that a member wrote, not what. `[discord] members` and
`message_content` set to true or false override the derivation.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import discord

from bot.config import DiscordConfig
from bot.i18n import N_
from bot.needs import Need


@dataclass(frozen=True, slots=True)
class Privileged:
    """A privileged intent as the Developer Portal names it, and why features want it."""

    # As the Developer Portal labels it; the Portal is in English only, so never translated.
    name: str
    purpose: str  # msgid
    need: Need
    setting: str  # the `[discord]` key that overrides it


PRIVILEGED = (
    Privileged(
        "Server Members Intent",
        N_("see members join, leave and change roles"),
        Need.MEMBER_EVENTS,
        "members",
    ),
    Privileged(
        "Message Content Intent",
        N_("read what members write"),
        Need.MESSAGE_TEXT,
        "message_content",
    ),
)


def wanted(config: DiscordConfig, intent: Privileged, needs: Collection[Need]) -> bool:
    """Whether to ask for `intent`: the explicit setting, else whether a feature needs it."""
    explicit: bool | None = getattr(config, intent.setting)
    return intent.need in needs if explicit is None else explicit


def intents(config: DiscordConfig, needs: Collection[Need]) -> discord.Intents:
    chosen = discord.Intents.none()
    chosen.guilds = True
    chosen.guild_messages = True
    chosen.dm_messages = True
    reactions = Need.REACTIONS in needs
    chosen.guild_reactions = reactions
    chosen.dm_reactions = reactions
    chosen.members = wanted(config, PRIVILEGED[0], needs)
    chosen.message_content = wanted(config, PRIVILEGED[1], needs)
    return chosen


def privileged(
    config: DiscordConfig, needs: Mapping[Need, Sequence[str]]
) -> list[tuple[Privileged, tuple[str, ...]]]:
    """The privileged intents Agora will ask for, each with the features that need it."""
    return [
        (intent, tuple(needs.get(intent.need, ())))
        for intent in PRIVILEGED
        if wanted(config, intent, needs)
    ]
