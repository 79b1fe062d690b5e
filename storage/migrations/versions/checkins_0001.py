"""checkins: check-ins, members' choices, runs, deliveries, answers, recurring posts

Revision ID: checkins_0001
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "checkins_0001"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("checkins",)
depends_on: str | Sequence[str] | None = None

REF = sa.String(200)


def _checkin_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["checkin_id"], ["checkins.id"], name=f"fk_{table}_checkin_id_checkins", ondelete="CASCADE"
    )


def _person_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["person_id"], ["persons.id"], name=f"fk_{table}_person_id_persons", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("questions", sa.Text(), nullable=False),
        sa.Column("schedule", sa.String(100), nullable=False),
        sa.Column("timezone", sa.String(64)),
        sa.Column("delivery", sa.String(8), nullable=False),
        sa.Column("channel", REF),
        sa.Column("roles", sa.Text(), nullable=False, server_default="[]"),
        sa.Column("everyone", sa.Boolean(), nullable=False, server_default="0"),
        sa.Column("remind_minutes", sa.Integer()),
        sa.Column("summary_at", sa.String(5)),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_checkins"),
        sa.UniqueConstraint("name", name="uq_checkins_name"),
        sqlite_autoincrement=True,
    )

    op.create_table(
        "checkin_members",
        sa.Column("checkin_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("stance", sa.String(4), nullable=False, server_default=""),
        sa.Column("paused_until", UTCDateTime()),
        sa.PrimaryKeyConstraint("checkin_id", "person_id", name="pk_checkin_members"),
        _checkin_fk("checkin_members"),
        _person_fk("checkin_members"),
    )
    op.create_index("ix_checkin_members_person_id", "checkin_members", ["person_id"])

    op.create_table(
        "checkin_runs",
        sa.Column("checkin_id", sa.Integer(), nullable=False),
        sa.Column("run_key", sa.String(16), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("summary_due", UTCDateTime()),
        sa.Column("post_channel", REF),
        sa.Column("post_message", REF),
        sa.Column("summary_channel", REF),
        sa.Column("summary_message", REF),
        sa.Column("summarized_at", UTCDateTime()),
        sa.PrimaryKeyConstraint("checkin_id", "run_key", name="pk_checkin_runs"),
        _checkin_fk("checkin_runs"),
    )

    op.create_table(
        "checkin_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checkin_id", sa.Integer(), nullable=False),
        sa.Column("run_key", sa.String(16), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("member_ref", REF, nullable=False),
        sa.Column("locale", sa.String(16)),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("batch", sa.Integer(), nullable=False),
        sa.Column("sent_at", UTCDateTime()),
        sa.Column("reminded_at", UTCDateTime()),
        sa.PrimaryKeyConstraint("id", name="pk_checkin_deliveries"),
        _checkin_fk("checkin_deliveries"),
        _person_fk("checkin_deliveries"),
        sa.UniqueConstraint("checkin_id", "run_key", "person_id", name="uq_checkin_deliveries_run"),
    )
    op.create_index(
        "ix_checkin_deliveries_group", "checkin_deliveries", ["checkin_id", "due_at", "batch"]
    )
    op.create_index("ix_checkin_deliveries_person_id", "checkin_deliveries", ["person_id"])
    op.create_index("ix_checkin_deliveries_due_at", "checkin_deliveries", ["due_at"])

    op.create_table(
        "checkin_answers",
        sa.Column("checkin_id", sa.Integer(), nullable=False),
        sa.Column("run_key", sa.String(16), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Boolean(), nullable=False, server_default="0"),
        sa.Column("answers", sa.Text(), nullable=False, server_default="[]"),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("checkin_id", "run_key", "person_id", name="pk_checkin_answers"),
        _checkin_fk("checkin_answers"),
        _person_fk("checkin_answers"),
    )
    op.create_index("ix_checkin_answers_person_id", "checkin_answers", ["person_id"])

    op.create_table(
        "checkin_posts",
        sa.Column("post", sa.String(40), nullable=False),
        sa.Column("slot", UTCDateTime(), nullable=False),
        sa.Column("posted_at", UTCDateTime(), nullable=False),
        sa.Column("message", REF),
        sa.PrimaryKeyConstraint("post", "slot", name="pk_checkin_posts"),
    )


def downgrade() -> None:
    op.drop_table("checkin_posts")
    op.drop_table("checkin_answers")
    op.drop_table("checkin_deliveries")
    op.drop_table("checkin_runs")
    op.drop_table("checkin_members")
    op.drop_table("checkins")
