"""Shared fixtures: one database per test, on SQLite and on PostgreSQL.

A test that asks for `db_url` (or `storage`, which is built on it) runs once per
backend, with ids `sqlite` and `postgresql`; `@pytest.mark.backends("postgresql")`
narrows that to the backends named. The SQLite database is a file (not `:memory:`),
so WAL and several connections behave as in production.

Each PostgreSQL test gets a database of its own, dropped afterwards. Unique names
mean a crashed earlier run, or another developer running the suite at the same time,
can never leave tables in this test's way; and the isolation travels in the URL, so
code that only takes a URL (`build_app`, `open_storage`) is isolated too. Databases
a killed run left behind are dropped by the next run on the same machine.
`AGORA_TEST_PG_URL` names the server (default:
`postgresql+asyncpg://postgres@127.0.0.1:5432/test`); its user must be allowed to
create databases.

Alembic runs once per backend and session, into a template; a test that asks for
`storage` gets a copy of it (SQLite's backup API, or `CREATE DATABASE … TEMPLATE`), which
costs a fraction of migrating again. A test that asks only for `db_url` gets an
empty database.

PostgreSQL being down skips those tests locally, with the reason, but fails them
when `CI=true`: CI must never pass by running half the suite.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import socket
import sqlite3
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import closing
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from storage.engine import SqlStorage, create_engine
from storage.migrate import upgrade

# Tests are imported by path (--import-mode=importlib), so test files in different
# folders may share a name; helper modules beside them (fake servers, kits) are
# imported by plain name from their folders.
for _helper in sorted(Path(__file__).parent.rglob("*.py")):
    if not _helper.name.startswith(("test_", "conftest")) and str(_helper.parent) not in sys.path:
        sys.path.append(str(_helper.parent))

BACKENDS = ("sqlite", "postgresql")
PG_URL = os.environ.get("AGORA_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
PG_START_HINT = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "backends(*names): run a db_url/storage test only on these backends "
        "(default: sqlite and postgresql)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize every test that needs a database over the backends it allows."""
    if "backend" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("backends")
    names = tuple(marker.args) if marker is not None else BACKENDS
    unknown = set(names) - set(BACKENDS)
    if unknown:
        raise pytest.UsageError(f"unknown backend(s) {sorted(unknown)}; use {BACKENDS}")
    metafunc.parametrize("backend", names, ids=names)


# Databases this run creates are named agora_{test,template}_<host>_<pid>_<random>, so
# a later run can tell the leftovers of a killed one (same host, process gone) from
# those of a run still going on elsewhere, and drop only the former.
HOST = hashlib.sha1(socket.gethostname().encode()).hexdigest()[:6]
LEFTOVER = re.compile(rf"^agora_(?:test|template)_{HOST}_(\d+)_[0-9a-f]+$")


def database_name(kind: str) -> str:
    return f"agora_{kind}_{HOST}_{os.getpid()}_{uuid.uuid4().hex[:12]}"


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # alive, and someone else's
    return False


def pg_url(database: str) -> str:
    return make_url(PG_URL).set(database=database).render_as_string(hide_password=False)


async def _admin(sql: str) -> list[asyncpg.Record]:
    url = make_url(PG_URL)
    conn = await asyncpg.connect(
        host=url.host,
        port=url.port,
        user=url.username,
        password=url.password,
        database=url.database,
        timeout=5,
    )
    try:
        return await conn.fetch(sql)
    finally:
        await conn.close()


async def _drop_database(name: str) -> None:
    await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Templates:
    """Per backend, a database Alembic migrated once this session, to copy from."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._sqlite: Path | None = None
        self.postgresql: str | None = None
        self._pg_error: str | None = None
        self._pg_checked = False

    async def require_postgres(self) -> None:
        """Skip (locally) or fail (CI) when the server does not answer; asked once."""
        if not self._pg_checked:
            self._pg_checked = True
            try:
                found = await _admin("SELECT datname FROM pg_database")
            except (OSError, asyncpg.PostgresError) as error:
                self._pg_error = f"{type(error).__name__}: {error}"
            else:  # sweep what killed runs on this machine left behind
                for row in found:
                    match = LEFTOVER.match(row["datname"])
                    if match and _gone(int(match.group(1))):
                        await _drop_database(row["datname"])
        if self._pg_error is None:
            return
        where = make_url(PG_URL).render_as_string()
        reason = f"PostgreSQL at {where} is unreachable ({self._pg_error})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI requires it", pytrace=False)
        pytest.skip(f"{reason}; start it with `{PG_START_HINT}` (CI=true makes this a failure)")

    async def sqlite_file(self) -> Path:
        if self._sqlite is None:
            path = self._directory / "migrated.db"
            path.unlink(missing_ok=True)
            await _migrate(f"sqlite+aiosqlite:///{path}")
            self._sqlite = path
        return self._sqlite

    async def postgresql_database(self) -> str:
        if self.postgresql is None:
            name = database_name("template")
            await _admin(f'CREATE DATABASE "{name}" TEMPLATE template0')
            try:
                await _migrate(pg_url(name))
            except BaseException:
                await _drop_database(name)
                raise
            self.postgresql = name
        return self.postgresql


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()  # no connection may stay on a template that is copied


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    found = Templates(tmp_path_factory.mktemp("templates"))
    yield found
    if found.postgresql is not None:
        asyncio.run(_drop_database(found.postgresql))


@pytest.fixture
async def db_url(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest, templates: Templates
) -> AsyncIterator[str]:
    """A database of its own on `backend`, as a SQLAlchemy URL; gone after the test.

    Empty, unless the test also asks for `storage`: then a copy of the migrated template.
    """
    migrated = "storage" in request.fixturenames
    if backend == "sqlite":
        path = tmp_path / "agora.db"
        if migrated:
            # The backup API, not a file copy: it also carries what is still in the WAL.
            with (
                closing(sqlite3.connect(await templates.sqlite_file())) as source,
                closing(sqlite3.connect(path)) as target,
            ):
                source.backup(target)
        yield f"sqlite+aiosqlite:///{path}"
        return
    await templates.require_postgres()
    template = await templates.postgresql_database() if migrated else "template0"
    name = database_name("test")
    await _admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield pg_url(name)
    finally:
        await _drop_database(name)


@pytest.fixture
async def storage(db_url: str) -> AsyncIterator[SqlStorage]:
    """A `SqlStorage` on `db_url`, whose schema Alembic built (as `agora db upgrade` does)."""
    found = SqlStorage(create_engine(db_url))
    try:
        yield found
    finally:
        await found.close()
