"""metrics: membership history (joins and departures, append-only); scored posts indexed

Growth, churn and cohorts were rebuilt from `members.joined_at`/`left_at`, which a
rejoin overwrites. From this revision the core appends every join and departure to
`membership`. What the members table knows now is copied in as the start of that
history: a join at `joined_at`, a departure at `left_at` (a member who left and came
back before this revision keeps only the latest join; their earlier stint is lost).
A partial index on the activity facts that carry a sentiment score lets the tone (and
how many people it comes from) be read without touching every fact.

Revision ID: metrics_0002
Revises: metrics_0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import REF, BigId, UTCDateTime

revision: str = "metrics_0002"
down_revision: str | Sequence[str] | None = "metrics_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

members = sa.table(
    "members",
    sa.column("id", sa.Integer),
    sa.column("platform", sa.String),
    sa.column("workspace", sa.String),
    sa.column("external_id", sa.String),
    sa.column("joined_at", UTCDateTime),
    sa.column("left_at", UTCDateTime),
)


def upgrade() -> None:
    membership = op.create_table(
        "membership",
        sa.Column("id", BigId, nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("account", REF, nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_membership"),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name="fk_membership_member_id_members",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_membership_member_at", "membership", ["member_id", "at"])
    scored = sa.text("sentiment IS NOT NULL")
    op.create_index(
        "ix_activity_scored",
        "activity",
        ["at", "platform", "person_id", "sentiment"],
        sqlite_where=scored,
        postgresql_where=scored,
    )
    account = members.c.platform + ":" + members.c.workspace + ":" + members.c.external_id
    columns = ["member_id", "account", "kind", "at"]
    joins = sa.select(members.c.id, account, sa.literal("join"), members.c.joined_at).where(
        members.c.joined_at.is_not(None)
    )
    leaves = sa.select(members.c.id, account, sa.literal("leave"), members.c.left_at).where(
        members.c.left_at.is_not(None),
        sa.or_(members.c.joined_at.is_(None), members.c.left_at >= members.c.joined_at),
    )
    # Joins first: a departure at the very instant of its join still sorts after it.
    op.execute(membership.insert().from_select(columns, joins.order_by(members.c.id)))
    op.execute(membership.insert().from_select(columns, leaves.order_by(members.c.id)))


def downgrade() -> None:
    op.drop_index("ix_activity_scored", table_name="activity")
    op.drop_index("ix_membership_member_at", table_name="membership")
    op.drop_table("membership")
