"""Multi-workspace installs: what the Slack adapter keeps per workspace, as plain data.

With `[slack] oauth = true` every workspace that installs the app through the OAuth v2
flow gets a row: its bot token, the bot's ids and the scopes granted. The protocols
below are what the adapter asks of storage; `storage/repositories/slack.py` implements
them. This module imports no SDK, so storage can depend on it cheaply.

A bot token is a secret: `SlackInstall` never shows it in its repr, so logging an
install (or an exception carrying one) cannot leak it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class SlackInstall:
    """The app installed in one workspace (the newest install wins)."""

    team_id: str
    bot_token: str = field(repr=False)
    bot_id: str
    bot_user_id: str
    installed_at: datetime
    team_name: str | None = None
    enterprise_id: str | None = None
    app_id: str | None = None
    bot_scopes: tuple[str, ...] = ()


class SlackInstallations(Protocol):
    """Installed workspaces, one row per Slack team id."""

    async def save(self, install: SlackInstall) -> None:
        """Insert, or replace the workspace's earlier install (a reinstall)."""
        ...

    async def find(self, team_id: str) -> SlackInstall | None: ...

    async def teams(self) -> list[str]:
        """Every installed workspace, for the channel sync at start."""
        ...

    async def delete(self, team_id: str) -> bool:
        """Forget a workspace's install (uninstalled, token revoked); True if it existed."""
        ...


class SlackOAuthStates(Protocol):
    """OAuth `state` values: issued with the install link, consumed once by the callback."""

    async def issue(self, state: str, expires_at: datetime, now: datetime) -> None:
        """Store a new state (and drop the ones expired by `now`)."""
        ...

    async def consume(self, state: str, now: datetime) -> bool:
        """Delete the state; True only if it existed and had not expired (exactly once)."""
        ...
