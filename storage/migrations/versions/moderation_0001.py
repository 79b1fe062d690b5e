"""moderation: cases, flags, sanctions, appeals, audit log

Revision ID: moderation_0001
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.schema import SchemaItem

from storage.types import BigId, UTCDateTime

revision: str = "moderation_0001"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("moderation",)
depends_on: str | Sequence[str] | None = None


def _person(table: str, column: str, ondelete: str = "SET NULL") -> list[SchemaItem]:
    return [
        sa.Column(column, sa.Integer()),
        sa.ForeignKeyConstraint(
            [column], ["persons.id"], name=f"fk_{table}_{column}_persons", ondelete=ondelete
        ),
    ]


def _index(table: str, *columns: str) -> None:
    op.create_index(f"ix_{table}_{columns[0]}", table, list(columns))


def upgrade() -> None:
    op.create_table(
        "mod_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("channel_id", sa.String(64), nullable=False),
        sa.Column("message_id", sa.String(200), nullable=False),
        *_person("mod_cases", "author_person_id"),
        sa.Column("author_ref", sa.String(200)),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("flags", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("weight", sa.Float(), nullable=False, server_default="0"),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("trigger", sa.String(16)),
        sa.Column("queued_at", UTCDateTime()),
        sa.Column("queue_ref", sa.String(200)),
        sa.Column("decision", sa.String(16)),
        sa.Column("decided_at", UTCDateTime()),
        *_person("mod_cases", "decided_by"),
        sa.Column("escalated_at", UTCDateTime()),
        *_person("mod_cases", "escalated_by"),
        sa.Column("rule", sa.Integer()),
        sa.Column("hidden_at", UTCDateTime()),
        sa.Column("hidden_text", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_mod_cases"),
        sa.UniqueConstraint("platform", "workspace", "message_id", name="uq_mod_cases_message"),
        sqlite_autoincrement=True,
    )
    _index("mod_cases", "author_person_id")
    _index("mod_cases", "decided_by")
    _index("mod_cases", "escalated_by")
    op.create_index("ix_mod_cases_place", "mod_cases", ["platform", "workspace", "status"])
    _index("mod_cases", "queued_at")

    op.create_table(
        "mod_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        *_person("mod_flags", "person_id"),
        sa.Column("flagged_at", UTCDateTime(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("moderator", sa.Boolean(), nullable=False),
        sa.Column("withdrawn_at", UTCDateTime()),
        sa.Column("rule", sa.Integer()),
        sa.Column("reason", sa.String(300)),
        sa.PrimaryKeyConstraint("id", name="pk_mod_flags"),
        sa.ForeignKeyConstraint(
            ["case_id"], ["mod_cases.id"], name="fk_mod_flags_case_id_mod_cases", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("case_id", "person_id", name="uq_mod_flags_case_id"),
        sqlite_autoincrement=True,
    )
    _index("mod_flags", "person_id")
    _index("mod_flags", "flagged_at")

    op.create_table(
        "mod_sanctions",
        sa.Column("id", sa.Integer(), nullable=False),
        *_person("mod_sanctions", "person_id"),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("duration_seconds", sa.Integer()),
        sa.Column("strike", sa.Integer(), nullable=False),
        sa.Column("rule", sa.Integer()),
        sa.Column("note", sa.String(500), nullable=False, server_default=""),
        sa.Column("case_id", sa.Integer()),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime()),
        *_person("mod_sanctions", "issued_by"),
        sa.Column("carried_out", sa.Boolean(), nullable=False),
        sa.Column("revoked_at", UTCDateTime()),
        *_person("mod_sanctions", "revoked_by"),
        sa.PrimaryKeyConstraint("id", name="pk_mod_sanctions"),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["mod_cases.id"],
            name="fk_mod_sanctions_case_id_mod_cases",
            ondelete="SET NULL",
        ),
        sqlite_autoincrement=True,
    )
    _index("mod_sanctions", "person_id")
    _index("mod_sanctions", "issued_by")
    _index("mod_sanctions", "revoked_by")
    _index("mod_sanctions", "issued_at")

    op.create_table(
        "mod_appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sanction_id", sa.Integer(), nullable=False),
        *_person("mod_appeals", "person_id", "CASCADE"),
        sa.Column("text", sa.String(1000), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("queue_ref", sa.String(200)),
        sa.Column("decision", sa.String(16)),
        sa.Column("decided_at", UTCDateTime()),
        *_person("mod_appeals", "decided_by"),
        sa.PrimaryKeyConstraint("id", name="pk_mod_appeals"),
        sa.ForeignKeyConstraint(
            ["sanction_id"],
            ["mod_sanctions.id"],
            name="fk_mod_appeals_sanction_id_mod_sanctions",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("sanction_id", name="uq_mod_appeals_sanction_id"),
        sqlite_autoincrement=True,
    )
    _index("mod_appeals", "person_id")
    _index("mod_appeals", "decided_by")

    op.create_table(
        "mod_log",
        sa.Column("id", BigId, nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("case_id", sa.Integer()),
        sa.Column("sanction_id", sa.Integer()),
        sa.Column("actor", sa.Integer()),
        sa.Column("subject", sa.Integer()),
        sa.Column("detail", sa.String(100), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name="pk_mod_log"),
    )
    _index("mod_log", "at")
    _index("mod_log", "actor")
    _index("mod_log", "subject")


def downgrade() -> None:
    op.drop_table("mod_log")
    op.drop_table("mod_appeals")
    op.drop_table("mod_sanctions")
    op.drop_table("mod_flags")
    op.drop_table("mod_cases")
