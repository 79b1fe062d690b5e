"""The invite link: its permissions come from the features, its app id from where it can."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import discord
import pytest
from typer.testing import CliRunner

from adapters.discord import permissions
from adapters.discord.intents import intents
from adapters.discord.invite_link import (
    InviteLinkError,
    application_id_from_token,
    describe,
    invite_link,
)
from bot.app import enabled_features
from bot.cli import app as cli
from bot.config import AgoraConfig, DiscordConfig, config_from_dict
from bot.features import feature_models
from bot.needs import Need
from bot.registry import Registry

README = Path(__file__).resolve().parents[3] / "README.md"
APP_ID = 1328997099111528024


def token_for(app_id: int) -> str:
    head = base64.b64encode(str(app_id).encode()).decode().rstrip("=")
    return f"{head}.GxYz12.abcdefghijklmnopqrstuvwxyz0123456789"


def config(**sections: object) -> AgoraConfig:
    return config_from_dict(sections, feature_models())


def needs_of(cfg: AgoraConfig) -> dict[Need, tuple[str, ...]]:
    return Registry(enabled_features(cfg)).needs(cfg)


def test_permissions_follow_the_enabled_features() -> None:
    everything = config()
    granted = permissions.required(needs_of(everything))
    value = discord.Permissions(permissions.integer(granted))
    assert value.create_instant_invite and value.manage_guild, "/invite and its use counts"
    assert value.pin_messages, "announcements --pin"
    assert value.view_channel and value.send_messages and value.send_messages_in_threads
    assert not value.add_reactions, "Agora never adds reactions"
    assert not value.manage_roles, "no role is configured"
    [invite] = [g for g in granted if g.permission.name == "Create Invite"]
    assert invite.features == ("growth",)
    quiet = config(
        features={
            name: {"enabled": False}
            for name in ("growth", "moderation", "announcements", "polls", "metrics", "events")
        }
    )
    fewer = discord.Permissions(permissions.integer(permissions.required(needs_of(quiet))))
    assert not (fewer.manage_guild or fewer.ban_members or fewer.pin_messages)
    assert fewer.create_public_threads, "questions still start threads"


def test_the_readme_shows_the_computed_permissions() -> None:
    text = README.read_text(encoding="utf-8")
    every = permissions.everything()
    value = permissions.integer(every)
    assert f"permissions={value}" in text and f"`{value}`" in text
    for item in every:
        assert item.permission.name in text, item.permission.name
    assert "1409017834566" not in text


def test_the_link_asks_for_bot_and_commands_with_the_integer() -> None:
    cfg = config()
    link = invite_link(cfg, needs_of(cfg), client_id=None, env={"DISCORD_TOKEN": token_for(APP_ID)})
    query = parse_qs(urlparse(link.url).query)
    assert query["client_id"] == [str(APP_ID)]
    assert query["scope"] == ["bot applications.commands"]
    assert query["permissions"] == [str(link.permissions)]
    lines = describe(link)
    assert lines[0] == link.url
    assert any(re.search(r"Manage Server — growth: .+", line) for line in lines)
    assert any("Server Members Intent — " in line and "onboarding" in line for line in lines)


@pytest.mark.parametrize(
    ("given", "section", "env", "expected"),
    [
        (42, {"application_id": 7}, {"DISCORD_TOKEN": token_for(APP_ID)}, 42),
        (None, {"application_id": 7}, {"DISCORD_TOKEN": token_for(APP_ID)}, 7),
        (None, {}, {"DISCORD_TOKEN": token_for(APP_ID)}, APP_ID),
        (None, {"token_env": "BOT"}, {"BOT": " " + token_for(12345) + "\n"}, 12345),
    ],
)
def test_the_application_id_comes_from_the_option_the_config_or_the_token(
    given: int | None, section: dict[str, object], env: dict[str, str], expected: int
) -> None:
    cfg = config(discord=section)
    link = invite_link(cfg, needs_of(cfg), client_id=given, env=env)
    assert parse_qs(urlparse(link.url).query)["client_id"] == [str(expected)]


@pytest.mark.parametrize("token", ["not-a-token", "aGVsbG8.x.y", "!!!.x.y", ""])
def test_a_malformed_or_missing_token_says_what_to_do(token: str) -> None:
    cfg = config()
    with pytest.raises(InviteLinkError) as error:
        invite_link(cfg, needs_of(cfg), client_id=None, env={"DISCORD_TOKEN": token})
    assert "--client-id" in str(error.value) and "DISCORD_TOKEN" in str(error.value)


def test_a_token_tolerates_url_safe_base64() -> None:
    app_id = 1100000000000000001
    head = base64.urlsafe_b64encode(str(app_id).encode()).decode().rstrip("=")
    assert application_id_from_token(f"{head}.a.b", "T") == app_id


def test_the_cli_prints_the_link_and_explains_errors(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AGORA_CONFIG", raising=False)
    monkeypatch.setenv("DISCORD_TOKEN", token_for(APP_ID))
    result = runner.invoke(cli, ["discord", "invite-url"])
    assert result.exit_code == 0, result.output
    assert f"client_id={APP_ID}" in result.output and "Create Invite" in result.output
    monkeypatch.setenv("DISCORD_TOKEN", "garbage")
    result = runner.invoke(cli, ["discord", "invite-url"])
    assert result.exit_code == 2
    assert "does not hold a Discord bot token" in result.output
    assert "Traceback" not in result.output
    monkeypatch.delenv("DISCORD_TOKEN")
    result = runner.invoke(cli, ["discord", "invite-url", "--client-id", "99"])
    assert result.exit_code == 0 and "client_id=99" in result.output


def test_intents_ask_only_for_what_the_features_need() -> None:
    none = intents(DiscordConfig(), ())
    assert none.guilds and none.guild_messages and none.dm_messages
    assert not (none.members or none.message_content or none.guild_reactions)
    some = intents(DiscordConfig(), {Need.REACTIONS, Need.MEMBER_EVENTS})
    assert some.members and some.guild_reactions and not some.message_content
    forced = intents(DiscordConfig(message_content=True, members=False), {Need.MEMBER_EVENTS})
    assert forced.message_content and not forced.members
    refused = intents(DiscordConfig(message_content=False), {Need.MESSAGE_TEXT})
    assert not refused.message_content
