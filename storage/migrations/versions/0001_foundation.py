"""foundation: persons, members, channels, processed events, activity, jobs

Revision ID: 0001
Revises:
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import BigId, UTCDateTime

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("core",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "persons",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("locale", sa.String(16)),
        sa.Column("timezone", sa.String(64)),
        sa.PrimaryKeyConstraint("id", name="pk_persons"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("external_id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False, server_default=""),
        sa.Column("is_bot", sa.Boolean(), nullable=False, server_default="0"),
        sa.Column("locale", sa.String(16)),
        sa.Column("roles", sa.Text(), nullable=False, server_default="[]"),
        sa.Column("joined_at", UTCDateTime()),
        sa.Column("left_at", UTCDateTime()),
        sa.Column("first_seen_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_members"),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name="fk_members_person_id_persons", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("platform", "workspace", "external_id", name="uq_members_account"),
    )
    op.create_index("ix_members_person_id", "members", ["person_id"])
    op.create_table(
        "channels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("external_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False, server_default="text"),
        sa.PrimaryKeyConstraint("id", name="pk_channels"),
        sa.UniqueConstraint("platform", "workspace", "external_id", name="uq_channels_account"),
    )
    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.String(200), nullable=False),
        sa.Column("processed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="pk_processed_events"),
    )
    op.create_index("ix_processed_events_processed_at", "processed_events", ["processed_at"])
    op.create_table(
        "activity",
        sa.Column("id", BigId, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("channel_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("reply", sa.Boolean(), nullable=False, server_default="0"),
        sa.Column("sentiment", sa.Float()),
        sa.PrimaryKeyConstraint("id", name="pk_activity"),
    )
    op.create_index("ix_activity_at", "activity", ["at"])
    op.create_index("ix_activity_person_at", "activity", ["person_id", "at"])
    op.create_table(
        "scheduled_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("feature", sa.String(64), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False, server_default="{}"),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("done_at", UTCDateTime()),
        sa.Column("claimed_by", sa.String(128)),
        sa.PrimaryKeyConstraint("id", name="pk_scheduled_jobs"),
        sa.UniqueConstraint("key", name="uq_scheduled_jobs_key"),
    )
    op.create_index("ix_scheduled_jobs_due_at", "scheduled_jobs", ["due_at"])
    op.create_table(
        "cron_runs",
        sa.Column("job", sa.String(128), nullable=False),
        sa.Column("fire_time", UTCDateTime(), nullable=False),
        sa.Column("claimed_by", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("job", "fire_time", name="pk_cron_runs"),
    )


def downgrade() -> None:
    for table in (
        "cron_runs",
        "scheduled_jobs",
        "activity",
        "processed_events",
        "channels",
        "members",
        "persons",
    ):
        op.drop_table(table)
