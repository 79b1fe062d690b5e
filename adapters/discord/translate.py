"""discord.py objects and raw gateway data → core events. Translation only.

| Discord                                   | core                                      |
|-------------------------------------------|-------------------------------------------|
| MESSAGE_CREATE (default and reply types)  | MessagePosted (`thread_of` inside threads) |
| MESSAGE_CREATE opening a forum post       | MessagePosted in the forum, titled         |
| MESSAGE_REACTION_ADD / _REMOVE (raw)      | ReactionChanged                           |
| GUILD_MEMBER_ADD / GUILD_MEMBER_REMOVE    | MemberJoined / MemberLeft                 |
| GUILD_MEMBER_UPDATE with other roles      | RoleChanged, one per role                 |
| INTERACTION_CREATE, application command   | CommandInvoked (`options`, `reply_token`) |
| INTERACTION_CREATE, button or select      | ButtonPressed                             |
| INTERACTION_CREATE, modal submit          | FormSubmitted                             |

Members carry role *names* (the core's permissions match `role:Moderator`), never
`@everyone`. Reactions use the raw events so reactions on messages older than the
cache still count. Emoji reach the core as the character (`✅`); custom guild
emoji as `:name:`, the form the Slack adapter uses too.

Every function here is pure apart from reading discord.py's caches through the
objects it is given; the adapter decides the workspace (see `refs`) and the time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, cast

import discord

from adapters.discord import commands
from adapters.discord.custom_ids import CustomIds
from adapters.discord.refs import (
    channel_ref,
    frame_event_id,
    interaction_event_id,
    join_event_id,
    member_ref,
    message_event_id,
    message_ref,
)
from bot.model import (
    ButtonPressed,
    Channel,
    ChannelKind,
    CommandInvoked,
    FormSubmitted,
    Member,
    MemberJoined,
    MemberLeft,
    Message,
    MessagePosted,
    ReactionChanged,
    Ref,
    RoleChanged,
)

POSTED_TYPES = frozenset({discord.MessageType.default, discord.MessageType.reply})
THREAD_TYPES = frozenset(
    {
        discord.ChannelType.public_thread,
        discord.ChannelType.private_thread,
        discord.ChannelType.news_thread,
    }
)
DM_TYPES = frozenset({discord.ChannelType.private, discord.ChannelType.group})


class Untranslatable(ValueError):
    """A payload the core cannot use (logged by the adapter, never raised further)."""


# --- who and where ----------------------------------------------------------------------


def member(user: discord.abc.User, workspace: str, *, locale: str | None = None) -> Member:
    """A core Member from a discord.py Member (with roles) or User (DMs, departed)."""
    roles = frozenset(role.name for role in getattr(user, "roles", ()) if not role.is_default())
    display = user.display_name
    return Member(
        ref=member_ref(workspace, user.id),
        name=user.name,
        display_name=display if display != user.name else "",
        roles=roles,
        is_bot=user.bot,
        locale=locale,
    )


def locale_of(interaction: discord.Interaction[Any]) -> str | None:
    value = getattr(interaction.locale, "value", None)
    return str(value) if value else None


def channel(where: Any, workspace: str, *, channel_id: int | None = None) -> Channel:
    """A core Channel from any discord.py channel-like object (or only its id)."""
    cid = getattr(where, "id", None) or channel_id
    if cid is None:
        raise Untranslatable("no channel")
    ref = channel_ref(workspace, cid)
    kind = getattr(where, "type", None)
    if isinstance(where, discord.Thread) or kind in THREAD_TYPES:
        parent = getattr(where, "parent_id", None) or cid
        name = getattr(where, "name", None) or str(cid)
        # A thread hangs from the message it was started on, which has its id: in the
        # parent channel, or for a forum post in the thread itself (its first message).
        root = message_ref(workspace, cid, cid) if in_forum(where) else None
        root = root or message_ref(workspace, parent, cid)
        return Channel(ref, name, ChannelKind.THREAD, root)
    if isinstance(where, discord.DMChannel | discord.GroupChannel) or kind in DM_TYPES:
        recipient = getattr(where, "recipient", None)
        name = f"@{recipient.name}" if recipient is not None else str(cid)
        return Channel(ref, name, ChannelKind.DM)
    if isinstance(where, discord.ForumChannel) or kind is discord.ChannelType.forum:
        return Channel(ref, getattr(where, "name", None) or str(cid), ChannelKind.FORUM)
    return Channel(ref, getattr(where, "name", None) or str(cid), ChannelKind.TEXT)


def in_forum(thread: Any) -> bool:
    """Whether a thread is a forum (or media channel) post."""
    parent = getattr(thread, "parent", None)
    return isinstance(parent, discord.ForumChannel)


def opens_post(message: discord.Message) -> bool:
    """A forum post's first message: it lives in the post's thread and has its id.

    (A thread started on a message in a text channel has that message's id too, but
    the message lives in the parent channel, so it is never `message.channel` there.)
    """
    return isinstance(message.channel, discord.Thread) and message.id == message.channel.id


def emoji_text(emoji: discord.PartialEmoji | discord.Emoji | str) -> str:
    if isinstance(emoji, str):
        return emoji
    if emoji.id is None:
        return emoji.name or ""
    return f":{emoji.name}:"


# --- gateway events ---------------------------------------------------------------------


def message_posted(message: discord.Message, workspace: str, now: datetime) -> MessagePosted | None:
    """A member's message; None for system messages (pins, joins, thread notices)."""
    if message.type not in POSTED_TYPES:
        return None
    where = channel(message.channel, workspace)
    title = ""
    if opens_post(message):
        # A new post in a forum: a top-level message of the forum, titled by its thread.
        post = cast(discord.Thread, message.channel)
        where = channel(post.parent, workspace, channel_id=post.parent_id)
        title = post.name
    thread_of = where.parent if where.kind is ChannelKind.THREAD else None
    return MessagePosted(
        event_id=message_event_id(message.id),
        occurred_at=now,
        message=Message(
            ref=message_ref(workspace, message.channel.id, message.id),
            channel=where,
            author=member(message.author, workspace),
            text=message.content,
            created_at=message.created_at,
            thread_of=thread_of,
            mentions=tuple(member_ref(workspace, user.id) for user in message.mentions),
            to_bot=to_bot(message),
            title=title,
        ),
    )


