"""Keep secrets out of every log line: tokens, signing secrets, database passwords.

The secrets Agora holds come from environment variables (the config only names
them). Libraries log a lot at DEBUG — SQLAlchemy's echo, aiohttp, slack_sdk,
discord.py — and an exception's text can carry a URL or a header, so rather than
trust each of them, every log record is cleaned when it is made: the known secret
values become `***`, and so does the password of any `scheme://user:password@host`.

It hooks the log record factory, not a handler or a logger: a handler filter misses
handlers added later (SQLAlchemy's echo adds its own, pytest adds one per test), and
a logger filter misses records that propagate from child loggers.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any

MASK = "***"
# Shorter values are too likely to be ordinary words to be masked everywhere (a short
# database password is still masked inside URLs, by pattern).
MIN_SECRET_LENGTH = 6
SECRET_NAME = re.compile(r"token|secret|password|passwd|api_key", re.IGNORECASE)
URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s]*:)(?P<password>[^@\s/]+)(?=@)")
# Short-lived credentials that travel in URLs and payloads, which libraries print at
# DEBUG: a Discord interaction's token (follow-ups for 15 minutes), a Slack
# response_url or webhook, a Socket Mode connection ticket.
URL_CREDENTIALS = (
    re.compile(r"(?P<head>/(?:webhooks|interactions)/\d+/)[A-Za-z0-9_.-]{20,}"),
    re.compile(
        r"(?P<head>/(?:commands|actions|services)/T[A-Z0-9]+/[A-Za-z0-9]+/)[A-Za-z0-9]{16,}"
    ),
    re.compile(r"(?P<head>[?&](?:ticket|token|secret|password|signature)=)[^&\s'\"]+", re.I),
    # The same in a payload printed as JSON or a dict ("token": "…" in a gateway frame).
    re.compile(r"(?P<head>[\"'](?:\w*_)?(?:token|secret|password)[\"']\s*:\s*[\"'])[^\"']+", re.I),
)

# Credentials recognisable by their shape wherever they turn up — pasted into the
# wrong config key, quoted in an exception — even when no variable names them: Slack
# tokens (xoxb-, xoxp-, xoxe.xoxp-, xapp-…) and Discord bot tokens (three base64url
# parts: the bot's id, a timestamp, a signature).
TOKEN_SHAPES = (
    re.compile(r"\bx(?:ox[a-z](?:\.xox[a-z])?|app)-[A-Za-z0-9-]{6,}"),
    re.compile(r"\b[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,40}\b"),
)

_lock = threading.Lock()
_secrets: frozenset[str] = frozenset()
_original: Any = None  # the record factory before `protect` (None: not installed)


def redact(text: str, secrets: Iterable[str] | None = None) -> str:
    """`text` with every known secret, every password in a URL and everything shaped
    like a Slack or Discord token replaced by ***."""
    for secret in sorted(_secrets if secrets is None else secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    for pattern in (URL_PASSWORD, *URL_CREDENTIALS):
        text = pattern.sub(lambda m: m.group("head") + MASK, text)
    for shape in TOKEN_SHAPES:
        text = shape.sub(MASK, text)
    return text


def secret_values(env: Mapping[str, str], names: Iterable[str | None]) -> set[str]:
    """The values to hide: the variables the config names, and any that look secret.

    A variable holding a database URL contributes its password, not the whole URL.
    """
    wanted = {name for name in names if name}
    found: set[str] = set()
    for name, value in env.items():
        if not value or (name not in wanted and not SECRET_NAME.search(name)):
            continue
        url_password = URL_PASSWORD.search(value)
        if url_password is not None:
            found.add(url_password.group("password"))
        elif len(value) >= MIN_SECRET_LENGTH:
            found.add(value)
    return {value for value in found if len(value) >= MIN_SECRET_LENGTH}


def protect(secrets: Iterable[str]) -> None:
    """Mask these values (and URL passwords) in every log record from now on."""
    global _secrets, _original
    with _lock:
        _secrets = _secrets | {s for s in secrets if len(s) >= MIN_SECRET_LENGTH}
        if _original is not None:
            return
        _original = make = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = make(*args, **kwargs)
            _clean(record)
            return record

        logging.setLogRecordFactory(factory)


def unprotect() -> None:
    """Forget the secrets and restore the previous record factory (tests)."""
    global _secrets, _original
    with _lock:
        if _original is not None:
            logging.setLogRecordFactory(_original)
        _secrets, _original = frozenset(), None


def _clean(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:
        return  # logging reports the broken format itself, with the arguments it has
    cleaned = redact(message)
    if cleaned != message:
        record.msg, record.args = cleaned, None
    if record.exc_info and record.exc_info[1] is not None:
        text = logging.Formatter().formatException(record.exc_info)
        cleaned = redact(text)
        if cleaned != text:
            # Formatters print exc_text when it is set; the exception object stays for
            # code that inspects it, but its text never reaches a handler unmasked.
            record.exc_text = cleaned
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
