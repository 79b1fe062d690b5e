"""Messages waiting to be delivered after the transaction that decided them committed.

A row is written in the same unit of work as the change that asks for the message
(a reminder run, a welcome, a sanction), so a rolled-back change sends nothing and a
committed one is never lost: rows still here after a crash are delivered at the next
start. `claimed_by` is the instance delivering a row and `claimed_at` its last sign of
life; another instance takes over rows whose claim went stale. Delivered rows are
deleted. A DM names its recipient's person, so forgetting them drops what is pending.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text

from storage.schema import metadata, person_fk, personal
from storage.types import REF, UTCDateTime

outbox = personal(
    Table(
        "outbox",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("platform", String(16), nullable=False),
        # str(Ref) of the channel or DM recipient: messages to one target keep their order.
        Column("target", REF, nullable=False),
        person_fk(ondelete="CASCADE", nullable=True, index=True),
        # The message, as `bot.parcels.encode` writes it (JSON).
        Column("payload", Text, nullable=False),
        Column("created_at", UTCDateTime, nullable=False),
        Column("claimed_by", String(128), nullable=False),
        Column("claimed_at", UTCDateTime, nullable=False),
        Index("ix_outbox_claimed_at", "claimed_at"),
    ),
    "person_id",
)
