"""core: workspaces, one row per Discord guild, Slack workspace or console community

Until now a workspace was only a string column beside members, channels and activity.
Existing databases get a row for every workspace their members came from, first seen
when its first member was.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "workspaces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("external_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200)),
        sa.Column("first_seen_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_workspaces"),
        sa.UniqueConstraint("platform", "external_id", name="uq_workspaces_account"),
    )
    op.execute(
        "INSERT INTO workspaces (platform, external_id, first_seen_at) "
        "SELECT platform, workspace, MIN(first_seen_at) FROM members "
        "GROUP BY platform, workspace"
    )


def downgrade() -> None:
    op.drop_table("workspaces")
