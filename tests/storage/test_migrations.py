"""Alembic owns the schema: migrations build exactly the declared tables, and the app
refuses to run on an out-of-date database unless told to upgrade it itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect, select, text

from bot.app import StartupError, open_storage, upgrade_database
from bot.config import AgoraConfig
from bot.features import feature_models
from bot.ports import EventLog
from bot.testing import load_config_dict
from storage import schema
from storage.engine import SqlStorage, create_engine
from storage.migrate import (
    UnknownRevisions,
    current_heads,
    declared_heads,
    missing_migrations,
    script_heads,
    upgrade,
)

AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def config(db_url: str, **storage: Any) -> AgoraConfig:
    return load_config_dict({"storage": {"url": db_url, **storage}}, feature_models())


def schema_diff(conn: Connection) -> list[Any]:
    context = MigrationContext.configure(
        # As migrations/env.py compares: raw-DDL tables (SQLite FTS5) are not in metadata.
        conn,
        opts={"compare_type": True, "include_name": schema.compared},
    )
    return list(compare_metadata(context, schema.load_all()))


async def tables(db_url: str) -> set[str]:
    engine = create_engine(db_url)
    try:
        async with engine.connect() as conn:
            return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def test_migrations_build_exactly_the_declared_schema(storage: SqlStorage) -> None:
    async with storage.engine.connect() as conn:
        diff = await conn.run_sync(schema_diff)
    assert diff == []
    assert await missing_migrations(storage.engine) == set()
    assert await current_heads(storage.engine) == script_heads()


async def test_every_declared_table_exists_after_upgrade(db_url: str, storage: SqlStorage) -> None:
    """Guards the diff test above against comparing nothing with nothing."""
    declared = set(schema.load_all().tables)
    assert {"persons", "members", "channels", "scheduled_jobs", "cron_runs"} <= declared
    assert declared <= await tables(db_url)


async def test_upgrade_is_idempotent(storage: SqlStorage) -> None:
    await upgrade(storage.engine)
    assert await missing_migrations(storage.engine) == set()


async def test_every_feature_branch_needs_the_foundation_only(db_url: str) -> None:
    """Branches apply in any order: the core first, then each feature on its own."""
    engine = create_engine(db_url)
    try:
        assert await missing_migrations(engine) == script_heads()
        await upgrade(engine, "0001")
        missing = await missing_migrations(engine)
        assert missing == script_heads() - await current_heads(engine)
        for head in sorted(missing):
            await upgrade(engine, head)
        assert await missing_migrations(engine) == set()
        async with engine.connect() as conn:
            assert await conn.run_sync(schema_diff) == []
    finally:
        await engine.dispose()


async def test_open_storage_refuses_an_empty_database_without_auto_migrate(db_url: str) -> None:
    with pytest.raises(StartupError) as refused:
        await open_storage(config(db_url, auto_migrate=False), env={})
    assert "agora db upgrade" in str(refused.value)
    assert "auto_migrate" in str(refused.value)
    assert await tables(db_url) == set()  # refused means untouched


async def test_open_storage_refuses_a_partly_migrated_database(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        await upgrade(engine, "0001")
    finally:
        await engine.dispose()
    if script_heads() == {"0001"}:
        pytest.skip("no feature migrations exist yet: core@head is the whole schema")
    with pytest.raises(StartupError, match="agora db upgrade"):
        await open_storage(config(db_url, auto_migrate=False), env={})


async def test_open_storage_migrates_by_itself_when_configured(db_url: str) -> None:
    storage = await open_storage(config(db_url, auto_migrate=True), env={})
    try:
        assert isinstance(storage, SqlStorage)
        assert await missing_migrations(storage.engine) == set()
        async with storage.unit_of_work() as uow:
            assert await uow.get(EventLog).claim(["first"], AT)  # type: ignore[type-abstract]
    finally:
        await storage.close()


async def test_open_storage_accepts_a_database_migrated_by_the_cli(db_url: str) -> None:
    settings = config(db_url, auto_migrate=False)
    assert await upgrade_database(settings, env={}) == len(script_heads())
    assert await upgrade_database(settings, env={}) == 0
    storage = await open_storage(settings, env={})
    await storage.close()


def test_sqlite_migrates_by_default_and_postgresql_does_not(tmp_path: Path) -> None:
    assert config(f"sqlite+aiosqlite:///{tmp_path / 'a.db'}").storage.should_auto_migrate()
    pg = config("postgresql+asyncpg://agora@db.example/agora")
    assert pg.storage.should_auto_migrate() is False


async def test_open_storage_says_when_the_database_is_unreachable() -> None:
    url = "postgresql+asyncpg://postgres@127.0.0.1:1/none"
    with pytest.raises(StartupError, match="Cannot reach the database"):
        await open_storage(config(url, auto_migrate=False), env={})


async def test_a_database_migrated_by_a_newer_agora_is_refused(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        await upgrade(engine)
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "UPDATE alembic_version SET version_num = 'kudos_0009' WHERE version_num = :v"
                ),
                {"v": next(h for h in script_heads() if h.startswith("kudos_"))},
            )
        with pytest.raises(UnknownRevisions) as caught:
            await missing_migrations(engine)
        assert caught.value.revisions == {"kudos_0009"}
    finally:
        await engine.dispose()
    for settings in (config(db_url), config(db_url, auto_migrate=True)):
        with pytest.raises(StartupError, match=r"newer than this Agora.*\(kudos_0009\)"):
            await open_storage(settings, env={})
    with pytest.raises(StartupError, match="Upgrade Agora"):
        await upgrade_database(config(db_url), env={})


async def test_workspaces_of_an_existing_database_are_filled_in(db_url: str) -> None:
    """0002 gives every workspace its members came from a row, first seen with them."""
    engine = create_engine(db_url)
    try:
        await upgrade(engine, "0001")
        async with engine.begin() as conn:
            for account, workspace, day in (("U1", "G1", 2), ("U2", "G1", 1), ("U3", "G2", 3)):
                person = (
                    await conn.execute(
                        schema.persons.insert().values(created_at=AT).returning(schema.persons.c.id)
                    )
                ).scalar_one()
                seen = AT.replace(day=day)
                await conn.execute(
                    schema.members.insert().values(
                        platform="discord",
                        workspace=workspace,
                        external_id=account,
                        person_id=person,
                        name=account.lower(),
                        first_seen_at=seen,
                        last_seen_at=seen,
                    )
                )
        await upgrade(engine, "0002")
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(
                        schema.workspaces.c.external_id,
                        schema.workspaces.c.name,
                        schema.workspaces.c.first_seen_at,
                    ).order_by(schema.workspaces.c.external_id)
                )
            ).all()
    finally:
        await engine.dispose()
    assert [tuple(r) for r in rows] == [
        ("G1", None, AT.replace(day=1)),
        ("G2", None, AT.replace(day=3)),
    ]


async def test_membership_history_is_filled_from_the_members_table(db_url: str) -> None:
    """metrics_0002 starts the history with what `members` knows: each join, each leave."""
    from sqlalchemy import insert, select

    from storage.schema import members, persons
    from storage.tables.membership import membership

    engine = create_engine(db_url)
    joined, left = AT - timedelta(days=30), AT - timedelta(days=2)
    try:
        await upgrade(engine, "metrics_0001")
        async with engine.begin() as conn:
            for number, (came, went) in enumerate(
                ((joined, None), (joined, left), (None, None), (None, left)), start=1
            ):
                await conn.execute(insert(persons).values(id=number, created_at=AT))
                await conn.execute(
                    insert(members).values(
                        id=number,
                        platform="discord",
                        workspace="g",
                        external_id=f"u{number}",
                        person_id=number,
                        name=f"m{number}",
                        joined_at=came,
                        left_at=went,
                        first_seen_at=AT - timedelta(days=60),
                        last_seen_at=AT,
                    )
                )
        await upgrade(engine)
        async with engine.connect() as conn:
            rows = await conn.execute(
                select(membership.c.account, membership.c.kind, membership.c.at).order_by(
                    membership.c.id
                )
            )
            found = [tuple(row) for row in rows.all()]
    finally:
        await engine.dispose()
    assert found == [
        ("discord:g:u1", "join", joined),
        ("discord:g:u2", "join", joined),
        ("discord:g:u2", "leave", left),
        ("discord:g:u4", "leave", left),
    ]


def test_the_heads_read_from_the_files_are_alembics() -> None:
    assert declared_heads() == script_heads()
