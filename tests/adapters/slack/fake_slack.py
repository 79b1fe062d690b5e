"""A local Slack for adapter tests: Web API, response_url hooks, file uploads, Socket Mode.

One aiohttp server on 127.0.0.1 and an ephemeral port. Web API answers come from the
shared payload samples (`../shared/payloads/slack/web_api`), adjusted per call (a new
`ts` per post, the user asked for in users.info). Everything the adapter sends is
recorded, so tests assert on what reached "Slack".

User groups are kept per workspace (`groups`), so the usergroups.* methods read and
change real state: S0001 `@moderators` (bob) exists from the start. `slow(method, s)`
delays a method's answer, to let concurrent calls overlap.

For multi-workspace installs the fake also plays the OAuth side: `grant(code, team)`
makes `oauth.v2.access` exchange that code for the team's bot token (once), and
`auth.test` answers for every token it handed out with that token's workspace.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import itertools
import json
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
from aiohttp import web
from kit_common import payloads_folder

PAYLOADS = payloads_folder(Path(__file__).resolve().parents[3])
SLACK = PAYLOADS / "slack"
IDS: dict[str, Any] = json.loads((PAYLOADS / "ids.json").read_text(encoding="utf-8"))["slack"]
HOOKS = "https://hooks.slack.com/"
TEAM = IDS["team_id"]
USERS: dict[str, str] = IDS["users"]
CHANNELS: dict[str, str] = IDS["channels"]


def load(relative: str) -> dict[str, Any]:
    """A sample payload (a fresh copy every time: tests may change it)."""
    data = json.loads((SLACK / relative).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def load_text(relative: str) -> str:
    return (SLACK / relative).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Call:
    method: str
    args: dict[str, Any]
    token: str


Failure = Callable[[Call], str | None]


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.hooks: list[tuple[str, dict[str, Any]]] = []
        self.uploads: list[bytes] = []
        self.posted: dict[str, list[dict[str, Any]]] = {}  # channel → chat.postMessage'd
        self.acks: list[dict[str, Any]] = []
        # Called with each Socket Mode ack as it arrives (to see what was done by then).
        self.on_ack: Callable[[dict[str, Any]], None] | None = None
        self.failures: dict[str, Failure] = {}
        self.client_credentials = ("A0001.client", "client-secret")
        self.codes: dict[str, dict[str, Any]] = {}
        self.identities: dict[str, dict[str, Any]] = {}
        self.hook_status = 200
        self.groups: dict[str, dict[str, dict[str, Any]]] = {
            TEAM: {
                "S0001": {
                    "id": "S0001",
                    "team_id": TEAM,
                    "handle": "moderators",
                    "name": "Moderators",
                    "date_delete": 0,
                    "users": [USERS["bob"]],
                }
            }
        }
        self.delays: dict[str, float] = {}
        # Channel ids the bot is not a member of, and ones conversations.list leaves out
        # (a private channel the bot is not in).
        self.not_member: set[str] = set()
        self.unlisted: set[str] = set()
        self.scopes: str | None = None  # the x-oauth-scopes header Slack sends, when set
        self._group_ids = itertools.count(2)
        self.port = 0
        self._ts = itertools.count(1)
        self._outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._runner: web.AppRunner | None = None
        self._sockets: list[web.WebSocketResponse] = []
        self._changed = asyncio.Event()

    # --- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/hooks/{tail:.*}", self._hook)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/link/", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        assert site._server is not None
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        for ws in self._sockets:
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def api_base(self) -> str:
        return self.base + "api/"

    # --- what tests use -----------------------------------------------------------------

    def localize(self, payload: Any) -> Any:
        """Point every response_url in a sample at this server instead of hooks.slack.com."""
        if isinstance(payload, str):
            return payload.replace(HOOKS, self.base + "hooks/")
        if isinstance(payload, Mapping):
            return {k: self.localize(v) for k, v in payload.items()}
        if isinstance(payload, list):
            return [self.localize(v) for v in payload]
        return payload

    def called(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def fail(self, method: str, error: str | Failure) -> None:
        """Make `method` answer `{"ok": false, "error": error}` (or decide per call)."""
        self.failures[method] = error if callable(error) else (lambda _call: error)

    def slow(self, method: str, seconds: float) -> None:
        """Make `method` answer only after `seconds` (concurrent calls then overlap)."""
        self.delays[method] = seconds

    def members_of(self, handle: str, team: str = TEAM) -> list[str] | None:
        """The member list of the group `handle` (None: no such group, or disabled)."""
        for group in self.groups.get(team, {}).values():
            if group["handle"] == handle:
                return None if group["date_delete"] else list(group["users"])
        return None

    def grant(self, code: str, team: str, name: str = "", **extra: Any) -> str:
        """An install: Slack's authorize page would send `code` back; returns the token."""
        token = f"xoxb-{team}-bot"
        bot_user = "U" + team[1:] + "B"
        self.codes[code] = {
            "ok": True,
            "app_id": "A0001",
            "authed_user": {"id": USERS["alice"]},
            "scope": "chat:write,commands,users:read",
            "token_type": "bot",
            "access_token": token,
            "bot_user_id": bot_user,
            "team": {"id": team, "name": name or f"Team {team}"},
            "enterprise": None,
            "is_enterprise_install": False,
            **extra,
        }
        self.identities[token] = {
            "ok": True,
            "url": f"https://{team.lower()}.slack.com/",
            "team": name or f"Team {team}",
            "user": "agora",
            "team_id": team,
            "user_id": bot_user,
            "bot_id": "B" + team[1:],
            "is_enterprise_install": False,
        }
        return token

    def push(self, envelope: Mapping[str, Any]) -> None:
        """Send a Socket Mode envelope to the connected app."""
        self._outbox.put_nowait(dict(envelope))

    async def wait_for(self, check: Callable[[], Any], within: float = 5.0) -> Any:
        """Wait until `check()` is truthy; re-checked whenever something reaches the fake."""
        async with asyncio.timeout(within):
            while not (found := check()):
                await self._changed.wait()
                self._changed.clear()
        return found

    @property
    def connections(self) -> int:
        """Socket Mode connections opened so far."""
        return len(self._sockets)

    async def drop_sockets(self) -> None:
        """Close every Socket Mode connection, as Slack does on a refresh or an outage.

        Envelopes pushed meanwhile wait in the outbox for the next connection.
        """
        for ws in self._sockets:
            if not ws.closed:
                await ws.close()

    # --- Web API --------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        if request.method == "POST":
            if request.content_type == "application/json":
                args.update(await request.json())
            else:
                args.update(dict(parse_qsl(await request.text(), keep_blank_values=True)))
        for key in ("blocks", "view", "files"):
            if isinstance(args.get(key), str) and args[key][:1] in "[{":
                args[key] = json.loads(args[key])
        authorization = request.headers.get("Authorization", "")
        if authorization.startswith("Basic "):  # oauth.v2.access: the app's credentials
            client, _sep, secret = base64.b64decode(authorization[6:]).decode().partition(":")
            args.update(client_id=client, client_secret=secret)
            authorization = ""
        token = authorization.removeprefix("Bearer ")
        call = Call(method, args, token or str(args.get("token", "")))
        self.calls.append(call)
        self._changed.set()
        if method in self.delays:
            await asyncio.sleep(self.delays[method])
        failure = self.failures.get(method)
        error = failure(call) if failure is not None else None
        if error:
            return web.json_response({"ok": False, "error": error})
        answer = getattr(self, "_" + method.replace(".", "_"), None)
        if answer is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        headers = {"x-oauth-scopes": self.scopes} if self.scopes is not None else None
        return web.json_response(answer(call), headers=headers)

    def _next_ts(self) -> str:
        return f"1748859{next(self._ts):03d}.000100"

    def _auth_test(self, call: Call) -> dict[str, Any]:
        if call.token in self.identities:
            return copy.deepcopy(self.identities[call.token])
        if call.token.startswith("xoxb-T"):  # a granted token that was revoked since
            return {"ok": False, "error": "invalid_auth"}
        return load("web_api/auth_test.json")

    def _oauth_v2_access(self, call: Call) -> dict[str, Any]:
        credentials = (call.args.get("client_id"), call.args.get("client_secret"))
        if credentials != self.client_credentials:
            return {"ok": False, "error": "invalid_client_id"}
        granted = self.codes.pop(str(call.args.get("code", "")), None)
        return granted if granted is not None else {"ok": False, "error": "invalid_code"}

    def _apps_connections_open(self, call: Call) -> dict[str, Any]:
        body = load("web_api/apps_connections_open.json")
        body["url"] = f"ws://127.0.0.1:{self.port}/link/?ticket=fake"
        return body

    def _chat_postMessage(self, call: Call) -> dict[str, Any]:
        body = load("web_api/chat_postMessage.json")
        ts = self._next_ts()
        body.update(channel=call.args["channel"], ts=ts)
        body["message"].update(
            ts=ts, text=call.args.get("text", ""), blocks=call.args.get("blocks", [])
        )
        kept = {**body["message"], "thread_ts": call.args.get("thread_ts")}
        if isinstance(call.args.get("metadata"), dict):
            kept["metadata"] = call.args["metadata"]
        self.posted.setdefault(call.args["channel"], []).append(kept)
        return body

    def _conversations_history(self, call: Call) -> dict[str, Any]:
        return self._page(call, lambda m: not m.get("thread_ts"))

    def _conversations_replies(self, call: Call) -> dict[str, Any]:
        thread = str(call.args.get("ts", ""))
        return self._page(call, lambda m: thread in (m["ts"], m.get("thread_ts")))

    def _page(self, call: Call, shown: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """Messages newest first since `oldest`, `limit` a page (the cursor is an offset)."""
        oldest = float(call.args.get("oldest") or 0)
        messages = [
            m
            for m in reversed(self.posted.get(str(call.args.get("channel")), []))
            if shown(m) and float(m["ts"]) > oldest
        ]
        start = int(call.args.get("cursor") or 0)
        end = start + int(call.args.get("limit") or 100)
        with_metadata = _yes(call.args.get("include_all_metadata"))
        page = [
            m if with_metadata else {k: v for k, v in m.items() if k != "metadata"}
            for m in messages[start:end]
        ]
        more = str(end) if end < len(messages) else ""
        return {"ok": True, "messages": page, "response_metadata": {"next_cursor": more}}

    def _chat_postEphemeral(self, call: Call) -> dict[str, Any]:
        return {**load("web_api/chat_postEphemeral.json"), "message_ts": self._next_ts()}

    def _chat_update(self, call: Call) -> dict[str, Any]:
        return {"ok": True, "channel": call.args["channel"], "ts": call.args["ts"]}

    def _chat_delete(self, call: Call) -> dict[str, Any]:
        return {"ok": True, "channel": call.args["channel"], "ts": call.args["ts"]}

    def _reactions_remove(self, call: Call) -> dict[str, Any]:
        return {"ok": True}

    def _pins_add(self, call: Call) -> dict[str, Any]:
        return {"ok": True}

    def _conversations_open(self, call: Call) -> dict[str, Any]:
        user = str(call.args.get("users", ""))
        if user == USERS["carol"]:
            return load("web_api/conversations_open.json")
        return {"ok": True, "channel": {"id": "D" + user[1:]}}

    def _conversations_info(self, call: Call) -> dict[str, Any]:
        channel = str(call.args.get("channel", ""))
        names = {v: k for k, v in CHANNELS.items()}
        if channel not in names:
            return {"ok": False, "error": "channel_not_found"}
        if channel.startswith("D"):
            return {"ok": True, "channel": {"id": channel, "is_im": True, "user": USERS["carol"]}}
        return {"ok": True, "channel": {"id": channel, "name": names[channel], "is_channel": True}}

    def _conversations_list(self, call: Call) -> dict[str, Any]:
        channels = [
            {"id": cid, "name": name, "is_channel": True, "is_member": cid not in self.not_member}
            for name, cid in CHANNELS.items()
            if cid.startswith("C") and cid not in self.unlisted
        ]
        return {"ok": True, "channels": channels, "response_metadata": {"next_cursor": ""}}

    def _users_info(self, call: Call) -> dict[str, Any]:
        body = load("web_api/users_info.json")
        user_id = str(call.args.get("user", ""))
        names = {v: k for k, v in USERS.items()}
        if user_id not in names:
            return {"ok": False, "error": "user_not_found"}
        user = body["user"]
        if user_id != USERS["carol"]:
            name = names[user_id]
            user.update(id=user_id, name=name, real_name=name.title())
            user["profile"].update(
                display_name=name, real_name=name.title(), email=f"{name}@agora-test.example"
            )
        user["is_admin"] = user["is_owner"] = user_id == USERS["alice"]
        user["is_bot"] = user_id == USERS["agora_bot"]
        if call.args.get("include_locale") in ("true", "1", True):
            user["locale"] = "nb-NO" if user_id == USERS["bob"] else "en-US"
        return body

    # --- user groups (state per workspace; Slack replaces a member list whole) ----------

    def _team_of(self, call: Call) -> str:
        identity = self.identities.get(call.token)
        return str(identity["team_id"]) if identity else TEAM

    def _group(self, call: Call) -> dict[str, Any] | None:
        return self.groups.get(self._team_of(call), {}).get(str(call.args.get("usergroup", "")))

    def _usergroups_list(self, call: Call) -> dict[str, Any]:
        listed = []
        for group in self.groups.get(self._team_of(call), {}).values():
            if group["date_delete"] and not _yes(call.args.get("include_disabled")):
                continue
            shown = {k: v for k, v in group.items() if k != "users"}
            if _yes(call.args.get("include_users")):
                shown["users"] = list(group["users"])
            listed.append(copy.deepcopy(shown))
        return {"ok": True, "usergroups": listed}

    def _usergroups_users_list(self, call: Call) -> dict[str, Any]:
        group = self._group(call)
        if group is None or (group["date_delete"] and not _yes(call.args.get("include_disabled"))):
            return {"ok": False, "error": "no_such_subteam"}
        return {"ok": True, "users": list(group["users"])}

    def _usergroups_users_update(self, call: Call) -> dict[str, Any]:
        group = self._group(call)
        if group is None:
            return {"ok": False, "error": "no_such_subteam"}
        users = [u for u in str(call.args.get("users", "")).split(",") if u]
        if not users:
            return {"ok": False, "error": "invalid_users"}  # Slack refuses an empty list
        group["users"] = users
        return {"ok": True, "usergroup": copy.deepcopy(group)}

    def _usergroups_create(self, call: Call) -> dict[str, Any]:
        groups = self.groups.setdefault(self._team_of(call), {})
        name, handle = str(call.args.get("name", "")), str(call.args.get("handle", ""))
        for group in groups.values():
            if group["name"].casefold() == name.casefold():
                return {"ok": False, "error": "name_already_exists"}
            if handle and group["handle"] == handle:
                return {"ok": False, "error": "handle_already_exists"}
        group_id = f"S{next(self._group_ids):04d}"
        groups[group_id] = {
            "id": group_id,
            "team_id": self._team_of(call),
            "handle": handle or name.lower(),
            "name": name,
            "description": call.args.get("description", ""),
            "date_delete": 0,
            "users": [],
        }
        return {"ok": True, "usergroup": copy.deepcopy(groups[group_id])}

    def _usergroups_disable(self, call: Call) -> dict[str, Any]:
        group = self._group(call)
        if group is None:
            return {"ok": False, "error": "no_such_subteam"}
        group["date_delete"] = 1748859000
        return {"ok": True, "usergroup": copy.deepcopy(group)}

    def _usergroups_enable(self, call: Call) -> dict[str, Any]:
        group = self._group(call)
        if group is None:
            return {"ok": False, "error": "no_such_subteam"}
        group["date_delete"] = 0
        return {"ok": True, "usergroup": copy.deepcopy(group)}

    def _views_open(self, call: Call) -> dict[str, Any]:
        body = load("web_api/views_open.json")
        body["view"].update(copy.deepcopy(call.args.get("view") or {}))
        return body

    def _views_publish(self, call: Call) -> dict[str, Any]:
        return {"ok": True, "view": {"id": "V0002", **(call.args.get("view") or {})}}

    def _files_getUploadURLExternal(self, call: Call) -> dict[str, Any]:
        file_id = f"F{next(self._ts):04d}"
        return {"ok": True, "upload_url": f"{self.base}upload/{file_id}", "file_id": file_id}

    def _files_completeUploadExternal(self, call: Call) -> dict[str, Any]:
        files = call.args.get("files") or []
        return {"ok": True, "files": [{"id": f.get("id"), "title": f.get("title")} for f in files]}

    # --- hooks, uploads, Socket Mode --------------------------------------------------------

    async def _hook(self, request: web.Request) -> web.Response:
        self.hooks.append((request.match_info["tail"], await request.json()))
        self._changed.set()
        return web.Response(status=self.hook_status, text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        self.uploads.append(await request.read())
        return web.Response(text="OK")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_str(json.dumps(load("socket_mode/socket_mode_hello.json")))
        pump = asyncio.create_task(self._pump(ws))
        try:
            async for message in ws:
                if message.type == aiohttp.WSMsgType.TEXT:
                    ack = json.loads(message.data)
                    if self.on_ack is not None:
                        self.on_ack(ack)
                    self.acks.append(ack)
                    self._changed.set()
        finally:
            pump.cancel()
        return ws

    async def _pump(self, ws: web.WebSocketResponse) -> None:
        while True:
            envelope = await self._outbox.get()
            await ws.send_str(json.dumps(envelope))


def _yes(value: Any) -> bool:
    """A boolean argument as slack_sdk sends it ("1"/"0") or as JSON."""
    return value in (True, "1", "true", "True")


@asynccontextmanager
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
