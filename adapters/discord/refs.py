"""Discord identities as core `Ref`s, and the event ids that make replays no-ops.

The workspace is the guild id, so one database holds several guilds (and Slack)
without collisions. Members and channels are refs to their snowflake. A message
ref carries its channel too (`"<channel>/<message>"`), because every Discord call on
a message needs both. A thread is a channel; a thread started from a message has
the message's id, so "the thread of message M" is channel M.

Direct messages belong to no guild. They are filed under the member's guild (see
`adapter.DiscordAdapter.workspace_for`), so a DM and a guild message by the same
person reach one member record; `DM_WORKSPACE` is only used when no guild is known.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from bot.model import Platform, Ref

PLATFORM = Platform.DISCORD.value
DM_WORKSPACE = "@me"


def member_ref(workspace: str, user_id: int | str) -> Ref:
    return Ref(PLATFORM, workspace, str(user_id))


def channel_ref(workspace: str, channel_id: int | str) -> Ref:
    return Ref(PLATFORM, workspace, str(channel_id))


def message_ref(workspace: str, channel_id: int | str, message_id: int | str) -> Ref:
    return Ref(PLATFORM, workspace, f"{channel_id}/{message_id}")


def split(ref: Ref) -> tuple[int, int | None]:
    """(channel id, message id or None) of a channel, thread or message ref.

    Raises ValueError for a ref that is not made of Discord snowflakes.
    """
    channel, _sep, message = ref.id.partition("/")
    return int(channel), (int(message) if message else None)


def guild_id(ref: Ref) -> int | None:
    """The guild of a ref, or None for direct messages."""
    return int(ref.workspace) if ref.workspace.isdigit() else None


# --- event ids --------------------------------------------------------------------
#
# Discord gives messages and interactions their own ids, so those are used. Joins carry
# `joined_at`, which is new for every (re)join. Reactions, departures and role changes
# carry nothing unique: `reaction_add` for the same member, message and emoji is
# byte-for-byte the same payload every time someone adds, removes and adds again, so a
# key built from its fields would drop the second "add" as a duplicate. Those events are
# keyed by the gateway frame instead: (session id, sequence number). A RESUME replays
# missed frames with their original sequence numbers in the same session, so a replay
# gets the same id; a new session never replays anything.


def interaction_event_id(interaction_id: int) -> str:
    return f"{PLATFORM}:interaction:{interaction_id}"


def message_event_id(message_id: int) -> str:
    return f"{PLATFORM}:message:{message_id}"


def join_event_id(guild: int, user: int, joined_at: datetime | None, frame: str | None) -> str:
    if joined_at is not None:
        return f"{PLATFORM}:join:{guild}:{user}:{joined_at.isoformat()}"
    return frame_event_id(frame, "join", str(user))


def frame_event_id(frame: str | None, *parts: str) -> str:
    """An id for an event without one of its own: its gateway frame (see above).

    Without a frame (the event did not come through the gateway parser) the id is
    unique, so the event is processed, never wrongly dropped as a duplicate.
    """
    if frame is None:
        frame = "local:" + secrets.token_hex(8)
    return ":".join([PLATFORM, "frame", frame, *parts])
