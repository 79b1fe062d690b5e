"""What a feature needs a platform to show it or let it do, declared once per feature.

Adapters turn needs into their own terms: Discord into gateway intents (what Discord
sends the bot at all) and the permissions the invite link asks for, so neither is
guessed, nor copied into the README by hand where it would drift. A feature declares
what it always needs with `Feature(needs=…)` and what depends on its settings with
`@feature.requires` (keyword kudos read message text only when switched on).
"""

from __future__ import annotations

from enum import StrEnum


class Need(StrEnum):
    MESSAGE_TEXT = "message_text"  # what members write, not only that they wrote
    MEMBER_EVENTS = "member_events"  # joins, departures and role changes
    REACTIONS = "reactions"  # reactions added and removed
    THREADS = "threads"  # starts threads on messages
    FILES = "files"  # posts images and files in channels
    ROLES = "roles"  # gives and takes roles
    MANAGE_MESSAGES = "manage_messages"  # removes members' messages and reactions
    TIMEOUT = "timeout"
    KICK = "kick"
    BAN = "ban"
    PIN = "pin"
    INVITES = "invites"  # creates invite links and reads how often each was used
