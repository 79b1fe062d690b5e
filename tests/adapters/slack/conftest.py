"""Fixtures for the Slack adapter tests: a fake Slack and a running bot against it.

Every test here is held to 127.0.0.1: name resolution of any other host fails, so a
sample's real `hooks.slack.com` URL can never leave the machine by mistake.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fake_slack import FakeSlack, fake_slack
from kit_common import stay_local
from slack_kit import Bot, running


@pytest.fixture(autouse=True)
def local_network_only(monkeypatch: pytest.MonkeyPatch) -> None:
    stay_local(monkeypatch)


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with fake_slack() as server:
        yield server


@pytest.fixture
async def bot(fake: FakeSlack) -> AsyncIterator[Bot]:
    async with running(fake) as started:
        yield started
