"""kudos: an admin's spotlight pick made ahead waits for its period to end

`/spotlight @member 2026-12` in December keeps the pick (with the admin's citation)
unposted, and the scheduled job posts it when December is over. Spotlights stored
before this revision were all posted, so they keep their `posted_at`.

Revision ID: kudos_0003
Revises: kudos_0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "kudos_0003"
down_revision: str | Sequence[str] | None = "kudos_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # batch mode: SQLite rebuilds the (small) table, PostgreSQL alters it in place.
    with op.batch_alter_table("kudos_spotlights") as batch:
        batch.add_column(sa.Column("citation", sa.Text()))
        batch.alter_column("posted_at", existing_type=UTCDateTime(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM kudos_spotlights WHERE posted_at IS NULL")
    with op.batch_alter_table("kudos_spotlights") as batch:
        batch.alter_column("posted_at", existing_type=UTCDateTime(), nullable=False)
        batch.drop_column("citation")
