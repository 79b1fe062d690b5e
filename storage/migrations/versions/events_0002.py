"""events: copies of an event's post in bridged channels

An event's own post stays on `events.post_ref`; the copies in channels bridged with
its channel (`[[bridges]]`) are kept here so every one of them shows the same RSVPs.
Events posted before this revision had no copies, so there is nothing to move.

Revision ID: events_0002
Revises: events_0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "events_0002"
down_revision: str | Sequence[str] | None = "events_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "event_posts",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("channel_id", sa.String(64), nullable=False),
        sa.Column("message_id", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint(
            "event_id", "platform", "workspace", "message_id", name="pk_event_posts"
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name="fk_event_posts_event_id_events", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_event_posts_platform_workspace", "event_posts", ["platform", "workspace"])


def downgrade() -> None:
    op.drop_table("event_posts")
