"""Slack payloads → core events. Pure functions: the adapter looks things up first.

| Slack                                         | core                                   |
|-----------------------------------------------|----------------------------------------|
| slash command `/root text`                    | CommandInvoked(name=root, text)        |
| `block_actions` (button, selects, checkboxes) | ButtonPressed(action_id, value, values)|
| `view_submission`                             | FormSubmitted(form_id=callback_id, …)  |
| `message` (plain, `thread_broadcast`, `file_share`), `app_mention` | MessagePosted |
| `reaction_added` / `reaction_removed` on a message | ReactionChanged                   |
| `team_join`                                   | MemberJoined                           |
| `member_joined/left_channel` of a `join_channels` channel | MemberJoined / MemberLeft  |
| `user_change` with `deleted: true`            | MemberLeft                             |

Ignored on purpose: messages from bots (`bot_id`, `bot_message`), edits and deletions
(`message_changed`, `message_deleted`) and the other message subtypes (joins, topic
changes…), reactions on files, `member_joined_channel` of other channels (`team_join`
is the community join; counting channel joins too would welcome people twice).

A message and its `app_mention` twin get the same event id (`channel/ts`), so a
mention the bot also receives as a `message` reaches the core once; either one is
marked `to_bot` (a mention of the bot's user, or a one-to-one DM with it), whichever
arrives first.

Slack has no roles. A member's roles are `admin` / `owner` (workspace admins and
owners, from users.info `is_admin` / `is_owner`), `guest` (single- and multi-channel
guests) and the handles of the Slack user groups they belong to, so `[permissions]
moderator = ["role:moderators"]` means the `@moderators` user group.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from adapters.slack import emoji
from adapters.slack.mrkdwn import unescape
from adapters.slack.refs import (
    ReplyToken,
    channel_ref,
    event_id,
    fingerprint,
    member_ref,
    message_ref,
)
from bot.model import (
    ButtonPressed,
    Channel,
    ChannelKind,
    CommandInvoked,
    Event,
    FormSubmitted,
    Member,
    MemberJoined,
    MemberLeft,
    Message,
    MessagePosted,
    ReactionChanged,
)

log = logging.getLogger(__name__)

# Buttons the adapter itself posts (the "open the form" fallback); never sent to the core.
ADAPTER_ACTION_PREFIX = "_slack:"
OPEN_FORM_ACTION = ADAPTER_ACTION_PREFIX + "open_form"

USER_MESSAGE_SUBTYPES = frozenset({"thread_broadcast", "file_share"})
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_DM_KINDS = frozenset({"im", "mpim"})
_NO_NAME = frozenset({"directmessage", "privategroup"})

Payload = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ChannelInfo:
    name: str
    kind: ChannelKind = ChannelKind.TEXT


@dataclass(frozen=True, slots=True)
class Needs:
    """What the adapter should look up before translating a payload."""

    team: str | None
    users: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Lookup:
    """What the adapter knows about the members and channels a payload names."""

    team: str
    members: Mapping[str, Member] = field(default_factory=dict)
    channels: Mapping[str, ChannelInfo] = field(default_factory=dict)
    join_channels: frozenset[str] = frozenset()
    bot_user: str | None = None  # the bot's own user id in this workspace

    def member(self, user: str, name: str | None = None) -> Member:
        found = self.members.get(user)
        if found is not None:
            return found
        return Member(member_ref(self.team, user), name or user)

    def channel(
        self,
        channel: str,
        *,
        name: str | None = None,
        hint: str | None = None,
        thread_ts: str | None = None,
    ) -> Channel:
        info = self.channels.get(channel)
        kind = _kind(channel, name, hint, info)
        shown = name if name and name not in _NO_NAME else (info.name if info else channel)
        if thread_ts:
            # Named apart from its channel, so looking up "#help" never finds a thread.
            return Channel(
                message_ref(self.team, channel, thread_ts),
                f"{shown}/{thread_ts}",
                ChannelKind.THREAD,
                parent=channel_ref(self.team, channel),
            )
        return Channel(channel_ref(self.team, channel), shown, kind)


def _kind(
    channel: str, name: str | None, hint: str | None, info: ChannelInfo | None
) -> ChannelKind:
    if hint in _DM_KINDS or name == "directmessage" or (name or "").startswith("mpdm-"):
        return ChannelKind.DM
    if hint is None and info is not None:
        return info.kind
    return ChannelKind.DM if channel.startswith("D") and hint is None else ChannelKind.TEXT


# --- small readers ----------------------------------------------------------------------


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _map(value: Any) -> Payload:
    return value if isinstance(value, Mapping) else {}


def when(value: Any, fallback: datetime) -> datetime:
    """A Slack `ts` ("1748858700.000200") or `event_time` (int) as an aware datetime."""
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return fallback


def mentioned_users(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_MENTION.findall(text)))


def member_from_user(user: Payload, team: str, groups: Iterable[str] = ()) -> Member:
    """A users.info / team_join user object as a core Member (roles: see module doc)."""
    profile = _map(user.get("profile"))
    roles = set(groups)
    if user.get("is_admin"):
        roles.add("admin")
    if user.get("is_owner") or user.get("is_primary_owner"):
        roles.add("owner")
    if user.get("is_restricted") or user.get("is_ultra_restricted"):
        roles.add("guest")
    user_id = str(user.get("id") or "")
    return Member(
        member_ref(team, user_id),
        _str(user.get("name")) or user_id,
        _str(profile.get("display_name"))
        or _str(profile.get("real_name"))
        or _str(user.get("real_name"))
        or "",
        frozenset(roles),
        is_bot=bool(user.get("is_bot")) or user_id == "USLACKBOT",
        locale=_str(user.get("locale")),
        email=_str(profile.get("email")),
    )


# --- what a payload is ---------------------------------------------------------------------


def kind_of(body: Payload) -> str:
    """`command`, `block_actions`, `view_submission`, `event:<type>`, or Slack's type."""
    kind = _str(body.get("type"))
    if kind is None and _str(body.get("command")):
        return "command"
    if kind == "event_callback":
        return "event:" + str(_map(body.get("event")).get("type") or "")
    return kind or ""


