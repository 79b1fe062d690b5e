"""events: events and RSVPs

Revision ID: events_0001
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "events_0001"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("events",)
depends_on: str | Sequence[str] | None = None

REF = sa.String(200)


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("channel_ref", REF, nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("creator_person_id", sa.Integer()),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer()),
        sa.Column("recurrence", sa.String(16)),
        sa.Column("post_ref", REF),
        sa.Column("cancelled_at", UTCDateTime()),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_events"),
        sa.ForeignKeyConstraint(
            ["creator_person_id"],
            ["persons.id"],
            name="fk_events_creator_person_id_persons",
            ondelete="SET NULL",
        ),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_events_platform_workspace_starts_at",
        "events",
        ["platform", "workspace", "starts_at"],
    )
    op.create_index("ix_events_starts_at", "events", ["starts_at"])
    op.create_table(
        "event_rsvps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("member_ref", REF, nullable=False),
        sa.Column("answer", sa.String(16), nullable=False),
        sa.Column("answered_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_event_rsvps"),
        sa.UniqueConstraint("event_id", "person_id", name="uq_event_rsvps_person"),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name="fk_event_rsvps_event_id_events", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name="fk_event_rsvps_person_id_persons",
            ondelete="CASCADE",
        ),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_event_rsvps_person_id", "event_rsvps", ["person_id"])
    op.create_index("ix_event_rsvps_answered_at", "event_rsvps", ["answered_at"])


def downgrade() -> None:
    op.drop_table("event_rsvps")
    op.drop_table("events")
