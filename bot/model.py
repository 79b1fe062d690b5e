"""The platform-neutral vocabulary of Agora.

Everything a platform sends becomes one of these frozen dataclasses, and everything
the core wants to say is an `Outgoing`. Adapters translate; features never see an
SDK object. Identity is always a `Ref(platform, workspace, id)` so one database can
hold Discord and Slack side by side without collisions.
"""

from __future__ import annotations

from abc import ABC
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Platform(StrEnum):
    DISCORD = "discord"
    SLACK = "slack"
    CONSOLE = "console"
    MEMORY = "memory"


@dataclass(frozen=True, slots=True, order=True)
class Ref:
    """A platform object's identity: (platform, workspace, id)."""

    platform: str
    workspace: str
    id: str

    def __str__(self) -> str:
        return f"{self.platform}:{self.workspace}:{self.id}"

    @classmethod
    def parse(cls, text: str) -> Ref:
        """Parse `platform:workspace:id` (the form `str(ref)` prints)."""
        parts = text.split(":", 2)
        if len(parts) != 3 or not all(parts):
            raise ValueError(f"not a reference (platform:workspace:id): {text!r}")
        return cls(parts[0], parts[1], parts[2])

    def sibling(self, id: str) -> Ref:
        """Another object in the same platform workspace."""
        return Ref(self.platform, self.workspace, id)


class ChannelKind(StrEnum):
    TEXT = "text"
    THREAD = "thread"
    DM = "dm"
    FORUM = "forum"


@dataclass(frozen=True, slots=True)
class Member:
    """A platform account as the adapter sees it right now."""

    ref: Ref
    name: str
    display_name: str = ""
    roles: frozenset[str] = frozenset()
    is_bot: bool = False
    locale: str | None = None
    email: str | None = None

    @property
    def label(self) -> str:
        return self.display_name or self.name


@dataclass(frozen=True, slots=True)
class Channel:
    ref: Ref
    name: str
    kind: ChannelKind = ChannelKind.TEXT
    parent: Ref | None = None


@dataclass(frozen=True, slots=True)
class Message:
    """A chat message. `text` lives only in memory: storage keeps facts, not content."""

    ref: Ref
    channel: Channel
    author: Member
    text: str
    created_at: datetime
    thread_of: Ref | None = None
    mentions: tuple[Ref, ...] = ()
    # Said to the bot: a mention of it, or a one-to-one DM with it (adapters know
    # the bot's own id; the core answers such messages, see features/core).
    to_bot: bool = False
    # The title of the post this message opens, where the platform has titled posts (a
    # Discord forum post); "" elsewhere.
    title: str = ""


# --- events -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Event(ABC):
    """Base of everything that arrives. `event_id` makes retries and replays no-ops."""

    event_id: str
    occurred_at: datetime

    @property
    def platform(self) -> str:
        """The platform the event came from (keys the adapter that answers it).

        Every event has a member who acted (`actor`, or `member` for joins, leaves and
        role changes) except a posted message, which has its author inside `message`.
        """
        who = getattr(self, "actor", None) or getattr(self, "member", None)
        if isinstance(who, Member):
            return who.ref.platform
        message = getattr(self, "message", None)
        if isinstance(message, Message):
            return message.ref.platform
        raise TypeError(f"{type(self).__name__} names no actor, member or message")


@dataclass(frozen=True, slots=True, kw_only=True)
class CommandInvoked(Event):
    """A slash command. Text platforms send `text`; typed platforms send `options`."""

    actor: Member
    channel: Channel
    name: str
    text: str = ""
    options: Mapping[str, str] | None = None
    locale: str | None = None
    reply_token: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MessagePosted(Event):
    message: Message


@dataclass(frozen=True, slots=True, kw_only=True)
class ReactionChanged(Event):
    actor: Member
    message: Ref
    channel: Channel
    emoji: str
    added: bool
    message_author: Ref | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberJoined(Event):
    member: Member
    invite_code: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberLeft(Event):
    member: Member


@dataclass(frozen=True, slots=True, kw_only=True)
class ButtonPressed(Event):
    """A button click or a select choice (`values` holds the chosen options)."""

    actor: Member
    action_id: str
    value: str
    message: Ref | None
    channel: Channel | None = None
    values: tuple[str, ...] = ()
    locale: str | None = None
    reply_token: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class FormSubmitted(Event):
    actor: Member
    form_id: str
    values: Mapping[str, str]
    context: str = ""
    channel: Channel | None = None
    locale: str | None = None
    reply_token: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RoleChanged(Event):
    member: Member
    role: str
    added: bool


# --- outgoing -----------------------------------------------------------------------


class ButtonStyle(StrEnum):
    DEFAULT = "default"
    PRIMARY = "primary"
    DANGER = "danger"


@dataclass(frozen=True, slots=True)
class Button:
    action_id: str
    label: str
    value: str = ""
    style: ButtonStyle = ButtonStyle.DEFAULT


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True, slots=True)
class Section:
    text: str


@dataclass(frozen=True, slots=True)
class Fields:
    pairs: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Context:
    """Small print under a message (Slack context block, Discord embed footer)."""

    text: str


