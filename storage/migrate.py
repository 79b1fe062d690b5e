"""Alembic, driven from code: `agora db upgrade` and the start-up schema check.

Each feature's migrations form their own branch off the foundation (branch label =
feature name), so features can be added independently; "up to date" means every
branch head is applied.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


class UnknownRevisions(Exception):
    """The database carries migrations this Agora does not have: a newer one made it."""

    def __init__(self, revisions: set[str]) -> None:
        super().__init__(", ".join(sorted(revisions)))
        self.revisions = revisions


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def script_heads() -> set[str]:
    return set(_scripts().get_heads())


async def current_heads(engine: AsyncEngine) -> set[str]:
    def read(conn: Connection) -> set[str]:
        return set(MigrationContext.configure(conn).get_current_heads())

    async with engine.connect() as conn:
        return await conn.run_sync(read)


async def missing_migrations(engine: AsyncEngine) -> set[str]:
    """Branch heads not applied yet (empty when the schema is current).

    Raises `UnknownRevisions` when the database was migrated past what this code
    knows: running on it, or "upgrading" it, would misread tables a newer Agora shaped.
    """
    scripts = _scripts()
    current = await current_heads(engine)
    unknown = current - {script.revision for script in scripts.walk_revisions()}
    if unknown:
        raise UnknownRevisions(unknown)
    return set(scripts.get_heads()) - current


async def upgrade(engine: AsyncEngine, target: str = "heads") -> None:
    def run(conn: Connection, *_: Any) -> None:
        command.upgrade(alembic_config(conn), target)

    async with engine.begin() as conn:
        await conn.run_sync(run)
