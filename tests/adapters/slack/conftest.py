"""Fixtures for the Slack adapter tests: a fake Slack and a running bot against it.

Every test here is held to 127.0.0.1: name resolution of any other host fails, so a
sample's real `hooks.slack.com` URL can never leave the machine by mistake.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from fake_slack import FakeSlack, fake_slack
from slack_kit import Bot, running

LOCAL = frozenset({"127.0.0.1", "localhost", "::1"})


@pytest.fixture(autouse=True)
def local_network_only(monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name not in LOCAL:
            raise socket.gaierror(socket.EAI_NONAME, f"tests stay on 127.0.0.1, not {name}")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with fake_slack() as server:
        yield server


@pytest.fixture
async def bot(fake: FakeSlack) -> AsyncIterator[Bot]:
    async with running(fake) as started:
        yield started
