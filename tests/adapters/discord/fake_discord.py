"""A local fake Discord: REST under `/api/v10` and the gateway WebSocket, on 127.0.0.1.

It speaks just enough of Discord for the real discord.py client to log in, connect,
receive replayed gateway frames (the samples in `../shared/payloads/discord`) and
call back. It answers the way discord.py needs (see the payloads README):
Content-Type exactly `application/json`, op 11 for every heartbeat, a JSON body for
interaction callbacks, `resume_gateway_url` pointing back here. Every REST call is
recorded as a `Call` so tests can assert on what the adapter sent.
"""

from __future__ import annotations

import asyncio
import copy
import json
import re
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from kit_common import payloads_folder

REPO = Path(__file__).resolve().parents[3]
PAYLOADS = payloads_folder(REPO)
GATEWAY = PAYLOADS / "discord" / "gateway"
REST = PAYLOADS / "discord" / "rest"
DISCORD_EPOCH = 1420070400000


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def frame(name: str) -> dict[str, Any]:
    """A fresh copy of a gateway sample (discord.py mutates what it parses)."""
    return copy.deepcopy(load(GATEWAY / f"{name}.json"))


def rest(name: str) -> dict[str, Any]:
    return copy.deepcopy(load(REST / f"{name}.json"))


IDS: dict[str, Any] = load(PAYLOADS / "ids.json")["discord"] if PAYLOADS.exists() else {}


def jresp(body: Any, status: int = 200) -> web.Response:
    # discord.py decodes only when the Content-Type is exactly application/json.
    return web.Response(
        status=status, body=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )


@dataclass
class Call:
    method: str
    path: str  # without /api/v10
    query: dict[str, str]
    body: Any
    files: list[str] = field(default_factory=list)

    def matches(self, method: str, pattern: str) -> bool:
        return self.method == method and re.fullmatch(pattern, self.path) is not None


@dataclass
class Refusal:
    method: str
    pattern: str
    status: int
    code: int
    message: str
    times: int | None = None  # None: every time


