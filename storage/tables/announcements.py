"""Announcements: what was announced, where each copy went, who acknowledged it.

The text is kept (it is the bot's own post, shown again by `/announce status`). An
announcement outlives its author (`author_person_id` becomes NULL when they are
forgotten); an acknowledgement is the person's own and goes with them.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from storage.schema import impersonal, metadata, person_fk, personal
from storage.types import REF, UTCDateTime

announcements = personal(
    Table(
        "announcements",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("platform", String(16), nullable=False),
        Column("workspace", String(64), nullable=False),
        Column("channel_ref", REF, nullable=False),
        person_fk("author_person_id", ondelete="SET NULL"),
        Column("text", Text, nullable=False),
        Column("pin", Boolean, nullable=False),
        Column("ack", Boolean, nullable=False),
        Column("all_platforms", Boolean, nullable=False),
        Column("created_at", UTCDateTime, nullable=False),
        # /announce list: a workspace's latest first.
        Index(
            "ix_announcements_platform_workspace_created_at", "platform", "workspace", "created_at"
        ),
        # Ids are shown to admins (/announce status 3): never hand one out twice.
        sqlite_autoincrement=True,
    ),
    "author_person_id",
)

announcement_posts = impersonal(
    Table(
        "announcement_posts",
        metadata,
        Column(
            "announcement_id",
            ForeignKey("announcements.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        Column("message_ref", REF, nullable=False),
        UniqueConstraint("announcement_id", "message_ref", name="uq_announcement_posts_message"),
    )
)

announcement_acks = personal(
    Table(
        "announcement_acks",
        metadata,
        Column(
            "announcement_id",
            ForeignKey("announcements.id", ondelete="CASCADE"),
            nullable=False,
        ),
        person_fk(),
        Column("member_ref", REF, nullable=False),
        Column("acked_at", UTCDateTime, nullable=False),
        # One acknowledgement per person: a second click (or a replay) adds nothing.
        UniqueConstraint("announcement_id", "person_id", name="uq_announcement_acks_person"),
        Index("ix_announcement_acks_person_id", "person_id"),
        Index("ix_announcement_acks_acked_at", "acked_at"),
    ),
    "person_id",
    "member_ref",
)
