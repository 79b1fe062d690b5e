"""The Slack app manifest built from the registry."""

from __future__ import annotations

import json

from adapters.slack.manifest import BOT_EVENTS, BOT_SCOPES, build_manifest, slack_manifest
from adapters.slack.reserved import BUILT_IN_COMMANDS
from bot.app import enabled_features
from bot.args import ChoiceArg, MemberArg, TextArg
from bot.config import AgoraConfig, BotConfig, SlackConfig
from bot.features.core.handlers import feature as core
from bot.registry import Feature, Registry


def registry() -> Registry:
    kudos = Feature("kudos")

    async def handler(*_args: object) -> None: ...

    kudos.command("kudos", help="Thank someone", args=[MemberArg("to"), TextArg("why")])(handler)
    kudos.command(
        "kudos top", help="The most thanked", args=[ChoiceArg("period", ["week", "month"])]
    )(handler)
    polls = Feature("polls")
    polls.command("poll new", help="Start a poll", args=[TextArg("question")])(handler)
    polls.command("poll close", help="Close a poll")(handler)
    return Registry([core, kudos, polls])


def config(**slack: object) -> AgoraConfig:
    return AgoraConfig(bot=BotConfig(name="Agora at Example"), slack=SlackConfig(**slack))  # type: ignore[arg-type]


def test_one_slash_command_per_root_with_usage() -> None:
    manifest = build_manifest(registry(), config(mode="socket"))
    commands = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    assert sorted(commands) == ["/help", "/kudos", "/language", "/poll", "/timezone"]
    assert commands["/kudos"]["description"] == "Thank someone"
    assert commands["/kudos"]["usage_hint"] == "@to <why> | top week|month"
    assert commands["/poll"]["description"] == "close: Close a poll; new: Start a poll"
    assert commands["/poll"]["usage_hint"] == "close | new <question>"
    assert all(c["should_escape"] for c in commands.values())
    assert all("url" not in c for c in commands.values())


def test_socket_mode_has_no_urls() -> None:
    manifest = build_manifest(registry(), config(mode="socket"))
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is True
    assert "request_url" not in settings["event_subscriptions"]
    assert settings["interactivity"] == {"is_enabled": True}
    assert manifest["display_information"]["name"] == "Agora at Example"
    assert manifest["oauth_config"]["scopes"]["bot"] == list(BOT_SCOPES)
    assert settings["event_subscriptions"]["bot_events"] == list(BOT_EVENTS)
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True


def test_http_mode_points_everything_at_the_public_url() -> None:
    manifest = build_manifest(
        registry(), config(mode="http", path="/slack/events", public_url="https://bot.example.org/")
    )
    url = "https://bot.example.org/slack/events"
    assert manifest["settings"]["socket_mode_enabled"] is False
    assert manifest["settings"]["event_subscriptions"]["request_url"] == url
    assert manifest["settings"]["interactivity"]["request_url"] == url
    assert {c["url"] for c in manifest["features"]["slash_commands"]} == {url}
    override = build_manifest(registry(), config(mode="http"), public_url="https://other.example")
    assert (
        override["settings"]["interactivity"]["request_url"] == "https://other.example/slack/events"
    )


def test_every_scope_the_adapter_uses_is_requested() -> None:
    for needed in (
        "commands",
        "chat:write",
        "im:write",
        "users:read",
        "reactions:read",
        "files:write",
    ):
        assert needed in BOT_SCOPES
    for event in (
        "message.channels",
        "app_mention",
        "reaction_added",
        "team_join",
        "app_home_opened",
    ):
        assert event in BOT_EVENTS


def test_json_and_yaml_text() -> None:
    manifest = build_manifest(registry(), config(mode="socket"))
    assert json.loads(slack_manifest(registry(), config(mode="socket"), fmt="json")) == manifest
    yaml = slack_manifest(registry(), config(mode="socket"))
    lines = yaml.splitlines()
    assert lines[0] == "_metadata:"
    assert '    - command: "/help"' in lines
    assert "      should_escape: true" in lines
    assert '      - "chat:write"' in lines
    assert "\t" not in yaml
    # Every scalar is JSON-quoted, so YAML cannot misread one.
    for line in lines:
        value = line.split(": ", 1)[1] if ": " in line else line.strip().removeprefix("- ")
        if value and not line.endswith(":"):
            json.loads(value)


def test_no_built_in_slack_command_is_registered() -> None:
    """Slack refuses a manifest naming its own commands (/invite): such commands get
    their alias (/referrals invite) or their feature's prefix."""
    full = Registry(enabled_features(AgoraConfig()))
    assert full.command("invite") is not None  # the core has it
    manifest = build_manifest(full, config(mode="socket"))
    commands = {c["command"].lstrip("/"): c for c in manifest["features"]["slash_commands"]}
    assert not set(commands) & BUILT_IN_COMMANDS
    assert "invite" in commands["referrals"]["usage_hint"].split(" | ")
    own = Feature("presence")

    async def handler(*_args: object) -> None: ...

    own.command("status", help="Your status")(handler)
    own.command("status set", help="Set your status", args=[TextArg("text")])(handler)
    renamed = build_manifest(Registry([core, own]), config(mode="socket"))
    entries = {c["command"]: c for c in renamed["features"]["slash_commands"]}
    assert entries["/presence-status"]["usage_hint"] == "set <text>"
    assert "/status" not in entries
