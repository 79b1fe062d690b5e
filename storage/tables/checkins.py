"""Check-ins: definitions, runs, deliveries, answers, members' choices; recurring posts.

Definitions from the config file are mirrored here (`source = "config"`) so that
commands, jobs and answers refer to one id whichever way a check-in was made.
Answers are the members' own words, kept because a check-in *is* its answers (the
summary shows them); they go when the person is forgotten or the check-in deleted.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
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


def _checkin() -> Column[Any]:
    return Column("checkin_id", ForeignKey("checkins.id", ondelete="CASCADE"), nullable=False)


checkins = impersonal(
    Table(
        "checkins",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("name", String(40), nullable=False, unique=True),
        Column("title", String(100), nullable=False),
        Column("questions", Text, nullable=False),  # JSON list
        Column("schedule", String(100), nullable=False),  # cron
        Column("timezone", String(64)),  # NULL: each member's own
        Column("delivery", String(8), nullable=False),
        Column("channel", REF),
        Column("roles", Text, nullable=False, server_default="[]"),
        Column("everyone", Boolean, nullable=False, server_default="0"),
        Column("remind_minutes", Integer),
        Column("summary_at", String(5)),  # "HH:MM"
        Column("source", String(8), nullable=False),
        Column("created_at", UTCDateTime, nullable=False),
        # Onboarding segment names (JSON list), read against onboarding_answers (checkins_0002).
        Column("segments", Text, nullable=False, server_default="[]"),
        sqlite_autoincrement=True,
    )
)

checkin_members = personal(
    Table(
        "checkin_members",
        metadata,
        _checkin(),
        person_fk(),
        Column("stance", String(4), nullable=False, server_default=""),
        Column("paused_until", UTCDateTime),
        PrimaryKeyConstraint("checkin_id", "person_id"),
        Index("ix_checkin_members_person_id", "person_id"),
    ),
    "person_id",
)

checkin_runs = impersonal(
    Table(
        "checkin_runs",
        metadata,
        _checkin(),
        Column("run_key", String(16), nullable=False),
        Column("started_at", UTCDateTime, nullable=False),
        Column("summary_due", UTCDateTime),
        # delivery = "channel": the post members answer under (answers go to its thread).
        Column("post_channel", REF),
        Column("post_message", REF),
        Column("summary_channel", REF),
        Column("summary_message", REF),
        Column("summarized_at", UTCDateTime),
        PrimaryKeyConstraint("checkin_id", "run_key"),
    )
)

# One row per person asked in a run. `due_at` is the run's instant in the person's
# zone and `batch` the second after it the DM goes: together they pick the rows one
# paced send job handles.
checkin_deliveries = personal(
    Table(
        "checkin_deliveries",
        metadata,
        Column("id", Integer, primary_key=True),
        _checkin(),
        Column("run_key", String(16), nullable=False),
        person_fk(),
        Column("member_ref", REF, nullable=False),
        Column("locale", String(16)),
        Column("due_at", UTCDateTime, nullable=False),
        Column("batch", Integer, nullable=False),
        Column("sent_at", UTCDateTime),
        Column("reminded_at", UTCDateTime),
        UniqueConstraint("checkin_id", "run_key", "person_id", name="uq_checkin_deliveries_run"),
        Index("ix_checkin_deliveries_group", "checkin_id", "due_at", "batch"),
        Index("ix_checkin_deliveries_person_id", "person_id"),
        Index("ix_checkin_deliveries_due_at", "due_at"),
    ),
    "person_id",
)

checkin_answers = personal(
    Table(
        "checkin_answers",
        metadata,
        _checkin(),
        Column("run_key", String(16), nullable=False),
        person_fk(),
        Column("skipped", Boolean, nullable=False, server_default="0"),
        Column("answers", Text, nullable=False, server_default="[]"),  # JSON list
        Column("at", UTCDateTime, nullable=False),
        PrimaryKeyConstraint("checkin_id", "run_key", "person_id"),
        Index("ix_checkin_answers_person_id", "person_id"),
    ),
    "person_id",
)

# Recurring posts that went out, one row per (post, slot): a slot whose post went
# early (best time) is never armed again by the next re-arming.
checkin_posts = impersonal(
    Table(
        "checkin_posts",
        metadata,
        Column("post", String(40), nullable=False),
        Column("slot", UTCDateTime, nullable=False),
        Column("posted_at", UTCDateTime, nullable=False),
        Column("message", REF),
        PrimaryKeyConstraint("post", "slot"),
    )
)
