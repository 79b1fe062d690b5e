"""Translation helpers, refs, event ids, frame stamps and endpoints (no network)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import discord
import pytest
from fake_discord import IDS, frame

from adapters.discord import frames, refs, translate
from adapters.discord.endpoints import Endpoints, api_base, rebase
from bot.model import ChannelKind, Ref

GUILD = IDS["guild_id"]
NOW = datetime(2025, 6, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
async def state() -> AsyncIterator[Any]:
    """discord.py's own parser state, fed the READY and GUILD_CREATE samples."""
    client = discord.Client(intents=discord.Intents.all(), guild_ready_timeout=0.01)
    client._ready = asyncio.Event()
    connection = client._connection
    connection.parse_ready(frame("ready")["d"])
    connection.parse_guild_create(frame("guild_create")["d"])
    yield connection
    await client.close()


def test_modal_values_whatever_the_nesting() -> None:
    components = [
        {"type": 18, "component": {"type": 4, "custom_id": "intro", "value": "Hi!"}},
        {"type": 1, "components": [{"type": 4, "custom_id": "more", "value": "x"}]},
        {"type": 18, "component": {"type": 3, "custom_id": "topic", "values": ["py", "rs"]}},
        {"type": 18, "component": {"type": 4, "custom_id": "empty"}},
        {"type": 10, "content": "a text display has no value"},
        "garbage",
    ]
    assert translate.modal_values(components) == {
        "intro": "Hi!",
        "more": "x",
        "topic": "py,rs",
        "empty": "",
    }


def test_modal_values_of_the_sample() -> None:
    data = frame("interaction_create_modal_submit")["d"]["data"]
    values = translate.modal_values(data["components"])
    assert set(values) == set(IDS["custom_ids"]["modal_inputs"])


def test_emoji_reach_the_core_as_characters_or_names() -> None:
    assert translate.emoji_text(discord.PartialEmoji(name="✅")) == "✅"
    assert translate.emoji_text(discord.PartialEmoji(name="agora", id=123)) == ":agora:"


async def test_members_carry_role_names_without_everyone(state: Any) -> None:
    guild = state._get_guild(int(GUILD))
    bob = guild.get_member(int(IDS["users"]["bob"]))
    member = translate.member(bob, GUILD, locale="nb")
    assert member.roles == frozenset({"Moderator"})
    assert member.ref == Ref("discord", GUILD, IDS["users"]["bob"])
    assert member.name == "bob" and member.display_name == "Bob" and member.locale == "nb"
    agora = guild.get_member(int(IDS["users"]["agora_bot"]))
    assert translate.member(agora, GUILD).is_bot


async def test_channels_of_every_kind(state: Any) -> None:
    guild = state._get_guild(int(GUILD))
    help_ = guild.get_channel(int(IDS["channels"]["help"]))
    assert translate.channel(help_, GUILD).kind is ChannelKind.TEXT
    state.parse_thread_create(frame("thread_create")["d"])
    thread = guild.get_thread(int(IDS["channels"]["thread 'Dev environment setup' (in #help)"]))
    found = translate.channel(thread, GUILD)
    assert found.kind is ChannelKind.THREAD
    assert found.parent == refs.message_ref(GUILD, IDS["channels"]["help"], thread.id)
    dm = discord.PartialMessageable(state=state, id=5, type=discord.ChannelType.private)
    assert translate.channel(dm, GUILD).kind is ChannelKind.DM
    assert translate.channel(None, GUILD, channel_id=9).ref == Ref("discord", GUILD, "9")
    with pytest.raises(translate.Untranslatable):
        translate.channel(None, GUILD)


async def test_role_changes_name_every_role_given_and_taken(state: Any) -> None:
    guild = state._get_guild(int(GUILD))
    bob = guild.get_member(int(IDS["users"]["bob"]))
    after = discord.Member._copy(bob)
    after._roles = discord.utils.SnowflakeList([int(IDS["roles"]["Newcomer"])])
    changes = translate.role_changes(bob, after, GUILD, frame="s:5", now=NOW)
    assert [(c.role, c.added) for c in changes] == [("Newcomer", True), ("Moderator", False)]
    assert len({c.event_id for c in changes}) == 2
    assert translate.role_changes(bob, bob, GUILD, frame="s:6", now=NOW) == []


def test_refs_and_event_ids() -> None:
    message = refs.message_ref(GUILD, 1, 2)
    assert refs.split(message) == (1, 2)
    assert refs.split(refs.channel_ref(GUILD, 7)) == (7, None)
    assert refs.guild_id(message) == int(GUILD)
    assert refs.guild_id(Ref("discord", refs.DM_WORKSPACE, "1")) is None
    with pytest.raises(ValueError):
        refs.split(Ref("discord", GUILD, "general"))
    assert refs.frame_event_id("abc:8", "reaction") == "discord:frame:abc:8:reaction"
    assert refs.frame_event_id(None, "x") != refs.frame_event_id(None, "x"), "never deduped"
    joined = refs.join_event_id(1, 2, NOW, "abc:3")
    assert joined == f"discord:join:1:2:{NOW.isoformat()}"
    assert refs.join_event_id(1, 2, None, "abc:3") == "discord:frame:abc:3:join:2"


def test_frame_stamp_reads_the_websocket_of_the_frame() -> None:
    client = discord.Client(intents=discord.Intents.none())
    client.ws = SimpleNamespace(session_id="sess", sequence=41)  # type: ignore[assignment]
    assert frames.stamp(client, {}) == "sess:41"
    client.ws = SimpleNamespace(session_id=None, sequence=None)  # type: ignore[assignment]
    assert frames.stamp(client, {}) is None


def test_the_guard_keeps_parsing_after_a_broken_payload() -> None:
    client = discord.Client(intents=discord.Intents.none())
    seen: list[Any] = []
    client._connection.parsers["TEST_EVENT"] = lambda data: seen.append(data["x"])
    frames.install(client)
    frames.install(client)  # idempotent
    parser = client._connection.parsers["TEST_EVENT"]
    parser({})  # KeyError inside: logged, swallowed
    parser({"x": 1})
    assert seen == [1]


def test_endpoints_rebase_only_discords_addresses() -> None:
    assert api_base("http://127.0.0.1:9") == "http://127.0.0.1:9/api/v10"
    assert api_base("http://proxy/api/v9/") == "http://proxy/api/v9"
    assert api_base("") is None and api_base(None) is None
    base = "http://127.0.0.1:9/api/v10"
    assert rebase("https://discord.com/api/v10/users/@me", base) == f"{base}/users/@me"
    assert rebase("https://cdn.discordapp.com/x.png", base) == "https://cdn.discordapp.com/x.png"
    assert not Endpoints().custom and Endpoints(gateway_url="ws://x/gateway").custom


async def test_endpoints_leave_other_clients_alone() -> None:
    first = discord.Client(intents=discord.Intents.none())
    second = discord.Client(intents=discord.Intents.none())
    Endpoints("http://127.0.0.1:9", "ws://127.0.0.1:9/gateway").apply(first)
    assert "request" in vars(first.http) and "ws_connect" in vars(first.http)
    assert "request" not in vars(second.http) and "ws_connect" not in vars(second.http)
    assert discord.http.Route.BASE == "https://discord.com/api/v10"
    await first.close()
    await second.close()
