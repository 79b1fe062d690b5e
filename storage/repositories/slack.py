"""Slack installs and OAuth states on SQLAlchemy Core (SQLite and PostgreSQL).

A reinstall replaces the workspace's row (one upsert), so the newest bot token is the
one used. A state is consumed by one DELETE that also checks its expiry: of two
callbacks racing with the same state, exactly one sees a deleted row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.slack.installations import SlackInstall, SlackInstallations, SlackOAuthStates
from storage.repositories import implements
from storage.sql import upsert
from storage.tables.slack import slack_installations, slack_oauth_states


def _install(row: Row[Any]) -> SlackInstall:
    return SlackInstall(
        team_id=row.team_id,
        bot_token=row.bot_token,
        bot_id=row.bot_id,
        bot_user_id=row.bot_user_id,
        installed_at=row.installed_at,
        team_name=row.team_name,
        enterprise_id=row.enterprise_id,
        app_id=row.app_id,
        bot_scopes=tuple(s for s in row.bot_scopes.split(",") if s),
    )


@implements(SlackInstallations)
class SqlSlackInstallations:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def save(self, install: SlackInstall) -> None:
        values = {
            "team_id": install.team_id,
            "enterprise_id": install.enterprise_id,
            "team_name": install.team_name,
            "app_id": install.app_id,
            "bot_id": install.bot_id,
            "bot_user_id": install.bot_user_id,
            "bot_token": install.bot_token,
            "bot_scopes": ",".join(install.bot_scopes),
            "installed_at": install.installed_at,
        }
        changes = {k: v for k, v in values.items() if k != "team_id"}
        await self.conn.execute(
            upsert(self.conn, slack_installations, ["team_id"], values, changes)
        )

    async def find(self, team_id: str) -> SlackInstall | None:
        stmt = select(slack_installations).where(slack_installations.c.team_id == team_id)
        row = (await self.conn.execute(stmt)).first()
        return _install(row) if row is not None else None

    async def teams(self) -> list[str]:
        stmt = select(slack_installations.c.team_id).order_by(slack_installations.c.team_id)
        return [str(team) for team in (await self.conn.execute(stmt)).scalars()]

    async def delete(self, team_id: str) -> bool:
        stmt = delete(slack_installations).where(slack_installations.c.team_id == team_id)
        return bool((await self.conn.execute(stmt)).rowcount)


@implements(SlackOAuthStates)
class SqlSlackOAuthStates:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def issue(self, state: str, expires_at: datetime, now: datetime) -> None:
        table = slack_oauth_states
        await self.conn.execute(delete(table).where(table.c.expires_at <= now))
        await self.conn.execute(table.insert().values(state=state, expires_at=expires_at))

    async def consume(self, state: str, now: datetime) -> bool:
        table = slack_oauth_states
        stmt = delete(table).where(table.c.state == state, table.c.expires_at > now)
        found = (await self.conn.execute(stmt)).rowcount == 1
        if not found:
            # An expired state is useless: drop it too, so it cannot linger.
            await self.conn.execute(delete(table).where(table.c.state == state))
        return found
