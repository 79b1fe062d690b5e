"""Metrics: when slipping-away members were sent a check-in, and an index on activity.

Metrics read the core `activity` table (facts only, never content). The covering
index lets both databases aggregate a time range by person and kind from the index
alone (see bench/metrics_report.py).
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
