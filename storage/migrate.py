"""Alembic, driven from code: `agora db upgrade` and the start-up schema check.

Each feature's migrations form their own branch off the foundation (branch label =
feature name), so features can be added independently; "up to date" means every
branch head is applied.

Importing Alembic (with Mako and its templates) costs a fifth of a second, which
every start and every `agora report` paid to learn that nothing is to be done. The
check first compares the database's `alembic_version` rows with the heads read from
the migration files' own declarations; only when they differ does Alembic look.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

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
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def script_heads() -> set[str]:
    return set(_scripts().get_heads())


def _declared(path: Path) -> tuple[str, tuple[str, ...]]:
    """A migration file's `revision` and its `down_revision`s, read without running it."""
    found: dict[str, Any] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            found[node.target.id] = node.value
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                found[target.id] = node.value
    down = ast.literal_eval(found["down_revision"]) if "down_revision" in found else None
    downs = (down,) if isinstance(down, str) else tuple(down or ())
    return str(ast.literal_eval(found["revision"])), downs


@cache
def declared_heads() -> frozenset[str]:
    """The branch heads as the migration files declare them (what Alembic computes)."""
    revisions: set[str] = set()
    below: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        revision, downs = _declared(path)
        revisions.add(revision)
        below.update(downs)
    return frozenset(revisions - below)


async def current_heads(engine: AsyncEngine) -> set[str]:
    from alembic.runtime.migration import MigrationContext

    def read(conn: Connection) -> set[str]:
        return set(MigrationContext.configure(conn).get_current_heads())

    async with engine.connect() as conn:
        return await conn.run_sync(read)


async def _applied(engine: AsyncEngine) -> set[str] | None:
    """The revisions in `alembic_version`; None when there is no such table."""

    def read(conn: Connection) -> set[str] | None:
        if not inspect(conn).has_table(VERSION_TABLE):
            return None
        return {row[0] for row in conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))}

    async with engine.connect() as conn:
        return await conn.run_sync(read)


async def missing_migrations(engine: AsyncEngine) -> set[str]:
    """Branch heads not applied yet (empty when the schema is current).

    Raises `UnknownRevisions` when the database was migrated past what this code
    knows: running on it, or "upgrading" it, would misread tables a newer Agora shaped.
    """
    applied = await _applied(engine)
    if applied is not None and applied == set(declared_heads()):
        return set()  # the usual start: current, and Alembic never imported
    scripts = _scripts()
    current = await current_heads(engine)
    unknown = current - {script.revision for script in scripts.walk_revisions()}
    if unknown:
        raise UnknownRevisions(unknown)
    return set(scripts.get_heads()) - current


async def upgrade(engine: AsyncEngine, target: str = "heads") -> None:
    from alembic import command

    def run(conn: Connection, *_: Any) -> None:
        command.upgrade(alembic_config(conn), target)

    async with engine.begin() as conn:
        await conn.run_sync(run)