def to_bot(message: discord.Message) -> bool:
    """A one-to-one DM with the bot, or a message mentioning it."""
    if isinstance(message.channel, discord.DMChannel):
        return True
    me = message.guild.me if message.guild is not None else None
    return me is not None and any(user.id == me.id for user in message.mentions)


def reaction_changed(
    payload: discord.RawReactionActionEvent,
    *,
    actor: Member,
    where: Channel,
    author: int | None,
    frame: str | None,
    now: datetime,
) -> ReactionChanged:
    workspace = actor.ref.workspace
    added = payload.event_type == "REACTION_ADD"
    emoji = emoji_text(payload.emoji)
    return ReactionChanged(
        event_id=frame_event_id(frame, "reaction"),
        occurred_at=now,
        actor=actor,
        message=message_ref(workspace, payload.channel_id, payload.message_id),
        channel=where,
        emoji=emoji,
        added=added,
        message_author=member_ref(workspace, author) if author else None,
    )


def member_joined(
    joined: discord.Member, workspace: str, *, frame: str | None, now: datetime
) -> MemberJoined:
    return MemberJoined(
        event_id=join_event_id(joined.guild.id, joined.id, joined.joined_at, frame),
        occurred_at=now,
        member=member(joined, workspace),
    )


def member_left(
    user: discord.abc.User, workspace: str, *, frame: str | None, now: datetime
) -> MemberLeft:
    return MemberLeft(
        event_id=frame_event_id(frame, "leave", str(user.id)),
        occurred_at=now,
        member=member(user, workspace),
    )


def role_changes(
    before: discord.Member,
    after: discord.Member,
    workspace: str,
    *,
    frame: str | None,
    now: datetime,
) -> list[RoleChanged]:
    """One RoleChanged per role given or taken, named; [] when roles did not change."""
    old = {role.id: role for role in before.roles if not role.is_default()}
    new = {role.id: role for role in after.roles if not role.is_default()}
    who = member(after, workspace)
    changes: list[RoleChanged] = []
    for role_id, role in sorted(new.items()):
        if role_id not in old:
            changes.append(_role(who, role, True, frame, now))
    for role_id, role in sorted(old.items()):
        if role_id not in new:
            changes.append(_role(who, role, False, frame, now))
    return changes


def _role(
    who: Member, role: discord.Role, added: bool, frame: str | None, now: datetime
) -> RoleChanged:
    sign = "+" if added else "-"
    return RoleChanged(
        event_id=frame_event_id(frame, "role", f"{sign}{role.id}"),
        occurred_at=now,
        member=who,
        role=role.name,
        added=added,
    )


# --- interactions -----------------------------------------------------------------------


def raw_data(interaction: discord.Interaction[Any]) -> Mapping[str, Any]:
    """The interaction's `data` object as Discord sent it (options, custom_id, values)."""
    return cast(Mapping[str, Any], interaction.data or {})


def interaction_channel(interaction: discord.Interaction[Any], workspace: str) -> Channel | None:
    if interaction.channel is None and interaction.channel_id is None:
        return None
    return channel(interaction.channel, workspace, channel_id=interaction.channel_id)


def command_invoked(
    interaction: discord.Interaction[Any],
    workspace: str,
    routes: Mapping[tuple[str, ...], str],
    now: datetime,
) -> CommandInvoked:
    data = raw_data(interaction)
    if "name" not in data:
        raise Untranslatable("application command without a name")
    name, options = commands.invocation(data, routes)
    where = interaction_channel(interaction, workspace)
    if where is None:
        raise Untranslatable("application command without a channel")
    locale = locale_of(interaction)
    return CommandInvoked(
        event_id=interaction_event_id(interaction.id),
        occurred_at=now,
        actor=member(interaction.user, workspace, locale=locale),
        channel=where,
        name=name,
        options=options,
        locale=locale,
        reply_token=interaction.token,
    )


