"""kudos: the removals audit and members who keep off public boards

`kudos_removals` keeps every kudos a moderator removed, with who removed it, when and
why (shown to moderators in /kudos history). `kudos_privacy` lists the members who
chose `/kudos privacy on`. Both start empty: removals before this revision left no
trace, and nobody had opted out.

Revision ID: kudos_0004
Revises: kudos_0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "kudos_0004"
down_revision: str | Sequence[str] | None = "kudos_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _person_fk(table: str, column: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["persons.id"], name=f"fk_{table}_{column}_persons", ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "kudos_removals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kudos_id", sa.Integer(), nullable=False),
        sa.Column("giver_person_id", sa.Integer()),
        sa.Column("receiver_person_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("emoji", sa.String(64)),
        sa.Column("topic", sa.String(64)),
        sa.Column("reason", sa.Text()),
        sa.Column("given_at", UTCDateTime(), nullable=False),
        sa.Column("removed_by_person_id", sa.Integer()),
        sa.Column("removed_at", UTCDateTime(), nullable=False),
        sa.Column("removal_reason", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_kudos_removals"),
        _person_fk("kudos_removals", "giver_person_id", "SET NULL"),
        _person_fk("kudos_removals", "receiver_person_id"),
        _person_fk("kudos_removals", "removed_by_person_id", "SET NULL"),
    )
    op.create_index("ix_kudos_removals_giver", "kudos_removals", ["giver_person_id", "given_at"])
    op.create_index(
        "ix_kudos_removals_receiver", "kudos_removals", ["receiver_person_id", "given_at"]
    )
    op.create_table(
        "kudos_privacy",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("hidden_since", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("person_id", name="pk_kudos_privacy"),
        _person_fk("kudos_privacy", "person_id"),
    )


def downgrade() -> None:
    op.drop_table("kudos_privacy")
    op.drop_table("kudos_removals")
