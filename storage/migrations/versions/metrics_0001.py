"""metrics: check-ins sent to slipping-away members; covering index on activity

Revision ID: metrics_0001
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "metrics_0001"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("metrics",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "metrics_checkins",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("person_id", "sent_at", name="pk_metrics_checkins"),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name="fk_metrics_checkins_person_id_persons",
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_activity_at_kind_person", "activity", ["at", "kind", "person_id", "platform"]
    )


def downgrade() -> None:
    op.drop_index("ix_activity_at_kind_person", table_name="activity")
    op.drop_table("metrics_checkins")