def team_of(body: Payload) -> str | None:
    return (
        _str(body.get("team_id"))
        or _str(_map(body.get("team")).get("id"))
        or _str(_map(body.get("user")).get("team_id"))
        or _str(_map(body.get("view")).get("team_id"))
    )


def needs(body: Payload) -> Needs:
    """The users and channels to look up before `to_events(body, …)`."""
    kind = kind_of(body)
    team = team_of(body)
    event = _map(body.get("event"))
    users: list[str] = []
    channels: list[str] = []
    if kind == "command":
        users = [str(body.get("user_id") or ""), *mentioned_users(str(body.get("text") or ""))]
    elif kind in ("block_actions", "view_submission"):
        users = [str(_map(body.get("user")).get("id") or "")]
    elif kind in ("event:message", "event:app_mention"):
        users = [str(event.get("user") or ""), *mentioned_users(str(event.get("text") or ""))]
        channels = [str(event.get("channel") or "")]
    elif kind in ("event:reaction_added", "event:reaction_removed"):
        users = [str(event.get("user") or "")]
        channels = [str(_map(event.get("item")).get("channel") or "")]
    elif kind in (
        "event:member_joined_channel",
        "event:member_left_channel",
        "event:app_home_opened",
    ):
        users = [str(event.get("user") or "")]
    return Needs(team, tuple(u for u in users if u), tuple(c for c in channels if c))


def user_object(body: Payload) -> Payload | None:
    """The full user a `team_join` / `user_change` carries (fresher than any cache)."""
    if kind_of(body) in ("event:team_join", "event:user_change"):
        user = _map(_map(body.get("event")).get("user"))
        return user if _str(user.get("id")) else None
    return None


# --- translation -------------------------------------------------------------------------


def to_events(body: Payload, lookup: Lookup, now: datetime) -> list[Event]:
    """The core events in one Slack payload (often one, sometimes none)."""
    kind = kind_of(body)
    try:
        if kind == "command":
            return _command(body, lookup, now)
        if kind == "block_actions":
            return _actions(body, lookup, now)
        if kind == "view_submission":
            return _view(body, lookup, now)
        if kind.startswith("event:"):
            return _event(body, lookup, now)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        log.warning("malformed Slack %s payload ignored: %r", kind or "unknown", error)
    return []


