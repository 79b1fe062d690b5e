"""Membership history: every join and departure of every account, never rewritten.

`members.joined_at` and `left_at` say where an account stands now, and a rejoin
overwrites them. Growth, churn and retention cohorts need what happened then: a
member who left on Dec 3 and came back on Dec 6 left in that week, and still belongs
to the cohort of their first join. The core appends a row on each join and leave
(`SqlDirectory`); metrics read them. Rows name the account, not the person: the person
is found at query time through `members`, so linking or unlinking accounts carries
each account's history with it. The table comes with the metrics migration branch
(`metrics_0002`, which also fills it from the members' current join and leave times).
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, String, Table

from storage.schema import metadata, personal
from storage.types import REF, BigId, UTCDateTime

JOIN = "join"
LEAVE = "leave"

membership = personal(
    Table(
        "membership",
        metadata,
        Column("id", BigId, primary_key=True),
        Column("member_id", ForeignKey("members.id", ondelete="CASCADE"), nullable=False),
        # `str(Ref)` of the account, so data requests find and erase the rows.
        Column("account", REF, nullable=False),
        Column("kind", String(8), nullable=False),
        Column("at", UTCDateTime, nullable=False),
        Index("ix_membership_member_at", "member_id", "at"),
    ),
    "account",
)
