"""identity: link codes, account email hashes, data request log

Revision ID: identity_0001
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "identity_0001"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("identity",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "link_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime()),
        sa.PrimaryKeyConstraint("id", name="pk_link_codes"),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name="fk_link_codes_person_id_persons",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("code", name="uq_link_codes_code"),
    )
    op.create_index("ix_link_codes_person_id", "link_codes", ["person_id"])
    op.create_table(
        "account_emails",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("external_id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("email_hash", sa.String(64), nullable=False),
        sa.Column("suggested_at", UTCDateTime()),
        sa.PrimaryKeyConstraint("platform", "workspace", "external_id", name="pk_account_emails"),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name="fk_account_emails_person_id_persons",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_account_emails_person_id", "account_emails", ["person_id"])
    op.create_index("ix_account_emails_email_hash", "account_emails", ["email_hash"])
    op.create_table(
        "data_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_data_requests"),
    )


def downgrade() -> None:
    op.drop_table("data_requests")
    op.drop_table("account_emails")
    op.drop_table("link_codes")