def _command(body: Payload, lookup: Lookup, now: datetime) -> list[Event]:
    user, channel, command = (_str(body.get(k)) for k in ("user_id", "channel_id", "command"))
    if not (user and channel and command):
        log.warning("slash command without user, channel or command ignored")
        return []
    trigger = _str(body.get("trigger_id"))
    actor = lookup.member(user, _str(body.get("user_name")))
    token = ReplyToken(trigger, _str(body.get("response_url")), channel)
    return [
        CommandInvoked(
            event_id=event_id(lookup.team, "cmd", trigger or fingerprint(body)),
            occurred_at=now,
            actor=actor,
            channel=lookup.channel(channel, name=_str(body.get("channel_name"))),
            name=command.lstrip("/").strip().lower(),
            text=unescape(str(body.get("text") or "")).strip(),
            locale=actor.locale,
            reply_token=token.encode(),
        )
    ]


def action_values(action: Payload) -> tuple[str, ...]:
    """What a block element reports: button value, chosen option(s), picked user…"""
    if "selected_options" in action:
        return tuple(str(_map(o).get("value") or "") for o in action.get("selected_options") or ())
    option = _map(action.get("selected_option"))
    if option:
        return (str(option.get("value") or ""),)
    for key in (
        "selected_user",
        "selected_channel",
        "selected_conversation",
        "selected_date",
        "selected_time",
    ):
        if _str(action.get(key)):
            return (str(action[key]),)
    for key in ("selected_users", "selected_channels", "selected_conversations"):
        if isinstance(action.get(key), list):
            return tuple(str(v) for v in action[key])
    value = action.get("value")
    return (str(value),) if value is not None else ()


def _actions(body: Payload, lookup: Lookup, now: datetime) -> list[Event]:
    user = _str(_map(body.get("user")).get("id"))
    if user is None:
        log.warning("block_actions without a user ignored")
        return []
    actor = lookup.member(user, _str(_map(body.get("user")).get("username")))
    container = _map(body.get("container"))
    channel_id = _str(_map(body.get("channel")).get("id")) or _str(container.get("channel_id"))
    channel = (
        lookup.channel(channel_id, name=_str(_map(body.get("channel")).get("name")))
        if channel_id
        else None
    )
    ts = _str(container.get("message_ts"))
    message = message_ref(lookup.team, channel_id, ts) if channel_id and ts else None
    trigger = _str(body.get("trigger_id"))
    token = ReplyToken(trigger, _str(body.get("response_url")), channel_id).encode()
    events: list[Event] = []
    for index, raw in enumerate(body.get("actions") or ()):
        action = _map(raw)
        action_id = _str(action.get("action_id"))
        if action_id is None or action_id.startswith(ADAPTER_ACTION_PREFIX):
            continue
        values = action_values(action)
        events.append(
            ButtonPressed(
                event_id=event_id(lookup.team, "act", trigger or fingerprint(body), str(index)),
                occurred_at=when(action.get("action_ts"), now),
                actor=actor,
                action_id=action_id,
                value=str(action.get("value") or (values[0] if values else "")),
                message=message,
                channel=channel,
                values=values,
                locale=actor.locale,
                reply_token=token,
            )
        )
    return events


def state_values(view: Payload) -> dict[str, str]:
    """`view.state.values[block][action]` → `{field_id: text}`; several choices joined by ","."""
    found: dict[str, str] = {}
    for block_id, actions in _map(_map(view.get("state")).get("values")).items():
        for action_id, state in _map(actions).items():
            state = _map(state)
            if "value" in state:
                value = str(state.get("value") or "")
            else:
                value = ",".join(action_values(state))
            found.setdefault(str(action_id or block_id), value)
    return found


def read_metadata(raw: str) -> tuple[str, str | None]:
    """(Form.context, channel) from our private_metadata; foreign metadata is the context."""
    try:
        data = json.loads(raw)
    except ValueError:
        return raw, None
    if isinstance(data, dict) and data.get("agora") == 1:
        return str(data.get("context") or ""), _str(data.get("channel"))
    return raw, None


def _view(body: Payload, lookup: Lookup, now: datetime) -> list[Event]:
    user = _str(_map(body.get("user")).get("id"))
    view = _map(body.get("view"))
    form_id = _str(view.get("callback_id"))
    if user is None or form_id is None:
        log.warning("view_submission without user or callback_id ignored")
        return []
    actor = lookup.member(user, _str(_map(body.get("user")).get("username")))
    context, channel_id = read_metadata(str(view.get("private_metadata") or ""))
    urls = [u for u in body.get("response_urls") or () if isinstance(u, Mapping)]
    response_url = _str(urls[0].get("response_url")) if urls else None
    trigger = _str(body.get("trigger_id"))
    key = trigger or f"{view.get('id')}.{view.get('hash')}"
    return [
        FormSubmitted(
            event_id=event_id(lookup.team, "view", key),
            occurred_at=now,
            actor=actor,
            form_id=form_id,
            values=state_values(view),
            context=context,
            channel=lookup.channel(channel_id) if channel_id else None,
            locale=actor.locale,
            reply_token=ReplyToken(trigger, response_url, channel_id).encode(),
        )
    ]