def decode_custom_id(data: Mapping[str, Any], ids: CustomIds, what: str) -> tuple[str, str] | None:
    """The two parts of a component's or modal's custom id; None when a stored one expired.

    `what` names the interaction in the error when Discord sent no custom id at all.
    """
    custom_id = data.get("custom_id")
    if not isinstance(custom_id, str):
        raise Untranslatable(f"{what} without a custom_id")
    return ids.decode(custom_id)


def button_pressed(
    interaction: discord.Interaction[Any], workspace: str, ids: CustomIds, now: datetime
) -> ButtonPressed | None:
    """A click or a choice; None when the custom id is a stored one that expired."""
    data = raw_data(interaction)
    decoded = decode_custom_id(data, ids, "component")
    if decoded is None:
        return None
    action_id, value = decoded
    values = tuple(str(v) for v in data.get("values") or ())
    if values and not value:
        value = values[0]
    where = interaction_channel(interaction, workspace)
    message = interaction.message
    locale = locale_of(interaction)
    return ButtonPressed(
        event_id=interaction_event_id(interaction.id),
        occurred_at=now,
        actor=member(interaction.user, workspace, locale=locale),
        action_id=action_id,
        value=value,
        message=(
            message_ref(workspace, message.channel.id, message.id) if message is not None else None
        ),
        channel=where,
        values=values,
        locale=locale,
        reply_token=interaction.token,
    )


def form_submitted(
    interaction: discord.Interaction[Any], workspace: str, ids: CustomIds, now: datetime
) -> FormSubmitted | None:
    data = raw_data(interaction)
    decoded = decode_custom_id(data, ids, "modal submit")
    if decoded is None:
        return None
    form_id, context = decoded
    locale = locale_of(interaction)
    return FormSubmitted(
        event_id=interaction_event_id(interaction.id),
        occurred_at=now,
        actor=member(interaction.user, workspace, locale=locale),
        form_id=form_id,
        values=modal_values(data.get("components") or ()),
        context=context,
        channel=interaction_channel(interaction, workspace),
        locale=locale,
        reply_token=interaction.token,
    )


def modal_values(components: Iterable[Any]) -> dict[str, str]:
    """`{custom_id: value}` from a modal submit, whatever nesting Discord used.

    Labels (type 18) hold one `component`; action rows (type 1) hold `components`.
    Text inputs give `value`; selects give `values`, joined by "," (as on Slack).
    """
    found: dict[str, str] = {}
    for item in components:
        if not isinstance(item, Mapping):
            continue
        inner: Sequence[Any] = ()
        if isinstance(item.get("component"), Mapping):
            inner = (item["component"],)
        elif isinstance(item.get("components"), list):
            inner = item["components"]
        if inner:
            found.update(modal_values(inner))
            continue
        custom_id = item.get("custom_id")
        if not isinstance(custom_id, str):
            continue
        if isinstance(item.get("values"), list):
            found[custom_id] = ",".join(str(v) for v in item["values"])
        elif item.get("value") is not None:
            found[custom_id] = str(item["value"])
        else:
            found[custom_id] = ""
    return found


def mentioned_members(interaction: discord.Interaction[Any], workspace: str) -> list[Member]:
    """Members an application command names (`data.resolved`), for the directory.

    The core resolves `<@id>` through its directory, so a member who never said a word
    must be known before the command runs.
    """
    data = raw_data(interaction)
    resolved = data.get("resolved") or {}
    users = resolved.get("users") or {}
    members = resolved.get("members") or {}
    guild = interaction.guild
    found: list[Member] = []
    for user_id, user in users.items():
        if not isinstance(user, Mapping) or not str(user_id).isdigit():
            continue
        cached = guild.get_member(int(user_id)) if guild is not None else None
        if cached is not None:
            found.append(member(cached, workspace))
            continue
        extra = members.get(user_id) if isinstance(members, Mapping) else None
        nick = extra.get("nick") if isinstance(extra, Mapping) else None
        name = str(user.get("username") or user_id)
        display = str(nick or user.get("global_name") or "")
        roles: frozenset[str] = frozenset()
        if guild is not None and isinstance(extra, Mapping):
            roles = frozenset(
                role.name
                for rid in extra.get("roles") or ()
                if str(rid).isdigit() and (role := guild.get_role(int(rid))) is not None
            )
        found.append(
            Member(
                ref=member_ref(workspace, user_id),
                name=name,
                display_name=display if display != name else "",
                roles=roles,
                is_bot=bool(user.get("bot")),
            )
        )
    return found


def actor_ref(interaction: discord.Interaction[Any], workspace: str) -> Ref:
    return member_ref(workspace, interaction.user.id)
