"""Slack multi-workspace installs (`[slack] oauth = true`) and OAuth states.

`slack_installations.bot_token` holds each workspace's bot token in clear: whoever
can read this database can act as the bot in every installed workspace. Protect it
like the token environment variables (see README, "Installing in several Slack
workspaces"). Nothing here is about a person: the installer's id is not kept.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, String, Table, Text

from storage.schema import impersonal, metadata
from storage.types import UTCDateTime

slack_installations = impersonal(
    Table(
        "slack_installations",
        metadata,
        Column("team_id", String(32), primary_key=True),
        Column("enterprise_id", String(32)),
        Column("team_name", String(200)),
        Column("app_id", String(32)),
        Column("bot_id", String(32), nullable=False),
        Column("bot_user_id", String(32), nullable=False),
        Column("bot_token", Text, nullable=False),
        # Comma-separated, as Slack grants them.
        Column("bot_scopes", Text, nullable=False),
        Column("installed_at", UTCDateTime, nullable=False),
    )
)

# One row per install link handed out; consumed (deleted) by the OAuth callback.
slack_oauth_states = impersonal(
    Table(
        "slack_oauth_states",
        metadata,
        Column("state", String(64), primary_key=True),
        Column("expires_at", UTCDateTime, nullable=False),
        Index("ix_slack_oauth_states_expires_at", "expires_at"),
    )
)