@dataclass(frozen=True, slots=True)
class Buttons:
    buttons: tuple[Button, ...]


@dataclass(frozen=True, slots=True)
class Select:
    action_id: str
    placeholder: str
    options: tuple[Option, ...]
    multi: bool = False


@dataclass(frozen=True, slots=True)
class Image:
    """A picture: `data` (PNG bytes, uploaded) or `url` (linked)."""

    alt: str
    data: bytes | None = None
    url: str | None = None
    filename: str = "image.png"


@dataclass(frozen=True, slots=True)
class Invite:
    """An invite link a platform made (`Capability.INVITES`): `code` is how joins name it."""

    code: str
    url: str


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    data: bytes
    mime: str = "application/octet-stream"


Block = Section | Fields | Context | Buttons | Select | Image


class FieldKind(StrEnum):
    TEXT = "text"
    PARAGRAPH = "paragraph"
    CHOICE = "choice"
    MULTI = "multi"


@dataclass(frozen=True, slots=True)
class FormField:
    field_id: str
    label: str
    kind: FieldKind = FieldKind.TEXT
    options: tuple[Option, ...] = ()
    required: bool = True
    placeholder: str = ""


@dataclass(frozen=True, slots=True)
class Form:
    """A modal form. `context` comes back untouched in `FormSubmitted.context`."""

    form_id: str
    title: str
    fields: tuple[FormField, ...]
    submit_label: str = "Submit"
    context: str = ""


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message the core wants delivered.

    `channel` is where it goes (a channel or thread ref); `dm` sends it privately to a
    member instead; `ephemeral_to` shows it only to that member in `channel`.
    """

    text: str
    blocks: tuple[Block, ...] = ()
    channel: Ref | None = None
    dm: Ref | None = None
    ephemeral_to: Ref | None = None
    thread_of: Ref | None = None
    attachments: tuple[Attachment, ...] = ()
    reply_token: str | None = None
    silent: bool = False
    meta: Mapping[str, str] = field(default_factory=dict)

    @property
    def buttons(self) -> tuple[Button, ...]:
        return tuple(
            b for block in self.blocks if isinstance(block, Buttons) for b in block.buttons
        )


class Capability(StrEnum):
    """What a platform can do. Features degrade gracefully when one is missing."""

    THREADS = "threads"
    BUTTONS = "buttons"
    SELECTS = "selects"
    FORMS = "forms"
    EPHEMERAL = "ephemeral"
    DM = "dm"
    ROLES = "roles"
    DELETE_MESSAGES = "delete_messages"
    TIMEOUT = "timeout"
    KICK = "kick"
    BAN = "ban"
    REMOVE_REACTIONS = "remove_reactions"
    IMAGES = "images"
    PIN = "pin"
    INVITES = "invites"
    # Not a power but a shape: a command with subcommands cannot also run by itself, so
    # its own form is typed with its verb (`/kudos give`; see `Registry.path`).
    COMMAND_VERBS = "command_verbs"


# Everything a platform may be able to do; the shapes (COMMAND_VERBS) are not powers, so a
# platform that can do everything (the memory adapter, the console) has none of them.
EVERY_POWER = frozenset(Capability) - {Capability.COMMAND_VERBS}


class TimeStyle(StrEnum):
    """How a moment is shown (`ChatPort.timestamp`); letters are Discord's timestamp styles.

    Discord and Slack render a moment in each viewer's own time zone; the console and
    the memory adapter format it with Babel in the zone the core names for the reader.
    """

    FULL = "F"
    SHORT = "f"
    DATE = "D"
    TIME = "t"
    RELATIVE = "R"


class Level(StrEnum):
    """Permission levels, lowest first."""

    MEMBER = "member"
    HELPER = "helper"
    MODERATOR = "moderator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _LEVEL_RANK[self]

    def allows(self, needed: Level) -> bool:
        return self.rank >= needed.rank


_LEVEL_RANK = {Level.MEMBER: 0, Level.HELPER: 1, Level.MODERATOR: 2, Level.ADMIN: 3}


@dataclass(frozen=True, slots=True)
class Workspace:
    """A Discord guild, Slack workspace or console community Agora has seen.

    `name` is None until an adapter tells it (events carry only the id).
    """

    platform: str
    external_id: str
    name: str | None
    first_seen_at: datetime


@dataclass(frozen=True, slots=True)
class MemberRecord:
    """A member as stored: the platform account plus its community identity.

    `locale` is the person's own choice (`/language`, onboarding); `platform_locale` is
    what this account's platform last reported (Discord's client, Slack's profile), a
    hint that `[bot] use_platform_locale` decides about.
    """

    ref: Ref
    person_id: int
    name: str
    display_name: str
    is_bot: bool
    joined_at: datetime | None
    left_at: datetime | None
    locale: str | None
    timezone: str | None
    roles: frozenset[str] = frozenset()
    platform_locale: str | None = None

    @property
    def label(self) -> str:
        return self.display_name or self.name

    @property
    def active(self) -> bool:
        return self.left_at is None