class FakeDiscord:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.identifies: list[dict[str, Any]] = []
        self.chunk_requests: list[dict[str, Any]] = []  # op 8 REQUEST_GUILD_MEMBERS payloads
        self.resumes: list[dict[str, Any]] = []
        self.gateway_queries: list[dict[str, str]] = []
        self.history: list[dict[str, Any]] = []
        self.interactions: dict[str, dict[str, Any]] = {}  # id → interaction data sent
        self.refusals: list[Refusal] = []
        self.drops: list[Refusal] = []
        self.global_commands: list[dict[str, Any]] = []  # what a global sync left
        self.invites: dict[str, dict[str, Any]] = {}  # code → invite object
        self.nonces: dict[tuple[str, str], dict[str, Any]] = {}  # enforced nonces' messages
        # The GUILD_CREATE sent after IDENTIFY; tests add channels or members before connecting.
        self.guild = frame("guild_create")
        self.replay_on_resume = 0
        self.close_on_identify: int | None = None  # e.g. 4014: privileged intents missing
        self.refuse_until = 0.0  # time.monotonic() before which the gateway answers 503
        self.gateway_attempts: list[float] = []  # time.monotonic() of every connection attempt
        self.port = 0
        self.seq = 0
        self._next_id = (1748865600000 - DISCORD_EPOCH) << 22  # 2025-06-02 12:00 UTC
        self._ws: web.WebSocketResponse | None = None
        self._connected = asyncio.Event()
        self._runner: web.AppRunner | None = None

    # --- addresses -------------------------------------------------------------------

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def snowflake(self) -> str:
        self._next_id += 1 << 22
        return str(self._next_id)

    # --- lifecycle -------------------------------------------------------------------

    async def start(self, port: int = 0) -> None:
        """Listen on `port` (0: any free one; a test that starts Discord late picks one)."""
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._ws is not None and not self._ws.closed:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- gateway ----------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        self.gateway_attempts.append(time.monotonic())
        if time.monotonic() < self.refuse_until:
            return web.Response(status=503, text="gateway unavailable")
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.gateway_queries.append(dict(request.query))
        self._ws = ws
        await self._send_raw(ws, frame("hello"))
        async for message in ws:
            if message.type is not aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(message.data)
            op = data.get("op")
            if op == 1:
                await self._send_raw(ws, frame("heartbeat_ack"))
            elif op == 2:
                await self._identified(ws, data)
            elif op == 6:
                await self._resumed(ws, data)
            elif op == 8:
                self.chunk_requests.append(data["d"])
                await self._members_requested(ws, data["d"])
        if self._ws is ws:
            self._ws = None
            self._connected.clear()
        return ws

    async def _identified(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> None:
        self.identifies.append(data)
        if self.close_on_identify is not None:
            await ws.close(code=self.close_on_identify, message=b"refused")
            return
        self.seq = 0
        self.history.clear()
        ready = frame("ready")
        ready["d"]["resume_gateway_url"] = self.gateway_url
        shard = data["d"].get("shard")
        if shard is not None:
            ready["d"]["shard"] = shard
        await self._dispatch(ws, ready)
        await self._dispatch(ws, copy.deepcopy(self.guild))
        self._connected.set()

    async def _members_requested(self, ws: web.WebSocketResponse, request: dict[str, Any]) -> None:
        """Op 8: the guild's members in one GUILD_MEMBERS_CHUNK carrying the request's nonce."""
        chunk = frame("guild_members_chunk")
        chunk["d"]["nonce"] = request.get("nonce")
        await self._dispatch(ws, chunk)

    async def _resumed(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> None:
        self.resumes.append(data)
        after = int(data["d"].get("seq") or 0)
        again = [f for f in self.history if f["s"] > after]
        if self.replay_on_resume:
            again = [f for f in self.history if f["s"] <= after][-self.replay_on_resume :] + again
        for old in again:
            await self._send_raw(ws, copy.deepcopy(old))
        await self._dispatch(ws, {"op": 0, "t": "RESUMED", "d": {}})
        self._connected.set()

    async def _dispatch(self, ws: web.WebSocketResponse, item: dict[str, Any]) -> None:
        self.seq += 1
        item["s"] = self.seq
        self.history.append(copy.deepcopy(item))
        await self._send_raw(ws, item)

    async def _send_raw(self, ws: web.WebSocketResponse, item: Mapping[str, Any]) -> None:
        await ws.send_str(json.dumps(item))

    async def connected(self, limit: float = 5.0) -> None:
        await asyncio.wait_for(self._connected.wait(), limit)

    async def send(self, item: dict[str, Any]) -> int:
        """Dispatch a gateway frame (a new sequence number); returns that number."""
        await self.connected()
        assert self._ws is not None
        if item.get("t") == "INTERACTION_CREATE" and isinstance(item.get("d"), dict):
            self.interactions[str(item["d"].get("id"))] = item["d"]
        await self._dispatch(self._ws, item)
        return self.seq

    async def send_raw(self, text: str) -> None:
        """Send bytes as they are (malformed frames)."""
        await self.connected()
        assert self._ws is not None
        await self._ws.send_str(text)

    async def drop_connection(self, code: int = 4000) -> None:
        """Close the gateway like Discord does when it wants a resume."""
        await self.connected()
        assert self._ws is not None
        ws = self._ws
        self._connected.clear()
        await ws.close(code=code, message=b"reconnect")

    async def outage(self, seconds: float, code: int = 4000) -> None:
        """Close the gateway and refuse every reconnection for `seconds`."""
        self.refuse_until = time.monotonic() + seconds
        await self.drop_connection(code)

    def hold(self, item: dict[str, Any]) -> int:
        """An event for the session while the bot is away: sent when it resumes."""
        assert not self._connected.is_set(), "hold() is for a disconnected session"
        self.seq += 1
        item["s"] = self.seq
        self.history.append(copy.deepcopy(item))
        return self.seq

    # --- REST -------------------------------------------------------------------------

    def refuse(
        self,
        method: str,
        pattern: str,
        *,
        status: int = 403,
        code: int = 50013,
        message: str = "Missing Permissions",
        times: int | None = None,
    ) -> None:
        self.refusals.append(Refusal(method, pattern, status, code, message, times))

    def drop(self, method: str, pattern: str, *, times: int = 1) -> None:
        """Hang up on matching requests without an answer (a network failure mid-call)."""
        self.drops.append(Refusal(method, pattern, 0, 0, "", times))

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body, files = await _read_body(request)
        call = Call(request.method, path, dict(request.query), body, files)
        self.calls.append(call)
        for drop in self.drops:
            if call.matches(drop.method, drop.pattern) and drop.times:
                drop.times -= 1
                assert request.transport is not None
                request.transport.close()
                return web.Response(status=204)
        for refusal in self.refusals:
            if call.matches(refusal.method, refusal.pattern) and refusal.times != 0:
                if refusal.times is not None:
                    refusal.times -= 1
                return jresp({"message": refusal.message, "code": refusal.code}, refusal.status)
        for method, pattern, handler in self._routes():
            match = re.fullmatch(pattern, path)
            if request.method == method and match is not None:
                result = handler(call, *match.groups())
                if result is None:
                    return web.Response(status=204)
                return jresp(result)
        return jresp({"message": "404: Not Found", "code": 0}, 404)

    def _routes(self) -> list[tuple[str, str, Callable[..., Any]]]:
        return [
            ("GET", r"/users/@me", lambda call: rest("users_me")),
            ("GET", r"/oauth2/applications/@me", lambda call: rest("oauth2_applications_me")),
            ("GET", r"/gateway/bot", self._gateway_bot),
            ("PUT", r"/applications/(\d+)/guilds/(\d+)/commands", self._commands),
            ("PUT", r"/applications/(\d+)/commands", self._commands),
            ("GET", r"/applications/(\d+)/commands", lambda call, app: self.global_commands),
            ("POST", r"/channels/(\d+)/messages", self._message),
            ("PATCH", r"/channels/(\d+)/messages/(\d+)", self._message),
            ("DELETE", r"/channels/(\d+)/messages/(\d+)", lambda call, c, m: None),
            ("POST", r"/channels/(\d+)/messages/(\d+)/threads", self._thread),
            ("PUT", r"/channels/(\d+)/messages/pins/(\d+)", _nothing),
            ("DELETE", r"/channels/(\d+)/messages/(\d+)/reactions/([^/]+)/(\d+)", _nothing),
            ("POST", r"/interactions/(\d+)/([^/]+)/callback", self._callback),
            ("POST", r"/webhooks/(\d+)/([^/]+)", self._followup),
            ("PATCH", r"/webhooks/(\d+)/([^/]+)/messages/([^/]+)", self._webhook_edit),
            ("DELETE", r"/webhooks/(\d+)/([^/]+)/messages/([^/]+)", _nothing),
            ("POST", r"/users/@me/channels", self._dm),
            ("POST", r"/channels/(\d+)/invites", self._create_invite),
            ("GET", r"/guilds/(\d+)/invites", self._invites),
            ("GET", r"/guilds/(\d+)/members/(\d+)", self._member),
            ("PATCH", r"/guilds/(\d+)/members/(\d+)", self._member),
            ("PUT", r"/guilds/(\d+)/members/(\d+)/roles/(\d+)", _nothing),
            ("DELETE", r"/guilds/(\d+)/members/(\d+)/roles/(\d+)", _nothing),
            ("DELETE", r"/guilds/(\d+)/members/(\d+)", _nothing),
            ("PUT", r"/guilds/(\d+)/bans/(\d+)", _nothing),
        ]

    def _gateway_bot(self, call: Call) -> dict[str, Any]:
        data = rest("gateway_bot")
        data["url"] = self.gateway_url
        return data

    def _commands(self, call: Call, application: str, guild: str | None = None) -> list[Any]:
        answer = []
        for command in call.body or []:
            item = {
                **command,
                "id": self.snowflake(),
                "application_id": application,
                "version": "1",
            }
            if guild is not None:
                item["guild_id"] = guild
            answer.append(item)
        if guild is None:
            self.global_commands = answer
        return answer

    def message(
        self,
        channel_id: str,
        body: Mapping[str, Any] | None,
        *,
        message_id: str | None = None,
        kind: int = 0,
    ) -> dict[str, Any]:
        sent = dict(body or {})
        message = rest("channel_message")
        message.update(
            id=message_id or self.snowflake(),
            channel_id=channel_id,
            type=kind,
            content=sent.get("content") or "",
            embeds=sent.get("embeds") or [],
            components=sent.get("components") or [],
            flags=sent.get("flags") or 0,
            mentions=[],
            attachments=[
                {
                    "id": self.snowflake(),
                    "filename": a.get("filename", "file"),
                    "size": 1,
                    "url": "https://cdn.invalid/x",
                    "proxy_url": "https://cdn.invalid/x",
                }
                for a in sent.get("attachments") or []
            ],
        )
        return message

    def _message(self, call: Call, channel: str, message: str | None = None) -> dict[str, Any]:
        body = call.body if isinstance(call.body, Mapping) else {}
        nonce = body.get("nonce") if message is None and body.get("enforce_nonce") else None
        if nonce is not None and (channel, nonce) in self.nonces:
            # Discord's duplicate check: the message this nonce made, not a second one.
            return copy.deepcopy(self.nonces[channel, nonce])
        made = self.message(channel, call.body, message_id=message)
        if nonce is not None:
            self.nonces[channel, nonce] = copy.deepcopy(made)
        return made

    def _thread(self, call: Call, channel: str, message: str) -> dict[str, Any]:
        thread = frame("thread_create")["d"]
        thread.update(id=message, parent_id=channel, name=(call.body or {}).get("name", "thread"))
        thread.pop("newly_created", None)
        return thread

    def _interaction(self, token: str) -> dict[str, Any]:
        for data in self.interactions.values():
            if data.get("token") == token:
                return data
        return {}

    def _callback(self, call: Call, interaction_id: str, token: str) -> dict[str, Any]:
        body = call.body or {}
        kind = body.get("type")
        sent = self.interactions.get(interaction_id, {})
        flags = int((body.get("data") or {}).get("flags") or 0)
        answer: dict[str, Any] = {
            "interaction": {
                "id": interaction_id,
                "type": sent.get("type", 2),
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(flags & 64),
            },
            "resource": {"type": kind},
        }
        if kind in (4, 7):
            channel = str(sent.get("channel_id") or IDS.get("channels", {}).get("general", "1"))
            message = self.message(channel, body.get("data"), kind=20)
            answer["interaction"]["response_message_id"] = message["id"]
            answer["resource"]["message"] = message
        return answer

    def _followup(self, call: Call, application: str, token: str) -> dict[str, Any]:
        channel = str(self._interaction(token).get("channel_id") or "1")
        return self.message(channel, call.body, kind=20)

    def _webhook_edit(
        self, call: Call, application: str, token: str, message: str
    ) -> dict[str, Any]:
        channel = str(self._interaction(token).get("channel_id") or "1")
        wanted = message if message.isdigit() else None
        return self.message(channel, call.body, message_id=wanted, kind=20)

    def _create_invite(self, call: Call, channel: str) -> dict[str, Any]:
        body = call.body or {}
        code = f"inv{len(self.invites) + 1}x"
        self.invites[code] = {
            "code": code,
            "type": 0,
            "channel": {"id": channel, "name": "general", "type": 0},
            "uses": 0,
            "max_uses": body.get("max_uses", 0),
            "max_age": body.get("max_age", 86400),
            "temporary": False,
            "created_at": "2025-06-02T12:00:00+00:00",
        }
        return self.invites[code]

    def _invites(self, call: Call, guild: str) -> list[dict[str, Any]]:
        return list(self.invites.values())

    def _dm(self, call: Call) -> dict[str, Any]:
        user = (call.body or {}).get("recipient_id")
        return {
            "id": self.snowflake(),
            "type": 1,
            "last_message_id": None,
            "flags": 0,
            "recipients": [
                {
                    "id": str(user),
                    "username": f"user{user}",
                    "discriminator": "0",
                    "avatar": None,
                    "global_name": None,
                }
            ],
        }

    def _member(self, call: Call, guild: str, user: str) -> dict[str, Any]:
        members = frame("guild_create")["d"]["members"] + [frame("guild_member_add")["d"]]
        for member in members:
            if member["user"]["id"] == user:
                member.pop("guild_id", None)
                return member
        return {
            "user": {"id": user, "username": f"user{user}", "discriminator": "0", "avatar": None},
            "roles": [],
            "joined_at": "2025-06-02T10:00:00+00:00",
            "flags": 0,
            "deaf": False,
            "mute": False,
        }

    # --- looking at what was sent -----------------------------------------------------

    def sent(self, method: str, pattern: str) -> list[Call]:
        return [c for c in self.calls if c.matches(method, pattern)]

    async def wait_for(
        self, method: str, pattern: str, *, count: int = 1, limit: float = 5.0
    ) -> list[Call]:
        """Wait until at least `count` calls match; returns them all."""
        await eventually(lambda: len(self.sent(method, pattern)) >= count, limit)
        return self.sent(method, pattern)


async def eventually(condition: Callable[[], bool], limit: float = 5.0) -> None:
    """Poll `condition` until it holds (TimeoutError after `limit` seconds)."""
    async with asyncio.timeout(limit):
        while True:
            if condition():
                return
            await asyncio.sleep(0.01)


def _nothing(call: Call, *parts: str) -> None:
    return None


async def _read_body(request: web.Request) -> tuple[Any, list[str]]:
    if request.content_type.startswith("multipart/"):
        body: Any = None
        files: list[str] = []
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, aiohttp.BodyPartReader):
                continue
            if part.name == "payload_json":
                body = json.loads(await part.text())
            else:
                files.append(part.filename or part.name or "")
                await part.read()
        return body, files
    raw = await request.read()
    if not raw:
        return None, []
    try:
        return json.loads(raw), []
    except ValueError:
        return raw.decode(errors="replace"), []


@asynccontextmanager
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
