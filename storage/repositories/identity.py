"""Link codes, email hashes and the data-request log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.features.identity.store import DataRequests, EmailHashes, LinkCode, LinkCodes
from bot.model import Ref
from storage.repositories import implements
from storage.tables.identity import account_emails, data_requests, link_codes


@implements(LinkCodes)
class SqlLinkCodes:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def issue(
        self, code: str, person_id: int, platform: str, at: datetime, expires_at: datetime
    ) -> None:
        await self.conn.execute(
            update(link_codes)
            .where(link_codes.c.person_id == person_id, link_codes.c.used_at.is_(None))
            .values(expires_at=at)
        )
        await self.conn.execute(
            insert(link_codes).values(
                code=code,
                person_id=person_id,
                platform=platform,
                created_at=at,
                expires_at=expires_at,
            )
        )

    async def find(self, code: str) -> LinkCode | None:
        row = (await self.conn.execute(select(link_codes).where(link_codes.c.code == code))).first()
        if row is None:
            return None
        return LinkCode(
            row.id,
            row.code,
            row.person_id,
            row.platform,
            row.created_at,
            row.expires_at,
            row.used_at,
        )

    async def use(self, code_id: int, at: datetime) -> bool:
        result = await self.conn.execute(
            update(link_codes)
            .where(link_codes.c.id == code_id, link_codes.c.used_at.is_(None))
            .values(used_at=at)
        )
        return result.rowcount == 1


def _account(ref: Ref) -> ColumnElement[bool]:
    return and_(
        account_emails.c.platform == ref.platform,
        account_emails.c.workspace == ref.workspace,
        account_emails.c.external_id == ref.id,
    )


@implements(EmailHashes)
class SqlEmailHashes:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def remember(self, account: Ref, person_id: int, email_hash: str) -> bool:
        row = (
            await self.conn.execute(select(account_emails.c.email_hash).where(_account(account)))
        ).first()
        if row is not None and row.email_hash == email_hash:
            return False
        if row is None:
            await self.conn.execute(
                insert(account_emails).values(
                    platform=account.platform,
                    workspace=account.workspace,
                    external_id=account.id,
                    person_id=person_id,
                    email_hash=email_hash,
                )
            )
        else:
            await self.conn.execute(
                update(account_emails)
                .where(_account(account))
                .values(email_hash=email_hash, person_id=person_id, suggested_at=None)
            )
        return True

    async def others(self, email_hash: str, person_id: int) -> list[Ref]:
        rows = await self.conn.execute(
            select(
                account_emails.c.platform, account_emails.c.workspace, account_emails.c.external_id
            )
            .where(
                account_emails.c.email_hash == email_hash,
                account_emails.c.person_id != person_id,
                account_emails.c.suggested_at.is_(None),
            )
            .order_by(account_emails.c.platform)
        )
        return [Ref(r.platform, r.workspace, r.external_id) for r in rows]

    async def mark_suggested(self, account: Ref, at: datetime) -> None:
        await self.conn.execute(
            update(account_emails).where(_account(account)).values(suggested_at=at)
        )


@implements(DataRequests)
class SqlDataRequests:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def record(self, kind: str, at: datetime, rows: int) -> None:
        await self.conn.execute(insert(data_requests).values(kind=kind, at=at, rows=rows))

    async def count(self, kind: str) -> int:
        query = select(func.count()).select_from(data_requests).where(data_requests.c.kind == kind)
        return int((await self.conn.execute(query)).scalar_one())
