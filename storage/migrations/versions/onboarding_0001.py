"""onboarding: newcomers, questionnaire answers, mentors, pairings

Revision ID: onboarding_0001
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "onboarding_0001"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("onboarding",)
depends_on: str | Sequence[str] | None = None

REF = sa.String(200)


def _person_fk(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["persons.id"], name=f"fk_{table}_{column}_persons", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "onboarding_newcomers",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("account_ref", REF, nullable=False),
        sa.Column("joined_at", UTCDateTime(), nullable=False),
        sa.Column("gated", sa.Boolean(), nullable=False),
        sa.Column("agreed_at", UTCDateTime()),
        sa.Column("progress", sa.String(16), nullable=False),
        sa.Column("mentor", sa.String(16), nullable=False),
        sa.Column("left_at", UTCDateTime()),
        sa.PrimaryKeyConstraint("person_id", name="pk_onboarding_newcomers"),
        _person_fk("onboarding_newcomers", "person_id"),
    )
    op.create_index("ix_onboarding_newcomers_joined_at", "onboarding_newcomers", ["joined_at"])
    op.create_index("ix_onboarding_newcomers_mentor", "onboarding_newcomers", ["mentor"])

    op.create_table(
        "onboarding_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(32), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("answered_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_onboarding_answers"),
        _person_fk("onboarding_answers", "person_id"),
    )
    op.create_index(
        "ix_onboarding_answers_person_id", "onboarding_answers", ["person_id", "question_id"]
    )
    op.create_index("ix_onboarding_answers_question_id", "onboarding_answers", ["question_id"])

    op.create_table(
        "onboarding_mentors",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(32), nullable=False),
        sa.Column("since", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("person_id", "topic", name="pk_onboarding_mentors"),
        _person_fk("onboarding_mentors", "person_id"),
    )

    op.create_table(
        "onboarding_pairings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("newcomer_person_id", sa.Integer(), nullable=False),
        sa.Column("mentor_person_id", sa.Integer(), nullable=False),
        sa.Column("newcomer_ref", REF, nullable=False),
        sa.Column("mentor_ref", REF, nullable=False),
        sa.Column("topic", sa.String(32)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("paired_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime()),
        sa.Column("nudges", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("thread_ref", REF),
        sa.PrimaryKeyConstraint("id", name="pk_onboarding_pairings"),
        _person_fk("onboarding_pairings", "newcomer_person_id"),
        _person_fk("onboarding_pairings", "mentor_person_id"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_onboarding_pairings_mentor_person_id",
        "onboarding_pairings",
        ["mentor_person_id", "status"],
    )
    op.create_index(
        "ix_onboarding_pairings_newcomer_person_id",
        "onboarding_pairings",
        ["newcomer_person_id", "status"],
    )


def downgrade() -> None:
    op.drop_table("onboarding_pairings")
    op.drop_table("onboarding_mentors")
    op.drop_table("onboarding_answers")
    op.drop_table("onboarding_newcomers")
