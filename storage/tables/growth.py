"""Growth: members' invites, who referred whom, perks, the grant audit trail, invitations.

Everything is keyed by person. When a person is forgotten, their invites, their
referrals (either side), perks and grant history go; grants and invitations they
made as an admin stay, without their name (`by_person_id` becomes NULL first).
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    UniqueConstraint,
)

from storage.schema import metadata, person_fk, personal
from storage.types import UTCDateTime

# A member's invite links (Discord, console) and referral codes (Slack). `uses` is the
# platform's use count already accounted for; `unclaimed` counts uses seen while
# several links grew at once, waiting for the newcomers to say whose link they used.
growth_invites = personal(
    Table(
        "growth_invites",
        metadata,
        Column("id", Integer, primary_key=True),
        person_fk(),
        Column("platform", String(16), nullable=False),
        Column("workspace", String(64), nullable=False),
        Column("code", String(64), nullable=False),
        Column("url", String(300), nullable=False),
        Column("kind", String(8), nullable=False),
        Column("uses", Integer, nullable=False, server_default="0"),
        Column("unclaimed", Integer, nullable=False, server_default="0"),
        Column("noticed_at", UTCDateTime),
        Column("created_at", UTCDateTime, nullable=False),
        Column("expires_at", UTCDateTime),
        UniqueConstraint("platform", "workspace", "code", name="uq_growth_invites_code"),
        Index("ix_growth_invites_person_id", "person_id"),
    ),
    "person_id",
)

growth_referrals = personal(
    Table(
        "growth_referrals",
        metadata,
        Column("id", Integer, primary_key=True),
        person_fk("referrer_person_id"),
        person_fk("newcomer_person_id"),
        Column("invite_id", ForeignKey("growth_invites.id", ondelete="SET NULL"), nullable=True),
        Column("via", String(8), nullable=False),
        Column("joined_at", UTCDateTime, nullable=False),
        Column("status", String(8), nullable=False),
        Column("decided_at", UTCDateTime),
        # A newcomer has one referrer, however many events race.
        UniqueConstraint("newcomer_person_id", name="uq_growth_referrals_newcomer"),
        Index("ix_growth_referrals_referrer", "referrer_person_id", "status"),
        Index("ix_growth_referrals_joined_at", "joined_at"),
        sqlite_autoincrement=True,
    ),
    "referrer_person_id",
    "newcomer_person_id",
)

# Roles growth granted and still manages (threshold roles, referral rewards, tracks).
growth_perks = personal(
    Table(
        "growth_perks",
        metadata,
        person_fk(),
        Column("role", String(100), nullable=False),
        Column("source", String(16), nullable=False),
        Column("granted_at", UTCDateTime, nullable=False),
        Column("on_platform", Integer, nullable=False, server_default="0"),
        PrimaryKeyConstraint("person_id", "role"),
    ),
    "person_id",
)

# The audit trail: every grant and removal, never updated.
growth_grants = personal(
    Table(
        "growth_grants",
        metadata,
        Column("id", Integer, primary_key=True),
        person_fk(),
        Column("role", String(100), nullable=False),
        Column("action", String(8), nullable=False),
        Column("source", String(16), nullable=False),
        Column("reason", String(300), nullable=False),
        person_fk("by_person_id", ondelete="SET NULL"),
        Column("at", UTCDateTime, nullable=False),
        Index("ix_growth_grants_at", "at"),
        Index("ix_growth_grants_person_id_at", "person_id", "at"),
        sqlite_autoincrement=True,
    ),
    "person_id",
    "by_person_id",
)

growth_invitations = personal(
    Table(
        "growth_invitations",
        metadata,
        Column("id", Integer, primary_key=True),
        person_fk(),
        Column("track", String(32), nullable=False),
        Column("role", String(100), nullable=False),
        person_fk("invited_by", ondelete="SET NULL"),
        Column("status", String(10), nullable=False),
        Column("created_at", UTCDateTime, nullable=False),
        Column("answered_at", UTCDateTime),
        Index("ix_growth_invitations_person_id", "person_id", "track"),
        sqlite_autoincrement=True,
    ),
    "person_id",
    "invited_by",
)
