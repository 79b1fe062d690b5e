"""growth: invites, referrals, perks, grant audit trail, pipeline invitations

Revision ID: growth_0001
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "growth_0001"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("growth",)
depends_on: str | Sequence[str] | None = None


def _person_fk(table: str, column: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["persons.id"], name=f"fk_{table}_{column}_persons", ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "growth_invites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("url", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("unclaimed", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("noticed_at", UTCDateTime()),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime()),
        sa.PrimaryKeyConstraint("id", name="pk_growth_invites"),
        _person_fk("growth_invites", "person_id"),
        sa.UniqueConstraint("platform", "workspace", "code", name="uq_growth_invites_code"),
    )
    op.create_index("ix_growth_invites_person_id", "growth_invites", ["person_id"])

    op.create_table(
        "growth_referrals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referrer_person_id", sa.Integer(), nullable=False),
        sa.Column("newcomer_person_id", sa.Integer(), nullable=False),
        sa.Column("invite_id", sa.Integer()),
        sa.Column("via", sa.String(8), nullable=False),
        sa.Column("joined_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("decided_at", UTCDateTime()),
        sa.PrimaryKeyConstraint("id", name="pk_growth_referrals"),
        _person_fk("growth_referrals", "referrer_person_id"),
        _person_fk("growth_referrals", "newcomer_person_id"),
        sa.ForeignKeyConstraint(
            ["invite_id"],
            ["growth_invites.id"],
            name="fk_growth_referrals_invite_id_growth_invites",
            ondelete="SET NULL",
        ),
        sa.UniqueConstraint("newcomer_person_id", name="uq_growth_referrals_newcomer"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_growth_referrals_referrer", "growth_referrals", ["referrer_person_id", "status"]
    )
    op.create_index("ix_growth_referrals_joined_at", "growth_referrals", ["joined_at"])

    op.create_table(
        "growth_perks",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(100), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("granted_at", UTCDateTime(), nullable=False),
        sa.Column("on_platform", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("person_id", "role", name="pk_growth_perks"),
        _person_fk("growth_perks", "person_id"),
    )

    op.create_table(
        "growth_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(100), nullable=False),
        sa.Column("action", sa.String(8), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(300), nullable=False),
        sa.Column("by_person_id", sa.Integer()),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_growth_grants"),
        _person_fk("growth_grants", "person_id"),
        _person_fk("growth_grants", "by_person_id", "SET NULL"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_growth_grants_at", "growth_grants", ["at"])
    op.create_index("ix_growth_grants_person_id_at", "growth_grants", ["person_id", "at"])

    op.create_table(
        "growth_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("track", sa.String(32), nullable=False),
        sa.Column("role", sa.String(100), nullable=False),
        sa.Column("invited_by", sa.Integer()),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("answered_at", UTCDateTime()),
        sa.PrimaryKeyConstraint("id", name="pk_growth_invitations"),
        _person_fk("growth_invitations", "person_id"),
        _person_fk("growth_invitations", "invited_by", "SET NULL"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_growth_invitations_person_id", "growth_invitations", ["person_id", "track"])


def downgrade() -> None:
    op.drop_table("growth_invitations")
    op.drop_table("growth_grants")
    op.drop_table("growth_perks")
    op.drop_table("growth_referrals")
    op.drop_table("growth_invites")
