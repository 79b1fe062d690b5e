"""The tables of the core. Each feature adds its own in `storage/tables/<feature>.py`.

Tables are SQLAlchemy Core `Table`s on one `MetaData`; Alembic migrations create
them (a test checks that migrations and these definitions agree). Message content
is never a column here: the activity log keeps facts, not words.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from storage.types import BigId, UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# The Discord guilds, Slack workspaces and console communities Agora has seen; members,
# channels and activity name theirs by `external_id` (the `workspace` column).
workspaces = Table(
    "workspaces",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", String(16), nullable=False),
    Column("external_id", String(64), nullable=False),
    Column("name", String(200)),
    Column("first_seen_at", UTCDateTime, nullable=False),
    UniqueConstraint("platform", "external_id", name="uq_workspaces_account"),
)

persons = Table(
    "persons",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("locale", String(16)),
    Column("timezone", String(64)),
    # Never reuse the id of a forgotten person (SQLite would, without AUTOINCREMENT).
    sqlite_autoincrement=True,
)

members = Table(
    "members",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", String(16), nullable=False),
    Column("workspace", String(64), nullable=False),
    Column("external_id", String(64), nullable=False),
    Column("person_id", ForeignKey("persons.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("display_name", String(200), nullable=False, server_default=""),
    Column("is_bot", Boolean, nullable=False, server_default="0"),
    Column("locale", String(16)),
    Column("roles", Text, nullable=False, server_default="[]"),
    Column("joined_at", UTCDateTime),
    Column("left_at", UTCDateTime),
    Column("first_seen_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    UniqueConstraint("platform", "workspace", "external_id", name="uq_members_account"),
)

channels = Table(
    "channels",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", String(16), nullable=False),
    Column("workspace", String(64), nullable=False),
    Column("external_id", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("kind", String(16), nullable=False, server_default="text"),
    UniqueConstraint("platform", "workspace", "external_id", name="uq_channels_account"),
)

processed_events = Table(
    "processed_events",
    metadata,
    Column("event_id", String(200), primary_key=True),
    Column("processed_at", UTCDateTime, nullable=False, index=True),
)

activity = Table(
    "activity",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("person_id", Integer, nullable=False),
    Column("platform", String(16), nullable=False),
    Column("workspace", String(64), nullable=False),
    Column("channel_id", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("length", Integer, nullable=False, server_default="0"),
    Column("reply", Boolean, nullable=False, server_default="0"),
    Column("sentiment", Float),
    Index("ix_activity_at", "at"),
    Index("ix_activity_person_at", "person_id", "at"),
)

scheduled_jobs = Table(
    "scheduled_jobs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(200), nullable=False, unique=True),
    Column("feature", String(64), nullable=False),
    Column("name", String(64), nullable=False),
    Column("due_at", UTCDateTime, nullable=False, index=True),
    Column("payload", Text, nullable=False, server_default="{}"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("done_at", UTCDateTime),
    Column("claimed_by", String(128)),
)

cron_runs = Table(
    "cron_runs",
    metadata,
    Column("job", String(128), nullable=False),
    Column("fire_time", UTCDateTime, nullable=False),
    Column("claimed_by", String(128), nullable=False),
    PrimaryKeyConstraint("job", "fire_time"),
)

# Tables that identify a person, and the column that does. Features extend this with
# `personal(table, column)` so the GDPR forget/export test can walk the whole schema.
PERSONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "persons": ("id",),
    "members": ("person_id",),
    "activity": ("person_id",),
}
# Tables that hold nothing about people, declared so the schema walk knows they were
# considered, not forgotten.
IMPERSONAL_TABLES: set[str] = {
    "workspaces",
    "channels",
    "processed_events",
    "scheduled_jobs",
    "cron_runs",
}


# Tables created by raw DDL, which `metadata` cannot describe (SQLite FTS5 virtual
# tables and their shadow tables). Migrations create them; schema comparisons leave
# them out (`compared`).
EXTERNAL_TABLES: set[str] = set()


def external(name: str, *, shadows: Sequence[str] = ()) -> None:
    """Declare a raw-DDL table and its shadow tables (`name_<suffix>`)."""
    EXTERNAL_TABLES.add(name)
    EXTERNAL_TABLES.update(f"{name}_{suffix}" for suffix in shadows)


def compared(name: str | None, kind: str, _parents: object = None) -> bool:
    """Alembic `include_name` hook: False for raw-DDL tables metadata does not describe."""
    return not (kind == "table" and name in EXTERNAL_TABLES)


def personal(table: Table, *columns: str) -> Table:
    PERSONAL_COLUMNS[table.name] = columns
    return table


def impersonal(table: Table) -> Table:
    IMPERSONAL_TABLES.add(table.name)
    return table


def person_fk(
    name: str = "person_id",
    *,
    ondelete: str = "CASCADE",
    nullable: bool | None = None,
    index: bool | None = None,
) -> Column[Any]:
    """A column naming a person (`persons.id`), the one way every feature's tables say it.

    What happens when the person is forgotten is the choice: `CASCADE` (the default)
    deletes the row with them, `SET NULL` keeps the row without their name. A
    `SET NULL` column must accept NULL, so `nullable` follows `ondelete` unless given.
    """
    if nullable is None:
        nullable = ondelete == "SET NULL"
    return Column(name, ForeignKey("persons.id", ondelete=ondelete), nullable=nullable, index=index)


def load_all() -> MetaData:
    """Import every feature's table module so `metadata` knows the whole schema."""
    import storage.tables

    for info in pkgutil.iter_modules(storage.tables.__path__):
        importlib.import_module(f"storage.tables.{info.name}")
    return metadata
