"""Slack's built-in slash commands: an app may not register them.

A manifest naming one is refused, and a member typing one gets Slack's own command,
so the core offers such commands under another name on Slack (see
`bot/command_names.py`). From Slack's help centre, "Use built-in slash commands".
"""

from __future__ import annotations

BUILT_IN_COMMANDS = frozenset(
    {
        "active",
        "apps",
        "archive",
        "away",
        "call",
        "collapse",
        "dm",
        "dnd",
        "expand",
        "feed",
        "feedback",
        "invite",
        "join",
        "kick",
        "leave",
        "me",
        "msg",
        "mute",
        "open",
        "prefs",
        "remind",
        "remove",
        "rename",
        "search",
        "shortcuts",
        "shrug",
        "star",
        "status",
        "topic",
        "who",
    }
)
