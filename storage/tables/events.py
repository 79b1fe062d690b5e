"""Events, their posts in bridged channels, and RSVPs.

An event outlives its creator (`creator_person_id` becomes NULL when they are
forgotten); an RSVP is the person's own and goes with them. A post copy names only
the bot's own message and its channel, nothing about a person.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from storage.schema import impersonal, metadata, person_fk, personal
from storage.types import REF, UTCDateTime

events = personal(
    Table(
        "events",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("platform", String(16), nullable=False),
        Column("workspace", String(64), nullable=False),
        Column("channel_ref", REF, nullable=False),
        Column("title", Text, nullable=False),
        person_fk("creator_person_id", ondelete="SET NULL"),
        Column("starts_at", UTCDateTime, nullable=False),
        Column("timezone", String(64), nullable=False),
        Column("duration_minutes", Integer, nullable=False),
        Column("capacity", Integer),
        Column("recurrence", String(16)),
        Column("post_ref", REF),
        Column("cancelled_at", UTCDateTime),
        Column("created_at", UTCDateTime, nullable=False),
        # /events: a workspace's upcoming events by start.
        Index("ix_events_platform_workspace_starts_at", "platform", "workspace", "starts_at"),
        Index("ix_events_starts_at", "starts_at"),
        # Ids are shown to members (/event rsvp 3 going): never hand one out twice.
        sqlite_autoincrement=True,
    ),
    "creator_person_id",
)

# Copies of an event's post in channels bridged with its own (`events.post_ref` is
# the post in the event's channel), edited with it after every answer.
event_posts = impersonal(
    Table(
        "event_posts",
        metadata,
        Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), nullable=False),
        Column("platform", String(16), nullable=False),
        Column("workspace", String(64), nullable=False),
        Column("channel_id", String(64), nullable=False),
        Column("message_id", String(200), nullable=False),
        PrimaryKeyConstraint("event_id", "platform", "workspace", "message_id"),
        # /events on the other platform lists the events copied into its channels.
        Index("ix_event_posts_platform_workspace", "platform", "workspace"),
    )
)

event_rsvps = personal(
    Table(
        "event_rsvps",
        metadata,
        # Insertion order breaks ties between answers given in the same instant, so
        # the waitlist is first come, first served even within one second.
        Column("id", Integer, primary_key=True),
        Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), nullable=False),
        person_fk(),
        Column("member_ref", REF, nullable=False),
        Column("answer", String(16), nullable=False),
        Column("answered_at", UTCDateTime, nullable=False),
        UniqueConstraint("event_id", "person_id", name="uq_event_rsvps_person"),
        Index("ix_event_rsvps_person_id", "person_id"),
        Index("ix_event_rsvps_answered_at", "answered_at"),
        sqlite_autoincrement=True,
    ),
    "person_id",
    "member_ref",
)
