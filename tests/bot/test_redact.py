"""The log redaction: known secret values, URL passwords and URL credentials become ***."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot.config import ConfigError, config_from_dict
from bot.redact import protect, redact, secret_values, unprotect

TOKEN = "xoxb-1234-redact-me-please"


@pytest.fixture
def protected() -> Iterator[None]:
    protect([TOKEN])
    yield
    unprotect()


def test_known_values_and_url_passwords_are_masked() -> None:
    text = f"token {TOKEN} at postgresql+asyncpg://agora:pw@db:5432/agora"
    assert redact(text, [TOKEN]) == "token *** at postgresql+asyncpg://agora:***@db:5432/agora"
    assert redact("sqlite+aiosqlite:///agora.db and http://host:8080/x", []) == (
        "sqlite+aiosqlite:///agora.db and http://host:8080/x"
    )


def test_credentials_carried_in_urls_are_masked() -> None:
    hook = "https://hooks.slack.com/commands/T0001/7212345678903/9f82095b38836075ac26d9ef"
    assert redact(hook, []) == "https://hooks.slack.com/commands/T0001/7212345678903/***"
    followup = "POST https://discord.com/api/v10/webhooks/13289/aW50ZXJhY3Rpb246MTM3ODc5 with"
    assert redact(followup, []) == "POST https://discord.com/api/v10/webhooks/13289/*** with"
    ticket = "wss://wss-primary.slack.com/link/?ticket=abc-123&app_id=A1"
    assert redact(ticket, []) == "wss://wss-primary.slack.com/link/?ticket=***&app_id=A1"
    frame = """{'t': 'INTERACTION_CREATE', 'd': {"token": "aW50ZXJh", 'bot_token': 'x'}}"""
    assert (
        redact(frame, [])
        == """{'t': 'INTERACTION_CREATE', 'd': {"token": "***", 'bot_token': '***'}}"""
    )


def test_secret_values_come_from_named_and_secret_looking_variables() -> None:
    env = {
        "DISCORD_TOKEN": "MTfake.token.value",
        "AGORA_DB": "postgresql+asyncpg://agora:longpassword@db/agora",
        "MY_API_KEY": "k-123456789",
        "HOME": "/root/somewhere",
        "SHORT_SECRET": "abc",
    }
    found = secret_values(env, ["AGORA_DB", None])
    assert found == {"MTfake.token.value", "longpassword", "k-123456789"}


def test_every_record_is_cleaned_whoever_logs_it(
    protected: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("some.library").debug("headers %r", {"Authorization": f"Bearer {TOKEN}"})
    try:
        raise RuntimeError(f"request with {TOKEN} failed")
    except RuntimeError:
        logging.getLogger("bot.x").exception("it failed")
    assert TOKEN not in caplog.text
    assert "Bearer ***" in caplog.text and "request with *** failed" in caplog.text


def test_unprotect_restores_plain_records(caplog: pytest.LogCaptureFixture) -> None:
    protect([TOKEN])
    unprotect()
    caplog.set_level(logging.INFO)
    logging.getLogger("x").info("%s", TOKEN)
    assert TOKEN in caplog.text


@pytest.mark.parametrize(
    ("section", "key"),
    [
        ("discord", "token_env"),
        ("slack", "bot_token_env"),
        ("slack", "app_token_env"),
        ("storage", "url_env"),
    ],
)
def test_a_secret_in_a_variable_name_key_is_refused_and_not_repeated(
    section: str, key: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        config_from_dict({section: {key: TOKEN}}, {})
    assert "not the secret itself" in str(raised.value)
    assert TOKEN not in str(raised.value)


def test_tokens_are_masked_by_their_shape_even_when_nobody_named_them() -> None:
    text = (
        "bot.timezone: unknown time zone 'xoxb-9999-2222-AbCdEf'; app xapp-1-A0001-77-abcdef, "
        "rotating xoxe.xoxp-1-Mi0yLTEy, discord "
        "MTMyODk5NzA5OTExMTUyODAyNA.GhIjKl.AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 end"
    )
    assert redact(text, []) == (
        "bot.timezone: unknown time zone '***'; app ***, rotating ***, discord *** end"
    )
    ordinary = "Europe/Oslo, role:moderators, xox-not-a-token, example.com.very-long-name"
    assert redact(ordinary, []) == ordinary
