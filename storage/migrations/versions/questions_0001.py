"""questions: questions, replies, volunteers, drafts, deflections, full-text index

Revision ID: questions_0001
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import TSVECTOR

from storage.types import UTCDateTime

revision: str = "questions_0001"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("questions",)
depends_on: str | Sequence[str] | None = None

REF = sa.String(200)
FTS_CREATE = "CREATE VIRTUAL TABLE questions_fts USING fts5(terms, prefix='4 5 6')"


def _person_fk(table: str, column: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["persons.id"], name=f"fk_{table}_{column}_persons", ondelete=ondelete
    )


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("channel_ref", REF, nullable=False),
        sa.Column("message_ref", REF),
        sa.Column("thread_ref", REF),
        sa.Column("asker_person_id", sa.Integer()),
        sa.Column("asker_ref", REF),
        sa.Column("title", sa.Text(), nullable=False, server_default=""),
        sa.Column("topic", sa.String(32)),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_activity_at", UTCDateTime(), nullable=False),
        sa.Column("first_response_at", UTCDateTime()),
        sa.Column("solved_at", UTCDateTime()),
        sa.Column("closed_at", UTCDateTime()),
        sa.Column("close_reason", sa.String(16)),
        sa.Column("duplicate_of", sa.Integer()),
        sa.Column("answerer_person_id", sa.Integer()),
        sa.Column("answerer_ref", REF),
        sa.Column("answer_message_ref", REF),
        sa.Column("accepted_by_person_id", sa.Integer()),
        sa.Column("closed_by_person_id", sa.Integer()),
        sa.Column("escalation", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("locale", sa.String(16)),
        sa.Column("search_vector", TSVECTOR() if postgres else sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_questions"),
        _person_fk("questions", "asker_person_id", "SET NULL"),
        _person_fk("questions", "answerer_person_id", "SET NULL"),
        _person_fk("questions", "accepted_by_person_id", "SET NULL"),
        _person_fk("questions", "closed_by_person_id", "SET NULL"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_questions_state_created_at", "questions", ["state", "created_at"])
    op.create_index("ix_questions_created_at", "questions", ["created_at"])
    op.create_index("ix_questions_thread_ref", "questions", ["thread_ref"])
    op.create_index("ix_questions_message_ref", "questions", ["message_ref"])
    op.create_index("ix_questions_asker_person_id", "questions", ["asker_person_id"])
    op.create_index(
        "ix_questions_search_vector",
        "questions",
        ["search_vector"],
        postgresql_using="gin",
        postgresql_with={"fastupdate": "off"},
    )
    if not postgres:
        op.execute(FTS_CREATE)

    op.create_table(
        "question_replies",
        sa.Column("message_ref", REF, nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("account_ref", REF, nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("message_ref", name="pk_question_replies"),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            name="fk_question_replies_question_id_questions",
            ondelete="CASCADE",
        ),
        _person_fk("question_replies", "person_id", "CASCADE"),
    )
    op.create_index("ix_question_replies_question_id_at", "question_replies", ["question_id", "at"])
    op.create_index("ix_question_replies_person_id", "question_replies", ["person_id"])

    op.create_table(
        "question_helpers",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(32), nullable=False),
        sa.Column("since", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("person_id", "topic", name="pk_question_helpers"),
        _person_fk("question_helpers", "person_id", "CASCADE"),
    )
    op.create_index("ix_question_helpers_topic", "question_helpers", ["topic"])

    op.create_table(
        "question_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("asker_ref", REF, nullable=False),
        sa.Column("channel_ref", REF, nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("topic", sa.String(32)),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_question_drafts"),
        _person_fk("question_drafts", "person_id", "CASCADE"),
    )
    op.create_index("ix_question_drafts_created_at", "question_drafts", ["created_at"])

    op.create_table(
        "question_deflections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("topic", sa.String(32)),
        sa.PrimaryKeyConstraint("id", name="pk_question_deflections"),
    )
    op.create_index("ix_question_deflections_at", "question_deflections", ["at"])


def downgrade() -> None:
    op.drop_table("question_deflections")
    op.drop_table("question_drafts")
    op.drop_table("question_helpers")
    op.drop_table("question_replies")
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TABLE IF EXISTS questions_fts")
    op.drop_table("questions")
