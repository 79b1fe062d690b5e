"""kudos: kudos, totals, badges, facts, streaks, spotlights

Revision ID: kudos_0001
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "kudos_0001"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("kudos",)
depends_on: str | Sequence[str] | None = None

REF = sa.String(200)


def _person_fk(table: str, column: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["persons.id"], name=f"fk_{table}_{column}_persons", ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "kudos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("giver_person_id", sa.Integer()),
        sa.Column("receiver_person_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("emoji", sa.String(64)),
        sa.Column("message_ref", REF),
        sa.Column("topic", sa.String(64)),
        sa.Column("reason", sa.Text()),
        sa.Column("given_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_kudos"),
        _person_fk("kudos", "giver_person_id", "SET NULL"),
        _person_fk("kudos", "receiver_person_id"),
        sa.UniqueConstraint(
            "message_ref", "giver_person_id", "receiver_person_id", name="uq_kudos_message_ref"
        ),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_kudos_giver_person_id_given_at", "kudos", ["giver_person_id", "given_at"])
    op.create_index(
        "ix_kudos_receiver_person_id_given_at", "kudos", ["receiver_person_id", "given_at"]
    )
    op.create_index(
        "ix_kudos_given_at_receiver", "kudos", ["given_at", "receiver_person_id", "points"]
    )
    op.create_index(
        "ix_kudos_topic_given_at", "kudos", ["topic", "given_at", "receiver_person_id", "points"]
    )

    op.create_table(
        "kudos_totals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(64), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_kudos_totals"),
        _person_fk("kudos_totals", "person_id"),
    )
    op.create_index(
        "ix_kudos_totals_topic_person_id", "kudos_totals", ["topic", "person_id", "points"]
    )

    op.create_table(
        "kudos_badges",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("badge", sa.String(40), nullable=False),
        sa.Column("awarded_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("person_id", "badge", name="pk_kudos_badges"),
        _person_fk("kudos_badges", "person_id"),
    )

    op.create_table(
        "kudos_facts",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("person_id", "kind", "subject", name="pk_kudos_facts"),
        _person_fk("kudos_facts", "person_id"),
    )
    op.create_index("ix_kudos_facts_kind_at", "kudos_facts", ["kind", "at"])

    op.create_table(
        "kudos_streaks",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column("best", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("person_id", name="pk_kudos_streaks"),
        _person_fk("kudos_streaks", "person_id"),
    )

    op.create_table(
        "kudos_spotlights",
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("posted_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("period", name="pk_kudos_spotlights"),
        _person_fk("kudos_spotlights", "person_id"),
    )
    op.create_index("ix_kudos_spotlights_posted_at", "kudos_spotlights", ["posted_at"])


def downgrade() -> None:
    op.drop_table("kudos_spotlights")
    op.drop_table("kudos_streaks")
    op.drop_table("kudos_facts")
    op.drop_table("kudos_badges")
    op.drop_table("kudos_totals")
    op.drop_table("kudos")
