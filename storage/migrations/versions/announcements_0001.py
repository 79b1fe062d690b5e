"""announcements: announcements, their posts, acknowledgements

Revision ID: announcements_0001
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "announcements_0001"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("announcements",)
depends_on: str | Sequence[str] | None = None

REF = sa.String(200)


def upgrade() -> None:
    op.create_table(
        "announcements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("channel_ref", REF, nullable=False),
        sa.Column("author_person_id", sa.Integer()),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("pin", sa.Boolean(), nullable=False),
        sa.Column("ack", sa.Boolean(), nullable=False),
        sa.Column("all_platforms", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_announcements"),
        sa.ForeignKeyConstraint(
            ["author_person_id"],
            ["persons.id"],
            name="fk_announcements_author_person_id_persons",
            ondelete="SET NULL",
        ),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_announcements_platform_workspace_created_at",
        "announcements",
        ["platform", "workspace", "created_at"],
    )
    op.create_table(
        "announcement_posts",
        sa.Column("announcement_id", sa.Integer(), nullable=False),
        sa.Column("message_ref", REF, nullable=False),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcements.id"],
            name="fk_announcement_posts_announcement_id_announcements",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("announcement_id", "message_ref", name="uq_announcement_posts_message"),
    )
    op.create_index(
        "ix_announcement_posts_announcement_id", "announcement_posts", ["announcement_id"]
    )
    op.create_table(
        "announcement_acks",
        sa.Column("announcement_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("member_ref", REF, nullable=False),
        sa.Column("acked_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcements.id"],
            name="fk_announcement_acks_announcement_id_announcements",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name="fk_announcement_acks_person_id_persons",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("announcement_id", "person_id", name="uq_announcement_acks_person"),
    )
    op.create_index("ix_announcement_acks_person_id", "announcement_acks", ["person_id"])
    op.create_index("ix_announcement_acks_acked_at", "announcement_acks", ["acked_at"])


def downgrade() -> None:
    op.drop_table("announcement_acks")
    op.drop_table("announcement_posts")
    op.drop_table("announcements")
