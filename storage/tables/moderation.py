"""Moderation: flagged messages (cases), flags, sanctions, appeals and the audit log.

Message content is not stored: a case points at its message, and the queue shows a
link. Two exceptions, both because moderators must read them later and both erased
when their writer is forgotten: the text of a message that was auto-hidden pending
review (`mod_cases.hidden_text`, so a dismissal can restore it) and a member's own
words — a flag's reason, an appeal. A forgotten person's flags and sanctions stay
counted (statistics, the ladder of others is unaffected) without anyone named.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from storage.schema import metadata, person_fk, personal
from storage.types import BigId, UTCDateTime

# One row per flagged message. `flags`/`weight` are running totals updated atomically
# (the quorum check), `status` is collecting → open/escalated → decided.
mod_cases = personal(
    Table(
        "mod_cases",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("platform", String(16), nullable=False),
        Column("workspace", String(64), nullable=False),
        Column("channel_id", String(64), nullable=False),
        Column("message_id", String(200), nullable=False),
        person_fk("author_person_id", ondelete="SET NULL", index=True),
        # The author's account (the platform acts on accounts, not persons).
        Column("author_ref", String(200)),
        Column("created_at", UTCDateTime, nullable=False),
        Column("flags", Integer, nullable=False, server_default="0"),
        Column("weight", Float, nullable=False, server_default="0"),
        Column("status", String(16), nullable=False),
        Column("trigger", String(16)),
        Column("queued_at", UTCDateTime),
        # The queue item (the bot's message, as `str(Ref)`), edited on every change.
        Column("queue_ref", String(200)),
        Column("decision", String(16)),
        Column("decided_at", UTCDateTime),
        person_fk("decided_by", ondelete="SET NULL", index=True),
        Column("escalated_at", UTCDateTime),
        person_fk("escalated_by", ondelete="SET NULL", index=True),
        Column("rule", Integer),
        Column("hidden_at", UTCDateTime),
        Column("hidden_text", Text),
        UniqueConstraint("platform", "workspace", "message_id", name="uq_mod_cases_message"),
        Index("ix_mod_cases_place", "platform", "workspace", "status"),
        Index("ix_mod_cases_queued_at", "queued_at"),
        sqlite_autoincrement=True,
    ),
    "author_person_id",
    "author_ref",
    "decided_by",
    "escalated_by",
)

# One row per member per flagged message (the unique key makes "distinct members" a
# database guarantee). A forgotten flagger's row stays, person and reason erased.
mod_flags = personal(
    Table(
        "mod_flags",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("case_id", ForeignKey("mod_cases.id", ondelete="CASCADE"), nullable=False),
        person_fk("person_id", ondelete="SET NULL", index=True),
        Column("flagged_at", UTCDateTime, nullable=False),
        Column("weight", Float, nullable=False),
        Column("moderator", Boolean, nullable=False),
        Column("withdrawn_at", UTCDateTime),
        Column("rule", Integer),
        Column("reason", String(300)),
        UniqueConstraint("case_id", "person_id", name="uq_mod_flags_case_id"),
        Index("ix_mod_flags_flagged_at", "flagged_at"),
        sqlite_autoincrement=True,
    ),
    "person_id",
)

mod_sanctions = personal(
    Table(
        "mod_sanctions",
        metadata,
        Column("id", Integer, primary_key=True),
        person_fk("person_id", ondelete="SET NULL", index=True),
        Column("platform", String(16), nullable=False),
        Column("workspace", String(64), nullable=False),
        Column("kind", String(16), nullable=False),
        Column("duration_seconds", Integer),
        Column("strike", Integer, nullable=False),
        Column("rule", Integer),
        # The moderator's note to the member (sent to them); erased if they are forgotten.
        Column("note", String(500), nullable=False, server_default=""),
        Column("case_id", ForeignKey("mod_cases.id", ondelete="SET NULL")),
        Column("issued_at", UTCDateTime, nullable=False),
        Column("expires_at", UTCDateTime),
        person_fk("issued_by", ondelete="SET NULL", index=True),
        Column("carried_out", Boolean, nullable=False),
        Column("revoked_at", UTCDateTime),
        person_fk("revoked_by", ondelete="SET NULL", index=True),
        Index("ix_mod_sanctions_issued_at", "issued_at"),
        sqlite_autoincrement=True,
    ),
    "person_id",
    "issued_by",
    "revoked_by",
)

mod_appeals = personal(
    Table(
        "mod_appeals",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("sanction_id", ForeignKey("mod_sanctions.id", ondelete="CASCADE"), nullable=False),
        person_fk(nullable=True, index=True),
        Column("text", String(1000), nullable=False),
        Column("created_at", UTCDateTime, nullable=False),
        Column("queue_ref", String(200)),
        Column("decision", String(16)),
        Column("decided_at", UTCDateTime),
        person_fk("decided_by", ondelete="SET NULL", index=True),
        UniqueConstraint("sanction_id", name="uq_mod_appeals_sanction_id"),
        sqlite_autoincrement=True,
    ),
    "person_id",
    "decided_by",
)

# The audit log: append-only facts. `detail` is structured (a duration, a rule
# number), never free text, so it cannot carry anyone's name.
mod_log = personal(
    Table(
        "mod_log",
        metadata,
        Column("id", BigId, primary_key=True),
        Column("at", UTCDateTime, nullable=False),
        Column("platform", String(16), nullable=False),
        Column("workspace", String(64), nullable=False),
        Column("kind", String(16), nullable=False),
        Column("case_id", Integer),
        Column("sanction_id", Integer),
        Column("actor", Integer),
        Column("subject", Integer),
        Column("detail", String(100), nullable=False, server_default=""),
        Index("ix_mod_log_at", "at"),
        Index("ix_mod_log_actor", "actor"),
        Index("ix_mod_log_subject", "subject"),
    ),
    "actor",
    "subject",
)
