"""Slack installs and OAuth states on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from adapters.slack.installations import SlackInstall, SlackInstallations, SlackOAuthStates
from storage.engine import SqlStorage

T = TypeVar("T")
AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@asynccontextmanager
async def repo(storage: SqlStorage, protocol: type[T]) -> AsyncIterator[T]:
    async with storage.unit_of_work() as uow:
        yield uow.get(protocol)


def install(team: str, token: str, **changes: object) -> SlackInstall:
    fields: dict[str, object] = {
        "team_id": team,
        "bot_token": token,
        "bot_id": "B" + team[1:],
        "bot_user_id": "U" + team[1:],
        "installed_at": AT,
        "team_name": f"Team {team}",
        "app_id": "A0001",
        "bot_scopes": ("chat:write", "commands"),
    }
    fields.update(changes)
    return SlackInstall(**fields)  # type: ignore[arg-type]


async def test_installs_are_saved_found_replaced_and_deleted(storage: SqlStorage) -> None:
    async with repo(storage, SlackInstallations) as installs:  # type: ignore[type-abstract]
        assert await installs.find("T0001") is None
        await installs.save(install("T0001", "xoxb-one"))
        await installs.save(install("T0002", "xoxb-two", enterprise_id="E0001"))
    async with repo(storage, SlackInstallations) as installs:  # type: ignore[type-abstract]
        assert await installs.teams() == ["T0001", "T0002"]
        found = await installs.find("T0002")
        assert found == install("T0002", "xoxb-two", enterprise_id="E0001")
        # A reinstall replaces the workspace's row: one row, the newest token.
        later = AT + timedelta(days=3)
        await installs.save(
            install("T0001", "xoxb-new", installed_at=later, bot_scopes=("chat:write",))
        )
        again = await installs.find("T0001")
        assert again is not None
        assert (again.bot_token, again.installed_at, again.bot_scopes) == (
            "xoxb-new",
            later,
            ("chat:write",),
        )
        assert await installs.teams() == ["T0001", "T0002"]
        assert await installs.delete("T0001") is True
        assert await installs.delete("T0001") is False
        assert await installs.teams() == ["T0002"]


async def test_the_token_never_shows_in_a_repr(storage: SqlStorage) -> None:
    async with repo(storage, SlackInstallations) as installs:  # type: ignore[type-abstract]
        await installs.save(install("T0001", "xoxb-very-secret"))
        found = await installs.find("T0001")
    assert found is not None and found.bot_token == "xoxb-very-secret"
    assert "xoxb-very-secret" not in repr(found)


async def test_a_state_is_consumed_once_and_only_before_it_expires(storage: SqlStorage) -> None:
    async with repo(storage, SlackOAuthStates) as states:  # type: ignore[type-abstract]
        await states.issue("fresh", AT + timedelta(minutes=10), AT)
        await states.issue("stale", AT + timedelta(minutes=10), AT)
    async with repo(storage, SlackOAuthStates) as states:  # type: ignore[type-abstract]
        assert await states.consume("fresh", AT + timedelta(minutes=9)) is True
        assert await states.consume("fresh", AT + timedelta(minutes=9)) is False
        assert await states.consume("forged", AT) is False
        assert await states.consume("stale", AT + timedelta(minutes=10)) is False
        # Expired means gone, even if the clock were turned back.
        assert await states.consume("stale", AT) is False


async def test_issuing_drops_expired_states(storage: SqlStorage) -> None:
    async with repo(storage, SlackOAuthStates) as states:  # type: ignore[type-abstract]
        await states.issue("old", AT + timedelta(minutes=10), AT)
        later = AT + timedelta(hours=1)
        await states.issue("new", later + timedelta(minutes=10), later)
        assert await states.consume("old", AT) is False  # dropped while still "valid" at AT
        assert await states.consume("new", later) is True


async def test_two_callbacks_racing_with_one_state_install_once(storage: SqlStorage) -> None:
    async with repo(storage, SlackOAuthStates) as states:  # type: ignore[type-abstract]
        await states.issue("race", AT + timedelta(minutes=10), AT)

    async def consume() -> bool:
        async with repo(storage, SlackOAuthStates) as states:  # type: ignore[type-abstract]
            return await states.consume("race", AT)

    results = await asyncio.gather(consume(), consume())
    assert sorted(results) == [False, True]
