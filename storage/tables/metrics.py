"""Metrics: when slipping-away members were sent a check-in, and an index on activity.

Metrics read the core `activity` table (facts only, never content). The covering
index lets both databases aggregate a time range by person and kind from the index
alone, and a partial index holds the scored posts (see bench/metrics.py).
"""

from __future__ import annotations

from sqlalchemy import Column, Index, PrimaryKeyConstraint, Table

from storage.schema import activity, metadata, person_fk, personal
from storage.types import UTCDateTime

metrics_checkins = personal(
    Table(
        "metrics_checkins",
        metadata,
        person_fk(),
        Column("sent_at", UTCDateTime, nullable=False),
        PrimaryKeyConstraint("person_id", "sent_at"),
    ),
    "person_id",
)

ix_activity_window = Index(
    "ix_activity_at_kind_person",
    activity.c.at,
    activity.c.kind,
    activity.c.person_id,
    activity.c.platform,
)

# The scored posts alone (sentiment on): tone per period and day, and from how many
# people, read from this small index instead of every fact's row.
SCORED = activity.c.sentiment.is_not(None)
ix_activity_scored = Index(
    "ix_activity_scored",
    activity.c.at,
    activity.c.platform,
    activity.c.person_id,
    activity.c.sentiment,
    sqlite_where=SCORED,
    postgresql_where=SCORED,
)
