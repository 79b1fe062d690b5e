"""checkins: onboarding segments as an audience

A check-in may ask the members of onboarding segments (`segments = [...]`, `/checkin
create --segment`) besides roles and everyone. The names are kept as a JSON list like
`roles`; who is in a segment is read from onboarding's answers at each run, so nothing
else is stored. Check-ins made before this revision get an empty list: their audience
stays exactly what it was.

Revision ID: checkins_0002
Revises: checkins_0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "checkins_0002"
down_revision: str | Sequence[str] | None = "checkins_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # batch mode: SQLite rebuilds the table, PostgreSQL adds the column in place.
    with op.batch_alter_table("checkins") as batch:
        batch.add_column(sa.Column("segments", sa.Text(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("checkins") as batch:
        batch.drop_column("segments")
