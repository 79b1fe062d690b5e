"""The outbox table (`bot.ports.OutboxStore`)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.model import Outgoing, Ref
from bot.parcels import decode, encode
from bot.ports import OutboxStore, Parcel
from storage.repositories import implements
from storage.schema import members
from storage.sql import prepared
from storage.tables.outbox import outbox

log = logging.getLogger(__name__)

# A DM's row names the recipient's person (found by account in the same statement), so
# forgetting the person drops what is still waiting for them.
_ADD = prepared(
    lambda _dialect: (
        insert(outbox)
        .values(
            person_id=select(members.c.person_id)
            .where(
                members.c.platform == bindparam("dm_platform"),
                members.c.workspace == bindparam("dm_workspace"),
                members.c.external_id == bindparam("dm_id"),
            )
            .scalar_subquery()
        )
        .returning(outbox.c.id, sort_by_parameter_order=True)
    )
)


def _destination(out: Outgoing) -> Ref:
    target = out.dm or out.channel or out.ephemeral_to
    if target is None:
        raise ValueError("a message without a destination cannot be queued")
    return target


@implements(OutboxStore)
class SqlOutboxStore:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, messages: Sequence[Outgoing], instance: str, at: datetime) -> list[int]:
        if not messages:
            return []
        rows = []
        for out in messages:
            dm, target = out.dm, _destination(out)
            rows.append(
                {
                    "platform": target.platform,
                    "target": str(target),
                    "dm_platform": dm.platform if dm else None,
                    "dm_workspace": dm.workspace if dm else None,
                    "dm_id": dm.id if dm else None,
                    "payload": encode(out),
                    "created_at": at,
                    "claimed_by": instance,
                    "claimed_at": at,
                }
            )
        result = await self.conn.execute(_ADD(self.conn), rows)
        return [int(i) for i in result.scalars()]

    async def delivered(self, ids: Sequence[int]) -> None:
        if ids:
            await self.conn.execute(delete(outbox).where(outbox.c.id.in_(list(ids))))

    async def keep_claims(self, instance: str, at: datetime) -> int:
        result = await self.conn.execute(
            update(outbox).where(outbox.c.claimed_by == instance).values(claimed_at=at)
        )
        return int(result.rowcount)

    async def take_over(
        self, instance: str, at: datetime, stale_before: datetime, limit: int
    ) -> list[Parcel]:
        oldest = (
            select(outbox.c.id)
            .where(outbox.c.claimed_at < stale_before)
            .order_by(outbox.c.id)
            .limit(limit)
            .scalar_subquery()
        )
        # The staleness is checked again by the UPDATE itself: of two instances taking
        # over at once, the second finds the rows fresh and leaves them.
        claimed = await self.conn.execute(
            update(outbox)
            .where(and_(outbox.c.id.in_(oldest), outbox.c.claimed_at < stale_before))
            .values(claimed_by=instance, claimed_at=at)
            .returning(outbox.c.id, outbox.c.payload, outbox.c.created_at)
        )
        parcels: list[Parcel] = []
        unreadable: list[int] = []
        for row_id, payload, created_at in sorted(claimed.all()):
            try:
                parcels.append(Parcel(int(row_id), decode(payload), created_at, resumed=True))
            except ValueError as error:
                log.warning("outbox message %s cannot be read and is dropped: %s", row_id, error)
                unreadable.append(int(row_id))
        await self.delivered(unreadable)
        return parcels
