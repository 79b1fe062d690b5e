"""Linking accounts into one person, and the log of data requests (without who asked)."""

from __future__ import annotations

from sqlalchemy import Column, Integer, PrimaryKeyConstraint, String, Table

from storage.schema import impersonal, metadata, person_fk, personal
from storage.types import UTCDateTime

link_codes = personal(
    Table(
        "link_codes",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("code", String(16), nullable=False, unique=True),
        person_fk(index=True),
        Column("platform", String(16), nullable=False),
        Column("created_at", UTCDateTime, nullable=False),
        Column("expires_at", UTCDateTime, nullable=False),
        Column("used_at", UTCDateTime),
    ),
    "person_id",
)

# A SHA-256 of a verified email per account, so two accounts of one person can be
# suggested for linking without keeping anyone's address.
account_emails = personal(
    Table(
        "account_emails",
        metadata,
        Column("platform", String(16), nullable=False),
        Column("workspace", String(64), nullable=False),
        Column("external_id", String(64), nullable=False),
        person_fk(index=True),
        Column("email_hash", String(64), nullable=False, index=True),
        Column("suggested_at", UTCDateTime),
        PrimaryKeyConstraint("platform", "workspace", "external_id"),
    ),
    "person_id",
)

data_requests = impersonal(
    Table(
        "data_requests",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("kind", String(16), nullable=False),
        Column("at", UTCDateTime, nullable=False),
        Column("rows", Integer, nullable=False),
    )
)
