"""kudos: farming beyond pairs — kudos from new accounts, and reports sent once

`kudos.from_new_account` marks a kudos whose giver's account had joined less than
`new_account_days` before (kudos to one receiver from new accounts are capped);
kudos given before this revision were not marked, so they do not count towards the
cap. `kudos_alerts` remembers which farming was reported to the moderators, so each
is reported once per `trade_days`.

Revision ID: kudos_0005
Revises: kudos_0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "kudos_0005"
down_revision: str | Sequence[str] | None = "kudos_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A constant default: PostgreSQL adds the column without rewriting the table, and
    # SQLite's batch mode uses ALTER TABLE ADD COLUMN (no copy of a million rows).
    with op.batch_alter_table("kudos") as batch:
        batch.add_column(
            sa.Column("from_new_account", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "kudos_alerts",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("reported_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("person_id", "kind", name="pk_kudos_alerts"),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name="fk_kudos_alerts_person_id_persons",
            ondelete="CASCADE",
        ),
    )


def downgrade() -> None:
    op.drop_table("kudos_alerts")
    with op.batch_alter_table("kudos") as batch:
        batch.drop_column("from_new_account")