def _event(body: Payload, lookup: Lookup, now: datetime) -> list[Event]:
    event = _map(body.get("event"))
    kind = str(event.get("type") or "")
    key = event_id(lookup.team, "ev", _str(body.get("event_id")) or fingerprint(body))
    at = when(body.get("event_time") or event.get("event_ts"), now)
    if kind in ("message", "app_mention"):
        return _message(event, lookup, now)
    if kind in ("reaction_added", "reaction_removed"):
        return _reaction(event, lookup, key, at)
    if kind in ("team_join", "user_change"):
        user = _map(event.get("user"))
        if not _str(user.get("id")):
            return []
        member = member_from_user(user, lookup.team)
        if kind == "team_join":
            return [MemberJoined(event_id=key, occurred_at=at, member=member)]
        return (
            [MemberLeft(event_id=key, occurred_at=at, member=member)] if user.get("deleted") else []
        )
    if kind in ("member_joined_channel", "member_left_channel"):
        user_id, channel = _str(event.get("user")), _str(event.get("channel"))
        if not user_id or channel not in lookup.join_channels:
            return []
        member = lookup.member(user_id)
        if kind == "member_joined_channel":
            return [MemberJoined(event_id=key, occurred_at=at, member=member)]
        return [MemberLeft(event_id=key, occurred_at=at, member=member)]
    return []


def _message(event: Payload, lookup: Lookup, now: datetime) -> list[Event]:
    subtype = _str(event.get("subtype"))
    if subtype is not None and subtype not in USER_MESSAGE_SUBTYPES:
        return []
    if event.get("bot_id") or event.get("bot_profile"):
        return []
    user, channel_id, ts = (_str(event.get(k)) for k in ("user", "channel", "ts"))
    if not (user and channel_id and ts):
        return []
    thread_ts = _str(event.get("thread_ts"))
    in_thread = thread_ts is not None and thread_ts != ts
    channel = lookup.channel(
        channel_id, hint=_str(event.get("channel_type")), thread_ts=thread_ts if in_thread else None
    )
    text = unescape(str(event.get("text") or ""))
    created = when(ts, now)
    mentioned = mentioned_users(text)
    to_bot = (
        event.get("type") == "app_mention"
        or event.get("channel_type") == "im"
        or (lookup.bot_user is not None and lookup.bot_user in mentioned)
    )
    message = Message(
        ref=message_ref(lookup.team, channel_id, ts),
        channel=channel,
        author=lookup.member(user),
        text=text,
        created_at=created,
        thread_of=message_ref(lookup.team, channel_id, thread_ts)
        if in_thread and thread_ts
        else None,
        mentions=tuple(member_ref(lookup.team, u) for u in mentioned),
        to_bot=to_bot,
    )
    key = event_id(lookup.team, "msg", f"{channel_id}/{ts}")
    return [MessagePosted(event_id=key, occurred_at=created, message=message)]


def _reaction(event: Payload, lookup: Lookup, key: str, at: datetime) -> list[Event]:
    item = _map(event.get("item"))
    user, name = _str(event.get("user")), _str(event.get("reaction"))
    channel_id, ts = _str(item.get("channel")), _str(item.get("ts"))
    if item.get("type") != "message" or not (user and name and channel_id and ts):
        return []
    author = _str(event.get("item_user"))
    return [
        ReactionChanged(
            event_id=key,
            occurred_at=at,
            actor=lookup.member(user),
            message=message_ref(lookup.team, channel_id, ts),
            channel=lookup.channel(channel_id),
            emoji=emoji.to_core(name),
            added=event.get("type") == "reaction_added",
            message_author=member_ref(lookup.team, author) if author else None,
        )
    ]


def home_opened(body: Payload) -> tuple[str, str] | None:
    """(team, user) when a member opened the Home tab."""
    event = _map(body.get("event"))
    team, user = team_of(body), _str(event.get("user"))
    if event.get("type") != "app_home_opened" or event.get("tab", "home") != "home":
        return None
    return (team, user) if team and user else None
