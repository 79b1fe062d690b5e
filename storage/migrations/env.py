"""Alembic environment: runs on the connection handed over by `storage.migrate`."""

from __future__ import annotations

from alembic import context

from storage.schema import compared, load_all

target_metadata = load_all()
connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `agora db upgrade`")
context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_name=compared,
)
with context.begin_transaction():
    context.run_migrations()
