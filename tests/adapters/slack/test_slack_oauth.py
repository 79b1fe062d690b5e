"""`[slack] oauth = true`: installing in several workspaces, end to end against the fake.

The install link redirects to Slack with a state; the callback checks the state,
exchanges the code (`oauth.v2.access`) and stores the install; from then on requests
from that workspace are authorized with its install and answered with its bot token.
Uninstalling deletes the install.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qs, urlparse

import pytest
from fake_slack import CHANNELS, USERS, FakeSlack, load
from slack_kit import SECRET, Bot, running

from adapters.slack.adapter import SlackAdapter
from adapters.slack.installations import SlackInstall, SlackInstallations
from adapters.slack.manifest import build_manifest
from adapters.slack.oauth import authorize_url
from bot.app import App, StartupError
from bot.clock import FakeClock
from bot.config import AgoraConfig, ConfigError, SlackConfig, load_config
from bot.model import CommandInvoked, Outgoing, Ref
from bot.ports import PlatformRefused
from bot.registry import Registry

OAUTH_ENV = {
    "SLACK_CLIENT_ID": "A0001.client",
    "SLACK_CLIENT_SECRET": "client-secret",
    "SLACK_SIGNING_SECRET": SECRET,
}
OAUTH: dict[str, Any] = {
    "env": OAUTH_ENV,
    "oauth": True,
    "admin_token_env": None,
    "public_url": "https://bot.example.org",
}
COOKIE = "slack-app-oauth-state"
SECOND = "T0002"


@pytest.fixture
async def bot(fake: FakeSlack) -> AsyncIterator[Bot]:
    async with running(fake, **OAUTH) as started:
        yield started


def base(bot: Bot) -> str:
    return f"http://127.0.0.1:{bot.adapter.bound_port}"


async def start_install(bot: Bot) -> str:
    """Open the install link; returns the state Slack would hand back."""
    async with bot.session.get(base(bot) + "/slack/install", allow_redirects=False) as response:
        assert response.status == 302
        location = urlparse(response.headers["Location"])
        cookie = response.cookies[COOKIE].value
    query = parse_qs(location.query)
    # The authorize page of the Slack `api_base_url` names (here the fake).
    assert location.netloc == urlparse(bot.fake.base).netloc
    assert location.path == "/oauth/v2/authorize"
    assert query["client_id"] == ["A0001.client"]
    assert query["redirect_uri"] == ["https://bot.example.org/slack/oauth_redirect"]
    assert "chat:write" in query["scope"][0].split(",")
    [state] = query["state"]
    assert cookie == state
    return state


async def callback(bot: Bot, query: str, state: str | None) -> tuple[int, str]:
    headers = {"Cookie": f"{COOKIE}={state}"} if state else {}
    url = base(bot) + "/slack/oauth_redirect?" + query
    async with bot.session.get(url, headers=headers, allow_redirects=False) as response:
        return response.status, await response.text()


async def install(bot: Bot, team: str, name: str = "") -> str:
    """The whole flow for one workspace; returns the bot token Slack granted."""
    token = bot.fake.grant(f"code-{team}", team, name)
    state = await start_install(bot)
    status, page = await callback(bot, f"code=code-{team}&state={state}", state)
    assert status == 200, page
    await bot.settle()
    return token


async def stored(bot: Bot, team: str) -> SlackInstall | None:
    async with bot.app.runtime.storage.unit_of_work() as uow:
        return await uow.get(SlackInstallations).find(team)  # type: ignore[type-abstract]


def command_from(bot: Bot, team: str, text: str = "") -> dict[str, Any]:
    fields = {**load("http/slash_command.json"), "command": "/hello", "text": text}
    fields["team_id"] = team
    fields["response_url"] = f"https://hooks.slack.com/commands/{team}/1/x"
    return cast(dict[str, Any], fields)


def uninstall_event(team: str, kind: str = "app_uninstalled", **event: Any) -> dict[str, Any]:
    return {
        "token": "x",
        "team_id": team,
        "api_app_id": "A0001",
        "event": {"type": kind, "event_ts": "1748859000.000100", **event},
        "type": "event_callback",
        "event_id": f"Ev-{kind}-{team}",
        "event_time": 1748859000,
    }


# --- installing -------------------------------------------------------------------------


async def test_the_install_link_redirects_to_slack_with_a_fresh_state(bot: Bot) -> None:
    first = await start_install(bot)
    second = await start_install(bot)
    assert first != second


async def test_the_callback_with_a_valid_state_stores_the_install(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = bot.fake.grant("code-1", "T0001", "Agora Test")
    state = await start_install(bot)
    status, page = await callback(bot, f"code=code-1&state={state}", state)
    assert status == 200
    assert "Agora is now installed in Agora Test" in page
    [exchange] = bot.fake.called("oauth.v2.access")
    assert exchange.args["code"] == "code-1"
    assert exchange.args["redirect_uri"] == "https://bot.example.org/slack/oauth_redirect"
    found = await stored(bot, "T0001")
    assert found is not None
    assert (found.bot_token, found.bot_user_id, found.team_name) == (
        token,
        "U0001B",
        "Agora Test",
    )
    assert found.installed_at == bot.app.runtime.clock.now()
    await bot.settle()
    # The new workspace's channels reach the directory, with its own token.
    assert [c.token for c in bot.fake.called("conversations.list")] == [token]
    # The secret is never logged (the database driver's own debug log aside: Agora
    # keeps it at WARNING, see bot/cli.py).
    logged = [r.getMessage() for r in caplog.records if not r.name.startswith("aiosqlite")]
    assert logged and not [m for m in logged if token in m]
    # A state works once: the same callback again is refused.
    status, page = await callback(bot, f"code=code-1&state={state}", state)
    assert status == 401 and "expired" in page


async def test_a_forged_state_is_refused_with_a_friendly_page(bot: Bot) -> None:
    bot.fake.grant("code-1", "T0001")
    await start_install(bot)
    status, page = await callback(bot, "code=code-1&state=forged", "forged")
    assert status == 401
    assert "<h1>Agora was not installed</h1>" in page
    assert "This install link has expired" in page
    assert 'href="/slack/install"' in page
    assert "Traceback" not in page
    assert bot.fake.called("oauth.v2.access") == []
    assert await stored(bot, "T0001") is None


async def test_a_state_from_another_browser_is_refused(bot: Bot) -> None:
    bot.fake.grant("code-1", "T0001")
    state = await start_install(bot)
    status, page = await callback(bot, f"code=code-1&state={state}", None)
    assert status == 400 and "not started in this browser" in page
    assert await stored(bot, "T0001") is None


async def test_an_expired_state_is_refused(bot: Bot) -> None:
    bot.fake.grant("code-1", "T0001")
    state = await start_install(bot)
    clock = bot.app.runtime.clock
    assert isinstance(clock, FakeClock)
    clock.advance(timedelta(minutes=11))
    status, page = await callback(bot, f"code=code-1&state={state}", state)
    assert status == 401 and "expired" in page
    assert await stored(bot, "T0001") is None


async def test_cancelled_and_bad_codes_get_friendly_pages(bot: Bot) -> None:
    state = await start_install(bot)
    status, page = await callback(bot, f"error=access_denied&state={state}", state)
    assert status == 200 and "cancelled" in page
    state = await start_install(bot)
    status, page = await callback(bot, f"code=never-granted&state={state}", state)
    assert status == 401 and "Slack did not confirm the installation" in page


async def test_an_org_wide_install_is_refused(bot: Bot) -> None:
    bot.fake.grant("code-org", "T0001", is_enterprise_install=True)
    state = await start_install(bot)
    status, page = await callback(bot, f"code=code-org&state={state}", state)
    assert status == 500 and "Org-wide installs are not supported" in page
    assert await stored(bot, "T0001") is None


# --- events per workspace ---------------------------------------------------------------


async def test_an_event_from_an_installed_team_is_answered_with_its_token(bot: Bot) -> None:
    token = await install(bot, "T0001")
    status, _body = await bot.command(command_from(bot, "T0001"))
    assert status == 200
    await bot.settle()
    [command] = bot.recorder.of(CommandInvoked)
    assert command.actor.ref == Ref("slack", "T0001", USERS["alice"])
    [post] = bot.fake.called("chat.postMessage")
    assert (post.token, post.args["text"]) == (token, "Hello, everyone!")
    assert {c.token for c in bot.fake.called("users.info")} == {token}


async def test_two_workspaces_each_get_their_own_token(bot: Bot) -> None:
    first = await install(bot, "T0001")
    second = await install(bot, SECOND)
    assert first != second
    await bot.command(command_from(bot, SECOND))
    await bot.command(command_from(bot, "T0001"))
    await bot.settle()
    posts = {p.token: p.args["channel"] for p in bot.fake.called("chat.postMessage")}
    assert posts == {first: CHANNELS["general"], second: CHANNELS["general"]}
    refs = {c.actor.ref.workspace for c in bot.recorder.of(CommandInvoked)}
    assert refs == {"T0001", SECOND}
    # Without any request (reminders after a restart): the stored install is used,
    # looked up once for a burst.
    bot.adapter.port.forget(SECOND)
    checks = len(bot.fake.called("auth.test"))
    reminder = Outgoing("Reminder", channel=Ref("slack", SECOND, CHANNELS["general"]))
    [sent, *_more] = await asyncio.gather(*(bot.adapter.port.send(reminder) for _ in range(3)))
    assert sent.workspace == SECOND
    assert [p.token for p in bot.fake.called("chat.postMessage")[-3:]] == [second] * 3
    assert [c.token for c in bot.fake.called("auth.test")[checks:]] == [second]
    link = bot.adapter.port.message_link(sent)
    assert link.startswith("https://t0002.slack.com/archives/")


async def test_messages_and_the_home_tab_use_their_workspace(bot: Bot) -> None:
    first = await install(bot, "T0001")
    second = await install(bot, SECOND)
    message = load("http/event_message.json")
    message.update(team_id=SECOND, context_team_id=SECOND, event_id="Ev-second")
    message["authorizations"][0]["team_id"] = SECOND
    message["event"]["team"] = SECOND
    home = {**message, "event_id": "Ev-home"}
    home["event"] = {"type": "app_home_opened", "user": USERS["bob"], "tab": "home"}
    for payload in (message, home):
        assert (await bot.event(payload))[0] == 200
    await bot.settle()
    [posted] = bot.recorder.events
    assert posted.event_id.startswith(f"slack:{SECOND}:")
    [published] = bot.fake.called("views.publish")
    assert (published.token, published.args["user_id"]) == (second, USERS["bob"])
    assert first not in {c.token for c in bot.fake.called("users.info")}


async def test_installs_outlive_a_restart(fake: FakeSlack, tmp_path: Path) -> None:
    settings = {**OAUTH, "database": f"sqlite+aiosqlite:///{tmp_path / 'agora.db'}"}
    async with running(fake, **settings) as first:
        one = await install(first, "T0001")
        two = await install(first, SECOND)
    fake.calls.clear()
    async with running(fake, **settings) as again:
        await again.settle()
        # At start every installed workspace's channels are synced, each with its token.
        assert sorted(c.token for c in fake.called("conversations.list")) == [one, two]
        await again.command(command_from(again, SECOND))
        await again.settle()
        assert [p.token for p in fake.called("chat.postMessage")] == [two]
        assert fake.called("oauth.v2.access") == []


async def test_a_team_that_never_installed_is_not_served(bot: Bot) -> None:
    await install(bot, "T0001")
    status, _body = await bot.command(command_from(bot, "T0009"))
    assert status == 200
    await bot.settle()
    assert bot.recorder.events == []
    assert bot.fake.called("chat.postMessage") == []
    [(_path, note)] = bot.fake.hooks  # the member is told, in the bot's words
    assert "Agora is not installed in this workspace any more" in note["text"]
    with pytest.raises(PlatformRefused, match="not installed in the Slack workspace T0009"):
        await bot.adapter.port.send(Outgoing("hi", channel=Ref("slack", "T0009", "C0001")))


async def test_uninstalling_deletes_the_install(bot: Bot) -> None:
    await install(bot, "T0001")
    second = await install(bot, SECOND)
    status, _body = await bot.event(uninstall_event("T0001"))
    assert status == 200
    await bot.settle()
    assert await stored(bot, "T0001") is None
    assert await stored(bot, SECOND) is not None
    await bot.command(command_from(bot, "T0001"))
    await bot.command(command_from(bot, SECOND))
    await bot.settle()
    assert [p.token for p in bot.fake.called("chat.postMessage")] == [second]
    with pytest.raises(PlatformRefused, match="not installed"):
        await bot.adapter.port.send(Outgoing("hi", channel=Ref("slack", "T0001", "C0001")))


async def test_a_revoked_bot_token_deletes_the_install(bot: Bot) -> None:
    await install(bot, "T0001")
    await install(bot, SECOND)
    users_only = uninstall_event("T0001", "tokens_revoked", tokens={"oauth": ["U0001"]})
    await bot.event(users_only)
    await bot.settle()
    assert await stored(bot, "T0001") is not None  # only a user token: nothing of ours
    revoked = uninstall_event(SECOND, "tokens_revoked", tokens={"bot": ["U0002B"]})
    await bot.event(revoked)
    await bot.settle()
    assert await stored(bot, SECOND) is None
    assert await stored(bot, "T0001") is not None


async def test_a_reinstall_replaces_the_token(bot: Bot) -> None:
    await install(bot, "T0001")
    await bot.command(command_from(bot, "T0001"))
    await bot.settle()
    bot.fake.identities.pop("xoxb-T0001-bot")
    bot.fake.grant("code-again", "T0001", access_token="xoxb-T0001-new")
    bot.fake.identities["xoxb-T0001-new"] = {**bot.fake.identities["xoxb-T0001-bot"]}
    state = await start_install(bot)
    status, _page = await callback(bot, f"code=code-again&state={state}", state)
    assert status == 200
    await bot.settle()
    await bot.command({**command_from(bot, "T0001"), "trigger_id": "another"})
    await bot.settle()
    assert [p.token for p in bot.fake.called("chat.postMessage")] == [
        "xoxb-T0001-bot",
        "xoxb-T0001-new",
    ]


# --- settings ---------------------------------------------------------------------------


async def test_missing_credentials_name_the_variables() -> None:
    config = SlackConfig(enabled=True, mode="http", oauth=True)
    adapter = SlackAdapter(config, env={"SLACK_BOT_TOKEN": "xoxb-ignored"})
    assert adapter.missing_settings() == [
        "SLACK_CLIENT_ID",
        "SLACK_CLIENT_SECRET",
        "SLACK_SIGNING_SECRET",
    ]
    with pytest.raises(StartupError, match=r"SLACK_CLIENT_ID.*Client ID"):
        await adapter.start(cast(App, None))
    assert SlackAdapter(config, env=OAUTH_ENV).missing_settings() == []


def problems(tmp_path: Path, text: str) -> list[str]:
    file = tmp_path / "agora.toml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(file)
    return [str(p) for p in raised.value.problems]


def test_oauth_settings_are_checked(tmp_path: Path) -> None:
    [socket] = problems(tmp_path, "[slack]\noauth = true\n")
    assert 'oauth = true needs mode = "http"' in socket and "line 1" in socket
    [admin] = problems(
        tmp_path, '[slack]\nmode = "http"\noauth = true\nadmin_token_env = "SLACK_ADMIN"\n'
    )
    assert "remove it when oauth = true" in admin
    [same] = problems(
        tmp_path, '[slack]\nmode = "http"\noauth = true\ninstall_path = "/slack/events"\n'
    )
    assert "three different paths" in same
    [path] = problems(tmp_path, '[slack]\nredirect_uri_path = "oauth"\n')
    assert path.startswith("line 2: slack.redirect_uri_path: write a URL path")
    [scope] = problems(tmp_path, '[slack]\nscopes = ["chat:write", "Chat Write"]\n')
    assert "'Chat Write' is not a Slack scope" in scope


def test_secrets_stay_out_of_the_file(tmp_path: Path) -> None:
    [inline] = problems(tmp_path, '[slack]\nclient_secret = "8f3a9c"\n')
    assert "never put secrets" in inline and "client_secret_env" in inline
    assert "8f3a9c" not in inline
    [pasted] = problems(tmp_path, '[slack]\nclient_id_env = "1234567890.0987654321"\n')
    assert "name of an environment variable" in pasted
    assert "1234567890" not in pasted


def test_the_manifest_names_the_redirect_url_and_uninstall_events() -> None:
    slack = SlackConfig(
        mode="http", oauth=True, public_url="https://bot.example.org/", scopes=["chat:write"]
    )
    manifest = build_manifest(Registry([]), AgoraConfig(slack=slack))
    oauth = manifest["oauth_config"]
    assert oauth["redirect_urls"] == ["https://bot.example.org/slack/oauth_redirect"]
    assert oauth["scopes"]["bot"] == ["chat:write"]
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert {"app_uninstalled", "tokens_revoked"} <= set(events)
    single = build_manifest(Registry([]), AgoraConfig(slack=SlackConfig(mode="http")))
    assert "redirect_urls" not in single["oauth_config"]
    assert "app_uninstalled" not in json.dumps(single)


def test_the_authorize_page_follows_the_api_host_unless_configured() -> None:
    assert authorize_url(SlackConfig()) == "https://slack.com/oauth/v2/authorize"
    gov = SlackConfig(api_base_url="https://slack-gov.com/api/")
    assert authorize_url(gov) == "https://slack-gov.com/oauth/v2/authorize"
    own = SlackConfig(
        api_base_url="https://proxy.example/slack/api/",
        oauth_authorize_url="https://login.example/authorize",
    )
    assert authorize_url(own) == "https://login.example/authorize"
    with pytest.raises(ValueError, match="web address"):
        SlackConfig(oauth_authorize_url="slack-gov.com/oauth")


async def test_an_install_on_a_configured_authorize_page(fake: FakeSlack) -> None:
    page = "https://slack-gov.com/oauth/v2/authorize"
    async with running(fake, **OAUTH, oauth_authorize_url=page) as bot:
        url = base(bot) + "/slack/install"
        async with bot.session.get(url, allow_redirects=False) as response:
            assert response.status == 302
            assert response.headers["Location"].startswith(page + "?")
