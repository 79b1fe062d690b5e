"""kudos: the giver index carries the source

Automatic kudos (an accepted answer's) name the accepter as giver but do not count
as given by them, so the count of a person's given kudos (read after every kudos for
the badges) filters on `source`; with it in the index the count reads the index only.

Revision ID: kudos_0002
Revises: kudos_0001
"""

from collections.abc import Sequence

from alembic import op

revision: str = "kudos_0002"
down_revision: str | Sequence[str] | None = "kudos_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_kudos_giver_given_at_source", "kudos", ["giver_person_id", "given_at", "source"]
    )
    op.drop_index("ix_kudos_giver_person_id_given_at", table_name="kudos")


def downgrade() -> None:
    op.create_index("ix_kudos_giver_person_id_given_at", "kudos", ["giver_person_id", "given_at"])
    op.drop_index("ix_kudos_giver_given_at_source", table_name="kudos")
